//! The streaming TMX reader: one `<tu>` at a time, whatever the file size.
//!
//! A unit with a problem is returned as [`UnitRead::Skipped`] with its position, tuid and the
//! reason, and reading goes on; a file that is not well-formed stops with a [`TmxError`].
//! DTDs and external entities are never fetched; a file that declares entities is refused.

use std::cell::Cell;
use std::fmt;
use std::io::BufRead;
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;

use super::TmxError;
use crate::model::{
    normalize_lang_tag, Annotation, AnnotationKind, Header, Inline, InlineKind, Metadata, Segment,
    Unit, Variant,
};
use crate::xml_input::{
    decode_input, first_illegal_char, predefined_entity, InputInfo, Position, PositionTracking,
};

/// Limits that keep memory bounded on hostile files.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Longest `<seg>` text, in bytes of UTF-8.
    pub max_segment_bytes: usize,
    /// Deepest nesting of inline elements inside a `<seg>`.
    pub max_inline_depth: usize,
    /// Most attributes on one element.
    pub max_attributes: usize,
    /// Most variants in one unit.
    pub max_variants: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_segment_bytes: 1 << 20,
            max_inline_depth: 32,
            max_attributes: 64,
            max_variants: 512,
        }
    }
}

/// Why a unit was not taken.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SkipReason {
    NoSegment,
    NoLanguage,
    FewerThanTwoVariants,
    IllegalCharacter(u32),
    UndefinedEntity(String),
    SegmentTooLong,
    TooDeeplyNested,
    TooManyAttributes,
    TooManyVariants,
    MisplacedElement(String),
    BadAttribute(String),
}

impl SkipReason {
    /// A stable, short name to group skipped units by in reports.
    pub fn code(&self) -> &'static str {
        match self {
            SkipReason::NoSegment => "no_segment",
            SkipReason::NoLanguage => "no_language",
            SkipReason::FewerThanTwoVariants => "fewer_than_two_variants",
            SkipReason::IllegalCharacter(_) => "illegal_character",
            SkipReason::UndefinedEntity(_) => "undefined_entity",
            SkipReason::SegmentTooLong => "segment_too_long",
            SkipReason::TooDeeplyNested => "too_deeply_nested",
            SkipReason::TooManyAttributes => "too_many_attributes",
            SkipReason::TooManyVariants => "too_many_variants",
            SkipReason::MisplacedElement(_) => "misplaced_element",
            SkipReason::BadAttribute(_) => "bad_attribute",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NoSegment => write!(f, "a <tuv> has no <seg>"),
            SkipReason::NoLanguage => write!(f, "a <tuv> has no xml:lang (or lang) attribute"),
            SkipReason::FewerThanTwoVariants => write!(f, "the unit has fewer than two <tuv>"),
            SkipReason::IllegalCharacter(c) => {
                write!(f, "the character U+{c:04X} is not allowed in XML 1.0")
            }
            SkipReason::UndefinedEntity(name) => {
                write!(f, "undefined entity &{name}; (tmbase does not expand DTD entities)")
            }
            SkipReason::SegmentTooLong => write!(f, "a <seg> is longer than the limit"),
            SkipReason::TooDeeplyNested => write!(f, "inline markup is nested too deeply"),
            SkipReason::TooManyAttributes => write!(f, "an element has too many attributes"),
            SkipReason::TooManyVariants => write!(f, "the unit has too many <tuv>"),
            SkipReason::MisplacedElement(name) => write!(f, "unexpected <{name}> here"),
            SkipReason::BadAttribute(what) => write!(f, "bad attribute: {what}"),
        }
    }
}

/// A unit that was not taken, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedUnit {
    pub at: Position,
    pub tuid: Option<String>,
    pub reason: SkipReason,
}

/// What [`TmxReader::next_unit`] yields.
#[derive(Debug, Clone)]
pub enum UnitRead {
    Unit { unit: Box<Unit>, at: Position },
    Skipped(SkippedUnit),
}

