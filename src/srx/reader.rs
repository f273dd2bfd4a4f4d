//! Reads an SRX file into an [`SrxDocument`]: XML with quick-xml, positions for every
//! rule, and each regex translated and parsed as it is read.

use std::borrow::Cow;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::pattern::translate_pattern;
use super::{
    BadPattern, FormatHandle, FormatHandleKind, LanguageMap, LanguageRule, Position, SkippedRule,
    SrxDocument, SrxError, SrxHeader, SrxPattern, SrxRule, SRX20_NAMESPACE,
};
use crate::xml_input::predefined_entity;

/// SRX files are small (the largest public rule sets are under 400 KB); anything far
/// larger is refused before it is read into memory.
pub const MAX_SRX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// How to read an SRX file.
#[derive(Debug, Clone, Copy, Default)]
pub struct SrxReadOptions {
    /// Leave out (and list in [`SrxDocument::skipped`]) the rules and language maps whose
    /// regex cannot be used, instead of refusing the file. Rule sets such as LanguageTool's
    /// use look-around in a few languages' rules; this keeps the rest usable.
    pub skip_bad_rules: bool,
}

/// Reads an SRX file (UTF-8, UTF-16 with a byte-order mark, or the encoding its XML
/// declaration names).
pub fn read_srx_file(path: &Path, options: SrxReadOptions) -> Result<SrxDocument, SrxError> {
    let io_error = |source| SrxError::Io { path: path.to_path_buf(), source };
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    if size > MAX_SRX_FILE_BYTES {
        return Err(SrxError::TooLarge { path: path.to_path_buf(), limit: MAX_SRX_FILE_BYTES });
    }
    let bytes = std::fs::read(path).map_err(io_error)?;
    let source_name = path.display().to_string();
    let text = decode(&bytes, &source_name)?;
    read_srx_str(&text, &source_name, options)
}

/// Reads SRX from text; `source_name` names it in messages.
pub fn read_srx_str(
    text: &str,
    source_name: &str,
    options: SrxReadOptions,
) -> Result<SrxDocument, SrxError> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut parser = Parser::new(text, source_name, options);
    parser.document()
}

/// Bytes to text: a byte-order mark wins, then the declared encoding, then UTF-8.
fn decode(bytes: &[u8], source_name: &str) -> Result<String, SrxError> {
    let encoding = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, _)) => encoding,
        None => declared_encoding(bytes).unwrap_or(encoding_rs::UTF_8),
    };
    if encoding == encoding_rs::UTF_8 {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        return String::from_utf8(bytes.to_vec()).map_err(|e| SrxError::Encoding {
            source_name: source_name.to_string(),
            message: format!(
                "the file is not valid UTF-8 (byte {}) and declares no other encoding",
                e.utf8_error().valid_up_to()
            ),
        });
    }
    let (text, _, had_errors) = encoding.decode(bytes);
    if had_errors {
        return Err(SrxError::Encoding {
            source_name: source_name.to_string(),
            message: format!("the file is not valid {}", encoding.name()),
        });
    }
    Ok(text.into_owned())
}

/// The `encoding` of an ASCII-compatible XML declaration, when it names a known one.
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(200)];
    let head = std::str::from_utf8(head).ok().or_else(|| {
        let end = head.iter().position(|&b| b == b'>')?;
        std::str::from_utf8(&head[..=end]).ok()
    })?;
    let declaration = head.strip_prefix("<?xml")?;
    let declaration = &declaration[..declaration.find("?>")?];
    let after = &declaration[declaration.find("encoding")? + "encoding".len()..];
    let after = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let label = &after[1..][..after[1..].find(quote)?];
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// Line starts, to turn byte offsets into lines and columns.
struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    fn new(text: &'t str) -> Self {
        let starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        LineIndex { text, starts }
    }

    fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&start| start <= offset).max(1);
        let line_start = self.starts[line - 1];
        let column = self.text.get(line_start..offset).map_or(0, |s| s.chars().count());
        Position { line: line as u64, column: column as u64 + 1 }
    }
}

/// An element start, with what the reader needs of it.
struct Element {
    local_name: String,
    /// In the SRX namespace (or in none); elements of tool extensions are not.
    is_srx: bool,
    attributes: Vec<(String, String)>,
    at: Position,
}

