//! The routes. Each handler checks the caller, hands blocking work to a pooled store in
//! `web::block`, and converts the result to its wire shape; nothing else.

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

/// A cursor is a unit id, written as text so that its form can change.
pub fn parse_cursor(cursor: &Option<String>) -> Result<Option<i64>, ApiError> {
    match cursor {
        None => Ok(None),
        Some(c) => c.parse::<i64>().map(Some).map_err(|_| {
            ApiError::bad_request("bad_cursor", format!("cursor {c:?} is not one this server gave"))
        }),
    }
}
