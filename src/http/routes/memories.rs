//! Memories and their units: list, create, show, rename, delete; units with cursor paging
//! and filters, get, create, update, delete; concordance search.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};

use super::{blocking, parse_cursor};
use crate::http::auth::{author, authorize};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::http::wire::{
    ConcordanceHitDto, ConcordancePage, ConcordanceParams, CreateMemory, MemoryDto, SpanDto,
    UnitBody, UnitDto, UnitListParams, UnitPage, UpdateMemory, VariantDto,
};
use crate::model::{tmx_now, Unit};
use crate::store::{Scope, StoreError, UnitQuery};
use crate::text::normalize_for_matching;

const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

fn page_size(limit: Option<usize>) -> Result<usize, ApiError> {
    match limit.unwrap_or(DEFAULT_PAGE) {
        n @ 1..=MAX_PAGE => Ok(n),
        n => Err(ApiError::bad_request("bad_limit", format!("limit {n}: must be 1 to {MAX_PAGE}"))),
    }
}

#[utoipa::path(responses((status = 200, body = [MemoryDto])), tag = "memories")]
#[get("/api/v1/memories")]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let key = authorize(&req, &state, Scope::Read, None).await?;
    let only = key.and_then(|k| k.memory);
    let memories = blocking(&state, move |store, _| {
        let mut out = Vec::new();
        for m in store.memories()? {
            if only.as_ref().is_some_and(|o| *o != m.name) {
                continue;
            }
            let id = store.require_memory(&m.name)?;
            let (last, penalty) = store.memory_extra(id)?;
            out.push(MemoryDto::from_summary(m, last, penalty));
        }
        Ok(out)
    })
    .await?;
    Ok(HttpResponse::Ok().json(memories))
}

#[utoipa::path(request_body = CreateMemory, responses((status = 201, body = MemoryDto), (status = 409, body = crate::http::error::Problem)), tag = "memories")]
#[post("/api/v1/memories")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<CreateMemory>,
) -> Result<HttpResponse, ApiError> {
    let name = body.into_inner().name;
    authorize(&req, &state, Scope::Write, Some(&name)).await?;
    let dto = blocking(&state, move |store, _| {
        store.create_memory(&name)?;
        show_memory(store, &name)
    })
    .await?;
    Ok(HttpResponse::Created().json(dto))
}

fn show_memory(store: &crate::store::Store, name: &str) -> Result<MemoryDto, ApiError> {
    let id = store.require_memory(name)?;
    let summary = store
        .memories()?
        .into_iter()
        .find(|m| m.name == name)
        .ok_or_else(|| ApiError::from(StoreError::NoSuchMemory(name.to_string())))?;
    let (last, penalty) = store.memory_extra(id)?;
    Ok(MemoryDto::from_summary(summary, last, penalty))
}

#[utoipa::path(responses((status = 200, body = MemoryDto), (status = 404, body = crate::http::error::Problem)), tag = "memories")]
#[get("/api/v1/memories/{name}")]
pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    authorize(&req, &state, Scope::Read, Some(&name)).await?;
    let dto = blocking(&state, move |store, _| show_memory(store, &name)).await?;
    Ok(HttpResponse::Ok().json(dto))
}

#[utoipa::path(request_body = UpdateMemory, responses((status = 200, body = MemoryDto), (status = 404, body = crate::http::error::Problem), (status = 409, body = crate::http::error::Problem)), tag = "memories")]
#[patch("/api/v1/memories/{name}")]
pub async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    body: web::Json<UpdateMemory>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    let body = body.into_inner();
    authorize(&req, &state, Scope::Write, Some(&name)).await?;
    if let Some(p) = body.penalty {
        if !(0..=100).contains(&p) {
            return Err(ApiError::bad_request("bad_penalty", "penalty must be 0 to 100"));
        }
    }
    let dto = blocking(&state, move |store, state| {
        let id = store.require_memory(&name)?;
        let mut current = name.clone();
        if let Some(p) = body.penalty {
            store.set_memory_penalty(&current, p)?;
            for index in state.indexes.of_memory(id) {
                index.write().unwrap_or_else(|e| e.into_inner()).penalty = p as u32;
            }
        }
        if let Some(new) = body.name.filter(|n| *n != current) {
            store.rename_memory(&current, &new)?;
            state.indexes.forget_memory(id);
            current = new;
        }
        show_memory(store, &current)
    })
    .await?;
    Ok(HttpResponse::Ok().json(dto))
}

