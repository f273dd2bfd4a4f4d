//! The streaming TBX reader: one concept entry at a time, whatever the file size.
//!
//! Reads TBX v3 (`tbx`/`conceptEntry`/`langSec`/`termSec`, DCA and DCT style), TBX v2
//! (`martif`/`termEntry`/`langSet`/`tig`/`ntig`) and the EuroTermBank flavour (no `martif`,
//! `text` inside `martifHeader`). Each entry is read into a small tree (bounded by
//! [`ReadLimits`]) and then mapped onto a [`Concept`]. An entry with a problem is returned as
//! [`EntryRead::Skipped`] with its position and reading goes on; a file that is not
//! well-formed stops with a [`TbxError`]. DTDs are never fetched; declared entities are refused.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;

use super::{decode_id, TbxError, TMBASE_NOTE};
use crate::model::{
    is_well_formed_lang_tag, normalize_lang_tag, Concept, CrossRefKind, CrossReference, Gender,
    LangSection, MatchMode, Number, PartOfSpeech, Stamp, Term, TermStatus,
};
use crate::xml_input::{
    decode_input, first_illegal_char, predefined_entity, InputInfo, Position, PositionTracking,
};

/// Limits that keep memory bounded on hostile files.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Most bytes of text and attributes in one entry.
    pub max_entry_bytes: usize,
    /// Deepest nesting inside one entry.
    pub max_depth: usize,
    /// Most elements in one entry.
    pub max_elements: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits { max_entry_bytes: 4 << 20, max_depth: 64, max_elements: 100_000 }
    }
}

/// Which TBX the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TbxVersion {
    /// ISO 30042:2008 and LISA TBX: `<martif>`.
    V2,
    /// ISO 30042:2019: `<tbx>`.
    V3,
    /// EuroTermBank exports: a `<martifHeader>` root holding `<text>`.
    EuroTermBank,
}

impl TbxVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            TbxVersion::V2 => "TBX v2 (martif)",
            TbxVersion::V3 => "TBX v3",
            TbxVersion::EuroTermBank => "TBX v2 (EuroTermBank, no martif root)",
        }
    }
}

/// Why an entry was not taken.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    NoTerms,
    NoLanguage,
    BadLanguage(String),
    SeveralTermsInOneSection,
    IllegalCharacter(u32),
    UndefinedEntity(String),
    TooLarge,
    TooDeeplyNested,
    BadAttribute(String),
}

impl SkipReason {
    /// A stable, short name to group skipped entries by in reports.
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::NoTerms => "no_terms",
            SkipReason::NoLanguage => "no_language",
            SkipReason::BadLanguage(_) => "bad_language",
            SkipReason::SeveralTermsInOneSection => "several_terms_in_one_term_section",
            SkipReason::IllegalCharacter(_) => "illegal_character",
            SkipReason::UndefinedEntity(_) => "undefined_entity",
            SkipReason::TooLarge => "entry_too_large",
            SkipReason::TooDeeplyNested => "too_deeply_nested",
            SkipReason::BadAttribute(_) => "bad_attribute",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NoTerms => write!(f, "the entry has no term"),
            SkipReason::NoLanguage => {
                write!(f, "a <langSet>/<langSec> has no xml:lang attribute")
            }
            SkipReason::BadLanguage(tag) => write!(f, "{tag:?} is not a language tag"),
            SkipReason::SeveralTermsInOneSection => {
                write!(f, "a <termSec>/<tig>/<ntig> holds more than one <term>")
            }
            SkipReason::IllegalCharacter(c) => {
                write!(f, "the character U+{c:04X} is not allowed in XML 1.0")
            }
            SkipReason::UndefinedEntity(name) => {
                write!(f, "undefined entity &{name}; (tmbase does not expand DTD entities)")
            }
            SkipReason::TooLarge => write!(f, "the entry is larger than the limit"),
            SkipReason::TooDeeplyNested => write!(f, "the entry is nested too deeply"),
            SkipReason::BadAttribute(what) => write!(f, "bad attribute: {what}"),
        }
    }
}

/// An entry that was not taken, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    pub at: Position,
    pub id: Option<String>,
    pub reason: SkipReason,
}

