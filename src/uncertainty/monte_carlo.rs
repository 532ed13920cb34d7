//! Approach 2: Monte Carlo propagation (IPCC 2006 Vol. 1 §3.2.3; Guidebook
//! Part A ch. 5 §6). The one place besides plots where airinv computes in
//! floating point.
//!
//! The model is a list of lines `E × v_a × v_b × v_c`: the emission of one
//! activity key and pollutant (template units) times relative draws of
//! *variables* (mean or median 1). A variable belongs to a *dimension*
//! (an activity key, or an emission factor) and gives that dimension's
//! standard normal `z` a distribution: normal `1 + s·z` (s = half-width /
//! 1.96), truncated at zero by drawing `z` again until every normal
//! variable of the dimension is above zero, or lognormal `exp(σ·z)`. All the
//! variables of a dimension share its `z`: the same tonnes of coal give the
//! NOx and the SO2, and the same factor is drawn once for the base year and
//! the latest year.
//!
//! Iterations run in blocks of [`BLOCK`], in parallel; the draws of an
//! iteration come from its position (see [`super::random`]), so they do not
//! depend on the threads. Per quantity (a pollutant's total in a year, and
//! the ratio of two years for the trend), each block adds its values in
//! iteration order and the block sums are added in block order (the mean);
//! the values are counted in a histogram whose bins are 2^-12 of an octave
//! wide, read from the bits of the double (percentiles to a relative 1.2e-4,
//! far below the sampling error), over 1/64 to 64 times the inventory's
//! value, with any value outside kept exactly. Counts add exactly in any
//! order, so the output is byte-identical whatever the number of threads,
//! and memory does not grow with the iterations (about 200 KB per quantity
//! and thread).

use super::random::{Stream, Ziggurat};
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Iterations per block.
pub const BLOCK: usize = 1024;

/// The 95 % two-sided normal quantile (IPCC's 1.96).
pub const Z95: f64 = 1.959_963_984_540_054;

/// The distribution a variable gives its dimension's standard normal.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Dist {
    /// `1 + s·z`, truncated at zero.
    Normal { s: f64 },
    /// `exp(σ·z)`: median 1.
    LogNormal { sigma: f64 },
    /// `1 + below·z` for z < 0, `1 + above·z` for z ≥ 0 (each side's
    /// half-width / 1.96): median 1, truncated at zero.
    TwoPiece { below: f64, above: f64 },
}

impl Dist {
    /// The lowest `z` the variable may take (its value above zero).
    fn lowest_z(&self) -> f64 {
        match *self {
            Dist::Normal { s } | Dist::TwoPiece { below: s, .. } if s > 0.0 => -1.0 / s,
            _ => f64::NEG_INFINITY,
        }
    }
}

/// One line: a quantity, its emission at the inventory's values, and up to
/// three variables (0 is the constant 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McLine {
    pub quantity: usize,
    pub emission: f64,
    pub vars: [u32; 3],
}

/// What the Monte Carlo draws.
#[derive(Debug, Clone, Default)]
pub struct McModel {
    /// Number of dimensions (activity keys, factors).
    pub dims: usize,
    /// Variables: (dimension, distribution); index 0 is reserved for the
    /// constant 1 and its entry is ignored.
    pub vars: Vec<(u32, Dist)>,
    pub lines: Vec<McLine>,
    /// Number of quantities (pollutant totals of a year).
    pub quantities: usize,
    /// Trend ratios: (year quantity, base quantity).
    pub ratios: Vec<(usize, usize)>,
}

impl McModel {
    /// The total of each quantity at the inventory's values.
    pub fn point(&self) -> Vec<f64> {
        let mut t = vec![0.0; self.quantities];
        for l in &self.lines {
            t[l.quantity] += l.emission;
        }
        t
    }
}

/// Mean and percentiles of one quantity.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    pub mean: f64,
    pub median: f64,
    /// 2.5th percentile.
    pub lower: f64,
    /// 97.5th percentile.
    pub upper: f64,
}

/// The results: one summary per quantity, one per ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct McResult {
    pub iterations: u64,
    pub seed: u64,
    pub quantities: Vec<Summary>,
    pub ratios: Vec<Summary>,
}

const SHIFT: u32 = 40; // 52 mantissa bits − 12: 4096 bins per octave
const OCTAVES: u64 = 12; // 1/64 to 64 times the reference
const BINS: usize = (OCTAVES << (52 - SHIFT)) as usize;

/// Counts of values in bins of 2^-12 octave, with exact values outside.
#[derive(Clone)]
struct Histogram {
    lo_key: u64,
    counts: Vec<u32>,
    outside: Vec<f64>,
}

impl Histogram {
    fn new(reference: f64) -> Histogram {
        let r = if reference > 0.0 && reference.is_finite() {
            reference
        } else {
            1.0
        };
        Histogram {
            lo_key: (r / 64.0).to_bits() >> SHIFT,
            counts: vec![0; BINS],
            outside: Vec::new(),
        }
    }