#[utoipa::path(responses((status = 204), (status = 404, body = crate::http::error::Problem)), tag = "memories")]
#[delete("/api/v1/memories/{name}")]
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    authorize(&req, &state, Scope::Admin, Some(&name)).await?;
    blocking(&state, move |store, state| {
        let id = store.require_memory(&name)?;
        store.delete_memory(&name)?;
        state.indexes.forget_memory(id);
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(params(UnitListParams), responses((status = 200, body = UnitPage)), tag = "units")]
#[get("/api/v1/memories/{name}/units")]
pub async fn list_units(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    params: web::Query<UnitListParams>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    authorize(&req, &state, Scope::Read, Some(&name)).await?;
    let params = params.into_inner();
    let limit = page_size(params.limit)?;
    let query = UnitQuery {
        after: parse_cursor(&params.cursor)?,
        limit,
        lang: params.lang,
        changed_since: params
            .changed_since
            .map(|d| crate::model::format_tmx_date(crate::model::tmx_date_seconds(Some(&d)))),
        author: params.author,
    };
    let page = blocking(&state, move |store, _| {
        let id = store.require_memory(&name)?;
        let units = store.list_units(id, &query)?;
        let next_cursor =
            (units.len() == limit).then(|| units.last().map(|u| u.id.to_string())).flatten();
        Ok(UnitPage { units: units.into_iter().map(UnitDto::from).collect(), next_cursor })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(responses((status = 200, body = UnitDto), (status = 404, body = crate::http::error::Problem)), tag = "units")]
#[get("/api/v1/memories/{name}/units/{id}")]
pub async fn get_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (name, unit_id) = path.into_inner();
    authorize(&req, &state, Scope::Read, Some(&name)).await?;
    let unit = blocking(&state, move |store, _| {
        let id = store.require_memory(&name)?;
        store.unit(id, unit_id)?.ok_or_else(|| unit_not_found(&name, unit_id))
    })
    .await?;
    Ok(HttpResponse::Ok().json(UnitDto::from(unit)))
}

fn unit_not_found(memory: &str, id: i64) -> ApiError {
    ApiError::not_found("unit_not_found", format!("the memory {memory:?} has no unit {id}"))
}

fn stamp(
    mut unit: Unit,
    author: Option<String>,
    created: Option<(Option<String>, Option<String>)>,
) -> Unit {
    let now = tmx_now();
    match created {
        // An update keeps the creation stamp.
        Some((date, by)) => {
            unit.meta.creationdate = date;
            unit.meta.creationid = by;
        }
        None => {
            unit.meta.creationdate = Some(now.clone());
            unit.meta.creationid = author.clone();
        }
    }
    unit.meta.changedate = Some(now);
    unit.meta.changeid = author;
    unit
}

#[utoipa::path(request_body = UnitBody, responses((status = 201, body = UnitDto), (status = 422, body = crate::http::error::Problem)), tag = "units")]
#[post("/api/v1/memories/{name}/units")]
pub async fn create_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    body: web::Json<UnitBody>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    let key = authorize(&req, &state, Scope::Write, Some(&name)).await?;
    let unit = body.into_inner().into_unit().map_err(|e| ApiError::unprocessable("bad_unit", e))?;
    let unit = stamp(unit, author(&key), None);
    let dto = blocking(&state, move |store, state| {
        let (id, change) = store.create_unit(&name, unit)?;
        state.indexes.refresh_unit(store, id, &change)?;
        store.unit(change.memory_id, id)?.ok_or_else(|| unit_not_found(&name, id))
    })
    .await?;
    Ok(HttpResponse::Created().json(UnitDto::from(dto)))
}

#[utoipa::path(request_body = UnitBody, responses((status = 200, body = UnitDto), (status = 404, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)), tag = "units")]
#[put("/api/v1/memories/{name}/units/{id}")]
pub async fn update_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    body: web::Json<UnitBody>,
) -> Result<HttpResponse, ApiError> {
    let (name, unit_id) = path.into_inner();
    let key = authorize(&req, &state, Scope::Write, Some(&name)).await?;
    let unit = body.into_inner().into_unit().map_err(|e| ApiError::unprocessable("bad_unit", e))?;
    let author = author(&key);
    let dto = blocking(&state, move |store, state| {
        let memory_id = store.require_memory(&name)?;
        let old = store.unit(memory_id, unit_id)?.ok_or_else(|| unit_not_found(&name, unit_id))?;
        let unit =
            stamp(unit, author, Some((old.unit.meta.creationdate, old.unit.meta.creationid)));
        let Some(change) = store.update_unit(&name, unit_id, unit)? else {
            return Err(unit_not_found(&name, unit_id));
        };
        state.indexes.refresh_unit(store, unit_id, &change)?;
        store.unit(memory_id, unit_id)?.ok_or_else(|| unit_not_found(&name, unit_id))
    })
    .await?;
    Ok(HttpResponse::Ok().json(UnitDto::from(dto)))
}