/// What [`TbxReader::next_entry`] yields.
#[derive(Debug, Clone)]
pub enum EntryRead {
    Concept { concept: Box<Concept>, at: Position },
    Skipped(SkippedEntry),
}

/// The streaming reader: [`TbxReader::new`] reads up to the root element, then
/// [`TbxReader::next_entry`] yields entries until `None`.
pub struct TbxReader {
    xml: quick_xml::Reader<PositionTracking<Box<dyn BufRead>>>,
    position: Rc<Cell<Position>>,
    buf: Vec<u8>,
    version: TbxVersion,
    dialect: Option<String>,
    input: InputInfo,
    limits: ReadLimits,
    /// Names of the open elements outside entries, the root first.
    open: Vec<String>,
    done: bool,
    /// What was not mapped onto the model, by description, with counts.
    notes: BTreeMap<String, u64>,
}

/// An owned, parser-independent event.
enum Ev {
    Start(String, Vec<(String, String)>),
    Empty(String, Vec<(String, String)>),
    End,
    Text(String),
    UnknownEntity(String),
    Eof,
}

/// One element of an entry.
#[derive(Debug, Default)]
struct Node {
    /// Local name (namespace prefix removed).
    name: String,
    /// Written with a namespace prefix (a DCT-style data category).
    prefixed: bool,
    attrs: Vec<(String, String)>,
    children: Vec<Child>,
}

#[derive(Debug)]
enum Child {
    Node(Node),
    Text(String),
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn elements(&self) -> impl Iterator<Item = &Node> {
        self.children.iter().filter_map(|c| match c {
            Child::Node(n) => Some(n),
            Child::Text(_) => None,
        })
    }

    /// All text inside, markup (`<hi>`, `<foreign>`) dropped.
    fn text(&self) -> String {
        let mut s = String::new();
        self.collect_text(&mut s);
        s
    }

    fn collect_text(&self, out: &mut String) {
        for c in &self.children {
            match c {
                Child::Text(t) => out.push_str(t),
                Child::Node(n) => n.collect_text(out),
            }
        }
    }

    fn kind(&self) -> String {
        self.attr("type").unwrap_or("").to_string()
    }

    fn lang(&self) -> Option<String> {
        self.attr("xml:lang")
            .or_else(|| self.attr("lang"))
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(normalize_lang_tag)
    }
}

impl TbxReader {
    /// Reads the prologue and the root element.
    pub fn new(raw: Box<dyn std::io::Read>, limits: ReadLimits) -> Result<TbxReader, TbxError> {
        let (utf8, input) = decode_input(raw)?;
        let (tracked, position) = PositionTracking::new(utf8);
        let mut xml = quick_xml::Reader::from_reader(tracked);
        let config = xml.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        let mut reader = TbxReader {
            xml,
            position,
            buf: Vec::with_capacity(8 * 1024),
            version: TbxVersion::V2,
            dialect: None,
            input,
            limits,
            open: Vec::new(),
            done: false,
            notes: BTreeMap::new(),
        };
        reader.read_root()?;
        Ok(reader)
    }

    pub fn version(&self) -> TbxVersion {
        self.version
    }

    /// The `type` of the root (`TBX-Basic`, `TBX-Core`, `TBX`…).
    pub fn dialect(&self) -> Option<&str> {
        self.dialect.as_deref()
    }

    pub fn input_info(&self) -> &InputInfo {
        &self.input
    }

    pub fn position(&self) -> Position {
        self.position.get()
    }

    /// What the reader met but could not map onto the term-base model (kept as notes or
    /// ignored), with counts.
    pub fn notes(&self) -> &BTreeMap<String, u64> {
        &self.notes
    }

    fn fatal(&self, message: impl Into<String>) -> TbxError {
        TbxError::Malformed { at: self.position(), message: message.into() }
    }

