//! The common receiver engine of the QAM/PSK modems: front end, alternation detector,
//! gain/phase/frequency acquisition, equalizer and carrier loop.
//!
//! A modem-specific receiver (V.27ter, V.29, V.17) drives it sample by sample with
//! [`RxEngine::push_sample`] and reacts to each [`Step`]: on [`Step::Detected`] the training's
//! alternation has been found; after a short acquisition every [`Step::Symbol`] carries one
//! equalized, derotated symbol in the constellation's own units, which the modem slices
//! (with its training or data alphabet) and hands back through [`RxEngine::adapt`] so the
//! equalizer and the carrier loop learn from the decision. The V.27ter and V.29 receivers
//! feed it a block at a time with [`RxEngine::push_samples`] (the same steps).
//!
//! Acquisition (after detection, over `est_symbols` on-time samples `y`): with the reference
//! alternation points `A`, `B` and a power `M` (1 when `A + B != 0`, 2 for phase reversals)
//! the frequency offset is `arg(sum y_k^M conj(y_{k-L}^M)) / (M L)` and the complex channel
//! gain `g` satisfies `g^M = mean(y_k^M e^{-j M w k}) / ((A^M + B^M) / 2)`. The equalizer
//! starts as the single tap `1/g`; the carrier loop starts at the estimated frequency.
//!
//! Short training ([`RxEngine::arm_short`]): the detector reacts faster, the acquisition
//! averages fewer symbols and, when the equalizer was trained before, it runs on the
//! equalizer's output with the frequency already known, and scales the kept taps by `1/g`
//! instead of replacing them; the clock-rate estimate is kept too.

use super::carrier::CarrierLoop;
use super::detect::{AlternationDetector, DetectorConfig};
use super::equalizer::Equalizer;
use super::frontend::{HalfSymbol, Run, RxFrontEnd};
use super::Complex32;

/// Most symbols the acquisition may average over.
pub const MAX_EST_SYMBOLS: usize = 64;

/// Receiver-engine settings for one modem and rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RxEngineConfig {
    /// Carrier frequency in Hz (V.27ter 1800, V.29 1700, V.17 1800).
    pub carrier_hz: u32,
    /// Symbol rate (1200, 1600, 2400).
    pub baud: u32,
    /// Matched-filter RRC roll-off.
    pub beta: f64,
    /// Matched-filter half span in symbols.
    pub mf_half_span: f64,
    /// Equalizer length in T/2 taps.
    pub eq_taps: usize,
    /// Alternation detector settings.
    pub detector: DetectorConfig,
    /// The alternation points A and B in constellation units.
    pub reference: [Complex32; 2],
    /// Power used by the acquisition (1 or 2; see the module docs).
    pub est_power: u32,
    /// Lag in symbols of the frequency estimate (1 or 2).
    pub est_lag: usize,
    /// Symbols averaged by the acquisition (at most [`MAX_EST_SYMBOLS`]).
    pub est_symbols: usize,
    /// Weakest input (dBm0) at which a detection is accepted.
    pub min_level_dbm0: f32,
}

/// What happened on one input sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Nothing for the modem to do.
    Idle,
    /// The training alternation was detected; acquisition runs next.
    Detected,
    /// One equalized, derotated symbol; answer with [`RxEngine::adapt`].
    Symbol(Complex32),
    /// The signal power fell well below the level at detection (carrier off).
    Lost,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Search,
    Estimate,
    Track,
}