#[utoipa::path(responses((status = 204), (status = 404, body = crate::http::error::Problem)), tag = "units")]
#[delete("/api/v1/memories/{name}/units/{id}")]
pub async fn delete_unit(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (name, unit_id) = path.into_inner();
    authorize(&req, &state, Scope::Write, Some(&name)).await?;
    blocking(&state, move |store, state| {
        let memory_id = store.require_memory(&name)?;
        let Some(change) = store.delete_unit(memory_id, unit_id)? else {
            return Err(unit_not_found(&name, unit_id));
        };
        state.indexes.refresh_unit(store, unit_id, &change)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Character spans of `text` whose normalised form is `needle` (already normalised).
pub fn highlight(text: &str, needle: &str) -> Vec<SpanDto> {
    // Normalise character by character, remembering where each normalised char came from.
    let mut norm = String::new();
    let mut origin: Vec<usize> = Vec::new();
    for (i, c) in text.chars().enumerate() {
        let piece = normalize_for_matching(&c.to_string());
        let piece = if piece.is_empty() && c.is_whitespace() { " ".to_string() } else { piece };
        for _ in piece.chars() {
            origin.push(i);
        }
        norm.push_str(&piece);
    }
    let norm_chars: Vec<char> = norm.chars().collect();
    let needle_chars: Vec<char> = needle.chars().collect();
    let mut spans = Vec::new();
    if needle_chars.is_empty() {
        return spans;
    }
    let mut i = 0;
    while i + needle_chars.len() <= norm_chars.len() {
        if norm_chars[i..i + needle_chars.len()] == needle_chars[..] {
            let start = origin[i];
            let end = origin[i + needle_chars.len() - 1] + 1;
            spans.push(SpanDto { start, end });
            i += needle_chars.len();
        } else {
            i += 1;
        }
    }
    spans
}

#[utoipa::path(params(ConcordanceParams), responses((status = 200, body = ConcordancePage)), tag = "units")]
#[get("/api/v1/memories/{name}/concordance")]
pub async fn concordance(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    params: web::Query<ConcordanceParams>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    authorize(&req, &state, Scope::Read, Some(&name)).await?;
    let params = params.into_inner();
    let needle = normalize_for_matching(&params.q);
    if needle.is_empty() {
        return Err(ApiError::bad_request("empty_query", "q must hold a word or phrase"));
    }
    if needle.chars().count() > 1000 {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "query_too_long",
            "q is longer than 1000 characters",
        ));
    }
    let limit = page_size(params.limit.or(Some(20)))?;
    let after = parse_cursor(&params.cursor)?;
    let page = blocking(&state, move |store, _| {
        let memory_id = store.require_memory(&name)?;
        let mut hits =
            store.concordance(memory_id, &needle, params.lang.as_deref(), after, limit)?;
        // Pages end at a unit boundary, so that the next page (after the last unit) misses
        // none of a unit's variants.
        let next_cursor = if hits.len() == limit {
            let last = hits[hits.len() - 1].unit_id;
            if hits.iter().any(|h| h.unit_id != last) {
                hits.retain(|h| h.unit_id != last);
            }
            hits.last().map(|h| h.unit_id.to_string())
        } else {
            None
        };
        let mut out = Vec::with_capacity(hits.len());
        for hit in hits {
            let others = store
                .unit(memory_id, hit.unit_id)?
                .map(|u| {
                    u.unit
                        .variants
                        .iter()
                        .enumerate()
                        .filter(|(ord, _)| *ord as i64 != hit.ord)
                        .map(|(_, v)| VariantDto {
                            lang: v.lang.clone(),
                            text: v.segment.plain_text(),
                            markup: None,
                            annotations: Vec::new(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.push(ConcordanceHitDto {
                unit_id: hit.unit_id,
                highlights: highlight(&hit.plain, &needle),
                lang: hit.lang,
                text: hit.plain,
                other_variants: others,
            });
        }
        Ok(ConcordancePage { hits: out, next_cursor })
    })
    .await?;
    Ok(HttpResponse::Ok().json(page))
}
