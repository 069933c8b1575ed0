//! The V.27ter receiver.

use super::{ConditioningSequence, V27terRate, CARRIER_HZ, SEG3_SHORT_SYMBOLS, SEG4_SHORT_SYMBOLS};
use super::{SEG4_SYMBOLS, SEG5_SYMBOLS, STEP_TRIBIT};
use crate::qam::constellation::Constellation;
use crate::qam::detect::DetectorConfig;
use crate::qam::engine::{RxEngine, RxEngineConfig, Step};
use crate::qam::scrambler::{Descrambler, ScramblerKind};
use crate::qam::Complex32;
use crate::{Demodulator, RxSink, RxStatus};
use tracing::debug;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Reversals,
    Conditioning,
    Data,
}

/// Most symbols the receiver waits after detection for the start of segment 4.
const MAX_SEG3_SYMBOLS: usize = 300;
/// Symbols after training during which the equalizer keeps a faster step.
const SETTLE_SYMBOLS: usize = 300;

/// Minimum training quality (dB, point energy over mean squared error) per rate.
fn min_quality_db(rate: V27terRate) -> f32 {
    match rate {
        V27terRate::R4800 => 10.0,
        V27terRate::R2400 => 7.0,
    }
}

/// V.27ter receiver: detection of the long training, acquisition, equalizer training on the
/// conditioning pattern, decision-directed data reception, descrambling.
///
/// Reports [`RxStatus::CarrierUp`] when segment 3 (phase reversals) is recognised, then
/// [`RxStatus::TrainingSucceeded`] (followed by data bits) or [`RxStatus::TrainingFailed`]
/// (followed by [`RxStatus::CarrierDown`]) at the end of segment 4, and
/// [`RxStatus::CarrierDown`] when the signal ends. The level of the signal does not matter
/// (-48 dBm0 and up).
///
/// The short training (Table 3/V.27ter) is expected after [`V27terRx::set_short_train`]
/// (next signal only) or, for every signal after a successful training, with
/// [`V27terRx::set_auto_short_train`]; the equalizer, carrier frequency and clock rate learnt
/// before are kept (without an earlier training the receiver trains from scratch on the
/// 58 conditioning symbols, which is enough on a flat line).
#[derive(Debug, Clone)]
pub struct V27terRx {
    rate: V27terRate,
    engine: RxEngine,
    binary: Constellation,
    /// The data points (Table 1/V.27ter: eight; Table 2/V.27ter: the first four), in the
    /// order of [`V27terRx::slice_data`]'s indices. A plain table: the decision needs no
    /// slicing grid, so none is built for each new receiver.
    data: [Complex32; 8],
    data_phase: [u8; 8],
    state: State,
    count: usize,
    last_bin: usize,
    prev_phase: u8,
    desc: Descrambler,
    quality: Option<f32>,
    /// The current (or next) signal starts with the short training.
    short: bool,
    auto_short: bool,
    eq_trained: bool,
    /// The last seven phase changes (1 = 180°) seen in segment 3 of a short training...
    changes: u8,
    n_changes: usize,
    /// ...and, for each such window, 1 + the index within segment 4 where it first ends
    /// (0: not in the short training's segment 4, or the reversals' all-ones window).
    cond_pos: [u8; 128],
}

/// For every 7-bit window of phase changes (1 = 180°), 1 + the index of the symbol of the
/// short training's segment 4 where it first ends (segment 3 reversals count as ones).
#[cfg(test)]
pub(super) fn conditioning_positions_for_test() -> [u8; 128] {
    conditioning_positions()
}

fn conditioning_positions() -> [u8; 128] {
    let mut bits = [1u8; SEG3_SHORT_SYMBOLS + SEG4_SHORT_SYMBOLS];
    let mut g = ConditioningSequence::new();
    for b in bits[SEG3_SHORT_SYMBOLS..].iter_mut() {
        *b = g.next();
    }
    let mut map = [0u8; 128];
    for p in 0..SEG4_SHORT_SYMBOLS {
        let end = SEG3_SHORT_SYMBOLS + p;
        let w = bits[end - 6..=end]
            .iter()
            .fold(0usize, |a, &b| (a << 1) | usize::from(b));
        if w != 0x7f && map[w] == 0 {
            map[w] = (p + 1) as u8;
        }
    }
    map
}

