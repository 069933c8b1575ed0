//! A second-order, decision-directed carrier phase and frequency loop.
//!
//! Applied after the equalizer: the equalizer output is rotated by `e^{-j theta}`, sliced, and
//! the phase error `Im(q conj(d)) / |d|^2` drives a proportional-plus-integral loop, so a
//! carrier frequency offset (V.27ter §2.1 and V.29 §2.1 allow ±7 Hz; we design for ±10 Hz)
//! is tracked with no steady-state phase error.

use super::Complex32;

/// Carrier loop state (see the module docs).
#[derive(Debug, Clone)]
pub struct CarrierLoop {
    omega: f32,
    alpha: f32,
    beta: f32,
    rot: Complex32,
}

impl CarrierLoop {
    /// A loop with phase 0, frequency 0 and gains `alpha` (proportional) and `beta`
    /// (integral).
    pub fn new(alpha: f32, beta: f32) -> Self {
        CarrierLoop {
            omega: 0.0,
            alpha,
            beta,
            rot: Complex32::ONE,
        }
    }

    /// Set phase (radians) and frequency (radians per symbol).
    pub fn set(&mut self, theta: f32, omega: f32) {
        self.omega = omega;
        self.rot = Complex32::from_polar(1.0, -theta);
    }

    /// Change the loop gains.
    pub fn set_gains(&mut self, alpha: f32, beta: f32) {
        self.alpha = alpha;
        self.beta = beta;
    }

    /// Current frequency estimate in radians per symbol.
    pub fn omega(&self) -> f32 {
        self.omega
    }

    /// Rotate an equalizer output into the decision frame.
    #[inline]
    pub fn derotate(&self, z: Complex32) -> Complex32 {
        z * self.rot
    }

    /// Update with the derotated sample `q` and its decision `d`, and advance one symbol.
    #[inline]
    pub fn update(&mut self, q: Complex32, d: Complex32) {
        let err = Self::phase_error(q, d);
        self.advance(err);
    }

    /// The phase error `Im(q conj(d)) / |d|^2` of the derotated sample `q` against its
    /// decision `d`, limited to ±0.5.
    #[inline]
    pub fn phase_error(q: Complex32, d: Complex32) -> f32 {
        let dn = d.norm_sqr();
        let err = if dn > 0.0 {
            (q.im * d.re - q.re * d.im) / dn
        } else {
            0.0
        };
        err.clamp(-0.5, 0.5)
    }

    /// Advance one symbol with the phase error `err` (from [`CarrierLoop::phase_error`]).
    #[inline]
    pub fn advance(&mut self, err: f32) {
        self.omega += self.beta * err;
        let d = self.omega + self.alpha * err;
        // Rotate by -d with a third-order small-angle expansion (|d| < 0.6 rad), then
        // renormalise: no trigonometry per symbol.
        let d2 = d * d;
        let step = Complex32::new(1.0 - d2 * 0.5, -d * (1.0 - d2 * (1.0 / 6.0)));
        let r = self.rot * step;
        let g = 1.5 - 0.5 * r.norm_sqr();
        self.rot = r.scale(g);
    }

    /// The current derotation phasor `e^{-j theta}`.
    #[inline]
    pub fn phasor(&self) -> Complex32 {
        self.rot
    }

    /// Rotate the decision frame by `phase` radians (used to resolve a known phase
    /// ambiguity).
    pub fn rotate_by(&mut self, phase: f32) {
        self.rot *= Complex32::from_polar(1.0, -phase);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_a_frequency_offset() {
        let mut l = CarrierLoop::new(0.05, 0.001);
        let w = 0.02f32;
        let mut ph = 0.5f32;
        let mut err = 1.0;
        for _ in 0..3000 {
            let z = Complex32::from_polar(1.0, ph);
            let q = l.derotate(z);
            let d = Complex32::new(q.re.signum(), 0.0);
            err = (q.im / q.re).abs();
            l.update(q, d);
            ph += w;
        }
        assert!(err < 1e-3, "{err}");
        assert!((l.omega() - w).abs() < 1e-4);
    }
}
