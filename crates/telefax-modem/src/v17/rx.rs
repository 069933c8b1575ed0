//! The V.17 receiver: carrier detect, AGC, interpolating matched filter with Gardner symbol
//! timing, T/2 adaptive equalizer trained on the known training sequence (V.17 §7),
//! decision-directed carrier loop and soft-decision Viterbi decoding of the trellis code.

use super::pulse::{rrc, ROLL_OFF};
use super::training::{
    Sequencer, Stage, SEG1_SYMBOLS, SEG4_CONV_STATE, SEG4_SYMBOLS, TRAIN_POINTS,
};
use super::trellis::{diff_decode, Viterbi, CHUNK, HIST};
use super::tx::RMS_0DBM0;
use super::{V17Rate, BAUD, CARRIER_HZ, SAMPLE_RATE};
use crate::qam::scrambler::{Descrambler, ScramblerKind};
use crate::{Demodulator, RxSink, RxStatus};
use tracing::debug;

/// Equalizer length in T/2 taps.
const EQ_TAPS: usize = 32;
/// Equalizer delay-line ring length: two T/2 samples longer than the equalizer, so that the
/// previous symbol's input is still whole when its delayed update is applied.
const DL: usize = EQ_TAPS + 2;
/// Position of the initial centre tap.
const EQ_CENTRE: usize = EQ_TAPS / 2;
/// Fractional phases of the interpolating matched filter.
const PHASES: usize = 64;
/// Taps of the interpolating matched filter (8 kHz samples).
const ITAPS: usize = 20;
// The dot products run four taps at a time.
const _: () = assert!(ITAPS % 4 == 0 && EQ_TAPS % 4 == 0);
/// Baseband ring length (power of two).
const RING: usize = 32;
/// Samples per carrier period table (1800/8000 = 9/40).
const MIX_LEN: usize = 40;
/// Samples per symbol.
const SPS: f32 = SAMPLE_RATE / BAUD as f32;
/// Carrier on threshold, dBm0 (V.17 §4: the receiver works down to -43 dBm0).
const CARRIER_ON_DBM0: f32 = -45.0;
/// Carrier off threshold, dBm0.
const CARRIER_OFF_DBM0: f32 = -50.0;
/// Samples the signal must stay 15 dB below its trained level to count as ended.
const DROP_SAMPLES: u32 = 32;
/// Alternations needed before the segment 1 / segment 2 boundary is accepted.
const MIN_ALTERNATIONS: u32 = 24;
/// Symbols (last of segment 1, then segment 2) matched to find the start of segment 2.
const BOUNDARY_WINDOW: usize = 17;
/// Segment 4 symbols after which a short training is checked against a long one.
const LONG_CHECK_SYMBOLS: u32 = 8;
/// Data-mode carrier loop gain, phase term.
const DATA_ALPHA: f32 = 0.02;
/// Data-mode carrier loop gain, frequency term.
const DATA_BETA: f32 = 0.00005;
/// |A|² of the training states.
const TRAIN_POWER: f32 = 40.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No carrier.
    Idle,
    /// Carrier present: looking for the ABAB alternations and their end.
    Seg1,
    /// Following the known training sequence.
    Train,
    /// Decoding data.
    Data,
    /// Training failed: wait for the carrier to drop.
    Failed,
}

#[derive(Debug, Clone, Copy, Default)]
struct C {
    re: f32,
    im: f32,
}

impl C {
    #[inline]
    fn new(re: f32, im: f32) -> C {
        C { re, im }
    }
    #[inline]
    fn mul(self, o: C) -> C {
        C::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
    #[inline]
    fn mul_conj(self, o: C) -> C {
        C::new(
            self.re * o.re + self.im * o.im,
            self.im * o.re - self.re * o.im,
        )
    }
    #[inline]
    fn norm(self) -> f32 {
        self.re * self.re + self.im * self.im
    }
    #[inline]
    fn sub(self, o: C) -> C {
        C::new(self.re - o.re, self.im - o.im)
    }
    #[inline]
    fn scale(self, k: f32) -> C {
        C::new(self.re * k, self.im * k)
    }
}

/// Half-width of the subset look-up grid, in signal-space units.
const GRID_HALF: f32 = 12.0;
/// Grid cells per unit.
const GRID_SCALE: f32 = 2.0;
/// Grid cells per side.
const GRID_N: usize = (2.0 * GRID_HALF * GRID_SCALE) as usize;

/// The nearest point of each subset to a grid cell (labels).
type Cell = [u8; 8];

/// The four-bit values bit-reversed.
const REVERSE4: [u8; 16] = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15];

/// Nearest point of each subset for every grid cell, built once per process and rate.
fn subset_grid(rate: V17Rate) -> &'static [Cell] {
    use std::sync::OnceLock;
    static GRIDS: [OnceLock<Box<[Cell]>>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let i = match rate {
        V17Rate::R7200 => 0,
        V17Rate::R9600 => 1,
        V17Rate::R12000 => 2,
        V17Rate::R14400 => 3,
    };
    GRIDS[i].get_or_init(|| build_grid(rate))
}

