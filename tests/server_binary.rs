//! The real `tmbase serve` binary on port 0: it starts on an empty database with the demo
//! samples, answers over TCP, and stops cleanly on SIGTERM, saving the indexes that edits
//! changed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn http(addr: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// A running `tmbase serve --demo` on `db`, its stderr, its address and what it printed
/// up to the address.
struct Server {
    child: std::process::Child,
    stderr: BufReader<std::process::ChildStderr>,
    addr: String,
    seen: String,
}

fn start_demo_server(db: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmbase"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--bind", "127.0.0.1:0", "--demo"])
        .env("TMBASE_WORKERS", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut addr = None;
    let mut seen = String::new();
    for _ in 0..20 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        seen.push_str(&line);
        if let Some(rest) = line.trim().split("listening on http://").nth(1) {
            addr = Some(rest.to_string());
            break;
        }
    }
    let addr = addr.unwrap_or_else(|| panic!("no address in: {seen}"));
    Server { child, stderr, addr, seen }
}

impl Server {
    /// SIGTERM, then everything the server printed until it exited (successfully).
    fn stop(mut self) -> String {
        let status =
            Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success());
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "exit {exit:?}: {rest}");
        rest
    }
}

fn post_json(addr: &str, path: &str, key: Option<&str>, body: &str) -> String {
    let auth = key.map(|k| format!("Authorization: Bearer {k}\r\n")).unwrap_or_default();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    http(addr, &request)
}

#[test]
fn serve_demo_on_port_zero_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let server = start_demo_server(&db);
    let (addr, seen) = (server.addr.clone(), server.seen.clone());
    assert!(seen.contains("demo: 44 units"), "{seen}");

    let health = http(&addr, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    let body = r#"{"text":"Эксперт по международной безопасности Олег Шакиров","source_lang":"ru","target_lang":"en","min_score":10}"#;
    let response = post_json(&addr, "/api/v1/suggest", None, body);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"memory\":\"izvestia\""), "{response}");

    // SIGTERM: graceful stop, exit code 0.
    let rest = server.stop();
    assert!(rest.contains("tmbase stopped"), "{rest}");
}

#[test]
fn an_index_changed_by_edits_is_saved_at_shutdown_and_read_back_at_the_next_start() {
    use tmbase::matching::{lookup, IndexOrigin, MatchQuery, MemoryIndex};
    use tmbase::store::{Scope, Store};

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tm.db");
    let (_, key) = Store::open(&db).unwrap().create_api_key("editor", Scope::Write, None).unwrap();
    let server = start_demo_server(&db);
    let addr = server.addr.clone();
    // A lookup loads the index (and saves it); then an edit moves it on.
    let suggest =
        r#"{"text":"Эксперт по международной безопасности","source_lang":"ru","target_lang":"en"}"#;
    let response = post_json(&addr, "/api/v1/suggest", None, suggest);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let unit = r#"{"variants":[{"lang":"ru","text":"Саммит завершился подписанием декларации."},{"lang":"en","text":"The summit ended with the signing of a declaration."}]}"#;
    let response = post_json(&addr, "/api/v1/memories/izvestia/units", Some(&key), unit);
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");

    let rest = server.stop();
    assert!(rest.contains("saved the index of izvestia (ru)"), "{rest}");

    let store = Store::open(&db).unwrap();
    let index = MemoryIndex::open(&store, "izvestia", "ru").unwrap();
    assert_eq!(index.origin, IndexOrigin::Loaded);
    let found =
        lookup(&store, &index, &MatchQuery::new("Саммит завершился подписанием декларации.", "en"))
            .unwrap();
    assert_eq!(
        found.first().map(|m| (m.score, m.target.as_str())),
        Some((100, "The summit ended with the signing of a declaration."))
    );
}