    #[inline(always)]
    fn add(&mut self, x: f64) {
        if x > 0.0 {
            let k = x.to_bits() >> SHIFT;
            if k >= self.lo_key {
                let i = (k - self.lo_key) as usize;
                if i < BINS {
                    self.counts[i] += 1;
                    return;
                }
            }
        }
        self.outside.push(x);
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.outside.extend_from_slice(&other.outside);
    }

    /// The value of 1-based rank `rank` (bin midpoints inside the range).
    fn value_at(&self, rank: u64, low: &[f64], high: &[f64]) -> f64 {
        let mut r = rank;
        if r <= low.len() as u64 {
            return low[(r - 1) as usize];
        }
        r -= low.len() as u64;
        for (i, &c) in self.counts.iter().enumerate() {
            if r <= u64::from(c) {
                return f64::from_bits(((self.lo_key + i as u64) << SHIFT) | (1u64 << (SHIFT - 1)));
            }
            r -= u64::from(c);
        }
        high[((r - 1) as usize).min(high.len().saturating_sub(1))]
    }

    fn summary(&mut self, n: u64, mean: f64) -> Summary {
        self.outside.sort_by(f64::total_cmp);
        let lo_value = f64::from_bits(self.lo_key << SHIFT);
        let split = self.outside.partition_point(|&x| x < lo_value);
        let (low, high) = self.outside.split_at(split);
        let rank = |p: f64| ((p * n as f64).ceil() as u64).clamp(1, n);
        Summary {
            mean,
            median: self.value_at(rank(0.5), low, high),
            lower: self.value_at(rank(0.025), low, high),
            upper: self.value_at(rank(0.975), low, high),
        }
    }
}

/// What a worker gives back: the sums of each of its blocks, and its histograms.
type WorkerResult = (Vec<(usize, Vec<f64>)>, Vec<Histogram>);

/// Per-thread buffers, allocated once per worker (none per iteration).
struct Worker {
    z: Vec<f64>,
    val: Vec<f64>,
    totals: Vec<f64>,
    hists: Vec<Histogram>,
}