fn build_grid(rate: V17Rate) -> Box<[Cell]> {
    let map = rate.map();
    let mut g = vec![[0u8; 8]; GRID_N * GRID_N].into_boxed_slice();
    for cy in 0..GRID_N {
        for cx in 0..GRID_N {
            let x = (cx as f32 + 0.5) / GRID_SCALE - GRID_HALF;
            let y = (cy as f32 + 0.5) / GRID_SCALE - GRID_HALF;
            let mut best = [(f32::INFINITY, 0u8); 8];
            for (label, &(px, py)) in map.iter().enumerate() {
                let d = (x - px as f32).powi(2) + (y - py as f32).powi(2);
                let b = &mut best[label & 7];
                if d < b.0 {
                    *b = (d, label as u8);
                }
            }
            for (o, b) in g[cy * GRID_N + cx].iter_mut().zip(best) {
                *o = b.1;
            }
        }
    }
    g
}

/// Minimum training quality (dB) accepted per rate, indexed 7200..14400.
fn min_training_snr_db(rate: V17Rate) -> f32 {
    match rate {
        V17Rate::R7200 => 7.0,
        V17Rate::R9600 => 9.0,
        V17Rate::R12000 => 12.0,
        V17Rate::R14400 => 14.0,
    }
}

/// V.17 receiver. Feed it 8 kHz samples in blocks of any size; it reports
/// [`RxStatus::CarrierUp`], then [`RxStatus::TrainingSucceeded`] (or `TrainingFailed`), the
/// data bits, and [`RxStatus::CarrierDown`]. Allocation-free after construction.
///
/// The first training of a call should be long; arm the short training of later pages with
/// [`V17Rx::set_short_train`], which keeps the equalizer and timing learnt so far (T.30 §5.3.2).
#[derive(Debug, Clone)]
pub struct V17Rx {
    core: Box<Core>,
}

impl V17Rx {
    /// A receiver for `rate`, expecting a long training first.
    pub fn new(rate: V17Rate) -> Self {
        V17Rx {
            core: Box::new(Core::new(rate)),
        }
    }

    /// Expect the short training (V.17 §7.2) for the next signal, keeping the equalizer and
    /// timing learnt from the previous long training; `false` goes back to long training.
    /// Ignored (long training expected) until a long training has succeeded.
    pub fn set_short_train(&mut self, short: bool) {
        self.core.set_short_train(short);
    }

    /// When set, every signal after a successful training is expected to start with the
    /// short training (the usual fax page sequence: long training on the first page of a
    /// call or after a rate change, short training on later pages).
    pub fn set_auto_short_train(&mut self, auto: bool) {
        self.core.auto_short = auto;
    }

    /// Change rate (and training type) for the next signal, keeping the equalizer when
    /// `short_train` is set.
    pub fn restart(&mut self, rate: V17Rate, short_train: bool) {
        self.core.restart(rate, short_train);
    }

    /// The rate this receiver decodes.
    pub fn rate(&self) -> V17Rate {
        self.core.rate
    }
}

/// The receiver's state (boxed: it holds the equalizer, filters and survivor memory).
#[derive(Debug, Clone)]
struct Core {
    rate: V17Rate,
    short: bool,
    eq_trained: bool,
    // Front end.
    /// e^{-jωn} over one period of 40 samples, entry `n + 1` holding sample `n`'s.
    mix: [C; MIX_LEN],
    mix_pos: usize,
    /// Received samples, newest first (written twice so any window is contiguous).
    ring: [f32; 2 * RING],
    rpos: usize,
    /// Matched filter moved up to the carrier (h(t)·e^{jωt}) for each fractional delay:
    /// real and imaginary parts.
    interp_re: [[f32; ITAPS]; PHASES],
    interp_im: [[f32; ITAPS]; PHASES],
    power: f32,
    fast_power: f32,
    drop_level: f32,
    drop_count: u32,
    armed: bool,
    adapt_toggle: bool,
    rearm_level: f32,
    auto_short: bool,
    on_level: f32,
    off_level: f32,
    carrier: bool,
    // Timing.
    t_next: f32,
    step: f32,
    timing_int: f32,
    mid_phase: bool,
    last_sym: C,
    last_mid: C,
    dsym_acc: f32,
    dmid_acc: f32,
    // Gain and equalizer.
    gain: f32,
    gain_acc: f32,
    eq_re: [f32; EQ_TAPS],
    eq_im: [f32; EQ_TAPS],
    dl_re: [f32; 2 * DL],
    dl_im: [f32; 2 * DL],
    dpos: usize,
    /// Data mode: the LMS update of the previous symbol (step-scaled error in the equalizer's
    /// frame, and where its input starts in the delay line), applied after the next output.
    delayed: Option<(C, usize)>,
    /// Data mode: the previous symbol's carrier phase error, applied after the next output.
    delayed_phase: Option<f32>,
    // Carrier loop.
    /// Carrier phase correction as a unit phasor (cos θ, sin θ).
    rot: C,
    freq: f32,
    // Training.
    state: State,
    seq: Sequencer,
    seg1_count: u32,
    prev_z: C,
    last_turn: i8,
    alternations: u32,
    abab_seen: u32,
    recent: [u8; BOUNDARY_WINDOW],
    boundary_turns: [u8; BOUNDARY_WINDOW - 1],
    boundary_ref: u8,
    seg4_started: bool,
    seg4_count: u32,
    /// In a short training: the long training's sequence, in case the far end sent that.
    alt: Option<Sequencer>,
    alt_err: f32,
    short_err: f32,
    err_acc: f32,
    ref_acc: f32,
    // Data.
    viterbi: Viterbi,
    diff_prev: u8,
    descr: Descrambler,
    skip: u32,
    flush: [u8; HIST],
    /// For each cell of a grid over the signal space, the nearest point of each subset.
    grid: &'static [Cell],
    /// The constellation of the current rate as floats (label to point).
    points: [(f32, f32); 128],
    /// 1 / mean power of the constellation.
    inv_power: f32,
    quality: Option<f32>,
}

