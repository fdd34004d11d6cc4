//! A database per test, cloned from a migrated template.
//!
//! The template is built once (per set of migrations: its name carries a hash of the
//! `migrations/` folder) under a PostgreSQL advisory lock, so parallel test threads
//! and test processes share it safely. Each test then gets `CREATE DATABASE …
//! TEMPLATE`, which takes milliseconds, and drops it when done.

use crate::migrations;
use diesel::prelude::*;
use diesel::sql_query;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Lock key for building templates and cloning them ("abroad" in ASCII).
const TEMPLATE_LOCK: i64 = 0x6162_726f_6164;

/// A private, migrated database that lives as long as this value.
#[derive(Debug)]
pub struct TestDb {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDb {
    /// Clones a fresh database from the template. `DATABASE_URL` must name a database
    /// on a server where this user may create databases (`scripts/test` sets it up).
    pub fn new() -> Self {
        let admin_url = std::env::var("DATABASE_URL").expect(
            "DATABASE_URL must point at a PostgreSQL server; run the tests through scripts/test",
        );
        let mut admin = PgConnection::establish(&admin_url).unwrap_or_else(|e| {
            panic!("cannot connect to DATABASE_URL ({e}); run the tests through scripts/test")
        });
        let template = format!("abroad_tpl_{}", migrations_hash());
        let name = format!("abroad_test_{}", uuid::Uuid::new_v4().simple());

        sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
            .execute(&mut admin)
            .expect("lock");
        let built = ensure_template(&mut admin, &admin_url, &template).and_then(|()| {
            sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut admin)
                .map(drop)
        });
        sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
            .execute(&mut admin)
            .expect("unlock");
        built.unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));

        let url = with_database(&admin_url, &name);
        Self {
            admin_url,
            name,
            url,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to test database")
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

#[derive(QueryableByName)]
struct Exists {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    exists: bool,
}

/// Builds the template unless it is there; the caller holds the advisory lock.
fn ensure_template(admin: &mut PgConnection, admin_url: &str, template: &str) -> QueryResult<()> {
    let Exists { exists } =
        sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
            .bind::<diesel::sql_types::Text, _>(template)
            .get_result(admin)?;
    if exists {
        return Ok(());
    }
    sql_query(format!("CREATE DATABASE {template}")).execute(admin)?;
    let migrated = PgConnection::establish(&with_database(admin_url, template))
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))
        .and_then(|mut conn| {
            migrations::run_pending(&mut conn)
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.into()))
        });
    if let Err(e) = migrated {
        sql_query(format!("DROP DATABASE IF EXISTS {template} WITH (FORCE)")).execute(admin)?;
        return Err(e);
    }
    Ok(())
}

/// The same server and credentials, another database.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{host_part}/{database}{query}")
}

/// A short hash of every file under `migrations/`, so edited migrations get a new template.
fn migrations_hash() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let mut files = Vec::new();
    collect_files(&dir, &mut files);
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(
            file.strip_prefix(&dir)
                .unwrap_or(&file)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(std::fs::read(&file).unwrap_or_default());
    }
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn with_database_swaps_only_the_database() {
        assert_eq!(
            with_database("postgres://u@127.0.0.1:5432/postgres?sslmode=disable", "t1"),
            "postgres://u@127.0.0.1:5432/t1?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://u@h:1", "t2"),
            "postgres://u@h:1/t2"
        );
    }
}