/// The streaming reader. Create it with [`TmxReader::new`], read the header with
/// [`TmxReader::header`], then call [`TmxReader::next_unit`] until it yields `None`.
pub struct TmxReader {
    xml: quick_xml::Reader<PositionTracking<Box<dyn BufRead>>>,
    position: Rc<Cell<Position>>,
    buf: Vec<u8>,
    /// The text of the last [`Ev::Text`].
    text: String,
    header: Header,
    version: Option<String>,
    input: InputInfo,
    limits: ReadLimits,
    /// Depth of open elements, `<tmx>` being 1.
    depth: usize,
    done: bool,
}

/// A tag's attributes, in document order.
type Attrs = Vec<(String, String)>;

/// An owned, parser-independent event.
enum Ev {
    Start(String, Attrs),
    Empty(String, Attrs),
    End,
    /// Text or CDATA (or a character reference), held in [`TmxReader::text`] until the next
    /// event: most text between tags is indentation, kept without a new allocation.
    Text,
    /// An entity reference that is not one of the five predefined ones.
    UnknownEntity(String),
    Eof,
}

/// A problem inside a unit: either skip the unit or stop reading the file.
enum Fault {
    Skip(SkipReason),
    Fatal(TmxError),
}

impl From<TmxError> for Fault {
    fn from(e: TmxError) -> Self {
        Fault::Fatal(e)
    }
}

type UnitResult<T> = Result<T, Fault>;

impl TmxReader {
    /// Reads up to `<body>`: the declaration, the root and the header.
    pub fn new(raw: Box<dyn std::io::Read>, limits: ReadLimits) -> Result<TmxReader, TmxError> {
        let (utf8, input) = decode_input(raw)?;
        let (tracked, position) = PositionTracking::new(utf8);
        let mut xml = quick_xml::Reader::from_reader(tracked);
        let config = xml.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        let mut reader = TmxReader {
            xml,
            position,
            buf: Vec::with_capacity(8 * 1024),
            text: String::new(),
            header: Header::default(),
            version: None,
            input,
            limits,
            depth: 0,
            done: false,
        };
        reader.read_prologue()?;
        Ok(reader)
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The `version` attribute of `<tmx>`.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    pub fn input_info(&self) -> &InputInfo {
        &self.input
    }

    /// Where the parser is now.
    pub fn position(&self) -> Position {
        self.position.get()
    }

    /// Bytes of decoded input consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.xml.buffer_position()
    }

    fn fatal(&self, message: impl Into<String>) -> TmxError {
        TmxError::Malformed { at: self.position(), message: message.into() }
    }

