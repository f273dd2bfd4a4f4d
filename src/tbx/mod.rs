//! TBX (ISO 30042): the streaming reader for TBX v2, v3 and EuroTermBank files and the
//! writers for TBX v3 TBX-Basic and TBX v2. This module and `tmx` are the only ones that
//! know XML.

mod reader;
mod writer;

pub use crate::xml_input::{InputInfo, Position};
pub use reader::{EntryRead, ReadLimits, SkipReason, SkippedEntry, TbxReader, TbxVersion};
pub use writer::{xsd_date, TbxFormat, TbxWriter, TbxWriterOptions};

use crate::model::{CrossRefKind, CrossReference};

/// Why a TBX file could not be read (as opposed to one entry of it, see [`SkippedEntry`]).
#[derive(Debug, thiserror::Error)]
pub enum TbxError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("{at}: {message}")]
    Malformed { at: Position, message: String },
    #[error("not a TBX file: {0}")]
    NotTbx(String),
    #[error("the file declares the encoding {0:?}, which tmbase does not know")]
    UnsupportedEncoding(String),
    #[error("refused: {0}")]
    Refused(String),
}

/// The prefix of the `<note>`s in which tmbase keeps what TBX-Basic has no place for.
pub const TMBASE_NOTE: &str = "tmbase:";

/// A concept id as an `xsd:ID` (an XML NCName): ASCII letters, digits, `.`, `-` and `_`
/// stay; any other character, a leading digit, `.` or `-`, and a `_` before `x` become
/// `_xHHHH_` (the escape of XML names in SQL/XML and .NET), which [`decode_id`] undoes.
pub fn encode_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 8);
    let chars: Vec<char> = id.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let plain = c.is_ascii_alphabetic()
            || (i > 0 && (c.is_ascii_digit() || c == '.' || c == '-'))
            || (c == '_' && chars.get(i + 1) != Some(&'x'));
        if plain {
            out.push(c);
        } else if (c as u32) <= 0xFFFF {
            out.push_str(&format!("_x{:04X}_", c as u32));
        } else {
            out.push_str(&format!("_x{:08X}_", c as u32));
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// Undoes [`encode_id`]: every `_xHHHH_` or `_xHHHHHHHH_` becomes its character.
pub fn decode_id(id: &str) -> String {
    if !id.contains("_x") {
        return id.to_string();
    }
    let mut out = String::with_capacity(id.len());
    let mut rest = id;
    while let Some(at) = rest.find("_x") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 2..];
        let decoded = [8usize, 4].iter().find_map(|&n| {
            let hex = tail.get(..n)?;
            if tail.as_bytes().get(n) != Some(&b'_') || !hex.bytes().all(|b| b.is_ascii_hexdigit())
            {
                return None;
            }
            let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)?;
            Some((c, n + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &tail[used..];
            }
            None => {
                out.push_str("_x");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn escape_field(s: &str) -> String {
    s.replace('%', "%25").replace('\t', "%09").replace('\n', "%0A")
}

fn unescape_field(s: &str) -> String {
    s.replace("%0A", "\n").replace("%09", "\t").replace("%25", "%")
}

/// `xref=KIND<TAB>TARGET<TAB>TEXT`: a cross-reference that TBX-Basic cannot hold.
pub(crate) fn format_xref_note(x: &CrossReference) -> String {
    format!(
        "xref={}\t{}\t{}",
        x.kind.as_str(),
        escape_field(x.target.as_deref().unwrap_or("")),
        escape_field(&x.text)
    )
}

pub(crate) fn parse_xref_note(rest: &str) -> Option<CrossReference> {
    let body = rest.strip_prefix("xref=")?;
    let mut parts = body.splitn(3, '\t');
    // Trailing empty fields may have lost their tabs to white-space trimming.
    let kind = CrossRefKind::parse(parts.next()?.trim())?;
    let target = unescape_field(parts.next().unwrap_or(""));
    let text = unescape_field(parts.next().unwrap_or(""));
    Some(CrossReference { kind, target: (!target.is_empty()).then_some(target), text })
}

/// `section=LANG<TAB>FIELD<TAB>TEXT`: a definition or note of a language without terms.
pub(crate) fn format_section_note(lang: &str, field: &str, text: &str) -> String {
    format!("section={}\t{}\t{}", escape_field(lang), field, escape_field(text))
}

pub(crate) fn parse_section_note(rest: &str) -> Option<(String, String, String)> {
    let body = rest.strip_prefix("section=")?;
    let mut parts = body.splitn(3, '\t');
    let lang = unescape_field(parts.next()?);
    let field = parts.next()?.trim().to_string();
    let text = unescape_field(parts.next().unwrap_or(""));
    (field == "definition" || field == "note").then_some((lang, field, text))
}

impl From<crate::xml_input::InputError> for TbxError {
    fn from(e: crate::xml_input::InputError) -> Self {
        use crate::xml_input::InputError;
        match e {
            InputError::Io(e) => TbxError::Io(e),
            InputError::Empty => TbxError::NotTbx("the file is empty".into()),
            InputError::UnsupportedEncoding(label) => TbxError::UnsupportedEncoding(label),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_ncname_escapes() {
        for id in [
            "c1",
            "2_76365",
            "eid-Oracle-67",
            "_1219131555453",
            "концепт 1",
            "a_xb",
            "😀",
            "-x",
            ".5",
        ] {
            let enc = encode_id(id);
            assert!(enc.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'), "{enc}");
            assert!(enc.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)), "{enc}");
            assert_eq!(decode_id(&enc), id, "{id} → {enc}");
        }
        assert_eq!(encode_id("c1"), "c1");
        assert_eq!(decode_id("_x0032__76365"), "2_76365");
    }
}