/// The receive engine's set-up for `rate`: carrier, baud, RRC roll-off, equalizer, the
/// detector of the training's phase reversals (V.27ter §2.6, Table 3, segment 3) and the level floor.
pub(crate) fn engine_config(rate: V27terRate) -> RxEngineConfig {
    let a = Complex32::new(1.0, 0.0);
    RxEngineConfig {
        carrier_hz: CARRIER_HZ,
        baud: rate.baud(),
        beta: super::tx::V27TER_BETA,
        mf_half_span: 3.0,
        eq_taps: 16,
        detector: DetectorConfig {
            alpha: 1.0 / 16.0,
            r2_min: 0.6,
            r1_expected: -1.0,
            r1_tolerance: 0.45,
            hold_symbols: 6,
        },
        reference: [a, -a],
        est_power: 2,
        est_lag: 1,
        est_symbols: 16,
        min_level_dbm0: -48.0,
    }
}

impl V27terRx {
    /// A receiver for `rate`.
    pub fn new(rate: V27terRate) -> Self {
        let cfg = engine_config(rate);
        let step = match rate {
            V27terRate::R4800 => 1,
            V27terRate::R2400 => 2,
        };
        let mut data = [Complex32::ZERO; 8];
        let mut data_phase = [0u8; 8];
        for (i, p) in (0..8u8).step_by(step).enumerate() {
            data[i] = Complex32::from_polar(1.0, f32::from(p) * std::f32::consts::FRAC_PI_4);
            data_phase[i] = p;
        }
        V27terRx {
            rate,
            engine: RxEngine::new(cfg),
            binary: Constellation::new(&cfg.reference),
            data,
            data_phase,
            state: State::Idle,
            count: 0,
            last_bin: 0,
            prev_phase: 0,
            desc: Descrambler::new(ScramblerKind::V27ter),
            quality: None,
            short: false,
            auto_short: false,
            eq_trained: false,
            changes: 0,
            n_changes: 0,
            cond_pos: conditioning_positions(),
        }
    }

    /// Expect the short training (Table 3/V.27ter) for the next signal (`false`: the long
    /// one). The equalizer of an earlier successful training is kept.
    pub fn set_short_train(&mut self, short: bool) {
        self.short = short;
        if self.state == State::Idle {
            self.arm();
        }
    }

    /// When set, every signal after a successful training is expected to start with the
    /// short training.
    pub fn set_auto_short_train(&mut self, auto: bool) {
        self.auto_short = auto;
    }

    /// Whether the next (or current) signal is expected with the short training.
    pub fn short_train(&self) -> bool {
        self.short
    }

    fn arm(&mut self) {
        self.engine.restart();
        if self.short {
            self.engine.arm_short(self.eq_trained);
        }
    }

    fn seg4_symbols(&self) -> usize {
        if self.short {
            SEG4_SHORT_SYMBOLS
        } else {
            SEG4_SYMBOLS
        }
    }

    /// The rate.
    pub fn rate(&self) -> V27terRate {
        self.rate
    }

    /// Estimated carrier frequency offset in Hz (while receiving).
    pub fn carrier_offset_hz(&self) -> f32 {
        self.engine.carrier_offset_hz()
    }

    /// Estimated sample-clock offset in ppm (while receiving).
    pub fn clock_offset_ppm(&self) -> f64 {
        self.engine.clock_offset_ppm()
    }

    fn quality_now(&self) -> f32 {
        10.0 * (1.0 / self.engine.mse().max(1e-9)).log10()
    }

    fn fail<K: RxSink + ?Sized>(&mut self, sink: &mut K, why: &str) {
        debug!(why, "V.27ter training failed");
        sink.status(RxStatus::TrainingFailed);
        sink.status(RxStatus::CarrierDown);
        self.state = State::Idle;
        self.arm();
    }

