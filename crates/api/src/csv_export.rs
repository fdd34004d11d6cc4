//! `Accept: text/csv`: the same rows a list gives as JSON, as a spreadsheet takes them
//! (written by the `csv` crate: quoting, embedded commas and line breaks are its job).

use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

/// Whether the client prefers CSV to JSON: `text/csv` weighs more in its `Accept` than
/// anything that would take JSON (`application/json`, `application/*`, `*/*`); on a tie,
/// CSV, since a client names `text/csv` only to get it. `q=0` refuses a type.
pub fn wants_csv(req: &HttpRequest) -> bool {
    let (mut csv, mut json) = (0.0_f32, 0.0_f32);
    for item in req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
    {
        let mut parts = item.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.strip_prefix("q="))
            .and_then(|q| q.parse::<f32>().ok())
            .filter(|q| q.is_finite())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/csv" => csv = csv.max(q),
            "application/json" | "application/*" | "*/*" => json = json.max(q),
            _ => {}
        }
    }
    csv > 0.0 && csv >= json
}

/// The rows as a CSV attachment named `filename`: the header line (`columns`, the
/// rows' field names) first, also when there are no rows.
pub fn csv_response<T: Serialize>(
    columns: &[&str],
    rows: &[T],
    filename: &str,
) -> Result<HttpResponse, ApiError> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer
        .write_record(columns)
        .map_err(|e| ApiError::internal(&e))?;
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
        assert!(!asks("application/json;q=1, text/csv;q=0.1"));
        assert!(asks("text/csv, */*;q=0.8"));
        assert!(!asks("*/*"));
        assert!(!wants_csv(&TestRequest::default().to_http_request()));
    }

    #[test]
    fn the_header_line_comes_also_without_rows() {
        let response = csv_response::<()>(&["a", "b"], &[], "x.csv").unwrap();
        let body = actix_web::body::to_bytes(response.into_body());
        let body = futures_util::FutureExt::now_or_never(body)
            .unwrap()
            .unwrap();
        assert_eq!(std::str::from_utf8(&body).unwrap(), "a,b\n");
    }

    #[test]
    fn a_header_line_then_quoted_rows() {
        #[derive(Serialize)]
        struct Row {
            name: &'static str,
            note: Option<&'static str>,
        }
        let response = csv_response(
            &["name", "note"],
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