impl Core {
    fn new(rate: V17Rate) -> Self {
        let mut mix = [C::default(); MIX_LEN];
        for (n, m) in mix.iter_mut().enumerate() {
            let ph = -core::f32::consts::TAU * CARRIER_HZ * n as f32 / SAMPLE_RATE;
            *m = C::new(ph.cos(), ph.sin());
        }
        // Stored one place on: entry `mix_pos` is the phasor of the sample before it.
        mix.rotate_right(1);
        // y(n - μ) = e^{-jωn} Σ_k x[n-k]·h(k - μ)·e^{jωk}: filtering the real input with
        // the band-pass filter h·e^{jωk} and then mixing one output sample equals mixing every
        // input sample and low-pass filtering (V.17 §3.1 carrier, matched RRC pulse).
        let mut interp_re = [[0.0f32; ITAPS]; PHASES];
        let mut interp_im = [[0.0f32; ITAPS]; PHASES];
        let centre = (ITAPS as f32 - 1.0) / 2.0;
        let w = core::f32::consts::TAU * CARRIER_HZ / SAMPLE_RATE;
        for p in 0..PHASES {
            let mu = p as f32 / PHASES as f32;
            for k in 0..ITAPS {
                let h = rrc((k as f32 - mu - centre) / SPS, ROLL_OFF) / SPS;
                let (sn, cs) = (w * k as f32).sin_cos();
                interp_re[p][k] = h * cs;
                interp_im[p][k] = h * sn;
            }
        }
        let p0 = RMS_0DBM0 * RMS_0DBM0;
        let mut rx = Core {
            rate,
            short: false,
            eq_trained: false,
            mix,
            mix_pos: 0,
            ring: [0.0; 2 * RING],
            rpos: 0,
            interp_re,
            interp_im,
            power: 0.0,
            fast_power: 0.0,
            drop_level: 0.0,
            drop_count: 0,
            armed: true,
            adapt_toggle: false,
            rearm_level: 0.0,
            auto_short: false,
            on_level: p0 * 10f32.powf(CARRIER_ON_DBM0 / 10.0),
            off_level: p0 * 10f32.powf(CARRIER_OFF_DBM0 / 10.0),
            carrier: false,
            t_next: SPS / 2.0,
            step: SPS / 2.0,
            timing_int: 0.0,
            mid_phase: false,
            last_sym: C::default(),
            last_mid: C::default(),
            dsym_acc: 0.0,
            dmid_acc: 0.0,
            gain: 1.0,
            gain_acc: 0.0,
            eq_re: [0.0; EQ_TAPS],
            eq_im: [0.0; EQ_TAPS],
            dl_re: [0.0; 2 * DL],
            dl_im: [0.0; 2 * DL],
            dpos: 0,
            delayed: None,
            delayed_phase: None,
            rot: C::new(1.0, 0.0),
            freq: 0.0,
            state: State::Idle,
            seq: Sequencer::new(rate, false),
            seg1_count: 0,
            prev_z: C::default(),
            last_turn: 0,
            alternations: 0,
            abab_seen: 0,
            recent: [0; BOUNDARY_WINDOW],
            boundary_turns: [0; BOUNDARY_WINDOW - 1],
            boundary_ref: 0,
            seg4_started: false,
            seg4_count: 0,
            alt: None,
            alt_err: 0.0,
            short_err: 0.0,
            err_acc: 0.0,
            ref_acc: 0.0,
            viterbi: Viterbi::new(None),
            diff_prev: 0,
            descr: Descrambler::new(ScramblerKind::V29),
            skip: 0,
            flush: [0; HIST],
            grid: subset_grid(rate),
            points: [(0.0, 0.0); 128],
            inv_power: 0.0,
            quality: None,
        };
        rx.reset_equalizer();
        rx.set_points();
        // The expected training states around the segment 1 / 2 boundary: the last B, then
        // the first symbols of segment 2.
        let mut seq = Sequencer::new(rate, false);
        let mut idx = [0u8; BOUNDARY_WINDOW];
        for _ in 0..SEG1_SYMBOLS - 1 {
            seq.next_symbol(|| 1);
        }
        for i in idx.iter_mut() {
            let p = seq.next_symbol(|| 1);
            *i = TRAIN_POINTS.iter().position(|&t| t == p).unwrap_or(0) as u8;
        }
        for i in 1..BOUNDARY_WINDOW {
            rx.boundary_turns[i - 1] = (idx[i] + 4 - idx[i - 1]) & 3;
        }
        rx.boundary_ref = idx[BOUNDARY_WINDOW - 1];
        rx
    }

