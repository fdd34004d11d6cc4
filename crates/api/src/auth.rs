//! Who is calling: the bearer JWT, checked with a pinned algorithm.
//!
//! Tokens are issued elsewhere (the university's identity provider, or `abroad
//! token` for scripts and local frontends); this service only checks them. The
//! algorithm comes from configuration, never from the token, so `alg: none` or an
//! HS256 token signed with an RS256 public key are refused.
//!
//! Past the signature, a token is input like any other: its lifetime is bounded
//! (`ABROAD_JWT_MAX_TTL`), it may not come from the future, it may not ask for
//! extensions this service does not understand (`crit`), and its text claims obey the
//! boundary rule for text and the office's shapes. Whatever is wrong is a 401 naming it.

use crate::error::ApiError;
use crate::settings::JwtSettings;
use crate::telemetry::RequestId;
use abroad_domain::text::{describe, forbidden_character};
use abroad_domain::{FacultyCode, ProgrammeCode, Role};
use abroad_storage::{Actor, Viewer};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};
use std::sync::Arc;
use std::time::Duration;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// The longest `sub` accepted from a role other than student (whose `sub` is a
/// student number, 20 characters at most).
pub const MAX_SUB_CHARS: usize = 200;

/// What this service reads from a token; `exp`, `iss`, `aud` (a string or a list)
/// and `nbf` are checked by the decoder itself, `iat` and the lifetime here.
#[derive(Debug, Clone, Deserialize)]
struct TokenClaims {
    sub: String,
    role: String,
    exp: u64,
    #[serde(default)]
    iat: Option<u64>,
    #[serde(default)]
    programmes: Vec<String>,
    #[serde(default)]
    faculty: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// The claims `abroad token` writes.
#[derive(Debug, Clone, Serialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programmes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faculty: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub iss: String,
    pub aud: String,
    pub exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
}

/// Checks tokens; shared by every worker.
#[derive(Clone)]
pub struct Verifier {
    key: Arc<DecodingKey>,
    validation: Arc<Validation>,
    max_ttl: Duration,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("algorithms", &self.validation.algorithms)
            .field("max_ttl", &self.max_ttl)
            .finish_non_exhaustive()
    }
}

/// The configured key cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the JWT key cannot be used: {0}")]
pub struct KeyError(String);

impl Verifier {
    pub fn new(jwt: &JwtSettings) -> Result<Self, KeyError> {
        let key = match jwt.algorithm {
            Algorithm::HS256 => {
                let secret = jwt
                    .secret
                    .as_ref()
                    .ok_or_else(|| KeyError("no ABROAD_JWT_SECRET".to_owned()))?;
                DecodingKey::from_secret(secret.expose().as_bytes())
            }
            alg => {
                let pem = jwt
                    .public_key_pem
                    .as_deref()
                    .ok_or_else(|| KeyError("no ABROAD_JWT_PUBLIC_KEY".to_owned()))?;
                let pem = pem.as_bytes();
                match alg {
                    Algorithm::RS256 => DecodingKey::from_rsa_pem(pem),
                    Algorithm::ES256 => DecodingKey::from_ec_pem(pem),
                    Algorithm::EdDSA => DecodingKey::from_ed_pem(pem),
                    other => return Err(KeyError(format!("{other:?} is not supported"))),
                }
                .map_err(|e| KeyError(e.to_string()))?
            }
        };
        let mut validation = Validation::new(jwt.algorithm);
        validation.set_issuer(&[&jwt.issuer]);
        validation.set_audience(&[&jwt.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECONDS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        Ok(Self {
            key: Arc::new(key),
            validation: Arc::new(validation),
            max_ttl: jwt.max_ttl,
        })
    }

    /// Decodes and checks a token; the error says what is wrong in terms a client can act on.
    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let data = jsonwebtoken::decode::<TokenClaims>(token, &self.key, &self.validation)
            .map_err(|e| {
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::ImmatureSignature => "the token is not valid yet",
                    ErrorKind::InvalidIssuer => "the token's issuer (`iss`) is not accepted here",
                    ErrorKind::InvalidAudience => {
                        "the token's audience (`aud`) is not this service"
                    }
                    ErrorKind::InvalidSignature => "the token's signature does not match",
                    ErrorKind::InvalidAlgorithm => {
                        "the token is signed with an algorithm this service does not accept"
                    }
                    ErrorKind::MissingRequiredClaim(_) => {
                        "the token lacks a required claim (exp, iss, aud, sub)"
                    }
                    ErrorKind::Json(_) => {
                        "the token's header or claims are malformed (sub, role, exp, iss, aud are \
                         required; exp, nbf and iat are whole seconds)"
                    }
                    _ => "the token is malformed",
                };
                ApiError::Unauthorized(why.to_owned())
            })?;
        if data.header.crit.is_some() {
            return Err(ApiError::Unauthorized(
                "the token's header lists critical extensions (`crit`); this service understands \
                 none, so it may not accept the token"
                    .to_owned(),
            ));
        }
        let claims = data.claims;
        lifetime(
            claims.exp,
            claims.iat,
            jsonwebtoken::get_current_timestamp(),
            self.max_ttl,
        )
        .map_err(ApiError::Unauthorized)?;
        let role = subject(&claims).map_err(ApiError::Unauthorized)?;
        Ok(Caller {
            sub: claims.sub,
            role,
            programmes: claims.programmes,
            faculty: claims.faculty,
            name: claims.name,
            email: claims.email,
            request_id: None,
        })
    }
}

