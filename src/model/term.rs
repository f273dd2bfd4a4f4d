//! Term-base types after TBX (ISO 30042): term bases hold concept entries, concept entries
//! hold language sections, language sections hold terms. Plain data, no I/O.

use std::fmt;

/// Administrative status of a term: TBX's four values plus the two that agencies add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TermStatus {
    Preferred,
    Admitted,
    Deprecated,
    Superseded,
    /// Must not be used (a stronger "deprecated"): term QA reports it in translations.
    Forbidden,
    /// Names, brands, codes: the translation keeps the term as it is.
    DoNotTranslate,
}

impl TermStatus {
    pub const ALL: [TermStatus; 6] = [
        TermStatus::Preferred,
        TermStatus::Admitted,
        TermStatus::Deprecated,
        TermStatus::Superseded,
        TermStatus::Forbidden,
        TermStatus::DoNotTranslate,
    ];

    /// The stable name used in the database, the command line and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TermStatus::Preferred => "preferred",
            TermStatus::Admitted => "admitted",
            TermStatus::Deprecated => "deprecated",
            TermStatus::Superseded => "superseded",
            TermStatus::Forbidden => "forbidden",
            TermStatus::DoNotTranslate => "do-not-translate",
        }
    }

    /// Reads a status the way tools write it: `preferred`, `preferredTerm`,
    /// `preferredTerm-admn-sts` (TBX administrativeStatus), `standardizedTerm`
    /// (normativeAuthorization), `notRecommended`/`obsolete` (TBX-Min usageStatus),
    /// `forbidden`, `doNotTranslate`, case-insensitively.
    pub fn parse(value: &str) -> Option<TermStatus> {
        let v = value.trim().to_ascii_lowercase();
        let v = v.strip_suffix("-admn-sts").unwrap_or(&v);
        let v = v.strip_suffix("term").unwrap_or(v);
        Some(match v.trim_end_matches(['-', '_', ' ']) {
            "preferred" | "standardized" | "legal" | "regulated" => TermStatus::Preferred,
            "admitted" | "admissible" => TermStatus::Admitted,
            "deprecated" | "notrecommended" | "not recommended" => TermStatus::Deprecated,
            "superseded" | "obsolete" => TermStatus::Superseded,
            "forbidden" | "prohibited" => TermStatus::Forbidden,
            "do-not-translate" | "donottranslate" | "do not translate" | "dnt" => {
                TermStatus::DoNotTranslate
            }
            _ => return None,
        })
    }

    /// Whether a translation may use the term.
    pub fn is_usable(self) -> bool {
        matches!(self, TermStatus::Preferred | TermStatus::Admitted | TermStatus::DoNotTranslate)
    }

    /// Order in which target terms are offered: preferred first, forbidden last.
    pub fn rank(status: Option<TermStatus>) -> u8 {
        match status {
            Some(TermStatus::Preferred) => 0,
            Some(TermStatus::DoNotTranslate) => 1,
            Some(TermStatus::Admitted) => 2,
            None => 3,
            Some(TermStatus::Superseded) => 4,
            Some(TermStatus::Deprecated) => 5,
            Some(TermStatus::Forbidden) => 6,
        }
    }
}

impl fmt::Display for TermStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// TBX-Basic's part-of-speech picklist; other values are mapped onto it on import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartOfSpeech {
    Noun,
    Verb,
    Adjective,
    Adverb,
    Other,
}

impl PartOfSpeech {
    pub const ALL: [PartOfSpeech; 5] = [
        PartOfSpeech::Noun,
        PartOfSpeech::Verb,
        PartOfSpeech::Adjective,
        PartOfSpeech::Adverb,
        PartOfSpeech::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PartOfSpeech::Noun => "noun",
            PartOfSpeech::Verb => "verb",
            PartOfSpeech::Adjective => "adjective",
            PartOfSpeech::Adverb => "adverb",
            PartOfSpeech::Other => "other",
        }
    }

    /// `Noun`, `proper noun`, `properNoun`, `n`, `NOUN` (Universal Dependencies),
    /// `существительное` → noun, and so on; anything unknown is `other`.
    pub fn parse(value: &str) -> PartOfSpeech {
        let v: String = value.trim().to_lowercase().chars().filter(|c| c.is_alphabetic()).collect();
        match v.as_str() {
            "noun"
            | "n"
            | "propernoun"
            | "propn"
            | "nounphrase"
            | "substantive"
            | "существительное"
            | "сущ" => PartOfSpeech::Noun,
            "verb" | "v" | "verbphrase" | "глагол" | "гл" => PartOfSpeech::Verb,
            "adjective" | "adj" | "a" | "прилагательное" | "прил" => {
                PartOfSpeech::Adjective
            }
            "adverb" | "adv" | "наречие" | "нар" => PartOfSpeech::Adverb,
            _ => PartOfSpeech::Other,
        }
    }
}

