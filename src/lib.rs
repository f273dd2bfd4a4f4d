//! tmbase: a translation-memory and term-base server. This crate holds the library that
//! the `tmbase` binary and the tests share; `main.rs` only parses the command line.

pub mod bench_corpus;
pub mod cli;
pub mod export;
pub mod import;
pub mod matching;
pub mod model;
pub mod store;
pub mod text;
pub mod tmx;
