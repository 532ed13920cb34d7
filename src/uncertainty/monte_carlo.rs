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
//!
//! Inside a block, the iterations are evaluated [`BATCH`] at a time, one
//! step of the model for the whole batch before the next:
//!
//! ```text
//! per dimension: BATCH normals (random::first_draws; the few that need
//!                more than one draw, or fall below the truncation, redrawn
//!                one by one) ─► its variables, BATCH values each
//!                (super::exp::exp for the lognormals)
//! per quantity:  Σ over its lines of E·v_a·v_b·v_c, 8 iterations at a time
//!                in registers ─► ratios ─► block sums and histograms, in
//!                iteration order
//! ```
//!
//! so that the loops over the batch vectorise. Each iteration's values are
//! the ones a loop over single iterations would give (the same draws, the
//! same operations in the same order): the batches change the speed only.
//! On a processor with AVX-512 the batch code is compiled a second time for
//! it and chosen at run time (`Plan::batch`): again the same operations, so
//! the same bits on any x86-64 processor (tested).

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

/// Iterations evaluated at once: every variable and line of the model is
/// computed for a batch of iterations, as rows of `BATCH` values, so the
/// products vectorise. A block is a whole number of batches.
pub const BATCH: usize = 32;

type Row = [f64; BATCH];

/// Iterations whose sums the lines add up in registers at once.
const LANES: usize = 8;

type Lanes = [f64; LANES];

/// A line as the batches evaluate it: its variables other than the
/// constant 1 (multiplying by 1 is exact, so leaving it out changes no bit).
#[derive(Clone, Copy)]
enum Term {
    Const(f64),
    One(f64, usize),
    Two(f64, usize, usize),
    Three(f64, usize, usize, usize),
}

impl Term {
    fn of(l: &McLine) -> Term {
        let v: Vec<usize> = l
            .vars
            .iter()
            .filter(|&&v| v != 0)
            .map(|&v| v as usize)
            .collect();
        match v[..] {
            [] => Term::Const(l.emission),
            [a] => Term::One(l.emission, a),
            [a, b] => Term::Two(l.emission, a, b),
            _ => Term::Three(l.emission, v[0], v[1], v[2]),
        }
    }
}

/// A dimension with variables: its lowest z and its variables.
struct DimPlan {
    dim: usize,
    lowest: f64,
    vars: Vec<(usize, Dist)>,
}

/// What every worker reads: the model laid out for the batches.
struct Plan<'a> {
    model: &'a McModel,
    seed_key: u64,
    zig: Ziggurat,
    /// The dimensions with variables.
    dims: Vec<DimPlan>,
    /// Lines in quantity order, and each quantity's range of them.
    terms: Vec<Term>,
    ranges: Vec<(usize, usize)>,
    /// The processor has AVX-512 (see [`Plan::batch`]).
    wide: bool,
}

/// Per-thread buffers, allocated once per worker (none per iteration).
struct Worker {
    /// One row per variable (row 0, the constant 1, is never used).
    val: Vec<Row>,
    /// One row per quantity, then per ratio.
    totals: Vec<Row>,
    hists: Vec<Histogram>,
}