    fn next_event(&mut self) -> Result<Ev, TbxError> {
        loop {
            self.buf.clear();
            self.xml.get_mut().start_event();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => {
                    let at = self.position.get();
                    let message = match &e {
                        quick_xml::Error::Encoding(_) => {
                            format!("{e} (the bytes are not in the encoding the file declares)")
                        }
                        _ => format!("not well-formed XML: {e}"),
                    };
                    return Err(TbxError::Malformed { at, message });
                }
            };
            let ev = match event {
                Event::Start(e) => {
                    let (name, attrs) = owned_tag(&e, &self.position)?;
                    Ev::Start(name, attrs)
                }
                Event::Empty(e) => {
                    let (name, attrs) = owned_tag(&e, &self.position)?;
                    Ev::Empty(name, attrs)
                }
                Event::End(_) => Ev::End,
                Event::Text(t) => Ev::Text(t.xml10_content().into_owned()),
                Event::CData(t) => Ev::Text(t.xml10_content().into_owned()),
                Event::GeneralRef(r) => match r.resolve_char_ref() {
                    Ok(Some(c)) => Ev::Text(c.to_string()),
                    Ok(None) => match predefined_entity(&r.xml10_content()) {
                        Some(c) => Ev::Text(c.to_string()),
                        None => Ev::UnknownEntity(r.xml10_content().into_owned()),
                    },
                    Err(e) => return Err(self.fatal(format!("bad character reference: {e}"))),
                },
                Event::DocType(d) => {
                    if d.xml10_content().contains("<!ENTITY") {
                        return Err(TbxError::Refused(format!(
                            "{}: the DOCTYPE declares entities; tmbase never expands DTD entities",
                            self.position()
                        )));
                    }
                    continue;
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
                Event::Eof => Ev::Eof,
            };
            return Ok(ev);
        }
    }

    fn read_root(&mut self) -> Result<(), TbxError> {
        loop {
            match self.next_event()? {
                Ev::Start(name, attrs) => {
                    let local = local_name(&name);
                    self.version = match local {
                        "martif" => TbxVersion::V2,
                        "tbx" => TbxVersion::V3,
                        "martifHeader" => TbxVersion::EuroTermBank,
                        _ => {
                            return Err(TbxError::NotTbx(format!(
                            "the root element is <{name}>, not <martif> (TBX v2) or <tbx> (TBX v3)"
                        )))
                        }
                    };
                    self.dialect =
                        attrs.iter().find(|(k, _)| k == "type").map(|(_, v)| v.to_string());
                    self.open.push(name);
                    return Ok(());
                }
                Ev::Empty(name, _) => {
                    return Err(TbxError::NotTbx(format!("the root element <{name}/> is empty")))
                }
                Ev::Text(t) if t.trim().is_empty() => {}
                Ev::Text(_) | Ev::UnknownEntity(_) => {
                    return Err(TbxError::NotTbx("text before the root element".into()))
                }
                Ev::End => return Err(self.fatal("unexpected end tag before the root element")),
                Ev::Eof => return Err(TbxError::NotTbx("no root element".into())),
            }
        }
    }

    /// The next entry, `None` after the root element closes. An `Err` means the file cannot
    /// be read further.
    pub fn next_entry(&mut self) -> Option<Result<EntryRead, TbxError>> {
        if self.done {
            return None;
        }
        let result = self.advance();
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }

    fn advance(&mut self) -> Option<Result<EntryRead, TbxError>> {
        loop {
            let at = self.position();
            let ev = match self.next_event() {
                Ok(ev) => ev,
                Err(e) => return Some(Err(e)),
            };
            match ev {
                Ev::Start(name, attrs) if is_entry(&name) => {
                    let mut fault = None;
                    let tree = match self.read_tree(name, attrs, &mut fault) {
                        Ok(tree) => tree,
                        Err(e) => return Some(Err(e)),
                    };
                    let id = tree.attr("id").map(decode_id);
                    if let Some(reason) = fault {
                        return Some(Ok(EntryRead::Skipped(SkippedEntry { at, id, reason })));
                    }
                    return Some(Ok(match concept_from_entry(&tree, &mut self.notes) {
                        Ok(concept) => EntryRead::Concept { concept: Box::new(concept), at },
                        Err(reason) => EntryRead::Skipped(SkippedEntry { at, id, reason }),
                    }));
                }
                Ev::Empty(name, attrs) if is_entry(&name) => {
                    let id = attrs.iter().find(|(k, _)| k == "id").map(|(_, v)| decode_id(v));
                    return Some(Ok(EntryRead::Skipped(SkippedEntry {
                        at,
                        id,
                        reason: SkipReason::NoTerms,
                    })));
                }
                Ev::Start(name, _) => self.open.push(name),
                Ev::End => {
                    self.open.pop();
                    if self.open.is_empty() {
                        return match self.read_to_end() {
                            Ok(()) => None,
                            Err(e) => Some(Err(e)),
                        };
                    }
                }
                Ev::Eof => {
                    let inside = self.open.last().cloned().unwrap_or_default();
                    return Some(Err(
                        self.fatal(format!("the file ends inside <{inside}> (cut short?)"))
                    ));
                }
                Ev::Empty(..) | Ev::Text(_) | Ev::UnknownEntity(_) => {}
            }
        }
    }

