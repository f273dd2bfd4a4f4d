//! Turning the bytes of a TBX file into a UTF-8 stream the XML parser can read, and knowing
//! at every moment which line and column of the file the parser has reached. The same rules
//! as for TMX (`tmx::input`, which is private to that module): gzip by its magic bytes, the
//! encoding by the byte-order mark, the byte pattern of `<?xml`, then the declaration.

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use encoding_rs::Encoding;

use super::TbxError;
pub use crate::tmx::Position;

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
pub fn decode_input(raw: Box<dyn Read>) -> Result<(Box<dyn BufRead>, InputInfo), TbxError> {
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
        return Err(TbxError::NotTbx("the file is empty".into()));
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

fn sniff_encoding(head: &[u8], warnings: &mut Vec<String>) -> Result<&'static Encoding, TbxError> {
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
        None => Err(TbxError::UnsupportedEncoding(label)),
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

/// A [`BufRead`] that counts lines and columns of everything the parser consumes. The
/// position is shared through a cell so it can be read while the parser owns the stream.
pub struct PositionTracking<R> {
    inner: R,
    position: Rc<Cell<Position>>,
}

impl<R: BufRead> PositionTracking<R> {
    pub fn new(inner: R) -> (Self, Rc<Cell<Position>>) {
        let position = Rc::new(Cell::new(Position { line: 1, column: 1 }));
        (PositionTracking { inner, position: position.clone() }, position)
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
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let mut pos = self.position.get();
            for &b in &buf[..amount.min(buf.len())] {
                if b == b'\n' {
                    pos.line += 1;
                    pos.column = 1;
                } else if b & 0xC0 != 0x80 {
                    pos.column += 1;
                }
            }
            self.position.set(pos);
        }
        self.inner.consume(amount);
    }
}
