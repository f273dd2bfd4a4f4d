//! Text processing that does not depend on any file format: the normalised form the
//! matching engine compares, and (later) tokenising, stemming and segmentation.

mod levenshtein;
mod normalize;
pub mod segment;
mod tokens;

pub use levenshtein::CharPattern;
pub use normalize::normalize_for_matching;
pub use segment::{char_ranges, SegmentError, Segmenter};
pub use tokens::{stem, token_form, tokenize, Token, TokenKind};