    /// After the root closes: only comments and white space may follow.
    fn read_to_end(&mut self) -> Result<(), TbxError> {
        loop {
            match self.next_event()? {
                Ev::Eof => return Ok(()),
                Ev::Text(t) if t.trim().is_empty() => {}
                _ => return Err(self.fatal("content after the end of the root element")),
            }
        }
    }

    /// Reads the element just opened into a tree. Problems that make the entry unusable are
    /// put in `fault` (the first one) while the element is still read to its end.
    fn read_tree(
        &mut self,
        name: String,
        attrs: Vec<(String, String)>,
        fault: &mut Option<SkipReason>,
    ) -> Result<Node, TbxError> {
        let mut budget = self.limits.max_entry_bytes;
        let mut elements = 0usize;
        let mut stack: Vec<Node> = vec![new_node(name, attrs, fault, &mut budget)];
        loop {
            match self.next_event()? {
                Ev::Start(name, attrs) => {
                    elements += 1;
                    if stack.len() >= self.limits.max_depth {
                        fault.get_or_insert(SkipReason::TooDeeplyNested);
                    }
                    if elements > self.limits.max_elements {
                        fault.get_or_insert(SkipReason::TooLarge);
                    }
                    stack.push(new_node(name, attrs, fault, &mut budget));
                }
                Ev::Empty(name, attrs) => {
                    elements += 1;
                    let node = new_node(name, attrs, fault, &mut budget);
                    if fault.is_none() {
                        if let Some(top) = stack.last_mut() {
                            top.children.push(Child::Node(node));
                        }
                    }
                }
                Ev::Text(t) => {
                    if let Some(c) = first_illegal_char(&t) {
                        fault.get_or_insert(SkipReason::IllegalCharacter(c as u32));
                    }
                    if t.len() > budget {
                        fault.get_or_insert(SkipReason::TooLarge);
                    }
                    if fault.is_none() {
                        budget -= t.len();
                        if let Some(top) = stack.last_mut() {
                            match top.children.last_mut() {
                                Some(Child::Text(prev)) => prev.push_str(&t),
                                _ => top.children.push(Child::Text(t)),
                            }
                        }
                    }
                }
                Ev::UnknownEntity(name) => {
                    fault.get_or_insert(SkipReason::UndefinedEntity(name));
                }
                Ev::End => {
                    let done = stack.pop().expect("the stack holds the open elements");
                    match stack.last_mut() {
                        Some(parent) => {
                            if fault.is_none() {
                                parent.children.push(Child::Node(done));
                            }
                        }
                        None => return Ok(done),
                    }
                }
                Ev::Eof => {
                    let inside = stack.last().map(|n| n.name.clone()).unwrap_or_default();
                    return Err(self.fatal(format!("the file ends inside <{inside}> (cut short?)")));
                }
            }
        }
    }
}

fn new_node(
    name: String,
    attrs: Vec<(String, String)>,
    fault: &mut Option<SkipReason>,
    budget: &mut usize,
) -> Node {
    let size: usize = attrs.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > *budget {
        fault.get_or_insert(SkipReason::TooLarge);
    } else {
        *budget -= size;
    }
    for (k, v) in &attrs {
        if k == "\0bad" {
            fault.get_or_insert(SkipReason::BadAttribute(v.clone()));
        } else if let Some(c) = first_illegal_char(v) {
            fault.get_or_insert(SkipReason::IllegalCharacter(c as u32));
        }
    }
    let prefixed = name.contains(':');
    Node { name: local_name(&name).to_string(), prefixed, attrs, children: Vec::new() }
}

fn is_entry(name: &str) -> bool {
    matches!(local_name(name), "termEntry" | "conceptEntry")
}

