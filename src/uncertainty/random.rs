//! Random numbers for the Monte Carlo: a counter-based generator, so that
//! any draw can be computed from its position alone, and standard normals
//! by the ziggurat method.
//!
//! **Generator.** SplitMix64 (Steele, Lea and Flood, "Fast splittable
//! pseudorandom number generators", OOPSLA 2014) is a counter-based
//! generator: its n-th output is a bijective mix of `seed + n·γ`. Draw `j`
//! of dimension `d` in iteration `k` is its output at position
//! `(k·D + d)·2^8 + j` (D the number of dimensions). A block of iterations
//! therefore needs no state from the blocks before it, and the draws do not
//! depend on how the iterations are split among threads.
//!
//! **Normals.** The ziggurat of Marsaglia and Tsang (2000) in Doornik's
//! form (ZIGNOR, "An improved ziggurat method to generate normal random
//! samples", 2005) with 256 layers (Marsaglia and Tsang's R and V for 256):
//! one 64-bit draw gives the layer (its 8 low bits)
//! and the uniform (its 52 high bits, as the mantissa of a double in
//! [2, 4): no integer conversion); 98.5 % of the normals take one draw
//! (tested below).
//!
//! **Batches.** [`first_draws`] computes the normals of one dimension for a
//! batch of consecutive iterations at once, branch-free so that the
//! compiler vectorises it: each normal that its first draw gives (the
//! ziggurat's rectangle) and above the dimension's truncation point is
//! final; the others (about 1.2 %) are marked and drawn again whole by
//! [`Stream::normal`], so a batch gives exactly the draws one at a time.

use super::exp::exp;

/// SplitMix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function.
#[inline(always)]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The stream of draws of one dimension in one iteration.
pub struct Stream {
    base: u64,
    next: u64,
}

impl Stream {
    /// The draws at position `counter` (= k·D + d) of a seed.
    #[inline(always)]
    pub fn new(seed: u64, counter: u64) -> Stream {
        Stream {
            base: seed.wrapping_add((counter << 8).wrapping_mul(GAMMA)),
            next: 0,
        }
    }

    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.next += 1;
        mix64(self.base.wrapping_add(self.next.wrapping_mul(GAMMA)))
    }

    /// A uniform in (0, 1].
    #[inline(always)]
    fn uniform_open0(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal (ziggurat).
    #[inline(always)]
    pub fn normal(&mut self, z: &Ziggurat) -> f64 {
        loop {
            let bits = self.next_u64();
            let i = (bits & ZIG_MASK) as usize;
            let u = signed_uniform(bits);
            if u.abs() < z.r[i] {
                return u * z.x[i];
            }
            if i == 0 {
                return self.tail(u < 0.0);
            }
            // In the wedge: under the density between the layer's edges.
            let x = u * z.x[i];
            let (f0, f1) = (z.f[i], z.f[i + 1]);
            if f1 + self.uniform_open0() * (f0 - f1) < exp(-0.5 * x * x) {
                return x;
            }
        }
    }

    /// The tail beyond R (Marsaglia 1964).
    #[cold]
    fn tail(&mut self, negative: bool) -> f64 {
        loop {
            let x = self.uniform_open0().ln() / ZIG_R;
            let y = self.uniform_open0().ln();
            if -2.0 * y >= x * x {
                return if negative { x - ZIG_R } else { ZIG_R - x };
            }
        }
    }
}

/// A uniform in [-1, 1) from the 52 high bits of a draw: the double in
/// [2, 4) with them as its mantissa, minus 3 (exact).
#[inline(always)]
fn signed_uniform(bits: u64) -> f64 {
    f64::from_bits(0x4000_0000_0000_0000 | (bits >> 12)) - 3.0
}

/// The normals of one dimension (stream positions `counter`, `counter +
/// stride`, ...) whose first draw is accepted and above `lowest`, in
/// `out`; NaN where the draw needs [`Stream::normal`] (rejected by the
/// rectangle, or at or below `lowest`).
#[inline(always)]
pub fn first_draws(
    seed: u64,
    counter: u64,
    stride: u64,
    lowest: f64,
    z: &Ziggurat,
    out: &mut [f64],
) {
    // Stream::new(seed, c).next_u64() = mix64(seed + (c << 8)·γ + γ).
    let first = seed
        .wrapping_add((counter << 8).wrapping_mul(GAMMA))
        .wrapping_add(GAMMA);
    let step = (stride << 8).wrapping_mul(GAMMA);
    let mut position = first;
    for slot in out.iter_mut() {
        let bits = mix64(position);
        position = position.wrapping_add(step);
        let layer = &z.layers[(bits & ZIG_MASK) as usize];
        let u = signed_uniform(bits);
        let x = u * layer[0];
        *slot = if u.abs() < layer[1] && x > lowest {
            x
        } else {
            f64::NAN
        };
    }
}

const ZIG_C: usize = 256;
const ZIG_MASK: u64 = ZIG_C as u64 - 1;
/// Where the base layer's tail starts, and each layer's area.
const ZIG_R: f64 = 3.654_152_885_361_009;
const ZIG_V: f64 = 4.928_673_233_99e-3;

/// The ziggurat's layer tables.
pub struct Ziggurat {
    x: [f64; ZIG_C + 1],
    r: [f64; ZIG_C],
    /// The density's e^(-x²/2) at each x.
    f: [f64; ZIG_C + 1],
    /// (x[i], r[i]) side by side: one load per draw in [`first_draws`].
    layers: [[f64; 2]; ZIG_C],
}

