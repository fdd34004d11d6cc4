//! An application's documents: PDFs, checked by their magic bytes.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, Problem, missing};
use crate::responses::{Forbidden, Malformed, NotFound, TooLarge, Unauthenticated};
use crate::routes::applications::{
    DocumentView, NOT_FOUND, body_on_application, require_role_on_application,
};
use abroad_domain::{DocumentKind, Role, Violation};
use abroad_storage::documents::{self, Upload};
use actix_web::http::header;
use actix_web::web::BytesMut;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use uuid::Uuid;

fn kind(raw: &str) -> Result<DocumentKind, ApiError> {
    DocumentKind::parse("kind", raw).map_err(ApiError::bad_path)
}

/// Uploads (or replaces) a document while the application is a draft (the owner).
/// The body is the raw PDF: `Content-Type: application/pdf`, and it must start as a
/// PDF does (`%PDF-`).
#[utoipa::path(
    operation_id = "uploadDocument",
    tag = "applications",
    params(("id" = Uuid, Path), ("kind" = abroad_domain::DocumentKind, Path)),
    request_body(content = serde_json::Value, description = "the PDF's bytes, starting with `%PDF-`", content_type = "application/pdf"),
    responses(
        (status = 200, body = DocumentView),
        Malformed,
        Unauthenticated,
        Forbidden,
        NotFound,
        (status = 409, description = "not a draft, or the deadline passed", body = Problem, content_type = "application/problem+json"),
        TooLarge,
        (status = 415, description = "not sent as `Content-Type: application/pdf`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "the bytes are not a PDF", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/applications/{id}/documents/{kind}")]
pub async fn upload(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
    request: HttpRequest,
    mut payload: web::Payload,
) -> Result<web::Json<DocumentView>, ApiError> {
    require_role_on_application(&caller, Role::Student, &state, path.0).await?;
    let (id, raw_kind) = path.into_inner();
    let kind = kind(&raw_kind)?;
    let pdf = read_pdf(&request, &mut payload, state.max_document_bytes).await;
    let body = body_on_application(pdf, &caller, &state, id).await?;
    let sha256 = abroad_domain::draw::hex(&Sha256::digest(&body));
    let (actor, owner, clock) = (caller.actor(), caller.sub.clone(), state.clock.clone());
    let stored = crate::db::run(&state.pool, move |conn| {
        let upload = Upload {
            kind,
            content: &body,
            sha256: &sha256,
        };
        documents::put_document(conn, &actor, id, &owner, &upload, || clock.now())
    })
    .await
    .map_err(missing(NOT_FOUND))?;
    Ok(web::Json(stored.into()))
}

/// The body, when it is a PDF sent as one and at most `limit` bytes: else 415, 413, or
/// 422 when the bytes are not a PDF.
async fn read_pdf(
    request: &HttpRequest,
    payload: &mut web::Payload,
    limit: usize,
) -> Result<BytesMut, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.split(';').next().map(str::trim) != Some("application/pdf") {
        return Err(ApiError::UnsupportedMediaType(
            "send the document as `Content-Type: application/pdf`".to_owned(),
        ));
    }
    let too_large =
        || ApiError::PayloadTooLarge(format!("a document may be at most {limit} bytes"));
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("the body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    // `infer` knows PDFs by `%PDF`; a PDF's header is `%PDF-` and its version (ISO
    // 32000-1, 7.5.2), so the dash is required too. Sent as a PDF but not one: a rule
    // broken (422), not a wrong content type.
    if !(infer::is(&body, "pdf") && body.starts_with(b"%PDF-")) {
        return Err(ApiError::Unprocessable(vec![Violation::new(
            "body",
            "not_a_pdf",
            "the body is not a PDF: a PDF starts with `%PDF-` and its version",
        )]));
    }
    Ok(body)
}

/// A document back, as PDF (the owner, the student's programme, coordinators).
#[utoipa::path(
    operation_id = "downloadDocument",
    tag = "applications",
    params(("id" = Uuid, Path), ("kind" = abroad_domain::DocumentKind, Path)),
    responses(
        (status = 200, content_type = "application/pdf", body = serde_json::Value, description = "the PDF as uploaded"),
        Malformed,
        Unauthenticated,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/applications/{id}/documents/{kind}")]
pub async fn download(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, raw_kind) = path.into_inner();
    let kind = kind(&raw_kind)?;
    let scope = caller.viewer();
    let (info, content) = crate::db::run(&state.pool, move |conn| {
        documents::get_document(conn, id, &scope, kind)
    })
    .await
    .map_err(missing("no such application, or no such document on it"))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{kind}.pdf\""),
        ))
        .insert_header((header::ETAG, format!("\"{}\"", info.sha256)))
        .insert_header(("x-content-type-options", "nosniff"))
        .body(content))
}
