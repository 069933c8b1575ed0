//! Finite impulse response filters: allocation-free after construction.
//!
//! Each filter keeps its history twice in a row (a "doubled" ring buffer) so that the
//! convolution is one contiguous dot product per output sample. [`Fir`] filters real samples
//! with real taps, [`FirComplex`] filters complex samples with real taps (the usual baseband
//! low-pass / pulse-shaping case) and [`FirComplexTaps`] filters complex samples with complex
//! taps (equalisers, band-pass filters around a carrier).
use crate::Complex32;

macro_rules! fir_common {
    () => {
        /// Number of taps.
        pub fn len(&self) -> usize {
            self.taps.len()
        }
        /// Whether the filter has no taps (never true: construction needs at least one).
        pub fn is_empty(&self) -> bool {
            self.taps.is_empty()
        }
        /// Push one input sample without computing an output (for decimators).
        #[inline]
        pub fn push(&mut self, x: <Self as FirTypes>::Sample) {
            let n = self.taps.len();
            self.hist[self.pos] = x;
            self.hist[self.pos + n] = x;
            self.pos += 1;
            if self.pos == n {
                self.pos = 0;
            }
        }
        /// Push one input sample and return the filter output.
        #[inline]
        pub fn filter(&mut self, x: <Self as FirTypes>::Sample) -> <Self as FirTypes>::Sample {
            self.push(x);
            self.output()
        }
        /// Clear the history to zero.
        pub fn reset(&mut self) {
            for h in self.hist.iter_mut() {
                *h = Default::default();
            }
            self.pos = 0;
        }
        /// The taps in natural order (`h[0]` applies to the newest sample).
        pub fn taps(&self) -> impl Iterator<Item = <Self as FirTypes>::Tap> + '_ {
            self.taps.iter().rev().copied()
        }
    };
}

/// Associated sample and tap types of a FIR filter.
pub trait FirTypes {
    /// Sample type.
    type Sample: Copy + Default;
    /// Tap type.
    type Tap: Copy;
}

/// A FIR filter with real taps on real samples.
///
/// ```
/// use telefax_dsp::fir::Fir;
/// let mut f = Fir::new(&[0.5, 0.5]);
/// assert_eq!(f.filter(2.0), 1.0);
/// assert_eq!(f.filter(4.0), 3.0);
/// ```
#[derive(Debug, Clone)]
pub struct Fir {
    taps: Box<[f32]>, // reversed
    hist: Box<[f32]>,
    pos: usize,
}

impl FirTypes for Fir {
    type Sample = f32;
    type Tap = f32;
}

impl Fir {
    /// A filter with the given taps (`taps[0]` multiplies the newest sample). An empty slice
    /// gives a one-tap filter of gain 0.
    pub fn new(taps: &[f32]) -> Self {
        let mut t: Vec<f32> = taps.iter().rev().copied().collect();
        if t.is_empty() {
            t.push(0.0);
        }
        let n = t.len();
        Self {
            taps: t.into_boxed_slice(),
            hist: vec![0.0; 2 * n].into_boxed_slice(),
            pos: 0,
        }
    }
    fir_common!();
    /// The output for the current history (after [`Fir::push`]).
    #[inline]
    pub fn output(&self) -> f32 {
        let n = self.taps.len();
        dot(&self.taps, &self.hist[self.pos..self.pos + n])
    }
    /// Filter a block in place.
    pub fn filter_block(&mut self, block: &mut [f32]) {
        for x in block.iter_mut() {
            *x = self.filter(*x);
        }
    }
}

/// A FIR filter with real taps on complex samples.
#[derive(Debug, Clone)]
pub struct FirComplex {
    taps: Box<[f32]>,
    hist: Box<[Complex32]>,
    pos: usize,
}

impl FirTypes for FirComplex {
    type Sample = Complex32;
    type Tap = f32;
}

