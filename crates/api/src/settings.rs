//! Configuration, read once from the environment into one typed value.

use jsonwebtoken::Algorithm;
use std::fmt;
use std::time::Duration;

/// The key anyone can read in this file: used only in the announced `--dev` mode.
pub const DEV_JWT_SECRET: &str = "abroad-dev-secret: public, for local development only";

/// A secret that never shows in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line, for log collectors.
    Json,
    /// Human-readable, for a terminal.
    Pretty,
}

/// How tokens are checked (and, for `abroad token`, signed).
#[derive(Debug, Clone)]
pub struct JwtSettings {
    /// Pinned: tokens naming any other algorithm are refused.
    pub algorithm: Algorithm,
    /// HS256's shared secret.
    pub secret: Option<Secret>,
    /// PEM public key for RS256, ES256 or EdDSA.
    pub public_key_pem: Option<String>,
    /// PEM private key, only for `abroad token` with an asymmetric algorithm.
    pub private_key_pem: Option<Secret>,
    pub issuer: String,
    pub audience: String,
    /// The longest a token may live: `exp` at most this long after `iat` (or after now,
    /// without `iat`). A stolen token stops working within this time.
    pub max_ttl: Duration,
}

/// Everything the service reads from its environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: Option<Secret>,
    pub bind: String,
    pub jwt: JwtSettings,
    pub log_format: LogFormat,
    /// Largest JSON body accepted, in bytes.
    pub max_json_bytes: usize,
    /// Largest uploaded document (PDF), in bytes.
    pub max_document_bytes: usize,
    pub db_pool_size: u32,
    /// How often the offer expiry task runs, in seconds (`ABROAD_OFFER_EXPIRY_SECONDS`,
    /// default 60). Reads and answers never wait for it: they judge expiry themselves.
    pub offer_expiry_seconds: u64,
    /// Origins (`https://portal.example.edu`) whose browser pages may call the API;
    /// none by default.
    pub cors_origins: Vec<String>,
}

/// A variable is set to something the service cannot use.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is {value:?}: {expected}")]
    Invalid {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("cannot read {name} file {path}: {source}")]
    Unreadable {
        name: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Missing(String),
}

/// Where settings come from; the environment in production, a map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment; empty variables count as unset.
#[derive(Debug, Clone, Copy)]
pub struct Environment;