impl Element {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

enum Item {
    Open(Element),
    Close,
    Text(String),
    Eof,
}

struct Parser<'t> {
    xml: NsReader<&'t [u8]>,
    lines: LineIndex<'t>,
    source_name: String,
    options: SrxReadOptions,
    skipped: Vec<SkippedRule>,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str, source_name: &str, options: SrxReadOptions) -> Self {
        let mut xml = NsReader::from_reader(text.as_bytes());
        let config = xml.config_mut();
        config.expand_empty_elements = true;
        config.check_end_names = true;
        config.trim_text(false);
        Parser {
            xml,
            lines: LineIndex::new(text),
            source_name: source_name.to_string(),
            options,
            skipped: Vec::new(),
        }
    }

    fn invalid(&self, at: Position, message: impl Into<String>) -> SrxError {
        SrxError::Invalid { source_name: self.source_name.clone(), at, message: message.into() }
    }

    fn next(&mut self) -> Result<Item, SrxError> {
        loop {
            let offset = self.xml.buffer_position() as usize;
            let (namespace, event) = match self.xml.read_resolved_event() {
                Ok(read) => read,
                Err(e) => {
                    let at = self.lines.position(self.xml.error_position() as usize);
                    return Err(SrxError::Xml {
                        source_name: self.source_name.clone(),
                        at,
                        message: e.to_string(),
                    });
                }
            };
            let is_srx = match namespace {
                ResolveResult::Unbound => true,
                ResolveResult::Bound(ns) => is_srx_namespace(ns.into_inner()),
                ResolveResult::Unknown(_) => false,
            };
            let at = self.lines.position(offset);
            return Ok(match event {
                Event::Start(start) => Item::Open(self.element(&start, is_srx, at)?),
                Event::Empty(start) => Item::Open(self.element(&start, is_srx, at)?),
                Event::End(_) => Item::Close,
                Event::Text(text) => Item::Text(text.xml10_content().into_owned()),
                Event::CData(text) => Item::Text(text.xml10_content().into_owned()),
                Event::GeneralRef(reference) => match reference.resolve_char_ref() {
                    Ok(Some(c)) => Item::Text(c.to_string()),
                    Ok(None) => match predefined_entity(&reference.xml10_content()) {
                        Some(c) => Item::Text(c.to_string()),
                        None => {
                            return Err(self.invalid(
                                at,
                                format!("unknown entity &{};", reference.xml10_content()),
                            ))
                        }
                    },
                    Err(e) => return Err(self.invalid(at, format!("bad character reference: {e}"))),
                },
                Event::DocType(doctype) => {
                    if doctype.xml10_content().contains("<!ENTITY") {
                        return Err(self.invalid(
                            at,
                            "the DOCTYPE declares entities, which tmbase never expands",
                        ));
                    }
                    continue;
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => continue,
                Event::Eof => Item::Eof,
            });
        }
    }

    fn element(
        &self,
        start: &BytesStart<'_>,
        is_srx: bool,
        at: Position,
    ) -> Result<Element, SrxError> {
        let local_name = start.local_name().as_ref().to_string();
        let mut attributes = Vec::new();
        for attribute in start.attributes().with_checks(true) {
            let attribute = attribute
                .map_err(|e| self.invalid(at, format!("bad attribute in <{local_name}>: {e}")))?;
            let key = attribute.key.local_name().as_ref().to_string();
            let value =
                attribute.normalized_value(quick_xml::XmlVersion::Implicit1_0).map_err(|e| {
                    self.invalid(at, format!("bad value of {key} in <{local_name}>: {e}"))
                })?;
            attributes.push((key, value.into_owned()));
        }
        Ok(Element { local_name, is_srx, attributes, at })
    }

    /// Skips the content of an element whose start was just read.
    fn skip_element(&mut self) -> Result<(), SrxError> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Item::Open(_) => depth += 1,
                Item::Close => depth -= 1,
                Item::Text(_) => {}
                Item::Eof => return Err(self.unexpected_eof()),
            }
        }
        Ok(())
    }

    fn unexpected_eof(&self) -> SrxError {
        let at = self.lines.position(self.xml.buffer_position() as usize);
        self.invalid(at, "the file ends inside an element (cut short?)")
    }

    /// The next child element of the current element, skipping white space, comments and
    /// elements of other namespaces; `None` at the current element's end.
    fn next_child(&mut self, parent: &str) -> Result<Option<Element>, SrxError> {
        loop {
            match self.next()? {
                Item::Open(element) if element.is_srx => return Ok(Some(element)),
                Item::Open(_) => self.skip_element()?,
                Item::Close => return Ok(None),
                Item::Text(text) if text.trim().is_empty() => {}
                Item::Text(text) => {
                    let at = self.lines.position(self.xml.buffer_position() as usize);
                    return Err(self.invalid(
                        at,
                        format!("unexpected text {:?} in <{parent}>", shorten(&text)),
                    ));
                }
                Item::Eof => return Err(self.unexpected_eof()),
            }
        }
    }

    /// The text content of an element whose start was just read (no child elements).
    fn text_content(&mut self, element: &Element) -> Result<String, SrxError> {
        let mut text = String::new();
        loop {
            match self.next()? {
                Item::Text(part) => text.push_str(&part),
                Item::Close => return Ok(text),
                Item::Open(child) => {
                    return Err(self.invalid(
                        child.at,
                        format!(
                            "<{}> holds an element <{}>; it must hold only a regex",
                            element.local_name, child.local_name
                        ),
                    ))
                }
                Item::Eof => return Err(self.unexpected_eof()),
            }
        }
    }

    fn unexpected(&self, element: &Element, parent: &str) -> SrxError {
        self.invalid(element.at, format!("unexpected <{}> in <{parent}>", element.local_name))
    }

    fn required<'e>(&self, element: &'e Element, name: &str) -> Result<&'e str, SrxError> {
        element.attribute(name).ok_or_else(|| {
            self.invalid(element.at, format!("<{}> lacks its {name} attribute", element.local_name))
        })
    }

    fn yes_no(&self, element: &Element, name: &str, default: bool) -> Result<bool, SrxError> {
        match element.attribute(name).map(str::trim) {
            None => Ok(default),
            Some("yes") => Ok(true),
            Some("no") => Ok(false),
            Some(other) => Err(self.invalid(
                element.at,
                format!("{name}={other:?} in <{}>: expected \"yes\" or \"no\"", element.local_name),
            )),
        }
    }

    fn document(&mut self) -> Result<SrxDocument, SrxError> {
        let root = loop {
            match self.next()? {
                Item::Open(element) => break element,
                Item::Text(text) if text.trim().is_empty() => {}
                Item::Text(_) | Item::Close => {
                    return Err(self.not_srx("text before the root element"))
                }
                Item::Eof => return Err(self.not_srx("the file holds no element")),
            }
        };
        if root.local_name != "srx" {
            return Err(self.not_srx(&format!("the root element is <{}>", root.local_name)));
        }
        let version = root.attribute("version").unwrap_or("2.0").trim().to_string();
        let mut header = None;
        let mut body = None;
        while let Some(element) = self.next_child("srx")? {
            match element.local_name.as_str() {
                "header" if header.is_none() => header = Some(self.header(&element)?),
                "body" if body.is_none() => body = Some(self.body()?),
                _ => return Err(self.unexpected(&element, "srx")),
            }
        }
        let Some((language_rules, language_maps)) = body else {
            return Err(self.invalid(root.at, "<srx> has no <body>"));
        };
        let header = header.unwrap_or_default();
        let document = SrxDocument {
            source: self.source_name.clone(),
            version,
            header,
            language_rules,
            language_maps,
            skipped: std::mem::take(&mut self.skipped),
        };
        self.check_names(&document)?;
        Ok(document)
    }

    fn not_srx(&self, message: &str) -> SrxError {
        SrxError::NotSrx { source_name: self.source_name.clone(), message: message.to_string() }
    }

    /// The header; a missing `cascade` (SRX 1.0 has none) means the first matching map only.
    fn header(&mut self, element: &Element) -> Result<SrxHeader, SrxError> {
        let mut header = SrxHeader {
            segment_subflows: self.yes_no(element, "segmentsubflows", true)?,
            cascade: self.yes_no(element, "cascade", false)?,
            format_handles: Vec::new(),
        };
        while let Some(child) = self.next_child("header")? {
            if child.local_name != "formathandle" {
                return Err(self.unexpected(&child, "header"));
            }
            let kind = match self.required(&child, "type")?.trim() {
                "start" => FormatHandleKind::Start,
                "end" => FormatHandleKind::End,
                "isolated" => FormatHandleKind::Isolated,
                other => {
                    return Err(self.invalid(
                        child.at,
                        format!(
                            "type={other:?} in <formathandle>: expected start, end or isolated"
                        ),
                    ))
                }
            };
            let include = self.yes_no(&child, "include", false)?;
            header.format_handles.push(FormatHandle { kind, include });
            self.skip_element()?;
        }
        Ok(header)
    }

    fn body(&mut self) -> Result<(Vec<LanguageRule>, Vec<LanguageMap>), SrxError> {
        let mut rules = Vec::new();
        let mut maps = Vec::new();
        while let Some(element) = self.next_child("body")? {
            match element.local_name.as_str() {
                "languagerules" => {
                    while let Some(child) = self.next_child("languagerules")? {
                        if child.local_name != "languagerule" {
                            return Err(self.unexpected(&child, "languagerules"));
                        }
                        rules.push(self.language_rule(&child)?);
                    }
                }
                "maprules" => self.map_rules(&mut maps, "maprules")?,
                _ => return Err(self.unexpected(&element, "body")),
            }
        }
        Ok((rules, maps))
    }

    fn language_rule(&mut self, element: &Element) -> Result<LanguageRule, SrxError> {
        let name = self.required(element, "languagerulename")?.to_string();
        let mut rules = Vec::new();
        while let Some(child) = self.next_child("languagerule")? {
            if child.local_name != "rule" {
                return Err(self.unexpected(&child, "languagerule"));
            }
            if let Some(rule) = self.rule(&child, &name)? {
                rules.push(rule);
            }
        }
        Ok(LanguageRule { name, rules, at: element.at })
    }

    /// One `<rule>`; `None` when it was skipped for a bad regex.
    fn rule(&mut self, element: &Element, rule_set: &str) -> Result<Option<SrxRule>, SrxError> {
        let breaks = self.yes_no(element, "break", true)?;
        let mut before = None;
        let mut after = None;
        while let Some(child) = self.next_child("rule")? {
            let slot = match child.local_name.as_str() {
                "beforebreak" if before.is_none() => &mut before,
                "afterbreak" if after.is_none() => &mut after,
                _ => return Err(self.unexpected(&child, "rule")),
            };
            *slot = Some(self.text_content(&child)?);
        }
        let mut patterns = Vec::with_capacity(2);
        for (part, written) in [("beforebreak", before), ("afterbreak", after)] {
            let written = written.unwrap_or_default();
            match self.pattern(&written, element.at, rule_set, part)? {
                Some(pattern) => patterns.push(pattern),
                None => return Ok(None),
            }
        }
        let after = patterns.pop().unwrap_or_default();
        let before = patterns.pop().unwrap_or_default();
        Ok(Some(SrxRule { breaks, before, after, at: element.at }))
    }

    /// `<languagemap>` elements, flattening SRX 1.0 `<maprule>` wrappers.
    fn map_rules(&mut self, maps: &mut Vec<LanguageMap>, parent: &str) -> Result<(), SrxError> {
        while let Some(child) = self.next_child(parent)? {
            match child.local_name.as_str() {
                "languagemap" => {
                    let rule_name = self.required(&child, "languagerulename")?.to_string();
                    let written = self.required(&child, "languagepattern")?.to_string();
                    self.skip_element()?;
                    let part = "languagemap languagepattern";
                    if let Some(pattern) = self.pattern(&written, child.at, &rule_name, part)? {
                        maps.push(LanguageMap { pattern, rule_name, at: child.at });
                    }
                }
                "maprule" if parent == "maprules" => self.map_rules(maps, "maprule")?,
                _ => return Err(self.unexpected(&child, parent)),
            }
        }
        Ok(())
    }

    /// Translates and parses one regex; `None` when it is bad and bad rules are skipped.
    fn pattern(
        &mut self,
        written: &str,
        at: Position,
        rule_set: &str,
        part: &'static str,
    ) -> Result<Option<SrxPattern>, SrxError> {
        let reason = match check_pattern(written) {
            Ok(translated) => {
                return Ok(Some(SrxPattern { written: written.to_string(), translated }))
            }
            Err(reason) => reason,
        };
        if self.options.skip_bad_rules {
            self.skipped.push(SkippedRule {
                at,
                rule_set: rule_set.to_string(),
                reason: format!("bad <{part}> regex {written:?}: {reason}"),
            });
            return Ok(None);
        }
        Err(SrxError::BadPattern(Box::new(BadPattern {
            source_name: self.source_name.clone(),
            at,
            rule_set: rule_set.to_string(),
            part,
            pattern: written.to_string(),
            reason,
        })))
    }

    /// Every language map names a rule set that exists, and rule set names are unique.
    fn check_names(&self, document: &SrxDocument) -> Result<(), SrxError> {
        for (i, rule) in document.language_rules.iter().enumerate() {
            if let Some(first) = document.language_rules[..i].iter().find(|r| r.name == rule.name) {
                return Err(self.invalid(
                    rule.at,
                    format!(
                        "a second <languagerule> named {:?} (the first is at {})",
                        rule.name, first.at
                    ),
                ));
            }
        }
        for map in &document.language_maps {
            if document.language_rule(&map.rule_name).is_none() {
                return Err(self.invalid(
                    map.at,
                    format!(
                        "<languagemap> names the rule set {:?}, which no <languagerule> defines",
                        map.rule_name
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Translates a regex and checks that the result parses; the reason when it does not.
fn check_pattern(written: &str) -> Result<String, String> {
    let translated = translate_pattern(written)
        .map_err(|e| format!("{} (at character {})", e.reason, e.offset + 1))?;
    regex_syntax::Parser::new().parse(&translated).map_err(|e| {
        let kind = match &e {
            regex_syntax::Error::Parse(e) => e.kind().to_string(),
            regex_syntax::Error::Translate(e) => e.kind().to_string(),
            _ => e.to_string(),
        };
        if translated == written {
            kind
        } else {
            format!("{kind} (in the regex as translated for tmbase: {translated:?})")
        }
    })?;
    Ok(translated)
}

fn is_srx_namespace(namespace: &str) -> bool {
    namespace == SRX20_NAMESPACE
        || namespace.starts_with("http://www.lisa.org/srx")
        || namespace == "http://www.iso.org/ns/SRX"
}

fn shorten(text: &str) -> Cow<'_, str> {
    let text = text.trim();
    match text.char_indices().nth(40) {
        Some((end, _)) => Cow::Owned(format!("{}…", &text[..end])),
        None => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_RULE_SETS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<srx xmlns="http://www.lisa.org/srx20" xmlns:ext="urn:example" version="2.0">
  <header segmentsubflows="no" cascade="yes">
    <formathandle type="start" include="no"/>
    <ext:options anything="goes"><ext:more/></ext:options>
  </header>
  <body>
    <languagerules>
      <languagerule languagerulename="Russian">
        <rule break="no"><beforebreak>\bт\.\s?е\.</beforebreak><afterbreak>\s</afterbreak></rule>
      </languagerule>
      <languagerule languagerulename="Default">
        <rule><beforebreak>[.?!]</beforebreak><afterbreak>\s&amp;?</afterbreak></rule>
        <rule break="yes"><afterbreak>\u00A0</afterbreak></rule>
      </languagerule>
    </languagerules>
    <maprules>
      <languagemap languagepattern="ru.*" languagerulename="Russian"/>
      <languagemap languagepattern=".*" languagerulename="Default"/>
    </maprules>
  </body>
</srx>
"#;

    fn read(text: &str) -> Result<SrxDocument, SrxError> {
        read_srx_str(text, "test.srx", SrxReadOptions::default())
    }

    fn error_of(text: &str) -> String {
        match read(text) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn reads_header_rules_and_maps_with_positions() {
        let doc = read(TWO_RULE_SETS).expect("valid SRX");
        assert_eq!(doc.version, "2.0");
        assert!(doc.header.cascade);
        assert!(!doc.header.segment_subflows);
        assert_eq!(
            doc.header.format_handles,
            vec![FormatHandle { kind: FormatHandleKind::Start, include: false }]
        );
        let names: Vec<_> = doc.language_rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Russian", "Default"]);
        let russian = &doc.language_rules[0].rules[0];
        assert!(!russian.breaks);
        assert_eq!(russian.before.written, r"\bт\.\s?е\.");
        assert_eq!(russian.at, Position { line: 10, column: 9 });
        let default = &doc.language_rules[1].rules;
        assert!(default[0].breaks, "break defaults to yes");
        assert_eq!(default[0].after.written, r"\s&?", "entities are resolved");
        assert_eq!(default[1].before.written, "", "a missing beforebreak is empty");
        assert_eq!(default[1].after.translated, r"\x{A0}");
        assert_eq!(doc.language_maps[1].rule_name, "Default");
        assert_eq!(doc.language_maps[1].at, Position { line: 19, column: 7 });
    }

    #[test]
    fn srx_1_0_maprule_wrappers_are_flattened() {
        let text = r#"<srx version="1.0"><header segmentsubflows="yes"/><body>
            <languagerules><languagerule languagerulename="a"/></languagerules>
            <maprules><maprule maprulename="x"><languagemap languagepattern=".*" languagerulename="a"/></maprule></maprules>
            </body></srx>"#;
        let doc = read(text).expect("valid SRX 1.0");
        assert!(!doc.header.cascade);
        assert_eq!(doc.language_maps.len(), 1);
    }

    #[test]
    fn bad_regex_is_reported_with_rule_set_and_position() {
        let text = TWO_RULE_SETS.replace(r"\bт\.\s?е\.", r"(?&lt;!\d)т\.");
        let message = error_of(&text);
        assert!(message.starts_with("test.srx: line 10, column 9: in \"Russian\""), "{message}");
        assert!(message.contains("look-behind is not supported"), "{message}");
        let text = TWO_RULE_SETS.replace(r"[.?!]", r"[.?!");
        let message = error_of(&text);
        assert!(message.contains("line 13, column 9") && message.contains("unclosed"), "{message}");
    }

    #[test]
    fn bad_rules_can_be_skipped_and_listed() {
        let text = TWO_RULE_SETS.replace(r"\bт\.\s?е\.", r"a(?=b)");
        let options = SrxReadOptions { skip_bad_rules: true };
        let doc = read_srx_str(&text, "test.srx", options).expect("readable when skipping");
        assert!(doc.language_rules[0].rules.is_empty());
        assert_eq!(doc.skipped.len(), 1);
        assert_eq!(doc.skipped[0].rule_set, "Russian");
        assert_eq!(doc.skipped[0].at, Position { line: 10, column: 9 });
    }

    #[test]
    fn malformed_xml_is_reported_with_position() {
        let text =
            TWO_RULE_SETS.replace("</languagerule>\n      <languagerule", "</rule>\n<languagerule");
        let message = error_of(&text);
        assert!(message.starts_with("test.srx: line 11"), "{message}");
        assert!(message.contains("not well-formed XML"), "{message}");
    }

    #[test]
    fn structural_problems_are_named() {
        assert!(error_of("").contains("not an SRX file"));
        assert!(error_of("<tmx/>").contains("the root element is <tmx>"));
        assert!(error_of(r#"<srx version="2.0"><header/></srx>"#).contains("has no <body>"));
        let unknown_map = TWO_RULE_SETS
            .replace(r#"languagerulename="Default"/>"#, r#"languagerulename="Nope"/>"#);
        assert!(error_of(&unknown_map).contains("no <languagerule> defines"));
        let bad_break = TWO_RULE_SETS.replace(r#"break="no""#, r#"break="maybe""#);
        assert!(error_of(&bad_break).contains(r#"break="maybe""#));
        let entity = format!("<!DOCTYPE srx [<!ENTITY x \"y\">]>{TWO_RULE_SETS}");
        assert!(error_of(&entity).contains("declares entities"));
    }

    #[test]
    fn encodings_are_detected() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in TWO_RULE_SETS.replace("UTF-8", "UTF-16").encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert!(decode(&utf16, "x").expect("UTF-16").contains("languagerule"));
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><srx>\xE9</srx>";
        assert!(decode(latin1, "x").expect("Latin-1").contains('é'));
        assert!(decode(b"<srx>\xE9</srx>", "x").is_err());
    }
}
