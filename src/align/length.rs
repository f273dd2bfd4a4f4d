//! The Gale–Church length model: the length of a translation in characters is roughly
//! proportional to the length of its source, with a variance that grows with the length;
//! a bead's length cost is −log of the two-tailed normal probability of its deviation.
//!
//! W. A. Gale and K. W. Church, "A Program for Aligning Sentences in Bilingual Corpora",
//! Computational Linguistics 19(1), 1993.

/// The length model's parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LengthModel {
    /// Expected target characters per source character (`c`).
    pub ratio: f64,
    /// Variance of the target length per source character (`s²`).
    pub variance: f64,
}

/// Gale and Church's `s²`, measured on the Canadian Hansards (English–French) and UBS
/// reports (English–French–German).
pub const GALE_CHURCH_VARIANCE: f64 = 6.8;

impl LengthModel {
    /// The cost in nats of aligning `source_chars` characters with `target_chars`:
    /// `−ln(2·(1 − Φ(|δ|)))`, `δ = (l₂ − c·l₁) / √(s²·l)` with `l` the mean of `l₁` and
    /// `l₂/c`, as in Gale and Church's program. Zero for two empty sides.
    pub fn cost(&self, source_chars: usize, target_chars: usize) -> f64 {
        if source_chars == 0 && target_chars == 0 {
            return 0.0;
        }
        let (l1, l2) = (source_chars as f64, target_chars as f64);
        let mean = (l1 + l2 / self.ratio) / 2.0;
        let delta = (l2 - l1 * self.ratio) / (mean * self.variance).sqrt();
        -ln_two_tailed_normal(delta.abs())
    }
}

/// `ln(2·(1 − Φ(z)))` for `z ≥ 0`: the log-probability that a standard normal variable is
/// at least `z` away from 0. Computed as `ln erfc(z/√2)` with the Chebyshev approximation of
/// Numerical Recipes (`erfcc`, fractional error below 1.2·10⁻⁷), taken in log space so that
/// it does not underflow for large deviations.
pub fn ln_two_tailed_normal(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x);
    let poly = -1.26551223
        + t * (1.00002368
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.13520398
                                + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    (t.ln() + (-x * x + poly)).min(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_tailed_probabilities_match_the_normal_table() {
        for (z, p) in [(0.0, 1.0), (1.0, 0.3173), (1.96, 0.05), (2.576, 0.01), (3.0, 0.0027)] {
            let got = ln_two_tailed_normal(z).exp();
            assert!((got - p).abs() < 1e-3, "z = {z}: {got} instead of {p}");
        }
        // Far in the tail the log stays finite and keeps growing.
        assert!(ln_two_tailed_normal(40.0).is_finite());
        assert!(ln_two_tailed_normal(40.0) < ln_two_tailed_normal(20.0));
    }

    #[test]
    fn expected_lengths_cost_nothing_and_deviations_cost_more_the_larger_they_are() {
        let model = LengthModel { ratio: 1.1, variance: GALE_CHURCH_VARIANCE };
        assert!(model.cost(100, 110) < 1e-6);
        assert!(model.cost(100, 130) > model.cost(100, 120));
        assert!(model.cost(100, 90) > model.cost(100, 100));
        assert_eq!(model.cost(0, 0), 0.0);
        // A longer pair tolerates the same relative deviation less.
        assert!(model.cost(400, 480) > model.cost(100, 120));
    }
}
