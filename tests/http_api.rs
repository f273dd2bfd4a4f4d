//! The HTTP API in process: every endpoint, its errors, and the access rules.

mod support;

use actix_web::http::StatusCode;
use actix_web::{test, web};
use serde_json::{json, Value};
use support::{add_units, unit};
use tmbase::http::{create_app, AppState, ServeConfig};
use tmbase::store::{Scope, Store};
use tmbase::text::Segmenter;

struct Env {
    _dir: tempfile::TempDir,
    state: web::Data<AppState>,
    read: String,
    write: String,
    admin: String,
    other_memory_writer: String,
}

fn env_with(config: impl FnOnce(&mut ServeConfig)) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("api.db");
    let mut store = Store::open(&db).unwrap();
    add_units(
        &mut store,
        "news",
        &[
            unit(
                "Переговоры России и США прошли в Женеве.",
                "Russia and the US held talks in Geneva.",
            ),
            unit("Встреча НАТО прошла в Брюсселе.", "The NATO meeting took place in Brussels."),
            unit("Рост составил 3,5% в 1997 году.", "Growth was 3.5% in 1997."),
        ],
    );
    store.create_memory("other").unwrap();
    let (_, read) = store.create_api_key("reader", Scope::Read, None).unwrap();
    let (_, write) = store.create_api_key("editor", Scope::Write, None).unwrap();
    let (_, admin) = store.create_api_key("boss", Scope::Admin, None).unwrap();
    let (_, other_memory_writer) =
        store.create_api_key("other-only", Scope::Write, Some("other")).unwrap();
    drop(store);
    let mut c = ServeConfig { db, ..ServeConfig::default() };
    config(&mut c);
    let state = web::Data::new(AppState::new(c, Segmenter::default_rules()).unwrap());
    Env { _dir: dir, state, read, write, admin, other_memory_writer }
}

fn env() -> Env {
    env_with(|_| {})
}

/// Sends a request; returns the status and the body parsed as JSON (or as a JSON string).
async fn call(
    env: &Env,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let app = test::init_service(create_app(env.state.clone())).await;
    let mut req = match method {
        "GET" => test::TestRequest::get(),
        "POST" => test::TestRequest::post(),
        "PUT" => test::TestRequest::put(),
        "PATCH" => test::TestRequest::patch(),
        "DELETE" => test::TestRequest::delete(),
        _ => unreachable!(),
    }
    .uri(&encode_uri(path));
    if let Some(k) = key {
        req = req.insert_header(("Authorization", format!("Bearer {k}")));
    }
    if let Some(b) = body {
        req = req.set_json(b);
    }
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let bytes = test::read_body(res).await;
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

/// Percent-encodes the non-ASCII characters of a path and query, as a client would.
fn encode_uri(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            for b in c.to_string().bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

async fn raw(env: &Env, req: test::TestRequest) -> (StatusCode, String, Option<String>) {
    let app = test::init_service(create_app(env.state.clone())).await;
    let res = test::call_service(&app, req.to_request()).await;
    let status = res.status();
    let ct = res.headers().get("content-type").map(|v| v.to_str().unwrap().to_string());
    let bytes = test::read_body(res).await;
    (status, String::from_utf8_lossy(&bytes).into_owned(), ct)
}

fn suggest_body(text: &str) -> Value {
    json!({"text": text, "source_lang": "ru", "target_lang": "en"})
}

#[actix_web::test]
async fn health_and_openapi() {
    let e = env();
    let (s, v) = call(&e, "GET", "/health", None, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "ok");
    let (s, v) = call(&e, "GET", "/openapi.json", None, None).await;
    assert_eq!(s, 200);
    assert!(v["paths"]["/api/v1/suggest"]["post"].is_object(), "{v}");
}

#[actix_web::test]
async fn suggest_segments_text_and_returns_scored_matches() {
    let e = env();
    let (s, v) = call(
        &e,
        "POST",
        "/api/v1/suggest",
        None,
        Some(suggest_body(
            "Переговоры России и США прошли в Вене. Рост составил 4,2% в 2022 году.",
        )),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let segs = v["segments"].as_array().unwrap();
    assert_eq!(segs.len(), 2);
    assert_eq!((segs[0]["start"].as_u64(), segs[0]["end"].as_u64()), (Some(0), Some(38)));
    assert_eq!(segs[1]["start"], 39);
    let m = &segs[0]["matches"][0];
    assert_eq!(m["score"], 85);
    assert_eq!(m["memory"], "news");
    assert_eq!(m["diff"][0]["kind"], "replaced");
    let adjusted = &segs[1]["matches"][0];
    assert_eq!(adjusted["target"], "Growth was 4.2% in 2022.");
    assert_eq!(adjusted["numbers_adjusted"], true);
}

#[actix_web::test]
async fn suggest_batch_and_limits() {
    let e = env_with(|c| {
        c.max_batch = 2;
        c.max_text_chars = 50;
        c.max_json_bytes = 2000;
    });
    let body = json!({"texts": ["Встреча НАТО прошла в Брюсселе.", "Нет"], "source_lang": "ru", "target_lang": "en"});
    let (s, v) = call(&e, "POST", "/api/v1/suggest", None, Some(body)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"].as_array().unwrap().len(), 2);
    assert_eq!(v["results"][0]["segments"][0]["matches"][0]["score"], 100);

    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"texts": ["a", "b", "c"], "source_lang": "ru", "target_lang": "en"}),
            413,
            "batch_too_large",
        ),
        (suggest_body(&"я".repeat(51)), 413, "text_too_long"),
        (json!({"source_lang": "ru", "target_lang": "en"}), 400, "text_or_texts"),
        (
            json!({"text": "a", "source_lang": "ru", "target_lang": "en", "max_results": 0}),
            400,
            "bad_max_results",
        ),
        (
            json!({"text": "a", "source_lang": "ru", "target_lang": "en", "min_score": 500}),
            400,
            "bad_min_score",
        ),
        (json!({"text": "a", "source_lang": "", "target_lang": "en"}), 400, "bad_language"),
        (json!({"text": "a", "target_lang": "en"}), 400, "bad_json"),
        (
            json!({"text": "a", "source_lang": "ru", "target_lang": "en", "colour": 1}),
            400,
            "bad_json",
        ),
        (
            json!({"text": "a", "source_lang": "ru", "target_lang": "en", "memories": ["nope"]}),
            404,
            "memory_not_found",
        ),
        (
            json!({"text": "x".repeat(3000), "source_lang": "ru", "target_lang": "en"}),
            413,
            "body_too_large",
        ),
    ];
    for (body, status, code) in cases {
        let (s, v) = call(&e, "POST", "/api/v1/suggest", None, Some(body.clone())).await;
        assert_eq!((s.as_u16(), v["code"].as_str().unwrap_or("")), (status, code), "{body} → {v}");
    }
    let (s, body, ct) = raw(
        &e,
        test::TestRequest::post()
            .uri("/api/v1/suggest")
            .insert_header(("content-type", "text/plain"))
            .set_payload("{}"),
    )
    .await;
    assert_eq!(s, 415, "{body}");
    assert_eq!(ct.as_deref(), Some("application/problem+json"));
}