    fn set_short_train(&mut self, short: bool) {
        self.short = short && self.eq_trained;
    }

    fn restart(&mut self, rate: V17Rate, short_train: bool) {
        if rate != self.rate {
            self.grid = subset_grid(rate);
        }
        self.rate = rate;
        self.set_points();
        self.set_short_train(short_train);
        self.enter_idle();
        if !self.short {
            self.reset_equalizer();
        }
    }

    fn set_points(&mut self) {
        let map = self.rate.map();
        let mut p = 0.0;
        for (i, o) in self.points.iter_mut().enumerate() {
            let (x, y) = map[i % map.len()];
            *o = (x as f32, y as f32);
            p += (x as f32).powi(2) + (y as f32).powi(2);
        }
        self.inv_power = 128.0 / p;
    }

    fn reset_equalizer(&mut self) {
        self.eq_re = [0.0; EQ_TAPS];
        self.eq_im = [0.0; EQ_TAPS];
        self.eq_re[EQ_CENTRE] = 1.0;
        self.dl_re = [0.0; 2 * DL];
        self.dl_im = [0.0; 2 * DL];
        self.delayed = None;
        self.timing_int = 0.0;
        self.eq_trained = false;
    }

    fn enter_idle(&mut self) {
        self.drop_level = 0.0;
        self.state = State::Idle;
        self.carrier = false;
        self.delayed = None;
        self.delayed_phase = None;
    }

    fn start_seg1(&mut self) {
        self.state = State::Seg1;
        self.seg1_count = 0;
        self.alternations = 0;
        self.abab_seen = 0;
        self.last_turn = 0;
        self.gain_acc = 0.0;
        self.rot = C::new(1.0, 0.0);
        self.freq = 0.0;
        if !self.short {
            self.reset_equalizer();
            self.gain = 1.0;
        }
    }

    #[inline]
    fn push_dl(&mut self, v: C) {
        self.dpos = if self.dpos == 0 {
            DL - 1
        } else {
            self.dpos - 1
        };
        self.dl_re[self.dpos] = v.re;
        self.dl_re[self.dpos + DL] = v.re;
        self.dl_im[self.dpos] = v.im;
        self.dl_im[self.dpos + DL] = v.im;
    }

    #[inline]
    fn equalize(&self) -> C {
        let (Some(xr), Some(xi)) = (
            window::<EQ_TAPS>(&self.dl_re, self.dpos),
            window::<EQ_TAPS>(&self.dl_im, self.dpos),
        ) else {
            return C::default();
        };
        let (re, im) = cdot(&self.eq_re, &self.eq_im, xr, xi);
        C::new(re, im)
    }

    /// LMS update with error `e` (in the de-rotated frame) and step `mu`.
    #[inline]
    fn adapt(&mut self, e: C, mu: f32) {
        self.adapt_at(e.mul(self.rot).scale(mu), self.dpos);
    }

    /// LMS update `w += er·conj(x)` with the input `x` starting at `pos` of the delay line.
    #[inline]
    fn adapt_at(&mut self, er: C, pos: usize) {
        let (Some(xr), Some(xi)) = (
            window::<EQ_TAPS>(&self.dl_re, pos),
            window::<EQ_TAPS>(&self.dl_im, pos),
        ) else {
            return;
        };
        // w += er * conj(x): two plain element-wise loops, which LLVM vectorises.
        for ((w, &r), &i) in self.eq_re.iter_mut().zip(xr).zip(xi) {
            *w += er.re * r + er.im * i;
        }
        for ((w, &r), &i) in self.eq_im.iter_mut().zip(xr).zip(xi) {
            *w += er.im * r - er.re * i;
        }
    }

    #[inline]
    fn track_carrier(&mut self, z: C, target: C, alpha: f32, beta: f32) {
        let err = self.phase_error(z, target);
        self.steer(err, alpha, beta);
    }

    /// Phase error of `z` against the decision `target`, weighted by amplitude:
    /// Im(z·conj(t)) / mean power.
    #[inline]
    fn phase_error(&self, z: C, target: C) -> f32 {
        (z.im * target.re - z.re * target.im) * self.inv_power
    }

    /// One step of the second-order carrier loop on the phase error `err`.
    #[inline]
    fn steer(&mut self, err: f32, alpha: f32, beta: f32) {
        self.freq += beta * err;
        let d = (alpha * err + self.freq).clamp(-0.5, 0.5);
        // Rotate by d (small-angle series) and renormalise with a Newton step on the
        // present magnitude (computed from `rot` alone, off the loop's critical path).
        let g = 1.5 - 0.5 * self.rot.norm();
        let d2 = d * d;
        let q = C::new(1.0 - 0.5 * d2, d * (1.0 - d2 * (1.0 / 6.0))).scale(g);
        self.rot = self.rot.mul(q);
    }

