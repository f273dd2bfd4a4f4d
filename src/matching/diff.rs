//! Which spans of a memory's source differ from the query, so that a CAT tool can highlight
//! them: a token alignment with the scorer's costs, merged into spans.

use super::index::FastMap;
use crate::text::{stem, token_form, tokenize, TokenKind};

/// How a span of the memory's source differs from the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    /// The query has text here that the source lacks (an empty span of the source).
    Inserted,
    /// The source has text here that the query lacks.
    Deleted,
    /// The source has other text here than the query.
    Replaced,
}

impl DiffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffKind::Inserted => "inserted",
            DiffKind::Deleted => "deleted",
            DiffKind::Replaced => "replaced",
        }
    }
}

/// A span of the source (character offsets, end exclusive) and the query text it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffSpan {
    pub kind: DiffKind,
    pub start: usize,
    pub end: usize,
    /// The query's text for this span (empty for deletions).
    pub query_text: String,
    /// A replacement by another form of the same word (an inflection).
    pub same_stem: bool,
}

struct Tok {
    start: usize,
    end: usize,
    /// Ids of the normalised form and of its stem: equal ids, equal forms (stems).
    form: u32,
    stem: u32,
}

/// `text` broken into tokens, each with the ids `ids` gives its normalised form. `seen`
/// remembers the ids of each token text met before: the sources of one query's matches
/// share most of their words with the query and with each other, so most tokens are neither
/// normalised nor looked up again.
fn toks(
    text: &str,
    seen: &mut FastMap<String, (u32, u32)>,
    ids: &mut impl FnMut(&str, TokenKind) -> (u32, u32),
) -> Vec<Tok> {
    tokenize(text)
        .into_iter()
        .map(|t| {
            let raw = t.text(text);
            let (form, stem) = match seen.get(raw) {
                Some(&known) => known,
                None => {
                    let known = ids(&token_form(raw), t.kind);
                    seen.insert(raw.to_string(), known);
                    known
                }
            };
            Tok { start: t.start, end: t.end, form, stem }
        })
        .collect()
}

/// Ids for forms and stems from nothing but the texts: each new form is stemmed (words by
/// Snowball; numbers and punctuation are their own stem).
fn stemming_ids() -> impl FnMut(&str, TokenKind) -> (u32, u32) {
    let mut forms: FastMap<String, (u32, u32)> = FastMap::default();
    let mut stems: FastMap<String, u32> = FastMap::default();
    move |form, kind| {
        if let Some(&ids) = forms.get(form) {
            return ids;
        }
        let stem_text = if kind == TokenKind::Word { stem(form) } else { form.to_string() };
        let next = stems.len() as u32;
        let stem_id = *stems.entry(stem_text).or_insert(next);
        let ids = (forms.len() as u32, stem_id);
        forms.insert(form.to_string(), ids);
        ids
    }
}

/// A query broken into tokens once, to be compared with the sources of several matches.
/// `ids` names each token's form and stem (the fuzzy index's vocabulary knows most of them,
/// so that they need not be stemmed again).
pub struct DiffQuery<'q, W> {
    text: &'q str,
    toks: Vec<Tok>,
    ids: W,
    /// The ids of every token text met so far.
    seen: FastMap<String, (u32, u32)>,
}

impl<'q, W: FnMut(&str, TokenKind) -> (u32, u32)> DiffQuery<'q, W> {
    pub fn new(text: &'q str, mut ids: W) -> Self {
        let mut seen = FastMap::default();
        DiffQuery { text, toks: toks(text, &mut seen, &mut ids), ids, seen }
    }

    /// The spans of `source` that differ from the query.
    pub fn spans(&mut self, source: &str) -> Vec<DiffSpan> {
        if source == self.text {
            return Vec::new(); // the same tokens: nothing differs
        }
        let source_toks = toks(source, &mut self.seen, &mut self.ids);
        spans_between(self.text, &self.toks, source, &source_toks)
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Same,
    Sub,
    Del,
    Ins,
}

/// The spans of `source` that differ from `query`.
pub fn diff_spans(query: &str, source: &str) -> Vec<DiffSpan> {
    DiffQuery::new(query, stemming_ids()).spans(source)
}

fn spans_between(query: &str, q: &[Tok], source: &str, s: &[Tok]) -> Vec<DiffSpan> {
    let (n, m) = (q.len(), s.len());
    let cost = |i: usize, j: usize| {
        if q[i].form == s[j].form {
            0
        } else if q[i].stem == s[j].stem {
            3
        } else {
            10
        }
    };
    // d(i, j): the cost of turning the first i query tokens into the first j source tokens.
    let width = m + 1;
    let mut table = vec![0u32; (n + 1) * width];
    for i in 0..=n {
        table[i * width] = i as u32 * 10;
    }
    for (j, cell) in table[..width].iter_mut().enumerate() {
        *cell = j as u32 * 10;
    }
    for i in 0..n {
        for j in 0..m {
            let replace = table[i * width + j] + cost(i, j);
            let delete = table[i * width + j + 1] + 10;
            let insert = table[(i + 1) * width + j] + 10;
            table[(i + 1) * width + j + 1] = replace.min(delete).min(insert);
        }
    }
    let d = |i: usize, j: usize| table[i * width + j];
    // Walk back from the end, collecting one operation per step.
    let (mut i, mut j) = (n, m);
    let mut ops: Vec<(Op, Option<usize>, Option<usize>)> = Vec::new();
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && d(i, j) == d(i - 1, j - 1) + cost(i - 1, j - 1) {
            let op = if cost(i - 1, j - 1) == 0 { Op::Same } else { Op::Sub };
            ops.push((op, Some(i - 1), Some(j - 1)));
            i -= 1;
            j -= 1;
        } else if j > 0 && d(i, j) == d(i, j - 1) + 10 {
            ops.push((Op::Del, None, Some(j - 1)));
            j -= 1;
        } else {
            ops.push((Op::Ins, Some(i - 1), None));
            i -= 1;
        }
    }
    ops.reverse();

