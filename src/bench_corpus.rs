//! A seeded, reproducible generator of Russian–English memories for benchmarks and for the
//! test that checks the candidate index against an exhaustive scan. It scales a list of real
//! sentence pairs (or a built-in synthetic vocabulary) up to millions of units with the
//! near-duplicates real memories hold: other inflections, inserted and deleted words,
//! changed numbers, ё/е, quote styles, case and punctuation.

use std::io::BufRead;
use std::path::Path;

/// A small, fast, seeded random generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Reads `ru<TAB>en` pairs (a header line is skipped) from the parallel corpus.
pub fn read_pairs(path: &Path) -> std::io::Result<Vec<(String, String)>> {
    let file = std::fs::File::open(path)?;
    let mut pairs = Vec::new();
    for line in std::io::BufReader::new(file).lines().skip(1) {
        let line = line?;
        let mut cols = line.split('\t');
        if let (Some(ru), Some(en)) = (cols.next(), cols.next()) {
            if !ru.trim().is_empty() && !en.trim().is_empty() {
                pairs.push((ru.to_string(), en.to_string()));
            }
        }
    }
    Ok(pairs)
}

const STEMS: &[&str] = &[
    "переговор",
    "безопасност",
    "гаранти",
    "договор",
    "альянс",
    "министр",
    "предложени",
    "стран",
    "отношени",
    "встреч",
    "делегаци",
    "заявлени",
    "позици",
    "проблем",
    "вопрос",
    "решени",
    "сотрудничеств",
    "расширени",
    "ракет",
    "систем",
    "войск",
    "границ",
    "соглашени",
    "консультаци",
    "эксперт",
    "прогресс",
    "раунд",
    "диалог",
    "санкци",
    "угроз",
    "политик",
    "интерес",
    "документ",
    "посольств",
    "правительств",
    "парламент",
    "президент",
    "выбор",
    "закон",
    "экономик",
];
const ENDINGS: &[&str] = &["", "а", "ов", "ам", "ами", "ах", "у", "е", "ы", "и", "ой", "ей", "ом"];
const WORDS: &[&str] = &[
    "и",
    "в",
    "на",
    "по",
    "о",
    "с",
    "не",
    "что",
    "это",
    "как",
    "для",
    "между",
    "после",
    "против",
    "новый",
    "важный",
    "российский",
    "американский",
    "европейский",
    "военный",
    "главный",
    "обсуждали",
    "заявил",
    "предложила",
    "провели",
    "считают",
    "отметил",
    "подписали",
    "ёлка",
];
const EN: &[&str] = &[
    "talks",
    "security",
    "guarantees",
    "treaty",
    "alliance",
    "minister",
    "proposal",
    "country",
    "relations",
    "meeting",
    "delegation",
    "statement",
    "position",
    "issue",
    "decision",
    "the",
    "of",
    "and",
    "in",
    "on",
    "new",
    "military",
    "said",
    "signed",
];

fn synthetic_pair(rng: &mut Rng) -> (String, String) {
    let len = match rng.below(10) {
        0..=1 => 1 + rng.below(3),
        2..=7 => 4 + rng.below(16),
        8 => 20 + rng.below(30),
        _ => 60 + rng.below(80),
    };
    let mut ru = Vec::with_capacity(len);
    let mut en = Vec::with_capacity(len);
    for _ in 0..len {
        match rng.below(10) {
            0 => {
                let n = rng.below(3000).to_string();
                ru.push(n.clone());
                en.push(n);
            }
            1..=5 => {
                ru.push(format!("{}{}", rng.pick(STEMS), rng.pick(ENDINGS)));
                en.push(rng.pick(EN).to_string());
            }
            _ => {
                ru.push(rng.pick(WORDS).to_string());
                en.push(rng.pick(EN).to_string());
            }
        }
    }
    let mut ru = ru.join(" ");
    if let Some(first) = ru.chars().next() {
        ru = first.to_uppercase().chain(ru.chars().skip(1)).collect();
    }
    (format!("{ru}."), format!("{}.", en.join(" ")))
}

