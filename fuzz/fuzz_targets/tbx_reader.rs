//! Fuzzes the streaming TBX reader (v2, v3, EuroTermBank): arbitrary bytes are opened with
//! `TbxReader` and every entry is read until the end or the first fatal error.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tmbase::tbx::{ReadLimits, TbxReader};

fuzz_target!(|data: &[u8]| {
    let raw: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(data.to_vec()));
    let Ok(mut reader) = TbxReader::new(raw, ReadLimits::default()) else { return };
    let _ = (reader.version(), reader.dialect(), reader.input_info());
    for _ in 0..=data.len() {
        match reader.next_entry() {
            None | Some(Err(_)) => return,
            Some(Ok(_)) => {}
        }
    }
    panic!("next_entry kept answering after {} calls on {} bytes", data.len() + 1, data.len());
});