    // Character offsets, counted on from the last one asked for: the spans come in source
    // order, so the source is counted through once.
    let (mut counted_bytes, mut counted_chars) = (0, 0);
    let mut char_offset = |byte: usize| {
        if byte < counted_bytes {
            return source[..byte].chars().count();
        }
        counted_chars += source[counted_bytes..byte].chars().count();
        counted_bytes = byte;
        counted_chars
    };
    let mut spans: Vec<DiffSpan> = Vec::new();
    // Where the last span ends, in bytes.
    let mut last_end_byte = 0;
    let mut source_pos = 0; // byte offset where the next insertion would go
    for (op, qi, sj) in ops {
        let (kind, start, end, qtext, same_stem) = match op {
            Op::Same => {
                source_pos = s[sj.unwrap_or(0)].end;
                continue;
            }
            Op::Sub => {
                let (qt, st) = (&q[qi.unwrap_or(0)], &s[sj.unwrap_or(0)]);
                source_pos = st.end;
                (DiffKind::Replaced, st.start, st.end, &query[qt.start..qt.end], qt.stem == st.stem)
            }
            Op::Del => {
                let st = &s[sj.unwrap_or(0)];
                source_pos = st.end;
                (DiffKind::Deleted, st.start, st.end, "", false)
            }
            Op::Ins => {
                let qt = &q[qi.unwrap_or(0)];
                (DiffKind::Inserted, source_pos, source_pos, &query[qt.start..qt.end], false)
            }
        };
        let (start_byte, end_byte) = (start, end);
        let (start, end) = (char_offset(start), char_offset(end));
        let between = source.get(last_end_byte.min(start_byte)..start_byte).unwrap_or("");
        last_end_byte = end_byte;
        if let Some(last) = spans.last_mut() {
            let adjacent = last.kind == kind && between.chars().all(char::is_whitespace);
            if adjacent && !(kind == DiffKind::Replaced && (last.same_stem || same_stem)) {
                last.end = end;
                if !qtext.is_empty() {
                    if !last.query_text.is_empty() {
                        last.query_text.push(' ');
                    }
                    last.query_text.push_str(qtext);
                }
                continue;
            }
        }
        spans.push(DiffSpan { kind, start, end, query_text: qtext.to_string(), same_stem });
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(query: &str, source: &str) -> Vec<String> {
        diff_spans(query, source)
            .iter()
            .map(|d| {
                let text: String = source.chars().skip(d.start).take(d.end - d.start).collect();
                format!(
                    "{}:{}→{}{}",
                    d.kind.as_str(),
                    text,
                    d.query_text,
                    if d.same_stem { "~" } else { "" }
                )
            })
            .collect()
    }

    #[test]
    fn diff_table() {
        assert_eq!(
            show("Переговоры прошли в Женеве.", "Переговоры прошли в Женеве."),
            Vec::<String>::new()
        );
        assert_eq!(
            show("Переговоры прошли в Вене.", "Переговоры прошли в Женеве."),
            ["replaced:Женеве→Вене"]
        );
        assert_eq!(
            show("итоги переговоров", "итоги переговорам"),
            ["replaced:переговорам→переговоров~"]
        );
        assert_eq!(
            show("Встреча прошла вчера в Женеве", "Встреча прошла в Женеве"),
            ["inserted:→вчера"]
        );
        assert_eq!(show("Встреча в Женеве", "Встреча прошла в Женеве"), ["deleted:прошла→"]);
    }

    #[test]
    fn a_query_compared_with_several_sources_gives_each_the_spans_of_a_fresh_diff() {
        let query = "Переговоры прошли 5 мая в Женеве, «как и прежде».";
        let sources = [
            "Переговоры прошли 7 мая в Вене, «как и прежде».",
            "Переговорам не прошли в Женеве.",
            "ПЕРЕГОВОРЫ прошли 5 мая в Женеве, \"как и прежде\".",
            "Переговоры прошли 7 мая в Вене, «как и прежде».",
        ];
        let mut reused = DiffQuery::new(query, stemming_ids());
        for source in sources {
            assert_eq!(reused.spans(source), diff_spans(query, source), "source {source:?}");
        }
    }

    #[test]
    fn offsets_are_characters() {
        let d = diff_spans("а б", "а в");
        assert_eq!((d[0].start, d[0].end), (2, 3));
    }
}
