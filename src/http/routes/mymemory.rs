//! The MyMemory protocol, as MateCat and CAT-tool plug-ins call it: `GET /get`, `GET /set`
//! and `GET /delete_by_id`. `/set` adds to the memory named `mymemory` unless the key is
//! limited to another one.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::blocking;
use super::suggest::{matches_for, run_lookups, SuggestPlan};
use crate::http::auth::{author, authorize};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::model::{normalize_lang_tag, tmx_now, Metadata, Unit, Variant};
use crate::store::Scope;

/// The memory `/set` writes to when the key names none.
pub const DEFAULT_MEMORY: &str = "mymemory";

fn status_body(status: u16, details: &str) -> HttpResponse {
    let code = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(code).json(json!({
        "responseData": { "translatedText": Value::Null, "match": 0 },
        "responseStatus": status,
        "responseDetails": details,
        "matches": [],
    }))
}

fn langpair(pair: &Option<String>) -> Option<(String, String)> {
    let pair = pair.as_deref()?;
    let (s, t) = pair.split_once('|')?;
    let (s, t) = (s.trim(), t.trim());
    (!s.is_empty() && !t.is_empty()).then(|| (normalize_lang_tag(s), normalize_lang_tag(t)))
}

/// MyMemory writes dates as `2022-01-14 10:10:10`.
fn mymemory_date(tmx: Option<&str>) -> String {
    match tmx {
        Some(d) if d.len() >= 15 => format!(
            "{}-{}-{} {}:{}:{}",
            &d[0..4],
            &d[4..6],
            &d[6..8],
            &d[9..11],
            &d[11..13],
            &d[13..15]
        ),
        _ => String::new(),
    }
}

#[derive(Debug, Deserialize)]
pub struct GetParams {
    q: Option<String>,
    langpair: Option<String>,
    numres: Option<usize>,
    #[allow(dead_code)]
    key: Option<String>,
}

/// `GET /get?q=…&langpair=ru|en`.
pub async fn get(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<GetParams>,
) -> Result<HttpResponse, ApiError> {
    if let Err(e) = authorize(&req, &state, Scope::Read, None).await {
        return Ok(status_body(e.status.as_u16(), &e.detail));
    }
    let params = params.into_inner();
    let Some(q) = params.q.filter(|q| !q.trim().is_empty()) else {
        return Ok(status_body(
            403,
            "NO QUERY SPECIFIED. EXAMPLE REQUEST: GET?Q=HELLO&LANGPAIR=EN|IT",
        ));
    };
    let Some((source, target)) = langpair(&params.langpair) else {
        return Ok(status_body(403, "INVALID LANGUAGE PAIR SPECIFIED. EXAMPLE: LANGPAIR=EN|IT"));
    };
    if q.chars().count() > state.config.max_text_chars {
        return Ok(status_body(413, "QUERY TOO LONG"));
    }
    let plan = SuggestPlan {
        source_lang: source,
        target_lang: target,
        memories: Vec::new(),
        termbases: Vec::new(),
        min_score: 50,
        max_results: params.numres.unwrap_or(3).clamp(1, state.config.max_results),
        prev: None,
        next: None,
    };
    let matches = run_lookups(&state, plan, None, move |store, state, plan| {
        matches_for(store, state, plan, &q, None, None)
    })
    .await?;
    let best = matches.first();
    let list: Vec<Value> = matches
        .iter()
        .map(|m| {
            json!({
                "id": m.unit_id.to_string(),
                "segment": m.source,
                "translation": m.target,
                "source": m.source_lang,
                "target": m.target_lang,
                "quality": m.score.min(100).to_string(),
                "reference": "",
                "usage-count": m.usage_count.unwrap_or(0),
                "subject": "",
                "created-by": m.created_by.clone().unwrap_or_default(),
                "last-updated-by": m.changed_by.clone().or(m.created_by.clone()).unwrap_or_default(),
                "create-date": mymemory_date(m.created_at.as_deref()),
                "last-update-date": mymemory_date(m.changed_at.as_deref().or(m.created_at.as_deref())),
                "match": f64::from(m.score.min(100)) / 100.0,
                "memory": m.memory,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "responseData": {
            "translatedText": best.map(|m| m.target.clone()).unwrap_or_default(),
            "match": best.map(|m| f64::from(m.score.min(100)) / 100.0).unwrap_or(0.0),
        },
        "responseStatus": 200,
        "responseDetails": "",
        "matches": list,
    })))
}

