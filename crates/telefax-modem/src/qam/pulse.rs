//! Root-raised-cosine pulses and the transmit pulse shaper.
//!
//! V.27ter §2.3 and V.29 §2.2 ask for a raised-cosine spectrum shared equally between
//! transmitter and receiver; each side therefore uses a root-raised-cosine (RRC) filter.

use super::simd::{dot_pair, padded};
use super::Complex32;
use std::f64::consts::PI;

/// The RRC impulse response at `t` symbol periods from its centre, roll-off `beta`
/// (0 < beta <= 1). Peak value `1 - beta + 4 beta / pi` at `t = 0`; its energy is one symbol.
pub fn rrc(t: f64, beta: f64) -> f64 {
    if t.abs() < 1e-9 {
        return 1.0 - beta + 4.0 * beta / PI;
    }
    let x = 4.0 * beta * t;
    if (x.abs() - 1.0).abs() < 1e-9 {
        let a = PI / (4.0 * beta);
        return beta / 2f64.sqrt() * ((1.0 + 2.0 / PI) * a.sin() + (1.0 - 2.0 / PI) * a.cos());
    }
    ((PI * t * (1.0 - beta)).sin() + x * (PI * t * (1.0 + beta)).cos()) / (PI * t * (1.0 - x * x))
}

/// Greatest common divisor.
pub(crate) const fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

/// A cosine/sine table for a carrier whose frequency is a rational fraction of 8000 Hz, so
/// the oscillator is exact and never drifts: `fc / 8000 = k / period`.
#[derive(Debug, Clone)]
pub struct CarrierTable {
    cos: Vec<f32>,
    sin: Vec<f32>,
    idx: usize,
}

impl CarrierTable {
    /// A table for `carrier_hz` (an integer number of hertz, below 4000).
    pub fn new(carrier_hz: u32) -> Self {
        let g = gcd(carrier_hz, 8000);
        let period = (8000 / g) as usize;
        let k = f64::from(carrier_hz / g);
        let (cos, sin) = (0..period)
            .map(|n| {
                let ph = 2.0 * PI * k * n as f64 / period as f64;
                (ph.cos() as f32, ph.sin() as f32)
            })
            .unzip();
        CarrierTable { cos, sin, idx: 0 }
    }

    /// The current `(cos, sin)` of the carrier phase, then advance one sample.
    #[inline]
    pub fn advance(&mut self) -> (f32, f32) {
        let r = (self.cos[self.idx], self.sin[self.idx]);
        self.idx += 1;
        if self.idx == self.cos.len() {
            self.idx = 0;
        }
        r
    }

    /// Back to phase zero.
    pub fn reset(&mut self) {
        self.idx = 0;
    }

    /// Samples in one period of the table.
    pub fn period(&self) -> usize {
        self.cos.len()
    }

    /// `(cos, sin)` of the carrier phase at sample `i` of the period (`i < period`).
    #[inline]
    pub fn at(&self, i: usize) -> (f32, f32) {
        (self.cos[i], self.sin[i])
    }
}

/// Transmit pulse shaping and modulation: complex symbols at the baud rate in, 8 kHz real
/// passband samples `Re{s(t) e^{j 2 pi fc t}}` out (V.27ter §2.3, V.29 §2.2, V.17 §3.3).
///
/// Uses a polyphase RRC interpolator for the exact rational ratio baud/8000, so 1200, 1600 and
/// 2400 baud are all handled without drift.
///
/// ```
/// use telefax_modem::qam::{pulse::PulseShaper, Complex32};
/// let mut p = PulseShaper::new(1700, 2400, 0.25, 6, 1000.0);
/// let mut out = Vec::new();
/// for i in 0..800 {
///     if p.wants_symbol() {
///         p.push(if i % 2 == 0 { Complex32::new(1.0, 0.0) } else { Complex32::new(-1.0, 0.0) });
///     }
///     out.push(p.sample());
/// }
/// assert!(out.iter().any(|&x| x.abs() > 100.0));
/// ```
#[derive(Debug, Clone)]
pub struct PulseShaper {
    num: usize,
    den: usize,
    span: usize,
    /// `den` rows of `span` taps.
    table: Vec<f32>,
    hist_re: Vec<f32>,
    hist_im: Vec<f32>,
    pos: usize,
    acc: usize,
    want: bool,
    carrier: CarrierTable,
    gain: f32,
}