/// TBX-Basic's grammatical gender picklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gender {
    Masculine,
    Feminine,
    Neuter,
    Other,
}

impl Gender {
    pub const ALL: [Gender; 4] =
        [Gender::Masculine, Gender::Feminine, Gender::Neuter, Gender::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Masculine => "masculine",
            Gender::Feminine => "feminine",
            Gender::Neuter => "neuter",
            Gender::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Gender {
        match value.trim().to_lowercase().trim_end_matches('.') {
            "masculine" | "m" | "masc" | "мужской" | "м" | "муж" => Gender::Masculine,
            "feminine" | "f" | "fem" | "женский" | "ж" | "жен" => Gender::Feminine,
            "neuter" | "n" | "neut" | "средний" | "ср" => Gender::Neuter,
            _ => Gender::Other,
        }
    }
}

/// Grammatical number (TBX's grammaticalNumber picklist).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Number {
    Singular,
    Plural,
    Dual,
    Mass,
    Other,
}

impl Number {
    pub const ALL: [Number; 5] =
        [Number::Singular, Number::Plural, Number::Dual, Number::Mass, Number::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Number::Singular => "singular",
            Number::Plural => "plural",
            Number::Dual => "dual",
            Number::Mass => "mass",
            Number::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Number {
        match value.trim().to_lowercase().as_str() {
            "singular" | "sg" | "sing" | "единственное" | "ед" => Number::Singular,
            "plural" | "pl" | "множественное" | "мн" => Number::Plural,
            "dual" => Number::Dual,
            "mass" | "massnoun" | "uncountable" => Number::Mass,
            _ => Number::Other,
        }
    }
}

/// How a term is found in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MatchMode {
    /// Any inflected form (Snowball stem plus a check of the inflection ending); case- and
    /// ё-insensitive. Words written in capitals (acronyms) are compared whole.
    #[default]
    Stemmed,
    /// The same words in the same form, case- and ё-insensitive.
    Exact,
    /// Exactly as written, capitals included (`НАТО`, `ОБСЕ`, `США`).
    CaseSensitive,
}

impl MatchMode {
    pub const ALL: [MatchMode; 3] =
        [MatchMode::Stemmed, MatchMode::Exact, MatchMode::CaseSensitive];

    pub fn as_str(self) -> &'static str {
        match self {
            MatchMode::Stemmed => "stemmed",
            MatchMode::Exact => "exact",
            MatchMode::CaseSensitive => "case-sensitive",
        }
    }

    pub fn parse(value: &str) -> Option<MatchMode> {
        Some(match value.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "stemmed" | "stem" | "fuzzy" => MatchMode::Stemmed,
            "exact" => MatchMode::Exact,
            "case-sensitive" | "casesensitive" | "case" => MatchMode::CaseSensitive,
            _ => return None,
        })
    }
}

/// What a cross-reference of a concept points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CrossRefKind {
    /// Another concept (TBX `<ref type="crossReference">`).
    Concept,
    /// A web page or document (TBX `<xref type="externalCrossReference">` and others).
    External,
    /// An image (TBX `<xref type="xGraphic">`).
    Graphic,
}

impl CrossRefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CrossRefKind::Concept => "concept",
            CrossRefKind::External => "external",
            CrossRefKind::Graphic => "graphic",
        }
    }

    pub fn parse(value: &str) -> Option<CrossRefKind> {
        Some(match value {
            "concept" => CrossRefKind::Concept,
            "external" => CrossRefKind::External,
            "graphic" => CrossRefKind::Graphic,
            _ => return None,
        })
    }
}

