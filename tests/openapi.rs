//! The committed OpenAPI document (docs/openapi.json) is the one the code generates.
//! After changing the API, regenerate it: `cargo run -- openapi > docs/openapi.json`.

#[test]
fn committed_openapi_document_is_current() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json"))
            .expect("docs/openapi.json is committed");
    let generated = tmbase::http::openapi_document();
    assert!(
        committed.trim_end() == generated.trim_end(),
        "docs/openapi.json is out of date: run `cargo run -- openapi > docs/openapi.json`"
    );
}
