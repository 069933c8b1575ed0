//! The receive front end: 8 kHz real samples to matched-filtered complex baseband at two
//! samples per symbol (T/2), with Gardner symbol-timing recovery.
//!
//! The input is mixed down with an exact carrier table, then a polyphase root-raised-cosine
//! matched filter is evaluated directly at the wanted (fractional) sampling instants, so no
//! separate interpolator is needed and only two filter outputs per symbol are computed.
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
    k: usize,
    mf: Vec<f32>,
    buf_re: Vec<f32>,
    buf_im: Vec<f32>,
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
        let mut mf = vec![0f32; (PHASES + 1) * len];
        // Normalise so that a unit symbol gives a unit peak output (tx RRC * rx RRC = RC).
        let scale = 1.0 / sps;
        for p in 0..=PHASES {
            let mu = p as f64 / PHASES as f64;
            for j in 0..len {
                let t = (mu + k as f64 - 1.0 - j as f64) / sps;
                mf[p * len + j] = (rrc(t, beta) * scale) as f32;
            }
        }
        let half = sps / 2.0;
        RxFrontEnd {
            carrier: CarrierTable::new(carrier_hz),
            k,
            mf,
            buf_re: vec![0.0; 2 * len],
            buf_im: vec![0.0; 2 * len],
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
        self.carrier.reset();
        self.buf_re.iter_mut().for_each(|x| *x = 0.0);
        self.buf_im.iter_mut().for_each(|x| *x = 0.0);
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
        let (c, s) = self.carrier.advance();
        let len = 2 * self.k;
        let w = self.w;
        let (re, im) = (x * c, -x * s);
        self.buf_re[w] = re;
        self.buf_re[w + len] = re;
        self.buf_im[w] = im;
        self.buf_im[w + len] = im;
        self.w = if w + 1 == len { 0 } else { w + 1 };
        let n = self.n;
        self.n += 1;
        if n < self.next_i + self.k as u64 {
            return None;
        }
        // Window b[next_i-K+1 ..= next_i+K] is the whole buffer, oldest at self.w.
        // mu is in [0, 1): truncation is the rounding here, without a libm call.
        let p = (self.mu * PHASES as f64 + 0.5) as usize;
        let taps = &self.mf[p * len..(p + 1) * len];
        let br = &self.buf_re[self.w..self.w + len];
        let bi = &self.buf_im[self.w..self.w + len];
        let (yr, yi) = dot_pair(taps, br, bi);
        let y = Complex32::new(yr, yi);
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
        if self.next_i + (self.k as u64) < self.n {
            self.next_i = self.n - self.k as u64;
        }
        Some(HalfSymbol { value: y, on_time })
    }
}