/// A link of a concept, kept as text: tmbase does not follow or check it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CrossReference {
    pub kind: CrossRefKind,
    /// A concept id, a URL or a file name, as written.
    pub target: Option<String>,
    pub text: String,
}

/// Who made or last changed something, and when (text as written: TBX files use several
/// date formats; tmbase writes `YYYY-MM-DDTHH:MM:SSZ`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub created_at: Option<String>,
    pub created_by: Option<String>,
    pub changed_at: Option<String>,
    pub changed_by: Option<String>,
}

/// One term (TBX `termSec`, `tig`, `ntig`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Term {
    /// The database id; `None` before the term is stored.
    pub id: Option<i64>,
    pub text: String,
    pub part_of_speech: Option<PartOfSpeech>,
    pub gender: Option<Gender>,
    pub number: Option<Number>,
    pub status: Option<TermStatus>,
    /// TBX termType: `fullForm`, `acronym`, `abbreviation`, `variant`, … as written.
    pub term_type: Option<String>,
    /// A sentence that shows the term in use.
    pub context: Option<String>,
    pub usage_note: Option<String>,
    pub source: Option<String>,
    pub match_mode: MatchMode,
    pub stamp: Stamp,
}

impl Term {
    pub fn new(text: impl Into<String>) -> Term {
        Term { text: tidy_term(&text.into()), ..Term::default() }
    }
}

/// The terms of one language in a concept, with what is said of the concept in that language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct LangSection {
    /// BCP 47 tag in canonical case.
    pub lang: String,
    pub definition: Option<String>,
    pub note: Option<String>,
    pub terms: Vec<Term>,
}

/// A concept entry: the terms of all languages that name one concept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Concept {
    /// The database id; `None` before the concept is stored.
    pub id: Option<i64>,
    /// The concept id in files (TBX `id`): unique in its term base.
    pub external_id: Option<String>,
    pub subject_field: Option<String>,
    pub definition: Option<String>,
    pub note: Option<String>,
    pub source: Option<String>,
    pub cross_references: Vec<CrossReference>,
    pub stamp: Stamp,
    pub languages: Vec<LangSection>,
}

impl Concept {
    /// The section for `lang` (canonical tag), if any.
    pub fn section(&self, lang: &str) -> Option<&LangSection> {
        self.languages.iter().find(|s| s.lang == lang)
    }

    /// The section for `lang`, created at the end when missing.
    pub fn section_mut(&mut self, lang: &str) -> &mut LangSection {
        match self.languages.iter().position(|s| s.lang == lang) {
            Some(i) => &mut self.languages[i],
            None => {
                self.languages.push(LangSection { lang: lang.to_string(), ..Default::default() });
                self.languages.last_mut().expect("just pushed")
            }
        }
    }

    pub fn term_count(&self) -> usize {
        self.languages.iter().map(|s| s.terms.len()).sum()
    }

    /// Puts every text field in the form the store keeps (see [`tidy_term`], [`tidy_text`])
    /// and drops empty terms and sections without terms or text.
    pub fn tidy(&mut self) {
        for field in
            [&mut self.subject_field, &mut self.definition, &mut self.note, &mut self.source]
        {
            tidy_opt(field);
        }
        tidy_opt(&mut self.external_id);
        tidy_stamp(&mut self.stamp);
        for x in &mut self.cross_references {
            x.text = tidy_text(&x.text);
            tidy_opt(&mut x.target);
        }
        for section in &mut self.languages {
            tidy_opt(&mut section.definition);
            tidy_opt(&mut section.note);
            for term in &mut section.terms {
                term.text = tidy_term(&term.text);
                for field in
                    [&mut term.term_type, &mut term.context, &mut term.usage_note, &mut term.source]
                {
                    tidy_opt(field);
                }
                tidy_stamp(&mut term.stamp);
            }
            section.terms.retain(|t| !t.text.is_empty());
        }
        self.languages
            .retain(|s| !s.terms.is_empty() || s.definition.is_some() || s.note.is_some());
    }
}

