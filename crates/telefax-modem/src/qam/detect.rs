//! Training-start detection: the alternation segment.
//!
//! V.27ter (§2.6 segment 3), V.29 (§2.7 segment 2) and V.17 (segment 2 of Table 3/V.17) all
//! open the adaptive part of their training with a symbol pattern of period two symbols
//! ("ABAB", or 180° phase reversals). At the T/2 output of the matched filter such a signal
//! satisfies, whatever the timing phase and carrier phase:
//! - lag two symbols: `z[n] conj(z[n-4])` averages to the power (ratio `r2` near 1);
//! - lag one symbol: `z[n] conj(z[n-2])` / power (`r1`) equals `(|m|^2 - |d|^2/2) /
//!   (|m|^2 + |d|^2/2)` with `m = (A+B)/2`, `d = (A-B)/2` — a real number that is -1 for
//!   phase reversals, about -0.26 for V.29's 9600 and 7200 bit/s points and +1/3 for its
//!   4800 bit/s points.
//!
//! Noise gives `r2` near 0, tones give `r1` on the unit circle at the tone's offset angle,
//! so requiring both, for several symbols in a row, rejects noise, silence and call tones.

use super::frontend::HalfSymbol;
use super::Complex32;

/// Detector settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// Averaging coefficient per T/2 sample (e.g. 1/32: 16 symbols' time constant).
    pub alpha: f32,
    /// Minimum real part of the two-symbol-lag correlation ratio.
    pub r2_min: f32,
    /// The expected one-symbol-lag ratio for the alternation.
    pub r1_expected: f32,
    /// Maximum distance of the measured one-symbol-lag ratio from `r1_expected`.
    pub r1_tolerance: f32,
    /// Number of consecutive symbols that must satisfy both tests.
    pub hold_symbols: u32,
}

impl DetectorConfig {
    /// The expected one-symbol-lag ratio `r1` for an alternation between points `a` and `b`
    /// (see the module docs).
    pub fn r1_for(a: Complex32, b: Complex32) -> f32 {
        let m = (a + b).scale(0.5).norm_sqr();
        let d = (a - b).scale(0.5).norm_sqr();
        (m - d / 2.0) / (m + d / 2.0)
    }
}

/// The alternation detector (see the module docs).
#[derive(Debug, Clone)]
pub struct AlternationDetector {
    cfg: DetectorConfig,
    z: [Complex32; 4],
    p0: f32,
    c2: Complex32,
    c4: Complex32,
    run: u32,
}

impl AlternationDetector {
    /// A detector with `cfg`.
    pub fn new(cfg: DetectorConfig) -> Self {
        AlternationDetector {
            cfg,
            z: [Complex32::ZERO; 4],
            p0: 0.0,
            c2: Complex32::ZERO,
            c4: Complex32::ZERO,
            run: 0,
        }
    }

    /// Forget all history.
    pub fn reset(&mut self) {
        *self = Self::new(self.cfg);
    }

    /// The current `(r1, r2)` correlation ratios.
    pub fn ratios(&self) -> (Complex32, Complex32) {
        let inv = 1.0 / (self.p0 + 1e-20);
        (self.c2.scale(inv), self.c4.scale(inv))
    }

    /// Feed one T/2 sample; true once the alternation has been seen for `hold_symbols`
    /// symbols (and on every further qualifying symbol).
    #[inline]
    pub fn push(&mut self, h: HalfSymbol) -> bool {
        let z = h.value;
        let a = self.cfg.alpha;
        self.p0 += (z.norm_sqr() - self.p0) * a;
        self.c2 += (z * self.z[1].conj() - self.c2).scale(a);
        self.c4 += (z * self.z[3].conj() - self.c4).scale(a);
        self.z = [z, self.z[0], self.z[1], self.z[2]];
        if !h.on_time {
            return false;
        }
        let (r1, r2) = self.ratios();
        let ok = r2.re > self.cfg.r2_min
            && (r1 - Complex32::new(self.cfg.r1_expected, 0.0)).abs() < self.cfg.r1_tolerance;
        if ok {
            self.run += 1;
        } else {
            self.run = 0;
        }
        self.run >= self.cfg.hold_symbols
    }
}
