//! `abroad`: serve the API, migrate, load demo data, sign tokens.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    match abroad_api::cli::Cli::parse().run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("abroad: {err}");
            ExitCode::FAILURE
        }
    }
}
