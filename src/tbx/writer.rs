//! The TBX writers: TBX v3 TBX-Basic in DCA style (valid against the TBX-Basic RELAX NG
//! schema) and TBX v2 (`martif`, which OmegaT and older tools read). Streaming: one concept
//! at a time.
//!
//! What TBX-Basic has no data category for (grammatical number, the statuses forbidden and
//! do-not-translate, the match mode, time stamps with a time, cross-references the schema
//! cannot hold) goes into `<note>tmbase:key=value</note>` elements, which tmbase reads back;
//! other tools show them as notes.

use std::collections::HashSet;
use std::io::{self, Write};

use super::{encode_id, format_section_note, format_xref_note, TMBASE_NOTE};
use crate::model::{Concept, CrossRefKind, Stamp, Term, TermStatus};
use crate::xml_input::is_xml_char;

/// Which TBX to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TbxFormat {
    /// ISO 30042:2019, dialect TBX-Basic, DCA style.
    V3Basic,
    /// ISO 30042:2008 / LISA TBX (`martif`).
    V2,
}

/// What the header of an export says and what cross-references may point at.
#[derive(Debug, Clone)]
pub struct TbxWriterOptions {
    pub format: TbxFormat,
    /// The term base's name (the title).
    pub title: String,
    /// `xml:lang` of the document (the language of notes and definitions without one).
    pub lang: String,
    /// The concept ids in the export: a `<ref>` may only point at one of them.
    pub concept_ids: HashSet<String>,
}

/// Writes one TBX document: [`TbxWriter::start`], [`TbxWriter::write_concept`] for each
/// concept, then [`TbxWriter::finish`].
pub struct TbxWriter<W: Write> {
    out: W,
    format: TbxFormat,
    concept_ids: HashSet<String>,
    s: String,
    written: u64,
}

const TERM_TYPES_BASIC: [&str; 6] =
    ["fullForm", "acronym", "abbreviation", "shortForm", "variant", "phrase"];

impl<W: Write> TbxWriter<W> {
    pub fn start(mut out: W, options: &TbxWriterOptions) -> io::Result<Self> {
        let mut s = String::with_capacity(1024);
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let source = format!("Exported from tmbase {}", env!("CARGO_PKG_VERSION"));
        match options.format {
            TbxFormat::V3Basic => {
                s.push_str("<tbx type=\"TBX-Basic\" style=\"dca\"");
                push_attr(&mut s, "xml:lang", &options.lang);
                s.push_str(
                    " xmlns=\"urn:iso:std:iso:30042:ed-2\">\n  <tbxHeader>\n    <fileDesc>\n",
                );
            }
            TbxFormat::V2 => {
                s.push_str("<martif type=\"TBX\"");
                push_attr(&mut s, "xml:lang", &options.lang);
                s.push_str(">\n  <martifHeader>\n    <fileDesc>\n");
            }
        }
        s.push_str("      <titleStmt>\n        <title>");
        push_text(&mut s, &options.title);
        s.push_str("</title>\n      </titleStmt>\n      <sourceDesc>\n        <p>");
        push_text(&mut s, &source);
        s.push_str("</p>\n      </sourceDesc>\n    </fileDesc>\n");
        match options.format {
            TbxFormat::V3Basic => s.push_str("  </tbxHeader>\n"),
            TbxFormat::V2 => s.push_str(
                "    <encodingDesc>\n      <p type=\"XCSURI\">TBXXCSV02.xcs</p>\n    </encodingDesc>\n  </martifHeader>\n",
            ),
        }
        s.push_str("  <text>\n    <body>\n");
        out.write_all(s.as_bytes())?;
        Ok(TbxWriter {
            out,
            format: options.format,
            concept_ids: options.concept_ids.iter().map(|id| encode_id(id)).collect(),
            s: String::with_capacity(8 * 1024),
            written: 0,
        })
    }