impl PulseShaper {
    /// A shaper for `carrier_hz` and `baud`, roll-off `beta`, pulse half-span in symbols
    /// `half_span`, and `gain` applied to the complex envelope (a unit-energy symbol stream
    /// gives a passband RMS of `gain / sqrt 2`).
    pub fn new(carrier_hz: u32, baud: u32, beta: f64, half_span: usize, gain: f32) -> Self {
        let g = gcd(baud, 8000);
        let num = (baud / g) as usize;
        let den = (8000 / g) as usize;
        // Pad the history (and the taps with zeros) to whole SIMD lanes.
        let span = padded(2 * half_span);
        let mut table = vec![0f32; den * span];
        for p in 0..den {
            let frac = p as f64 / den as f64;
            for j in 0..span {
                // Symbol a_{k0-j} is j symbols older than the newest; the output is delayed
                // by half_span symbols.
                table[p * span + j] = rrc(frac + j as f64 - half_span as f64, beta) as f32;
            }
        }
        PulseShaper {
            num,
            den,
            span,
            table,
            hist_re: vec![0.0; 2 * span],
            hist_im: vec![0.0; 2 * span],
            pos: 0,
            acc: 0,
            want: true,
            carrier: CarrierTable::new(carrier_hz),
            gain,
        }
    }

    /// Change the envelope gain (see [`PulseShaper::new`]).
    pub fn set_gain(&mut self, gain: f32) {
        self.gain = gain;
    }

    /// Back to the initial state (empty history, carrier phase zero).
    pub fn reset(&mut self) {
        self.hist_re.iter_mut().for_each(|x| *x = 0.0);
        self.hist_im.iter_mut().for_each(|x| *x = 0.0);
        self.pos = 0;
        self.acc = 0;
        self.want = true;
        self.carrier.reset();
    }

    /// True when a new symbol must be [`push`](Self::push)ed before the next
    /// [`sample`](Self::sample).
    #[inline]
    pub fn wants_symbol(&self) -> bool {
        self.want
    }

    /// Number of symbols to push after the last one so that its pulse has fully left.
    pub fn tail_symbols(&self) -> usize {
        self.span
    }

    /// Append the next symbol.
    #[inline]
    pub fn push(&mut self, s: Complex32) {
        self.pos = if self.pos == 0 {
            self.span - 1
        } else {
            self.pos - 1
        };
        self.hist_re[self.pos] = s.re;
        self.hist_re[self.pos + self.span] = s.re;
        self.hist_im[self.pos] = s.im;
        self.hist_im[self.pos + self.span] = s.im;
        self.want = false;
    }

    /// The next passband sample (not yet scaled to `i16`), then advance one sample period.
    #[inline]
    pub fn sample(&mut self) -> f32 {
        let taps = &self.table[self.acc * self.span..(self.acc + 1) * self.span];
        let hr = &self.hist_re[self.pos..self.pos + self.span];
        let hi = &self.hist_im[self.pos..self.pos + self.span];
        let (re, im) = dot_pair(taps, hr, hi);
        let (c, s) = self.carrier.advance();
        self.acc += self.num;
        if self.acc >= self.den {
            self.acc -= self.den;
            self.want = true;
        }
        self.gain * (re * c - im * s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrc_has_unit_energy_and_nyquist_self_convolution() {
        for &beta in &[0.25, 0.5] {
            let dt = 0.01;
            let e: f64 = (-2000..2000)
                .map(|i| rrc(i as f64 * dt, beta).powi(2) * dt)
                .sum();
            assert!((e - 1.0).abs() < 0.01, "beta {beta} energy {e}");
            // RRC * RRC at one symbol is ~0 (Nyquist).
            let c: f64 = (-2000..2000)
                .map(|i| rrc(i as f64 * dt, beta) * rrc(i as f64 * dt - 1.0, beta) * dt)
                .sum();
            assert!(c.abs() < 0.01, "beta {beta} isi {c}");
        }
    }

    #[test]
    fn carrier_table_is_exact() {
        let mut t = CarrierTable::new(1800);
        let first = t.advance();
        for _ in 1..40 {
            t.advance();
        }
        assert_eq!(t.advance(), first);
    }
}