#[actix_web::test]
async fn memories_crud_and_conflicts() {
    let e = env();
    let (s, v) = call(&e, "GET", "/api/v1/memories", None, None).await;
    assert_eq!(s, 200);
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (s, v) =
        call(&e, "POST", "/api/v1/memories", Some(&e.write), Some(json!({"name": "fresh"}))).await;
    assert_eq!((s.as_u16(), v["name"].as_str()), (201, Some("fresh")));
    let (s, v) =
        call(&e, "POST", "/api/v1/memories", Some(&e.write), Some(json!({"name": "fresh"}))).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (409, Some("memory_exists")));
    let (s, v) = call(&e, "GET", "/api/v1/memories/news", None, None).await;
    assert_eq!((s.as_u16(), v["units"].as_u64()), (200, Some(3)));
    let (s, v) = call(&e, "GET", "/api/v1/memories/none", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (404, Some("memory_not_found")));
    let (s, v) = call(
        &e,
        "PATCH",
        "/api/v1/memories/fresh",
        Some(&e.write),
        Some(json!({"name": "renamed", "penalty": 3})),
    )
    .await;
    assert_eq!(
        (s.as_u16(), v["name"].as_str(), v["penalty"].as_i64()),
        (200, Some("renamed"), Some(3))
    );
    let (s, v) = call(
        &e,
        "PATCH",
        "/api/v1/memories/renamed",
        Some(&e.write),
        Some(json!({"name": "news"})),
    )
    .await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (409, Some("memory_exists")));
    let (s, _) = call(&e, "DELETE", "/api/v1/memories/renamed", Some(&e.write), None).await;
    assert_eq!(s, 403, "deleting a memory needs admin");
    let (s, _) = call(&e, "DELETE", "/api/v1/memories/renamed", Some(&e.admin), None).await;
    assert_eq!(s, 204);
    let (s, _) = call(&e, "GET", "/api/v1/memories/renamed", None, None).await;
    assert_eq!(s, 404);
}

