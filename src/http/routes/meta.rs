//! Health, metrics and the OpenAPI document.

use actix_web::{get, web, HttpResponse};

use super::blocking;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::wire::Health;
use crate::store::Store;

#[utoipa::path(responses((status = 200, body = Health)), tag = "meta")]
#[get("/health")]
pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    blocking(&state, |store, _| {
        store.memory_id("")?; // the database answers
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        schema_version: Store::schema_version(),
    }))
}

#[utoipa::path(responses((status = 200, description = "Prometheus text format")), tag = "meta")]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let memories = blocking(&state, |store, _| Ok(store.memory_sizes()?)).await?;
    let body = state.metrics.render(&memories, state.jobs.counts());
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(body))
}

#[get("/openapi.json")]
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(crate::http::openapi::document())
}