fn local_name(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

fn owned_tag(
    e: &BytesStart<'_>,
    position: &Cell<Position>,
) -> Result<(String, Vec<(String, String)>), TbxError> {
    let name = e.name().as_ref().to_string();
    let mut attrs = Vec::new();
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|err| TbxError::Malformed {
            at: position.get(),
            message: format!("bad attribute in <{name}>: {err}"),
        })?;
        let key = a.key.as_ref().to_string();
        match a.normalized_value(XmlVersion::Implicit1_0) {
            Ok(v) => attrs.push((key, v.into_owned())),
            Err(err) => attrs.push((String::from("\0bad"), format!("{key}: {err}"))),
        }
    }
    Ok((name, attrs))
}

// ---------------------------------------------------------------------------------------
// From an entry tree to a concept.

fn note(notes: &mut BTreeMap<String, u64>, what: String) {
    *notes.entry(what).or_default() += 1;
}

fn append_line(field: &mut Option<String>, line: &str) {
    let line = line.trim();
    if line.is_empty() {
        return;
    }
    match field {
        Some(v) if !v.is_empty() => {
            v.push('\n');
            v.push_str(line);
        }
        _ => *field = Some(line.to_string()),
    }
}

/// The data category of an element: `descrip type="definition"` → (`descrip`, `definition`);
/// a DCT element `<basic:definition>` → (`dct`, `definition`).
fn category(node: &Node) -> (&str, String) {
    if node.prefixed {
        ("dct", node.name.clone())
    } else {
        (node.name.as_str(), node.kind())
    }
}

fn concept_from_entry(
    entry: &Node,
    notes: &mut BTreeMap<String, u64>,
) -> Result<Concept, SkipReason> {
    let mut concept =
        Concept { external_id: entry.attr("id").map(decode_id), ..Concept::default() };
    for child in entry.elements() {
        match child.name.as_str() {
            "langSet" | "langSec" if !child.prefixed => {
                let lang = child.lang().ok_or(SkipReason::NoLanguage)?;
                if !is_well_formed_lang_tag(&lang) {
                    return Err(SkipReason::BadLanguage(lang));
                }
                let mut section = concept
                    .languages
                    .iter()
                    .position(|s| s.lang == lang)
                    .map(|i| concept.languages.remove(i))
                    .unwrap_or_else(|| LangSection { lang, ..LangSection::default() });
                read_lang_section(child, &mut concept, &mut section, notes)?;
                concept.languages.push(section);
            }
            "transacGrp" => read_transaction(child, &mut concept.stamp),
            _ => concept_datum(child, &mut concept, notes),
        }
    }
    concept.tidy();
    if concept.term_count() == 0 {
        return Err(SkipReason::NoTerms);
    }
    Ok(concept)
}

/// A `descrip`, `admin`, `note`, `ref`, `xref` (or their groups) at concept level.
fn concept_datum(node: &Node, concept: &mut Concept, notes: &mut BTreeMap<String, u64>) {
    let (element, kind) = category(node);
    let text = node.text();
    match (element, kind.as_str()) {
        ("descripGrp" | "adminGrp", _) => {
            for inner in node.elements() {
                if inner.name == "transacGrp" {
                    read_transaction(inner, &mut concept.stamp);
                } else {
                    concept_datum(inner, concept, notes);
                }
            }
        }
        ("descrip" | "dct", "subjectField") => append_line(&mut concept.subject_field, &text),
        ("descrip" | "dct", "definition") => append_line(&mut concept.definition, &text),
        ("admin" | "dct", "source") => append_line(&mut concept.source, &text),
        ("note", _) => {
            if let Some(rest) = text.trim().strip_prefix(TMBASE_NOTE) {
                if let Some(x) = super::parse_xref_note(rest) {
                    concept.cross_references.push(x);
                    return;
                }
                if let Some((lang, field, value)) = super::parse_section_note(rest) {
                    let section = concept.section_mut(&lang);
                    if field == "definition" {
                        append_line(&mut section.definition, &value);
                    } else {
                        append_line(&mut section.note, &value);
                    }
                    return;
                }
            }
            append_line(&mut concept.note, &text);
        }
        ("ref", _) => concept.cross_references.push(CrossReference {
            kind: CrossRefKind::Concept,
            target: node.attr("target").map(decode_id),
            text,
        }),
        ("xref", kind) => concept.cross_references.push(CrossReference {
            kind: if kind == "xGraphic" { CrossRefKind::Graphic } else { CrossRefKind::External },
            target: node.attr("target").map(str::to_string),
            text,
        }),
        ("descrip" | "admin" | "dct", kind) if !kind.is_empty() => {
            note(notes, format!("<{}> \"{kind}\" kept as a concept note", node.name));
            append_line(&mut concept.note, &format!("{kind}: {}", text.trim()));
        }
        (other, _) => note(notes, format!("<{other}> in an entry ignored")),
    }
}