    /// Index of the data point nearest `q` (the same decision as slicing with a
    /// [`Constellation`] of the data points):
    /// the points are equally spaced on the unit circle from 0°, eight at 4800 bit/s
    /// (Table 1/V.27ter) and four at 2400 bit/s (Table 2/V.27ter), so the nearest one is
    /// the sector of `q` turned by half a sector, found with three (two) sign tests.
    #[inline]
    fn slice_data(&self, q: Complex32) -> usize {
        let (c, s) = match self.rate {
            // cos and sin of 22.5°.
            V27terRate::R4800 => (0.923_879_5, 0.382_683_43),
            V27terRate::R2400 => (
                std::f32::consts::FRAC_1_SQRT_2,
                std::f32::consts::FRAC_1_SQRT_2,
            ),
        };
        let (x, y) = (q.re * c - q.im * s, q.re * s + q.im * c);
        // Lower half-plane: turn by 180° (a sign flip of both, without a branch: the data
        // are random, so a branch would be mispredicted half the time).
        let h = y < 0.0;
        let flip = u32::from(h) << 31;
        let (x, y) = (
            f32::from_bits(x.to_bits() ^ flip),
            f32::from_bits(y.to_bits() ^ flip),
        );
        // Left quadrant of the upper half-plane: turn by -90°, (x, y) -> (y, -x); the last
        // test, y >= x, becomes -x >= y there. Both are formed and one is picked.
        let l = x <= 0.0;
        let upper = usize::from(y >= x);
        let left = usize::from(-x >= y);
        let last = if l { left } else { upper };
        match self.rate {
            V27terRate::R4800 => 4 * usize::from(h) + 2 * usize::from(l) + last,
            V27terRate::R2400 => 2 * usize::from(h) + usize::from(l),
        }
    }

    fn on_symbol<K: RxSink + ?Sized>(&mut self, q: Complex32, sink: &mut K) {
        match self.state {
            State::Idle => {}
            State::Reversals => {
                let i = self.binary.slice(q);
                self.engine.adapt_symbol(q, self.binary.point(i));
                self.count += 1;
                if self.short {
                    // The acquisition may end after segment 4 has begun: find the position
                    // in it from the last seven phase changes.
                    if self.count > 1 {
                        let c = u8::from(i != self.last_bin);
                        self.changes = ((self.changes << 1) | c) & 0x7f;
                        self.n_changes += 1;
                    }
                    let p = self.cond_pos[usize::from(self.changes)];
                    if self.n_changes >= 7 && p > 0 {
                        self.state = State::Conditioning;
                        self.count = usize::from(p);
                    } else if self.count > MAX_SEG3_SYMBOLS {
                        self.fail(sink, "no segment 4");
                    }
                } else if self.count > 1 && i == self.last_bin {
                    // The first 0° change: segment 4 starts with this symbol.
                    self.state = State::Conditioning;
                    self.count = 1;
                } else if self.count > MAX_SEG3_SYMBOLS {
                    self.fail(sink, "no segment 4");
                }
                self.last_bin = i;
            }
            State::Conditioning => {
                let i = self.binary.slice(q);
                self.engine.adapt_symbol(q, self.binary.point(i));
                self.count += 1;
                let len = self.seg4_symbols();
                if self.count == len / 2 && !self.short {
                    self.engine.set_eq_mu(0.02);
                }
                if self.count >= len {
                    let qdb = self.quality_now();
                    self.quality = Some(qdb);
                    debug!(
                        quality_db = qdb,
                        offset_hz = self.engine.carrier_offset_hz(),
                        "V.27ter end of training"
                    );
                    if qdb < min_quality_db(self.rate) {
                        self.fail(sink, "poor quality");
                        return;
                    }
                    sink.status(RxStatus::TrainingSucceeded);
                    self.eq_trained = true;
                    self.prev_phase = if i == 0 { 0 } else { 4 };
                    self.state = State::Data;
                    self.count = 0;
                    self.desc.reset();
                    self.engine.set_data_mode();
                    self.engine.set_eq_mu(0.03);
                }
            }
            State::Data => {
                let i = self.slice_data(q);
                // (`i` < 8: the mask only spares the bounds check.)
                self.engine.adapt_symbol(q, self.data[i & 7]);
                let phase = self.data_phase[i];
                let step = phase.wrapping_sub(self.prev_phase) & 7;
                self.prev_phase = phase;
                // One descrambler call per rate, each with a constant bit count.
                let (o, n) = match self.rate {
                    V27terRate::R4800 => (
                        self.desc
                            .descramble_word(u32::from(STEP_TRIBIT[step as usize]), 3),
                        3,
                    ),
                    // Inverse of Table 2: 0° 00, 90° 01, 180° 11, 270° 10.
                    V27terRate::R2400 => (
                        self.desc
                            .descramble_word([0b00, 0b01, 0b11, 0b10][(step / 2) as usize], 2),
                        2,
                    ),
                };
                // Segment 5 (scrambled ones) only primes the descrambler; data bits start
                // after it, as from the transmitter's bit source.
                if self.count >= SEG5_SYMBOLS {
                    sink.put_bits(o, n);
                }
                self.count += 1;
                if self.count == SETTLE_SYMBOLS {
                    self.engine.set_eq_mu(0.01);
                    self.engine.set_eq_update_interval(2);
                    self.engine.set_delayed_updates(true);
                }
            }
        }
    }
}

