//! Fuzzes the streaming TMX reader: arbitrary bytes (plain, gzip, any encoding) are opened
//! with `TmxReader` and every unit is read until the end or the first fatal error.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tmbase::tmx::{ReadLimits, TmxReader, UnitRead};

fuzz_target!(|data: &[u8]| {
    let raw: Box<dyn std::io::Read> = Box::new(std::io::Cursor::new(data.to_vec()));
    let Ok(mut reader) = TmxReader::new(raw, ReadLimits::default()) else { return };
    let _ = (reader.header(), reader.version(), reader.input_info());
    // A reader that keeps answering after the end would hang the fuzzer: cap the loop by
    // the input size (every unit consumes at least one byte).
    for _ in 0..=data.len() {
        match reader.next_unit() {
            None | Some(Err(_)) => return,
            Some(Ok(UnitRead::Unit { unit, .. })) => {
                for variant in &unit.variants {
                    // The stored XML form must read back.
                    let xml = tmbase::tmx::segment_to_xml(&variant.segment);
                    tmbase::tmx::segment_from_xml(&xml)
                        .expect("the XML form of a segment that was read reads back");
                }
            }
            Some(Ok(_)) => {}
        }
    }
    panic!("next_unit kept answering after {} calls on {} bytes", data.len() + 1, data.len());
});