/// Whether a token's lifetime is acceptable at `now`: not issued in the future
/// (beyond the leeway), and `exp` at most `max_ttl` after `iat`, or after now without
/// `iat`. With `iat` the lifetime is the issuer's own arithmetic, so no leeway applies;
/// without it, `now` is this service's clock and the leeway does.
fn lifetime(exp: u64, iat: Option<u64>, now: u64, max_ttl: Duration) -> Result<(), String> {
    let max = max_ttl.as_secs();
    let shown = humantime::format_duration(max_ttl);
    match iat {
        Some(iat) if iat > now.saturating_add(LEEWAY_SECONDS) => Err(format!(
            "the token was issued in the future: its `iat` is more than {LEEWAY_SECONDS} s \
             ahead of this service's clock"
        )),
        Some(iat) if exp.saturating_sub(iat) > max => Err(format!(
            "the token lives too long: its `exp` is more than {shown} after its `iat`, the \
             longest lifetime accepted here"
        )),
        None if exp > now.saturating_add(max).saturating_add(LEEWAY_SECONDS) => Err(format!(
            "the token lives too long: it has no `iat` and its `exp` is more than {shown} from \
             now, the longest lifetime accepted here"
        )),
        _ => Ok(()),
    }
}

/// The caller's role, once every text claim obeys the boundary rule for text and the
/// office's shapes: a student's `sub` is a student number, `programmes` and `faculty`
/// are office codes. The message names the claim; only an unknown role is quoted back,
/// and only once it has passed the text rule.
fn subject(claims: &TokenClaims) -> Result<Role, String> {
    let texts = [("sub", &claims.sub), ("role", &claims.role)]
        .into_iter()
        .chain(claims.programmes.iter().map(|p| ("programmes", p)))
        .chain(claims.faculty.iter().map(|f| ("faculty", f)))
        .chain(claims.name.iter().map(|n| ("name", n)))
        .chain(claims.email.iter().map(|e| ("email", e)));
    for (claim, text) in texts {
        if let Some(c) = forbidden_character(text, false) {
            return Err(format!("the token's `{claim}` holds {}", describe(c)));
        }
    }
    let role = claims.role.parse::<Role>().map_err(|_| {
        format!(
            "the token's role `{}` is not known here (student, programme or coordinator)",
            claims.role
        )
    })?;
    if claims.sub.trim().is_empty() {
        return Err("the token's subject (`sub`) is empty".to_owned());
    }
    if role == Role::Student {
        if abroad_domain::student::student_number("sub", &claims.sub).is_err() {
            return Err(
                "the token's `sub` is not a student number (1–20 lowercase letters and digits, \
                 e.g. s1234567)"
                    .to_owned(),
            );
        }
    } else if claims.sub.chars().count() > MAX_SUB_CHARS {
        return Err(format!(
            "the token's `sub` is longer than {MAX_SUB_CHARS} characters"
        ));
    }
    if let Some(i) = claims
        .programmes
        .iter()
        .position(|p| ProgrammeCode::parse("programmes", p).is_err())
    {
        return Err(format!(
            "the token's `programmes[{i}]` is not a programme code (1–20 upper-case letters, \
             digits, `-` or `_`, starting with a letter or digit)"
        ));
    }
    if let Some(faculty) = &claims.faculty
        && FacultyCode::parse("faculty", faculty).is_err()
    {
        return Err(
            "the token's `faculty` is not a faculty code (1–20 upper-case letters, digits, `-` \
             or `_`, starting with a letter or digit)"
                .to_owned(),
        );
    }
    Ok(role)
}

