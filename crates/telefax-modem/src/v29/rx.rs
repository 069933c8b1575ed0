//! The V.29 receiver.

use super::{
    data_points, phase_of, V29Rate, BAUD, CARRIER_HZ, SEG3_SYMBOLS, SEG4_SYMBOLS, STEP_BITS,
};
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
    Alternation,
    Conditioning,
    Ones,
    Data,
}

/// Symbols after training during which the equalizer and loops keep their training speed
/// (the training alphabet has only two points, so the first data symbols still teach a lot).
const SETTLE_SYMBOLS: usize = 400;
/// Most symbols the receiver waits after detection for the start of segment 3.
const MAX_SEG2_SYMBOLS: usize = 200;

/// V.29 receiver: detection of the training, acquisition, equalizer training,
/// decision-directed data reception, descrambling.
///
/// Reports [`RxStatus::CarrierUp`] when segment 2 is recognised, then
/// [`RxStatus::TrainingSucceeded`] (followed by data bits) or [`RxStatus::TrainingFailed`]
/// (followed by [`RxStatus::CarrierDown`]) at the end of segment 3, and
/// [`RxStatus::CarrierDown`] when the signal ends.
#[derive(Debug, Clone)]
pub struct V29Rx {
    rate: V29Rate,
    engine: RxEngine,
    abcd: Constellation,
    cd: Constellation,
    data: Constellation,
    meta: [(u8, u8); 16],
    state: State,
    count: usize,
    cd_run: usize,
    prev_phase: u8,
    desc: Descrambler,
    /// Bits per symbol, and the right shift from Q1 Q2 Q3 Q4 to them.
    word_bits: u32,
    word_shift: u32,
    mse_acc: f32,
    quality: Option<f32>,
}

/// Minimum training quality (dB, mean data-point energy over mean squared error) per rate.
fn min_quality_db(rate: V29Rate) -> f32 {
    match rate {
        V29Rate::R9600 => 13.0,
        V29Rate::R7200 => 10.0,
        V29Rate::R4800 => 7.0,
    }
}

impl V29Rx {
    /// A receiver for `rate`.
    pub fn new(rate: V29Rate) -> Self {
        let [a, b, c, d] = rate.abcd();
        let cfg = RxEngineConfig {
            carrier_hz: CARRIER_HZ,
            baud: BAUD,
            beta: super::tx::V29_BETA,
            mf_half_span: 3.0,
            eq_taps: 24,
            detector: DetectorConfig {
                alpha: 1.0 / 32.0,
                r2_min: 0.6,
                r1_expected: DetectorConfig::r1_for(a, b),
                r1_tolerance: 0.22,
                hold_symbols: 8,
            },
            reference: [a, b],
            est_power: 1,
            est_lag: 2,
            est_symbols: 32,
            min_level_dbm0: -48.0,
        };
        let pts = data_points(rate);
        let mut meta = [(0u8, 0u8); 16];
        for (i, p) in pts.iter().enumerate() {
            meta[i] = (p.1, p.2);
        }
        let pv: Vec<Complex32> = pts.iter().map(|p| p.0).collect();
        V29Rx {
            rate,
            engine: RxEngine::new(cfg),
            abcd: Constellation::new(&[a, b, c, d]),
            cd: Constellation::new(&[c, d]),
            data: Constellation::new(&pv),
            meta,
            state: State::Idle,
            count: 0,
            cd_run: 0,
            prev_phase: 0,
            desc: Descrambler::new(ScramblerKind::V29),
            word_bits: rate.bits_per_symbol() as u32,
            word_shift: u32::from(rate == V29Rate::R4800),
            mse_acc: 0.0,
            quality: None,
        }
    }

    /// The rate.
    pub fn rate(&self) -> V29Rate {
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
        10.0 * (self.rate.mean_energy() / self.engine.mse().max(1e-9)).log10()
    }

    fn fail<K: RxSink + ?Sized>(&mut self, sink: &mut K, why: &str) {
        debug!(why, "V.29 training failed");
        sink.status(RxStatus::TrainingFailed);
        sink.status(RxStatus::CarrierDown);
        self.engine.restart();
        self.state = State::Idle;
    }

