//! When is a word of a text an inflected form of a word of a term? Both go through the
//! Snowball stemmer; equal stems are necessary but not enough, because Snowball also strips
//! derivational suffixes (`безопасность` and `безопасный` share the stem `безопасн`). So the
//! rest of the word after the stem (its ending) must belong to an inflection paradigm that
//! also holds the term word's own ending: `гарантии` (-ии, a noun in -ия) takes `гарантиях`
//! (-иях) but not `гарант` (zero ending); `безопасность` (-ость) takes `безопасности` but
//! not `безопасного` (-ого, an adjective).

use std::collections::HashMap;
use std::sync::OnceLock;

/// Russian inflection paradigms as endings after the Snowball stem (ё written е).
const PARADIGMS: &[&[&str]] = &[
    // 0 masculine hard nouns: альянс, договор, переговоры
    &["", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "и"],
    // 1 masculine soft nouns: председатель, словарь
    &["ь", "я", "ю", "ем", "е", "и", "ей", "ям", "ями", "ях", "й", "ев"],
    // 2 feminine and masculine nouns in -а: ракета, карта, война, угроза
    &["а", "ы", "е", "у", "ой", "ою", "", "ам", "ами", "ах", "и"],
    // 3 nouns in -я: неделя, земля
    &["я", "и", "е", "ю", "ей", "ею", "ь", "ям", "ями", "ях", "й"],
    // 4 nouns in -ия: гарантия, санкция, стратегия
    &["ия", "ии", "ию", "ией", "иею", "ий", "иям", "иями", "иях"],
    // 5 nouns in -ие: соглашение, вооружение, расширение
    &[
        "ие", "ия", "ию", "ием", "ии", "ий", "иям", "иями", "иях", "ье", "ья", "ью", "ьем", "ьи",
        "ий",
    ],
    // 6 neuter nouns in -о/-е: государство, право, поле
    &[
        "о", "а", "у", "ом", "е", "", "ам", "ами", "ах", "ы", "ем", "я", "ю", "ей", "ям", "ями",
        "ях",
    ],
    // 7 feminine nouns in -ь: связь, мощь, мысль
    &["ь", "и", "ью", "ей", "ям", "ями", "ях", "ам", "ами", "ах"],
    // 8 nouns in -ость (Snowball strips the suffix): безопасность, ответственность
    &["ость", "ости", "остью", "остей", "остям", "остями", "остях"],
    // 9 adjectives and participles: североатлантический, ядерный, военный
    &[
        "ый", "ий", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ым",
        "им", "ом", "ем", "ую", "юю", "ых", "их", "ыми", "ими", "ою", "ею", "ей",
    ],
    // 10 verbs: infinitive, present, past, imperative, gerund, with and without -ся
    &[
        "ть",
        "ти",
        "чь",
        "ю",
        "у",
        "ешь",
        "ет",
        "ем",
        "ете",
        "ют",
        "ут",
        "ишь",
        "ит",
        "им",
        "ите",
        "ят",
        "ат",
        "л",
        "ла",
        "ло",
        "ли",
        "й",
        "йте",
        "и",
        "в",
        "вши",
        "я",
        "ать",
        "ять",
        "ить",
        "еть",
        "ова",
        "ова",
        "ует",
        "уют",
        "ую",
        "ал",
        "ала",
        "ало",
        "али",
        "ил",
        "ила",
        "ило",
        "или",
        "ел",
        "ела",
        "ело",
        "ели",
        "ся",
        "сь",
        "ться",
        "тся",
        "ется",
        "ются",
        "ится",
        "ятся",
        "ался",
        "алась",
        "ались",
        "ился",
        "илась",
        "ились",
        "ая",
        "яя",
        "ив",
        "ав",
        "ув",
    ],
];

/// The adjective paradigm: Snowball also strips the participle suffixes before an adjective
/// ending (`постоянный` → `постоя`, `ведущий` → `вед`), so those count as part of the ending.
const ADJECTIVES: usize = 9;
const PARTICIPLE_SUFFIXES: &[&str] = &["нн", "ем", "вш", "ющ", "щ", "ивш", "ывш", "ующ"];