#[derive(Debug, Deserialize)]
pub struct SetParams {
    seg: Option<String>,
    tra: Option<String>,
    langpair: Option<String>,
}

/// `GET /set?seg=…&tra=…&langpair=ru|en&key=…`.
pub async fn set(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<SetParams>,
) -> Result<HttpResponse, ApiError> {
    let key = match authorize(&req, &state, Scope::Write, None).await {
        Ok(k) => k,
        Err(e) => return Ok(status_body(e.status.as_u16(), &e.detail)),
    };
    let params = params.into_inner();
    let (Some(seg), Some(tra)) =
        (params.seg.filter(|s| !s.is_empty()), params.tra.filter(|s| !s.is_empty()))
    else {
        return Ok(status_body(403, "SEG AND TRA ARE REQUIRED"));
    };
    let Some((source, target)) = langpair(&params.langpair) else {
        return Ok(status_body(403, "INVALID LANGUAGE PAIR SPECIFIED. EXAMPLE: LANGPAIR=EN|IT"));
    };
    let memory =
        key.as_ref().and_then(|k| k.memory.clone()).unwrap_or_else(|| DEFAULT_MEMORY.to_string());
    let now = tmx_now();
    let by = author(&key);
    let mut unit =
        Unit::from_variants(vec![Variant::from_text(source, seg), Variant::from_text(target, tra)]);
    unit.meta = Metadata {
        creationdate: Some(now.clone()),
        creationid: by.clone(),
        changedate: Some(now),
        changeid: by,
        ..Metadata::default()
    };
    let id = blocking(&state, move |store, state| {
        store.ensure_memory(&memory)?;
        let (id, change) = store.create_unit(&memory, unit)?;
        state.indexes.refresh_unit(store, id, &change)?;
        Ok(id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({ "responseData": "OK", "responseStatus": 200, "responseDetails": [id.to_string()], "id": id })))
}

#[derive(Debug, Deserialize)]
pub struct DeleteParams {
    id: Option<String>,
}

/// `GET /delete_by_id?id=…&key=…`.
pub async fn delete_by_id(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<DeleteParams>,
) -> Result<HttpResponse, ApiError> {
    let key = match authorize(&req, &state, Scope::Write, None).await {
        Ok(k) => k,
        Err(e) => return Ok(status_body(e.status.as_u16(), &e.detail)),
    };
    let Some(id) = params.id.as_deref().and_then(|i| i.trim().parse::<i64>().ok()) else {
        return Ok(status_body(403, "A NUMERIC ID IS REQUIRED"));
    };
    let limit = key.and_then(|k| k.memory);
    let found = blocking(&state, move |store, state| {
        let Some((memory_id, memory)) = store.unit_memory(id)? else { return Ok(Err(404)) };
        if limit.as_ref().is_some_and(|l| *l != memory) {
            return Ok(Err(403));
        }
        if let Some(change) = store.delete_unit(memory_id, id)? {
            state.indexes.refresh_unit(store, id, &change)?;
        }
        Ok(Ok(()))
    })
    .await?;
    Ok(match found {
        Ok(()) => HttpResponse::Ok()
            .json(json!({ "responseData": "OK", "responseStatus": 200, "responseDetails": "" })),
        Err(404) => status_body(404, "NO SUCH ID"),
        Err(code) => status_body(code, "THE KEY MAY NOT DELETE IN THIS MEMORY"),
    })
}
