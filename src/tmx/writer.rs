//! The TMX 1.4b writer (UTF-8, valid against the DTD) and the XML form of a segment's
//! content, which is also how the store keeps inline markup losslessly.

use std::io::{self, Write};

use quick_xml::events::Event;

use super::TmxError;
use crate::model::{
    Annotation, AnnotationKind, Header, Inline, InlineKind, Metadata, Segment, Unit,
};
use crate::xml_input::Position;

/// What the `<header>` of an export says.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// `srclang` of the header: the export's source language, or `*all*`.
    pub srclang: String,
}

/// Writes one TMX document: [`TmxWriter::start`], [`TmxWriter::write_unit`] for each unit,
/// then [`TmxWriter::finish`]. Memory use does not depend on the number of units.
/// Inline attributes that TMX 1.4b does not declare (Heartsome's `id` on `<ph>`) are kept in
/// the store but left out of exports, which stay valid against the DTD.
pub struct TmxWriter<W: Write> {
    out: W,
    scratch: String,
}

impl<W: Write> TmxWriter<W> {
    pub fn start(mut out: W, header: &Header, options: &WriterOptions) -> io::Result<Self> {
        let mut s = String::with_capacity(1024);
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.push_str("<!DOCTYPE tmx SYSTEM \"tmx14.dtd\">\n");
        s.push_str("<tmx version=\"1.4\">\n  <header");
        push_attr(&mut s, "creationtool", "tmbase");
        push_attr(&mut s, "creationtoolversion", env!("CARGO_PKG_VERSION"));
        let meta = &header.meta;
        push_attr(&mut s, "segtype", meta.segtype.as_deref().unwrap_or("sentence"));
        push_attr(&mut s, "o-tmf", meta.o_tmf.as_deref().unwrap_or("tmbase"));
        push_attr(&mut s, "adminlang", header.adminlang.as_deref().unwrap_or("en-US"));
        push_attr(&mut s, "srclang", &options.srclang);
        push_attr(&mut s, "datatype", meta.datatype.as_deref().unwrap_or("plaintext"));
        if let Some(v) = &meta.o_encoding {
            push_attr(&mut s, "o-encoding", v);
        }
        for (name, value) in [
            ("creationdate", &meta.creationdate),
            ("creationid", &meta.creationid),
            ("changedate", &meta.changedate),
            ("changeid", &meta.changeid),
        ] {
            if let Some(v) = value {
                push_attr(&mut s, name, v);
            }
        }
        if header.annotations.is_empty() {
            s.push_str("/>\n");
        } else {
            s.push_str(">\n");
            for a in &header.annotations {
                push_annotation(&mut s, a, "    ");
            }
            s.push_str("  </header>\n");
        }
        s.push_str("  <body>\n");
        out.write_all(s.as_bytes())?;
        Ok(TmxWriter { out, scratch: String::with_capacity(4096) })
    }

    pub fn write_unit(&mut self, unit: &Unit) -> io::Result<()> {
        let s = &mut self.scratch;
        s.clear();
        s.push_str("    <tu");
        if let Some(tuid) = &unit.tuid {
            push_attr(s, "tuid", tuid);
        }
        if let Some(srclang) = &unit.srclang {
            push_attr(s, "srclang", srclang);
        }
        push_metadata(s, &unit.meta, true);
        s.push_str(">\n");
        for a in &unit.annotations {
            push_annotation(s, a, "      ");
        }
        for v in &unit.variants {
            s.push_str("      <tuv");
            push_attr(s, "xml:lang", &v.lang);
            push_metadata(s, &v.meta, false);
            s.push_str(">\n");
            for a in &v.annotations {
                push_annotation(s, a, "        ");
            }
            s.push_str("        <seg>");
            push_inline(s, &v.segment.content, InlineAttrs::Declared);
            s.push_str("</seg>\n      </tuv>\n");
        }
        s.push_str("    </tu>\n");
        self.out.write_all(s.as_bytes())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"  </body>\n</tmx>\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn push_metadata(s: &mut String, m: &Metadata, is_unit: bool) {
    if let Some(v) = &m.o_encoding {
        push_attr(s, "o-encoding", v);
    }
    if let Some(v) = &m.datatype {
        push_attr(s, "datatype", v);
    }
    if let Some(v) = m.usagecount {
        push_attr(s, "usagecount", &v.to_string());
    }
    for (name, value) in [
        ("lastusagedate", &m.lastusagedate),
        ("creationtool", &m.creationtool),
        ("creationtoolversion", &m.creationtoolversion),
        ("creationdate", &m.creationdate),
        ("creationid", &m.creationid),
        ("changedate", &m.changedate),
    ] {
        if let Some(v) = value {
            push_attr(s, name, v);
        }
    }
    if is_unit {
        if let Some(v) = &m.segtype {
            push_attr(s, "segtype", v);
        }
    }
    if let Some(v) = &m.changeid {
        push_attr(s, "changeid", v);
    }
    if let Some(v) = &m.o_tmf {
        push_attr(s, "o-tmf", v);
    }
}

fn push_annotation(s: &mut String, a: &Annotation, indent: &str) {
    s.push_str(indent);
    s.push('<');
    s.push_str(a.kind.as_str());
    if a.kind == AnnotationKind::Prop {
        push_attr(s, "type", a.prop_type.as_deref().unwrap_or(""));
    }
    if let Some(lang) = &a.lang {
        push_attr(s, "xml:lang", lang);
    }
    if let Some(enc) = &a.o_encoding {
        push_attr(s, "o-encoding", enc);
    }
    s.push('>');
    push_text(s, &a.value);
    s.push_str("</");
    s.push_str(a.kind.as_str());
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
            // Literal whitespace in attributes is normalised to spaces by XML parsers.
            '\t' => s.push_str("&#9;"),
            '\n' => s.push_str("&#10;"),
            '\r' => s.push_str("&#13;"),
            c => s.push(c),
        }
    }
    s.push('"');
}

