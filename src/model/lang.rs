//! Language tags: TMX files write `ru_RU`, `RU-ru`, `ru-ru` or `EN-GB`; tmbase keeps
//! one canonical BCP 47 spelling so that lookups by language are exact and cheap.

/// Canonical BCP 47 case: language lower case, script title case, region upper case,
/// everything else lower case; `_` becomes `-`. `ru_RU` → `ru-RU`, `zh_hant_tw` → `zh-Hant-TW`.
/// Private-use and pseudo tags (`DA-01` from DGT-TM) keep their subtags, lower-cased where
/// BCP 47 says so (`da-01` stays numeric: a three-digit region would be kept, two digits are not
/// a region and are lower-cased, which is a no-op for digits).
pub fn normalize_lang_tag(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    let mut after_singleton = false;
    for (i, sub) in tag.trim().split(['-', '_']).enumerate() {
        if i > 0 {
            out.push('-');
        }
        if i == 0 || after_singleton {
            out.push_str(&sub.to_ascii_lowercase());
        } else if sub.len() == 1 {
            after_singleton = true;
            out.push_str(&sub.to_ascii_lowercase());
        } else if sub.len() == 2 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
            out.push_str(&sub.to_ascii_uppercase());
        } else if sub.len() == 4 && sub.bytes().all(|b| b.is_ascii_alphabetic()) {
            let lower = sub.to_ascii_lowercase();
            out.push_str(&lower[..1].to_ascii_uppercase());
            out.push_str(&lower[1..]);
        } else {
            out.push_str(&sub.to_ascii_lowercase());
        }
    }
    out
}

/// Does a stored (canonical) tag answer a request for `wanted`? A bare language takes
/// every regional variant (`ru` finds `ru-RU`); a longer tag takes itself and its
/// extensions only (`ru-RU` does not take `ru-UA`).
pub fn lang_matches(stored: &str, wanted: &str) -> bool {
    canonical_lang_matches(stored, &normalize_lang_tag(wanted))
}

/// [`lang_matches`] for a `wanted` tag already in canonical form (no normalising on each
/// call: for loops over many stored tags).
pub fn canonical_lang_matches(stored: &str, wanted: &str) -> bool {
    stored.strip_prefix(wanted).is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(normalize_lang_tag(input), expected, "normalising {input:?}");
    }

    #[test]
    fn tags_take_canonical_case() {
        check("ru_RU", "ru-RU");
        check("RU-ru", "ru-RU");
        check("ru-ru", "ru-RU");
        check("EN-GB", "en-GB");
        check("pt_br", "pt-BR");
        check("zh_hant_tw", "zh-Hant-TW");
        check("DA-01", "da-01");
        check("es-419", "es-419");
        check("x-pseudo", "x-pseudo");
        check("en-x-ABC", "en-x-abc");
        check("ru", "ru");
    }

    #[test]
    fn bare_language_matches_regions_but_region_is_exact() {
        assert!(lang_matches("ru-RU", "ru"));
        assert!(lang_matches("ru-RU", "ru_ru"));
        assert!(!lang_matches("ru-UA", "ru-RU"));
        assert!(!lang_matches("rue", "ru"));
        assert!(lang_matches("ru", "ru"));
        assert!(!lang_matches("ru", "ru-RU"));
    }
}
