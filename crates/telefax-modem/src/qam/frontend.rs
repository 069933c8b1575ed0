//! The receive front end: 8 kHz real samples to matched-filtered complex baseband at two
//! samples per symbol (T/2), with Gardner symbol-timing recovery.
//!
//! The matched filter is moved up to the carrier: for each of its fractional delays the
//! polyphase root-raised-cosine taps are multiplied by the carrier, so the real input is only
//! stored per sample, the filter is evaluated directly at the wanted (fractional) sampling
//! instants (no separate interpolator, two outputs per symbol), and each output is brought
//! to baseband by one multiplication with an exact carrier table. This equals mixing down
//! and then filtering.
//! Gardner's timing-error detector (on the T/2 stream, normalised by the signal power)
//! drives a second-order loop, so a constant sample-clock offset (±100 ppm and beyond) is
//! tracked without a lag.

use super::pulse::{rrc, CarrierTable};
use super::simd::{dot_pair, padded};
use super::Complex32;

/// Phases of the polyphase matched filter (timing resolution 1/64 sample).
const PHASES: usize = 64;

/// One T/2 output of the front end.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfSymbol {
    /// The matched-filter output.
    pub value: Complex32,
    /// True for the sample at the (estimated) symbol centre, false for the mid-point.
    pub on_time: bool,
}

/// Mixer, polyphase matched filter and Gardner timing loop (see the module docs).
#[derive(Debug, Clone)]
pub struct RxFrontEnd {
    carrier: CarrierTable,
    /// Carrier-table index of `next_i`.
    c_idx: usize,
    k: usize,
    /// Passband matched filter per phase: real and imaginary taps.
    mf_re: Vec<f32>,
    mf_im: Vec<f32>,
    /// The real input, written twice so that any window is contiguous.
    buf: Vec<f32>,
    w: usize,
    n: u64,
    next_i: u64,
    mu: f64,
    half: f64,
    rate: f64,
    max_rate: f64,
    on_time: bool,
    hist: [Complex32; 2],
    pwr: f32,
    kp: f32,
    ki: f32,
}

impl RxFrontEnd {
    /// A front end for `carrier_hz`, `baud`, RRC roll-off `beta` and a matched filter spanning
    /// `half_span` symbols each side.
    pub fn new(carrier_hz: u32, baud: u32, beta: f64, half_span: f64) -> Self {
        let sps = 8000.0 / f64::from(baud);
        // Window of 2K samples, K rounded so that 2K is a multiple of the SIMD lanes.
        let k = padded(2 * (half_span * sps).ceil() as usize) / 2;
        let len = 2 * k;
        let mut mf_re = vec![0f32; (PHASES + 1) * len];
        let mut mf_im = vec![0f32; (PHASES + 1) * len];
        // Normalise so that a unit symbol gives a unit peak output (tx RRC * rx RRC = RC).
        let scale = 1.0 / sps;
        let wc = 2.0 * std::f64::consts::PI * f64::from(carrier_hz) / 8000.0;
        for p in 0..=PHASES {
            let mu = p as f64 / PHASES as f64;
            for j in 0..len {
                let t = (mu + k as f64 - 1.0 - j as f64) / sps;
                let h = rrc(t, beta) * scale;
                // Sample j of the window is (j + 1 - K) samples after the output's base
                // index; mixing it down multiplies by e^{-j wc (j + 1 - K)} relative to there.
                let ph = -wc * (j as f64 + 1.0 - k as f64);
                mf_re[p * len + j] = (h * ph.cos()) as f32;
                mf_im[p * len + j] = (h * ph.sin()) as f32;
            }
        }
        let half = sps / 2.0;
        RxFrontEnd {
            carrier: CarrierTable::new(carrier_hz),
            c_idx: 0,
            k,
            mf_re,
            mf_im,
            buf: vec![0.0; 2 * len],
            w: 0,
            n: 0,
            next_i: 0,
            mu: 0.0,
            half,
            rate: 0.0,
            max_rate: half * 1e-3,
            on_time: true,
            hist: [Complex32::ZERO; 2],
            pwr: 0.0,
            kp: 0.05,
            ki: 0.0005,
        }
    }