impl Source for Environment {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for std::collections::HashMap<&str, &str> {
    fn get(&self, name: &str) -> Option<String> {
        std::collections::HashMap::get(self, name).map(|v| (*v).to_owned())
    }
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&Environment)
    }

    pub fn from_source(env: &impl Source) -> Result<Self, ConfigError> {
        let algorithm = match env.get("ABROAD_JWT_ALGORITHM").as_deref() {
            None | Some("HS256") => Algorithm::HS256,
            Some("RS256") => Algorithm::RS256,
            Some("ES256") => Algorithm::ES256,
            Some("EdDSA") => Algorithm::EdDSA,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "ABROAD_JWT_ALGORITHM",
                    value: other.to_owned(),
                    expected: "one of HS256, RS256, ES256, EdDSA",
                });
            }
        };
        let public_key_pem = env
            .get("ABROAD_JWT_PUBLIC_KEY")
            .map(|v| pem_or_file("ABROAD_JWT_PUBLIC_KEY", &v))
            .transpose()?;
        let private_key_pem = env
            .get("ABROAD_JWT_PRIVATE_KEY")
            .map(|v| pem_or_file("ABROAD_JWT_PRIVATE_KEY", &v).map(Secret))
            .transpose()?;
        let jwt = JwtSettings {
            algorithm,
            secret: env.get("ABROAD_JWT_SECRET").map(Secret),
            public_key_pem,
            private_key_pem,
            issuer: env
                .get("ABROAD_JWT_ISSUER")
                .unwrap_or_else(|| "abroad".to_owned()),
            audience: env
                .get("ABROAD_JWT_AUDIENCE")
                .unwrap_or_else(|| "abroad-api".to_owned()),
            max_ttl: duration(
                env,
                "ABROAD_JWT_MAX_TTL",
                Duration::from_secs(24 * 3600),
                Duration::from_secs(60)..=Duration::from_secs(30 * 24 * 3600),
            )?,
        };
        let log_format = match env.get("ABROAD_LOG_FORMAT").as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "ABROAD_LOG_FORMAT",
                    value: other.to_owned(),
                    expected: "json or pretty",
                });
            }
        };
        Ok(Settings {
            database_url: env.get("DATABASE_URL").map(Secret),
            bind: env
                .get("ABROAD_BIND")
                .unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            jwt,
            log_format,
            max_json_bytes: number(
                env,
                "ABROAD_MAX_JSON_BYTES",
                64 * 1024,
                1024..=16 * 1024 * 1024,
            )?,
            max_document_bytes: number(
                env,
                "ABROAD_MAX_DOCUMENT_BYTES",
                5 * 1024 * 1024,
                1024..=100 * 1024 * 1024,
            )?,
            db_pool_size: number(env, "ABROAD_DB_POOL_SIZE", 10, 1..=200)?,
            offer_expiry_seconds: number(env, "ABROAD_OFFER_EXPIRY_SECONDS", 60, 1..=86_400)?,
            cors_origins: cors_origins(env.get("ABROAD_CORS_ORIGINS").as_deref())?,
        })
    }

    /// The database URL, or a message saying how to provide one.
    pub fn require_database_url(&self) -> Result<&str, ConfigError> {
        self.database_url
            .as_ref()
            .map(Secret::expose)
            .ok_or_else(|| {
                ConfigError::Missing(
                    "DATABASE_URL is not set; scripts/serve sets up a local database".to_owned(),
                )
            })
    }

    /// Makes sure there is a key to check tokens with. Without one, only the explicit
    /// dev mode may run, and it uses the public [`DEV_JWT_SECRET`].
    pub fn require_jwt_key(&mut self, dev: bool) -> Result<(), ConfigError> {
        let jwt = &mut self.jwt;
        if jwt.algorithm == Algorithm::HS256 {
            match &jwt.secret {
                Some(secret) if secret.expose().len() >= 32 => Ok(()),
                Some(_) => Err(ConfigError::Missing(
                    "ABROAD_JWT_SECRET must be at least 32 bytes: HS256 with a short secret can be guessed".to_owned(),
                )),
                None if dev => {
                    jwt.secret = Some(Secret::new(DEV_JWT_SECRET));
                    Ok(())
                }
                None => Err(ConfigError::Missing(
                    "no JWT key: set ABROAD_JWT_SECRET (HS256, 32+ bytes) or ABROAD_JWT_ALGORITHM with \
                     ABROAD_JWT_PUBLIC_KEY; `--dev` runs with a public development key instead"
                        .to_owned(),
                )),
            }
        } else if jwt.public_key_pem.is_some() {
            Ok(())
        } else {
            Err(ConfigError::Missing(format!(
                "ABROAD_JWT_ALGORITHM is {:?} but ABROAD_JWT_PUBLIC_KEY is not set",
                jwt.algorithm
            )))
        }
    }
}

/// A PEM given inline, or the path of a file holding it.
fn pem_or_file(name: &'static str, value: &str) -> Result<String, ConfigError> {
    if value.contains("-----BEGIN") {
        return Ok(value.to_owned());
    }
    std::fs::read_to_string(value).map_err(|source| ConfigError::Unreadable {
        name,
        path: value.to_owned(),
        source,
    })
}

