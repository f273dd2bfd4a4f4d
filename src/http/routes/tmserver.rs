//! The tmserver/amaGama protocol, as Weblate, Virtaal and Pootle call it:
//! `GET /tmserver/{src}/{tgt}/unit/{text}` and `GET /tmserver/languages/`, JSONP included.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::blocking;
use super::suggest::{matches_for, run_lookups, SuggestPlan};
use crate::http::auth::authorize;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::model::normalize_lang_tag;
use crate::store::Scope;

#[derive(Debug, Deserialize)]
pub struct UnitParams {
    min_similarity: Option<u32>,
    max_candidates: Option<usize>,
    jsoncallback: Option<String>,
    callback: Option<String>,
}

#[derive(Debug, Serialize)]
struct Candidate {
    source: String,
    target: String,
    quality: f64,
    rank: f64,
}

/// Wraps JSON for a JSONP caller; the callback name must be a plain JavaScript identifier path.
fn respond(value: serde_json::Value, callback: Option<&str>) -> Result<HttpResponse, ApiError> {
    match callback.filter(|c| !c.is_empty()) {
        None => Ok(HttpResponse::Ok().json(value)),
        Some(cb) => {
            let valid = cb.len() <= 100
                && cb.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'))
                && !cb.starts_with('.');
            if !valid {
                return Err(ApiError::bad_request(
                    "bad_callback",
                    "the JSONP callback must be a JavaScript identifier",
                ));
            }
            Ok(HttpResponse::Ok()
                .content_type("application/javascript; charset=utf-8")
                .body(format!("{cb}({value});")))
        }
    }
}

/// `GET /tmserver/{src}/{tgt}/unit/{text}`.
pub async fn unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    params: web::Query<UnitParams>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read, None).await?;
    let (src, tgt, text) = path.into_inner();
    let text = text.trim_end_matches('/').to_string();
    if text.chars().count() > state.config.max_text_chars {
        return Err(ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "text_too_long",
            "the text is too long",
        ));
    }
    let params = params.into_inner();
    let plan = SuggestPlan {
        source_lang: normalize_lang_tag(&src),
        target_lang: normalize_lang_tag(&tgt),
        memories: Vec::new(),
        termbases: Vec::new(),
        min_score: params.min_similarity.unwrap_or(70).min(100),
        max_results: params.max_candidates.unwrap_or(5).clamp(1, state.config.max_results),
        prev: None,
        next: None,
    };
    let matches = run_lookups(&state, plan, None, move |store, state, plan| {
        matches_for(store, state, plan, &text, None, None)
    })
    .await?;
    let candidates: Vec<Candidate> = matches
        .into_iter()
        .map(|m| Candidate {
            source: m.source,
            target: m.target,
            quality: f64::from(m.score.min(100)),
            rank: f64::from(m.score.min(100)),
        })
        .collect();
    respond(json!(candidates), params.jsoncallback.as_deref().or(params.callback.as_deref()))
}

#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    jsoncallback: Option<String>,
    callback: Option<String>,
}

/// `GET /tmserver/languages/`.
pub async fn languages(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<CallbackParams>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read, None).await?;
    let langs = blocking(&state, |store, _| Ok(store.all_languages()?)).await?;
    // tmserver clients use underscores (pt_BR).
    let langs: Vec<String> = langs.iter().map(|l| l.replace('-', "_")).collect();
    let params = params.into_inner();
    respond(
        json!({ "sourceLanguages": langs, "targetLanguages": langs }),
        params.jsoncallback.as_deref().or(params.callback.as_deref()),
    )
}
