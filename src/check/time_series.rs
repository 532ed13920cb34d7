//! Time series: CEIP's dip and jump test (Stage 2).
//!
//! For each sector row (14-140) and pollutant, the years with a number above
//! zero make a series; with at least [`MIN_YEARS`] of them:
//!
//! 1. take log10 of the values and fit a straight line over the years
//!    (least squares);
//! 2. the residuals' standard deviation σ (sample, n − 1);
//! 3. `time-series.dip-jump` (warning): a year whose residual is more than
//!    2σ from the mean residual **and** whose value is more than 3 % of that
//!    year's NATIONAL TOTAL of the pollutant (so that only dips and jumps
//!    that matter for the total are reported);
//! 4. `time-series.large-sigma` (info): a series whose σ exceeds
//!    [`LARGE_SIGMA`] (a scatter around the trend of more than a factor
//!    10^0.5 ≈ 3.2) and which reaches 3 % of the national total in some year.
//!    CEIP flags "large sigma" series; the threshold is airinv's, chosen so
//!    that only series scattering by more than a factor of three are named.
//!
//! The statistics are floating point (log10 and a regression are inherently
//! so); the values in the findings are the exact decimals of the cells. Zero
//! is no point of the series (its log is undefined): a year with 0 is left
//! out, as are keys. With n years the largest residual can reach at most
//! (n − 1)/√n σ, so a dip or jump can only be found in series of six years
//! or more.

use super::{Finding, Severity, YearView, show};
use crate::nfr;
use crate::number::to_excel;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;

/// The fewest numeric years a series needs to be tested.
pub const MIN_YEARS: usize = 3;
/// Residuals beyond this many standard deviations are dips or jumps.
pub const SIGMAS: f64 = 2.0;
/// The share of the national total above which a dip or jump matters.
pub const SHARE: Decimal = Decimal::from_parts(3, 0, 0, false, 2);
/// σ of log10 above which a series is "large sigma".
pub const LARGE_SIGMA: f64 = 0.5;

/// The fit of a series.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub slope: f64,
    pub intercept: f64,
    pub residuals: Vec<f64>,
    pub mean_residual: f64,
    pub sigma: f64,
}

/// Least-squares line through (year, log10 value), with its residuals.
pub fn fit(points: &[(i32, f64)]) -> Option<Fit> {
    let n = points.len();
    if n < MIN_YEARS || points.iter().any(|(_, v)| !(*v > 0.0 && v.is_finite())) {
        return None;
    }
    let xs: Vec<f64> = points.iter().map(|(y, _)| f64::from(*y)).collect();
    let ys: Vec<f64> = points.iter().map(|(_, v)| v.log10()).collect();
    let nf = n as f64;
    let mx = xs.iter().sum::<f64>() / nf;
    let my = ys.iter().sum::<f64>() / nf;
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let residuals: Vec<f64> = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| y - (intercept + slope * x))
        .collect();
    let mean_residual = residuals.iter().sum::<f64>() / nf;
    let sigma = (residuals
        .iter()
        .map(|r| (r - mean_residual) * (r - mean_residual))
        .sum::<f64>()
        / (nf - 1.0))
        .sqrt();
    Some(Fit {
        slope,
        intercept,
        residuals,
        mean_residual,
        sigma,
    })
}

pub fn check(years: &[YearView], out: &mut Vec<Finding>) {
    let nt = nfr::find("NATIONAL TOTAL").expect("row 141");
    for row in nfr::sector_rows() {
        for p in Pollutant::ALL {
            // (view, exact value, national total of the year)
            let series: Vec<(&YearView, Decimal, Option<Decimal>)> = years
                .iter()
                .filter_map(|y| {
                    let v = y.cell(row, p).number().filter(|v| *v > Decimal::ZERO)?;
                    Some((y, v, y.cell(nt, p).number().filter(|t| *t > Decimal::ZERO)))
                })
                .collect();
            let points: Vec<(i32, f64)> = series
                .iter()
                .map(|(y, v, _)| (y.year(), to_excel(*v)))
                .collect();
            let Some(fit) = fit(&points) else {
                continue;
            };
            let significant = |v: Decimal, total: Option<Decimal>| {
                total.is_some_and(|t| t.checked_mul(SHARE).is_some_and(|limit| v > limit))
            };
            let first = points.first().map(|p| p.0).unwrap_or_default();
            let last = points.last().map(|p| p.0).unwrap_or_default();
            for (i, (y, v, total)) in series.iter().enumerate() {
                let deviation = fit.residuals[i] - fit.mean_residual;
                if !(deviation.abs() > SIGMAS * fit.sigma && significant(*v, *total)) {
                    continue;
                }
                let trend = 10f64.powf(fit.intercept + fit.slope * f64::from(y.year()));
                let share = total
                    .and_then(|t| v.checked_div(t))
                    .map(|s| crate::number::show(s * Decimal::ONE_HUNDRED, 2))
                    .unwrap_or_default();
                out.push(
                    Finding::at(
                        Severity::Warning,
                        "time-series.dip-jump",
                        y,
                        row,
                        p.column(),
                        format!(
                            "{} {p} {} ({}{}) = {} {} is a {} in the series {first}-{last}: {:.1} standard deviations {} its trend (log10 fit, about {} {} expected), and {share} % of the year's national total; check for a change of method or data, and explain it in the IIR",
                            row.code,
                            y.year(),
                            p.column(),
                            row.number,
                            show(*v),
                            p.unit(),
                            if deviation > 0.0 { "jump" } else { "dip" },
                            deviation.abs() / fit.sigma,
                            if deviation > 0.0 { "above" } else { "below" },
                            float_text(trend),
                            p.unit(),
                        ),
                    )
                    .with_pollutant(p),
                );
            }
            if fit.sigma > LARGE_SIGMA && series.iter().any(|(_, v, t)| significant(*v, *t)) {
                let Some((y, _, _)) = series.last() else {
                    continue;
                };
                out.push(
                    Finding::at(
                        Severity::Info,
                        "time-series.large-sigma",
                        y,
                        row,
                        p.column(),
                        format!(
                            "{} {p} ({}{}): the series {first}-{last} ({} years) scatters around its trend by σ = {:.2} in log10 (a factor of {:.1}), a \"large sigma\" series in which single dips and jumps cannot be told; check the consistency of the time series",
                            row.code,
                            p.column(),
                            row.number,
                            series.len(),
                            fit.sigma,
                            10f64.powf(fit.sigma)
                        ),
                    )
                    .with_pollutant(p),
                );
            }
        }
    }
}