/// Runs the Monte Carlo: `iterations` iterations from `seed`, on the
/// current rayon pool.
pub fn run(model: &McModel, iterations: u64, seed: u64) -> McResult {
    let zig = Ziggurat::new();
    let q = model.quantities;
    let nr = model.ratios.len();
    let point = model.point();
    let references: Vec<f64> = point
        .iter()
        .copied()
        .chain(model.ratios.iter().map(|&(y, b)| {
            if point[b] > 0.0 {
                point[y] / point[b]
            } else {
                1.0
            }
        }))
        .collect();
    // The lowest z each dimension may take: every normal variable of it above zero.
    let mut zmin = vec![f64::NEG_INFINITY; model.dims];
    for (d, dist) in model.vars.iter().skip(1) {
        let m = dist.lowest_z();
        let d = *d as usize;
        if m > zmin[d] {
            zmin[d] = m;
        }
    }
    // Lines grouped by quantity (the order of summation is fixed).
    let mut lines = model.lines.clone();
    lines.sort_by_key(|l| l.quantity);
    let mut ranges = vec![(0usize, 0usize); q];
    let mut start = 0;
    for (qi, range) in ranges.iter_mut().enumerate() {
        let end = start + lines[start..].partition_point(|l| l.quantity == qi);
        *range = (start, end);
        start = end;
    }
    let seed_key = super::random::mix64(seed);
    let blocks = (iterations as usize).div_ceil(BLOCK);
    let next = AtomicUsize::new(0);
    let threads = rayon::current_num_threads().max(1);
    let dims = model.dims as u64;

    let parts: Vec<WorkerResult> = (0..threads)
        .into_par_iter()
        .map(|_| {
            let mut w = Worker {
                z: vec![0.0; model.dims],
                val: vec![1.0; model.vars.len().max(1)],
                totals: vec![0.0; q + nr],
                hists: references.iter().map(|&r| Histogram::new(r)).collect(),
            };
            let mut sums_of_blocks = Vec::new();
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= blocks {
                    break;
                }
                let mut sums = vec![0.0; q + nr];
                let first = (b * BLOCK) as u64;
                let last = ((b + 1) * BLOCK).min(iterations as usize) as u64;
                for k in first..last {
                    for (d, (slot, &lowest)) in w.z.iter_mut().zip(&zmin).enumerate() {
                        let mut s = Stream::new(seed_key, k * dims + d as u64);
                        let mut z = s.normal(&zig);
                        while z <= lowest {
                            z = s.normal(&zig);
                        }
                        *slot = z;
                    }
                    for (v, (d, dist)) in model.vars.iter().enumerate().skip(1) {
                        let z = w.z[*d as usize];
                        w.val[v] = match *dist {
                            Dist::Normal { s } => 1.0 + s * z,
                            Dist::LogNormal { sigma } => (sigma * z).exp(),
                            Dist::TwoPiece { below, above } => {
                                1.0 + if z < 0.0 { below } else { above } * z
                            }
                        };
                    }
                    for (qi, &(s, e)) in ranges.iter().enumerate() {
                        let mut t = 0.0;
                        for l in &lines[s..e] {
                            t += l.emission
                                * w.val[l.vars[0] as usize]
                                * w.val[l.vars[1] as usize]
                                * w.val[l.vars[2] as usize];
                        }
                        w.totals[qi] = t;
                    }
                    for (ri, &(y, base)) in model.ratios.iter().enumerate() {
                        w.totals[q + ri] = w.totals[y] / w.totals[base];
                    }
                    for (i, &t) in w.totals.iter().enumerate() {
                        sums[i] += t;
                        w.hists[i].add(t);
                    }
                }
                sums_of_blocks.push((b, sums));
            }
            (sums_of_blocks, w.hists)
        })
        .collect();

    // Block sums in block order; histograms added (exact, any order).
    let mut by_block: Vec<Option<Vec<f64>>> = vec![None; blocks];
    let mut hists: Vec<Histogram> = references.iter().map(|&r| Histogram::new(r)).collect();
    for (sums, h) in parts {
        for (b, s) in sums {
            by_block[b] = Some(s);
        }
        for (mine, theirs) in hists.iter_mut().zip(&h) {
            mine.merge(theirs);
        }
    }
    let mut total = vec![0.0; q + nr];
    for s in by_block.into_iter().flatten() {
        for (t, v) in total.iter_mut().zip(s) {
            *t += v;
        }
    }
    let n = iterations.max(1);
    let mut summaries: Vec<Summary> = hists
        .iter_mut()
        .zip(&total)
        .map(|(h, t)| h.summary(n, t / n as f64))
        .collect();
    let ratios = summaries.split_off(q);
    McResult {
        iterations,
        seed,
        quantities: summaries,
        ratios,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_normal_model(e: f64, half_width_pct: f64) -> McModel {
        McModel {
            dims: 1,
            vars: vec![
                (0, Dist::Normal { s: 0.0 }),
                (
                    0,
                    Dist::Normal {
                        s: half_width_pct / 100.0 / Z95,
                    },
                ),
            ],
            lines: vec![McLine {
                quantity: 0,
                emission: e,
                vars: [1, 0, 0],
            }],
            quantities: 1,
            ratios: vec![],
        }
    }

    /// A normal input of ±10 %: the 2.5/97.5 percentiles of 200 000 draws
    /// are 90 and 110 within sampling error (σ of a 2.5 % percentile of
    /// 2·10^5 normals ≈ 0.018·σ·... ≈ 0.03 here).
    #[test]
    fn a_normal_input_gives_its_interval() {
        let r = run(&one_normal_model(100.0, 10.0), 200_000, 1);
        let s = r.quantities[0];
        assert!((s.mean - 100.0).abs() < 0.05, "{s:?}");
        assert!((s.lower - 90.0).abs() < 0.1, "{s:?}");
        assert!((s.upper - 110.0).abs() < 0.1, "{s:?}");
        assert!((s.median - 100.0).abs() < 0.05, "{s:?}");
    }

    #[test]
    fn the_same_seed_gives_the_same_result_on_1_and_2_threads() {
        let m = one_normal_model(3.0, 40.0);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| run(&m, 50_000, 9));
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| run(&m, 50_000, 9));
        assert_eq!(format!("{one:?}"), format!("{two:?}"));
        let other = run(&m, 50_000, 10);
        assert_ne!(one.quantities[0].mean, other.quantities[0].mean);
    }

    /// A factor of ±400 % would go below zero 31 % of the time: truncated,
    /// no draw is negative.
    #[test]
    fn normal_draws_are_truncated_at_zero() {
        let r = run(&one_normal_model(1.0, 400.0), 20_000, 3);
        assert!(r.quantities[0].lower > 0.0);
    }

    /// The histogram's percentiles are within 2^-13 of the exact ones.
    #[test]
    fn histogram_percentiles_are_close_to_exact() {
        let mut h = Histogram::new(10.0);
        let mut xs: Vec<f64> = (1..=10_000).map(|i| 5.0 + i as f64 * 0.001).collect();
        xs.push(0.0); // outside, below
        xs.push(1e6); // outside, above
        for &x in &xs {
            h.add(x);
        }
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as u64;
        let s = h.summary(n, 0.0);
        let exact = |p: f64| xs[((p * n as f64).ceil() as usize) - 1];
        for (got, p) in [(s.lower, 0.025), (s.median, 0.5), (s.upper, 0.975)] {
            assert!(
                ((got - exact(p)) / exact(p)).abs() <= 1.0 / 8192.0,
                "{got} {p}"
            );
        }
        assert_eq!(h.value_at(1, &[0.0], &[1e6]), 0.0);
    }
}