fn read_lang_section(
    node: &Node,
    concept: &mut Concept,
    section: &mut LangSection,
    notes: &mut BTreeMap<String, u64>,
) -> Result<(), SkipReason> {
    for child in node.elements() {
        let (element, kind) = category(child);
        let text = child.text();
        match (element, kind.as_str()) {
            ("tig" | "ntig" | "termSec", _) => {
                if let Some(term) = read_term(child, notes)? {
                    section.terms.push(term);
                }
            }
            ("descripGrp" | "adminGrp", _) => {
                for inner in child.elements() {
                    let (element, kind) = category(inner);
                    match (element, kind.as_str()) {
                        ("descrip" | "dct", "definition") => {
                            append_line(&mut section.definition, &inner.text())
                        }
                        ("admin" | "dct", "source") => append_line(
                            &mut section.note,
                            &format!("source: {}", inner.text().trim()),
                        ),
                        ("note", _) => append_line(&mut section.note, &inner.text()),
                        ("descrip" | "admin" | "dct", kind) if !kind.is_empty() => {
                            note(
                                notes,
                                format!("<{}> \"{kind}\" kept as a language note", inner.name),
                            );
                            append_line(
                                &mut section.note,
                                &format!("{kind}: {}", inner.text().trim()),
                            );
                        }
                        _ => {}
                    }
                }
            }
            ("descrip" | "dct", "definition") => append_line(&mut section.definition, &text),
            ("descrip" | "dct", "subjectField") => append_line(&mut concept.subject_field, &text),
            ("note", _) => append_line(&mut section.note, &text),
            ("transacGrp", _) => note(notes, "<transacGrp> of a language section ignored".into()),
            ("descrip" | "admin" | "dct", kind) if !kind.is_empty() => {
                note(notes, format!("<{}> \"{kind}\" kept as a language note", child.name));
                append_line(&mut section.note, &format!("{kind}: {}", text.trim()));
            }
            (other, _) => note(notes, format!("<{other}> in a language section ignored")),
        }
    }
    Ok(())
}

#[derive(Default)]
struct StatusVotes {
    administrative: Option<TermStatus>,
    usage: Option<TermStatus>,
    normative: Option<TermStatus>,
    tmbase: Option<TermStatus>,
}

/// A `tig`, `ntig` or `termSec`. `Ok(None)`: a section without a term (ignored).
fn read_term(node: &Node, notes: &mut BTreeMap<String, u64>) -> Result<Option<Term>, SkipReason> {
    let mut term = Term::default();
    let mut texts = Vec::new();
    let mut votes = StatusVotes::default();
    read_term_parts(node, &mut term, &mut texts, &mut votes, notes);
    if texts.len() > 1 {
        return Err(SkipReason::SeveralTermsInOneSection);
    }
    let Some(text) = texts.pop() else {
        note(notes, format!("<{}> without <term> ignored", node.name));
        return Ok(None);
    };
    term.text = text;
    term.status = votes.tmbase.or(votes.administrative).or(votes.usage).or(votes.normative);
    Ok(Some(term))
}

