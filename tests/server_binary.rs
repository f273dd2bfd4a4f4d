//! The real `tmbase serve` binary on port 0: it starts on an empty database with the demo
//! samples, answers over TCP, and stops cleanly on SIGTERM.

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

#[test]
fn serve_demo_on_port_zero_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tmbase"))
        .arg("--db")
        .arg(&db)
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
    assert!(seen.contains("demo: 44 units"), "{seen}");

    let health = http(&addr, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");

    let body = r#"{"text":"Эксперт по международной безопасности Олег Шакиров","source_lang":"ru","target_lang":"en","min_score":10}"#;
    let request = format!(
        "POST /api/v1/suggest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let response = http(&addr, &request);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"memory\":\"izvestia\""), "{response}");

    // SIGTERM: graceful stop, exit code 0.
    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit {exit:?}: {rest}");
    assert!(rest.contains("tmbase stopped"), "{rest}");
}