impl Plan<'_> {
    /// The normal at a stream position whose first draw did not give it,
    /// drawn whole (about 1.5 % of them).
    #[cold]
    #[inline(never)]
    fn redraw(&self, counter: u64, lowest: f64) -> f64 {
        let mut s = Stream::new(self.seed_key, counter);
        let mut x = s.normal(&self.zig);
        while x <= lowest {
            x = s.normal(&self.zig);
        }
        x
    }

    /// One batch: its variables, then its totals. On a processor with
    /// AVX-512 the same code is compiled for it (8 doubles an instruction,
    /// 64-bit multiplies in vectors): the same operations in the same order,
    /// so the same bits (tested).
    fn batch(&self, first: u64, w: &mut Worker) {
        #[cfg(target_arch = "x86_64")]
        if self.wide {
            // SAFETY: `wide` is set only when the processor has the
            // features `batch_wide` is compiled for (see `has_wide`).
            unsafe { self.batch_wide(first, w) };
            return;
        }
        self.draw(first, w);
        self.add_up(w);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2")]
    fn batch_wide(&self, first: u64, w: &mut Worker) {
        self.draw(first, w);
        self.add_up(w);
    }

    /// The variables of iterations `first..first + BATCH`, in `w.val`.
    #[inline(always)]
    fn draw(&self, first: u64, w: &mut Worker) {
        let dims = self.model.dims as u64;
        let mut z: Row = [0.0; BATCH];
        for DimPlan { dim, lowest, vars } in &self.dims {
            let (d, lowest) = (*dim as u64, *lowest);
            let c = first * dims + d;
            super::random::first_draws(self.seed_key, c, dims, lowest, &self.zig, &mut z);
            if z.iter().any(|z| z.is_nan()) {
                for (b, slot) in z.iter_mut().enumerate() {
                    if slot.is_nan() {
                        *slot = self.redraw((first + b as u64) * dims + d, lowest);
                    }
                }
            }
            for &(v, dist) in vars {
                let out = &mut w.val[v];
                match dist {
                    Dist::Normal { s } => {
                        for (o, &z) in out.iter_mut().zip(&z) {
                            *o = 1.0 + s * z;
                        }
                    }
                    Dist::LogNormal { sigma } => {
                        for (o, &z) in out.iter_mut().zip(&z) {
                            *o = super::exp::exp(sigma * z);
                        }
                    }
                    Dist::TwoPiece { below, above } => {
                        for (o, &z) in out.iter_mut().zip(&z) {
                            *o = 1.0 + if z < 0.0 { below } else { above } * z;
                        }
                    }
                }
            }
        }
    }

    /// The totals of the batch's iterations from its variables, then the ratios.
    #[inline(always)]
    fn add_up(&self, w: &mut Worker) {
        let val = &w.val;
        for (qi, &(s, e)) in self.ranges.iter().enumerate() {
            // LANES iterations at a time, their sums held in registers.
            for c in (0..BATCH).step_by(LANES) {
                let lanes = |v: usize| -> &Lanes { val[v][c..c + LANES].try_into().unwrap() };
                let mut t: Lanes = [0.0; LANES];
                for term in &self.terms[s..e] {
                    match *term {
                        Term::Const(e) => t.iter_mut().for_each(|t| *t += e),
                        Term::One(e, a) => {
                            for (t, a) in t.iter_mut().zip(lanes(a)) {
                                *t += e * a;
                            }
                        }
                        Term::Two(e, a, b) => {
                            for ((t, a), b) in t.iter_mut().zip(lanes(a)).zip(lanes(b)) {
                                *t += e * a * b;
                            }
                        }
                        Term::Three(e, a, b, d) => {
                            for (((t, a), b), d) in
                                t.iter_mut().zip(lanes(a)).zip(lanes(b)).zip(lanes(d))
                            {
                                *t += e * a * b * d;
                            }
                        }
                    }
                }
                w.totals[qi][c..c + LANES].copy_from_slice(&t);
            }
        }
        let q = self.model.quantities;
        for (ri, &(y, base)) in self.model.ratios.iter().enumerate() {
            let (y, base) = (w.totals[y], w.totals[base]);
            for ((r, y), base) in w.totals[q + ri].iter_mut().zip(&y).zip(&base) {
                *r = y / base;
            }
        }
    }
}

/// Runs the Monte Carlo: `iterations` iterations from `seed`, on the
/// current rayon pool.
pub fn run(model: &McModel, iterations: u64, seed: u64) -> McResult {
    run_with(model, iterations, seed, has_wide())
}

/// Whether the processor has what [`Plan::batch`]'s AVX-512 code needs.
#[cfg(target_arch = "x86_64")]
fn has_wide() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && std::arch::is_x86_feature_detected!("avx2")
}

#[cfg(not(target_arch = "x86_64"))]
fn has_wide() -> bool {
    false
}

