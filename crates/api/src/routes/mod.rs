//! The HTTP resources, one file each.

pub mod activities;
pub mod affected;
pub mod applications;
pub mod audit;
pub mod calls;
pub mod countries;
pub mod decisions;
pub mod destinations;
pub mod documents;
pub mod draws;
pub mod explanations;
pub mod health;
pub mod institutions;
pub mod nominations;
pub mod offers;
pub mod programmes;
pub mod reports;
pub mod results;
pub mod students;

use abroad_storage::Upserted;
use actix_web::HttpResponse;
use actix_web::http::header;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented route; the OpenAPI document is collected from here.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::health).service(health::ready).service(
        utoipa_actix_web::scope("/api/v1")
            // The deadline rush's two routes first: actix tries each path pattern in
            // the order registered, and these are the ones called most at once.
            .service(applications::create)
            .service(applications::submit)
            .service(countries::list)
            .service(countries::get)
            .service(countries::put)
            .service(affected::list)
            .service(programmes::list)
            .service(programmes::get)
            .service(programmes::put)
            .service(institutions::list)
            .service(institutions::create)
            .service(institutions::get)
            .service(institutions::patch)
            .service(destinations::list)
            .service(destinations::create)
            .service(destinations::get)
            .service(destinations::patch)
            .service(students::put)
            .service(students::get)
            .service(students::me)
            .service(calls::create)
            .service(calls::list)
            .service(calls::get)
            .service(calls::patch)
            .service(calls::open)
            .service(calls::close)
            .service(calls::put_places)
            .service(calls::get_places)
            .service(draws::draw)
            .service(draws::record)
            .service(results::results)
            .service(results::remaining)
            .service(applications::list)
            .service(applications::get)
            .service(applications::update)
            .service(applications::withdraw)
            .service(decisions::programme_decision)
            .service(decisions::review)
            .service(decisions::score)
            .service(documents::upload)
            .service(documents::download)
            .service(explanations::explanation)
            .service(offers::list)
            .service(offers::get)
            .service(offers::accept)
            .service(offers::decline)
            .service(offers::stay)
            .service(nominations::list)
            .service(nominations::sent)
            .service(nominations::confirmed)
            .service(activities::create)
            .service(activities::list)
            .service(activities::get)
            .service(activities::update)
            .service(activities::programme_decision)
            .service(activities::submit)
            .service(activities::approve)
            .service(activities::reject)
            .service(activities::stay)
            .service(reports::create)
            .service(reports::list)
            .service(reports::get)
            .service(reports::publish)
            .service(reports::reject)
            .service(audit::list),
    );
}

/// One page of a list: `next_cursor` is `null` on the last page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T: ToSchema> {
    pub items: Vec<T>,
    /// Pass as `?cursor=` (URL-encoded) for the next page; `null` when there is none.
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> ListResponse<T> {
    pub fn from_page<R>(page: abroad_storage::Page<R>, f: impl FnMut(R) -> T) -> Self {
        let page = page.map(f);
        Self {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
}

/// A PUT's answer: 201 with `Location` when it created the record, 200 otherwise.
pub fn upsert_response<T: Serialize>(
    upserted: Upserted,
    location: String,
    body: &T,
) -> HttpResponse {
    if upserted == Upserted::Created {
        HttpResponse::Created()
            .insert_header((header::LOCATION, location))
            .json(body)
    } else {
        HttpResponse::Ok().json(body)
    }
}

/// A POST's answer for a created record: 201 with `Location`.
pub fn created_response<T: Serialize>(location: String, body: &T) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(body)
}