    /// Best point of each subset for the received `z` (spec units), for the Viterbi decoder.
    #[inline]
    fn subset_metrics(&self, z: C) -> ([f32; 8], [u8; 8]) {
        // Through i32 (one conversion instruction; NaN gives 0), then clamped.
        let cell_of = |v: f32| (((v + GRID_HALF) * GRID_SCALE) as i32).clamp(0, GRID_N as i32 - 1);
        let (cx, cy) = (cell_of(z.re) as usize, cell_of(z.im) as usize);
        let cell = self.grid.get(cy * GRID_N + cx).copied().unwrap_or_default();
        let mut d = [0.0f32; 8];
        for (d, &label) in d.iter_mut().zip(&cell) {
            let (x, y) = self.points[label as usize & 127];
            let dx = z.re - x;
            let dy = z.im - y;
            *d = dx * dx + dy * dy;
        }
        (d, cell)
    }

    fn decode<K: RxSink + ?Sized>(&mut self, dist: &[f32; 8], labels: &[u8; 8], sink: &mut K) {
        let mut out = [0u8; CHUNK];
        let n = self.viterbi.step(dist, labels, &mut out);
        for &l in &out[..n] {
            self.emit(l, sink);
        }
    }

    fn emit<K: RxSink + ?Sized>(&mut self, label: u8, sink: &mut K) {
        let y12 = (label >> 1) & 3;
        let q = diff_decode(self.diff_prev, y12);
        self.diff_prev = y12;
        let nb = self.rate.bits_per_symbol() as u32;
        // The line bits in sending order, the first in bit nb-1 (V.17 §3.3: Q1, Q2, then
        // Y3..Y6 of the label).
        // Y3 goes first: the nb - 2 label bits from Y3 up, bit-reversed below Q1 Q2.
        let extra = nb - 2;
        let ys = u32::from(REVERSE4[usize::from((label >> 3) & 15)]) >> (4 - extra);
        let word = (u32::from(q & 1) << 1 | u32::from((q >> 1) & 1)) << extra | ys;
        let data = self.descr.descramble_word(word, nb);
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        sink.put_bits(data, nb);
    }

    fn carrier_down<K: RxSink + ?Sized>(&mut self, sink: &mut K) {
        // After a signal ends, wait for the level to fall (to the floor, or 15 dB below the
        // signal) before looking for the next one.
        self.rearm_level = self.off_level.max(self.drop_level);
        if self.state == State::Data {
            let mut buf = self.flush;
            let n = self.viterbi.flush(&mut buf);
            for &l in &buf[..n] {
                self.emit(l, sink);
            }
        }
        debug!("V.17 carrier down");
        self.enter_idle();
        self.armed = false;
        if self.auto_short && self.eq_trained {
            self.short = true;
        }
        sink.status(RxStatus::CarrierDown);
    }

    /// One symbol-spaced sample `y` (already gain-scaled, before the equalizer).
    fn symbol<K: RxSink + ?Sized>(&mut self, sink: &mut K) {
        let raw = self.equalize();
        // Delayed LMS: the previous symbol's update goes in after this output, off the
        // output → decision → update → output chain (the one-symbol delay costs nothing at
        // data-mode step sizes).
        if let Some((er, pos)) = self.delayed.take() {
            self.adapt_at(er, pos);
        }
        let z = raw.mul_conj(self.rot);
        // Likewise the carrier loop: one symbol of delay, off the z → decision → phase chain.
        if let Some(err) = self.delayed_phase.take() {
            self.steer(err, DATA_ALPHA, DATA_BETA);
        }
        match self.state {
            State::Idle | State::Failed => {}
            State::Seg1 => self.seg1(z),
            State::Train => self.train(z, sink),
            State::Data => self.data(z, sink),
        }
    }

    fn seg1(&mut self, z: C) {
        self.seg1_count += 1;
        // Carrier phase: decision-directed on the training states.
        let q = nearest_train(z);
        let t = TRAIN_POINTS[q];
        let target = C::new(t.0 as f32, t.1 as f32);
        if self.seg1_count > 8 {
            self.track_carrier(z, target, 0.15, 0.004);
        }
        let r = z.mul_conj(self.prev_z);
        self.prev_z = z;
        let turn: i8 = if r.im.abs() > 2.0 * r.re.abs() {
            if r.im > 0.0 {
                1
            } else {
                -1
            }
        } else {
            0
        };
        if turn != 0 && turn == -self.last_turn {
            self.alternations += 1;
            if self.alternations >= MIN_ALTERNATIONS {
                self.abab_seen = self.seg1_count;
            }
        } else {
            self.alternations = 0;
        }
        self.last_turn = turn;
        self.recent[self.seg1_count as usize % BOUNDARY_WINDOW] = q as u8;
        if self.abab_seen == 0 || self.seg1_count < BOUNDARY_WINDOW as u32 {
            return;
        }
        if self.seg1_count > self.abab_seen + 2 * SEG1_SYMBOLS {
            // Alternations without a segment 2: start over.
            self.abab_seen = 0;
            return;
        }
        // Does the window end 15 symbols into segment 2 (turns compared, phase-free)?
        let mut matches = 0;
        for i in 1..BOUNDARY_WINDOW {
            let a = self.recent[(self.seg1_count as usize + 1 + i) % BOUNDARY_WINDOW];
            let b = self.recent[(self.seg1_count as usize + i) % BOUNDARY_WINDOW];
            if (a + 4 - b) & 3 == self.boundary_turns[i - 1] {
                matches += 1;
            }
        }
        if matches < BOUNDARY_WINDOW - 3 {
            return;
        }
        let seen = (BOUNDARY_WINDOW - 1) as u32;
        let rot = (self.boundary_ref as i32 + 4 - q as i32) % 4;
        // z is multiplied by j^rot: the correction phasor by j^-rot.
        for _ in 0..rot {
            self.rot = C::new(self.rot.im, -self.rot.re);
        }
        self.seq = Sequencer::new(self.rate, self.short);
        for _ in 0..SEG1_SYMBOLS + seen {
            self.seq.next_symbol(|| 1);
        }
        self.state = State::Train;
        self.seg4_started = false;
        self.alt = if self.short {
            let mut long = Sequencer::new(self.rate, false);
            for _ in 0..SEG1_SYMBOLS + seen {
                long.next_symbol(|| 1);
            }
            Some(long)
        } else {
            None
        };
        self.alt_err = 0.0;
        self.short_err = 0.0;
        self.err_acc = 0.0;
        self.ref_acc = 0.0;
        debug!(short = self.short, "V.17 segment 2 found");
    }