#[actix_web::test]
async fn memory_penalty_changes_scores_at_once() {
    let e = env();
    let q = suggest_body("Встреча НАТО прошла в Брюсселе.");
    let (_, v) = call(&e, "POST", "/api/v1/suggest", None, Some(q.clone())).await;
    assert_eq!(v["segments"][0]["matches"][0]["score"], 100);
    call(&e, "PATCH", "/api/v1/memories/news", Some(&e.write), Some(json!({"penalty": 4}))).await;
    let (_, v) = call(&e, "POST", "/api/v1/suggest", None, Some(q)).await;
    assert_eq!(v["segments"][0]["matches"][0]["score"], 96);
}

fn unit_body(ru: &str, en: &str) -> Value {
    json!({"tuid": "t1", "variants": [{"lang": "ru", "text": ru}, {"lang": "en", "text": en}]})
}

#[actix_web::test]
async fn units_crud_keeps_index_and_change_stamps_current() {
    let e = env();
    let new = "Санкции обсуждались на встрече министров.";
    let (s, created) = call(
        &e,
        "POST",
        "/api/v1/memories/news/units",
        Some(&e.write),
        Some(unit_body(new, "Sanctions were discussed.")),
    )
    .await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["changed_by"], "editor");
    assert!(created["changed_at"].as_str().unwrap().ends_with('Z'));
    let id = created["id"].as_i64().unwrap();

    let (_, v) = call(&e, "POST", "/api/v1/suggest", None, Some(suggest_body(new))).await;
    assert_eq!(v["segments"][0]["matches"][0]["unit_id"], id, "a new unit is found at once");

    let (s, v) = call(
        &e,
        "PUT",
        &format!("/api/v1/memories/news/units/{id}"),
        Some(&e.write),
        Some(unit_body(new, "Sanctions were on the agenda.")),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["created_at"], created["created_at"], "an update keeps the creation stamp");
    let (_, v) = call(&e, "POST", "/api/v1/suggest", None, Some(suggest_body(new))).await;
    assert_eq!(v["segments"][0]["matches"][0]["target"], "Sanctions were on the agenda.");

    let (s, v) = call(&e, "GET", &format!("/api/v1/memories/news/units/{id}"), None, None).await;
    assert_eq!((s.as_u16(), v["variants"][0]["lang"].as_str()), (200, Some("ru")));

    let (s, _) =
        call(&e, "DELETE", &format!("/api/v1/memories/news/units/{id}"), Some(&e.write), None)
            .await;
    assert_eq!(s, 204);
    let (_, v) = call(&e, "POST", "/api/v1/suggest", None, Some(suggest_body(new))).await;
    assert!(
        v["segments"][0]["matches"].as_array().unwrap().is_empty(),
        "a deleted unit is gone from lookups: {v}"
    );
    let (s, v) = call(&e, "GET", &format!("/api/v1/memories/news/units/{id}"), None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (404, Some("unit_not_found")));
    let (s, _) = call(&e, "DELETE", "/api/v1/memories/other/units/1", Some(&e.write), None).await;
    assert_eq!(s, 404, "unit 1 is not in the memory other");

    let (s, v) = call(
        &e,
        "POST",
        "/api/v1/memories/news/units",
        Some(&e.write),
        Some(json!({"variants": [{"lang": "ru", "text": "одна"}]})),
    )
    .await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (422, Some("bad_unit")));
    let (s, v) = call(&e, "POST", "/api/v1/memories/news/units", Some(&e.write), Some(json!({"variants": [{"lang": "ru", "text": "a", "markup": "<bpt"}, {"lang": "en", "text": "b"}]}))).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (422, Some("bad_unit")));
}

#[actix_web::test]
async fn unit_listing_pages_with_a_cursor_and_filters() {
    let e = env();
    let (s, v) = call(&e, "GET", "/api/v1/memories/news/units?limit=2", None, None).await;
    assert_eq!(s, 200);
    assert_eq!(v["units"].as_array().unwrap().len(), 2);
    let cursor = v["next_cursor"].as_str().unwrap().to_string();
    let (_, v) = call(
        &e,
        "GET",
        &format!("/api/v1/memories/news/units?limit=2&cursor={cursor}"),
        None,
        None,
    )
    .await;
    assert_eq!(v["units"].as_array().unwrap().len(), 1);
    assert!(v["next_cursor"].is_null());
    let (_, v) = call(&e, "GET", "/api/v1/memories/news/units?lang=de", None, None).await;
    assert_eq!(v["units"].as_array().unwrap().len(), 0);
    call(&e, "POST", "/api/v1/memories/news/units", Some(&e.write), Some(unit_body("Да.", "Yes.")))
        .await;
    let (_, v) = call(&e, "GET", "/api/v1/memories/news/units?author=editor", None, None).await;
    assert_eq!(v["units"].as_array().unwrap().len(), 1);
    let (_, v) =
        call(&e, "GET", "/api/v1/memories/news/units?changed_since=2020-01-01", None, None).await;
    assert_eq!(v["units"].as_array().unwrap().len(), 1);
    let (s, v) = call(&e, "GET", "/api/v1/memories/news/units?cursor=zzz", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (400, Some("bad_cursor")));
    let (s, v) = call(&e, "GET", "/api/v1/memories/news/units?limit=100000", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (400, Some("bad_limit")));
}

