//! Turning the bytes of an XML document (TMX, TBX) into a UTF-8 stream the XML parser can
//! read, and knowing at every moment which line and column of the file the parser has reached.
//!
//! Gzip is recognised by its magic bytes; the encoding by the byte-order mark, then by the
//! byte pattern of `<?xml`, then by the declaration. Where the declaration contradicts the
//! bytes (memoQ writes `encoding="utf-16"` on UTF-8 bytes) the bytes win, with a warning.

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use encoding_rs::Encoding;

/// A line and column (both from 1; columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why the bytes of a file cannot be read as text. Each format module turns this into its
/// own error.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read the file: {0}")]
    Io(#[from] io::Error),
    #[error("the file is empty")]
    Empty,
    #[error("the file declares the encoding {0:?}, which tmbase does not know")]
    UnsupportedEncoding(String),
}

/// What the input layer found out about the file before parsing.
#[derive(Debug, Clone, Default)]
pub struct InputInfo {
    pub gzip: bool,
    /// The encoding the bytes are read in (`UTF-8`, `UTF-16LE`, `windows-1251`, …).
    pub encoding: String,
    pub warnings: Vec<String>,
}

const HEAD_LEN: usize = 4096;

/// Wraps a raw byte stream (plain or gzip) as a UTF-8 [`BufRead`].
pub fn decode_input(raw: Box<dyn Read>) -> Result<(Box<dyn BufRead>, InputInfo), InputError> {
    let mut info = InputInfo::default();
    let mut reader = BufReader::with_capacity(64 * 1024, raw);
    let stream: Box<dyn Read> = if reader.fill_buf()?.starts_with(&[0x1f, 0x8b]) {
        info.gzip = true;
        Box::new(flate2::bufread::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    };

    let (head, rest) = read_head(stream)?;
    if head.is_empty() {
        return Err(InputError::Empty);
    }
    let encoding = sniff_encoding(&head, &mut info.warnings)?;
    info.encoding = encoding.name().to_string();
    let joined = io::Cursor::new(head).chain(rest);
    let utf8: Box<dyn BufRead> = if encoding == encoding_rs::UTF_8 {
        let mut r = BufReader::with_capacity(64 * 1024, joined);
        if r.fill_buf()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
            r.consume(3);
        }
        Box::new(r)
    } else {
        let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(true)
            .strip_bom(true)
            .build(joined);
        Box::new(BufReader::with_capacity(64 * 1024, decoder))
    };
    Ok((utf8, info))
}

fn read_head(mut stream: Box<dyn Read>) -> io::Result<(Vec<u8>, Box<dyn Read>)> {
    let mut head = vec![0u8; HEAD_LEN];
    let mut filled = 0;
    while filled < HEAD_LEN {
        let n = stream.read(&mut head[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    Ok((head, stream))
}

fn sniff_encoding(
    head: &[u8],
    warnings: &mut Vec<String>,
) -> Result<&'static Encoding, InputError> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(encoding_rs::UTF_8);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok(encoding_rs::UTF_16LE);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok(encoding_rs::UTF_16BE);
    }
    if head.len() >= 4 && head[0] == b'<' && head[1] == 0 && head[3] == 0 {
        return Ok(encoding_rs::UTF_16LE);
    }
    if head.len() >= 4 && head[0] == 0 && head[1] == b'<' && head[2] == 0 {
        return Ok(encoding_rs::UTF_16BE);
    }
    let Some(label) = declared_encoding(head) else {
        return Ok(encoding_rs::UTF_8);
    };
    match Encoding::for_label(label.as_bytes()) {
        Some(enc) if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE => {
            warnings.push(format!(
                "the XML declaration says encoding=\"{label}\" but the bytes are not UTF-16; reading them as UTF-8"
            ));
            Ok(encoding_rs::UTF_8)
        }
        Some(enc) => Ok(enc),
        None => Err(InputError::UnsupportedEncoding(label)),
    }
}

/// The `encoding` pseudo-attribute of an ASCII-compatible XML declaration, if any.
fn declared_encoding(head: &[u8]) -> Option<String> {
    let start = head.iter().position(|&b| !b.is_ascii_whitespace())?;
    let head = &head[start..];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    let close = value.find(quote)?;
    Some(value[..close].trim().to_string())
}

/// The most bytes the parser may consume for one XML event (a tag with its attributes, a
/// run of text, a comment, CDATA, a DOCTYPE). The parser buffers a whole event before the
/// format reader sees it, so without this cap a 100 MB segment or a tag with a million
/// attributes would be held in memory (twice) before any per-unit limit could apply.
pub const MAX_EVENT_BYTES: u64 = 16 << 20;

/// A [`BufRead`] that counts lines and columns of everything the parser consumes. The
/// position is shared through a cell so it can be read while the parser owns the stream.
/// It also refuses to deliver more than [`MAX_EVENT_BYTES`] between two calls of
/// [`PositionTracking::start_event`].
pub struct PositionTracking<R> {
    inner: R,
    position: Rc<Cell<Position>>,
    event_bytes: u64,
}

impl<R: BufRead> PositionTracking<R> {
    pub fn new(inner: R) -> (Self, Rc<Cell<Position>>) {
        let position = Rc::new(Cell::new(Position { line: 1, column: 1 }));
        (PositionTracking { inner, position: position.clone(), event_bytes: 0 }, position)
    }

    /// Called before the parser reads the next event: restarts the count of its bytes.
    pub fn start_event(&mut self) {
        self.event_bytes = 0;
    }
}

impl<R: BufRead> Read for PositionTracking<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for PositionTracking<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.event_bytes > MAX_EVENT_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a single tag, text or comment is longer than {} MiB (tmbase refuses it \
                     rather than hold it in memory)",
                    MAX_EVENT_BYTES >> 20
                ),
            ));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let consumed = &buf[..amount.min(buf.len())];
            let mut pos = self.position.get();
            // Columns count characters: every byte but UTF-8 continuation bytes. This runs
            // over every input byte, so it uses memchr's vector search and a counting loop
            // that the compiler vectorises.
            let chars = |bytes: &[u8]| bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u64;
            match memchr::memrchr(b'\n', consumed) {
                Some(last_newline) => {
                    pos.line += memchr::memchr_iter(b'\n', consumed).count() as u64;
                    pos.column = 1 + chars(&consumed[last_newline + 1..]);
                }
                None => pos.column += chars(consumed),
            }
            self.position.set(pos);
        }
        self.event_bytes += amount as u64;
        self.inner.consume(amount);
    }
}