    fn next_event(&mut self) -> Result<Ev, TmxError> {
        loop {
            self.buf.clear();
            self.xml.get_mut().start_event();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => {
                    let at = self.position.get();
                    return Err(TmxError::Malformed { at, message: describe_xml_error(&e) });
                }
            };
            let ev = match event {
                Event::Start(e) => {
                    self.depth += 1;
                    let (name, attrs) = owned_tag(&e, &self.position, self.limits.max_attributes)?;
                    Ev::Start(name, attrs)
                }
                Event::Empty(e) => {
                    let (name, attrs) = owned_tag(&e, &self.position, self.limits.max_attributes)?;
                    Ev::Empty(name, attrs)
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    Ev::End
                }
                Event::Text(t) => {
                    set_text(&mut self.text, |text| text.push_str(&t.xml10_content()))
                }
                Event::CData(t) => {
                    set_text(&mut self.text, |text| text.push_str(&t.xml10_content()))
                }
                Event::GeneralRef(r) => match r.resolve_char_ref() {
                    Ok(Some(c)) => set_text(&mut self.text, |text| text.push(c)),
                    Ok(None) => match predefined_entity(&r.xml10_content()) {
                        Some(c) => set_text(&mut self.text, |text| text.push(c)),
                        None => Ev::UnknownEntity(r.xml10_content().into_owned()),
                    },
                    Err(e) => return Err(self.fatal(format!("bad character reference: {e}"))),
                },
                Event::DocType(d) => {
                    if d.xml10_content().contains("<!ENTITY") {
                        return Err(TmxError::Refused(format!(
                            "{}: the DOCTYPE declares entities; tmbase never expands DTD entities \
                             (this is how entity-expansion attacks such as the billion laughs work)",
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

    fn read_prologue(&mut self) -> Result<(), TmxError> {
        // The root.
        loop {
            match self.next_event()? {
                Ev::Start(name, attrs) if name == "tmx" => {
                    self.version = attr(&attrs, "version").map(str::to_string);
                    break;
                }
                Ev::Start(name, _) | Ev::Empty(name, _) => {
                    return Err(TmxError::NotTmx(format!(
                        "the root element is <{name}>, not <tmx>"
                    )))
                }
                Ev::Text if self.text.trim().is_empty() => {}
                Ev::Text | Ev::UnknownEntity(_) => {
                    return Err(TmxError::NotTmx("text before the root element".into()))
                }
                Ev::End => return Err(self.fatal("unexpected end tag before the root element")),
                Ev::Eof => return Err(TmxError::NotTmx("no root element".into())),
            }
        }
        // The header, then <body>.
        loop {
            match self.next_event()? {
                Ev::Start(name, attrs) if name == "header" => {
                    self.header = header_from_attrs(&attrs);
                    self.read_header_children()?;
                }
                Ev::Empty(name, attrs) if name == "header" => {
                    self.header = header_from_attrs(&attrs);
                }
                Ev::Start(name, _) if name == "body" => return Ok(()),
                Ev::Empty(name, _) if name == "body" => {
                    self.done = true;
                    return self.read_to_end();
                }
                Ev::Start(name, _) => {
                    tracing::warn!("{}: ignoring <{name}> in <tmx>", self.position());
                    self.skip_element()?;
                }
                Ev::Empty(_, _) | Ev::Text | Ev::UnknownEntity(_) => {}
                Ev::End => {
                    self.done = true;
                    return Ok(());
                }
                Ev::Eof => return Err(self.fatal("the file ends before <body> (cut short?)")),
            }
        }
    }

    fn read_header_children(&mut self) -> Result<(), TmxError> {
        loop {
            match self.next_event()? {
                Ev::Start(name, attrs) if name == "prop" || name == "note" => {
                    match self.read_annotation(&name, &attrs) {
                        Ok(a) => self.header.annotations.push(a),
                        Err(Fault::Fatal(e)) => return Err(e),
                        Err(Fault::Skip(reason)) => {
                            return Err(self.fatal(format!("in <header>: {reason}")))
                        }
                    }
                }
                Ev::Empty(name, attrs) if name == "prop" || name == "note" => self
                    .header
                    .annotations
                    .push(annotation_from_attrs(&name, &attrs, String::new())),
                Ev::Start(name, _) => {
                    tracing::warn!("{}: ignoring <{name}> in <header>", self.position());
                    self.skip_element()?;
                }
                Ev::End => return Ok(()),
                Ev::Eof => return Err(self.fatal("the file ends inside <header> (cut short?)")),
                _ => {}
            }
        }
    }

    /// After `</body>`: the file must close `</tmx>` and end.
    fn read_to_end(&mut self) -> Result<(), TmxError> {
        loop {
            match self.next_event()? {
                Ev::Eof if self.depth == 0 => return Ok(()),
                Ev::Eof => return Err(self.fatal("the file ends before </tmx> (cut short?)")),
                Ev::Start(_, _) => self.skip_element()?,
                _ => {}
            }
        }
    }

    /// Reads events until the element just opened is closed.
    fn skip_element(&mut self) -> Result<(), TmxError> {
        let target = self.depth - 1;
        while self.depth > target {
            if let Ev::Eof = self.next_event()? {
                return Err(self.fatal("the file ends inside an element (cut short?)"));
            }
        }
        Ok(())
    }

    /// The next unit, `None` after `</body>`. An `Err` means the file cannot be read further.
    pub fn next_unit(&mut self) -> Option<Result<UnitRead, TmxError>> {
        if self.done {
            return None;
        }
        loop {
            let at = self.position();
            let ev = match self.next_event() {
                Ok(ev) => ev,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            match ev {
                Ev::Start(name, attrs) if name == "tu" => {
                    let tuid = attr(&attrs, "tuid").map(str::to_string);
                    let depth = self.depth;
                    return Some(match self.read_unit(&attrs) {
                        Ok(unit) => Ok(UnitRead::Unit { unit: Box::new(unit), at }),
                        Err(Fault::Skip(reason)) => {
                            // Read on to the unit's own end tag, then report it.
                            let skipped = SkippedUnit { at, tuid, reason };
                            while self.depth >= depth {
                                match self.next_event() {
                                    Ok(Ev::Eof) => {
                                        self.done = true;
                                        return Some(Err(
                                            self.fatal("the file ends inside a <tu> (cut short?)")
                                        ));
                                    }
                                    Ok(_) => {}
                                    Err(e) => {
                                        self.done = true;
                                        return Some(Err(e));
                                    }
                                }
                            }
                            Ok(UnitRead::Skipped(skipped))
                        }
                        Err(Fault::Fatal(e)) => {
                            self.done = true;
                            Err(e)
                        }
                    });
                }
                Ev::Empty(name, attrs) if name == "tu" => {
                    let tuid = attr(&attrs, "tuid").map(str::to_string);
                    return Some(Ok(UnitRead::Skipped(SkippedUnit {
                        at,
                        tuid,
                        reason: SkipReason::FewerThanTwoVariants,
                    })));
                }
                Ev::Start(name, _) => {
                    tracing::warn!("{at}: ignoring <{name}> in <body>");
                    if let Err(e) = self.skip_element() {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
                Ev::End => {
                    self.done = true;
                    return match self.read_to_end() {
                        Ok(()) => None,
                        Err(e) => Some(Err(e)),
                    };
                }
                Ev::Eof => {
                    self.done = true;
                    return Some(Err(self.fatal("the file ends inside <body> (cut short?)")));
                }
                Ev::Empty(..) | Ev::Text | Ev::UnknownEntity(_) => {}
            }
        }
    }

    fn read_unit(&mut self, attrs: &[(String, String)]) -> UnitResult<Unit> {
        let mut unit = Unit {
            tuid: attr(attrs, "tuid").map(str::to_string),
            srclang: attr(attrs, "srclang").map(|l| {
                if l == "*all*" {
                    l.to_string()
                } else {
                    normalize_lang_tag(l)
                }
            }),
            meta: metadata_from_attrs(attrs)?,
            annotations: Vec::new(),
            variants: Vec::new(),
        };
        loop {
            match self.next_event()? {
                Ev::Start(name, attrs) => match name.as_str() {
                    "prop" | "note" => {
                        let a = self.read_annotation(&name, &attrs)?;
                        unit.annotations.push(a);
                    }
                    "tuv" => {
                        if unit.variants.len() >= self.limits.max_variants {
                            return Err(Fault::Skip(SkipReason::TooManyVariants));
                        }
                        let v = self.read_variant(&attrs)?;
                        unit.variants.push(v);
                    }
                    _ => return Err(misplaced(name)),
                },
                Ev::Empty(name, attrs) => match name.as_str() {
                    "prop" | "note" => {
                        unit.annotations.push(annotation_from_attrs(&name, &attrs, String::new()))
                    }
                    "tuv" => {
                        variant_lang(&attrs)?;
                        return Err(Fault::Skip(SkipReason::NoSegment));
                    }
                    _ => return Err(misplaced(name)),
                },
                Ev::Text => check_chars(&self.text)?,
                Ev::UnknownEntity(name) => {
                    return Err(Fault::Skip(SkipReason::UndefinedEntity(name)))
                }
                Ev::End => break,
                Ev::Eof => {
                    return Err(self.fatal("the file ends inside a <tu> (cut short?)").into())
                }
            }
        }
        if unit.variants.len() < 2 {
            return Err(Fault::Skip(SkipReason::FewerThanTwoVariants));
        }
        Ok(unit)
    }

    fn read_variant(&mut self, attrs: &[(String, String)]) -> UnitResult<Variant> {
        let lang = variant_lang(attrs)?;
        let mut meta = metadata_from_attrs(attrs)?;
        meta.segtype = None; // not a <tuv> attribute in TMX 1.4
        let mut annotations = Vec::new();
        let mut segment = None;
        loop {
            match self.next_event()? {
                Ev::Start(name, attrs) => match name.as_str() {
                    "prop" | "note" => annotations.push(self.read_annotation(&name, &attrs)?),
                    "seg" if segment.is_none() => {
                        let mut budget = self.limits.max_segment_bytes;
                        let content = self.read_inline_content(0, &mut budget)?;
                        segment = Some(Segment { content });
                    }
                    _ => return Err(misplaced(name)),
                },
                Ev::Empty(name, attrs) => match name.as_str() {
                    "prop" | "note" => {
                        annotations.push(annotation_from_attrs(&name, &attrs, String::new()))
                    }
                    "seg" if segment.is_none() => segment = Some(Segment::default()),
                    _ => return Err(misplaced(name)),
                },
                Ev::Text => check_chars(&self.text)?,
                Ev::UnknownEntity(name) => {
                    return Err(Fault::Skip(SkipReason::UndefinedEntity(name)))
                }
                Ev::End => break,
                Ev::Eof => {
                    return Err(self.fatal("the file ends inside a <tuv> (cut short?)").into())
                }
            }
        }
        let segment = segment.ok_or(Fault::Skip(SkipReason::NoSegment))?;
        Ok(Variant { lang, meta, annotations, segment })
    }

    /// The text of a `<prop>` or `<note>` just opened.
    fn read_annotation(
        &mut self,
        name: &str,
        attrs: &[(String, String)],
    ) -> UnitResult<Annotation> {
        let mut value = String::new();
        loop {
            match self.next_event()? {
                Ev::Text => {
                    check_chars(&self.text)?;
                    value.push_str(&self.text);
                    if value.len() > self.limits.max_segment_bytes {
                        return Err(Fault::Skip(SkipReason::SegmentTooLong));
                    }
                }
                Ev::UnknownEntity(name) => {
                    return Err(Fault::Skip(SkipReason::UndefinedEntity(name)))
                }
                Ev::Start(child, _) | Ev::Empty(child, _) => return Err(misplaced(child)),
                Ev::End => break,
                Ev::Eof => return Err(self.fatal(format!("the file ends inside <{name}>")).into()),
            }
        }
        Ok(annotation_from_attrs(name, attrs, value))
    }

    /// Content of `<seg>` or of an inline element, up to its end tag.
    fn read_inline_content(&mut self, depth: usize, budget: &mut usize) -> UnitResult<Vec<Inline>> {
        if depth > self.limits.max_inline_depth {
            return Err(Fault::Skip(SkipReason::TooDeeplyNested));
        }
        let mut items: Vec<Inline> = Vec::new();
        loop {
            match self.next_event()? {
                Ev::Text => {
                    let t = &self.text;
                    check_chars(t)?;
                    if t.len() > *budget {
                        return Err(Fault::Skip(SkipReason::SegmentTooLong));
                    }
                    *budget -= t.len();
                    match items.last_mut() {
                        Some(Inline::Text(prev)) => prev.push_str(t),
                        _ if t.is_empty() => {}
                        _ => items.push(Inline::Text(t.clone())),
                    }
                }
                Ev::UnknownEntity(name) => {
                    return Err(Fault::Skip(SkipReason::UndefinedEntity(name)))
                }
                Ev::Start(name, attrs) => {
                    let kind = InlineKind::from_name(&name).ok_or_else(|| misplaced(name))?;
                    check_attr_chars(&attrs)?;
                    let content = self.read_inline_content(depth + 1, budget)?;
                    items.push(Inline::Tag { kind, attrs, content });
                }
                Ev::Empty(name, attrs) => {
                    let kind = InlineKind::from_name(&name).ok_or_else(|| misplaced(name))?;
                    check_attr_chars(&attrs)?;
                    items.push(Inline::Tag { kind, attrs, content: Vec::new() });
                }
                Ev::End => return Ok(items),
                Ev::Eof => {
                    return Err(self.fatal("the file ends inside a <seg> (cut short?)").into())
                }
            }
        }
    }
}

fn describe_xml_error(e: &quick_xml::Error) -> String {
    match e {
        quick_xml::Error::Encoding(_) => {
            format!("{e} (the bytes are not in the encoding the file declares)")
        }
        _ => format!("not well-formed XML: {e}"),
    }
}

/// Makes `fill` the reader's text, for an [`Ev::Text`].
fn set_text(text: &mut String, fill: impl FnOnce(&mut String)) -> Ev {
    text.clear();
    fill(text);
    Ev::Text
}

fn misplaced(name: String) -> Fault {
    Fault::Skip(SkipReason::MisplacedElement(name))
}

fn owned_tag(
    e: &BytesStart<'_>,
    position: &Cell<Position>,
    max_attributes: usize,
) -> Result<(String, Attrs), TmxError> {
    let name = e.name().as_ref().to_string();
    let mut attrs = Vec::new();
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|err| TmxError::Malformed {
            at: position.get(),
            message: format!("bad attribute in <{name}>: {err}"),
        })?;
        if attrs.len() >= max_attributes {
            // Keep the element but drop the excess; the unit reader reports it.
            attrs.push((String::from("\0too-many"), String::new()));
            break;
        }
        let key = a.key.as_ref().to_string();
        let value = match a.normalized_value(XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(err) => {
                // An undefined entity in an attribute: keep the raw text, flag it for the unit.
                attrs.push((String::from("\0bad"), format!("{key}: {err}")));
                continue;
            }
        };
        attrs.push((key, value));
    }
    Ok((name, attrs))
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn check_attr_chars(attrs: &[(String, String)]) -> UnitResult<()> {
    for (k, v) in attrs {
        match &**k {
            "\0too-many" => return Err(Fault::Skip(SkipReason::TooManyAttributes)),
            "\0bad" => return Err(Fault::Skip(SkipReason::BadAttribute(v.clone()))),
            _ => check_chars(v)?,
        }
    }
    Ok(())
}

fn check_chars(text: &str) -> UnitResult<()> {
    match first_illegal_char(text) {
        Some(c) => Err(Fault::Skip(SkipReason::IllegalCharacter(c as u32))),
        None => Ok(()),
    }
}

fn variant_lang(attrs: &[(String, String)]) -> UnitResult<String> {
    attr(attrs, "xml:lang")
        .or_else(|| attr(attrs, "lang"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(normalize_lang_tag)
        .ok_or(Fault::Skip(SkipReason::NoLanguage))
}

fn metadata_from_attrs(attrs: &[(String, String)]) -> UnitResult<Metadata> {
    check_attr_chars(attrs)?;
    let get = |name: &str| attr(attrs, name).map(str::to_string);
    let usagecount = match attr(attrs, "usagecount") {
        None => None,
        Some(v) => Some(v.trim().parse::<i64>().map_err(|_| {
            Fault::Skip(SkipReason::BadAttribute(format!("usagecount={v:?} is not a number")))
        })?),
    };
    Ok(Metadata {
        creationtool: get("creationtool"),
        creationtoolversion: get("creationtoolversion"),
        creationdate: get("creationdate"),
        creationid: get("creationid"),
        changedate: get("changedate"),
        changeid: get("changeid"),
        lastusagedate: get("lastusagedate"),
        usagecount,
        o_tmf: get("o-tmf"),
        datatype: get("datatype"),
        segtype: get("segtype"),
        o_encoding: get("o-encoding"),
    })
}

fn header_from_attrs(attrs: &[(String, String)]) -> Header {
    let meta = metadata_from_attrs(attrs).unwrap_or_else(|_| Metadata {
        // A header with a malformed usagecount keeps its other attributes.
        usagecount: None,
        ..metadata_from_attrs(
            &attrs.iter().filter(|(k, _)| k != "usagecount").cloned().collect::<Vec<_>>(),
        )
        .unwrap_or_default()
    });
    Header {
        srclang: attr(attrs, "srclang").map(|l| {
            if l == "*all*" {
                l.to_string()
            } else {
                normalize_lang_tag(l)
            }
        }),
        adminlang: attr(attrs, "adminlang").map(str::to_string),
        meta,
        annotations: Vec::new(),
    }
}

fn annotation_from_attrs(name: &str, attrs: &[(String, String)], value: String) -> Annotation {
    Annotation {
        kind: if name == "prop" { AnnotationKind::Prop } else { AnnotationKind::Note },
        prop_type: if name == "prop" {
            Some(attr(attrs, "type").unwrap_or("").to_string())
        } else {
            None
        },
        lang: attr(attrs, "xml:lang").or_else(|| attr(attrs, "lang")).map(str::to_string),
        o_encoding: attr(attrs, "o-encoding").map(str::to_string),
        value,
    }
}