#[actix_web::test]
async fn concordance_is_case_and_yo_insensitive_with_highlights() {
    let e = env();
    call(
        &e,
        "POST",
        "/api/v1/memories/news/units",
        Some(&e.write),
        Some(unit_body("Ёлка стоит у ПОСОЛЬСТВА.", "A fir tree.")),
    )
    .await;
    let (s, v) =
        call(&e, "GET", "/api/v1/memories/news/concordance?q=елка%20стоит&lang=ru", None, None)
            .await;
    assert_eq!(s, 200, "{v}");
    let hit = &v["hits"][0];
    assert_eq!(hit["text"], "Ёлка стоит у ПОСОЛЬСТВА.");
    assert_eq!(
        (hit["highlights"][0]["start"].as_u64(), hit["highlights"][0]["end"].as_u64()),
        (Some(0), Some(10))
    );
    assert_eq!(hit["other_variants"][0]["text"], "A fir tree.");
    let (_, v) =
        call(&e, "GET", "/api/v1/memories/news/concordance?q=прошл&limit=1", None, None).await;
    assert_eq!(v["hits"].as_array().unwrap().len(), 1);
    let cursor = v["next_cursor"].as_str().unwrap().to_string();
    let (_, v2) = call(
        &e,
        "GET",
        &format!("/api/v1/memories/news/concordance?q=прошл&limit=1&cursor={cursor}"),
        None,
        None,
    )
    .await;
    assert_ne!(v2["hits"][0]["unit_id"], v["hits"][0]["unit_id"]);
    let (_, v) = call(&e, "GET", "/api/v1/memories/news/concordance?q=Geneva", None, None).await;
    assert_eq!(v["hits"][0]["lang"], "en-US", "targets are searched too");
    let (s, v) = call(&e, "GET", "/api/v1/memories/news/concordance?q=%20", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (400, Some("empty_query")));
}

