//! The one mapping from errors to HTTP: RFC 7807 `application/problem+json` bodies with a
//! stable `code` per error. Internal errors are logged and answered without detail.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

use crate::store::StoreError;

/// An error as the API reports it.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable, machine-readable name (`memory_not_found`, `body_too_large`, …).
    pub code: &'static str,
    pub detail: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, code, detail: detail.into() }
    }
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, detail)
    }
    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }
    pub fn internal(what: impl std::fmt::Display) -> Self {
        tracing::error!("internal error: {what}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server could not complete the request",
        )
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "key_required",
            "this request needs an API key: Authorization: Bearer KEY",
        )
    }
    pub fn bad_key() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "key_invalid", "the API key is not valid")
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "scope_insufficient", detail)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let problem = Problem {
            kind: format!("https://tmbase.dev/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_string(),
        };
        HttpResponse::build(self.status).content_type("application/problem+json").json(problem)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NoSuchMemory(name) => {
                ApiError::not_found("memory_not_found", format!("no memory named {name:?}"))
            }
            StoreError::MemoryExists(name) => ApiError::new(
                StatusCode::CONFLICT,
                "memory_exists",
                format!("a memory named {name:?} already exists"),
            ),
            StoreError::BadMemoryName(_) => ApiError::bad_request("bad_memory_name", e.to_string()),
            StoreError::NoSuchTermBase(_) => {
                ApiError::not_found("termbase_not_found", e.to_string())
            }
            StoreError::TermBaseExists(_) => {
                ApiError::new(StatusCode::CONFLICT, "termbase_exists", e.to_string())
            }
            StoreError::BadTermBaseName(_) => {
                ApiError::bad_request("bad_termbase_name", e.to_string())
            }
            StoreError::NoSuchConcept { .. } => {
                ApiError::not_found("concept_not_found", e.to_string())
            }
            StoreError::ConceptExists { .. } => {
                ApiError::new(StatusCode::CONFLICT, "concept_exists", e.to_string())
            }
            StoreError::NoSuchTerm { .. } => ApiError::not_found("term_not_found", e.to_string()),
            StoreError::Invalid(message) => ApiError::unprocessable("invalid", message),
            other => ApiError::internal(other),
        }
    }
}

impl From<crate::http::lookup_pool::LookupFailed> for ApiError {
    fn from(e: crate::http::lookup_pool::LookupFailed) -> Self {
        ApiError::internal(e)
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e)
    }
}