fn push_text(s: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            // A literal CR would be turned into LF by the next parser.
            '\r' => s.push_str("&#13;"),
            c => s.push(c),
        }
    }
}

/// Which attributes to write on inline elements.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InlineAttrs {
    /// Every attribute that came in (how the store keeps segments).
    All,
    /// Only those the TMX 1.4b DTD declares for the element (how exports are written).
    Declared,
}

/// The attributes the TMX 1.4b DTD declares on each inline element.
fn declared_attribute(kind: InlineKind, name: &str) -> bool {
    match kind {
        InlineKind::Bpt => matches!(name, "i" | "x" | "type"),
        InlineKind::Ept => name == "i",
        InlineKind::It => matches!(name, "pos" | "x" | "type"),
        InlineKind::Ph => matches!(name, "x" | "assoc" | "type"),
        InlineKind::Hi => matches!(name, "x" | "type"),
        InlineKind::Ut => name == "x",
        InlineKind::Sub => matches!(name, "datatype" | "type"),
    }
}

fn push_inline(s: &mut String, items: &[Inline], which: InlineAttrs) {
    for item in items {
        match item {
            Inline::Text(t) => push_text(s, t),
            Inline::Tag { kind, attrs, content } => {
                s.push('<');
                s.push_str(kind.name());
                for (k, v) in attrs {
                    if which == InlineAttrs::All || declared_attribute(*kind, k) {
                        push_attr(s, k, v);
                    }
                }
                if content.is_empty() {
                    s.push_str("/>");
                } else {
                    s.push('>');
                    push_inline(s, content, which);
                    s.push_str("</");
                    s.push_str(kind.name());
                    s.push('>');
                }
            }
        }
    }
}

/// The content of a `<seg>` as XML (without the `<seg>` tags themselves), with every
/// attribute that came in: the form in which the store keeps segments with markup.
pub fn segment_to_xml(segment: &Segment) -> String {
    let mut s = String::new();
    push_inline(&mut s, &segment.content, InlineAttrs::All);
    s
}

/// Parses what [`segment_to_xml`] wrote.
pub fn segment_from_xml(xml: &str) -> Result<Segment, TmxError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let content = parse_fragment(&mut reader, xml, 0)?;
    Ok(Segment { content })
}

fn parse_fragment(
    reader: &mut quick_xml::Reader<&[u8]>,
    xml: &str,
    depth: usize,
) -> Result<Vec<Inline>, TmxError> {
    let bad = |message: String| TmxError::Malformed { at: Position::default(), message };
    let mut items: Vec<Inline> = Vec::new();
    let push_text = |items: &mut Vec<Inline>, t: &str| match items.last_mut() {
        Some(Inline::Text(prev)) => prev.push_str(t),
        _ => items.push(Inline::Text(t.to_string())),
    };
    loop {
        match reader.read_event().map_err(|e| bad(format!("stored segment {xml:?}: {e}")))? {
            Event::Text(t) => push_text(&mut items, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    _ => {
                        let name = r.xml10_content();
                        crate::xml_input::predefined_entity(&name)
                            .ok_or_else(|| bad(format!("stored segment: entity &{name};")))?
                    }
                };
                push_text(&mut items, c.encode_utf8(&mut [0; 4]));
            }
            Event::Start(e) | Event::Empty(e) if depth > 64 => {
                return Err(bad(format!("stored segment nested too deeply at <{:?}>", e.name())))
            }
            ev @ (Event::Start(_) | Event::Empty(_)) => {
                let (e, has_content) = match ev {
                    Event::Start(e) => (e, true),
                    Event::Empty(e) => (e, false),
                    _ => unreachable!(),
                };
                let name = e.name().as_ref().to_string();
                let kind = InlineKind::from_name(&name)
                    .ok_or_else(|| bad(format!("stored segment: unknown element <{name}>")))?;
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|err| bad(format!("stored segment: {err}")))?;
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|err| bad(format!("stored segment: {err}")))?;
                    attrs.push((a.key.as_ref().to_string(), value.into_owned()));
                }
                let content =
                    if has_content { parse_fragment(reader, xml, depth + 1)? } else { Vec::new() };
                items.push(Inline::Tag { kind, attrs, content });
            }
            Event::End(_) | Event::Eof => return Ok(items),
            _ => {}
        }
    }
}
