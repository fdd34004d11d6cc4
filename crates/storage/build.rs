//! Rebuilds the crate when a migration is added: `embed_migrations!` reads the folder
//! at compile time, and cargo does not otherwise watch it for new ones.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
