//! `Accept: text/csv`: the same rows a list gives as JSON, as a spreadsheet takes them
//! (written by the `csv` crate: quoting, embedded commas and line breaks are its job).

use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

/// Whether the client asks for CSV rather than JSON: `text/csv` among its `Accept`
/// types, unless it is refused there (`q=0`).
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let media = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            media.eq_ignore_ascii_case("text/csv") && !refused
        })
}

/// The rows as a CSV attachment named `filename`, a header line first.
pub fn csv_response<T: Serialize>(rows: &[T], filename: &str) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(|e| ApiError::internal(&e))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| ApiError::internal(e.error()))?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn csv_is_chosen_by_accept() {
        let asks = |accept: &str| {
            wants_csv(
                &TestRequest::default()
                    .insert_header((header::ACCEPT, accept))
                    .to_http_request(),
            )
        };
        assert!(asks("text/csv"));
        assert!(asks("application/json;q=0.5, text/csv"));
        assert!(asks("TEXT/CSV; charset=utf-8"));
        assert!(!asks("application/json"));
        assert!(!asks("text/csv;q=0, application/json"));
        assert!(!wants_csv(&TestRequest::default().to_http_request()));
    }

    #[test]
    fn a_header_line_then_quoted_rows() {
        #[derive(Serialize)]
        struct Row {
            name: &'static str,
            note: Option<&'static str>,
        }
        let response = csv_response(
            &[
                Row {
                    name: "de Vries, S.",
                    note: None,
                },
                Row {
                    name: "Jansen",
                    note: Some("two\nlines"),
                },
            ],
            "x.csv",
        )
        .unwrap();
        let body = actix_web::body::to_bytes(response.into_body());
        let body = futures_util::FutureExt::now_or_never(body)
            .unwrap()
            .unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "name,note\n\"de Vries, S.\",\nJansen,\"two\nlines\"\n"
        );
    }
}