/// Why `abroad token` would not sign.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The token would outlive `ABROAD_JWT_MAX_TTL`, so this service would refuse it.
    #[error(
        "the token would live {lives}, longer than ABROAD_JWT_MAX_TTL ({max}) allows; \
         this service would refuse it"
    )]
    TooLong { lives: String, max: String },
}

/// Signs tokens for `abroad token` with the configured key. A token this service
/// would refuse for its lifetime is not signed at all.
pub fn sign(jwt: &JwtSettings, claims: &Claims) -> Result<String, SignError> {
    let from = claims
        .iat
        .unwrap_or_else(jsonwebtoken::get_current_timestamp);
    let lives = claims.exp.saturating_sub(from);
    if lives > jwt.max_ttl.as_secs() {
        return Err(SignError::TooLong {
            lives: humantime::format_duration(Duration::from_secs(lives)).to_string(),
            max: humantime::format_duration(jwt.max_ttl).to_string(),
        });
    }
    let key = match jwt.algorithm {
        Algorithm::HS256 => {
            let secret = jwt
                .secret
                .as_ref()
                .ok_or_else(|| KeyError("no ABROAD_JWT_SECRET".to_owned()))?;
            EncodingKey::from_secret(secret.expose().as_bytes())
        }
        alg => {
            let pem = jwt.private_key_pem.as_ref().ok_or_else(|| {
                KeyError(
                    "signing with an asymmetric algorithm needs ABROAD_JWT_PRIVATE_KEY".to_owned(),
                )
            })?;
            let pem = pem.expose().as_bytes();
            match alg {
                Algorithm::RS256 => EncodingKey::from_rsa_pem(pem),
                Algorithm::ES256 => EncodingKey::from_ec_pem(pem),
                Algorithm::EdDSA => EncodingKey::from_ed_pem(pem),
                other => return Err(KeyError(format!("{other:?} is not supported")).into()),
            }
            .map_err(|e| KeyError(e.to_string()))?
        }
    };
    jsonwebtoken::encode(&Header::new(jwt.algorithm), claims, &key)
        .map_err(|e| SignError::Key(KeyError(e.to_string())))
}

/// The authenticated caller of an `/api/v1` route.
#[derive(Debug, Clone)]
pub struct Caller {
    pub sub: String,
    pub role: Role,
    /// For the programme role: the programmes it acts for.
    pub programmes: Vec<String>,
    /// For a coordinator: the one faculty it is limited to; `None` is university-wide.
    pub faculty: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    request_id: Option<String>,
}