fn tidy_opt(field: &mut Option<String>) {
    if let Some(v) = field {
        let t = tidy_text(v);
        *field = if t.is_empty() { None } else { Some(t) };
    }
}

fn tidy_stamp(s: &mut Stamp) {
    for field in [&mut s.created_at, &mut s.created_by, &mut s.changed_at, &mut s.changed_by] {
        if let Some(v) = field {
            let t = tidy_term(v);
            *field = if t.is_empty() { None } else { Some(t) };
        }
    }
}

/// A term as stored: every run of whitespace one space, no space at either end, no
/// control characters.
pub fn tidy_term(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A definition, note or context as stored: line breaks kept (`\n`), the indentation and
/// trailing spaces of each line (which pretty-printed XML adds) removed, no empty first or
/// last line, no control characters but `\n` and tab.
pub fn tidy_text(text: &str) -> String {
    let unified = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<String> = unified
        .split('\n')
        .map(|line| {
            line.chars()
                .filter(|c| !c.is_control() || *c == '\t')
                .collect::<String>()
                .trim_matches(|c: char| c.is_whitespace())
                .to_string()
        })
        .collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(a), Some(b)) => lines[a..=b].join("\n"),
        _ => String::new(),
    }
}

/// Whether a language tag is well-formed BCP 47 as XML's `xml:lang` (RFC 3066) accepts it:
/// subtags of 1 to 8 letters or digits, the first of 2 or 3 letters (or `x`/`i`).
pub fn is_well_formed_lang_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or("");
    let first_ok = (matches!(first.len(), 2 | 3) && first.bytes().all(|b| b.is_ascii_alphabetic()))
        || first.eq_ignore_ascii_case("x")
        || first.eq_ignore_ascii_case("i");
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A term base: a named collection of concepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermBaseSummary {
    pub name: String,
    pub description: Option<String>,
    pub created_at: String,
    pub concepts: u64,
    /// Terms per language.
    pub languages: Vec<(String, u64)>,
}

/// One recorded change of a concept (or of one of its sections or terms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConceptChange {
    pub at: String,
    pub by: Option<String>,
    /// `created`, `imported`, `updated`, `deleted`.
    pub action: String,
    /// What changed: `concept`, `ru`, `term 17 (ru) «гарантия»`.
    pub what: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_tools_write_them() {
        let cases = [
            ("preferredTerm-admn-sts", TermStatus::Preferred),
            ("admittedTerm-admn-sts", TermStatus::Admitted),
            ("deprecatedTerm-admn-sts", TermStatus::Deprecated),
            ("supersededTerm-admn-sts", TermStatus::Superseded),
            ("standardizedTerm-admn-sts", TermStatus::Preferred),
            ("deprecated", TermStatus::Deprecated),
            ("notRecommended", TermStatus::Deprecated),
            ("obsolete", TermStatus::Superseded),
            ("preferredTerm", TermStatus::Preferred),
            ("Forbidden", TermStatus::Forbidden),
            ("doNotTranslate", TermStatus::DoNotTranslate),
            ("do-not-translate", TermStatus::DoNotTranslate),
        ];
        for (text, want) in cases {
            assert_eq!(TermStatus::parse(text), Some(want), "{text}");
        }
        assert_eq!(TermStatus::parse("whatever"), None);
        for s in TermStatus::ALL {
            assert_eq!(TermStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn part_of_speech_maps_onto_the_picklist() {
        assert_eq!(PartOfSpeech::parse("Proper Noun"), PartOfSpeech::Noun);
        assert_eq!(PartOfSpeech::parse("Verb"), PartOfSpeech::Verb);
        assert_eq!(PartOfSpeech::parse("ADJ"), PartOfSpeech::Adjective);
        assert_eq!(PartOfSpeech::parse("nominal"), PartOfSpeech::Other);
    }

    #[test]
    fn tidy_removes_xml_indentation_but_keeps_line_breaks() {
        assert_eq!(tidy_text("\n   copie ou\n\t\t\td'écriture  \n  "), "copie ou\nd'écriture");
        assert_eq!(
            tidy_term("  Provincial  Reporting\nEstablishment "),
            "Provincial Reporting Establishment"
        );
        assert_eq!(tidy_text(" \n \t "), "");
    }
}
