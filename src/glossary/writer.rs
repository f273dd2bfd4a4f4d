//! Writing glossaries: CSV with a header row naming the languages (what MateCat and
//! spreadsheets read) and OmegaT's tab-separated format for one language pair.

use std::io::{self, Write};

use crate::model::{lang_matches, Concept, Term, TermStatus};

/// The term a one-term-per-language format shows: the best status first.
fn best_term<'a>(terms: impl Iterator<Item = &'a Term>) -> Option<&'a Term> {
    terms.min_by_key(|t| TermStatus::rank(t.status))
}

/// CSV: `Forbidden,Domain,Definition` then, per language, `LANG,Notes,Example of use`. One
/// row per concept with one term per language (the preferred one); [`CsvWriter::omitted`]
/// counts the synonyms that did not fit.
pub struct CsvWriter<W: Write> {
    out: W,
    langs: Vec<String>,
    omitted: u64,
}

impl<W: Write> CsvWriter<W> {
    pub fn start(mut out: W, langs: &[String]) -> io::Result<Self> {
        let mut header = vec!["Forbidden".to_string(), "Domain".into(), "Definition".into()];
        for l in langs {
            header.extend([l.clone(), "Notes".into(), "Example of use".into()]);
        }
        write_csv_row(&mut out, &header)?;
        Ok(CsvWriter { out, langs: langs.to_vec(), omitted: 0 })
    }

    pub fn write_concept(&mut self, c: &Concept) -> io::Result<()> {
        let mut chosen = Vec::new();
        let mut row = vec![
            String::new(),
            c.subject_field.clone().unwrap_or_default(),
            c.definition.clone().unwrap_or_default(),
        ];
        for l in &self.langs {
            let terms: Vec<&Term> =
                c.section(l).map(|s| s.terms.iter().collect()).unwrap_or_default();
            self.omitted += terms.len().saturating_sub(1) as u64;
            match best_term(terms.into_iter()) {
                Some(t) => {
                    chosen.push(t);
                    row.extend([
                        t.text.clone(),
                        t.usage_note.clone().unwrap_or_default(),
                        t.context.clone().unwrap_or_default(),
                    ]);
                }
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
        if !chosen.is_empty() && chosen.iter().all(|t| t.status == Some(TermStatus::Forbidden)) {
            row[0] = "TRUE".into();
        }
        write_csv_row(&mut self.out, &row)
    }

    /// Terms left out because their concept has another term in the same language.
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn write_csv_row(out: &mut impl Write, cells: &[String]) -> io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        let needs_quotes = cell.contains([',', '"', '\n', '\r'])
            || cell.starts_with(char::is_whitespace)
            || cell.ends_with(char::is_whitespace);
        if needs_quotes {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(cell);
        }
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())
}

/// OmegaT's tab-separated glossary for one pair: `source<TAB>target<TAB>comment`, one line
/// per usable source term, with the best usable target term; the comment is the definition.
pub struct TsvWriter<W: Write> {
    out: W,
    source: String,
    target: String,
}

impl<W: Write> TsvWriter<W> {
    pub fn start(mut out: W, source: &str, target: &str) -> io::Result<Self> {
        writeln!(out, "# Glossary in tab-separated format -*- coding: utf-8 -*-")?;
        Ok(TsvWriter { out, source: source.to_string(), target: target.to_string() })
    }

    /// Writes the concept's lines; returns how many.
    pub fn write_concept(&mut self, c: &Concept) -> io::Result<u64> {
        let target = best_term(
            c.languages
                .iter()
                .filter(|s| lang_matches(&s.lang, &self.target))
                .flat_map(|s| s.terms.iter())
                .filter(|t| usable(t.status)),
        );
        let Some(target) = target else { return Ok(0) };
        let comment = c.definition.as_deref().or(c.note.as_deref()).unwrap_or("");
        let mut n = 0;
        for s in c.languages.iter().filter(|s| lang_matches(&s.lang, &self.source)) {
            for t in s.terms.iter().filter(|t| usable(t.status)) {
                let mut line = format!("{}\t{}", flat(&t.text), flat(&target.text));
                if !comment.is_empty() {
                    line.push('\t');
                    line.push_str(&flat(comment));
                }
                writeln!(self.out, "{line}")?;
                n += 1;
            }
        }
        Ok(n)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// No status, preferred, admitted or do-not-translate.
fn usable(status: Option<TermStatus>) -> bool {
    status.is_none_or(TermStatus::is_usable)
}

fn flat(text: &str) -> String {
    text.split(['\t', '\n', '\r']).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" ")
}