impl FirComplex {
    /// A filter with the given real taps (`taps[0]` multiplies the newest sample).
    pub fn new(taps: &[f32]) -> Self {
        let mut t: Vec<f32> = taps.iter().rev().copied().collect();
        if t.is_empty() {
            t.push(0.0);
        }
        let n = t.len();
        Self {
            taps: t.into_boxed_slice(),
            hist: vec![Complex32::ZERO; 2 * n].into_boxed_slice(),
            pos: 0,
        }
    }
    fir_common!();
    /// The output for the current history.
    #[inline]
    pub fn output(&self) -> Complex32 {
        let n = self.taps.len();
        let h = &self.hist[self.pos..self.pos + n];
        let mut re = 0.0f32;
        let mut im = 0.0f32;
        for (t, x) in self.taps.iter().zip(h) {
            re += t * x.re;
            im += t * x.im;
        }
        Complex32::new(re, im)
    }
}

/// A FIR filter with complex taps on complex samples.
#[derive(Debug, Clone)]
pub struct FirComplexTaps {
    taps: Box<[Complex32]>,
    hist: Box<[Complex32]>,
    pos: usize,
}

impl FirTypes for FirComplexTaps {
    type Sample = Complex32;
    type Tap = Complex32;
}

impl FirComplexTaps {
    /// A filter with the given complex taps (`taps[0]` multiplies the newest sample).
    pub fn new(taps: &[Complex32]) -> Self {
        let mut t: Vec<Complex32> = taps.iter().rev().copied().collect();
        if t.is_empty() {
            t.push(Complex32::ZERO);
        }
        let n = t.len();
        Self {
            taps: t.into_boxed_slice(),
            hist: vec![Complex32::ZERO; 2 * n].into_boxed_slice(),
            pos: 0,
        }
    }
    fir_common!();
    /// The output for the current history.
    #[inline]
    pub fn output(&self) -> Complex32 {
        let n = self.taps.len();
        let h = &self.hist[self.pos..self.pos + n];
        let mut re = 0.0f32;
        let mut im = 0.0f32;
        for (t, x) in self.taps.iter().zip(h) {
            re += t.re * x.re - t.im * x.im;
            im += t.re * x.im + t.im * x.re;
        }
        Complex32::new(re, im)
    }
    /// The history, oldest sample first (for adaptive equalisers computing their update).
    pub fn history(&self) -> &[Complex32] {
        let n = self.taps.len();
        &self.hist[self.pos..self.pos + n]
    }
    /// Mutable access to the taps, in *reversed* order (index 0 = oldest sample), matching
    /// [`FirComplexTaps::history`] element by element.
    pub fn taps_reversed_mut(&mut self) -> &mut [Complex32] {
        &mut self.taps
    }
}

/// Dot product of two equally long slices, in four independent lanes for speed.
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 4];
    let chunks = n / 4;
    for i in 0..chunks {
        let k = 4 * i;
        acc[0] += a[k] * b[k];
        acc[1] += a[k + 1] * b[k + 1];
        acc[2] += a[k + 2] * b[k + 2];
        acc[3] += a[k + 3] * b[k + 3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for k in 4 * chunks..n {
        s += a[k] * b[k];
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impulse_response_is_taps() {
        let taps = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mut f = Fir::new(&taps);
        let mut out = Vec::new();
        for i in 0..7 {
            out.push(f.filter(if i == 0 { 1.0 } else { 0.0 }));
        }
        assert_eq!(out, vec![1.0, 2.0, 3.0, 4.0, 5.0, 0.0, 0.0]);
        assert_eq!(f.taps().collect::<Vec<_>>(), taps.to_vec());
    }

    #[test]
    fn complex_taps_impulse() {
        let taps = [Complex32::new(1.0, 1.0), Complex32::new(0.0, 2.0)];
        let mut f = FirComplexTaps::new(&taps);
        assert_eq!(f.filter(Complex32::ONE), taps[0]);
        assert_eq!(f.filter(Complex32::ZERO), taps[1]);
        let mut g = FirComplex::new(&[1.0, -1.0]);
        assert_eq!(g.filter(Complex32::new(0.0, 3.0)), Complex32::new(0.0, 3.0));
        assert_eq!(g.filter(Complex32::ZERO), Complex32::new(0.0, -3.0));
    }
}