    pub fn write_concept(&mut self, c: &Concept) -> io::Result<()> {
        let v3 = self.format == TbxFormat::V3Basic;
        let (entry, lang_el, term_el) = if v3 {
            ("conceptEntry", "langSec", "termSec")
        } else {
            ("termEntry", "langSet", "tig")
        };
        let mut s = std::mem::take(&mut self.s);
        s.clear();
        s.push_str("      <");
        s.push_str(entry);
        let id = match (&c.external_id, c.id) {
            (Some(ext), _) => ext.clone(),
            (None, Some(id)) => format!("tmbase-{id}"),
            (None, None) => format!("tmbase-n{}", self.written + 1),
        };
        push_attr(&mut s, "id", &encode_id(&id));
        s.push_str(">\n");
        let ind = "        ";
        if let Some(v) = &c.subject_field {
            element(&mut s, ind, "descrip", Some("subjectField"), v);
        }
        if let Some(v) = &c.definition {
            element(&mut s, ind, "descrip", Some("definition"), v);
        }
        if let Some(v) = &c.source {
            element(&mut s, ind, "admin", Some("source"), v);
        }
        if let Some(v) = &c.note {
            element(&mut s, ind, "note", None, v);
        }
        for x in &c.cross_references {
            self.push_xref(&mut s, ind, x);
        }
        push_stamp(&mut s, ind, &c.stamp, v3);
        // A TBX v3 langSec must hold a termSec: a section with only a definition or a note
        // becomes tmbase notes of the concept.
        for section in c.languages.iter().filter(|sec| v3 && sec.terms.is_empty()) {
            for (field, value) in [("definition", &section.definition), ("note", &section.note)] {
                if let Some(v) = value {
                    let text =
                        format!("{TMBASE_NOTE}{}", format_section_note(&section.lang, field, v));
                    element(&mut s, ind, "note", None, &text);
                }
            }
        }
        for section in c.languages.iter().filter(|sec| !v3 || !sec.terms.is_empty()) {
            s.push_str(ind);
            s.push('<');
            s.push_str(lang_el);
            push_attr(&mut s, "xml:lang", &section.lang);
            s.push_str(">\n");
            let ind2 = "          ";
            if let Some(v) = &section.definition {
                element(&mut s, ind2, "descrip", Some("definition"), v);
            }
            if let Some(v) = &section.note {
                element(&mut s, ind2, "note", None, v);
            }
            for term in &section.terms {
                push_term(&mut s, term, term_el, v3);
            }
            s.push_str(ind);
            s.push_str("</");
            s.push_str(lang_el);
            s.push_str(">\n");
        }
        s.push_str("      </");
        s.push_str(entry);
        s.push_str(">\n");
        let result = self.out.write_all(s.as_bytes());
        self.s = s;
        self.written += 1;
        result
    }