/// A floating-point statistic for messages, four significant digits.
fn float_text(v: f64) -> String {
    match crate::number::from_excel(v) {
        Ok(d) => crate::number::show(d, 4),
        Err(_) => format!("{v:.4e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, Submission};
    use super::*;
    use crate::annex1::{Annex1Year, Header};
    use crate::notation_key::Cell;

    #[test]
    fn a_straight_line_in_log_space_has_no_residual() {
        // 1, 10, 100: log10 0, 1, 2 over three years, slope 1.
        let f = fit(&[(2000, 1.0), (2001, 10.0), (2002, 100.0)]).unwrap();
        assert!((f.slope - 1.0).abs() < 1e-12);
        assert!(f.residuals.iter().all(|r| r.abs() < 1e-9));
        assert!(fit(&[(2000, 1.0), (2001, 2.0)]).is_none());
        assert!(fit(&[(2000, 1.0), (2001, 0.0), (2002, 2.0)]).is_none());
    }

    /// Years 2000-2011 of a steady series of about 10 kt NOx in 1A1a, the
    /// rest of the national total in 1A1b, with one year of 1A1a changed.
    fn series(year: i32, value: &str, rest: i64) -> Vec<Finding> {
        let tables: Vec<Annex1Year> = (2000..2012)
            .map(|y| {
                let mut t = Annex1Year::empty(Header {
                    year: y,
                    ..Header::default()
                });
                // A gentle trend with small noise, so σ is not zero.
                let base = Decimal::from(10) + Decimal::new(i64::from(y % 3), 2);
                let v = if y == year {
                    Decimal::from_str_exact(value).unwrap()
                } else {
                    base
                };
                t.row_mut("1A1a")
                    .unwrap()
                    .set(Pollutant::NOx, Cell::Number(v));
                t.row_mut("1A1b")
                    .unwrap()
                    .set(Pollutant::NOx, Cell::Number(Decimal::from(rest)));
                t.compute_totals();
                t
            })
            .collect();
        let s = Submission::from_tables(Kind::AnnexCsv, tables);
        let views: Vec<YearView> = s
            .years
            .iter()
            .map(|y| YearView::plain(&y.table, s.sheet_name(y)))
            .collect();
        let mut out = Vec::new();
        check(&views, &mut out);
        out
    }

    #[test]
    fn a_jump_is_found_in_its_year_and_cell() {
        assert!(series(0, "0", 90).is_empty());
        let f = series(2006, "30", 90);
        let jumps: Vec<&Finding> = f
            .iter()
            .filter(|x| x.check == "time-series.dip-jump")
            .collect();
        assert_eq!(jumps.len(), 1, "{f:?}");
        assert_eq!(jumps[0].year, Some(2006));
        assert_eq!(jumps[0].sheet.as_deref(), Some("2006"));
        assert_eq!(jumps[0].cell.as_deref(), Some("E14"));
        assert!(
            jumps[0].message.contains("= 30 kt is a jump"),
            "{}",
            jumps[0].message
        );
        // The flat 1A1b series gives nothing.
        assert!(f.iter().all(|x| x.code.as_deref() == Some("1A1a")));
        // 5 kt of 95: a dip, and above 3 % of the total.
        let f = series(2006, "5", 90);
        assert!(
            f.iter().any(|x| x.message.contains("= 5 kt is a dip")),
            "{f:?}"
        );
    }

    #[test]
    fn a_jump_in_a_small_share_of_the_total_is_not_reported() {
        // 30 kt of 10 030 kt is 0.3 % of the national total.
        assert!(series(2006, "30", 10_000).is_empty());
    }
}
