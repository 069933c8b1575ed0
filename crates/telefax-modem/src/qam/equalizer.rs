//! A fractionally spaced (T/2) complex adaptive equalizer with a normalised LMS update.
//!
//! Inputs arrive at two per symbol; an output is formed once per symbol (after the on-time
//! input). The receiver trains it on the known training alphabet, then keeps adapting it
//! decision-directed (V.27ter, V.29 and V.17 all leave the equalizer design to the
//! implementer; their training sequences exist for it).

use super::simd::{cdot, cmac_conj, padded};
use super::Complex32;

/// T/2 fractionally spaced equalizer (see the module docs).
#[derive(Debug, Clone)]
pub struct Equalizer {
    n: usize,
    w_re: Vec<f32>,
    w_im: Vec<f32>,
    x_re: Vec<f32>,
    x_im: Vec<f32>,
    pos: usize,
}

impl Equalizer {
    /// An equalizer with `taps` T/2 taps (rounded up to a multiple of 8, at least 8).
    pub fn new(taps: usize) -> Self {
        let n = padded(taps.max(2));
        Equalizer {
            n,
            w_re: vec![0.0; n],
            w_im: vec![0.0; n],
            x_re: vec![0.0; 2 * n],
            x_im: vec![0.0; 2 * n],
            pos: 0,
        }
    }

    /// Number of taps.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Always false (an equalizer has at least eight taps).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Index (0 = oldest input) of the centre tap used by [`Equalizer::init_single`]: an
    /// on-time input, half the span back.
    pub fn centre(&self) -> usize {
        self.n - 1 - 2 * (self.n / 4)
    }

    /// Delay from an on-time input to the output it mainly forms, in symbols.
    pub fn delay_symbols(&self) -> usize {
        self.n / 4
    }

    /// Clear the input history and set all taps to zero except the centre one, `w`.
    pub fn init_single(&mut self, w: Complex32) {
        self.w_re.iter_mut().for_each(|x| *x = 0.0);
        self.w_im.iter_mut().for_each(|x| *x = 0.0);
        let c = self.centre();
        self.w_re[c] = w.re;
        self.w_im[c] = w.im;
    }

    /// Multiply every tap by `c` (a gain and phase correction of the whole equalizer).
    pub fn scale(&mut self, c: Complex32) {
        for (r, i) in self.w_re.iter_mut().zip(self.w_im.iter_mut()) {
            let (a, b) = (*r, *i);
            *r = a * c.re - b * c.im;
            *i = a * c.im + b * c.re;
        }
    }

    /// Clear the input history (taps unchanged).
    pub fn reset_history(&mut self) {
        self.x_re.iter_mut().for_each(|x| *x = 0.0);
        self.x_im.iter_mut().for_each(|x| *x = 0.0);
        self.pos = 0;
    }

    /// Append one T/2 input.
    #[inline]
    pub fn push(&mut self, x: Complex32) {
        let p = self.pos;
        self.x_re[p] = x.re;
        self.x_re[p + self.n] = x.re;
        self.x_im[p] = x.im;
        self.x_im[p + self.n] = x.im;
        self.pos = if p + 1 == self.n { 0 } else { p + 1 };
    }

    /// The equalizer output for the current input history.
    #[inline]
    pub fn output(&self) -> Complex32 {
        let n = self.n;
        let xr = &self.x_re[self.pos..self.pos + n];
        let xi = &self.x_im[self.pos..self.pos + n];
        let (re, im) = cdot(&self.w_re[..n], &self.w_im[..n], xr, xi);
        Complex32::new(re, im)
    }

    /// LMS update `w += step * err * conj(x)`; `step` is already normalised by the caller
    /// (typically `mu / (taps * input power)`).
    #[inline]
    pub fn update(&mut self, err: Complex32, step: f32) {
        let n = self.n;
        let (er, ei) = (err.re * step, err.im * step);
        let xr = &self.x_re[self.pos..self.pos + n];
        let xi = &self.x_im[self.pos..self.pos + n];
        cmac_conj(&mut self.w_re[..n], &mut self.w_im[..n], xr, xi, er, ei);
    }

    /// Sum of squared tap magnitudes (for diagnostics and divergence checks).
    pub fn energy(&self) -> f32 {
        self.w_re
            .iter()
            .zip(&self.w_im)
            .map(|(a, b)| a * a + b * b)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_gain_and_rotation() {
        let h = Complex32::from_polar(0.5, 0.7);
        let mut seed = 1u32;
        let mut last_err = 1.0;
        // A single-symbol-delay test: feed a stream and check convergence on the delayed
        // reference.
        let mut eq = Equalizer::new(8);
        eq.init_single(Complex32::ONE);
        let d = eq.delay_symbols();
        let mut hist = vec![0f32; d + 1];
        for i in 0..4000 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let s = if seed >> 31 == 0 { 1.0 } else { -1.0 };
            hist.rotate_right(1);
            hist[0] = s;
            eq.push(Complex32::ZERO);
            eq.push(h * s);
            let y = eq.output();
            let err = Complex32::new(hist[d], 0.0) - y;
            eq.update(err, 0.05);
            if i > 3000 {
                last_err = err.norm_sqr();
            }
        }
        assert!(last_err < 1e-4, "{last_err}");
    }
}
