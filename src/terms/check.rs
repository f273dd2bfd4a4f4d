//! Term QA: given a source segment and its translation, what the term base says is wrong —
//! an approved target term missing (inflected forms count as present), a deprecated or
//! forbidden target term used, a do-not-translate term changed.

use super::recognize::{Recognizer, TermHit};
use crate::model::TermStatus;
use crate::store::{Store, StoreError};

/// What kind of problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssueKind {
    /// A recognised source term whose preferred or admitted target terms are all absent.
    MissingTargetTerm,
    /// A target term with status deprecated, superseded or forbidden in the translation.
    DeprecatedTargetTerm,
    /// A do-not-translate source term that is not in the translation as it is.
    DoNotTranslateChanged,
}

impl IssueKind {
    pub fn code(self) -> &'static str {
        match self {
            IssueKind::MissingTargetTerm => "missing_target_term",
            IssueKind::DeprecatedTargetTerm => "deprecated_target_term",
            IssueKind::DoNotTranslateChanged => "do_not_translate_changed",
        }
    }
}

/// One problem found by [`TermChecker::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermIssue {
    pub kind: IssueKind,
    /// The source term concerned (missing target, do-not-translate).
    pub source: Option<TermHit>,
    /// The offending target term in the translation (deprecated or forbidden).
    pub target: Option<TermHit>,
    /// Target terms that would be right.
    pub expected: Vec<String>,
    pub message: String,
}

/// Recognisers for both sides of a language pair.
pub struct TermChecker {
    source: Recognizer,
    target: Recognizer,
}

fn usable(status: Option<TermStatus>) -> bool {
    status.is_none_or(TermStatus::is_usable)
}

impl TermChecker {
    pub fn new(source: Recognizer, target: Recognizer) -> TermChecker {
        TermChecker { source, target }
    }

    /// Checkers for `source` → `target` over the named term bases.
    pub fn from_store(
        store: &Store,
        termbases: &[String],
        source: &str,
        target: &str,
    ) -> Result<TermChecker, StoreError> {
        Ok(TermChecker {
            source: Recognizer::from_store(store, termbases, source, Some(target))?,
            target: Recognizer::from_store(store, termbases, target, Some(source))?,
        })
    }

    /// The source terms of a segment (with their targets) and the problems of its translation.
    pub fn check(&self, source: &str, translation: &str) -> (Vec<TermHit>, Vec<TermIssue>) {
        let hits = self.source.find(source);
        let found = self.target.find(translation);
        let mut issues = Vec::new();
        for hit in &hits {
            if hit.status == Some(TermStatus::DoNotTranslate) {
                if !translation.contains(&hit.text) && !translation.contains(&hit.term) {
                    issues.push(TermIssue {
                        kind: IssueKind::DoNotTranslateChanged,
                        source: Some(hit.clone()),
                        target: None,
                        expected: vec![hit.text.clone()],
                        message: format!(
                            "«{}» is not to be translated but is not in the translation as it is",
                            hit.text
                        ),
                    });
                }
                continue;
            }
            let expected: Vec<&str> =
                hit.targets.iter().filter(|t| usable(t.status)).map(|t| t.text.as_str()).collect();
            if expected.is_empty() {
                continue;
            }
            let present = found.iter().any(|f| f.concept_id == hit.concept_id && usable(f.status))
                || expected.iter().any(|e| translation.contains(e));
            if !present {
                issues.push(TermIssue {
                    kind: IssueKind::MissingTargetTerm,
                    source: Some(hit.clone()),
                    target: None,
                    expected: expected.iter().map(|s| s.to_string()).collect(),
                    message: format!(
                        "«{}» ({}) should be translated as {}",
                        hit.text,
                        hit.term,
                        expected.iter().map(|e| format!("«{e}»")).collect::<Vec<_>>().join(" or ")
                    ),
                });
            }
        }
        for f in &found {
            if let Some(
                status @ (TermStatus::Deprecated | TermStatus::Superseded | TermStatus::Forbidden),
            ) = f.status
            {
                let expected: Vec<String> = self
                    .target
                    .concept_terms(f.concept_id)
                    .into_iter()
                    .filter(|(_, status)| usable(*status))
                    .map(|(text, _)| text.to_string())
                    .collect();
                issues.push(TermIssue {
                    kind: IssueKind::DeprecatedTargetTerm,
                    source: None,
                    target: Some(f.clone()),
                    expected,
                    message: format!("«{}» is a {status} term ({})", f.text, f.term),
                });
            }
        }
        (hits, issues)
    }
}

/// [`TermChecker::check`] as a function: the problems only.
pub fn check_translation(checker: &TermChecker, source: &str, translation: &str) -> Vec<TermIssue> {
    checker.check(source, translation).1
}