/// The character a predefined XML entity (`&lt;` `&gt;` `&amp;` `&quot;` `&apos;`) stands
/// for; any other entity is not expanded by tmbase.
pub fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// XML 1.0 `Char`: tab, newline, carriage return, and everything from space up except the
/// surrogates (which Rust strings cannot hold) and U+FFFE, U+FFFF.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The first character of `text` that XML 1.0 does not allow, if any.
pub fn first_illegal_char(text: &str) -> Option<char> {
    // In UTF-8 the forbidden characters are the C0 controls but tab, newline and carriage
    // return (one byte each) and U+FFFE and U+FFFF (EF BF BE, EF BF BF). A branch-free pass
    // over the bytes clears almost every text; only one with such a byte is decoded.
    let suspect = text.as_bytes().iter().fold(false, |seen, &b| {
        seen | ((b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') | (b == 0xEF))
    });
    if !suspect {
        return None;
    }
    text.chars().find(|&c| !is_xml_char(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (String, InputInfo) {
        let (mut r, info) = decode_input(Box::new(io::Cursor::new(bytes.to_vec()))).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, info)
    }

    #[test]
    fn utf16le_with_bom_is_transcoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "<tmx>Привет</tmx>".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        let (s, info) = decode(&bytes);
        assert_eq!(s, "<tmx>Привет</tmx>");
        assert_eq!(info.encoding, "UTF-16LE");
    }

    #[test]
    fn utf16be_without_bom_is_recognised_by_its_bytes() {
        let mut bytes = vec![];
        for u in "<?xml version=\"1.0\"?><tmx/>".encode_utf16() {
            bytes.extend(u.to_be_bytes());
        }
        assert_eq!(decode(&bytes).0, "<?xml version=\"1.0\"?><tmx/>");
    }

    #[test]
    fn utf16_declaration_on_utf8_bytes_is_read_as_utf8_with_a_warning() {
        let (s, info) =
            decode("<?xml version=\"1.0\" encoding=\"utf-16\"?><tmx>ё</tmx>".as_bytes());
        assert!(s.ends_with("<tmx>ё</tmx>"));
        assert_eq!(info.warnings.len(), 1, "{:?}", info.warnings);
    }

    #[test]
    fn declared_windows_1251_is_transcoded() {
        let mut bytes = b"<?xml version='1.0' encoding='windows-1251'?><t>".to_vec();
        bytes.extend([0xCF, 0xF0, 0xE8]); // "При"
        bytes.extend(b"</t>");
        assert!(decode(&bytes).0.ends_with("<t>При</t>"));
    }

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(decode(b"\xEF\xBB\xBF<tmx/>").0, "<tmx/>");
    }

    #[test]
    fn unknown_encoding_is_an_error() {
        let err = decode_input(Box::new(io::Cursor::new(
            b"<?xml version='1.0' encoding='x-klingon'?><tmx/>".to_vec(),
        )))
        .err()
        .unwrap();
        assert!(err.to_string().contains("x-klingon"), "{err}");
    }

    #[test]
    fn position_counts_characters_not_bytes() {
        let (mut r, pos) = PositionTracking::new(io::Cursor::new("ab\nЖЖ".as_bytes()));
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(pos.get(), Position { line: 2, column: 3 });
    }

    proptest::proptest! {
        /// The quick byte test finds what a check of every character finds.
        #[test]
        fn first_illegal_char_agrees_with_is_xml_char(text in "[a\u{0}-\u{1F}\u{7F}Ж\u{EF00}-\u{EFFF}\u{FFF0}-\u{FFFF}😀]{0,20}") {
            proptest::prop_assert_eq!(first_illegal_char(&text), text.chars().find(|&c| !is_xml_char(c)));
        }

        /// However the input is cut into reads, the position after it is its last line and
        /// the column after its last character.
        #[test]
        fn position_after_any_reads_is_the_end_of_the_text(
            text in "[a\nЖ€😀 ]{0,60}",
            chunk in 1usize..9,
        ) {
            let inner = io::BufReader::with_capacity(chunk, io::Cursor::new(text.clone().into_bytes()));
            let (mut r, pos) = PositionTracking::new(inner);
            let mut small = vec![0u8; chunk];
            while r.read(&mut small).unwrap() > 0 {}
            let lines = text.split('\n').count() as u64;
            let last_line = text.rsplit('\n').next().unwrap_or("");
            let expected = Position { line: lines, column: 1 + last_line.chars().count() as u64 };
            proptest::prop_assert_eq!(pos.get(), expected);
        }
    }
}