/// The common receiver engine (see the module docs).
#[derive(Debug, Clone)]
pub struct RxEngine {
    cfg: RxEngineConfig,
    fe: RxFrontEnd,
    det: AlternationDetector,
    eq: Equalizer,
    /// The equalizer length as a float (for the step normalisation).
    eq_len: f32,
    carrier: CarrierLoop,
    state: State,
    est: [Complex32; MAX_EST_SYMBOLS],
    est_n: usize,
    est_f: Complex32,
    in_pwr: f32,
    /// Carrier-off level: [`LOST_RATIO`] times the input power at detection.
    lost_pwr: f32,
    low_run: u32,
    min_pwr: f32,
    last_q: Complex32,
    /// The derotation phasor `last_q` was formed with.
    last_rot: Complex32,
    /// Delayed mode (see [`RxEngine::set_delayed_updates`]) and the carrier phase error
    /// waiting to be applied.
    delayed: bool,
    carrier_err: Option<f32>,
    mse: f32,
    eq_mu: f32,
    short: bool,
    keep: bool,
    skip: usize,
    /// Adapt the equalizer on every `eq_every`-th symbol only (1: every symbol).
    eq_every: u32,
    eq_phase: u32,
}

/// Input-power averaging coefficient per sample (about 8 ms).
const IN_PWR_ALPHA: f32 = 1.0 / 64.0;
/// Carrier-off: power this far below the level at detection...
const LOST_RATIO: f32 = 0.15;
/// ...for this many samples (12.5 ms).
const LOST_SAMPLES: u32 = 100;

impl RxEngine {
    /// An engine for `cfg`.
    pub fn new(cfg: RxEngineConfig) -> Self {
        let eq = Equalizer::new(cfg.eq_taps);
        let mut e = RxEngine {
            cfg,
            fe: RxFrontEnd::new(cfg.carrier_hz, cfg.baud, cfg.beta, cfg.mf_half_span),
            det: AlternationDetector::new(cfg.detector),
            eq_len: eq.len() as f32,
            eq,
            carrier: CarrierLoop::new(0.05, 0.002),
            state: State::Search,
            est: [Complex32::ZERO; MAX_EST_SYMBOLS],
            est_n: 0,
            est_f: Complex32::ZERO,
            in_pwr: 0.0,
            lost_pwr: 0.0,
            low_run: 0,
            min_pwr: telefax_dsp::power::dbm0_to_power(cfg.min_level_dbm0),
            last_q: Complex32::ZERO,
            last_rot: Complex32::ONE,
            delayed: false,
            carrier_err: None,
            mse: 0.0,
            eq_mu: 0.05,
            short: false,
            keep: false,
            skip: 0,
            eq_every: 1,
            eq_phase: 0,
        };
        e.restart();
        e
    }

    /// The configuration.
    pub fn config(&self) -> &RxEngineConfig {
        &self.cfg
    }

    /// Forget everything and search for a new training.
    pub fn reset(&mut self) {
        self.fe.reset();
        self.in_pwr = 0.0;
        self.restart();
    }

    /// Search for a new training, keeping the front end running (for after a failed or
    /// finished reception while the line stays busy).
    pub fn restart(&mut self) {
        self.apply_pending();
        self.delayed = false;
        self.short = false;
        self.keep = false;
        self.det = AlternationDetector::new(self.cfg.detector);
        self.state = State::Search;
        self.est_n = 0;
        self.est_f = Complex32::ZERO;
        self.low_run = 0;
        self.mse = 0.0;
        self.fe.set_timing_gains(0.08, 0.001);
        self.carrier.set_gains(0.05, 0.002);
        self.eq_mu = 0.05;
        self.eq_every = 1;
    }

    /// Expect a short training next (call after [`RxEngine::restart`]): a detector twice as
    /// fast, acquisition over a third of the symbols and, with `keep_equalizer`, the
    /// equalizer taps, carrier frequency and clock rate learnt so far are kept (only gain and
    /// phase are re-estimated, on the equalizer output).
    pub fn arm_short(&mut self, keep_equalizer: bool) {
        self.short = true;
        self.keep = keep_equalizer;
        let mut d = self.cfg.detector;
        d.alpha = (d.alpha * 2.0).min(0.5);
        d.hold_symbols = (d.hold_symbols / 2).max(2);
        self.det = AlternationDetector::new(d);
        if keep_equalizer {
            // Hold the clock-rate estimate while searching.
            self.fe.set_timing_gains(0.08, 0.0);
        } else {
            self.fe.reset_timing_rate();
        }
    }

