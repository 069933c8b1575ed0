//! Numerically controlled oscillator: a 32-bit phase accumulator and a 1024-entry sine table
//! with linear interpolation (spurs below -100 dBc), plus complex mixing helpers.
use crate::Complex32;

const TABLE_BITS: u32 = 10;
const TABLE_LEN: usize = 1 << TABLE_BITS;

const fn const_sin(x: f64) -> f64 {
    // Taylor series, accurate to < 1e-15 for |x| <= pi.
    let x2 = x * x;
    let mut term = x;
    let mut sum = x;
    let mut k = 1;
    while k < 30 {
        term = -term * x2 / ((2 * k) as f64 * (2 * k + 1) as f64);
        sum += term;
        k += 1;
    }
    sum
}

const fn build_table() -> [f32; TABLE_LEN + 1] {
    let mut t = [0.0f32; TABLE_LEN + 1];
    let mut i = 0;
    while i <= TABLE_LEN {
        let mut x = 2.0 * core::f64::consts::PI * i as f64 / TABLE_LEN as f64;
        if x > core::f64::consts::PI {
            x -= 2.0 * core::f64::consts::PI;
        }
        t[i] = const_sin(x) as f32;
        i += 1;
    }
    t
}

static SIN_TABLE: [f32; TABLE_LEN + 1] = build_table();

/// One full turn of phase in accumulator units (2³²).
pub const TURN: f64 = 4_294_967_296.0;

/// Sine of a phase given in accumulator units (2³² = one turn).
#[inline]
pub fn sin_u32(phase: u32) -> f32 {
    let idx = (phase >> (32 - TABLE_BITS)) as usize;
    let frac = (phase << TABLE_BITS) as f32 * (1.0 / TURN as f32);
    let a = SIN_TABLE[idx];
    let b = SIN_TABLE[idx + 1];
    a + (b - a) * frac
}

/// Cosine of a phase in accumulator units.
#[inline]
pub fn cos_u32(phase: u32) -> f32 {
    sin_u32(phase.wrapping_add(1 << 30))
}

/// `e^{jφ}` for a phase in accumulator units.
#[inline]
pub fn expj_u32(phase: u32) -> Complex32 {
    Complex32::new(cos_u32(phase), sin_u32(phase))
}

/// Convert a phase in radians to accumulator units.
#[inline]
pub fn rad_to_u32(rad: f32) -> u32 {
    let turns = rad as f64 / (2.0 * core::f64::consts::PI);
    let frac = turns - turns.floor();
    (frac * TURN) as u64 as u32
}

/// Convert a frequency in Hz at sample rate `fs` to a per-sample phase increment.
#[inline]
pub fn hz_to_step(hz: f32, fs: f32) -> u32 {
    let turns = hz as f64 / fs as f64;
    let frac = turns - turns.floor();
    (frac * TURN) as u64 as u32
}

/// A numerically controlled oscillator.
///
/// ```
/// use telefax_dsp::nco::Nco;
/// let mut nco = Nco::new(2000.0, 8000.0); // a quarter turn per sample
/// let a = nco.next_sample();
/// let b = nco.next_sample();
/// assert!((a.re - 1.0).abs() < 1e-6 && (b.im - 1.0).abs() < 1e-6);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nco {
    phase: u32,
    step: u32,
    fs: f32,
}

impl Nco {
    /// An oscillator at `freq_hz` (may be negative) for sample rate `fs`, phase 0.
    pub fn new(freq_hz: f32, fs: f32) -> Self {
        Self {
            phase: 0,
            step: hz_to_step(freq_hz, fs),
            fs,
        }
    }
    /// Set the frequency in Hz.
    pub fn set_freq(&mut self, hz: f32) {
        self.step = hz_to_step(hz, self.fs);
    }
    /// The frequency in Hz (in `-fs/2..fs/2`).
    pub fn freq(&self) -> f32 {
        (self.step as i32) as f32 / TURN as f32 * self.fs
    }
    /// Change the frequency by `delta_hz` (carrier tracking loops).
    pub fn adjust_freq(&mut self, delta_hz: f32) {
        self.step = self
            .step
            .wrapping_add(((delta_hz as f64 / self.fs as f64) * TURN) as i64 as u32);
    }
    /// Rotate the phase by `rad` radians.
    pub fn adjust_phase(&mut self, rad: f32) {
        self.phase = self
            .phase
            .wrapping_add(((rad as f64 / (2.0 * core::f64::consts::PI)) * TURN) as i64 as u32);
    }
    /// Set the phase in radians.
    pub fn set_phase(&mut self, rad: f32) {
        self.phase = rad_to_u32(rad);
    }
    /// Current phase in radians, in `[0, 2π)`.
    pub fn phase(&self) -> f32 {
        (self.phase as f64 / TURN * 2.0 * core::f64::consts::PI) as f32
    }
    /// Current phase in accumulator units.
    pub fn phase_u32(&self) -> u32 {
        self.phase
    }
    /// Per-sample phase increment in accumulator units.
    pub fn step_u32(&self) -> u32 {
        self.step
    }
    /// `e^{jφ}` at the current phase, then advance one sample.
    #[inline]
    pub fn next_sample(&mut self) -> Complex32 {
        let v = expj_u32(self.phase);
        self.phase = self.phase.wrapping_add(self.step);
        v
    }
    /// `cos φ` at the current phase, then advance (a real oscillator).
    #[inline]
    pub fn next_cos(&mut self) -> f32 {
        let v = cos_u32(self.phase);
        self.phase = self.phase.wrapping_add(self.step);
        v
    }
    /// Mix a real sample down: `x·e^{-jφ}`, then advance.
    #[inline]
    pub fn downmix(&mut self, x: f32) -> Complex32 {
        let v = self.next_sample();
        Complex32::new(x * v.re, -x * v.im)
    }
    /// Mix a complex sample down: `z·e^{-jφ}`, then advance.
    #[inline]
    pub fn downmix_complex(&mut self, z: Complex32) -> Complex32 {
        z * self.next_sample().conj()
    }
    /// Mix a complex baseband sample up and take the real part: `Re{z·e^{jφ}}`, then advance.
    #[inline]
    pub fn upmix(&mut self, z: Complex32) -> f32 {
        let v = self.next_sample();
        z.re * v.re - z.im * v.im
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn table_accuracy() {
        let mut worst = 0.0f64;
        for i in 0..100_000u32 {
            let p = i.wrapping_mul(2_654_435_761);
            let exact = (p as f64 / TURN * 2.0 * core::f64::consts::PI).sin();
            worst = worst.max((sin_u32(p) as f64 - exact).abs());
        }
        assert!(worst < 1e-5, "worst {worst}");
    }
    #[test]
    fn frequency_round_trip() {
        let mut n = Nco::new(-1234.5, 8000.0);
        assert!((n.freq() + 1234.5).abs() < 1e-3);
        n.adjust_freq(34.5);
        assert!((n.freq() + 1200.0).abs() < 1e-3);
    }
}
