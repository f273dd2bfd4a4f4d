//! Term bases over HTTP: list, create, delete; concepts and their terms (create, read,
//! update, delete, history); term search; bulk status changes; term QA of a translation.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::blocking;
use crate::http::auth::{author, authorize};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::model::{
    normalize_lang_tag, Concept, CrossRefKind, CrossReference, Gender, LangSection, MatchMode,
    Number, PartOfSpeech, Stamp, Term, TermStatus,
};
use crate::store::{ConceptKey, Scope, SearchMode, TermSearch, TermSelection};
use crate::terms::TermChecker;

#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct TermDto {
    pub id: Option<i64>,
    pub text: String,
    pub part_of_speech: Option<String>,
    pub gender: Option<String>,
    pub number: Option<String>,
    /// preferred, admitted, deprecated, superseded, forbidden, do-not-translate
    pub status: Option<String>,
    pub term_type: Option<String>,
    pub context: Option<String>,
    pub usage_note: Option<String>,
    pub source: Option<String>,
    /// stemmed (default), exact or case-sensitive
    pub match_mode: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub changed_at: Option<String>,
    #[serde(default)]
    pub changed_by: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct LangSectionDto {
    pub lang: String,
    pub definition: Option<String>,
    pub note: Option<String>,
    #[serde(default)]
    pub terms: Vec<TermDto>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CrossReferenceDto {
    pub kind: String,
    pub target: Option<String>,
    pub text: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema, Default)]
pub struct ConceptDto {
    pub id: Option<i64>,
    /// The concept id in files (TBX `id`).
    pub external_id: Option<String>,
    pub subject_field: Option<String>,
    pub definition: Option<String>,
    pub note: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub cross_references: Vec<CrossReferenceDto>,
    #[serde(default)]
    pub languages: Vec<LangSectionDto>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub changed_at: Option<String>,
    #[serde(default)]
    pub changed_by: Option<String>,
}

fn bad(what: &str, value: &str) -> ApiError {
    ApiError::unprocessable("bad_concept", format!("{what} {value:?} is not one tmbase knows"))
}

impl ConceptDto {
    fn from_concept(c: Concept) -> Self {
        ConceptDto {
            id: c.id,
            external_id: c.external_id,
            subject_field: c.subject_field,
            definition: c.definition,
            note: c.note,
            source: c.source,
            cross_references: c
                .cross_references
                .into_iter()
                .map(|x| CrossReferenceDto {
                    kind: x.kind.as_str().into(),
                    target: x.target,
                    text: x.text,
                })
                .collect(),
            languages: c
                .languages
                .into_iter()
                .map(|s| LangSectionDto {
                    lang: s.lang,
                    definition: s.definition,
                    note: s.note,
                    terms: s
                        .terms
                        .into_iter()
                        .map(|t| TermDto {
                            id: t.id,
                            text: t.text,
                            part_of_speech: t.part_of_speech.map(|p| p.as_str().into()),
                            gender: t.gender.map(|g| g.as_str().into()),
                            number: t.number.map(|n| n.as_str().into()),
                            status: t.status.map(|s| s.as_str().into()),
                            term_type: t.term_type,
                            context: t.context,
                            usage_note: t.usage_note,
                            source: t.source,
                            match_mode: Some(t.match_mode.as_str().into()),
                            created_at: t.stamp.created_at,
                            created_by: t.stamp.created_by,
                            changed_at: t.stamp.changed_at,
                            changed_by: t.stamp.changed_by,
                        })
                        .collect(),
                })
                .collect(),
            created_at: c.stamp.created_at,
            created_by: c.stamp.created_by,
            changed_at: c.stamp.changed_at,
            changed_by: c.stamp.changed_by,
        }
    }