    /// Switch the loops to their slow, low-jitter settings for data (after training).
    pub fn set_data_mode(&mut self) {
        self.fe.set_timing_gains(0.01, 0.00005);
        self.carrier.set_gains(0.01, 0.0001);
    }

    /// Set the normalised equalizer step (NLMS `mu`, typically 0.05 in training and 0.01 for
    /// data).
    pub fn set_eq_mu(&mut self, mu: f32) {
        self.eq_mu = mu;
    }

    /// Adapt the equalizer on every `n`-th symbol only (1, the default after a restart: every
    /// symbol). Once the equalizer has converged the channel hardly changes during a page,
    /// so updating on every second symbol tracks it as well at half the cost.
    pub fn set_eq_update_interval(&mut self, n: u32) {
        self.eq_every = n.max(1);
    }

    /// Apply each symbol's equalizer update and carrier correction one symbol late: the next
    /// output is formed (and derotated) before the previous decision's corrections go in,
    /// so the decision no longer lies on the path from one symbol to the next. For data
    /// once the loops have settled (step sizes small enough that one symbol of delay changes
    /// nothing); a restart turns it off.
    pub fn set_delayed_updates(&mut self, on: bool) {
        if !on {
            self.apply_pending();
        }
        self.delayed = on;
    }

    /// Apply the equalizer update and carrier correction still held back, if any.
    fn apply_pending(&mut self) {
        self.eq.flush();
        if let Some(err) = self.carrier_err.take() {
            self.carrier.advance(err);
        }
    }

    /// Rotate the decision frame by `phase` radians (resolving a known ambiguity).
    pub fn rotate(&mut self, phase: f32) {
        self.carrier.rotate_by(phase);
    }

    /// Mean squared decision error (constellation units²), averaged over about 64 symbols.
    pub fn mse(&self) -> f32 {
        self.mse
    }

    /// Restart the mean squared error average at `v`.
    pub fn set_mse(&mut self, v: f32) {
        self.mse = v;
    }

    /// Input level in dBm0 (short-term).
    pub fn input_dbm0(&self) -> f32 {
        telefax_dsp::power::power_to_dbm0(self.in_pwr)
    }

    /// Carrier frequency offset estimate in Hz.
    pub fn carrier_offset_hz(&self) -> f32 {
        self.carrier.omega() * self.cfg.baud as f32 / (2.0 * std::f32::consts::PI)
    }

    /// Sample-clock offset estimate in ppm.
    pub fn clock_offset_ppm(&self) -> f64 {
        self.fe.clock_offset_ppm()
    }

    /// Whether the engine is past acquisition and producing symbols.
    pub fn tracking(&self) -> bool {
        self.state == State::Track
    }

    /// Feed one input sample.
    #[inline(always)]
    pub fn push_sample(&mut self, x: i16) -> Step {
        let xf = f32::from(x);
        // One multiply-add on the running power's own dependency chain per sample.
        self.in_pwr = self.in_pwr * (1.0 - IN_PWR_ALPHA) + IN_PWR_ALPHA * (xf * xf);
        if self.state != State::Search {
            if self.in_pwr < self.lost_pwr {
                if self.low() {
                    return Step::Lost;
                }
            } else {
                self.low_run = 0;
            }
        }
        let Some(h) = self.fe.push(xf) else {
            return Step::Idle;
        };
        self.half_symbol(h)
    }