impl Demodulator for V27terRx {
    fn demodulate<K: RxSink + ?Sized>(&mut self, samples: &[i16], sink: &mut K) {
        let mut rest = samples;
        while !rest.is_empty() {
            // The samples up to the next event go through the engine in one call.
            let (n, step) = self.engine.push_samples(rest);
            rest = rest.get(n..).unwrap_or_default();
            match step {
                Step::Idle => {}
                Step::Detected => {
                    debug!(
                        level_dbm0 = self.engine.input_dbm0(),
                        "V.27ter training detected"
                    );
                    sink.status(RxStatus::CarrierUp);
                    self.state = State::Reversals;
                    self.count = 0;
                    self.changes = 0;
                    self.n_changes = 0;
                }
                Step::Symbol(q) => self.on_symbol(q, sink),
                Step::Lost => {
                    match self.state {
                        State::Data => {
                            self.quality = Some(self.quality_now());
                            sink.status(RxStatus::CarrierDown);
                        }
                        State::Idle => {}
                        _ => {
                            sink.status(RxStatus::TrainingFailed);
                            sink.status(RxStatus::CarrierDown);
                        }
                    }
                    debug!("V.27ter carrier down");
                    if self.state == State::Data && self.auto_short {
                        self.short = true;
                    }
                    self.state = State::Idle;
                    self.arm();
                }
            }
        }
    }

    fn reset(&mut self) {
        self.engine.reset();
        self.state = State::Idle;
        self.quality = None;
        self.eq_trained = false;
        self.short = false;
    }

    fn signal_quality_db(&self) -> Option<f32> {
        match self.state {
            State::Data => Some(self.quality_now()),
            _ => self.quality,
        }
    }
}

#[cfg(test)]
mod slicer_tests {
    use super::*;

    /// The sector slicer makes the same decisions as the nearest-point search.
    #[test]
    fn sector_slicing_equals_nearest_point() {
        for rate in [V27terRate::R4800, V27terRate::R2400] {
            let rx = V27terRx::new(rate);
            let n = 1 << rate.bits_per_symbol();
            let data = Constellation::new(&rx.data[..n]);
            let mut seed = 5u32;
            let mut rnd = || {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
            };
            for _ in 0..20000 {
                let q = Complex32::new(rnd() * 4.0, rnd() * 4.0);
                assert_eq!(rx.slice_data(q), data.slice(q), "{rate:?} {q:?}");
            }
            // NaN gives some point, no panic.
            assert!(rx.slice_data(Complex32::new(f32::NAN, 0.0)) < 8);
        }
    }
}
