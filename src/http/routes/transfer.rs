//! TMX in and out over HTTP: an import is streamed to a temporary file and run as a job;
//! an export is streamed as it is written.

use std::io::Write;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::blocking;
use crate::export::{export_tmx, ExportOptions};
use crate::http::auth::authorize;
use crate::http::error::ApiError;
use crate::http::jobs::{Job, JobState};
use crate::http::state::AppState;
use crate::http::wire::{ExportParams, ImportParams, ImportReportDto, JobAccepted, JobDto};
use crate::import::{import_tmx_file, ImportOptions};
use crate::store::{DuplicatePolicy, Scope};

const ACCEPTED_TYPES: &[&str] = &[
    "application/xml",
    "text/xml",
    "application/x-tmx+xml",
    "application/octet-stream",
    "application/gzip",
    "application/x-gzip",
];

#[utoipa::path(
    params(ImportParams),
    request_body(content = String, description = "The TMX file (plain or gzip)", content_type = "application/xml"),
    responses(
        (status = 202, body = JobAccepted),
        (status = 400, body = crate::http::error::Problem),
        (status = 413, body = crate::http::error::Problem),
        (status = 415, body = crate::http::error::Problem),
    ),
    tag = "transfer"
)]
#[post("/api/v1/memories/{name}/import")]
pub async fn import(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    params: web::Query<ImportParams>,
    mut body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    authorize(&req, &state, Scope::Write, Some(&name)).await?;
    let policy = match params.on_duplicate.as_deref().unwrap_or("skip") {
        "skip" => DuplicatePolicy::Skip,
        "overwrite" => DuplicatePolicy::Overwrite,
        "keep" => DuplicatePolicy::Keep,
        other => {
            return Err(ApiError::bad_request(
                "bad_on_duplicate",
                format!("on_duplicate {other:?}: use skip, overwrite or keep"),
            ))
        }
    };
    if let Some(ct) = req.headers().get("content-type").and_then(|v| v.to_str().ok()) {
        let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !ACCEPTED_TYPES.contains(&essence.as_str()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("a TMX upload is XML (or gzip), not {essence}"),
            ));
        }
    }
    let path =
        std::env::temp_dir().join(format!("tmbase-upload-{}-{}.tmx", std::process::id(), unique()));
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let file_path = path.clone();
    let writer = web::block(move || -> std::io::Result<u64> {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&file_path)?);
        let mut total = 0;
        while let Some(chunk) = rx.blocking_recv() {
            file.write_all(&chunk)?;
            total += chunk.len() as u64;
        }
        file.flush()?;
        Ok(total)
    });
    let limit = state.config.max_import_bytes;
    let mut received: u64 = 0;
    let mut upload_error = None;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(chunk) => {
                received += chunk.len() as u64;
                if received > limit {
                    upload_error = Some(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "import_too_large",
                        format!("the upload is larger than {limit} bytes"),
                    ));
                    break;
                }
                if tx.send(chunk).await.is_err() {
                    break;
                }
            }
            Err(e) => {
                upload_error = Some(ApiError::bad_request(
                    "upload_failed",
                    format!("the upload broke off: {e}"),
                ));
                break;
            }
        }
    }
    drop(tx);
    let written = writer.await;
    let cleanup = |e: ApiError| {
        let _ = std::fs::remove_file(&path);
        e
    };
    if let Some(e) = upload_error {
        return Err(cleanup(e));
    }
    let written = match written {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return Err(cleanup(ApiError::internal(format!("saving the upload: {e}")))),
        Err(e) => return Err(cleanup(ApiError::internal(e))),
    };
    if written == 0 {
        return Err(cleanup(ApiError::bad_request(
            "empty_body",
            "the request has no TMX in its body",
        )));
    }
    let job = state.jobs.start(&name, written);
    let st = state.clone();
    let job_for_thread = job.clone();
    std::thread::spawn(move || run_import(st, job_for_thread, path, policy));
    let url = format!("/api/v1/jobs/{}", job.id);
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", url.clone()))
        .json(JobAccepted { job_id: job.id, status_url: url }))
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn run_import(
    state: web::Data<AppState>,
    job: Arc<Job>,
    path: std::path::PathBuf,
    policy: DuplicatePolicy,
) {
    let mut options = ImportOptions::new(job.memory.clone());
    options.on_duplicate = policy;
    let outcome = (|| -> Result<_, String> {
        let mut store = state.pool.get().map_err(|e| e.to_string())?;
        let report = import_tmx_file(&mut store, &path, &options, &job.progress).map_err(|e| {
            // The message names the temporary file; say "the upload" instead.
            e.to_string().replace(&path.display().to_string(), "upload")
        })?;
        if report.added + report.updated > 0 {
            state.indexes.rebuild_memory(&store, &job.memory).map_err(|e| e.to_string())?;
        }
        Ok(report)
    })();
    let _ = std::fs::remove_file(&path);
    job.finish(match outcome {
        Ok(report) => JobState::Done(Box::new(report)),
        Err(message) => JobState::Failed(message),
    });
}

#[utoipa::path(responses((status = 200, body = JobDto), (status = 404, body = crate::http::error::Problem)), tag = "transfer")]
#[get("/api/v1/jobs/{id}")]
pub async fn job_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<u64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let job = state
        .jobs
        .get(id)
        .ok_or_else(|| ApiError::not_found("job_not_found", format!("no job {id}")))?;
    authorize(&req, &state, Scope::Read, Some(&job.memory)).await?;
    use std::sync::atomic::Ordering;
    let (state_name, report, error) = match job.state() {
        JobState::Running => ("running", None, None),
        JobState::Done(r) => ("done", Some(ImportReportDto::from(r.as_ref())), None),
        JobState::Failed(e) => ("failed", None, Some(e)),
    };
    Ok(HttpResponse::Ok().json(JobDto {
        id,
        memory: job.memory.clone(),
        state: state_name.into(),
        bytes_total: job.file_bytes,
        bytes_read: job.progress.bytes.load(Ordering::Relaxed),
        units_read: job.progress.units.load(Ordering::Relaxed),
        report,
        error,
    }))
}

/// A `Write` that hands 64 KiB chunks to the response stream.
struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

#[utoipa::path(params(ExportParams), responses((status = 200, description = "TMX 1.4b", content_type = "application/x-tmx+xml"), (status = 404, body = crate::http::error::Problem)), tag = "transfer")]
#[get("/api/v1/memories/{name}/export")]
pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
    params: web::Query<ExportParams>,
) -> Result<HttpResponse, ApiError> {
    let name = name.into_inner();
    authorize(&req, &state, Scope::Read, Some(&name)).await?;
    let check = name.clone();
    blocking(&state, move |store, _| Ok(store.require_memory(&check)?)).await?;
    let params = params.into_inner();
    let options =
        ExportOptions { memory: name.clone(), source: params.source, target: params.target };
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let st = state.clone();
    std::thread::spawn(move || {
        let writer = ChunkWriter { tx: tx.clone(), buf: Vec::with_capacity(64 * 1024) };
        let result = st.pool.get().map_err(|e| e.to_string()).and_then(|store| {
            export_tmx(&store, &options, writer).map(|_| ()).map_err(|e| e.to_string())
        });
        if let Err(e) = result {
            tracing::error!("export of {:?} failed: {e}", options.memory);
            let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
        }
    });
    let stream =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|item| (item, rx)) },
        );
    let file_name: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type("application/x-tmx+xml; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{file_name}.tmx\"")))
        .streaming(stream))
}
