//! Helpers for the hostile-input, crash and load tests: the real `tmbase` binary run as a
//! server on port 0, a minimal HTTP/1.1 client over std's TcpStream, and peak memory of a
//! process read from /proc.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_tmbase");

/// `tmbase --db DB ARGS…`, with no TMBASE_* variable from the caller's environment.
pub fn tmbase(db: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db);
    for (k, _) in std::env::vars() {
        if k.starts_with("TMBASE_") {
            c.env_remove(k);
        }
    }
    c
}

/// Creates an API key with `scope` and returns it.
pub fn create_key(db: &Path, scope: &str) -> String {
    let out = tmbase(db).args(["keys", "create", "--scope", scope]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Peak resident memory (VmHWM) of a running process, in bytes.
pub fn peak_memory(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Runs a command to its end while sampling its peak memory; returns (exit success,
/// stdout, stderr, peak bytes). The last sample is taken just before the exit is reaped.
pub fn run_measured(mut command: Command) -> (bool, String, String, u64) {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out_pipe.read_to_string(&mut s);
        s
    });
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let mut peak = 0;
    let status = loop {
        if let Some(p) = peak_memory(pid) {
            peak = peak.max(p);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    (status.success(), out_thread.join().unwrap(), err_thread.join().unwrap(), peak)
}

/// A `tmbase serve` process on 127.0.0.1 at a port the system chose; killed on drop.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: PathBuf,
}

impl Server {
    /// Starts the server on `db` with extra environment variables; waits until it listens.
    pub fn start(db: &Path, log: &Path, env: &[(&str, &str)]) -> Server {
        let log_file = std::fs::File::create(log).unwrap();
        let mut command = tmbase(db);
        command
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("TMBASE_WORKERS", "2")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file);
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let started = Instant::now();
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if let Some(at) = text.find("listening on http://") {
                let rest = &text[at + "listening on http://".len()..];
                let addr = rest.split_whitespace().next().unwrap().parse().unwrap();
                return Server { child, addr, log: log.to_path_buf() };
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the server stopped ({status}) before listening:\n{text}");
            }
            assert!(started.elapsed() < Duration::from_secs(60), "no server after 60 s:\n{text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn get(&self, path: &str, key: Option<&str>) -> Response {
        request(self.addr, "GET", path, key, None, Body::None)
    }

    pub fn json(&self, method: &str, path: &str, key: Option<&str>, body: &Value) -> Response {
        let bytes = serde_json::to_vec(body).unwrap();
        request(self.addr, method, path, key, Some("application/json"), Body::Bytes(&bytes))
    }

    /// Uploads a file to the import endpoint and waits for the job's end; returns the
    /// upload's response and the final job (None when the upload was refused).
    pub fn import_file(&self, memory: &str, file: &Path, key: &str) -> (Response, Option<Value>) {
        let path = format!("/api/v1/memories/{memory}/import");
        let res =
            request(self.addr, "POST", &path, Some(key), Some("application/xml"), Body::File(file));
        if res.status != 202 {
            return (res, None);
        }
        let url = res.json()["status_url"].as_str().unwrap().to_string();
        let started = Instant::now();
        loop {
            let job = self.get(&url, Some(key)).json();
            if job["state"] != "running" {
                return (res, Some(job));
            }
            assert!(started.elapsed() < Duration::from_secs(600), "job still running: {job}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub enum Body<'a> {
    None,
    Bytes(&'a [u8]),
    File(&'a Path),
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("status {}: not JSON ({e}): {}", self.status, self.text()))
    }
}

/// One HTTP/1.1 request on a new connection (`Connection: close`). A status of 0 means
/// the connection failed or broke before a status line arrived.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    content_type: Option<&str>,
    body: Body<'_>,
) -> Response {
    try_request(addr, method, path, key, content_type, body).unwrap_or(Response {
        status: 0,
        headers: Vec::new(),
        body: Vec::new(),
    })
}

pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    content_type: Option<&str>,
    body: Body<'_>,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    stream.set_read_timeout(Some(Duration::from_secs(300)))?;
    let length = match &body {
        Body::None => 0,
        Body::Bytes(b) => b.len() as u64,
        Body::File(p) => std::fs::metadata(p)?.len(),
    };
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(k) = key {
        head.push_str(&format!("Authorization: Bearer {k}\r\n"));
    }
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if !matches!(body, Body::None) {
        head.push_str(&format!("Content-Length: {length}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    match body {
        Body::None => {}
        Body::Bytes(b) => stream.write_all(b)?,
        Body::File(p) => {
            // The server may answer (413) and close before the whole body is sent.
            let _ = std::io::copy(&mut std::fs::File::open(p)?, &mut stream);
        }
    }
    let mut reader = BufReader::new(stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    let status = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let chunked = headers.iter().any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line)?;
            let size = usize::from_str_radix(size_line.trim().split(';').next().unwrap(), 16)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size];
            reader.read_exact(&mut chunk)?;
            body.extend_from_slice(&chunk);
            let mut crlf = [0; 2];
            reader.read_exact(&mut crlf)?;
        }
    } else {
        reader.read_to_end(&mut body)?;
    }
    Ok(Response { status, headers, body })
}

/// `PRAGMA integrity_check` of a database file; "ok" when it is sound.
pub fn integrity_check(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.join("; ")
}

/// A TMX document with `units` (source, target) pairs, en → ru.
pub fn tmx_with(units: &[(String, String)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\"><header \
         srclang=\"en\" datatype=\"plaintext\" segtype=\"sentence\" adminlang=\"en\" \
         o-tmf=\"test\" creationtool=\"test\" creationtoolversion=\"1\"/><body>\n",
    );
    for (en, ru) in units {
        s.push_str(&format!(
            "<tu><tuv xml:lang=\"en\"><seg>{}</seg></tuv><tuv xml:lang=\"ru\"><seg>{}</seg></tuv></tu>\n",
            escape(en),
            escape(ru)
        ));
    }
    s.push_str("</body></tmx>\n");
    s
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
