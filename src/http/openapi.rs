//! The OpenAPI 3 document of the native API, generated from the handlers' annotations.
//! A copy is committed as docs/openapi.json; tests/openapi.rs checks that it is current.

use utoipa::OpenApi;

use super::routes::{memories, meta, suggest, terms, transfer};

#[derive(OpenApi)]
#[openapi(
    info(title = "tmbase", description = "Translation memory and term base server"),
    paths(
        meta::health,
        meta::metrics,
        suggest::suggest,
        memories::list,
        memories::create,
        memories::show,
        memories::update,
        memories::remove,
        memories::list_units,
        memories::get_unit,
        memories::create_unit,
        memories::update_unit,
        memories::delete_unit,
        memories::concordance,
        transfer::import,
        transfer::job_status,
        transfer::export,
        terms::list,
        terms::create,
        terms::remove,
        terms::create_concept,
        terms::get_concept,
        terms::update_concept,
        terms::delete_concept,
        terms::history,
        terms::search,
        terms::bulk_status,
        terms::check,
    ),
    components(schemas(super::error::Problem)),
    tags(
        (name = "suggest", description = "Matches and terms for new source text"),
        (name = "memories", description = "Translation memories"),
        (name = "units", description = "Units of a memory, and concordance"),
        (name = "transfer", description = "TMX import and export"),
        (name = "terms", description = "Term bases, concepts, terms and term QA"),
        (name = "meta", description = "Health, metrics"),
    )
)]
struct ApiDoc;

/// The document as pretty-printed JSON.
pub fn document() -> String {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc.to_pretty_json().unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