    fn train<K: RxSink + ?Sized>(&mut self, z: C, sink: &mut K) {
        let stage = self.seq.stage();
        if stage == Stage::Data {
            let snr = 10.0 * (self.ref_acc / self.err_acc.max(1e-9)).log10();
            self.quality = Some(snr);
            if snr >= min_training_snr_db(self.rate) {
                debug!(snr, "V.17 training succeeded");
                self.eq_trained = true;
                self.state = State::Data;
                // A fall of 15 dB below the trained level ends the signal quickly.
                self.drop_level = self.power * 0.03;
                sink.status(RxStatus::TrainingSucceeded);
                self.data(z, sink);
            } else {
                debug!(snr, "V.17 training failed");
                self.state = State::Failed;
                sink.status(RxStatus::TrainingFailed);
            }
            return;
        }
        if stage == Stage::Seg4 && !self.seg4_started {
            self.seg4_started = true;
            self.seg4_count = 0;
            self.viterbi.reset(Some(SEG4_CONV_STATE));
            self.diff_prev = self.seq.diff_state();
            self.skip = SEG4_SYMBOLS;
        }
        // Armed for a short training but the far end sent a long one? Both share the first
        // 38 symbols of segment 2; after that, compare against the long sequence too.
        if let Some(alt) = self.alt.as_mut() {
            let ta = alt.next_symbol(|| 1);
            let ea = C::new(ta.0 as f32, ta.1 as f32).sub(z).norm();
            self.alt_err = self.alt_err * 0.9 + ea;
            if stage == Stage::Seg4 {
                self.seg4_count += 1;
                if self.seg4_count == LONG_CHECK_SYMBOLS && self.alt_err * 4.0 < self.short_err {
                    debug!("V.17 long training received while armed for short: following it");
                    if let Some(long) = self.alt.take() {
                        self.seq = long;
                    }
                    self.short = false;
                    self.seg4_started = false;
                    return;
                }
            }
        }
        let t = self.seq.next_symbol(|| 1);
        let target = C::new(t.0 as f32, t.1 as f32);
        let e = target.sub(z);
        if self.alt.is_some() {
            self.short_err = self.short_err * 0.9 + e.norm();
        }
        let long_seg2 = !self.short && stage == Stage::Seg2;
        let mu = if long_seg2 { 0.25 } else { 0.08 } / (EQ_TAPS as f32 * TRAIN_POWER);
        self.adapt(e, mu);
        let (a, b) = if long_seg2 {
            (0.1, 0.003)
        } else {
            (0.05, 0.001)
        };
        self.track_carrier(z, target, a, b);
        self.err_acc = self.err_acc * 0.98 + e.norm();
        self.ref_acc = self.ref_acc * 0.98 + target.norm();
        if stage == Stage::Seg4 {
            let (dist, labels) = self.subset_metrics(z);
            self.decode(&dist, &labels, sink);
        }
    }

    fn data<K: RxSink + ?Sized>(&mut self, z: C, sink: &mut K) {
        let (dist, labels) = self.subset_metrics(z);
        // Hard decision: the nearest of the eight subset points (same tie order as a
        // pairwise tree: the lower subset wins).
        let pick = |a: usize, b: usize| if dist[b] < dist[a] { b } else { a };
        let (m01, m23, m45, m67) = (pick(0, 1), pick(2, 3), pick(4, 5), pick(6, 7));
        let h = pick(pick(m01, m23), pick(m45, m67));
        let p = self.points[labels[h] as usize & 127];
        let target = C::new(p.0, p.1);
        let e = target.sub(z);
        // Data-mode tracking: the equalizer adapts on every other symbol (half the cost, and
        // plenty for line drift).
        self.adapt_toggle = !self.adapt_toggle;
        if self.adapt_toggle {
            let mu = 0.04 / (EQ_TAPS as f32 * TRAIN_POWER);
            self.delayed = Some((e.mul(self.rot).scale(mu), self.dpos));
        }
        self.delayed_phase = Some(self.phase_error(z, target));
        self.err_acc = self.err_acc * 0.998 + e.norm();
        self.ref_acc = self.ref_acc * 0.998 + target.norm();
        self.decode(&dist, &labels, sink);
    }

