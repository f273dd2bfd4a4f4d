//! The HTTP server: the native JSON API under /api/v1, the tmserver/amaGama and MyMemory
//! protocols, health, metrics and OpenAPI. The only module that knows actix and JSON on the
//! wire; handlers are thin and run store work off the async executor.

mod auth;
pub mod config;
pub mod error;
mod jobs;
mod lookup_pool;
mod metrics;
mod openapi;
mod routes;
pub mod state;
/// Public so that the fuzz targets (fuzz/) can deserialize the request bodies.
pub mod wire;

use std::time::{Duration, Instant};

use actix_web::body::BoxBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpServer};

pub use config::{ConfigFlags, ServeConfig};
use error::ApiError;
pub use openapi::document as openapi_document;
pub use state::AppState;

use crate::text::Segmenter;

/// Registers every route, the JSON limits and their errors on an app.
pub fn configure(state: web::Data<AppState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        let max_json = state.config.max_json_bytes;
        cfg.app_data(state)
            .app_data(web::JsonConfig::default().limit(max_json).error_handler(json_error))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                ApiError::bad_request("bad_query", format!("bad query parameters: {e}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                ApiError::not_found("bad_path", format!("bad path: {e}")).into()
            }))
            .service(routes::meta::health)
            .service(routes::meta::metrics)
            .service(routes::meta::openapi)
            .service(routes::suggest::suggest)
            .service(routes::memories::list)
            .service(routes::memories::create)
            .service(routes::memories::list_units)
            .service(routes::memories::concordance)
            .service(routes::memories::create_unit)
            .service(routes::memories::get_unit)
            .service(routes::memories::update_unit)
            .service(routes::memories::delete_unit)
            .service(routes::transfer::import)
            .service(routes::transfer::export)
            .service(routes::memories::show)
            .service(routes::memories::update)
            .service(routes::memories::remove)
            .service(routes::transfer::job_status)
            .service(routes::terms::list)
            .service(routes::terms::create)
            .service(routes::terms::search)
            .service(routes::terms::bulk_status)
            .service(routes::terms::create_concept)
            .service(routes::terms::history)
            .service(routes::terms::get_concept)
            .service(routes::terms::update_concept)
            .service(routes::terms::delete_concept)
            .service(routes::terms::remove)
            .service(routes::terms::check)
            .route("/tmserver/languages", web::get().to(routes::tmserver::languages))
            .route("/tmserver/languages/", web::get().to(routes::tmserver::languages))
            .route("/tmserver/{src}/{tgt}/unit/{text:.*}", web::get().to(routes::tmserver::unit))
            .route("/get", web::get().to(routes::mymemory::get))
            .route("/set", web::get().to(routes::mymemory::set))
            .route("/delete_by_id", web::get().to(routes::mymemory::delete_by_id))
            .default_service(web::to(|| async {
                Err::<actix_web::HttpResponse, _>(ApiError::not_found(
                    "no_such_route",
                    "no such endpoint",
                ))
            }));
    }
}

fn json_error(
    err: actix_web::error::JsonPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let e = match &err {
        J::OverflowKnownLength { length, limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is {length} bytes; at most {limit}"),
        ),
        J::Overflow { limit } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than {limit} bytes"),
        ),
        J::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "the body must be JSON (Content-Type: application/json)",
        ),
        J::Deserialize(d) => {
            ApiError::bad_request("bad_json", format!("the JSON body is not valid here: {d}"))
        }
        other => ApiError::bad_request("bad_body", format!("the body could not be read: {other}")),
    };
    e.into()
}

/// The app as `main` and the tests build it.
pub fn create_app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let for_wrap = state.clone();
    // Times each request for the metrics, and answers 503 when it runs past the limit.
    App::new().configure(configure(state)).wrap_fn(move |req: ServiceRequest, srv| {
        let state = for_wrap.clone();
        let started = Instant::now();
        let limit = Duration::from_secs(state.config.request_timeout_secs.max(1));
        let call = srv.call(req);
        async move {
            let outcome = match tokio::time::timeout(limit, call).await {
                Ok(result) => result,
                Err(_) => Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "timeout",
                    "the request took longer than allowed",
                )
                .into()),
            };
            let seconds = started.elapsed().as_secs_f64();
            match &outcome {
                Ok(res) => {
                    let route =
                        res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
                    state.metrics.record(&route, res.status().as_u16(), seconds);
                }
                Err(e) => state.metrics.record(
                    "error",
                    e.as_response_error().status_code().as_u16(),
                    seconds,
                ),
            }
            outcome
        }
    })
}

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Segmentation(#[from] crate::text::SegmentError),
    #[error("cannot listen on {bind}: {source}")]
    Bind { bind: String, source: std::io::Error },
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("importing the demo samples: {0}")]
    Demo(String),
}

/// The shared state for a configuration: database, segmentation rules, demo data.
pub fn prepare(config: ServeConfig) -> Result<web::Data<AppState>, ServeError> {
    let segmenter = match &config.srx {
        Some(path) => Segmenter::from_srx_file(path)?,
        None => Segmenter::default_rules(),
    };
    let demo = config.demo;
    let state = web::Data::new(AppState::new(config, segmenter)?);
    if demo {
        let mut store = state.pool.get()?;
        crate::demo::load_demo(&mut store).map_err(ServeError::Demo)?;
    }
    Ok(state)
}

/// Runs the server until SIGINT or SIGTERM, then finishes the requests in flight.
pub async fn serve(state: web::Data<AppState>) -> Result<(), ServeError> {
    let bind = state.config.bind.clone();
    let workers = state.config.workers;
    let for_app = state.clone();
    let mut server = HttpServer::new(move || create_app(for_app.clone()))
        .bind(&bind)
        .map_err(|source| ServeError::Bind { bind: bind.clone(), source })?
        .shutdown_timeout(30);
    if workers > 0 {
        server = server.workers(workers);
    }
    for addr in server.addrs() {
        eprintln!("tmbase {} listening on http://{addr}", env!("CARGO_PKG_VERSION"));
    }
    server.run().await?;
    // No request runs now: indexes that edits moved on are saved for the next start.
    match state.pool.get() {
        Ok(store) => state.indexes.save_changed(&store),
        Err(e) => eprintln!("could not save the changed indexes: {e}"),
    }
    eprintln!("tmbase stopped");
    Ok(())
}

/// Starts the async runtime and runs the server on it until it stops.
pub fn run_server(config: ServeConfig) -> Result<(), ServeError> {
    let state = prepare(config)?;
    actix_web::rt::System::new().block_on(serve(state))
}