/// Which paradigms hold each ending: a bit per paradigm.
fn ending_masks() -> &'static HashMap<String, u16> {
    static MASKS: OnceLock<HashMap<String, u16>> = OnceLock::new();
    MASKS.get_or_init(|| {
        let mut m: HashMap<String, u16> = HashMap::new();
        for (i, endings) in PARADIGMS.iter().enumerate() {
            for e in *endings {
                *m.entry(e.to_string()).or_default() |= 1 << i;
                if i == ADJECTIVES {
                    for p in PARTICIPLE_SUFFIXES {
                        *m.entry(format!("{p}{e}")).or_default() |= 1 << i;
                    }
                }
            }
        }
        m
    })
}

const ALL_PARADIGMS: u16 = (1 << PARADIGMS.len()) - 1;

/// The paradigms a Russian term word may belong to, from its ending after the stem; all of
/// them when the ending is not a known one.
pub fn russian_paradigms(ending: &str) -> u16 {
    match ending_masks().get(ending) {
        Some(&mask) => mask,
        None => ALL_PARADIGMS,
    }
}

/// Whether a Russian text word's ending fits the paradigms of the term word.
pub fn russian_ending_fits(ending: &str, paradigms: u16) -> bool {
    ending_masks().get(ending).is_some_and(|m| m & paradigms != 0)
}

/// English inflections: plural, possessive, past, participle.
const ENGLISH: &[&str] =
    &["", "s", "es", "'s", "s'", "ed", "d", "ing", "e", "y", "ies", "ied", "ying"];

/// Whether an English text word's ending (after the common stem) is an inflection of the term
/// word's ending: `guarantee`/`guarantees`, `policy`/`policies`, but not `security`/`secure`.
pub fn english_ending_fits(term_ending: &str, text_ending: &str) -> bool {
    if term_ending == text_ending {
        return true;
    }
    if ENGLISH.contains(&term_ending) && ENGLISH.contains(&text_ending) {
        return true;
    }
    let plural_y = term_ending.strip_suffix('y').map(|s| format!("{s}ies"));
    text_ending == format!("{term_ending}s")
        || text_ending == format!("{term_ending}es")
        || text_ending == format!("{term_ending}'s")
        || plural_y.as_deref() == Some(text_ending)
}

/// The ending of `word` after `stem`: what follows their common prefix (Snowball's English
/// stem is not always a prefix: `policy` → `polici`). With a doubled `н` undone by Snowball
/// (`военный` → `воен`), the second `н` belongs to the stem.
pub fn ending<'a>(word: &'a str, stem: &str) -> &'a str {
    let mut common = 0;
    for ((i, a), b) in word.char_indices().zip(stem.chars()) {
        if a != b {
            break;
        }
        common = i + a.len_utf8();
    }
    let rest = &word[common..];
    if stem.ends_with('н') && rest.starts_with('н') {
        return &rest['н'.len_utf8()..];
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::stem;

    /// Does the text word match the term word by stem and paradigm?
    fn fits(term_word: &str, text_word: &str) -> bool {
        let (ts, ws) = (stem(term_word), stem(text_word));
        if ts != ws {
            return false;
        }
        let paradigms = russian_paradigms(ending(term_word, &ts));
        russian_ending_fits(ending(text_word, &ws), paradigms)
    }

    #[test]
    fn inflected_forms_fit() {
        for (term, text) in [
            ("гарантии", "гарантиях"),
            ("гарантии", "гарантий"),
            ("безопасности", "безопасность"),
            ("североатлантический", "североатлантического"),
            ("альянс", "альянса"),
            ("карта", "картой"),
            ("мир", "миру"),
            ("военный", "военного"),
            ("переговоры", "переговорах"),
            ("соглашение", "соглашений"),
            ("санкция", "санкциями"),
        ] {
            assert!(fits(term, text), "{term} / {text}");
        }
    }

    #[test]
    fn words_that_share_a_beginning_do_not_fit() {
        for (term, text) in [
            ("карта", "картофель"),
            ("мир", "мировой"),
            ("безопасность", "безопасного"),
            ("гарантия", "гарант"),
            ("договор", "договорились"),
        ] {
            assert!(!fits(term, text), "{term} / {text}");
        }
    }

    #[test]
    fn english_inflections() {
        assert!(english_ending_fits("e", "es"));
        assert!(english_ending_fits("y", "ies"));
        assert!(!english_ending_fits("ity", "e"));
    }
}
