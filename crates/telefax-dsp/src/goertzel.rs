//! The Goertzel algorithm: the power of one frequency over a block (tone detectors, DTMF).
use core::f32::consts::PI;

/// A block Goertzel filter for one frequency.
///
/// ```
/// use telefax_dsp::goertzel::Goertzel;
/// let mut g = Goertzel::new(1100.0, 8000.0, 160);
/// let mut p = None;
/// for i in 0..160 { p = g.push(1000.0 * (2.0 * std::f32::consts::PI * 1100.0 * i as f32 / 8000.0).sin()); }
/// // Power of a sine of amplitude 1000 is 500 000.
/// assert!((p.unwrap() / 500_000.0 - 1.0).abs() < 0.05);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Goertzel {
    coeff: f32,
    s1: f32,
    s2: f32,
    n: usize,
    count: usize,
}

impl Goertzel {
    /// Measure `freq_hz` over blocks of `n` samples (`n` >= 1).
    pub fn new(freq_hz: f32, fs: f32, n: usize) -> Self {
        Self {
            coeff: 2.0 * (2.0 * PI * freq_hz / fs).cos(),
            s1: 0.0,
            s2: 0.0,
            n: n.max(1),
            count: 0,
        }
    }
    /// Feed one sample; at the end of each block returns the tone's mean-square power (a sine
    /// of amplitude `A` exactly at the frequency gives `A²/2`) and starts the next block.
    #[inline]
    pub fn push(&mut self, x: f32) -> Option<f32> {
        let s = x + self.coeff * self.s1 - self.s2;
        self.s2 = self.s1;
        self.s1 = s;
        self.count += 1;
        if self.count == self.n {
            let mag2 = self.s1 * self.s1 + self.s2 * self.s2 - self.coeff * self.s1 * self.s2;
            let n = self.n as f32;
            self.s1 = 0.0;
            self.s2 = 0.0;
            self.count = 0;
            Some(2.0 * mag2 / (n * n))
        } else {
            None
        }
    }
    /// Restart the current block.
    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
        self.count = 0;
    }
    /// The block length.
    pub fn block_len(&self) -> usize {
        self.n
    }
}
