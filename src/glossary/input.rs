//! Text glossaries as lines of UTF-8 with their line numbers, whatever the bytes: UTF-8 with
//! or without BOM, UTF-16 with or without BOM, or the encoding an OmegaT magic comment
//! (`# -*- coding: windows-1251 -*-`) or the caller names.

use std::io::{self, BufRead, BufReader, Read};

use encoding_rs::Encoding;

use super::GlossaryError;

/// Reads lines (without their line break) and counts them from 1.
pub struct Lines {
    inner: Box<dyn BufRead>,
    /// The number of the line last returned.
    line: u64,
    buf: Vec<u8>,
    /// Checks UTF-8 (the transcoding readers always give valid UTF-8).
    check_utf8: bool,
    pub encoding: String,
}

const HEAD_LEN: usize = 4096;

impl Lines {
    /// Finds the encoding and wraps the bytes. `declared` (from the command line) wins over a
    /// magic comment; a byte-order mark wins over both.
    pub fn new(raw: Box<dyn Read>, declared: Option<&str>) -> Result<Lines, GlossaryError> {
        let mut stream = raw;
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
        let encoding = sniff(&head, declared)?;
        let joined = io::Cursor::new(head).chain(stream);
        let (inner, check_utf8): (Box<dyn BufRead>, bool) = if encoding == encoding_rs::UTF_8 {
            let mut r = BufReader::with_capacity(64 * 1024, joined);
            if r.fill_buf()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
                r.consume(3);
            }
            (Box::new(r), true)
        } else {
            let decoder = encoding_rs_io::DecodeReaderBytesBuilder::new()
                .encoding(Some(encoding))
                .bom_override(true)
                .strip_bom(true)
                .build(joined);
            (Box::new(BufReader::with_capacity(64 * 1024, decoder)), false)
        };
        Ok(Lines {
            inner,
            line: 0,
            buf: Vec::with_capacity(4096),
            check_utf8,
            encoding: encoding.name().to_string(),
        })
    }

    /// The number of the line last returned (0 before the first).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The next line without `\n` or `\r\n`; `None` at the end.
    pub fn next_line(&mut self) -> Result<Option<String>, GlossaryError> {
        self.buf.clear();
        let n = self.inner.read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        if self.buf.ends_with(b"\n") {
            self.buf.pop();
        }
        if self.buf.ends_with(b"\r") {
            self.buf.pop();
        }
        let bytes = std::mem::take(&mut self.buf);
        let text = if self.check_utf8 {
            String::from_utf8(bytes).map_err(|e| {
                let at = e.utf8_error().valid_up_to();
                GlossaryError::Decode {
                    line: self.line,
                    message: format!(
                        "the bytes are not UTF-8 (byte 0x{:02X} at column {}); name the \
                         encoding with --encoding (windows-1251, windows-1252, …) or a magic \
                         comment `# -*- coding: NAME -*-` on the first line",
                        e.as_bytes()[at],
                        String::from_utf8_lossy(&e.as_bytes()[..at]).chars().count() + 1
                    ),
                }
            })?
        } else {
            String::from_utf8(bytes).map_err(|_| GlossaryError::Decode {
                line: self.line,
                message: "cannot decode the line".into(),
            })?
        };
        // A BOM that the decoder left (UTF-16 without override) is not content.
        Ok(Some(text.strip_prefix('\u{FEFF}').map(str::to_string).unwrap_or(text)))
    }
}

fn sniff(head: &[u8], declared: Option<&str>) -> Result<&'static Encoding, GlossaryError> {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(encoding_rs::UTF_8);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return Ok(encoding_rs::UTF_16LE);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Ok(encoding_rs::UTF_16BE);
    }
    // UTF-16 without a BOM: ASCII characters leave every other byte zero.
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let zero_odd = head.chunks_exact(2).filter(|p| p[1] == 0 && p[0] != 0).count();
        let zero_even = head.chunks_exact(2).filter(|p| p[0] == 0 && p[1] != 0).count();
        if zero_odd * 2 > pairs {
            return Ok(encoding_rs::UTF_16LE);
        }
        if zero_even * 2 > pairs {
            return Ok(encoding_rs::UTF_16BE);
        }
    }
    let label = match declared {
        Some(d) => Some(d.to_string()),
        None => magic_comment(head),
    };
    match label {
        Some(label) => Encoding::for_label(label.trim().as_bytes())
            .ok_or(GlossaryError::UnsupportedEncoding(label)),
        None => Ok(encoding_rs::UTF_8),
    }
}

/// The `coding` of an Emacs-style magic comment on the first line: `-*- coding: utf-8 -*-`.
fn magic_comment(head: &[u8]) -> Option<String> {
    let first = head.split(|&b| b == b'\n').next()?;
    let first = String::from_utf8_lossy(first);
    let first = first.trim_start_matches('\u{FEFF}');
    if !first.starts_with('#') {
        return None;
    }
    let inner = first.split("-*-").nth(1)?;
    for part in inner.split(';') {
        if let Some((key, value)) = part.split_once(':') {
            if key.trim().eq_ignore_ascii_case("coding") {
                return Some(value.trim().to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8], declared: Option<&str>) -> Vec<String> {
        let mut l = Lines::new(Box::new(io::Cursor::new(bytes.to_vec())), declared).unwrap();
        let mut out = Vec::new();
        while let Some(line) = l.next_line().unwrap() {
            out.push(line);
        }
        out
    }

    #[test]
    fn encodings_are_found() {
        assert_eq!(lines(b"\xEF\xBB\xBFa\tb\r\nc\td", None), ["a\tb", "c\td"]);
        let mut le = vec![0xFF, 0xFE];
        for u in "мир\tpeace\r\n".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        assert_eq!(lines(&le, None), ["мир\tpeace"]);
        let mut be = vec![];
        for u in "ab\tcd\n".encode_utf16() {
            be.extend(u.to_be_bytes());
        }
        assert_eq!(lines(&be, None), ["ab\tcd"]);
        let mut cp1251 = b"# -*- coding: windows-1251 -*-\n".to_vec();
        cp1251.extend([0xEC, 0xE8, 0xF0, b'\t', b'x']);
        assert_eq!(lines(&cp1251, None)[1], "мир\tx");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut l =
            Lines::new(Box::new(io::Cursor::new(b"ok\n\xE9t\xE9\n".to_vec())), None).unwrap();
        l.next_line().unwrap();
        let err = l.next_line().unwrap_err().to_string();
        assert!(err.contains("line 2") && err.contains("--encoding"), "{err}");
    }
}
