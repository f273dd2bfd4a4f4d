//! Writes a generated Russian–English memory as TMX, and queries for it, for load tests:
//! `cargo run --release --example gen_memory -- UNITS OUT.tmx QUERIES.txt [CORPUS.tsv] [SEED]`.

use std::io::{BufWriter, Write};

use tmbase::bench_corpus::{generate, queries, read_pairs};
use tmbase::model::{Header, Metadata, Segment, Unit, Variant};
use tmbase::tmx::{TmxWriter, WriterOptions};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: gen_memory UNITS OUT.tmx QUERIES.txt [CORPUS.tsv] [SEED]");
        std::process::exit(2);
    }
    let units: usize = args[0].parse().expect("UNITS is a number");
    let base = args.get(3).map(|p| read_pairs(p.as_ref()).unwrap_or_default()).unwrap_or_default();
    let seed: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1);
    let pairs = generate(seed, units, &base);
    let header = Header { srclang: Some("ru-RU".into()), ..Header::default() };
    let out = BufWriter::new(std::fs::File::create(&args[1])?);
    let mut w = TmxWriter::start(out, &header, &WriterOptions { srclang: "ru-RU".into() })?;
    for (ru, en) in &pairs {
        let v = |lang: &str, text: &str| Variant {
            lang: lang.into(),
            meta: Metadata::default(),
            annotations: vec![],
            segment: Segment::from_text(text.to_string()),
        };
        w.write_unit(&Unit {
            tuid: None,
            srclang: None,
            meta: Metadata::default(),
            annotations: vec![],
            variants: vec![v("ru-RU", ru), v("en-US", en)],
        })?;
    }
    w.finish()?;
    let mut q = BufWriter::new(std::fs::File::create(&args[2])?);
    for text in queries(seed + 1, 10_000, &pairs) {
        // One sentence per line; the load script sends each as one suggest request.
        writeln!(q, "{}", text.replace(['\n', '\r'], " "))?;
    }
    eprintln!("wrote {} units to {} and 10000 queries to {}", pairs.len(), args[1], args[2]);
    Ok(())
}