impl Caller {
    /// 403 unless the caller has one of `roles`: for routes a role may never call.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!(
                "the {} role may not do this; it takes the {} role",
                self.role,
                names.join(" or ")
            )))
        }
    }

    /// Who is looking, as the storage queries apply SPEC.md's access rules.
    pub fn viewer(&self) -> Viewer {
        match self.role {
            Role::Student => Viewer::Student(self.sub.clone()),
            Role::Programme => Viewer::Programmes(self.programmes.clone()),
            Role::Coordinator => self
                .faculty
                .clone()
                .map_or(Viewer::Everyone, Viewer::Faculty),
        }
    }

    /// Who the audit log says made a change.
    pub fn actor(&self) -> Actor {
        Actor {
            sub: self.sub.clone(),
            role: self.role.as_str().to_owned(),
            request_id: self.request_id.clone(),
        }
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let Some(verifier) = req.app_data::<Verifier>() else {
        tracing::error!("no token verifier configured");
        return Err(ApiError::Internal);
    };
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("send `Authorization: Bearer <token>`".to_owned()))?;
    let token = header
        .to_str()
        .ok()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be `Bearer <token>`".to_owned())
        })?;
    let mut caller = verifier.verify(token)?;
    caller.request_id = req.extensions().get::<RequestId>().map(|id| id.0.clone());
    Ok(caller)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 3600);
    const NOW: u64 = 1_800_000_000;

    #[test]
    fn a_lifetime_is_bounded_from_iat_or_from_now() {
        let day = DAY.as_secs();
        assert!(lifetime(NOW + 3600, Some(NOW), NOW, DAY).is_ok());
        assert!(lifetime(NOW + day, Some(NOW), NOW, DAY).is_ok());
        assert!(lifetime(NOW + day + 1, Some(NOW), NOW, DAY).is_err());
        // An old `iat` does not stretch the lifetime.
        assert!(lifetime(NOW + 3600, Some(NOW - day), NOW, DAY).is_err());
        // Without `iat`, from this service's clock, with the leeway.
        assert!(lifetime(NOW + day + LEEWAY_SECONDS, None, NOW, DAY).is_ok());
        let too_long = lifetime(NOW + day + LEEWAY_SECONDS + 1, None, NOW, DAY).unwrap_err();
        assert!(
            too_long.contains("`exp`") && too_long.contains("1day"),
            "{too_long}"
        );
        assert!(lifetime(u64::MAX, None, NOW, DAY).is_err());
        assert!(lifetime(u64::MAX, Some(NOW), NOW, DAY).is_err());
    }

    #[test]
    fn a_token_from_the_future_is_refused_beyond_the_leeway() {
        assert!(lifetime(NOW + 3600, Some(NOW + LEEWAY_SECONDS), NOW, DAY).is_ok());
        let future = lifetime(NOW + 3600, Some(NOW + LEEWAY_SECONDS + 1), NOW, DAY).unwrap_err();
        assert!(future.contains("issued in the future"), "{future}");
        assert!(lifetime(u64::MAX, Some(u64::MAX), NOW, DAY).is_err());
    }

    fn token_claims(role: &str, sub: &str) -> TokenClaims {
        TokenClaims {
            sub: sub.to_owned(),
            role: role.to_owned(),
            exp: NOW + 3600,
            iat: Some(NOW),
            programmes: Vec::new(),
            faculty: None,
            name: None,
            email: None,
        }
    }

    #[test]
    fn text_claims_obey_the_boundary_rule_and_the_office_shapes() {
        assert_eq!(
            subject(&token_claims("student", "s1234567")),
            Ok(Role::Student)
        );
        let mut officer = token_claims("programme", "Ana Óscar <ana@uni.example>");
        officer.programmes = vec!["BMS".to_owned(), "LAW-LLM_2".to_owned()];
        officer.faculty = Some("LUMC".to_owned());
        officer.name = Some("Ana Óscar".to_owned());
        assert_eq!(subject(&officer), Ok(Role::Programme));

        let refused = |c: &TokenClaims, says: &str| {
            let why = subject(c).unwrap_err();
            assert!(why.contains(says), "{why} should say {says}");
        };
        refused(
            &token_claims("student", "S1234567"),
            "`sub` is not a student number",
        );
        refused(&token_claims("student", "s1\u{0}"), "`sub` holds U+0000");
        refused(
            &token_claims("coordinator", "x\u{202E}y"),
            "`sub` holds U+202E",
        );
        refused(
            &token_claims("coordinator", &"x".repeat(201)),
            "longer than 200",
        );
        refused(&token_claims("coordinator", " "), "`sub`) is empty");
        refused(&token_claims("admin\u{1b}", "root"), "`role` holds U+001B");
        let mut c = token_claims("programme", "p");
        c.programmes = vec!["BMS".to_owned(), "bms".to_owned()];
        refused(&c, "`programmes[1]` is not a programme code");
        c.programmes = vec!["B\u{7}".to_owned()];
        refused(&c, "`programmes` holds U+0007");
        let mut c = token_claims("coordinator", "office-1");
        c.faculty = Some("law".to_owned());
        refused(&c, "`faculty` is not a faculty code");
        c.faculty = Some("LAW\u{2066}".to_owned());
        refused(&c, "`faculty` holds U+2066");
        let mut c = token_claims("coordinator", "office-1");
        c.name = Some("Ana\nÓscar".to_owned());
        refused(&c, "`name` holds U+000A");
        let mut c = token_claims("coordinator", "office-1");
        c.email = Some("ana@\u{85}uni".to_owned());
        refused(&c, "`email` holds U+0085");
    }

    #[test]
    fn abroad_token_does_not_sign_what_the_service_would_refuse() {
        let jwt = JwtSettings {
            algorithm: Algorithm::HS256,
            secret: Some(crate::settings::Secret::new("x".repeat(32))),
            public_key_pem: None,
            private_key_pem: None,
            issuer: "abroad".to_owned(),
            audience: "abroad-api".to_owned(),
            max_ttl: DAY,
        };
        let mut claims = Claims {
            sub: "office-1".to_owned(),
            role: "coordinator".to_owned(),
            programmes: Vec::new(),
            faculty: None,
            name: None,
            email: None,
            iss: "abroad".to_owned(),
            aud: "abroad-api".to_owned(),
            exp: NOW + DAY.as_secs(),
            iat: Some(NOW),
        };
        sign(&jwt, &claims).unwrap();
        claims.exp += 1;
        let refused = sign(&jwt, &claims).unwrap_err();
        assert!(matches!(refused, SignError::TooLong { .. }), "{refused}");
        assert!(refused.to_string().contains("ABROAD_JWT_MAX_TTL"));
    }
}
