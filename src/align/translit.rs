//! Names across scripts: a Russian→Latin transliteration, a spelling-tolerant phonetic key for
//! Latin text, and the similarity that decides whether `Женеве` and `Geneva` are one name.
//!
//! The transliteration follows the familiar English-language practice (close to BGN/PCGN
//! without diacritics: `ж` zh, `х` kh, `ц` ts, `ч` ch, `ш` sh, `щ` shch, `й` y, `ю` yu,
//! `я` ya, `ъ` and `ь` dropped, `ё` e as in `Gorbachev`). Both sides are then folded into a
//! key that irons out the spellings English uses for the same sounds (`w`/`v`, `c`/`k`/`s`,
//! soft `g`/`zh`/`j`, `y`/`i`, `x`/`ks`, double letters), and compared with the normalised
//! Levenshtein similarity. A Russian name is tried with its case ending and without it.

use unicode_normalization::UnicodeNormalization;

/// Two names are taken for one when the similarity of their keys reaches this value
/// (normalised Levenshtein: 1 − edits / longer length). 0.75 accepts one edit in four
/// letters (`Кубе`/`Cuba`, `Брюсселе`/`Brussels`), and refuses pairs such as
/// `Вене`/`Venice` (0.67). Short names can still meet by chance (`Россией` → `rosi` and
/// `Rose` → `rose`: 0.75); anchor weights make such a meeting cheap when it happens.
pub const NAME_SIMILARITY_THRESHOLD: f64 = 0.75;

/// Keys shorter than this are not compared (`Джо`/`Joe`, `РФ`): too many short words agree
/// by chance.
pub const MIN_NAME_KEY_LEN: usize = 3;

/// The Latin spelling of one Cyrillic letter (lower case); `None` for other characters.
fn latin_for(c: char) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        // Ukrainian and Belarusian letters that appear in names.
        'і' => "i",
        'ї' => "yi",
        'є' => "ye",
        'ґ' => "g",
        'ў' => "u",
        _ => return None,
    })
}

/// Russian text in Latin letters (lower case). Characters that are not Cyrillic are kept.
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        match latin_for(c) {
            Some(latin) => out.push_str(latin),
            None => out.push(c),
        }
    }
    out
}

