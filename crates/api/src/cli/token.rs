//! `abroad token`: a signed token for scripts and local frontends.

use super::{CommandError, print};
use crate::auth::{self, Claims};
use crate::settings::Settings;
use abroad_domain::Role;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// student, programme or coordinator.
    #[arg(long)]
    role: Role,
    /// The subject: a student number for students.
    #[arg(long)]
    sub: String,
    /// A programme the programme role acts for (repeat for several).
    #[arg(long = "programme")]
    programmes: Vec<String>,
    /// Limits a coordinator to one faculty.
    #[arg(long)]
    faculty: Option<String>,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// How long the token lives, e.g. 30m, 1h, 8h, 7d.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    ttl: Duration,
    /// Without a configured key, sign with the public development key.
    #[arg(long)]
    dev: bool,
}

pub fn run(mut settings: Settings, args: &TokenArgs) -> Result<(), CommandError> {
    settings.require_jwt_key(args.dev)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let claims = Claims {
        sub: args.sub.clone(),
        role: args.role.as_str().to_owned(),
        programmes: args.programmes.clone(),
        faculty: args.faculty.clone(),
        name: args.name.clone(),
        email: args.email.clone(),
        iss: settings.jwt.issuer.clone(),
        aud: settings.jwt.audience.clone(),
        exp: now + args.ttl.as_secs().max(1),
        iat: Some(now),
    };
    let token =
        auth::sign(&settings.jwt, &claims).map_err(|e| CommandError::Other(e.to_string()))?;
    print(&format!("{token}\n"));
    Ok(())
}