    fn on_symbol<K: RxSink + ?Sized>(&mut self, q: Complex32, sink: &mut K) {
        match self.state {
            State::Idle => {}
            State::Alternation => {
                let i = self.abcd.slice(q);
                self.engine.adapt_symbol(q, self.abcd.point(i));
                self.count += 1;
                self.cd_run = if i >= 2 { self.cd_run + 1 } else { 0 };
                if self.cd_run >= 2 {
                    self.state = State::Conditioning;
                    self.count = 2;
                    self.mse_acc = 0.0;
                } else if self.count > MAX_SEG2_SYMBOLS {
                    self.fail(sink, "no segment 3");
                }
            }
            State::Conditioning => {
                let i = self.cd.slice(q);
                let d = self.cd.point(i);
                self.engine.adapt_symbol(q, d);
                self.prev_phase = phase_of(d);
                self.count += 1;
                if self.count == SEG3_SYMBOLS / 2 {
                    self.engine.set_eq_mu(0.02);
                }
                if self.count + 1 >= SEG3_SYMBOLS {
                    let qdb = self.quality_now();
                    self.quality = Some(qdb);
                    debug!(
                        quality_db = qdb,
                        offset_hz = self.engine.carrier_offset_hz(),
                        "V.29 end of training"
                    );
                    if qdb < min_quality_db(self.rate) {
                        self.fail(sink, "poor quality");
                        return;
                    }
                    sink.status(RxStatus::TrainingSucceeded);
                    self.state = State::Ones;
                    self.count = 0;
                    self.engine.set_eq_mu(0.05);
                    self.engine.set_data_mode();
                    self.desc.reset();
                }
            }
            State::Ones | State::Data => {
                let i = self.data.slice(q);
                self.engine.adapt_symbol(q, self.data.point(i));
                let (phase, q1) = self.meta[i];
                let step = phase.wrapping_sub(self.prev_phase) & 7;
                self.prev_phase = phase;
                // Q1 (9600 bit/s only) then Q2 Q3 Q4 from the phase change (Table 1/V.29);
                // 4800 bit/s sends Q2 Q3 only (V.29 §2.4), 7200 bit/s has Q1 = 0.
                let b = u32::from(STEP_BITS[step as usize]);
                let word = ((u32::from(q1) << 3) | b) >> self.word_shift;
                let o = self.desc.descramble_word(word, self.word_bits);
                // Segment 4 (scrambled ones) only primes the descrambler; data bits start after
                // it, as from the transmitter's bit source.
                if self.state == State::Data {
                    sink.put_bits(o, self.word_bits);
                }
                self.count += 1;
                if self.state == State::Ones && self.count > SEG4_SYMBOLS {
                    self.state = State::Data;
                }
                if self.count == SETTLE_SYMBOLS {
                    self.engine.set_eq_mu(0.005);
                    self.engine.set_eq_update_interval(2);
                    self.engine.set_delayed_updates(true);
                }
            }
        }
    }
}

impl Demodulator for V29Rx {
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
                        "V.29 training detected"
                    );
                    sink.status(RxStatus::CarrierUp);
                    self.state = State::Alternation;
                    self.count = 0;
                    self.cd_run = 0;
                }
                Step::Symbol(q) => self.on_symbol(q, sink),
                Step::Lost => {
                    match self.state {
                        State::Ones | State::Data => {
                            self.quality = Some(self.quality_now());
                            sink.status(RxStatus::CarrierDown);
                        }
                        State::Idle => {}
                        _ => {
                            sink.status(RxStatus::TrainingFailed);
                            sink.status(RxStatus::CarrierDown);
                        }
                    }
                    debug!("V.29 carrier down");
                    self.state = State::Idle;
                }
            }
        }
    }

    fn reset(&mut self) {
        self.engine.reset();
        self.state = State::Idle;
        self.quality = None;
    }

    fn signal_quality_db(&self) -> Option<f32> {
        match self.state {
            State::Ones | State::Data => Some(self.quality_now()),
            _ => self.quality,
        }
    }
}
