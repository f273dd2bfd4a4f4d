//! Number adjustment: when the query and a memory's source differ only in numbers
//! (1997 → 2022, 3,5 → 4,2), the suggested target takes the query's numbers.

use crate::text::{tokenize, TokenKind};

/// The numbers of a text, in order, as written.
pub fn numbers_in(text: &str) -> Vec<&str> {
    tokenize(text)
        .into_iter()
        .filter(|t| t.kind == TokenKind::Number)
        .map(|t| t.text(text))
        .collect()
}

/// The digits of a number, with the decimal separator (the last `.` or `,` followed by
/// fewer or more than three digits) as `.`; thousands separators dropped.
fn canonical(number: &str) -> String {
    let seps: Vec<usize> = number.match_indices(['.', ',']).map(|(i, _)| i).collect();
    let decimal = seps.last().copied().filter(|&i| {
        let after = number.len() - i - 1;
        after != 3 || seps.len() == 1 && number[i..i + 1] == *"," // "3,500" in Russian is a decimal
    });
    let mut out = String::new();
    for (i, c) in number.char_indices() {
        if c.is_ascii_digit() {
            out.push(c);
        } else if Some(i) == decimal {
            out.push('.');
        }
    }
    out
}

/// Writes `value` (a number as the query wrote it) in the style of `like` (how the target
/// writes numbers): the target's decimal separator.
fn restyle(value: &str, like: &str) -> String {
    let value_canon = canonical(value);
    let target_decimal = canonical(like)
        .contains('.')
        .then(|| like.chars().rev().find(|c| *c == '.' || *c == ',').unwrap_or('.'));
    match (value_canon.split_once('.'), target_decimal) {
        (Some((int, frac)), Some(sep)) => format!("{int}{sep}{frac}"),
        _ => value.to_string(),
    }
}

/// Replaces in `target` each number of `source` that changed in `query`, matching numbers
/// by value. Returns `None` when a changed number cannot be found in the target exactly once.
pub fn adjust_numbers(query: &str, source: &str, target: &str) -> Option<String> {
    let (q, s) = (numbers_in(query), numbers_in(source));
    if q.len() != s.len() {
        return None;
    }
    let target_numbers: Vec<(usize, usize, String)> = tokenize(target)
        .into_iter()
        .filter(|t| t.kind == TokenKind::Number)
        .map(|t| (t.start, t.end, canonical(t.text(target))))
        .collect();
    let mut replacements: Vec<(usize, usize, String)> = Vec::new();
    for (qn, sn) in q.iter().zip(&s) {
        let (qc, sc) = (canonical(qn), canonical(sn));
        if qc == sc {
            continue;
        }
        let hits: Vec<&(usize, usize, String)> =
            target_numbers.iter().filter(|(_, _, c)| *c == sc).collect();
        let [(start, end, _)] = hits.as_slice() else { return None };
        if replacements.iter().any(|(s, _, _)| s == start) {
            return None;
        }
        replacements.push((*start, *end, restyle(qn, &target[*start..*end])));
    }
    if replacements.is_empty() {
        return None;
    }
    replacements.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut out = target.to_string();
    for (start, end, value) in replacements {
        out.replace_range(start..end, &value);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, source: &str, target: &str, expected: Option<&str>) {
        assert_eq!(
            adjust_numbers(query, source, target).as_deref(),
            expected,
            "{query:?} / {source:?}"
        );
    }

    #[test]
    fn number_adjustment_table() {
        check("В 2022 году", "В 1997 году", "In 1997", Some("In 2022"));
        check("Рост 4,2%", "Рост 3,5%", "Growth of 3.5%", Some("Growth of 4.2%"));
        check("с 1 по 9 мая", "с 2 по 8 мая", "from 2 to 8 May", Some("from 1 to 9 May"));
        check("1 000 000", "2 000 000", "x", None);
        check("В 2022 году", "В 1997 году", "Back then", None);
        check("В 2022 году", "В 1997 году", "In 1997 and 1997", None);
        check("В 1997 году", "В 1997 году", "In 1997", None);
    }
}
