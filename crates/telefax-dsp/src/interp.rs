//! Fractional-delay interpolation for symbol timing recovery and resampling: a cubic
//! Lagrange interpolator in Farrow form, and a streaming arbitrary-ratio resampler built on it.
use crate::Complex32;

/// Cubic Lagrange interpolation between `x[1]` and `x[2]` of four consecutive samples
/// (`x[0]` oldest), at fraction `mu` in `[0, 1)` (0 gives `x[1]`).
///
/// ```
/// use telefax_dsp::interp::cubic;
/// // Exact for cubic polynomials: f(t) = t³ at t = -1, 0, 1, 2.
/// assert!((cubic(&[-1.0, 0.0, 1.0, 8.0], 0.5) - 0.125).abs() < 1e-6);
/// ```
#[inline]
pub fn cubic(x: &[f32; 4], mu: f32) -> f32 {
    // Farrow structure: c3·mu³ + c2·mu² + c1·mu + c0.
    let c0 = x[1];
    let c1 = -x[0] / 3.0 - x[1] / 2.0 + x[2] - x[3] / 6.0;
    let c2 = (x[0] + x[2]) / 2.0 - x[1];
    let c3 = (x[3] - x[0]) / 6.0 + (x[1] - x[2]) / 2.0;
    ((c3 * mu + c2) * mu + c1) * mu + c0
}

/// [`cubic`] for complex samples.
#[inline]
pub fn cubic_complex(x: &[Complex32; 4], mu: f32) -> Complex32 {
    Complex32::new(
        cubic(&[x[0].re, x[1].re, x[2].re, x[3].re], mu),
        cubic(&[x[0].im, x[1].im, x[2].im, x[3].im], mu),
    )
}

/// A streaming resampler: each input sample may produce zero, one or more outputs.
///
/// `step` is the input-sample advance per output sample: 1.0 keeps the rate, `1 + 100e-6`
/// drops one sample in 10 000 (a sender clock 100 ppm slower than ours, seen from the
/// receiver). The output lags the input by about 1 sample.
///
/// ```
/// use telefax_dsp::interp::Resampler;
/// let mut r = Resampler::new(0.5); // double the rate
/// let mut n = 0;
/// for i in 0..100 { r.push(i as f32, |_| n += 1); }
/// assert_eq!(n, 200);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resampler {
    hist: [f32; 4],
    mu: f64,
    step: f64,
}

impl Resampler {
    /// A resampler advancing `step` input samples per output (clamped to 0.01..=100).
    pub fn new(step: f64) -> Self {
        Self {
            hist: [0.0; 4],
            mu: 0.0,
            step: step.clamp(0.01, 100.0),
        }
    }
    /// Change the step.
    pub fn set_step(&mut self, step: f64) {
        self.step = step.clamp(0.01, 100.0);
    }
    /// Push one input sample; `emit` is called for each output sample produced.
    #[inline]
    pub fn push(&mut self, x: f32, mut emit: impl FnMut(f32)) {
        self.hist = [self.hist[1], self.hist[2], self.hist[3], x];
        while self.mu < 1.0 {
            emit(cubic(&self.hist, self.mu as f32));
            self.mu += self.step;
        }
        self.mu -= 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn resampled_sine_stays_clean() {
        let mut r = Resampler::new(1.0 + 1e-3);
        let mut out = Vec::new();
        let w = 2.0 * core::f32::consts::PI * 1000.0 / 8000.0;
        for i in 0..8000 {
            r.push((w * i as f32).sin(), |y| out.push(y));
        }
        assert!((out.len() as i32 - 7992).abs() <= 1, "{}", out.len());
        // Compare with the ideal resampled sine (output k at input time k*step - 2).
        let mut err = 0.0f32;
        for (k, &y) in out.iter().enumerate().skip(10) {
            let t = k as f64 * (1.0 + 1e-3) - 2.0;
            err = err.max((y - (w as f64 * t).sin() as f32).abs());
        }
        assert!(err < 0.02, "err {err}");
    }
}
