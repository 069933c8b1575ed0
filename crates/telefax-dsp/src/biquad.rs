//! Second-order IIR sections (biquads), transposed direct form II, with the usual
//! audio-cookbook designs.
use crate::error::{check, DspError};
use core::f32::consts::PI;

/// A biquad filter `H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²)`.
///
/// ```
/// use telefax_dsp::biquad::Biquad;
/// let mut lp = Biquad::lowpass(500.0, 0.707, 8000.0).unwrap();
/// let mut y = 0.0;
/// for _ in 0..2000 { y = lp.filter(1.0); }
/// assert!((y - 1.0).abs() < 1e-3); // unity gain at DC
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Biquad {
    b0: f32,
    b1: f32,
    b2: f32,
    a1: f32,
    a2: f32,
    s1: f32,
    s2: f32,
}

impl Biquad {
    /// A section from its coefficients (`a0` normalised to 1).
    pub fn new(b0: f32, b1: f32, b2: f32, a1: f32, a2: f32) -> Self {
        Self {
            b0,
            b1,
            b2,
            a1,
            a2,
            s1: 0.0,
            s2: 0.0,
        }
    }

    fn check(f: f32, q: f32, fs: f32) -> Result<(f32, f32), DspError> {
        check(fs > 0.0, "fs", fs as f64, "must be > 0")?;
        check(
            f > 0.0 && f < fs / 2.0,
            "frequency",
            f as f64,
            "must be within (0, fs/2)",
        )?;
        check(q > 0.0, "q", q as f64, "must be > 0")?;
        let w = 2.0 * PI * f / fs;
        Ok((w, w.sin() / (2.0 * q)))
    }

    fn norm(b0: f32, b1: f32, b2: f32, a0: f32, a1: f32, a2: f32) -> Self {
        Self::new(b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0)
    }

    /// Low-pass with corner `f` Hz and quality `q` (0.707 = Butterworth).
    pub fn lowpass(f: f32, q: f32, fs: f32) -> Result<Self, DspError> {
        let (w, alpha) = Self::check(f, q, fs)?;
        let c = w.cos();
        Ok(Self::norm(
            (1.0 - c) / 2.0,
            1.0 - c,
            (1.0 - c) / 2.0,
            1.0 + alpha,
            -2.0 * c,
            1.0 - alpha,
        ))
    }
    /// High-pass with corner `f` Hz and quality `q`.
    pub fn highpass(f: f32, q: f32, fs: f32) -> Result<Self, DspError> {
        let (w, alpha) = Self::check(f, q, fs)?;
        let c = w.cos();
        Ok(Self::norm(
            (1.0 + c) / 2.0,
            -(1.0 + c),
            (1.0 + c) / 2.0,
            1.0 + alpha,
            -2.0 * c,
            1.0 - alpha,
        ))
    }
    /// Band-pass centred on `f` Hz with 0 dB peak gain; bandwidth ≈ `f / q`.
    pub fn bandpass(f: f32, q: f32, fs: f32) -> Result<Self, DspError> {
        let (w, alpha) = Self::check(f, q, fs)?;
        let c = w.cos();
        Ok(Self::norm(
            alpha,
            0.0,
            -alpha,
            1.0 + alpha,
            -2.0 * c,
            1.0 - alpha,
        ))
    }
    /// Notch at `f` Hz; bandwidth ≈ `f / q`.
    pub fn notch(f: f32, q: f32, fs: f32) -> Result<Self, DspError> {
        let (w, alpha) = Self::check(f, q, fs)?;
        let c = w.cos();
        Ok(Self::norm(
            1.0,
            -2.0 * c,
            1.0,
            1.0 + alpha,
            -2.0 * c,
            1.0 - alpha,
        ))
    }
    /// Filter one sample.
    #[inline]
    pub fn filter(&mut self, x: f32) -> f32 {
        let y = self.b0 * x + self.s1;
        self.s1 = self.b1 * x - self.a1 * y + self.s2;
        self.s2 = self.b2 * x - self.a2 * y;
        y
    }
    /// Clear the state.
    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
    }
    /// Magnitude response at `f` Hz.
    pub fn gain_at(&self, f: f32, fs: f32) -> f32 {
        let w = 2.0 * PI * f / fs;
        let z1 = crate::Complex32::from_polar(1.0, -w);
        let z2 = z1 * z1;
        let num = crate::Complex32::new(self.b0, 0.0) + z1 * self.b1 + z2 * self.b2;
        let den = crate::Complex32::ONE + z1 * self.a1 + z2 * self.a2;
        num.abs() / den.abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn bandpass_peak_and_notch_zero() {
        let bp = Biquad::bandpass(1000.0, 5.0, 8000.0).unwrap();
        assert!((bp.gain_at(1000.0, 8000.0) - 1.0).abs() < 1e-3);
        assert!(bp.gain_at(3000.0, 8000.0) < 0.1);
        let n = Biquad::notch(1000.0, 5.0, 8000.0).unwrap();
        assert!(n.gain_at(1000.0, 8000.0) < 1e-3);
        assert!(Biquad::lowpass(5000.0, 0.7, 8000.0).is_err());
    }
}