/// [`run`], with the AVX-512 code (`wide`, only where the processor has
/// it) or without.
fn run_with(model: &McModel, iterations: u64, seed: u64, wide: bool) -> McResult {
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
    let mut vars_of: Vec<Vec<(usize, Dist)>> = vec![Vec::new(); model.dims];
    for (v, (d, dist)) in model.vars.iter().enumerate().skip(1) {
        let m = dist.lowest_z();
        let d = *d as usize;
        if m > zmin[d] {
            zmin[d] = m;
        }
        vars_of[d].push((v, *dist));
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
    let plan = Plan {
        model,
        seed_key: super::random::mix64(seed),
        zig: Ziggurat::new(),
        dims: vars_of
            .into_iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(dim, vars)| DimPlan {
                dim,
                lowest: zmin[dim],
                vars,
            })
            .collect(),
        terms: lines.iter().map(Term::of).collect(),
        ranges,
        wide,
    };
    let blocks = (iterations as usize).div_ceil(BLOCK);
    let next = AtomicUsize::new(0);
    let threads = rayon::current_num_threads().max(1);

    let parts: Vec<WorkerResult> = (0..threads)
        .into_par_iter()
        .map(|_| {
            let mut w = Worker {
                val: vec![[1.0; BATCH]; model.vars.len().max(1)],
                totals: vec![[0.0; BATCH]; q + nr],
                hists: references.iter().map(|&r| Histogram::new(r)).collect(),
            };
            let mut sums_of_blocks = Vec::new();
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= blocks {
                    break;
                }
                let mut sums = vec![0.0; q + nr];
                let last = ((b + 1) * BLOCK).min(iterations as usize);
                for first in (b * BLOCK..last).step_by(BATCH) {
                    plan.batch(first as u64, &mut w);
                    let m = (last - first).min(BATCH);
                    for ((sum, row), h) in sums.iter_mut().zip(&w.totals).zip(&mut w.hists) {
                        for &t in &row[..m] {
                            *sum += t;
                            h.add(t);
                        }
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

    /// Three dimensions with every kind of variable (two on one dimension,
    /// a wide normal that truncates its dimension's draws), lines of zero to
    /// three variables, two quantities and their ratio.
    fn mixed_model() -> McModel {
        McModel {
            dims: 3,
            vars: vec![
                (0, Dist::Normal { s: 0.0 }),
                (0, Dist::Normal { s: 0.2 }),
                (0, Dist::LogNormal { sigma: 0.5 }),
                (
                    1,
                    Dist::TwoPiece {
                        below: 0.3,
                        above: 0.6,
                    },
                ),
                (1, Dist::Normal { s: 0.6 }),
                (2, Dist::LogNormal { sigma: 1.2 }),
            ],
            lines: [
                (1, 2.5, [1, 3, 5]),
                (0, 10.0, [1, 0, 0]),
                (0, 0.75, [0, 0, 0]),
                (0, 4.0, [2, 4, 0]),
                (1, 1.5, [0, 4, 2]),
                (0, 3.0, [5, 3, 1]),
            ]
            .map(|(quantity, emission, vars)| McLine {
                quantity,
                emission,
                vars,
            })
            .to_vec(),
            quantities: 2,
            ratios: vec![(0, 1)],
        }
    }

    /// The batches give every iteration the values the model's definition
    /// gives it, computed here one iteration at a time: its dimensions'
    /// normals from their own streams (drawn again at or below the
    /// truncation point), the variables, the lines in order. The means are
    /// the same bits; the percentiles are the exact ones within the
    /// histogram's 2^-13.
    #[test]
    fn batches_give_the_values_of_one_iteration_at_a_time() {
        let m = mixed_model();
        let (n, seed) = (3_001u64, 4);
        let zig = Ziggurat::new();
        let key = crate::uncertainty::random::mix64(seed);
        let mut lowest = [f64::NEG_INFINITY; 3];
        for (d, dist) in &m.vars[1..] {
            lowest[*d as usize] = lowest[*d as usize].max(dist.lowest_z());
        }
        let mut lines = m.lines.clone();
        lines.sort_by_key(|l| l.quantity);
        let mut values = vec![Vec::new(); 3];
        let mut block = [0.0; 3];
        let mut sums = [0.0; 3];
        for k in 0..n {
            let z: Vec<f64> = (0..3)
                .map(|d| {
                    let mut s = Stream::new(key, k * 3 + d as u64);
                    let mut z = s.normal(&zig);
                    while z <= lowest[d] {
                        z = s.normal(&zig);
                    }
                    z
                })
                .collect();
            let mut v = vec![1.0; m.vars.len()];
            for (i, (d, dist)) in m.vars.iter().enumerate().skip(1) {
                let z = z[*d as usize];
                v[i] = match *dist {
                    Dist::Normal { s } => 1.0 + s * z,
                    Dist::LogNormal { sigma } => crate::uncertainty::exp::exp(sigma * z),
                    Dist::TwoPiece { below, above } => {
                        1.0 + if z < 0.0 { below } else { above } * z
                    }
                };
                assert!(v[i] > 0.0);
            }
            let mut t = [0.0; 3];
            for l in &lines {
                let [a, b, c] = l.vars.map(|x| v[x as usize]);
                t[l.quantity] += l.emission * a * b * c;
            }
            t[2] = t[0] / t[1];
            for i in 0..3 {
                values[i].push(t[i]);
                block[i] += t[i];
            }
            if (k + 1) % BLOCK as u64 == 0 || k + 1 == n {
                for i in 0..3 {
                    sums[i] += block[i];
                }
                block = [0.0; 3];
            }
        }
        let r = run(&m, n, seed);
        let got: Vec<Summary> = r.quantities.iter().chain(&r.ratios).copied().collect();
        for (i, s) in got.iter().enumerate() {
            assert_eq!(s.mean.to_bits(), (sums[i] / n as f64).to_bits(), "{i}");
            values[i].sort_by(f64::total_cmp);
            let exact = |p: f64| values[i][((p * n as f64).ceil() as usize) - 1];
            for (got, p) in [(s.lower, 0.025), (s.median, 0.5), (s.upper, 0.975)] {
                let e = exact(p);
                assert!(((got - e) / e).abs() <= 1.0 / 8192.0, "{i} {p}: {got} {e}");
            }
        }
    }

    /// The AVX-512 code gives the bits the portable code gives (on a
    /// processor without AVX-512 both runs are the portable code).
    #[test]
    fn the_wide_code_gives_the_same_bits() {
        let m = mixed_model();
        let one = run_with(&m, 5_000, 11, false);
        let other = run_with(&m, 5_000, 11, has_wide());
        assert_eq!(format!("{one:?}"), format!("{other:?}"));
    }

    #[test]
    fn the_same_seed_gives_the_same_result_on_1_and_2_threads_with_every_kind_of_variable() {
        let m = mixed_model();
        let on = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| run(&m, 2_500, 7))
        };
        assert_eq!(format!("{:?}", on(1)), format!("{:?}", on(2)));
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
