//! Who is calling: the API key from `Authorization: Bearer KEY` (or MyMemory's `key`
//! parameter), checked against the store, and whether its scope allows the request.
//! Keys are never logged.

use actix_web::{web, HttpRequest};

use super::error::ApiError;
use super::state::AppState;
use crate::store::{ApiKey, Scope};

/// The key presented with a request, if any.
fn presented_key(req: &HttpRequest) -> Option<String> {
    if let Some(value) = req.headers().get("authorization").and_then(|v| v.to_str().ok()) {
        let value = value.trim();
        if let Some(key) = value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")) {
            return Some(key.trim().to_string());
        }
    }
    web::Query::<std::collections::HashMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("key").cloned())
        .filter(|k| !k.is_empty())
}

/// Checks that the caller may do something needing `needed` (on `memory`, when the request
/// concerns one). Returns the caller's key, or `None` for an anonymous reader.
pub async fn authorize(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    needed: Scope,
    memory: Option<&str>,
) -> Result<Option<ApiKey>, ApiError> {
    let Some(presented) = presented_key(req) else {
        if needed == Scope::Read && !state.config.require_key_for_read {
            return Ok(None);
        }
        return Err(ApiError::unauthorized());
    };
    let st = state.clone();
    let key = web::block(move || st.pool.get()?.check_api_key(&presented)).await??;
    let Some(key) = key else { return Err(ApiError::bad_key()) };
    if key.scope < needed {
        return Err(ApiError::forbidden(format!(
            "this request needs a {} key; the key {:?} is {}",
            needed.as_str(),
            key.name,
            key.scope.as_str()
        )));
    }
    if let (Some(limit), Some(memory)) = (&key.memory, memory) {
        if limit != memory {
            return Err(ApiError::forbidden(format!(
                "the key {:?} is limited to the memory {limit:?}",
                key.name
            )));
        }
    }
    Ok(Some(key))
}

/// The author recorded on writes: the key's name.
pub fn author(key: &Option<ApiKey>) -> Option<String> {
    key.as_ref().map(|k| k.name.clone())
}