    /// The concept this body describes (stamps are the server's, not the caller's).
    fn into_concept(self) -> Result<Concept, ApiError> {
        let mut languages = Vec::new();
        for s in self.languages {
            if s.lang.trim().is_empty() {
                return Err(ApiError::unprocessable(
                    "bad_concept",
                    "a language section has no lang",
                ));
            }
            let mut terms = Vec::new();
            for t in s.terms {
                if t.text.trim().is_empty() {
                    return Err(ApiError::unprocessable("bad_concept", "a term has no text"));
                }
                let status = match t.status.as_deref() {
                    None => None,
                    Some(v) => Some(TermStatus::parse(v).ok_or_else(|| bad("status", v))?),
                };
                let match_mode = match t.match_mode.as_deref() {
                    None => MatchMode::default(),
                    Some(v) => MatchMode::parse(v).ok_or_else(|| bad("match_mode", v))?,
                };
                terms.push(Term {
                    id: t.id,
                    text: t.text,
                    part_of_speech: t.part_of_speech.as_deref().map(PartOfSpeech::parse),
                    gender: t.gender.as_deref().map(Gender::parse),
                    number: t.number.as_deref().map(Number::parse),
                    status,
                    term_type: t.term_type,
                    context: t.context,
                    usage_note: t.usage_note,
                    source: t.source,
                    match_mode,
                    stamp: Stamp::default(),
                });
            }
            languages.push(LangSection {
                lang: normalize_lang_tag(&s.lang),
                definition: s.definition,
                note: s.note,
                terms,
            });
        }
        let mut cross_references = Vec::new();
        for x in self.cross_references {
            let kind =
                CrossRefKind::parse(&x.kind).ok_or_else(|| bad("cross-reference kind", &x.kind))?;
            cross_references.push(CrossReference { kind, target: x.target, text: x.text });
        }
        Ok(Concept {
            id: self.id,
            external_id: self.external_id,
            subject_field: self.subject_field,
            definition: self.definition,
            note: self.note,
            source: self.source,
            cross_references,
            stamp: Stamp::default(),
            languages,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermBaseDto {
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub concepts: u64,
    pub languages: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTermBase {
    pub name: String,
    pub description: Option<String>,
}

#[utoipa::path(responses((status = 200, body = [TermBaseDto])), tag = "terms")]
#[get("/api/v1/termbases")]
pub async fn list(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read, None).await?;
    let list = blocking(&state, |store, _| {
        Ok(store
            .termbases()?
            .into_iter()
            .map(|t| TermBaseDto {
                name: t.name,
                description: t.description,
                created_at: t.created_at,
                concepts: t.concepts,
                languages: t.languages.into_iter().map(|(l, _)| l).collect(),
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[utoipa::path(request_body = CreateTermBase, responses((status = 201), (status = 409, body = crate::http::error::Problem)), tag = "terms")]
#[post("/api/v1/termbases")]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<CreateTermBase>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Write, None).await?;
    let body = body.into_inner();
    let name = body.name.clone();
    blocking(&state, move |store, _| {
        Ok(store.create_termbase(&body.name, body.description.as_deref())?)
    })
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "name": name })))
}

#[utoipa::path(responses((status = 204), (status = 404, body = crate::http::error::Problem)), tag = "terms")]
#[delete("/api/v1/termbases/{name}")]
pub async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Admin, None).await?;
    let name = name.into_inner();
    blocking(&state, move |store, state| {
        store.delete_termbase(&name)?;
        state.recognizers.invalidate();
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(request_body = ConceptDto, responses((status = 201, body = ConceptDto), (status = 409, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)), tag = "terms")]
#[post("/api/v1/termbases/{name}/concepts")]
pub async fn create_concept(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    body: web::Json<ConceptDto>,
) -> Result<HttpResponse, ApiError> {
    let key = authorize(&req, &state, Scope::Write, None).await?;
    let concept = body.into_inner().into_concept()?;
    let name = name.into_inner();
    let by = author(&key);
    let stored = blocking(&state, move |store, state| {
        let c = store.create_concept(&name, &concept, by.as_deref())?;
        state.recognizers.invalidate();
        Ok(c)
    })
    .await?;
    Ok(HttpResponse::Created().json(ConceptDto::from_concept(stored)))
}

#[utoipa::path(responses((status = 200, body = ConceptDto), (status = 404, body = crate::http::error::Problem)), tag = "terms")]
#[get("/api/v1/termbases/{name}/concepts/{concept}")]
pub async fn get_concept(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read, None).await?;
    let (name, concept) = path.into_inner();
    let c =
        blocking(&state, move |store, _| Ok(store.concept(&name, &ConceptKey(concept))?)).await?;
    Ok(HttpResponse::Ok().json(ConceptDto::from_concept(c)))
}

#[utoipa::path(request_body = ConceptDto, responses((status = 200, body = ConceptDto), (status = 404, body = crate::http::error::Problem), (status = 422, body = crate::http::error::Problem)), tag = "terms")]
#[put("/api/v1/termbases/{name}/concepts/{concept}")]
pub async fn update_concept(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Json<ConceptDto>,
) -> Result<HttpResponse, ApiError> {
    let key = authorize(&req, &state, Scope::Write, None).await?;
    let (name, concept_key) = path.into_inner();
    let mut concept = body.into_inner().into_concept()?;
    let by = author(&key);
    let stored = blocking(&state, move |store, state| {
        concept.id = Some(store.resolve_concept(&name, &ConceptKey(concept_key))?);
        let c = store.update_concept(&name, &concept, by.as_deref())?;
        state.recognizers.invalidate();
        Ok(c)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ConceptDto::from_concept(stored)))
}

#[utoipa::path(responses((status = 204), (status = 404, body = crate::http::error::Problem)), tag = "terms")]
#[delete("/api/v1/termbases/{name}/concepts/{concept}")]
pub async fn delete_concept(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = authorize(&req, &state, Scope::Write, None).await?;
    let (name, concept) = path.into_inner();
    let by = author(&key);
    blocking(&state, move |store, state| {
        store.delete_concept(&name, &ConceptKey(concept), by.as_deref())?;
        state.recognizers.invalidate();
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConceptChangeDto {
    pub at: String,
    pub by: Option<String>,
    pub action: String,
    pub what: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

#[utoipa::path(responses((status = 200, body = [ConceptChangeDto]), (status = 404, body = crate::http::error::Problem)), tag = "terms")]
#[get("/api/v1/termbases/{name}/concepts/{concept}/history")]
pub async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read, None).await?;
    let (name, concept) = path.into_inner();
    let changes =
        blocking(&state, move |store, _| Ok(store.concept_history(&name, &ConceptKey(concept))?))
            .await?;
    let dto: Vec<ConceptChangeDto> = changes
        .into_iter()
        .map(|c| ConceptChangeDto {
            at: c.at,
            by: c.by,
            action: c.action,
            what: c.what,
            field: c.field,
            old_value: c.old_value,
            new_value: c.new_value,
        })
        .collect();
    Ok(HttpResponse::Ok().json(dto))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TermSearchParams {
    pub q: String,
    /// `prefix` (default) or `substring`.
    pub mode: Option<String>,
    pub lang: Option<String>,
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermSearchHitDto {
    pub concept_id: i64,
    pub concept_external_id: String,
    pub lang: String,
    pub term: TermDto,
}

fn search_of(p: TermSearchParams) -> Result<TermSearch, ApiError> {
    let mode = match p.mode.as_deref().unwrap_or("prefix") {
        "prefix" => SearchMode::Prefix,
        "substring" => SearchMode::Substring,
        other => {
            return Err(ApiError::bad_request(
                "bad_mode",
                format!("mode {other:?}: use prefix or substring"),
            ))
        }
    };
    let limit = p.limit.unwrap_or(50);
    if limit == 0 || limit > 1000 {
        return Err(ApiError::bad_request("bad_limit", "limit must be 1 to 1000"));
    }
    Ok(TermSearch { query: p.q, mode, lang: p.lang, limit })
}

#[utoipa::path(params(TermSearchParams), responses((status = 200, body = [TermSearchHitDto])), tag = "terms")]
#[get("/api/v1/termbases/{name}/terms")]
pub async fn search(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    params: web::Query<TermSearchParams>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read, None).await?;
    let search = search_of(params.into_inner())?;
    let name = name.into_inner();
    let hits = blocking(&state, move |store, _| Ok(store.search_terms(&name, &search)?)).await?;
    let dto: Vec<TermSearchHitDto> = hits
        .into_iter()
        .map(|h| {
            let concept = Concept {
                languages: vec![LangSection {
                    lang: h.lang.clone(),
                    terms: vec![h.term],
                    ..LangSection::default()
                }],
                ..Concept::default()
            };
            let term = ConceptDto::from_concept(concept).languages.remove(0).terms.remove(0);
            TermSearchHitDto {
                concept_id: h.concept_id,
                concept_external_id: h.concept_external_id,
                lang: h.lang,
                term,
            }
        })
        .collect();
    Ok(HttpResponse::Ok().json(dto))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The new status (null clears it).
    pub status: Option<String>,
    /// Only these term ids.
    #[serde(default)]
    pub term_ids: Vec<i64>,
    pub lang: Option<String>,
    /// Only terms whose status is now this.
    pub current_status: Option<String>,
}

#[utoipa::path(request_body = StatusChange, responses((status = 200, description = "{\"changed\": N}")), tag = "terms")]
#[post("/api/v1/termbases/{name}/status")]
pub async fn bulk_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    body: web::Json<StatusChange>,
) -> Result<HttpResponse, ApiError> {
    let key = authorize(&req, &state, Scope::Write, None).await?;
    let body = body.into_inner();
    let parse = |v: &Option<String>| -> Result<Option<TermStatus>, ApiError> {
        match v.as_deref() {
            None => Ok(None),
            Some(s) => TermStatus::parse(s).map(Some).ok_or_else(|| bad("status", s)),
        }
    };
    let status = parse(&body.status)?;
    let selection = TermSelection {
        term_ids: body.term_ids,
        lang: body.lang,
        status: match &body.current_status {
            None => None,
            Some(_) => Some(parse(&body.current_status)?),
        },
        search: None,
    };
    let name = name.into_inner();
    let by = author(&key);
    let changed = blocking(&state, move |store, state| {
        let n = store.set_term_status(&name, &selection, status, by.as_deref())?;
        state.recognizers.invalidate();
        Ok(n)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "changed": changed })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermCheckRequest {
    pub source: String,
    pub translation: String,
    pub source_lang: String,
    pub target_lang: String,
    pub termbases: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermIssueDto {
    /// missing_target_term, deprecated_target_term, do_not_translate_changed
    pub kind: String,
    pub message: String,
    pub source_term: Option<String>,
    pub target_term: Option<String>,
    /// Character offsets of the term concerned (in the source, or in the translation for a
    /// wrong target term).
    pub start: Option<usize>,
    pub end: Option<usize>,
    pub expected: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TermCheckResponse {
    pub terms: Vec<crate::http::wire::TermHitDto>,
    pub issues: Vec<TermIssueDto>,
}

#[utoipa::path(request_body = TermCheckRequest, responses((status = 200, body = TermCheckResponse)), tag = "terms")]
#[post("/api/v1/terms/check")]
pub async fn check(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TermCheckRequest>,
) -> Result<HttpResponse, ApiError> {
    authorize(&req, &state, Scope::Read, None).await?;
    let body = body.into_inner();
    let limit = state.config.max_text_chars;
    if body.source.chars().count() > limit || body.translation.chars().count() > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "text_too_long",
            format!("at most {limit} characters each"),
        ));
    }
    if body.termbases.is_empty() {
        return Err(ApiError::bad_request("no_termbases", "name at least one term base"));
    }
    let (hits, issues) = blocking(&state, move |store, _| {
        let checker =
            TermChecker::from_store(store, &body.termbases, &body.source_lang, &body.target_lang)?;
        Ok(checker.check(&body.source, &body.translation))
    })
    .await?;
    let issues = issues
        .into_iter()
        .map(|i| {
            let at = i.target.as_ref().or(i.source.as_ref());
            TermIssueDto {
                kind: i.kind.code().into(),
                message: i.message.clone(),
                source_term: i.source.as_ref().map(|h| h.term.clone()),
                target_term: i.target.as_ref().map(|h| h.term.clone()),
                start: at.map(|h| h.start),
                end: at.map(|h| h.end),
                expected: i.expected,
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .json(TermCheckResponse { terms: hits.into_iter().map(Into::into).collect(), issues }))
}
