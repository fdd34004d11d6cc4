//! Who is calling: the bearer JWT, checked with a pinned algorithm.
//!
//! Tokens are issued elsewhere (the university's identity provider, or `abroad
//! token` for scripts and local frontends); this service only checks them. The
//! algorithm comes from configuration, never from the token, so `alg: none` or an
//! HS256 token signed with an RS256 public key are refused.

use crate::error::ApiError;
use crate::settings::JwtSettings;
use crate::telemetry::RequestId;
use abroad_domain::Role;
use abroad_storage::{Actor, Viewer};
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::future::{Ready, ready};
use std::sync::Arc;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 30;

/// What this service reads from a token; `exp`, `iss`, `aud` (a string or a list)
/// and `nbf` are checked by the decoder itself.
#[derive(Debug, Clone, Deserialize)]
struct TokenClaims {
    sub: String,
    role: String,
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
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("algorithms", &self.validation.algorithms)
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
                        "the token's claims are malformed (sub, role, exp, iss, aud are required)"
                    }
                    _ => "the token is malformed",
                };
                ApiError::Unauthorized(why.to_owned())
            })?;
        let claims = data.claims;
        let role = claims.role.parse::<Role>().map_err(|_| {
            ApiError::Unauthorized(format!(
                "the token's role `{}` is not known here",
                claims.role
            ))
        })?;
        if claims.sub.trim().is_empty() {
            return Err(ApiError::Unauthorized(
                "the token's subject (`sub`) is empty".to_owned(),
            ));
        }
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

/// Signs tokens for `abroad token` with the configured key.
pub fn sign(jwt: &JwtSettings, claims: &Claims) -> Result<String, KeyError> {
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
                other => return Err(KeyError(format!("{other:?} is not supported"))),
            }
            .map_err(|e| KeyError(e.to_string()))?
        }
    };
    jsonwebtoken::encode(&Header::new(jwt.algorithm), claims, &key)
        .map_err(|e| KeyError(e.to_string()))
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