    /// Forget the signal (keeps the design).
    pub fn reset(&mut self) {
        self.c_idx = 0;
        self.buf.iter_mut().for_each(|x| *x = 0.0);
        self.w = 0;
        self.n = 0;
        self.next_i = 0;
        self.mu = 0.0;
        self.rate = 0.0;
        self.on_time = true;
        self.hist = [Complex32::ZERO; 2];
        self.pwr = 0.0;
    }

    /// Set the timing-loop gains: `kp` (samples of correction per unit normalised Gardner
    /// error) and `ki` (its integral, the clock-rate estimate).
    pub fn set_timing_gains(&mut self, kp: f32, ki: f32) {
        self.kp = kp;
        self.ki = ki;
    }

    /// Clear the timing-loop clock-rate estimate.
    pub fn reset_timing_rate(&mut self) {
        self.rate = 0.0;
    }

    /// The estimated sample-clock offset in parts per million (positive: the far end's
    /// symbols arrive further apart than nominal).
    pub fn clock_offset_ppm(&self) -> f64 {
        self.rate / self.half * 1e6
    }

    /// Running mean power of the T/2 output (about 8 symbols' time constant).
    pub fn power(&self) -> f32 {
        self.pwr
    }

    /// Feed one input sample; returns a T/2 output when one falls due (at most one per input
    /// sample, since every baud rate used is below 4000).
    #[inline]
    pub fn push(&mut self, x: f32) -> Option<HalfSymbol> {
        let len = 2 * self.k;
        let w = self.w;
        self.buf[w] = x;
        self.buf[w + len] = x;
        self.w = if w + 1 == len { 0 } else { w + 1 };
        let n = self.n;
        self.n += 1;
        if n < self.next_i + self.k as u64 {
            return None;
        }
        // Window b[next_i-K+1 ..= next_i+K] is the whole buffer, oldest at self.w.
        // mu is in [0, 1): truncation is the rounding here, without a libm call.
        let p = (self.mu * PHASES as f64 + 0.5) as usize;
        let (tr, ti) = (
            &self.mf_re[p * len..(p + 1) * len],
            &self.mf_im[p * len..(p + 1) * len],
        );
        let (yr, yi) = dot_pair(&self.buf[self.w..self.w + len], tr, ti);
        // Down to baseband: multiply by e^{-j wc next_i}.
        let (c, s) = self.carrier.at(self.c_idx);
        let y = Complex32::new(yr * c + yi * s, yi * c - yr * s);
        let on_time = self.on_time;
        let mut step = self.half + self.rate;
        if on_time {
            let p = y.norm_sqr();
            self.pwr += (p - self.pwr) * (1.0 / 16.0);
            let [mid, prev] = self.hist;
            let d = y - prev;
            let e = (d.re * mid.re + d.im * mid.im) / (self.pwr + 1e-12);
            let e = e.clamp(-4.0, 4.0);
            step -= f64::from(self.kp * e);
            self.rate = (self.rate - f64::from(self.ki * e)).clamp(-self.max_rate, self.max_rate);
        }
        self.hist = [y, self.hist[0]];
        self.on_time = !on_time;
        self.mu += step.max(0.5);
        let f = self.mu as u64; // mu > 0: truncation is floor
        self.next_i += f;
        self.mu -= f as f64;
        self.c_idx += f as usize;
        if self.next_i + (self.k as u64) < self.n {
            self.next_i = self.n - self.k as u64;
            self.c_idx = (self.next_i % self.carrier.period() as u64) as usize;
        }
        while self.c_idx >= self.carrier.period() {
            self.c_idx -= self.carrier.period();
        }
        Some(HalfSymbol { value: y, on_time })
    }
}
