//! The routes. Each handler checks the caller, hands blocking work to a pooled store in
//! `web::block` (fuzzy lookups to the lookup threads), and converts the result to its wire
//! shape; nothing else.

pub mod memories;
pub mod meta;
pub mod mymemory;
pub mod suggest;
pub mod terms;
pub mod tmserver;
pub mod transfer;

use actix_web::web;

use super::error::ApiError;
use super::state::AppState;
use crate::store::Store;

/// Runs `work` on a pooled connection off the async executor.
pub async fn blocking<T, F>(state: &web::Data<AppState>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store, &AppState) -> Result<T, ApiError> + Send + 'static,
{
    let state = state.clone();
    web::block(move || {
        let mut store = state.pool.get()?;
        work(&mut store, &state)
    })
    .await?
}

/// Runs lookup work on a pooled connection on one of the lookup threads (see
/// `http/lookup_pool.rs`), waiting its turn when they are all busy.
pub async fn on_lookup_thread<T, F>(state: &web::Data<AppState>, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut Store, &AppState) -> Result<T, ApiError> + Send + 'static,
{
    let shared = state.clone();
    state
        .lookups
        .run(move || {
            let mut store = shared.pool.get()?;
            work(&mut store, &shared)
        })
        .await?
}

/// A cursor is a unit id, written as text so that its form can change.
pub fn parse_cursor(cursor: &Option<String>) -> Result<Option<i64>, ApiError> {
    match cursor {
        None => Ok(None),
        Some(c) => c.parse::<i64>().map(Some).map_err(|_| {
            ApiError::bad_request("bad_cursor", format!("cursor {c:?} is not one this server gave"))
        }),
    }
}