    pub fn finish(mut self) -> io::Result<W> {
        let close = match self.format {
            TbxFormat::V3Basic => "    </body>\n  </text>\n</tbx>\n",
            TbxFormat::V2 => "    </body>\n  </text>\n</martif>\n",
        };
        self.out.write_all(close.as_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }

    fn push_xref(&self, s: &mut String, ind: &str, x: &crate::model::CrossReference) {
        let v3 = self.format == TbxFormat::V3Basic;
        let native = match (x.kind, &x.target) {
            (CrossRefKind::Concept, None) => true,
            (CrossRefKind::Concept, Some(t)) => !v3 || self.concept_ids.contains(&encode_id(t)),
            (_, Some(t)) => !v3 || t.starts_with("http://") || t.starts_with("https://"),
            (_, None) => !v3,
        };
        if !native || x.text.contains('\n') {
            element(s, ind, "note", None, &format!("{TMBASE_NOTE}{}", format_xref_note(x)));
            return;
        }
        s.push_str(ind);
        match x.kind {
            CrossRefKind::Concept => {
                s.push_str("<ref type=\"crossReference\"");
                if let Some(t) = &x.target {
                    push_attr(s, "target", &encode_id(t));
                }
                s.push('>');
                push_text(s, &x.text);
                s.push_str("</ref>\n");
            }
            CrossRefKind::External | CrossRefKind::Graphic => {
                s.push_str("<xref type=\"");
                s.push_str(if x.kind == CrossRefKind::Graphic {
                    "xGraphic"
                } else {
                    "externalCrossReference"
                });
                s.push('"');
                if let Some(t) = &x.target {
                    push_attr(s, "target", t);
                }
                s.push('>');
                push_text(s, &x.text);
                s.push_str("</xref>\n");
            }
        }
    }
}

fn push_term(s: &mut String, t: &Term, term_el: &str, v3: bool) {
    let ind = "            ";
    let ind2 = "              ";
    s.push_str(ind);
    s.push('<');
    s.push_str(term_el);
    s.push_str(">\n");
    s.push_str(ind2);
    s.push_str("<term>");
    push_text(s, &t.text);
    s.push_str("</term>\n");
    if let Some(p) = t.part_of_speech {
        element(s, ind2, "termNote", Some("partOfSpeech"), p.as_str());
    }
    if let Some(g) = t.gender {
        element(s, ind2, "termNote", Some("grammaticalGender"), g.as_str());
    }
    if let (Some(n), false) = (t.number, v3) {
        element(s, ind2, "termNote", Some("grammaticalNumber"), n.as_str());
    }
    if let Some(status) = t.status {
        let admn = match status {
            TermStatus::Preferred | TermStatus::DoNotTranslate => "preferredTerm-admn-sts",
            TermStatus::Admitted => "admittedTerm-admn-sts",
            TermStatus::Deprecated | TermStatus::Forbidden => "deprecatedTerm-admn-sts",
            TermStatus::Superseded => "supersededTerm-admn-sts",
        };
        element(s, ind2, "termNote", Some("administrativeStatus"), admn);
    }
    let term_type_native = t.term_type.as_deref().filter(|v| !v3 || TERM_TYPES_BASIC.contains(v));
    if let Some(v) = term_type_native {
        element(s, ind2, "termNote", Some("termType"), v);
    }
    if let Some(v) = &t.context {
        element(s, ind2, "descrip", Some("context"), v);
    }
    if let Some(v) = &t.source {
        element(s, ind2, "admin", Some("source"), v);
    }
    if let Some(v) = &t.usage_note {
        element(s, ind2, "note", None, v);
    }
    if let Some(status @ (TermStatus::Forbidden | TermStatus::DoNotTranslate)) = t.status {
        element(s, ind2, "note", None, &format!("{TMBASE_NOTE}status={}", status.as_str()));
    }
    if let (Some(n), true) = (t.number, v3) {
        element(s, ind2, "note", None, &format!("{TMBASE_NOTE}grammaticalNumber={}", n.as_str()));
    }
    if let (Some(v), None) = (&t.term_type, term_type_native) {
        element(s, ind2, "note", None, &format!("{TMBASE_NOTE}termType={v}"));
    }
    if t.match_mode != Default::default() {
        element(
            s,
            ind2,
            "note",
            None,
            &format!("{TMBASE_NOTE}matchMode={}", t.match_mode.as_str()),
        );
    }
    push_stamp(s, ind2, &t.stamp, v3);
    s.push_str(ind);
    s.push_str("</");
    s.push_str(term_el);
    s.push_str(">\n");
}

/// `transacGrp`s for creation and last change. TBX v3 `<date>` is an `xsd:date`: a stamp
/// with a time (or in another format) also goes into a `tmbase:date=` note.
fn push_stamp(s: &mut String, ind: &str, stamp: &Stamp, v3: bool) {
    for (kind, at, by) in [
        ("origination", &stamp.created_at, &stamp.created_by),
        ("modification", &stamp.changed_at, &stamp.changed_by),
    ] {
        if at.is_none() && by.is_none() {
            continue;
        }
        s.push_str(ind);
        s.push_str("<transacGrp>\n");
        let inner = format!("{ind}  ");
        element(s, &inner, "transac", Some("transactionType"), kind);
        if let Some(by) = by {
            element(s, &inner, "transacNote", Some("responsibility"), by);
        }
        if let Some(at) = at {
            if v3 {
                let date = xsd_date(at);
                if let Some(d) = &date {
                    element(s, &inner, "date", None, d);
                }
                if date.as_deref() != Some(at.as_str()) {
                    element(s, &inner, "note", None, &format!("{TMBASE_NOTE}date={at}"));
                }
            } else {
                element(s, &inner, "date", None, at);
            }
        }
        s.push_str(ind);
        s.push_str("</transacGrp>\n");
    }
}

/// The calendar date of a time stamp as `YYYY-MM-DD`: `2005-04-22T14:06:32` and
/// `20010507T10:57:25Z` both have one; `None` when the text holds no plausible date.
pub fn xsd_date(stamp: &str) -> Option<String> {
    let digits: Vec<char> = stamp.chars().take_while(|c| *c != 'T' && *c != ' ').collect();
    let compact: String = digits.iter().filter(|c| c.is_ascii_digit()).collect();
    let separators_ok = digits.iter().all(|c| c.is_ascii_digit() || *c == '-');
    if compact.len() != 8 || !separators_ok {
        return None;
    }
    let (y, m, d) = (&compact[..4], &compact[4..6], &compact[6..]);
    let (mn, dn): (u32, u32) = (m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&mn) || !(1..=31).contains(&dn) {
        return None;
    }
    Some(format!("{y}-{m}-{d}"))
}

fn element(s: &mut String, ind: &str, name: &str, kind: Option<&str>, value: &str) {
    s.push_str(ind);
    s.push('<');
    s.push_str(name);
    if let Some(k) = kind {
        push_attr(s, "type", k);
    }
    s.push('>');
    push_text(s, value);
    s.push_str("</");
    s.push_str(name);
    s.push_str(">\n");
}

fn push_attr(s: &mut String, name: &str, value: &str) {
    s.push(' ');
    s.push_str(name);
    s.push_str("=\"");
    for c in value.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\t' => s.push_str("&#9;"),
            '\n' => s.push_str("&#10;"),
            '\r' => s.push_str("&#13;"),
            c if is_xml_char(c) => s.push(c),
            _ => {}
        }
    }
    s.push('"');
}

fn push_text(s: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '\r' => s.push_str("&#13;"),
            c if is_xml_char(c) => s.push(c),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_xsd_dates() {
        assert_eq!(xsd_date("2005-04-22T14:06:32").as_deref(), Some("2005-04-22"));
        assert_eq!(xsd_date("20010507T10:57:25Z").as_deref(), Some("2001-05-07"));
        assert_eq!(xsd_date("2010-04-17").as_deref(), Some("2010-04-17"));
        assert_eq!(xsd_date("yesterday"), None);
        assert_eq!(xsd_date("2010-13-01"), None);
    }
}