    fn process<K: RxSink + ?Sized>(&mut self, x: i16, sink: &mut K) {
        let xf = x as f32;
        self.power += (xf * xf - self.power) * (1.0 / 64.0);
        self.fast_power += (xf * xf - self.fast_power) * (1.0 / 16.0);
        if self.fast_power < self.drop_level {
            self.drop_count += 1;
        } else {
            self.drop_count = 0;
        }
        if !self.carrier {
            if self.power < self.rearm_level {
                self.armed = true;
            }
            if self.armed && self.power > self.on_level {
                self.carrier = true;
                debug!("V.17 carrier up");
                sink.status(RxStatus::CarrierUp);
                self.start_seg1();
            } else {
                return;
            }
        } else if self.power < self.off_level || self.drop_count > DROP_SAMPLES {
            self.carrier_down(sink);
            return;
        }
        self.mix_pos = if self.mix_pos + 1 == MIX_LEN {
            0
        } else {
            self.mix_pos + 1
        };
        self.rpos = if self.rpos == 0 {
            RING - 1
        } else {
            self.rpos - 1
        };
        self.ring[self.rpos] = xf;
        self.ring[self.rpos + RING] = xf;
        self.t_next -= 1.0;
        if self.t_next > 0.0 {
            return;
        }
        self.half_symbol(sink);
    }

    /// The carrier is on: run samples through the power meters into the filter ring,
    /// producing each T/2 sample when due, until the carrier drops or the block ends. Returns
    /// the number of samples consumed.
    fn run<K: RxSink + ?Sized>(&mut self, samples: &[i16], sink: &mut K) -> usize {
        let mut power = self.power;
        let mut fast = self.fast_power;
        let mut drop = self.drop_count;
        let mut t = self.t_next;
        let mut rp = self.rpos;
        let off_level = self.off_level;
        let mut drop_level = self.drop_level;
        let mut used = 0;
        let mut ended = false;
        let mut mp = self.mix_pos;
        for &x in samples {
            used += 1;
            let xf = x as f32;
            power += (xf * xf - power) * (1.0 / 64.0);
            fast += (xf * xf - fast) * (1.0 / 16.0);
            drop = if fast < drop_level { drop + 1 } else { 0 };
            if power < off_level || drop > DROP_SAMPLES {
                ended = true;
                break;
            }
            mp += 1;
            rp = rp.wrapping_sub(1) & (RING - 1);
            self.ring[rp] = xf;
            self.ring[rp + RING] = xf;
            t -= 1.0;
            if t <= 0.0 {
                self.power = power;
                self.t_next = t;
                // Two samples at most pass between T/2 samples (the step stays near 5/3):
                // one subtraction keeps the index in range.
                mp = if mp >= MIX_LEN { mp - MIX_LEN } else { mp };
                self.mix_pos = mp;
                self.rpos = rp;
                self.half_symbol(sink);
                t = self.t_next;
                drop_level = self.drop_level;
            }
        }
        self.mix_pos = mp % MIX_LEN;
        self.power = power;
        self.fast_power = fast;
        self.drop_count = drop;
        self.t_next = t;
        self.rpos = rp;
        if ended {
            self.carrier_down(sink);
        }
        used
    }

    /// Produce one T/2-spaced sample at the fractional position given by `t_next`, then run
    /// the timing loop and, at symbol phase, the symbol processing.
    fn half_symbol<K: RxSink + ?Sized>(&mut self, sink: &mut K) {
        let mu = -self.t_next;
        let p = ((mu * PHASES as f32) as i32).clamp(0, PHASES as i32 - 1) as usize;
        let Some(w) = window::<ITAPS>(&self.ring, self.rpos) else {
            return;
        };
        let (sr, si) = rdot(&self.interp_re[p], &self.interp_im[p], w);
        let s = C::new(sr, si);
        // e^{-jωn} of the newest sample (the mixer index has already moved past it; the
        // table is stored one place on).
        let m = self.mix.get(self.mix_pos).copied().unwrap_or_default();
        let C { re, im } = s.mul(m);
        let y = C::new(re * self.gain, im * self.gain);
        self.mid_phase = !self.mid_phase;
        self.push_dl(y);
        if self.mid_phase {
            if self.state == State::Seg1 {
                self.dmid_acc = self.dmid_acc * 0.9 + y.sub(self.last_mid).norm();
            }
            self.last_mid = y;
            self.t_next += self.step;
            return;
        }
        // Symbol-phase sample: Gardner timing error, gain control, then the symbol.
        if self.state == State::Seg1 {
            self.dsym_acc = self.dsym_acc * 0.9 + y.sub(self.last_sym).norm();
            // Sampling the alternations at their crossings (Gardner's unstable point):
            // swap the symbol and mid-symbol sample streams.
            if self.seg1_count & 7 == 0 && self.dmid_acc > 3.0 * self.dsym_acc {
                self.mid_phase = true;
                self.dsym_acc = self.dmid_acc;
                self.last_mid = y;
                self.t_next += self.step;
                return;
            }
        }
        let ted = (self.last_sym.re - y.re) * self.last_mid.re
            + (self.last_sym.im - y.im) * self.last_mid.im;
        self.last_sym = y;
        let ted = (ted * (0.5 / TRAIN_POWER)).clamp(-1.0, 1.0);
        let (kp, ki) = match self.state {
            State::Seg1 => (0.02, 0.0),
            State::Train => (0.005, 0.000002),
            _ => (0.003, 0.0000005),
        };
        self.timing_int = (self.timing_int + ki * ted).clamp(-0.01, 0.01);
        self.step = SPS / 2.0 + (kp * ted + self.timing_int) * 0.5;
        self.t_next += self.step;
        if self.state == State::Seg1 && !self.short {
            // Fast AGC on the alternations: symbol power of A/B is 40.
            let pw = C::new(re, im).norm();
            self.gain_acc = if self.gain_acc == 0.0 {
                pw
            } else {
                self.gain_acc * 0.9 + pw * 0.1
            };
            self.gain = (TRAIN_POWER / self.gain_acc.max(1e-12)).sqrt();
        }
        self.symbol(sink);
    }
}