async fn wait_for_job(e: &Env, id: u64) -> Value {
    for _ in 0..200 {
        let (_, v) = call(e, "GET", &format!("/api/v1/jobs/{id}"), None, None).await;
        if v["state"] != "running" {
            return v;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("job {id} did not finish");
}

#[actix_web::test]
async fn import_runs_as_a_job_and_export_streams_tmx() {
    let e = env();
    let tmx = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ru-en-small.tmx"))
        .unwrap();
    let req = test::TestRequest::post()
        .uri("/api/v1/memories/imported/import")
        .insert_header(("Authorization", format!("Bearer {}", e.write)))
        .insert_header(("content-type", "application/xml"))
        .set_payload(tmx);
    let (s, body, _) = raw(&e, req).await;
    assert_eq!(s, 202, "{body}");
    let accepted: Value = serde_json::from_str(&body).unwrap();
    let job = wait_for_job(&e, accepted["job_id"].as_u64().unwrap()).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["report"]["added"], 4);
    assert_eq!(job["report"]["skipped"], 1);
    assert_eq!(job["report"]["problems"][0]["line"], 27);

    let (s, body, ct) = raw(
        &e,
        test::TestRequest::get().uri("/api/v1/memories/imported/export?source=ru&target=en"),
    )
    .await;
    assert_eq!(s, 200);
    assert!(ct.unwrap().starts_with("application/x-tmx+xml"));
    assert!(body.contains("<tmx version=\"1.4\">") && body.ends_with("</tmx>\n"), "{body}");
    assert_eq!(body.matches("<tu ").count(), 4);

    // A broken file fails the job with its line and column; nothing of it is stored.
    let req = test::TestRequest::post()
        .uri("/api/v1/memories/imported/import")
        .insert_header(("Authorization", format!("Bearer {}", e.write)))
        .set_payload(
            "<tmx version=\"1.4\"><header/><body><tu><tuv xml:lang=\"ru\"><seg>a</seg></tuv>",
        );
    let (_, body, _) = raw(&e, req).await;
    let id = serde_json::from_str::<Value>(&body).unwrap()["job_id"].as_u64().unwrap();
    let job = wait_for_job(&e, id).await;
    assert_eq!(job["state"], "failed");
    let error = job["error"].as_str().unwrap();
    assert!(error.contains("line 1") && !error.contains("/tmp"), "{error}");

    let (s, v) = call(&e, "GET", "/api/v1/memories/nope/export", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (404, Some("memory_not_found")));
    let (s, v) = call(&e, "GET", "/api/v1/jobs/999", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (404, Some("job_not_found")));
}

#[actix_web::test]
async fn import_limits_and_media_types() {
    let e = env_with(|c| c.max_import_bytes = 100);
    let post = |body: &'static str, ct: &'static str| {
        test::TestRequest::post()
            .uri("/api/v1/memories/m/import")
            .insert_header(("Authorization", format!("Bearer {}", e.write)))
            .insert_header(("content-type", ct))
            .set_payload(body)
    };
    let (s, body, _) = raw(&e, post("", "application/xml")).await;
    assert_eq!(s, 400, "{body}");
    assert!(body.contains("empty_body"));
    let (s, body, _) = raw(&e, post("x", "image/png")).await;
    assert_eq!(s, 415, "{body}");
    let big: &'static str = Box::leak("x".repeat(200).into_boxed_str());
    let (s, body, _) = raw(&e, post(big, "application/xml")).await;
    assert_eq!(s, 413, "{body}");
    assert!(body.contains("import_too_large"));
}

/// Every native endpoint, with the scope it needs.
fn endpoints() -> Vec<(&'static str, &'static str, Option<Value>, Scope)> {
    vec![
        ("POST", "/api/v1/suggest", Some(suggest_body("Да")), Scope::Read),
        ("GET", "/api/v1/memories", None, Scope::Read),
        ("GET", "/api/v1/memories/news", None, Scope::Read),
        ("GET", "/api/v1/memories/news/units", None, Scope::Read),
        ("GET", "/api/v1/memories/news/units/1", None, Scope::Read),
        ("GET", "/api/v1/memories/news/concordance?q=НАТО", None, Scope::Read),
        ("GET", "/api/v1/memories/news/export", None, Scope::Read),
        ("POST", "/api/v1/memories", Some(json!({"name": "n2"})), Scope::Write),
        ("PATCH", "/api/v1/memories/news", Some(json!({"penalty": 1})), Scope::Write),
        ("POST", "/api/v1/memories/news/units", Some(unit_body("a", "b")), Scope::Write),
        ("PUT", "/api/v1/memories/news/units/1", Some(unit_body("a", "b")), Scope::Write),
        ("DELETE", "/api/v1/memories/news/units/2", None, Scope::Write),
        ("DELETE", "/api/v1/memories/other", None, Scope::Admin),
    ]
}

#[actix_web::test]
async fn every_endpoint_checks_keys_and_scopes() {
    for (method, path, body, needed) in endpoints() {
        let e = env();
        // No key: reading is open by default, writing is not.
        let (s, v) = call(&e, method, path, None, body.clone()).await;
        if needed == Scope::Read {
            assert!(s.is_success(), "{method} {path} without a key: {s} {v}");
        } else {
            assert_eq!(
                (s.as_u16(), v["code"].as_str()),
                (401, Some("key_required")),
                "{method} {path}"
            );
        }
        // A wrong key is refused everywhere.
        let (s, v) = call(&e, method, path, Some("tmb_0000000000000000wrong"), body.clone()).await;
        assert_eq!((s.as_u16(), v["code"].as_str()), (401, Some("key_invalid")), "{method} {path}");
        // A key of too small a scope is refused.
        let weaker = match needed {
            Scope::Read => None,
            Scope::Write => Some(&e.read),
            Scope::Admin => Some(&e.write),
        };
        if let Some(k) = weaker {
            let (s, v) = call(&e, method, path, Some(k), body.clone()).await;
            assert_eq!(
                (s.as_u16(), v["code"].as_str()),
                (403, Some("scope_insufficient")),
                "{method} {path}"
            );
        }
        // A key limited to another memory is refused for this one.
        if needed != Scope::Admin && path.contains("/news") {
            let (s, _) = call(&e, method, path, Some(&e.other_memory_writer), body.clone()).await;
            assert_eq!(s, 403, "{method} {path} with a key for another memory");
        }
        // The right key works.
        let right = match needed {
            Scope::Read => &e.read,
            Scope::Write => &e.write,
            Scope::Admin => &e.admin,
        };
        let (s, v) = call(&e, method, path, Some(right), body.clone()).await;
        assert!(s.is_success(), "{method} {path} with a {needed:?} key: {s} {v}");
    }
}

#[actix_web::test]
async fn reading_can_require_a_key() {
    let e = env_with(|c| c.require_key_for_read = true);
    let (s, _) = call(&e, "GET", "/api/v1/memories", None, None).await;
    assert_eq!(s, 401);
    let (s, _) = call(&e, "GET", "/api/v1/memories", Some(&e.read), None).await;
    assert_eq!(s, 200);
    let (s, _) = call(&e, "GET", "/tmserver/ru/en/unit/x", None, None).await;
    assert_eq!(s, 401);
}

#[actix_web::test]
async fn tmserver_protocol() {
    let e = env();
    let path = "/tmserver/ru_RU/en/unit/%D0%92%D1%81%D1%82%D1%80%D0%B5%D1%87%D0%B0%20%D0%9D%D0%90%D0%A2%D0%9E%20%D0%BF%D1%80%D0%BE%D1%88%D0%BB%D0%B0%20%D0%B2%20%D0%91%D1%80%D1%8E%D1%81%D1%81%D0%B5%D0%BB%D0%B5.?max_candidates=3&min_similarity=60";
    let (s, v) = call(&e, "GET", path, None, None).await;
    assert_eq!(s, 200, "{v}");
    let first = &v[0];
    assert_eq!(first["source"], "Встреча НАТО прошла в Брюсселе.");
    assert_eq!(first["target"], "The NATO meeting took place in Brussels.");
    assert_eq!(first["quality"], 100.0);
    assert!(first["rank"].is_number());
    let (s, body, ct) =
        raw(&e, test::TestRequest::get().uri("/tmserver/languages/?jsoncallback=cb")).await;
    assert_eq!(s, 200);
    assert!(ct.unwrap().starts_with("application/javascript"));
    assert!(body.starts_with("cb({") && body.contains("\"ru_RU\""), "{body}");
    let (s, _) = call(&e, "GET", "/tmserver/languages", None, None).await;
    assert_eq!(s, 200, "trailing slash is optional");
    let (s, v) = call(&e, "GET", "/tmserver/languages/?callback=alert(1)", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (400, Some("bad_callback")));
    let (s, v) = call(&e, "GET", "/tmserver/pt_br/en/unit/ol%C3%A1/", None, None).await;
    assert_eq!((s, v), (StatusCode::OK, json!([])));
}

#[actix_web::test]
async fn mymemory_protocol() {
    let e = env();
    let (s, v) = call(&e, "GET", "/get?q=%D0%92%D1%81%D1%82%D1%80%D0%B5%D1%87%D0%B0%20%D0%9D%D0%90%D0%A2%D0%9E%20%D0%BF%D1%80%D0%BE%D1%88%D0%BB%D0%B0%20%D0%B2%20%D0%91%D1%80%D1%8E%D1%81%D1%81%D0%B5%D0%BB%D0%B5.&langpair=ru|en&numres=2", None, None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["responseStatus"], 200);
    assert_eq!(v["responseData"]["translatedText"], "The NATO meeting took place in Brussels.");
    assert_eq!(v["responseData"]["match"], 1.0);
    let m = &v["matches"][0];
    for key in [
        "id",
        "segment",
        "translation",
        "source",
        "target",
        "quality",
        "match",
        "usage-count",
        "created-by",
        "last-updated-by",
        "create-date",
        "last-update-date",
    ] {
        assert!(m.get(key).is_some(), "match lacks {key}: {m}");
    }
    let (_, v) = call(&e, "GET", "/get?q=x&langpair=ru", None, None).await;
    assert_eq!(v["responseStatus"], 403);

    let set = format!("/set?seg=%D0%94%D0%B0&tra=Yes&langpair=ru|en&key={}", e.write);
    let (s, v) = call(&e, "GET", &set, None, None).await;
    assert_eq!((s.as_u16(), v["responseStatus"].as_u64()), (200, Some(200)), "{v}");
    let id = v["id"].as_i64().unwrap();
    let (_, v) = call(&e, "GET", "/get?q=%D0%94%D0%B0&langpair=ru|en", None, None).await;
    assert_eq!(v["responseData"]["translatedText"], "Yes");
    let (_, v) = call(&e, "GET", "/set?seg=a&tra=b&langpair=ru|en", None, None).await;
    assert_eq!(v["responseStatus"], 401, "set needs a key");
    let (_, v) =
        call(&e, "GET", &format!("/delete_by_id?id={id}&key={}", e.read), None, None).await;
    assert_eq!(v["responseStatus"], 403, "a read key cannot delete");
    let (_, v) =
        call(&e, "GET", &format!("/delete_by_id?id={id}&key={}", e.write), None, None).await;
    assert_eq!(v["responseStatus"], 200);
    let (_, v) = call(&e, "GET", "/get?q=%D0%94%D0%B0&langpair=ru|en", None, None).await;
    assert_eq!(v["responseData"]["translatedText"], "");
}

#[actix_web::test]
async fn metrics_count_requests_by_route() {
    let e = env();
    call(&e, "GET", "/health", None, None).await;
    call(&e, "GET", "/api/v1/memories/none", None, None).await;
    let (s, body, _) = raw(&e, test::TestRequest::get().uri("/metrics")).await;
    assert_eq!(s, 200);
    assert!(
        body.contains("tmbase_http_requests_total{route=\"/health\",status=\"200\"} 1"),
        "{body}"
    );
    assert!(
        body.contains(
            "tmbase_http_requests_total{route=\"/api/v1/memories/{name}\",status=\"404\"} 1"
        ),
        "{body}"
    );
    assert!(body.contains("tmbase_memory_units{memory=\"news\"} 3"), "{body}");
}

#[actix_web::test]
async fn errors_never_leak_sql_or_paths() {
    let e = env();
    for (method, path) in [
        ("GET", "/api/v1/memories/%00"),
        ("GET", "/api/v1/memories/news/units/abc"),
        ("GET", "/nowhere"),
    ] {
        let (_, v) = call(&e, method, path, None, None).await;
        let text = v.to_string();
        assert!(
            !text.contains("SELECT") && !text.contains(".db") && !text.contains("/tmp"),
            "{path}: {text}"
        );
        assert!(v["code"].is_string(), "{path}: {text}");
    }
}

fn concept_body() -> Value {
    json!({
        "external_id": "nato",
        "subject_field": "international relations",
        "definition": "A military alliance of North American and European states.",
        "languages": [
            {"lang": "ru", "terms": [{"text": "НАТО", "status": "preferred", "match_mode": "case-sensitive"},
                                     {"text": "Североатлантический альянс", "status": "admitted"}]},
            {"lang": "en", "terms": [{"text": "NATO", "status": "preferred"},
                                     {"text": "North Atlantic Alliance", "status": "admitted"}]}
        ]
    })
}

#[actix_web::test]
async fn term_bases_concepts_search_history_and_status() {
    let e = env();
    let (s, v) =
        call(&e, "POST", "/api/v1/termbases", Some(&e.write), Some(json!({"name": "sec"}))).await;
    assert_eq!(s, 201, "{v}");
    let (s, v) =
        call(&e, "POST", "/api/v1/termbases", Some(&e.write), Some(json!({"name": "sec"}))).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (409, Some("termbase_exists")));
    let (s, created) =
        call(&e, "POST", "/api/v1/termbases/sec/concepts", Some(&e.write), Some(concept_body()))
            .await;
    assert_eq!(s, 201, "{created}");
    assert_eq!(created["created_by"], "editor");
    let (s, v) = call(&e, "GET", "/api/v1/termbases/sec/concepts/nato", None, None).await;
    assert_eq!((s.as_u16(), v["languages"][0]["terms"][0]["text"].as_str()), (200, Some("НАТО")));
    let (s, v) =
        call(&e, "GET", "/api/v1/termbases/sec/terms?q=североатл&lang=ru", None, None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v[0]["term"]["text"], "Североатлантический альянс");
    let (_, v) =
        call(&e, "GET", "/api/v1/termbases/sec/terms?q=атлант&mode=substring", None, None).await;
    assert_eq!(v.as_array().unwrap().len(), 1, "a substring, not a prefix: {v}");
    let (_, v) = call(&e, "GET", "/api/v1/termbases/sec/terms?q=атлант", None, None).await;
    assert_eq!(v.as_array().unwrap().len(), 0, "not a prefix: {v}");

    let mut changed = concept_body();
    changed["definition"] = json!("The North Atlantic Treaty Organization.");
    let (s, v) =
        call(&e, "PUT", "/api/v1/termbases/sec/concepts/nato", Some(&e.write), Some(changed)).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = call(&e, "GET", "/api/v1/termbases/sec/concepts/nato/history", None, None).await;
    assert_eq!(s, 200);
    let actions: Vec<&str> =
        v.as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"created") && actions.contains(&"updated"), "{v}");

    let (s, v) = call(
        &e,
        "POST",
        "/api/v1/termbases/sec/status",
        Some(&e.write),
        Some(json!({"status": "deprecated", "lang": "en", "current_status": "admitted"})),
    )
    .await;
    assert_eq!((s.as_u16(), v["changed"].as_u64()), (200, Some(1)), "{v}");
    let (s, v) = call(
        &e,
        "POST",
        "/api/v1/termbases/sec/concepts",
        Some(&e.write),
        Some(
            json!({"languages": [{"lang": "ru", "terms": [{"text": "x", "status": "sometimes"}]}]}),
        ),
    )
    .await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (422, Some("bad_concept")));
    let (s, v) = call(&e, "GET", "/api/v1/termbases/none/concepts/x", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (404, Some("termbase_not_found")));
    let (s, v) = call(&e, "GET", "/api/v1/termbases/sec/concepts/none", None, None).await;
    assert_eq!((s.as_u16(), v["code"].as_str()), (404, Some("concept_not_found")));

    // Suggest lists the terms of each segment, and sees term changes at once.
    let mut body = suggest_body("Встреча НАТО прошла в Брюсселе.");
    body["termbases"] = json!(["sec"]);
    let (_, v) = call(&e, "POST", "/api/v1/suggest", None, Some(body.clone())).await;
    let term = &v["segments"][0]["terms"][0];
    assert_eq!(
        (term["text"].as_str(), term["start"].as_u64(), term["end"].as_u64()),
        (Some("НАТО"), Some(8), Some(12)),
        "{v}"
    );
    assert_eq!(term["targets"][0]["term"], "NATO");

    // Term QA: the deprecated English term is flagged.
    let check = json!({"source": "Североатлантический альянс расширяется.", "translation": "The North Atlantic Alliance is expanding.",
                       "source_lang": "ru", "target_lang": "en", "termbases": ["sec"]});
    let (s, v) = call(&e, "POST", "/api/v1/terms/check", None, Some(check)).await;
    assert_eq!(s, 200, "{v}");
    let kinds: Vec<&str> =
        v["issues"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"deprecated_target_term"), "{v}");

    let (s, _) =
        call(&e, "DELETE", "/api/v1/termbases/sec/concepts/nato", Some(&e.write), None).await;
    assert_eq!(s, 204);
    let (_, v) = call(&e, "POST", "/api/v1/suggest", None, Some(body)).await;
    assert!(
        v["segments"][0]["terms"].as_array().unwrap().is_empty(),
        "a deleted concept is no longer recognised: {v}"
    );
    let (s, _) = call(&e, "DELETE", "/api/v1/termbases/sec", Some(&e.write), None).await;
    assert_eq!(s, 403);
    let (s, _) = call(&e, "DELETE", "/api/v1/termbases/sec", Some(&e.admin), None).await;
    assert_eq!(s, 204);
}

