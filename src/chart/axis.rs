//! Axes: round tick values and the one label function of every chart. A
//! tick's label shows its value: ticks are whole multiples of 1, 2, 2.5 or
//! 5 × 10^k, computed so that each is the double nearest its decimal value,
//! and labels keep up to four significant digits, which such a tick never
//! exceeds.

/// A tick step: `mantissa` (1, 2, 2.5, 5 or 10) × 10^`exponent`.
#[derive(Debug, Clone, Copy)]
struct Step {
    mantissa: f64,
    exponent: i32,
}

impl Step {
    /// The smallest round step at least `raw` (> 0).
    fn at_least(raw: f64) -> Step {
        let exponent = raw.log10().floor() as i32;
        let magnitude = 10f64.powi(exponent);
        let mantissa = [1.0, 2.0, 2.5, 5.0, 10.0]
            .into_iter()
            .find(|m| m * magnitude >= raw)
            .unwrap_or(10.0);
        Step { mantissa, exponent }
    }

    fn value(self) -> f64 {
        self.times(1)
    }

    /// `i` steps, as the double nearest the decimal value (`3 × 0.1` is
    /// 0.3, not 0.30000000000000004): the product of small whole numbers
    /// and halves is exact, and so is a division by a power of ten up to
    /// 10^22, rounded once.
    fn times(self, i: usize) -> f64 {
        let whole = i as f64 * self.mantissa;
        if self.exponent >= 0 {
            whole * 10f64.powi(self.exponent)
        } else {
            whole / 10f64.powi(-self.exponent)
        }
    }
}

/// Round values for an axis from 0 to at least `max` (about four steps),
/// the last one the axis's top.
pub fn ticks(max: f64) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let step = Step::at_least(max / 4.0);
    let count = (max / step.value()).ceil() as usize;
    (0..=count).map(|i| step.times(i)).collect()
}

/// Round values for an axis from 0 to `max` whose top is `max` itself
/// (a scale fitted to the data): the ticks of [`ticks`] that do not pass it.
pub fn ticks_within(max: f64) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0];
    }
    let step = Step::at_least(max / 4.0);
    (0..)
        .map(|i| step.times(i))
        .take_while(|t| *t <= max)
        .collect()
}

/// The years to label on an axis from `first` to `last`: every year, or
/// every 2nd, 5th or 10th, for at most about six labels.
pub fn year_ticks(first: i32, last: i32) -> Vec<i32> {
    let span = last - first;
    let step = [1, 2, 5, 10]
        .into_iter()
        .find(|k| span / k <= 6)
        .unwrap_or(10);
    (first..=last).step_by(step as usize).collect()
}

/// A number on a chart (an axis label, a value in a tooltip): up to four
/// significant digits below 10 000, whole numbers above, without trailing
/// zeros.
pub fn label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 8) as usize;
    let t = format!("{v:.digits$}");
    if t.contains('.') {
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tick's label, read back, is the tick.
    fn labels_show_their_ticks(ticks: &[f64]) {
        for t in ticks {
            let shown: f64 = label(*t).parse().unwrap();
            assert_eq!(shown, *t, "tick {t} labelled {}", label(*t));
        }
    }

    #[test]
    fn a_tick_label_equals_its_value() {
        // The uncertainty chart's gridlines from 0 to 50 % in quarters.
        let quarters: Vec<f64> = (0..=4).map(|i| 50.0 * f64::from(i) / 4.0).collect();
        assert_eq!(quarters, [0.0, 12.5, 25.0, 37.5, 50.0]);
        labels_show_their_ticks(&quarters);
        assert_eq!(label(12.5), "12.5");
        assert_eq!(label(37.5), "37.5");
        // 0-3927 (a cost curve's axis) and 0-1.72.
        assert_eq!(ticks(3927.0), [0.0, 1000.0, 2000.0, 3000.0, 4000.0]);
        assert_eq!(ticks_within(3927.0), [0.0, 1000.0, 2000.0, 3000.0]);
        assert_eq!(ticks(1.72), [0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(ticks_within(1.72), [0.0, 0.5, 1.0, 1.5]);
        for max in [3927.0, 1.72, 50.0] {
            labels_show_their_ticks(&ticks(max));
            labels_show_their_ticks(&ticks_within(max));
        }
        // And over every scale an inventory has, kg to Gt.
        let mut max = 1e-6;
        while max < 1e12 {
            labels_show_their_ticks(&ticks(max));
            labels_show_their_ticks(&ticks_within(max));
            max *= 1.37;
        }
    }

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(100.0), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        assert!(*ticks(0.37).last().unwrap() >= 0.37);
        assert_eq!(ticks(0.3), vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(ticks(0.0), vec![0.0, 1.0]);
        assert_eq!(
            ticks_within(16_440.0),
            vec![0.0, 5000.0, 10_000.0, 15_000.0]
        );
        assert_eq!(label(0.6), "0.6");
        assert_eq!(label(0.000125), "0.000125");
        assert_eq!(label(250.0), "250");
        assert_eq!(label(1.23456), "1.235");
        assert_eq!(label(54_873.2), "54873");
    }

    #[test]
    fn year_axes_label_at_most_about_six_years() {
        assert_eq!(year_ticks(2021, 2024), vec![2021, 2022, 2023, 2024]);
        assert_eq!(
            year_ticks(1990, 2022),
            vec![1990, 1995, 2000, 2005, 2010, 2015, 2020]
        );
        assert_eq!(year_ticks(2005, 2022), vec![2005, 2010, 2015, 2020]);
    }
}
