//! Abroad's HTTP/JSON service: handlers, authentication, errors and the OpenAPI document.
//!
//! `app::build` assembles the whole service; the `abroad` binary serves it and the
//! tests drive it in process.

pub mod access;
pub mod app;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod clock;
pub mod cors;
pub mod csv_export;
pub mod db;
pub mod drafts;
pub mod error;
pub mod expiry;
pub mod extract;
pub mod known_calls;
pub mod methods;
pub mod openapi;
pub mod personal;
pub mod query_text;
pub mod redrawn;
pub mod responses;
pub mod routes;
pub mod settings;
pub mod telemetry;

pub use app::AppState;
pub use error::{ApiError, Problem};
pub use settings::Settings;