    /// Feed input samples from `xs` until something happens: returns the number of samples
    /// taken and the [`Step`] of the last of them, which is [`Step::Idle`] only when all of
    /// `xs` was taken. The same as [`RxEngine::push_sample`] on each sample in turn, with
    /// the front end's input stored ahead in blocks ([`RxFrontEnd::store_ahead`]); until
    /// `xs` is used up, the next call must pass the rest of it (the samples after those
    /// taken).
    #[inline(always)]
    pub fn push_samples(&mut self, xs: &[i16]) -> (usize, Step) {
        // Samples stored ahead by the last call are the start of `xs` (the rest of its
        // input): the caller must pass that rest next, as the receivers do.
        self.fe.check_ahead(xs.len());
        let mut i = 0;
        while i < xs.len() {
            // The front end holds the next samples already, or takes a block of them now.
            if !self.fe.has_stored() && self.fe.store_ahead(xs.get(i..).unwrap_or_default()) == 0 {
                // Cannot happen (the buffer always has room after a slide).
                return (xs.len(), Step::Idle);
            }
            // Up to the next output, with the input power and the carrier-off test in
            // registers: a sample below the carrier-off level is refused and handled below.
            let lost_pwr = if self.state != State::Search {
                self.lost_pwr
            } else {
                f32::NEG_INFINITY
            };
            let mut pwr = self.in_pwr;
            let mut low_run = self.low_run;
            let (n, run) = self.fe.take_run(|xf| {
                // One multiply-add on the running power's own dependency chain per sample.
                pwr = pwr * (1.0 - IN_PWR_ALPHA) + IN_PWR_ALPHA * (xf * xf);
                if pwr < lost_pwr {
                    return false;
                }
                low_run = 0;
                true
            });
            self.in_pwr = pwr;
            self.low_run = low_run;
            i += n;
            let h = match run {
                Run::Output(h) => h,
                Run::Empty => continue,
                Run::Refused => {
                    // The refused sample (its power is counted).
                    i += 1;
                    if self.low() {
                        // This sample does not reach the front end.
                        self.fe.drop_stored();
                        return (i, Step::Lost);
                    }
                    let Some(h) = self.fe.take_stored() else {
                        continue;
                    };
                    h
                }
            };
            let step = self.half_symbol(h);
            if !matches!(step, Step::Idle) {
                return (i, step);
            }
        }
        (xs.len(), Step::Idle)
    }

    /// One more sample below the carrier-off level: true (after a restart) once there have
    /// been enough in a row.
    #[cold]
    #[inline(never)]
    fn low(&mut self) -> bool {
        self.low_run += 1;
        if self.low_run >= LOST_SAMPLES {
            self.restart();
            return true;
        }
        false
    }

    /// One T/2 output of the front end.
    #[inline(always)]
    fn half_symbol(&mut self, h: HalfSymbol) -> Step {
        if self.state != State::Track {
            self.eq.push(h.value);
            return self.acquire(h);
        }
        if !h.on_time {
            self.eq.push(h.value);
            return Step::Idle;
        }
        if self.delayed {
            // This output first, then (in the same pass) the previous symbol's update; the
            // previous carrier correction after the derotation.
            let z = self.eq.push_and_output::<false>(h.value);
            let rot = self.carrier.phasor();
            let q = z * rot;
            if let Some(err) = self.carrier_err.take() {
                self.carrier.advance(err);
            }
            self.last_q = q;
            self.last_rot = rot;
            return Step::Symbol(q);
        }
        // The previous symbol's equalizer update goes in here, in the same pass.
        let z = self.eq.push_and_output::<true>(h.value);
        let rot = self.carrier.phasor();
        let q = z * rot;
        self.last_q = q;
        self.last_rot = rot;
        Step::Symbol(q)
    }

    /// Search and acquisition: one T/2 output `h` before tracking starts.
    #[inline(never)]
    fn acquire(&mut self, h: HalfSymbol) -> Step {
        match self.state {
            State::Search => {
                if self.det.push(h) && self.in_pwr > self.min_pwr {
                    if !self.short {
                        self.fe.reset_timing_rate();
                    }
                    self.state = State::Estimate;
                    // On the equalizer's output, wait until it is formed from the signal.
                    self.skip = if self.keep {
                        self.eq.delay_symbols()
                    } else {
                        0
                    };
                    self.lost_pwr = self.in_pwr * LOST_RATIO;
                    self.est_n = 0;
                    self.est_f = Complex32::ZERO;
                    return Step::Detected;
                }
                Step::Idle
            }
            State::Estimate => {
                if h.on_time {
                    if self.skip > 0 {
                        self.skip -= 1;
                    } else {
                        let y = if self.keep { self.eq.output() } else { h.value };
                        self.estimate(y);
                    }
                }
                Step::Idle
            }
            State::Track => Step::Idle,
        }
    }

