//! A seeded, reproducible noise source: xoshiro256** uniform bits and Gaussian samples by
//! the polar Box–Muller method. The same seed gives the same noise on every platform.

/// A deterministic pseudo-random generator (xoshiro256**, seeded through SplitMix64).
#[derive(Debug, Clone, PartialEq)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator from a 64-bit seed.
    pub fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut s = [0u64; 4];
        for v in s.iter_mut() {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *v = x ^ (x >> 31);
        }
        Self { s }
    }
    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }
    /// A uniform value in `[0, 1)`.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// White Gaussian noise with a given RMS value (flat over 0..fs/2).
///
/// ```
/// use telefax_dsp::noise::Awgn;
/// let mut n = Awgn::new(42, 100.0);
/// let p: f64 = (0..100_000).map(|_| { let x = n.sample() as f64; x * x }).sum::<f64>() / 1e5;
/// assert!((p.sqrt() - 100.0).abs() < 2.0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Awgn {
    rng: Rng,
    rms: f32,
    spare: Option<f32>,
}

impl Awgn {
    /// Noise of RMS `rms` from `seed`.
    pub fn new(seed: u64, rms: f32) -> Self {
        Self {
            rng: Rng::new(seed),
            rms,
            spare: None,
        }
    }
    /// Change the RMS level.
    pub fn set_rms(&mut self, rms: f32) {
        self.rms = rms;
    }
    /// One standard normal value.
    pub fn standard(&mut self) -> f32 {
        if let Some(s) = self.spare.take() {
            return s;
        }
        loop {
            let u = 2.0 * self.rng.uniform() - 1.0;
            let v = 2.0 * self.rng.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let k = (-2.0 * s.ln() / s).sqrt();
                self.spare = Some((v * k) as f32);
                return (u * k) as f32;
            }
        }
    }
    /// One noise sample.
    #[inline]
    pub fn sample(&mut self) -> f32 {
        self.standard() * self.rms
    }
}
