//! Fuzzes SRX: the input is split at the first NUL byte into an SRX document and a text.
//! The text is segmented with the built-in rules; when the document compiles, with its
//! rules too. Segments must be in order, inside the text, on character boundaries and
//! never empty.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tmbase::text::Segmenter;

fn check(segmenter: &Segmenter, lang: &str, text: &str) {
    let mut end = 0;
    for range in segmenter.segment(lang, text) {
        assert!(range.start >= end && range.start < range.end && range.end <= text.len());
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
        end = range.end;
    }
}

fuzz_target!(|data: &[u8]| {
    let (srx, text) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let text = String::from_utf8_lossy(text);
    let default = Segmenter::default_rules();
    for lang in ["ru", "en-GB", "xx"] {
        check(&default, lang, &text);
    }
    if let Ok(srx) = std::str::from_utf8(srx) {
        if let Ok(rules) = Segmenter::from_srx_str(srx, "fuzz.srx") {
            for lang in ["ru", "en", "de-AT"] {
                check(&rules, lang, &text);
            }
        }
    }
});
