//! Fuzzes the JSON request bodies of the native API: the suggest body and the unit body
//! (create and update), then the unit body's conversion to a domain unit, which parses
//! the `markup` of each variant as stored segment XML.

#![no_main]

use libfuzzer_sys::fuzz_target;
use tmbase::http::wire::{SuggestRequest, UnitBody};

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<SuggestRequest>(data);
    if let Ok(body) = serde_json::from_slice::<UnitBody>(data) {
        let _ = body.into_unit();
    }
});
