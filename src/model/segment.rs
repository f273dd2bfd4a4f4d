//! The content of a `<seg>`: text interleaved with TMX inline markup, kept losslessly so that
//! an export writes back exactly the codes that came in.

/// The seven TMX inline elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InlineKind {
    /// Begin of a paired native code.
    Bpt,
    /// End of a paired native code.
    Ept,
    /// Isolated code whose partner lies outside the segment.
    It,
    /// Standalone placeholder.
    Ph,
    /// Highlighted text (its content is translatable text).
    Hi,
    /// Unknown native code (deprecated in TMX 1.4).
    Ut,
    /// Translatable text inside a native code (a tooltip, an alt text).
    Sub,
}

impl InlineKind {
    pub const ALL: [InlineKind; 7] = [
        InlineKind::Bpt,
        InlineKind::Ept,
        InlineKind::It,
        InlineKind::Ph,
        InlineKind::Hi,
        InlineKind::Ut,
        InlineKind::Sub,
    ];

    pub fn name(self) -> &'static str {
        match self {
            InlineKind::Bpt => "bpt",
            InlineKind::Ept => "ept",
            InlineKind::It => "it",
            InlineKind::Ph => "ph",
            InlineKind::Hi => "hi",
            InlineKind::Ut => "ut",
            InlineKind::Sub => "sub",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        InlineKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Elements whose content is native code (with optional `<sub>` text inside),
    /// as opposed to `<hi>` and `<sub>`, whose content is text.
    pub fn holds_native_code(self) -> bool {
        !matches!(self, InlineKind::Hi | InlineKind::Sub)
    }
}

/// A piece of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    Tag {
        kind: InlineKind,
        /// Attributes in document order (`i`, `x`, `type`, `pos`, `assoc`, `datatype`, …).
        attrs: Vec<(String, String)>,
        /// Native code (for `bpt`, `ept`, `it`, `ph`, `ut`) or text (for `hi`, `sub`).
        content: Vec<Inline>,
    },
}

/// The content of one `<seg>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Segment {
    pub content: Vec<Inline>,
}

impl Segment {
    pub fn from_text(text: impl Into<String>) -> Self {
        let text = text.into();
        if text.is_empty() {
            return Segment::default();
        }
        Segment { content: vec![Inline::Text(text)] }
    }

    /// The translatable text with markup removed: native code is dropped, the text of
    /// `<hi>` is kept, `<sub>` text (which belongs to a code, not to the sentence) is dropped.
    pub fn plain_text(&self) -> String {
        fn walk(items: &[Inline], out: &mut String) {
            for item in items {
                match item {
                    Inline::Text(t) => out.push_str(t),
                    Inline::Tag { kind: InlineKind::Hi, content, .. } => walk(content, out),
                    Inline::Tag { .. } => {}
                }
            }
        }
        let mut out = String::new();
        walk(&self.content, &mut out);
        out
    }

    /// How many inline elements the segment holds, nested ones included.
    pub fn tag_count(&self) -> usize {
        fn walk(items: &[Inline]) -> usize {
            items
                .iter()
                .map(|item| match item {
                    Inline::Text(_) => 0,
                    Inline::Tag { content, .. } => 1 + walk(content),
                })
                .sum()
        }
        walk(&self.content)
    }

    pub fn has_markup(&self) -> bool {
        self.content.iter().any(|i| matches!(i, Inline::Tag { .. }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(kind: InlineKind, content: Vec<Inline>) -> Inline {
        Inline::Tag { kind, attrs: vec![("i".into(), "1".into())], content }
    }

    #[test]
    fn plain_text_drops_native_code_and_keeps_highlighted_text() {
        let seg = Segment {
            content: vec![
                Inline::Text("Нажмите ".into()),
                tag(InlineKind::Bpt, vec![Inline::Text("<b>".into())]),
                Inline::Text("ОК".into()),
                tag(InlineKind::Ept, vec![Inline::Text("</b>".into())]),
                Inline::Text(" и ".into()),
                tag(InlineKind::Hi, vec![Inline::Text("подождите".into())]),
                tag(
                    InlineKind::Ph,
                    vec![
                        Inline::Text("<img alt='".into()),
                        tag(InlineKind::Sub, vec![Inline::Text("картинка".into())]),
                        Inline::Text("'>".into()),
                    ],
                ),
            ],
        };
        assert_eq!(seg.plain_text(), "Нажмите ОК и подождите");
        assert_eq!(seg.tag_count(), 5);
    }
}
