//! Helpers shared by integration tests: a store filled with units from text pairs.

#![allow(dead_code)]

use std::io::Cursor;

use tmbase::import::{import_tmx, ImportOptions, Progress};
use tmbase::model::{Annotation, AnnotationKind, Header, Metadata, Segment, Unit, Variant};
use tmbase::store::{DuplicatePolicy, Store};
use tmbase::tmx::{TmxWriter, WriterOptions};

/// A unit to put in a test memory.
#[derive(Debug, Clone, Default)]
pub struct TestUnit {
    pub ru: String,
    pub en: String,
    pub changed: Option<String>,
    pub usage: Option<i64>,
    pub prev: Option<String>,
    pub next: Option<String>,
    /// The Russian side as TMX XML with markup, instead of plain `ru`.
    pub ru_xml: Option<String>,
}

pub fn unit(ru: &str, en: &str) -> TestUnit {
    TestUnit { ru: ru.into(), en: en.into(), ..TestUnit::default() }
}

/// A store with one memory `name` holding the units, imported through TMX as a user would.
pub fn store_with(name: &str, units: &[TestUnit]) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    add_units(&mut store, name, units);
    store
}

pub fn add_units(store: &mut Store, name: &str, units: &[TestUnit]) {
    let header = Header { srclang: Some("ru-RU".into()), ..Header::default() };
    let mut w =
        TmxWriter::start(Vec::new(), &header, &WriterOptions { srclang: "ru-RU".into() }).unwrap();
    for u in units {
        let segment = match &u.ru_xml {
            Some(xml) => tmbase::tmx::segment_from_xml(xml).unwrap(),
            None => Segment::from_text(u.ru.clone()),
        };
        let mut annotations = Vec::new();
        for (t, v) in [("x-context-pre", &u.prev), ("x-context-post", &u.next)] {
            if let Some(v) = v {
                annotations.push(Annotation {
                    kind: AnnotationKind::Prop,
                    prop_type: Some(t.into()),
                    lang: None,
                    o_encoding: None,
                    value: v.clone(),
                });
            }
        }
        let v = |lang: &str, segment: Segment| Variant {
            lang: lang.into(),
            meta: Metadata::default(),
            annotations: vec![],
            segment,
        };
        w.write_unit(&Unit {
            tuid: None,
            srclang: None,
            meta: Metadata {
                changedate: u.changed.clone(),
                usagecount: u.usage,
                ..Metadata::default()
            },
            annotations,
            variants: vec![v("ru-RU", segment), v("en-US", Segment::from_text(u.en.clone()))],
        })
        .unwrap();
    }
    let bytes = w.finish().unwrap();
    let mut options = ImportOptions::new(name);
    options.on_duplicate = DuplicatePolicy::Keep;
    import_tmx(store, Box::new(Cursor::new(bytes)), "test.tmx", &options, &Progress::default())
        .unwrap();
}