fn number<T>(
    env: &impl Source,
    name: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + Copy,
{
    match env.get(name) {
        None => Ok(default),
        Some(raw) => {
            raw.trim()
                .parse()
                .ok()
                .filter(|v| range.contains(v))
                .ok_or(ConfigError::Invalid {
                    name,
                    value: raw,
                    expected: "a whole number in the documented range",
                })
        }
    }
}

/// A duration written as `humantime` reads it (`90m`, `24h`, `7d`), within `range`.
fn duration(
    env: &impl Source,
    name: &'static str,
    default: Duration,
    range: std::ops::RangeInclusive<Duration>,
) -> Result<Duration, ConfigError> {
    match env.get(name) {
        None => Ok(default),
        Some(raw) => humantime::parse_duration(raw.trim())
            .ok()
            .filter(|d| range.contains(d))
            .ok_or(ConfigError::Invalid {
                name,
                value: raw,
                expected: "a duration such as 30m, 8h or 7d, from 1 minute to 30 days",
            }),
    }
}

/// `ABROAD_CORS_ORIGINS`: comma-separated exact origins, each `scheme://host[:port]`
/// with nothing after it, since a browser sends its `Origin` in exactly that form.
fn cors_origins(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let plain = origin
                .split_once("://")
                .filter(|(scheme, _)| matches!(*scheme, "http" | "https"))
                .is_some_and(|(_, host)| {
                    !host.is_empty()
                        && host.bytes().all(|b| {
                            b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)
                        })
                });
            if plain {
                Ok(origin.to_owned())
            } else {
                Err(ConfigError::Invalid {
                    name: "ABROAD_CORS_ORIGINS",
                    value: origin.to_owned(),
                    expected: "comma-separated origins such as https://portal.example.edu (scheme, host and port only)",
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn defaults_follow_the_contract() {
        let s = Settings::from_source(&HashMap::new()).unwrap();
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.jwt.issuer, "abroad");
        assert_eq!(s.jwt.audience, "abroad-api");
        assert_eq!(s.jwt.algorithm, Algorithm::HS256);
        assert_eq!(s.jwt.max_ttl, Duration::from_secs(24 * 3600));
    }

    #[test]
    fn the_token_lifetime_is_a_duration_from_a_minute_to_thirty_days() {
        let max_ttl = |raw| {
            Settings::from_source(&HashMap::from([("ABROAD_JWT_MAX_TTL", raw)]))
                .map(|s| s.jwt.max_ttl)
        };
        assert_eq!(max_ttl("8h").unwrap(), Duration::from_secs(8 * 3600));
        assert_eq!(max_ttl(" 1m ").unwrap(), Duration::from_secs(60));
        assert_eq!(max_ttl("30d").unwrap(), Duration::from_secs(30 * 24 * 3600));
        for bad in ["59s", "31d", "0s", "3600", "forever", "-1h"] {
            assert!(max_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn no_key_is_refused_unless_in_dev_mode() {
        let mut s = Settings::from_source(&HashMap::new()).unwrap();
        assert!(s.require_jwt_key(false).is_err());
        s.require_jwt_key(true).unwrap();
        assert_eq!(s.jwt.secret.unwrap().expose(), DEV_JWT_SECRET);
    }

    #[test]
    fn short_secrets_and_unknown_algorithms_are_refused() {
        let mut s =
            Settings::from_source(&HashMap::from([("ABROAD_JWT_SECRET", "short")])).unwrap();
        assert!(s.require_jwt_key(true).is_err());
        assert!(Settings::from_source(&HashMap::from([("ABROAD_JWT_ALGORITHM", "none")])).is_err());
        assert!(Settings::from_source(&HashMap::from([("ABROAD_MAX_JSON_BYTES", "12")])).is_err());
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let s = Settings::from_source(&HashMap::from([(
            "ABROAD_JWT_SECRET",
            "0123456789abcdef0123456789abcdef",
        )]))
        .unwrap();
        assert!(!format!("{s:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn cors_origins_are_exact_origins() {
        assert!(cors_origins(None).unwrap().is_empty());
        assert_eq!(
            cors_origins(Some("https://a.example.edu, http://localhost:5173")).unwrap(),
            ["https://a.example.edu", "http://localhost:5173"]
        );
        for bad in ["a.example.edu", "https://a.example.edu/", "ftp://x", "*"] {
            assert!(cors_origins(Some(bad)).is_err(), "{bad}");
        }
    }
}