    fn estimate(&mut self, y: Complex32) {
        let ym = if self.cfg.est_power == 2 { y * y } else { y };
        let n = self.est_n;
        let lag = self.cfg.est_lag;
        if n >= lag {
            self.est_f += ym * self.est[n - lag].conj();
        }
        self.est[n] = ym;
        self.est_n += 1;
        let total = if self.short {
            self.cfg.est_symbols / 3
        } else {
            self.cfg.est_symbols
        }
        .clamp(4, MAX_EST_SYMBOLS);
        if self.est_n < total {
            return;
        }
        let m = self.cfg.est_power.max(1) as f32;
        let w = if self.keep {
            self.carrier.omega()
        } else {
            self.est_f.arg() / (m * lag as f32)
        };
        let mut g = Complex32::ZERO;
        for (k, v) in self.est[..total].iter().enumerate() {
            g += *v * Complex32::from_polar(1.0, -m * w * (k as f32 - (total - 1) as f32));
        }
        let [a, b] = self.cfg.reference;
        let r = if self.cfg.est_power == 2 {
            (a * a + b * b).scale(0.5)
        } else {
            (a + b).scale(0.5)
        };
        let gm = g.scale(1.0 / total as f32);
        let gm = Complex32::new(
            (gm.re * r.re + gm.im * r.im) / r.norm_sqr().max(1e-20),
            (gm.im * r.re - gm.re * r.im) / r.norm_sqr().max(1e-20),
        );
        let g = if self.cfg.est_power == 2 {
            Complex32::from_polar(gm.abs().sqrt(), gm.arg() / 2.0)
        } else {
            gm
        };
        if g.norm_sqr().is_nan() || g.norm_sqr() <= 1e-20 {
            self.restart();
            return;
        }
        let inv = g.conj().scale(1.0 / g.norm_sqr());
        if self.keep {
            // The estimate was made on the equalizer's output: the next output is one
            // symbol after the reference.
            self.eq.scale(inv);
            self.carrier.set(w, w);
        } else {
            self.eq.init_single(inv);
            let d = self.eq.delay_symbols() as f32;
            self.carrier.set(w * (1.0 - d), w);
        }
        self.mse = 0.0;
        self.fe.set_timing_gains(0.03, 0.0003);
        self.state = State::Track;
    }

    /// Learn from the decision `d` for the last [`Step::Symbol`]. The equalizer update is
    /// applied in the pass over the taps that forms the next symbol: before that output (the
    /// same arithmetic as applying it now, see [`Equalizer::defer_update`]) or, in delayed
    /// mode ([`RxEngine::set_delayed_updates`]), after it; the carrier loop steps now or, in
    /// delayed mode, after the next derotation.
    #[inline(always)]
    pub fn adapt(&mut self, d: Complex32) {
        self.adapt_symbol(self.last_q, d);
    }

    /// [`RxEngine::adapt`] with the symbol `q` of the last [`Step::Symbol`] passed back by
    /// the caller, who still holds it: the same arithmetic, without reading it back from
    /// memory (it was stored as two halves, which a whole-value load cannot take from the
    /// store buffer, so it would wait until both stores reached the cache).
    #[inline(always)]
    pub fn adapt_symbol(&mut self, q: Complex32, d: Complex32) {
        let e = d - q;
        self.mse = self.mse * (63.0 / 64.0) + e.norm_sqr() * (1.0 / 64.0);
        self.eq_phase += 1;
        if self.eq_phase >= self.eq_every {
            self.eq_phase = 0;
            let step = self.eq_mu / (self.eq_len * (self.fe.power() + 1e-20));
            // Back into the equalizer-output frame, with the phasor `q` was derotated by.
            self.eq.defer_update(e * self.last_rot.conj(), step);
        }
        let err = CarrierLoop::phase_error(q, d);
        if self.delayed {
            self.carrier_err = Some(err);
        } else {
            self.carrier.advance(err);
        }
    }
}
