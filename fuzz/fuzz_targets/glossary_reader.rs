//! Fuzzes the glossary reader: the first byte picks CSV or TSV and whether languages are
//! given (as `terms import --source-lang/--target-lang` would); the rest is the file.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tmbase::glossary::{GlossaryFormat, GlossaryOptions, GlossaryReader};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, file)) = data.split_first() else { return };
    let langs = mode & 2 != 0;
    let options = GlossaryOptions {
        format: if mode & 1 == 0 { GlossaryFormat::Csv } else { GlossaryFormat::Tsv },
        source_lang: langs.then(|| "en".to_string()),
        target_lang: langs.then(|| "ru-RU".to_string()),
        encoding: match mode >> 2 & 3 {
            1 => Some("windows-1251".to_string()),
            2 => Some("UTF-16LE".to_string()),
            3 => Some("no-such-encoding".to_string()),
            _ => None,
        },
    };
    let raw: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(file.to_vec()));
    let Ok(mut reader) = GlossaryReader::new(raw, &options) else { return };
    let _ = (reader.layout(), reader.encoding());
    for _ in 0..=file.len() {
        match reader.next_entry() {
            None | Some(Err(_)) => return,
            Some(Ok(_)) => {}
        }
    }
    panic!("next_entry kept answering after {} calls on {} bytes", file.len() + 1, file.len());
});
