//! The whole service as one actix `App`, for the server and the tests alike.

use crate::auth::Verifier;
use crate::clock::Clock;
use crate::db::Db;
use crate::error::ApiError;
use crate::extract::{JsonLimit, path_error, query_error};
use crate::openapi::{self, RouteTable};
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
    /// Largest uploaded document, in bytes.
    pub max_document_bytes: usize,
}

/// Everything the app is built from; made once, cloned into each worker.
#[derive(Clone)]
pub struct Services {
    state: web::Data<AppState>,
    verifier: Verifier,
    json_limit: JsonLimit,
    document: Arc<utoipa::openapi::OpenApi>,
    routes: web::Data<RouteTable>,
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
        }
    }
}

/// Builds the app: the documented routes, `/openapi.json`, `/docs`, and problem+json
/// answers for every path or method it does not know.
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
    app.app_data(services.state)
        .app_data(services.verifier)
        .app_data(services.json_limit)
        .app_data(services.routes)
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", (*services.document).clone()))
        .route("/docs", web::get().to(docs_redirect))
        .default_service(web::to(fallback))
        .wrap(from_fn(request_context))
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/docs/"))
        .finish()
}

/// 405 with `Allow` for a known path and another method, 404 for anything else.
async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => ApiError::NotFound(format!("there is no resource at {}", req.path())),
    })
}