fn read_term_parts(
    node: &Node,
    term: &mut Term,
    texts: &mut Vec<String>,
    votes: &mut StatusVotes,
    notes: &mut BTreeMap<String, u64>,
) {
    for child in node.elements() {
        let (element, kind) = category(child);
        let text = child.text();
        let value = text.trim();
        match (element, kind.as_str()) {
            ("term", _) => texts.push(text),
            ("termGrp" | "termNoteGrp" | "descripGrp" | "adminGrp", _) => {
                read_term_parts(child, term, texts, votes, notes)
            }
            ("termNote" | "dct", "partOfSpeech") => {
                term.part_of_speech = Some(PartOfSpeech::parse(value))
            }
            ("termNote" | "dct", "grammaticalGender") => term.gender = Some(Gender::parse(value)),
            ("termNote" | "dct", "grammaticalNumber") => term.number = Some(Number::parse(value)),
            ("termNote" | "dct", "termType") => term.term_type = Some(value.to_string()),
            ("termNote" | "dct", "usageNote") => append_line(&mut term.usage_note, value),
            (
                "termNote" | "dct",
                which @ ("administrativeStatus" | "usageStatus" | "normativeAuthorization"),
            ) => match TermStatus::parse(value) {
                Some(s) => {
                    let slot = match which {
                        "administrativeStatus" => &mut votes.administrative,
                        "usageStatus" => &mut votes.usage,
                        _ => &mut votes.normative,
                    };
                    slot.get_or_insert(s);
                }
                None => {
                    note(notes, format!("unknown {which} value kept as a usage note"));
                    append_line(&mut term.usage_note, &format!("{which}: {value}"));
                }
            },
            ("descrip" | "dct", "context") => append_line(&mut term.context, &text),
            ("admin" | "dct", "source") => append_line(&mut term.source, &text),
            ("note", _) => match value.strip_prefix(TMBASE_NOTE) {
                Some(rest) if apply_tmbase_term_note(rest, term, votes) => {}
                _ => append_line(&mut term.usage_note, &text),
            },
            ("transacGrp", _) => read_transaction(child, &mut term.stamp),
            ("termNote" | "descrip" | "admin" | "dct", kind) if !kind.is_empty() => {
                note(notes, format!("<{}> \"{kind}\" kept as a usage note", child.name));
                append_line(&mut term.usage_note, &format!("{kind}: {value}"));
            }
            (other, _) => note(notes, format!("<{other}> in a term section ignored")),
        }
    }
}

/// `status=forbidden`, `matchMode=exact`, `grammaticalNumber=plural`, `termType=synonym`.
fn apply_tmbase_term_note(rest: &str, term: &mut Term, votes: &mut StatusVotes) -> bool {
    let Some((key, value)) = rest.split_once('=') else { return false };
    match key {
        "status" => match TermStatus::parse(value) {
            Some(s) => votes.tmbase = Some(s),
            None => return false,
        },
        "matchMode" => match MatchMode::parse(value) {
            Some(m) => term.match_mode = m,
            None => return false,
        },
        "grammaticalNumber" => term.number = Some(Number::parse(value)),
        "termType" => term.term_type = Some(value.to_string()),
        _ => return false,
    }
    true
}

/// A `transacGrp`: origination/creation sets who created, modification who changed (the
/// latest one wins). A `tmbase:date=` note carries a full time stamp.
fn read_transaction(node: &Node, stamp: &mut Stamp) {
    let mut kind = String::new();
    let mut date = None;
    let mut by = None;
    for child in node.elements() {
        let text = child.text().trim().to_string();
        match child.name.as_str() {
            "transac" => kind = text.to_ascii_lowercase(),
            "date" if date.is_none() => date = Some(text),
            "transacNote" => by = Some(text),
            "note" => {
                if let Some(full) =
                    text.strip_prefix(TMBASE_NOTE).and_then(|r| r.strip_prefix("date="))
                {
                    date = Some(full.to_string());
                }
            }
            _ => {}
        }
    }
    let date = date.filter(|d| !d.is_empty());
    let by = by.filter(|b| !b.is_empty());
    match kind.as_str() {
        "origination" | "creation" | "created" | "input" | "origin"
            if stamp.created_at.is_none() && stamp.created_by.is_none() =>
        {
            stamp.created_at = date;
            stamp.created_by = by;
        }
        "modification" | "modified" | "modify" | "update" | "change" => {
            let newer = match (&stamp.changed_at, &date) {
                (None, _) => true,
                (Some(old), Some(new)) => new >= old,
                (Some(_), None) => false,
            };
            if newer {
                stamp.changed_at = date;
                stamp.changed_by = by;
            }
        }
        _ => {}
    }
}
