//! Fuzzes sentence segmentation with the built-in rules alone (no SRX compilation per
//! input, so far more inputs per second than `srx_segmenter`): arbitrary text in Russian,
//! English and a language without rules. Segments must be in order, inside the text, on
//! character boundaries and never empty.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tmbase::text::Segmenter;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let segmenter = Segmenter::default_rules();
    for lang in ["ru", "en", "xx"] {
        let mut end = 0;
        for range in segmenter.segment(lang, &text) {
            assert!(range.start >= end && range.start < range.end && range.end <= text.len());
            assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
            assert!(!text[range.clone()].trim().is_empty());
            end = range.end;
        }
    }
});