/// Sum of four lanes.
#[inline(always)]
fn hsum(a: [f32; 4]) -> f32 {
    (a[0] + a[1]) + (a[2] + a[3])
}

/// Sum of the lanes of each accumulator, after a `black_box`: seen through, the final sums
/// make LLVM's SLP vectoriser regroup the lanes into shuffled pairs inside the loops that fill
/// the accumulators; hidden, the loops stay one multiply and one add per four taps.
#[inline(always)]
fn lane_sums<const M: usize>(acc: [[f32; 4]; M]) -> [f32; M] {
    let acc = std::hint::black_box(acc);
    let mut out = [0.0f32; M];
    for (o, a) in out.iter_mut().zip(&acc) {
        *o = hsum(*a);
    }
    out
}

/// Dot products of the real `x` with the complex taps `hr + j·hi` in one pass (`N` a
/// multiple of 4).
#[inline(always)]
fn rdot<const N: usize>(hr: &[f32; N], hi: &[f32; N], x: &[f32; N]) -> (f32, f32) {
    let mut acc = [[0.0f32; 4]; 2];
    for c in (0..N / 4).map(|c| 4 * c) {
        for k in 0..4 {
            acc[0][k] += hr[c + k] * x[c + k];
            acc[1][k] += hi[c + k] * x[c + k];
        }
    }
    let [re, im] = lane_sums(acc);
    (re, im)
}

/// Complex dot product Σ (wr + j·wi)(xr + j·xi) in one pass (`N` a multiple of 4).
#[inline(always)]
fn cdot<const N: usize>(wr: &[f32; N], wi: &[f32; N], xr: &[f32; N], xi: &[f32; N]) -> (f32, f32) {
    let mut acc = [[0.0f32; 4]; 4];
    for c in (0..N / 4).map(|c| 4 * c) {
        for k in 0..4 {
            let (a, b, x, y) = (wr[c + k], wi[c + k], xr[c + k], xi[c + k]);
            acc[0][k] += a * x;
            acc[1][k] += b * y;
            acc[2][k] += a * y;
            acc[3][k] += b * x;
        }
    }
    let [rr, ii, ri, ir] = lane_sums(acc);
    (rr - ii, ri + ir)
}

/// The `N` values of `v` from `at` on, as an array (`None` only if out of range, which the
/// ring indexing never produces).
#[inline]
fn window<const N: usize>(v: &[f32], at: usize) -> Option<&[f32; N]> {
    v.get(at..).and_then(|s| s.first_chunk::<N>())
}

/// Index of the training state nearest `z`.
#[inline]
fn nearest_train(z: C) -> usize {
    let mut bi = 0;
    let mut bd = f32::INFINITY;
    for (i, &(x, y)) in TRAIN_POINTS.iter().enumerate() {
        let d = (z.re - x as f32).powi(2) + (z.im - y as f32).powi(2);
        if d < bd {
            bd = d;
            bi = i;
        }
    }
    bi
}

impl Demodulator for V17Rx {
    fn demodulate<K: RxSink + ?Sized>(&mut self, samples: &[i16], sink: &mut K) {
        let c = &mut *self.core;
        let mut i = 0;
        while i < samples.len() {
            if c.carrier {
                i += c.run(&samples[i..], sink);
            } else {
                c.process(samples[i], sink);
                i += 1;
            }
        }
    }

    fn reset(&mut self) {
        let c = &mut *self.core;
        c.enter_idle();
        c.short = false;
        c.armed = true;
        c.reset_equalizer();
        c.power = 0.0;
        c.fast_power = 0.0;
    }

    /// Training quality (V.17 §7: equalizer error over the known training sequence) and,
    /// during data, the running decision-error ratio, in dB.
    fn signal_quality_db(&self) -> Option<f32> {
        let c = &*self.core;
        c.quality.map(|q| {
            if c.state == State::Data {
                10.0 * (c.ref_acc / c.err_acc.max(1e-9)).log10()
            } else {
                q
            }
        })
    }
}
