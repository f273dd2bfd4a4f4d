//! TMX: the streaming reader and writer, and the XML form in which segments with inline
//! markup are stored. This module and `tbx` are the only ones that know XML.

mod reader;
mod writer;

pub use crate::xml_input::{InputInfo, Position};
pub use reader::{ReadLimits, SkipReason, SkippedUnit, TmxReader, UnitRead};
pub use writer::{segment_from_xml, segment_to_xml, TmxWriter, WriterOptions};

/// Why a TMX file could not be read (as opposed to one unit of it, see [`SkippedUnit`]).
#[derive(Debug, thiserror::Error)]
pub enum TmxError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("{at}: {message}")]
    Malformed { at: Position, message: String },
    #[error("not a TMX file: {0}")]
    NotTmx(String),
    #[error("the file declares the encoding {0:?}, which tmbase does not know")]
    UnsupportedEncoding(String),
    #[error("refused: {0}")]
    Refused(String),
}

impl From<crate::xml_input::InputError> for TmxError {
    fn from(e: crate::xml_input::InputError) -> Self {
        use crate::xml_input::InputError;
        match e {
            InputError::Io(e) => TmxError::Io(e),
            InputError::Empty => TmxError::NotTmx("the file is empty".into()),
            InputError::UnsupportedEncoding(label) => TmxError::UnsupportedEncoding(label),
        }
    }
}
