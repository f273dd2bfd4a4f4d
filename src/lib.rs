//! tmbase: a translation-memory and term-base server. This crate holds the library that
//! the `tmbase` binary and the tests share; `main.rs` only parses the command line.

pub mod align;
pub mod bench_corpus;
pub mod cli;
pub mod demo;
pub mod export;
pub mod glossary;
pub mod http;
pub mod import;
pub mod matching;
pub mod model;
pub mod srx;
pub mod store;
pub mod tbx;
pub mod terms;
pub mod text;
pub mod tmx;
pub mod xml_input;