impl Ziggurat {
    pub fn new() -> Ziggurat {
        let mut x = [0.0; ZIG_C + 1];
        let mut r = [0.0; ZIG_C];
        let mut f = (-0.5 * ZIG_R * ZIG_R).exp();
        x[0] = ZIG_V / f;
        x[1] = ZIG_R;
        x[ZIG_C] = 0.0;
        for i in 2..ZIG_C {
            x[i] = (-2.0 * (ZIG_V / x[i - 1] + f).ln()).sqrt();
            f = (-0.5 * x[i] * x[i]).exp();
        }
        let mut layers = [[0.0; 2]; ZIG_C];
        for i in 0..ZIG_C {
            r[i] = x[i + 1] / x[i];
            layers[i] = [x[i], r[i]];
        }
        let f = x.map(|x| (-0.5 * x * x).exp());
        Ziggurat { x, r, f, layers }
    }
}

impl Default for Ziggurat {
    fn default() -> Self {
        Ziggurat::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // SplitMix64 seeded with 0: the reference implementation's first
        // outputs (state += γ, then mix).
        assert_eq!(mix64(GAMMA), 0xE220_A839_7B1D_CDAF);
        assert_eq!(mix64(GAMMA.wrapping_mul(2)), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn normals_have_the_moments_and_tails_of_a_standard_normal() {
        let z = Ziggurat::new();
        let n = 1_000_000u64;
        let (mut s, mut s2, mut out) = (0.0, 0.0, 0u64);
        for k in 0..n {
            let x = Stream::new(42, k).normal(&z);
            s += x;
            s2 += x * x;
            if x.abs() > 1.959_964 {
                out += 1;
            }
        }
        let mean = s / n as f64;
        let var = s2 / n as f64 - mean * mean;
        // Standard errors: mean 0.001, variance 0.0014, tail share 0.00022.
        assert!(mean.abs() < 0.005, "mean {mean}");
        assert!((var - 1.0).abs() < 0.007, "variance {var}");
        let tail = out as f64 / n as f64;
        assert!((tail - 0.05).abs() < 0.0011, "share beyond 1.96: {tail}");
    }

    /// The share of 10^6 normals below each point is the standard normal
    /// CDF's within 5 standard errors (the layers, wedges and tails all
    /// carry their probability; Φ from `0.5·erfc(t/√2)`).
    #[test]
    fn normals_follow_the_normal_cdf_into_the_tails() {
        let z = Ziggurat::new();
        let n = 1_000_000u64;
        let xs: Vec<f64> = (0..n).map(|k| Stream::new(3, k).normal(&z)).collect();
        let upper_tail = [
            (0.5, 0.308_537_538_725_986_9),
            (1.0, 0.158_655_253_931_457_05),
            (2.0, 0.022_750_131_948_179_21),
            (3.0, 0.001_349_898_031_630_094_6),
            (3.5, 2.326_290_790_355_250_4e-4),
            (4.0, 3.167_124_183_311_992e-5),
        ];
        for (t, p) in upper_tail {
            for (share, side) in [
                (xs.iter().filter(|&&x| x > t).count(), "above"),
                (xs.iter().filter(|&&x| x < -t).count(), "below -"),
            ] {
                let share = share as f64 / n as f64;
                let se = (p * (1.0 - p) / n as f64).sqrt();
                assert!((share - p).abs() < 5.0 * se, "{side}{t}: {share} for {p}");
            }
        }
    }

    /// A batch of first draws gives each normal its own stream gives, or
    /// NaN where that stream needs more than one draw or falls at or below
    /// the truncation point; 98.5 % of normals take one draw.
    #[test]
    fn first_draws_are_the_draws_one_at_a_time() {
        let z = Ziggurat::new();
        let (seed, n, stride) = (mix64(5), 200_000usize, 7u64);
        for lowest in [f64::NEG_INFINITY, -1.0] {
            let mut out = vec![0.0; n];
            first_draws(seed, 11, stride, lowest, &z, &mut out);
            let mut again = 0;
            for (k, &x) in out.iter().enumerate() {
                let one = Stream::new(seed, 11 + k as u64 * stride).normal(&z);
                if x.is_nan() {
                    again += 1;
                    let mut s = Stream::new(seed, 11 + k as u64 * stride);
                    let first = s.next_u64();
                    let u = signed_uniform(first);
                    let layer = &z.layers[(first & ZIG_MASK) as usize];
                    assert!(u.abs() >= layer[1] || u * layer[0] <= lowest, "{k}");
                } else {
                    assert_eq!(x.to_bits(), one.to_bits(), "{k}");
                }
            }
            if lowest.is_infinite() {
                let share = 1.0 - again as f64 / n as f64;
                assert!((share - 0.985).abs() < 0.001, "one draw: {share}");
            }
        }
    }

    #[test]
    fn a_draw_depends_on_its_position_only() {
        let z = Ziggurat::new();
        let a = Stream::new(7, 123_456).normal(&z);
        let _ = Stream::new(7, 5).normal(&z);
        assert_eq!(a.to_bits(), Stream::new(7, 123_456).normal(&z).to_bits());
        assert_ne!(a.to_bits(), Stream::new(8, 123_456).normal(&z).to_bits());
    }
}
