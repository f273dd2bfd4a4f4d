//! Hostile files fed to `tmbase import` (the real binary) and to the HTTP import of a real
//! `tmbase serve` on port 0: entity bombs, external entities, a 100 MB segment, a million
//! attributes, deep nesting, bad encodings, control characters, other formats, a gzip
//! bomb, an empty file. Each must end in a clear error or a documented, bounded outcome;
//! peak memory (VmHWM) stays bounded; the server keeps answering /health meanwhile.
//!
//! `TMBASE_HOSTILE_FULL=1` makes the big inputs bigger (see `Sizes`); .ci/run sets it in a
//! release run.

mod hostile_support;

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hostile_support::{create_key, run_measured, tmbase, Server};
use serde_json::Value;

/// Peak memory allowed to one `tmbase import` of a hostile file (debug build).
const CLI_PEAK_LIMIT: u64 = 160 << 20;
/// Peak memory allowed to the server over all the hostile uploads (debug build).
const SERVER_PEAK_LIMIT: u64 = 256 << 20;

struct Sizes {
    /// Bytes of the single huge segment.
    huge_segment: u64,
    /// `&amp;` references in one segment (each one a separate parser event).
    entity_refs: u64,
    attributes: u64,
    nesting: u64,
    outer_nesting: u64,
    /// Bytes the gzip bomb inflates to.
    bomb: u64,
}

