//! The whole service as one actix `App`, for the server and the tests alike.

use crate::auth::Verifier;
use crate::catalogue::CatalogueCache;
use crate::clock::Clock;
use crate::cors::{self, AllowedOrigins, refuse_other_origins};
use crate::db::Db;
use crate::drafts::RecentDrafts;
use crate::error::ApiError;
use crate::extract::{JsonLimit, path_error, query_error};
use crate::known_calls::KnownCalls;
use crate::methods::allowed_methods;
use crate::openapi::{self, RouteTable};
use crate::personal::no_store_for_personal_data;
use crate::query_text::refuse_control_characters;
use crate::redrawn::RedrawnCalls;
use crate::telemetry::request_context;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpResponse, web};
use std::sync::Arc;
use utoipa_swagger_ui::SwaggerUi;

/// What every handler may reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: Db,
    pub clock: Clock,
    /// The catalogue in memory, shared by every worker.
    pub catalogue: CatalogueCache,
    /// Published draws run again, for their explanations.
    pub redrawn: RedrawnCalls,
    /// Largest uploaded document, in bytes.
    pub max_document_bytes: usize,
    /// Applications this process just created, for a submission without a read.
    pub drafts: RecentDrafts,
    /// Calls as this process last read them, for a create without a read.
    pub known_calls: KnownCalls,
}

/// Everything the app is built from; made once, cloned into each worker.
#[derive(Clone)]
pub struct Services {
    state: web::Data<AppState>,
    verifier: Verifier,
    json_limit: JsonLimit,
    document: Arc<utoipa::openapi::OpenApi>,
    routes: web::Data<RouteTable>,
    origins: web::Data<AllowedOrigins>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Services {
    pub fn new(state: AppState, verifier: Verifier, max_json_bytes: usize) -> Self {
        let document = openapi::document();
        let routes = RouteTable::from_document(&document);
        Self {
            state: web::Data::new(state),
            verifier,
            json_limit: JsonLimit(max_json_bytes),
            document: Arc::new(document),
            routes: web::Data::new(routes),
            origins: web::Data::new(AllowedOrigins::default()),
        }
    }

    /// Lets browser pages from these origins call the API (`ABROAD_CORS_ORIGINS`).
    pub fn with_cors_origins(mut self, origins: Vec<String>) -> Self {
        self.origins = web::Data::new(AllowedOrigins(origins));
        self
    }
}

/// Builds the app: the documented routes, `/openapi.json`, `/docs`, `HEAD` for every
/// `GET`, CORS for the allowed origins, and problem+json answers for every path or
/// method it does not know.
pub fn build(
    services: Services,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody + 'static>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, _) = utoipa_actix_web::AppExt::into_utoipa_app(App::new())
        .configure(crate::routes::configure)
        .split_for_parts();
    let cors = cors::cors(&services.origins);
    app.app_data(services.state)
        .app_data(services.verifier)
        .app_data(services.json_limit)
        .app_data(services.routes)
        .app_data(services.origins)
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", (*services.document).clone()))
        .route("/docs", web::get().to(docs_redirect))
        .default_service(web::to(fallback))
        .wrap(from_fn(no_store_for_personal_data))
        .wrap(from_fn(refuse_control_characters))
        .wrap(from_fn(allowed_methods))
        .wrap(cors)
        .wrap(from_fn(refuse_other_origins))
        .wrap(actix_web::middleware::Compress::default())
        .wrap(from_fn(request_context))
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// 404 for a path no route serves (a wrong method on a known path is 405 earlier, in
/// [`allowed_methods`]).
async fn fallback(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound(format!(
        "there is no resource at {}",
        req.path()
    )))
}
