//! `POST /api/v1/suggest`: segment the text, and for each segment the memories' matches and
//! the term bases' terms.

use std::sync::Arc;

use actix_web::{post, web, HttpRequest, HttpResponse};

use super::{blocking, on_lookup_thread};
use crate::http::auth::authorize;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::wire::{
    MatchDto, SegmentResult, SuggestRequest, SuggestResponse, TermHitDto, TextResult,
};
use crate::matching::{lookup, rank_across_memories, Match, MatchQuery};
use crate::store::{Scope, Store};
use crate::text::char_ranges;

/// What one text's lookups need, checked once per request.
#[derive(Clone)]
pub struct SuggestPlan {
    pub source_lang: String,
    pub target_lang: String,
    pub memories: Vec<String>,
    pub termbases: Vec<String>,
    pub min_score: u32,
    pub max_results: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

#[utoipa::path(
    request_body = SuggestRequest,
    responses(
        (status = 200, body = SuggestResponse),
        (status = 400, body = crate::http::error::Problem),
        (status = 404, body = crate::http::error::Problem),
        (status = 413, body = crate::http::error::Problem),
    ),
    tag = "suggest"
)]
#[post("/api/v1/suggest")]
pub async fn suggest(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SuggestRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let key = authorize(&req, &state, Scope::Read, None).await?;
    let limits = &state.config;
    let texts: Vec<String> = match (&body.text, &body.texts) {
        (Some(t), None) => vec![t.clone()],
        (None, Some(ts)) => ts.clone(),
        _ => return Err(ApiError::bad_request("text_or_texts", "give either `text` or `texts`")),
    };
    if texts.len() > limits.max_batch {
        return Err(ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            format!("{} texts in one request; at most {}", texts.len(), limits.max_batch),
        ));
    }
    for t in &texts {
        let chars = t.chars().count();
        if chars > limits.max_text_chars {
            return Err(ApiError::new(
                actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
                "text_too_long",
                format!("a text of {chars} characters; at most {}", limits.max_text_chars),
            ));
        }
    }
    let max_results = body.max_results.unwrap_or(5);
    if max_results == 0 || max_results > limits.max_results {
        return Err(ApiError::bad_request(
            "bad_max_results",
            format!("max_results must be 1 to {}", limits.max_results),
        ));
    }
    let min_score = body.min_score.unwrap_or(70);
    if min_score > 101 {
        return Err(ApiError::bad_request("bad_min_score", "min_score must be 0 to 101"));
    }
    for lang in [&body.source_lang, &body.target_lang] {
        if lang.trim().is_empty() || lang.len() > 35 {
            return Err(ApiError::bad_request(
                "bad_language",
                format!("{lang:?} is not a language tag"),
            ));
        }
    }
    if let (Some(k), Some(ms)) = (&key, &body.memories) {
        if let Some(limit) = &k.memory {
            if ms.iter().any(|m| m != limit) {
                return Err(ApiError::forbidden(format!(
                    "the key is limited to the memory {limit:?}"
                )));
            }
        }
    }
    let is_batch = body.texts.is_some();
    let plan = SuggestPlan {
        source_lang: body.source_lang,
        target_lang: body.target_lang,
        memories: body.memories.unwrap_or_default(),
        termbases: body.termbases.unwrap_or_default(),
        min_score,
        max_results,
        prev: body.prev,
        next: body.next,
    };
    let key_memory = key.and_then(|k| k.memory);
    let results = run_lookups(&state, plan, key_memory, move |store, state, plan| {
        texts
            .iter()
            .map(|t| suggest_text(store, state, plan, t))
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await?;
    let response = if is_batch {
        SuggestResponse {
            segments: None,
            results: Some(results.into_iter().map(|segments| TextResult { segments }).collect()),
        }
    } else {
        SuggestResponse { segments: results.into_iter().next(), results: None }
    };
    Ok(HttpResponse::Ok().json(response))
}

/// Runs `work` on a lookup thread (`routes::on_lookup_thread`) with the plan's memories
/// named (none named: the one the caller's key is limited to, or every memory), all in one
/// read of the store: one state of the database, and one start of a read rather than one per
/// query. A memory whose index is not loaded yet is first loaded in the blocking pool: a load
/// takes seconds, and a lookup thread waiting for it would hold up every other memory's
/// lookups.
pub async fn run_lookups<T, F>(
    state: &web::Data<AppState>,
    plan: SuggestPlan,
    key_memory: Option<String>,
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: Fn(&Store, &AppState, &SuggestPlan) -> Result<T, ApiError> + Send + Sync + 'static,
{
    let (plan, work) = (Arc::new(plan), Arc::new(work));
    // Twice at most, missing indexes are loaded elsewhere and the lookup queued again; a
    // third try (an index forgotten again meanwhile, by a rename or delete) loads it itself.
    let mut tries = 0;
    loop {
        tries += 1;
        let check = tries < 3;
        let (shared, work, key_memory) = (plan.clone(), work.clone(), key_memory.clone());
        let outcome = on_lookup_thread(state, move |store, state| {
            store.in_one_read(|| {
                let plan = shared;
                let memories = match (plan.memories.is_empty(), key_memory) {
                    (false, _) => plan.memories.clone(),
                    (true, Some(memory)) => vec![memory],
                    (true, None) => store.memory_names()?,
                };
                if check {
                    let missing = state.indexes.not_ready(store, &memories, &plan.source_lang)?;
                    if !missing.is_empty() {
                        return Ok(Err(missing));
                    }
                }
                let plan = SuggestPlan { memories, ..SuggestPlan::clone(&plan) };
                work(store, state, &plan).map(Ok)
            })
        })
        .await?;
        match outcome {
            Ok(done) => return Ok(done),
            Err(missing) => {
                let lang = plan.source_lang.clone();
                blocking(state, move |store, state| {
                    for memory in &missing {
                        state.indexes.get(store, memory, &lang)?;
                    }
                    Ok(())
                })
                .await?;
            }
        }
    }
}

/// The best matches of every memory of the plan for one segment.
pub fn matches_for(
    store: &Store,
    state: &AppState,
    plan: &SuggestPlan,
    text: &str,
    prev: Option<String>,
    next: Option<String>,
) -> Result<Vec<Match>, ApiError> {
    let mut query = MatchQuery::new(text, plan.target_lang.clone());
    query.min_score = plan.min_score;
    query.limit = plan.max_results;
    query.prev = prev;
    query.next = next;
    let mut all = Vec::new();
    for memory in &plan.memories {
        let index = state.indexes.get(store, memory, &plan.source_lang)?;
        let index = index.read().unwrap_or_else(|e| e.into_inner());
        all.extend(lookup(store, &index, &query)?);
    }
    rank_across_memories(&mut all);
    all.truncate(plan.max_results);
    Ok(all)
}

fn suggest_text(
    store: &Store,
    state: &AppState,
    plan: &SuggestPlan,
    text: &str,
) -> Result<Vec<SegmentResult>, ApiError> {
    let byte_ranges = state.segmenter.segment(&plan.source_lang, text);
    let chars = char_ranges(text, &byte_ranges);
    let recognizer = if plan.termbases.is_empty() {
        None
    } else {
        Some(state.recognizers.get(store, &plan.termbases, &plan.source_lang, &plan.target_lang)?)
    };
    let mut out = Vec::with_capacity(byte_ranges.len());
    for (i, (bytes, chars)) in byte_ranges.iter().zip(&chars).enumerate() {
        let segment = &text[bytes.clone()];
        let prev = if i == 0 {
            plan.prev.clone()
        } else {
            Some(text[byte_ranges[i - 1].clone()].to_string())
        };
        let next = match byte_ranges.get(i + 1) {
            Some(r) => Some(text[r.clone()].to_string()),
            None => plan.next.clone(),
        };
        let matches = matches_for(store, state, plan, segment, prev, next)?;
        let terms = recognizer.as_ref().map(|r| r.find(segment)).unwrap_or_default();
        out.push(SegmentResult {
            start: chars.start,
            end: chars.end,
            text: segment.to_string(),
            matches: matches.into_iter().map(MatchDto::from).collect(),
            terms: terms.into_iter().map(TermHitDto::from).collect(),
        });
    }
    Ok(out)
}