fn sizes() -> Sizes {
    if std::env::var_os("TMBASE_HOSTILE_FULL").is_some() {
        Sizes {
            huge_segment: 1 << 30,
            entity_refs: 20_000_000,
            attributes: 10_000_000,
            nesting: 1_000_000,
            outer_nesting: 1_000_000,
            bomb: 10 << 30,
        }
    } else {
        Sizes {
            huge_segment: 100 << 20,
            entity_refs: 1_500_000,
            attributes: 1_000_000,
            nesting: 300_000,
            outer_nesting: 100_000,
            bomb: 1 << 30,
        }
    }
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tmx version=\"1.4\">\
<header srclang=\"en\" datatype=\"plaintext\" segtype=\"sentence\" adminlang=\"en\" \
o-tmf=\"test\" creationtool=\"test\" creationtoolversion=\"1\"/><body>\n";
const TAIL: &str = "</body></tmx>\n";

fn good_unit(n: u32) -> String {
    format!(
        "<tu tuid=\"good-{n}\"><tuv xml:lang=\"en\"><seg>Good unit {n}.</seg></tuv>\
         <tuv xml:lang=\"ru\"><seg>Хорошая единица {n}.</seg></tuv></tu>\n"
    )
}

/// A document: `doctype` before the root, one good unit, `hostile` (a unit or more), and
/// a second good unit.
fn document(doctype: &str, hostile: &str) -> Vec<u8> {
    let head = HEAD.replacen("\n", &format!("\n{doctype}"), 1);
    format!("{head}{}{hostile}{}{TAIL}", good_unit(1), good_unit(2)).into_bytes()
}

fn unit_with_seg(seg: &str) -> String {
    format!(
        "<tu tuid=\"hostile\"><tuv xml:lang=\"en\"><seg>{seg}</seg></tuv>\
         <tuv xml:lang=\"ru\"><seg>x</seg></tuv></tu>\n"
    )
}

/// What a hostile file must lead to.
#[derive(Clone, Debug)]
enum Expect {
    /// The file is refused whole (nothing of it stored); the message says this.
    Refused(&'static str),
    /// The file is read; the hostile unit(s) are skipped for this reason code and the
    /// good units are stored.
    Skipped { added: u64, reason: &'static str },
}

struct Case {
    name: &'static str,
    file: PathBuf,
    expect: Expect,
}

/// A listener that records whether anything connected: external entities and DTDs must
/// never be fetched.
struct Tripwire {
    port: u16,
    hits: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl Tripwire {
    fn new() -> Tripwire {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s) = (hits.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                if listener.accept().is_ok() {
                    h.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        Tripwire { port, hits, stop }
    }
}

impl Drop for Tripwire {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Writes `head`, then `count` copies of `piece`, then `tail`, streaming (never the whole
/// file in memory).
fn write_repeated(path: &Path, head: &[u8], piece: &[u8], count: u64, tail: &[u8]) {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    out.write_all(head).unwrap();
    let per_block = (1 << 16) / piece.len().max(1) as u64 + 1;
    let block = piece.repeat(per_block as usize);
    let mut left = count;
    while left >= per_block {
        out.write_all(&block).unwrap();
        left -= per_block;
    }
    for _ in 0..left {
        out.write_all(piece).unwrap();
    }
    out.write_all(tail).unwrap();
    out.flush().unwrap();
}

fn split_document(hostile_marker: &str, doc: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let text = String::from_utf8_lossy(doc).into_owned();
    let at = text.find(hostile_marker).unwrap();
    (text.as_bytes()[..at].to_vec(), text.as_bytes()[at + hostile_marker.len()..].to_vec())
}

/// Every hostile file, written into `dir`.
fn cases(dir: &Path, tripwire_port: u16) -> Vec<Case> {
    let s = sizes();
    let mut cases = Vec::new();
    fn add(cases: &mut Vec<Case>, dir: &Path, name: &'static str, bytes: Vec<u8>, expect: Expect) {
        let file = dir.join(format!("{name}.tmx"));
        std::fs::write(&file, bytes).unwrap();
        cases.push(Case { name, file, expect });
    }
    let refused_entities = Expect::Refused("DOCTYPE declares entities");

    add(
        &mut cases,
        dir,
        "billion_laughs",
        document(
            "<!DOCTYPE tmx [\n<!ENTITY lol \"lol\">\n\
             <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n\
             <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n\
             <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n\
             <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n\
             <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n\
             <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n\
             <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n\
             <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n\
             <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n\
             ]>\n",
            &unit_with_seg("&lol9;"),
        ),
        refused_entities.clone(),
    );
    let big_entity = "A".repeat(50_000);
    add(
        &mut cases,
        dir,
        "quadratic_blowup",
        document(
            &format!("<!DOCTYPE tmx [<!ENTITY a \"{big_entity}\">]>\n"),
            &unit_with_seg(&"&a;".repeat(50_000)),
        ),
        refused_entities.clone(),
    );
    // The same references with no declaration: undefined entities, the unit is skipped.
    add(
        &mut cases,
        dir,
        "undeclared_entity_references",
        document("", &unit_with_seg(&"&a;".repeat(50_000))),
        Expect::Skipped { added: 2, reason: "undefined_entity" },
    );
    add(
        &mut cases,
        dir,
        "external_entity_local_file",
        document(
            "<!DOCTYPE tmx [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n",
            &unit_with_seg("&xxe;"),
        ),
        refused_entities.clone(),
    );
    add(
        &mut cases,
        dir,
        "external_entity_url",
        document(
            &format!(
                "<!DOCTYPE tmx [<!ENTITY xxe SYSTEM \"http://127.0.0.1:{tripwire_port}/secret\">]>\n"
            ),
            &unit_with_seg("&xxe;"),
        ),
        refused_entities.clone(),
    );
    add(
        &mut cases,
        dir,
        "external_parameter_entity_url",
        document(
            &format!(
                "<!DOCTYPE tmx [<!ENTITY % dtd SYSTEM \"http://127.0.0.1:{tripwire_port}/x.dtd\"> %dtd;]>\n"
            ),
            &unit_with_seg("x"),
        ),
        refused_entities.clone(),
    );
    // An external DTD with no entity declared is accepted, but never fetched.
    add(
        &mut cases,
        dir,
        "external_dtd_url",
        document(
            &format!("<!DOCTYPE tmx SYSTEM \"http://127.0.0.1:{tripwire_port}/tmx14.dtd\">\n"),
            &unit_with_seg("x"),
        ),
        Expect::Skipped { added: 3, reason: "" },
    );

    // One segment of 100 MB (1 GB in full runs), written streaming.
    let marker = "@@HOSTILE@@";
    let (head, tail) = split_document(marker, &document("", &unit_with_seg(marker)));
    let file = dir.join("huge_segment.tmx");
    write_repeated(&file, &head, b"word ", s.huge_segment / 5, &tail);
    cases.push(Case { name: "huge_segment", file, expect: Expect::Refused("longer than 16 MiB") });
    // A huge segment made of many small parser events: the per-segment limit skips it.
    let file = dir.join("huge_segment_of_references.tmx");
    write_repeated(&file, &head, b"&amp;", s.entity_refs, &tail);
    cases.push(Case {
        name: "huge_segment_of_references",
        file,
        expect: Expect::Skipped { added: 2, reason: "segment_too_long" },
    });
    // A <tu> with a million attributes (about 13 MB of one start tag).
    let (head, tail) =
        split_document(marker, &document("", &unit_with_seg("x").replacen(">", marker, 1)));
    let file = dir.join("million_attributes.tmx");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        out.write_all(&head).unwrap();
        for i in 0..s.attributes {
            write!(out, " a{i}=\"v\"").unwrap();
        }
        out.write_all(b">").unwrap();
        out.write_all(&tail).unwrap();
        out.flush().unwrap();
    }
    cases.push(Case {
        name: "million_attributes",
        file,
        expect: if s.attributes * 9 > 16 << 20 {
            Expect::Refused("longer than 16 MiB")
        } else {
            Expect::Skipped { added: 2, reason: "too_many_attributes" }
        },
    });
    // 300,000 nested <sub> (inside <bpt>) in one segment; a million in full runs.
    let (head, tail) = split_document(marker, &document("", &unit_with_seg(marker)));
    let file = dir.join("deeply_nested_sub.tmx");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        out.write_all(&head).unwrap();
        out.write_all(b"<bpt i=\"1\">").unwrap();
        out.write_all(&b"<sub>".repeat(s.nesting as usize)).unwrap();
        out.write_all(&b"</sub>".repeat(s.nesting as usize)).unwrap();
        out.write_all(b"</bpt>").unwrap();
        out.write_all(&tail).unwrap();
        out.flush().unwrap();
    }
    cases.push(Case {
        name: "deeply_nested_sub",
        file,
        expect: Expect::Skipped { added: 2, reason: "too_deeply_nested" },
    });
    // Deep nesting outside any segment: elements tmbase does not know, 100,000 deep (a
    // million in full runs).
    let (head, tail) = split_document(marker, &document("", marker));
    let file = dir.join("deeply_nested_elements.tmx");
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        out.write_all(&head).unwrap();
        out.write_all(&b"<x>".repeat(s.outer_nesting as usize)).unwrap();
        out.write_all(&b"</x>".repeat(s.outer_nesting as usize)).unwrap();
        out.write_all(&tail).unwrap();
        out.flush().unwrap();
    }
    // Elements tmbase does not know are passed over, however deep.
    cases.push(Case {
        name: "deeply_nested_elements",
        file,
        expect: Expect::Skipped { added: 2, reason: "" },
    });

    let mut bytes = document("", &unit_with_seg("bad \u{1}"));
    let at = bytes.windows(5).position(|w| w == b"bad \x01").unwrap();
    bytes[at + 4] = 0xFF;
    bytes.splice(at + 4..at + 4, [0xC3, 0x28]);
    add(&mut cases, dir, "invalid_utf8", bytes, Expect::Refused("cannot decode input using UTF-8"));

    // UTF-16LE with a BOM, holding a lone high surrogate in a segment.
    let text = String::from_utf8(document("", &unit_with_seg("lone @"))).unwrap();
    let text = text.replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        let u = if u == u16::from(b'@') { 0xD800 } else { u };
        bytes.extend(u.to_le_bytes());
    }
    add(
        &mut cases,
        dir,
        "lone_surrogate_utf16",
        bytes,
        // Documented: a UTF-16 (or legacy-encoded) file is transcoded by the WHATWG decoder,
        // which reads a lone surrogate as U+FFFD; the unit is stored with that character.
        Expect::Skipped { added: 3, reason: "" },
    );
    add(
        &mut cases,
        dir,
        "surrogate_character_reference",
        document("", &unit_with_seg("lone &#xD800;")),
        Expect::Refused("character reference"),
    );
    add(
        &mut cases,
        dir,
        "nul_and_control_characters",
        document("", &unit_with_seg("nul \0 bell \u{7} escape \u{1b}")),
        Expect::Skipped { added: 2, reason: "illegal_character" },
    );
    add(
        &mut cases,
        dir,
        "nul_character_reference",
        document("", &unit_with_seg("nul &#0;")),
        Expect::Refused("character reference"),
    );
    add(
        &mut cases,
        dir,
        "control_character_reference",
        document("", &unit_with_seg("bell &#x7;")),
        Expect::Skipped { added: 2, reason: "illegal_character" },
    );

    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    png.extend([
        0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82,
    ]);
    add(&mut cases, dir, "png_named_tmx", png, Expect::Refused("cannot decode input"));
    let mut zip = b"PK\x03\x04\x14\0\0\0\0\0".to_vec();
    zip.extend(std::iter::repeat_n(0u8, 20));
    zip.extend(b"a.tmx<tmx/>PK\x05\x06");
    zip.extend(std::iter::repeat_n(0u8, 18));
    add(&mut cases, dir, "zip_named_tmx", zip, Expect::Refused("not a TMX file"));
    add(
        &mut cases,
        dir,
        "json_named_tmx",
        br#"{"tmx": {"version": "1.4", "body": [{"tu": "<seg>x</seg>"}]}}"#.to_vec(),
        Expect::Refused("not a TMX file"),
    );
    add(&mut cases, dir, "empty_file", Vec::new(), Expect::Refused("the file is empty"));

    // Gzip bombs: 1 GB of zeros (10 GB in full runs) in about 1 MB; and the same zeros after
    // a valid TMX prologue, so the reader gets past the header first.
    let file = dir.join("gzip_bomb_zeros.tmx");
    std::fs::write(&file, gzip_bomb(b"", s.bomb)).unwrap();
    cases.push(Case { name: "gzip_bomb_zeros", file, expect: Expect::Refused("") });
    let file = dir.join("gzip_bomb_after_prologue.tmx.gz");
    std::fs::write(&file, gzip_bomb(format!("{HEAD}{}<tu>", good_unit(1)).as_bytes(), s.bomb))
        .unwrap();
    cases.push(Case { name: "gzip_bomb_after_prologue", file, expect: Expect::Refused("") });
    cases
}

/// A gzip member whose content is `prefix` followed by `zeros` zero bytes, built directly
/// as deflate: a stored block with the prefix and one zero, then a fixed-Huffman block of
/// 258-byte copies at distance 1 (13 bits each), so 1 GB costs about 6.5 MB... of bits;
/// the CRC is computed with zlib's zero-extension operator, not by hashing 1 GB.
fn gzip_bomb(prefix: &[u8], zeros: u64) -> Vec<u8> {
    let copies = (zeros - 1) / 258;
    let zeros = 1 + copies * 258;
    let mut bits = BitWriter::default();
    // Stored block: BFINAL=0, BTYPE=00, then byte-aligned LEN, NLEN and the bytes.
    let mut stored = prefix.to_vec();
    stored.push(0);
    bits.put(0, 3);
    bits.align();
    let len = stored.len() as u16;
    bits.bytes.extend(len.to_le_bytes());
    bits.bytes.extend((!len).to_le_bytes());
    bits.bytes.extend(&stored);
    // Fixed-Huffman block: BFINAL=1, BTYPE=01.
    bits.put(1, 1);
    bits.put(1, 2);
    for _ in 0..copies {
        bits.put_code(0b1100_0101, 8); // length 258 (symbol 285)
        bits.put_code(0, 5); // distance 1
    }
    bits.put_code(0, 7); // end of block
    bits.align();
    let crc = crc32_zero_extend(crc32(prefix), zeros);
    let total = prefix.len() as u64 + zeros;
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(bits.bytes);
    out.extend(crc.to_le_bytes());
    out.extend((total as u32).to_le_bytes());
    out
}

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    /// Bits of a value, least significant first (header fields).
    fn put(&mut self, value: u32, count: u32) {
        for i in 0..count {
            self.acc |= ((value >> i) & 1) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.bytes.push(self.acc as u8);
                self.acc = 0;
                self.n = 0;
            }
        }
    }

    /// A Huffman code, most significant bit first.
    fn put_code(&mut self, code: u32, count: u32) {
        for i in (0..count).rev() {
            self.put((code >> i) & 1, 1);
        }
    }

    fn align(&mut self) {
        if self.n > 0 {
            self.bytes.push(self.acc as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// The CRC-32 of some bytes followed by `n` zero bytes, from the CRC of the bytes (the
/// GF(2) matrix method of zlib's crc32_combine).
fn crc32_zero_extend(crc: u32, n: u64) -> u32 {
    fn times(m: &[u32; 32], v: u32) -> u32 {
        (0..32).filter(|i| v >> i & 1 != 0).fold(0, |acc, i| acc ^ m[i])
    }
    fn square(m: &[u32; 32]) -> [u32; 32] {
        std::array::from_fn(|i| times(m, m[i]))
    }
    // The operator of one zero bit on the (pre-inverted) register.
    let mut op = [0u32; 32];
    op[0] = 0xEDB8_8320;
    for (i, row) in op.iter_mut().enumerate().skip(1) {
        *row = 1 << (i - 1);
    }
    // One zero byte = 8 zero bits.
    let mut op = square(&square(&square(&op)));
    let mut reg = !crc;
    let mut n = n;
    while n > 0 {
        if n & 1 != 0 {
            reg = times(&op, reg);
        }
        op = square(&op);
        n >>= 1;
    }
    !reg
}

#[test]
fn gzip_bomb_builder_writes_what_flate2_reads_back() {
    use std::io::Read;
    let bomb = gzip_bomb(b"<tmx>", 258 * 40 + 1);
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bomb[..]).read_to_end(&mut out).unwrap();
    assert_eq!(out.len(), 5 + 258 * 40 + 1);
    assert!(out.starts_with(b"<tmx>") && out[5..].iter().all(|&b| b == 0));
}

fn memories_json(db: &Path) -> Value {
    let out = tmbase(db).args(["memories", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Units stored in memory `name`, from `tmbase memories --json` (0 when it is missing).
fn stored_units(db: &Path, name: &str) -> u64 {
    let v = memories_json(db);
    let list = v.as_array().cloned().or_else(|| v["memories"].as_array().cloned()).unwrap();
    list.iter()
        .find(|m| m["name"] == name)
        .map(|m| m["units"].as_u64().or_else(|| m["unit_count"].as_u64()).unwrap())
        .unwrap_or(0)
}

/// Checks one import report (CLI `--json` or the job's report) against the expectation.
fn check_report(case: &Case, ok: bool, report: &Value, message: &str, stored: u64) {
    let name = case.name;
    match &case.expect {
        Expect::Refused(text) => {
            assert!(!ok, "{name}: expected a refusal, got {report}");
            assert!(message.contains(text), "{name}: message {message:?} lacks {text:?}");
            assert!(!message.trim().is_empty(), "{name}: an empty error message");
            assert_eq!(stored, 0, "{name}: a refused file left units behind");
        }
        Expect::Skipped { added, reason } => {
            assert!(ok, "{name}: expected the file to be read: {message} {report}");
            assert_eq!(report["added"].as_u64(), Some(*added), "{name}: {report}");
            if !reason.is_empty() {
                assert_eq!(report["skipped"].as_u64(), Some(1), "{name}: {report}");
                let by_reason = &report["skipped_by_reason"];
                assert_eq!(by_reason[*reason].as_u64(), Some(1), "{name}: {report}");
            }
            assert_eq!(stored, *added, "{name}");
        }
    }
    assert!(!message.contains("/etc/passwd") || name.contains("local_file"));
    assert!(!report.to_string().contains("root:x:0"), "{name}: a local file leaked: {report}");
}

#[test]
fn hostile_files_given_to_the_cli_end_in_a_clear_error_or_a_skip_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let tripwire = Tripwire::new();
    let cases = cases(dir.path(), tripwire.port);
    let mut figures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let db = dir.path().join(format!("cli-{i}.db"));
        let memory = format!("m{i}");
        let started = Instant::now();
        let mut command = tmbase(&db);
        command.args(["import", "--json", "--memory", &memory]).arg(&case.file);
        let (ok, stdout, stderr, peak) = run_measured(command);
        let report: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{}: no JSON report ({e}): {stdout} {stderr}", case.name));
        let message = report["failed"]
            .as_array()
            .map(|f| f.iter().map(|m| m.to_string()))
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ");
        let file_report = report["files"].get(0).cloned().unwrap_or(Value::Null);
        let stored = stored_units(&db, &memory);
        check_report(case, ok, &file_report, &message, stored);
        assert!(peak < CLI_PEAK_LIMIT, "{}: the import peaked at {} MB", case.name, peak >> 20);
        let outcome = if ok { file_report["skipped_by_reason"].to_string() } else { message };
        figures.push(format!(
            "{:32} {:>6} MB file {:>5} MB peak {:>6.2} s  {}",
            case.name,
            std::fs::metadata(&case.file).unwrap().len() >> 20,
            peak >> 20,
            started.elapsed().as_secs_f64(),
            outcome.chars().take(110).collect::<String>()
        ));
    }
    assert_eq!(tripwire.hits.load(Ordering::Relaxed), 0, "an external entity or DTD was fetched");
    eprintln!("hostile inputs through the CLI ({} files):\n{}", cases.len(), figures.join("\n"));
}

#[test]
fn hostile_uploads_to_the_http_import_fail_cleanly_while_the_server_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let tripwire = Tripwire::new();
    let cases = cases(dir.path(), tripwire.port);
    let db = dir.path().join("server.db");
    let key = create_key(&db, "write");
    let server = Server::start(&db, &dir.path().join("server.log"), &[]);
    let addr = server.addr;

    // /health is asked every 20 ms for the whole run, from another thread.
    let stop = Arc::new(AtomicBool::new(false));
    let probe = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let (mut answered, mut failed, mut slowest) = (0u64, Vec::new(), Duration::ZERO);
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let res = hostile_support::request(
                    addr,
                    "GET",
                    "/health",
                    None,
                    None,
                    hostile_support::Body::None,
                );
                slowest = slowest.max(started.elapsed());
                if res.status == 200 {
                    answered += 1;
                } else {
                    failed.push(res.status);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (answered, failed, slowest)
        })
    };

    let mut figures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let memory = format!("m{i}");
        let started = Instant::now();
        let (upload, job) = server.import_file(&memory, &case.file, &key);
        let Some(job) = job else {
            // Refused at the upload (an empty body): a 4xx problem with a code.
            let problem = upload.json();
            assert!(
                matches!(case.expect, Expect::Refused(_)) && (400..500).contains(&upload.status),
                "{}: the upload was refused: {} {problem}",
                case.name,
                upload.status
            );
            assert!(problem["code"].is_string() && problem["detail"].is_string(), "{problem}");
            figures.push(format!(
                "{:32} upload refused: {} {}",
                case.name, upload.status, problem["detail"]
            ));
            continue;
        };
        let ok = job["state"] == "done";
        let message = job["error"].as_str().unwrap_or("").to_string();
        let stored = {
            let res = server.get(&format!("/api/v1/memories/{memory}"), Some(&key));
            if res.status == 404 {
                0
            } else {
                let v = res.json();
                v["units"]
                    .as_u64()
                    .or_else(|| v["unit_count"].as_u64())
                    .unwrap_or_else(|| panic!("{}: no unit count in {v}", case.name))
            }
        };
        check_report(case, ok, &job["report"], &message, stored);
        assert!(!message.contains(dir.path().to_str().unwrap()), "{}: a path leaked", case.name);
        figures.push(format!(
            "{:32} {:>6.2} s  {}",
            case.name,
            started.elapsed().as_secs_f64(),
            if ok { job["report"]["skipped_by_reason"].to_string() } else { message }
                .chars()
                .take(110)
                .collect::<String>()
        ));
    }
    stop.store(true, Ordering::Relaxed);
    let (answered, failed, slowest) = probe.join().unwrap();
    let peak = hostile_support::peak_memory(server.pid()).unwrap();
    assert!(failed.is_empty(), "/health failed during the hostile uploads: {failed:?}");
    assert!(answered > 0);
    assert!(slowest < Duration::from_secs(5), "/health took {slowest:?}");
    assert!(peak < SERVER_PEAK_LIMIT, "the server peaked at {} MB", peak >> 20);
    assert_eq!(tripwire.hits.load(Ordering::Relaxed), 0, "an external entity or DTD was fetched");
    assert_eq!(server.get("/health", None).status, 200);
    eprintln!(
        "hostile uploads over HTTP ({} files): /health answered {answered} times, slowest \
         {slowest:?}, server peak {} MB\n{}",
        cases.len(),
        peak >> 20,
        figures.join("\n")
    );
}

#[test]
fn http_upload_over_the_import_limit_is_refused_with_413_and_nothing_stored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("limit.db");
    let key = create_key(&db, "write");
    let server = Server::start(
        &db,
        &dir.path().join("server.log"),
        &[("TMBASE_MAX_IMPORT_BYTES", "100000")],
    );
    let file = dir.path().join("big.tmx");
    let units: Vec<(String, String)> =
        (0..5000).map(|i| (format!("Sentence {i}."), format!("Предложение {i}."))).collect();
    std::fs::write(&file, hostile_support::tmx_with(&units)).unwrap();
    let (res, job) = server.import_file("m", &file, &key);
    assert!(job.is_none());
    assert!(res.status == 413 || res.status == 0, "{} {}", res.status, res.text());
    if res.status == 413 {
        assert_eq!(res.json()["code"], "import_too_large");
    }
    assert_eq!(server.get("/health", None).status, 200);
    assert_eq!(server.get("/api/v1/memories/m", Some(&key)).status, 404);
}

/// Regression: a segment of tens of megabytes with no markup was held whole (twice) in
/// memory before the segment limit applied (100 MB → 214 MB peak). Now one XML event is
/// capped at 16 MiB and such a file is refused with its position.
#[test]
fn single_xml_event_over_16_mib_is_refused_before_it_is_buffered() {
    let dir = tempfile::tempdir().unwrap();
    let marker = "@@HOSTILE@@";
    let (head, tail) = split_document(marker, &document("", &unit_with_seg(marker)));
    let file = dir.path().join("segment.tmx");
    write_repeated(&file, &head, b"0123456789abcdef", 2 << 20, &tail); // 32 MiB
    let raw = Box::new(std::fs::File::open(&file).unwrap());
    let mut reader = tmbase::tmx::TmxReader::new(raw, tmbase::tmx::ReadLimits::default()).unwrap();
    let mut units = 0;
    let error = loop {
        match reader.next_unit() {
            Some(Ok(_)) => units += 1,
            Some(Err(e)) => break e.to_string(),
            None => panic!("the file was read to its end"),
        }
    };
    assert_eq!(units, 1, "the good unit before the huge one is read");
    assert!(error.contains("longer than 16 MiB"), "{error}");
    assert!(error.contains("line 4"), "{error}");
}