#[actix_web::test]
async fn term_endpoints_check_keys_and_scopes() {
    let cases: Vec<(&str, &str, Option<Value>, Scope)> = vec![
        ("GET", "/api/v1/termbases", None, Scope::Read),
        ("POST", "/api/v1/termbases", Some(json!({"name": "t2"})), Scope::Write),
        ("POST", "/api/v1/termbases/t/concepts", Some(concept_body()), Scope::Write),
        ("GET", "/api/v1/termbases/t/concepts/c1", None, Scope::Read),
        ("PUT", "/api/v1/termbases/t/concepts/c1", Some(concept_body()), Scope::Write),
        ("GET", "/api/v1/termbases/t/concepts/c1/history", None, Scope::Read),
        ("GET", "/api/v1/termbases/t/terms?q=a", None, Scope::Read),
        ("POST", "/api/v1/termbases/t/status", Some(json!({"status": "admitted"})), Scope::Write),
        (
            "POST",
            "/api/v1/terms/check",
            Some(
                json!({"source": "a", "translation": "b", "source_lang": "ru", "target_lang": "en", "termbases": ["t"]}),
            ),
            Scope::Read,
        ),
        ("DELETE", "/api/v1/termbases/t/concepts/c1", None, Scope::Write),
        ("DELETE", "/api/v1/termbases/t", None, Scope::Admin),
    ];
    for (method, path, body, needed) in cases {
        let e = env();
        let setup = json!({"external_id": "c1", "languages": [{"lang": "ru", "terms": [{"text": "а"}]}, {"lang": "en", "terms": [{"text": "a"}]}]});
        call(&e, "POST", "/api/v1/termbases", Some(&e.write), Some(json!({"name": "t"}))).await;
        call(&e, "POST", "/api/v1/termbases/t/concepts", Some(&e.write), Some(setup)).await;
        let (s, v) = call(&e, method, path, None, body.clone()).await;
        if needed == Scope::Read {
            assert!(s.is_success(), "{method} {path} without a key: {s} {v}");
        } else {
            assert_eq!(s, 401, "{method} {path}");
        }
        let (s, _) = call(&e, method, path, Some("tmb_0000000000000000wrong"), body.clone()).await;
        assert_eq!(s, 401, "{method} {path}");
        let weaker = match needed {
            Scope::Read => None,
            Scope::Write => Some(&e.read),
            Scope::Admin => Some(&e.write),
        };
        if let Some(k) = weaker {
            let (s, _) = call(&e, method, path, Some(k), body.clone()).await;
            assert_eq!(s, 403, "{method} {path}");
        }
        let right = match needed {
            Scope::Read => &e.read,
            Scope::Write => &e.write,
            Scope::Admin => &e.admin,
        };
        let (s, v) = call(&e, method, path, Some(right), body.clone()).await;
        assert!(s.is_success(), "{method} {path} with a {needed:?} key: {s} {v}");
    }
}