/// Whether a word is written (mostly) in Cyrillic.
pub fn is_cyrillic_word(word: &str) -> bool {
    word.chars().find(|c| c.is_alphabetic()).is_some_and(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// The phonetic key of a Latin-script word (a transliterated Russian word or an English one):
/// lower case, no diacritics, and the spellings of one sound made one.
pub fn phonetic_key(latin: &str) -> String {
    // Lower case without diacritics, letters only.
    let letters: Vec<char> =
        latin.nfd().filter(|c| c.is_ascii_alphabetic()).map(|c| c.to_ascii_lowercase()).collect();
    let at = |i: usize| letters.get(i).copied().unwrap_or(' ');
    let front_vowel = |c: char| matches!(c, 'e' | 'i' | 'y');
    let mut key = String::with_capacity(letters.len());
    let mut i = 0;
    while i < letters.len() {
        let rest: String = letters[i..letters.len().min(i + 4)].iter().collect();
        let (sound, used) = if rest.starts_with("shch") {
            ("s", 4)
        } else if rest.starts_with("sch") || rest.starts_with("dzh") {
            (if rest.starts_with('s') { "s" } else { "j" }, 3)
        } else if rest.starts_with("zh") {
            ("j", 2)
        } else if rest.starts_with("sh") {
            ("s", 2)
        } else if rest.starts_with("kh") || rest.starts_with("ch") && at(i + 2) == 'r' {
            // `kh` is Russian х; `chr` is Greek-derived `kr` (Christopher).
            (if rest.starts_with('k') { "h" } else { "k" }, 2)
        } else if rest.starts_with("ch") {
            ("c", 2)
        } else if rest.starts_with("ck") {
            ("k", 2)
        } else if rest.starts_with("ph") {
            ("f", 2)
        } else if rest.starts_with("th") {
            ("t", 2)
        } else {
            let c = letters[i];
            let sound = match c {
                'w' => "v",
                'q' => "k",
                'x' => "ks",
                'y' => "i",
                'c' if front_vowel(at(i + 1)) => "s",
                'c' => "k",
                'g' if front_vowel(at(i + 1)) => "j",
                _ => {
                    key.push(c);
                    i += 1;
                    continue;
                }
            };
            (sound, 1)
        };
        key.push_str(sound);
        i += used;
    }
    // Double letters are one: `Brussels`/`Брюссель`, `Vienna`, `Россия` → `rosia`.
    let mut folded = String::with_capacity(key.len());
    for c in key.chars() {
        if !folded.ends_with(c) {
            folded.push(c);
        }
    }
    folded
}

/// Two-letter and three-letter Russian case endings removed to find a name's base form.
const LONG_ENDINGS: &[&str] = &[
    "ами", "ями", "ого", "его", "ому", "ему", "ом", "ем", "ой", "ей", "ою", "ею", "ам", "ям", "ах",
    "ях", "ов", "ев", "ии", "ию", "ия", "ие", "ий", "ый", "ая", "ое", "ые", "ых", "им", "ым",
];

/// The phonetic keys of a Russian word: as written, and without a case ending.
pub fn russian_name_keys(word: &str) -> Vec<String> {
    let lower: String = word.chars().flat_map(char::to_lowercase).collect();
    let mut forms = vec![lower.clone()];
    if let Some(last) = lower.chars().last() {
        if "аяоеёуюыиьй".contains(last) {
            forms.push(lower[..lower.len() - last.len_utf8()].to_string());
        }
    }
    for ending in LONG_ENDINGS {
        if let Some(base) = lower.strip_suffix(ending) {
            if base.chars().count() >= 3 {
                forms.push(base.to_string());
            }
        }
    }
    let mut keys: Vec<String> = forms.iter().map(|f| phonetic_key(&transliterate(f))).collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The phonetic key of an English (Latin-script) name, possessive `'s` removed.
pub fn latin_name_key(word: &str) -> String {
    let base = word
        .strip_suffix("'s")
        .or_else(|| word.strip_suffix("’s"))
        .or_else(|| word.strip_suffix('\''))
        .or_else(|| word.strip_suffix('’'))
        .unwrap_or(word);
    phonetic_key(base)
}

/// How alike two phonetic keys are, from 0 (nothing alike) to 1 (the same).
pub fn key_similarity(a: &str, b: &str) -> f64 {
    if a.len() < MIN_NAME_KEY_LEN || b.len() < MIN_NAME_KEY_LEN {
        return 0.0;
    }
    strsim::normalized_levenshtein(a, b)
}

/// How alike a Russian name and a Latin-script name are (the best over the Russian word's
/// forms with and without its case ending).
pub fn name_similarity(russian: &str, latin: &str) -> f64 {
    let latin_key = latin_name_key(latin);
    russian_name_keys(russian).iter().map(|key| key_similarity(key, &latin_key)).fold(0.0, f64::max)
}

/// Whether a Russian and a Latin-script word are taken for the same name.
pub fn names_match(russian: &str, latin: &str) -> bool {
    name_similarity(russian, latin) >= NAME_SIMILARITY_THRESHOLD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_the_usual_way() {
        assert_eq!(transliterate("Шакиров"), "shakirov");
        assert_eq!(transliterate("Щукин"), "shchukin");
        assert_eq!(transliterate("Хрущёв"), "khrushchev");
        assert_eq!(transliterate("Рябков"), "ryabkov");
        assert_eq!(transliterate("Объединённые"), "obedinennye");
        assert_eq!(transliterate("Йенс"), "yens");
        assert_eq!(transliterate("NATO-2"), "nato-2");
    }

    #[test]
    fn phonetic_key_irons_out_english_spellings() {
        assert_eq!(phonetic_key("Geneva"), phonetic_key("zheneva"));
        assert_eq!(phonetic_key("Washington"), phonetic_key("vashington"));
        assert_eq!(phonetic_key("Alexander"), "aleksander");
        assert_eq!(phonetic_key("Cuba"), "kuba");
        assert_eq!(phonetic_key("Vincent"), "vinsent");
        assert_eq!(phonetic_key("Christopher"), "kristofer");
        assert_eq!(phonetic_key("Brussels"), "brusels");
    }

    #[test]
    fn names_of_the_article_match_across_scripts() {
        for (ru, en) in [
            ("Шакиров", "Shakirov"),
            ("Грушко", "Grushko"),
            ("Женева", "Geneva"),
            ("Женеве", "Geneva"),
            ("Брюсселе", "Brussels"),
            ("Байдена", "Biden's"),
            ("Рябкова", "Ryabkov"),
            ("Сергей", "Sergey"),
            ("Сергея", "Sergei"),
            ("Столтенберг", "Stoltenberg"),
            ("Вашингтона", "Washington"),
            ("Москвы", "Moscow's"),
            ("Украины", "Ukraine"),
            ("Кубе", "Cuba"),
            ("Венесуэле", "Venezuela"),
            ("НАТО", "NATO"),
            ("Александр", "Alexander"),
            ("Россия", "Russia"),
            ("Европе", "Europe"),
            ("Шерман", "Sherman"),
        ] {
            assert!(names_match(ru, en), "{ru} ↔ {en}: {:.2}", name_similarity(ru, en));
        }
    }

    #[test]
    fn different_names_do_not_match() {
        for (ru, en) in [
            ("Вене", "Venice"),
            ("Шакиров", "Sherman"),
            ("Грушко", "Russia"),
            ("Москва", "Minsk"),
            ("Лавров", "Lviv"),
            ("Запад", "West"),
            ("Однако", "However"),
            ("Джо", "Joe"),
            ("США", "USA"),
        ] {
            assert!(!names_match(ru, en), "{ru} ↔ {en}: {:.2}", name_similarity(ru, en));
        }
    }
}
