//! `abroad serve`: migrate, then serve until SIGTERM or Ctrl-C.

use super::CommandError;
use crate::app::{self, AppState, Services};
use crate::auth::Verifier;
use crate::catalogue::{self, CatalogueCache, Following};
use crate::clock::Clock;
use crate::db::Db;
use crate::drafts::RecentDrafts;
use crate::known_calls::KnownCalls;
use crate::redrawn::RedrawnCalls;
use crate::settings::Settings;
use actix_web::HttpServer;

pub fn run(settings: Settings, dev: bool) -> Result<(), CommandError> {
    if dev {
        tracing::warn!(
            "DEV MODE: tokens are checked with the public development key; never run this in production"
        );
    }
    let verifier = Verifier::new(&settings.jwt).map_err(|e| CommandError::Other(e.to_string()))?;
    let database_url = settings.require_database_url()?;
    let pool = abroad_storage::serving_pool(database_url, settings.db_pool_size);
    {
        let mut conn = pool
            .get()
            .map_err(|e| CommandError::Connect(e.to_string()))?;
        let applied = abroad_storage::migrations::run_pending(&mut conn)?;
        if !applied.is_empty() {
            tracing::info!(versions = ?applied, "migrations applied");
        }
    }
    let state = AppState {
        pool: Db::new(pool),
        clock: Clock::system(),
        catalogue: CatalogueCache::default(),
        redrawn: RedrawnCalls::default(),
        max_document_bytes: settings.max_document_bytes,
        drafts: RecentDrafts::default(),
        known_calls: KnownCalls::default(),
    };
    // Loads the catalogue at once, then keeps it current with other processes' writes.
    catalogue::follow(
        &state.catalogue,
        database_url.to_owned(),
        Following::default(),
    );
    let expiry = (
        state.pool.clone(),
        state.clock.clone(),
        std::time::Duration::from_secs(settings.offer_expiry_seconds),
    );
    let services = Services::new(state, verifier, settings.max_json_bytes)
        .with_cors_origins(settings.cors_origins.clone());
    let bind = settings.bind.clone();
    tracing::info!(%bind, "serving Abroad; API docs at /docs/");
    actix_web::rt::System::new().block_on(async move {
        actix_web::rt::spawn(crate::expiry::expire_offers(expiry.0, expiry.1, expiry.2));
        // actix stops accepting on SIGTERM/SIGINT and lets requests in flight finish.
        HttpServer::new(move || app::build(services.clone()))
            .shutdown_timeout(30)
            .bind(&bind)
            .map_err(|e| CommandError::Other(format!("cannot listen on {bind}: {e}")))?
            .run()
            .await
            .map_err(|e| CommandError::Other(format!("server error: {e}")))
    })?;
    tracing::info!("stopped");
    Ok(())
}
