//! The `abroad` command: `serve`, `migrate`, `seed-demo`, `token`, `openapi`,
//! `verify-draw`.

pub mod seed;
mod serve;
mod token;
mod verify_draw;

use crate::settings::{ConfigError, Settings};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "abroad", version, about = "The study-abroad office's back end")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrates the database and serves the API on ABROAD_BIND.
    Serve {
        /// Without a configured JWT key, use the public development key (never in production).
        #[arg(long)]
        dev: bool,
    },
    /// Applies pending database migrations.
    Migrate,
    /// Loads the demo data (idempotent: running it again changes nothing).
    SeedDemo,
    /// Prints a token signed with the configured key, for scripts and local frontends.
    Token(token::TokenArgs),
    /// Prints the OpenAPI document (the committed openapi/openapi.json).
    Openapi,
    /// Checks a published draw record (GET /calls/{id}/draw, a file or - for stdin)
    /// against its commitment and inputs digest, and runs the draw again; exit 1 and the
    /// first difference when it does not match.
    VerifyDraw {
        /// The record as JSON: a file, or `-` for standard input.
        record: String,
    },
}

/// Why a command failed; printed on stderr, exit status 1.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Storage(#[from] abroad_storage::StorageError),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    #[error("{0}")]
    Other(String),
}

impl Cli {
    pub fn run(self) -> Result<(), CommandError> {
        // Anyone may check a draw: no configuration, no database.
        if let Command::VerifyDraw { record } = &self.command {
            return verify_draw::run(record);
        }
        let mut settings = Settings::from_env()?;
        match self.command {
            Command::Serve { dev } => {
                crate::telemetry::init(settings.log_format);
                settings.require_jwt_key(dev)?;
                serve::run(settings, dev)
            }
            Command::Migrate => {
                crate::telemetry::init(settings.log_format);
                let applied = abroad_storage::migrations::run_pending(&mut connect(&settings)?)?;
                tracing::info!(count = applied.len(), versions = ?applied, "migrations applied");
                Ok(())
            }
            Command::SeedDemo => {
                crate::telemetry::init(settings.log_format);
                seed::run(&mut connect(&settings)?)
            }
            Command::Token(args) => token::run(settings, &args),
            Command::Openapi => {
                print(&crate::openapi::to_json(&crate::openapi::document()));
                Ok(())
            }
            Command::VerifyDraw { record } => verify_draw::run(&record),
        }
    }
}

fn connect(settings: &Settings) -> Result<abroad_storage::PgConnection, CommandError> {
    use diesel::Connection;
    abroad_storage::PgConnection::establish(settings.require_database_url()?)
        .map_err(|e| CommandError::Connect(e.to_string()))
}

/// Commands print their product on stdout, so it can be piped; logs go to stderr.
fn print(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}