/// One near-duplicate of a Russian sentence: one to three edits of the kinds real memories
/// hold. The English target keeps in step for numbers.
pub fn vary(rng: &mut Rng, ru: &str, en: &str) -> (String, String) {
    let mut words: Vec<String> = ru.split(' ').map(str::to_string).collect();
    let mut en = en.to_string();
    for _ in 0..1 + rng.below(3) {
        if words.is_empty() {
            break;
        }
        let i = rng.below(words.len());
        match rng.below(9) {
            0 => {
                // Another inflection: change or add an ending.
                let w = &mut words[i];
                let trimmed: String = match w.chars().last() {
                    Some(c) if "аеиоуыяюй".contains(c) => {
                        w.chars().take(w.chars().count() - 1).collect()
                    }
                    _ => w.clone(),
                };
                *w = format!("{trimmed}{}", rng.pick(&["ам", "ов", "ах", "ами", "у", "е", "ы"]));
            }
            1 => words.insert(i, rng.pick(WORDS).to_string()),
            2 if words.len() > 1 => {
                words.remove(i);
            }
            3 => {
                // A changed number, or a new one.
                let new = (1900 + rng.below(200)).to_string();
                match words
                    .iter()
                    .position(|w| w.chars().all(|c| c.is_ascii_digit()) && !w.is_empty())
                {
                    Some(j) => {
                        en = en.replacen(&words[j], &new, 1);
                        words[j] = new;
                    }
                    None => words.insert(i, new),
                }
            }
            4 => words[i] = words[i].replace('е', "ё"),
            5 => words[i] = words[i].replace('ё', "е"),
            6 => {
                let w = words[i].trim_matches(|c: char| !c.is_alphanumeric()).to_string();
                words[i] = if rng.chance(50) { format!("«{w}»") } else { format!("\"{w}\"") };
            }
            7 => words[i] = words[i].to_uppercase(),
            _ => {
                let last = words.len() - 1;
                let w = words[last].trim_end_matches(['.', '!', '?', ',']).to_string();
                words[last] = format!("{w}{}", rng.pick(&["", ".", "!", "?", "…"]));
            }
        }
    }
    (words.join(" "), en)
}

/// `count` units: the base pairs first (real ones when given, else synthetic), then
/// near-duplicates of earlier units, about one in three.
pub fn generate(seed: u64, count: usize, base: &[(String, String)]) -> Vec<(String, String)> {
    let mut rng = Rng::new(seed);
    let mut out: Vec<(String, String)> = Vec::with_capacity(count);
    let mut next_base = 0;
    while out.len() < count {
        if !out.is_empty() && rng.chance(35) {
            let (ru, en) = out[rng.below(out.len())].clone();
            out.push(vary(&mut rng, &ru, &en));
        } else if !base.is_empty() && next_base < base.len() {
            out.push(base[next_base].clone());
            next_base += 1;
        } else if !base.is_empty() {
            // Past the real pairs: vary them rather than invent.
            let (ru, en) = base[rng.below(base.len())].clone();
            out.push(vary(&mut rng, &ru, &en));
        } else {
            out.push(synthetic_pair(&mut rng));
        }
    }
    out
}

/// Queries for a memory made by [`generate`]: near-duplicates of stored units, exact copies,
/// unrelated sentences, and short and long ones.
pub fn queries(seed: u64, count: usize, memory: &[(String, String)]) -> Vec<String> {
    let mut rng = Rng::new(seed ^ 0x5EED);
    (0..count)
        .map(|_| match rng.below(10) {
            0 => memory[rng.below(memory.len())].0.clone(),
            1 => synthetic_pair(&mut rng).0,
            2 => {
                let (ru, _) = &memory[rng.below(memory.len())];
                ru.split(' ').take(1 + rng.below(3)).collect::<Vec<_>>().join(" ")
            }
            _ => {
                let (ru, en) = memory[rng.below(memory.len())].clone();
                vary(&mut rng, &ru, &en).0
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_reproducible() {
        assert_eq!(generate(7, 300, &[]), generate(7, 300, &[]));
        assert_ne!(generate(7, 300, &[]), generate(8, 300, &[]));
        assert_eq!(generate(7, 300, &[]).len(), 300);
    }
}
