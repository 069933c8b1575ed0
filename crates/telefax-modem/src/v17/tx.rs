//! The V.17 transmitter.

use super::pulse::{rrc, ROLL_OFF};
use super::training::{Sequencer, Stage};
use super::{V17Rate, CARRIER_HZ, SAMPLE_RATE};
use crate::{BitSource, Modulator};

/// Interpolation factor: 24 kHz work rate = 10 samples per symbol, every third is output.
const UP: usize = 10;
/// Pulse span in symbols.
const SPAN: usize = 8;
/// Taps of the pulse at 24 kHz.
const TAPS: usize = UP * SPAN;
/// Symbols of scrambled ones sent after the data (turn-off, V.17 §7.3).
const TURN_OFF_SYMBOLS: u32 = 32;
/// Default transmit level, dBm0 (V.17 §2.1 via V.2).
pub const DEFAULT_LEVEL_DBM0: f32 = -13.0;
/// RMS of a 0 dBm0 signal in linear 16-bit samples (a full-scale sine is +3.14 dBm0).
pub(crate) const RMS_0DBM0: f32 = 32767.0 * 0.696_626 / core::f32::consts::SQRT_2;

/// The pulse shaping filter at 24 kHz, built once per process.
fn pulse_taps() -> &'static [f32; TAPS] {
    use std::sync::OnceLock;
    static TAPS_24K: OnceLock<[f32; TAPS]> = OnceLock::new();
    TAPS_24K.get_or_init(|| {
        let mut taps = [0.0f32; TAPS];
        for (i, t) in taps.iter_mut().enumerate() {
            *t = rrc((i as f32 - (TAPS as f32) / 2.0) / UP as f32, ROLL_OFF);
        }
        taps
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running,
    TurnOff(u32),
    Flush(u32),
    Done,
}

/// V.17 transmitter: training, then trellis-coded data from a [`BitSource`], then the
/// turn-off sequence. Streaming and allocation-free; the first sample belongs to the signal.
#[derive(Debug, Clone)]
pub struct V17Tx {
    rate: V17Rate,
    seq: Sequencer,
    taps: &'static [f32; TAPS],
    hist_re: [f32; SPAN],
    hist_im: [f32; SPAN],
    newest: usize,
    phase24: usize,
    carrier: usize,
    carrier_table: [(f32, f32); CARRIER_PERIOD],
    gain: f32,
    level_dbm0: f32,
    state: Phase,
}

impl V17Tx {
    /// A transmitter at `rate`, with the short training of pages after the first when
    /// `short_train` is set (V.17 §7.2), at the default level of -13 dBm0.
    pub fn new(rate: V17Rate, short_train: bool) -> Self {
        let mut tx = V17Tx {
            rate,
            seq: Sequencer::new(rate, short_train),
            taps: pulse_taps(),
            hist_re: [0.0; SPAN],
            hist_im: [0.0; SPAN],
            newest: 0,
            phase24: UP,
            carrier: 0,
            carrier_table: core::array::from_fn(|n| {
                let ph = core::f32::consts::TAU * CARRIER_HZ * n as f32 / SAMPLE_RATE;
                (ph.cos(), ph.sin())
            }),
            gain: 0.0,
            level_dbm0: DEFAULT_LEVEL_DBM0,
            state: Phase::Running,
        };
        tx.set_level_dbm0(DEFAULT_LEVEL_DBM0);
        tx
    }

    /// Set the transmit level in dBm0 (data signal power).
    pub fn set_level_dbm0(&mut self, dbm0: f32) {
        self.level_dbm0 = dbm0;
        let map = self.rate.map();
        let pav: f32 = map
            .iter()
            .map(|&(x, y)| (x as f32).powi(2) + (y as f32).powi(2))
            .sum::<f32>()
            / map.len() as f32;
        let e: f32 = self.taps.iter().map(|t| t * t).sum::<f32>() / UP as f32;
        let rms_unit = (pav * e / 2.0).sqrt();
        self.gain = RMS_0DBM0 * 10f32.powf(dbm0 / 20.0) / rms_unit;
    }

    /// Builder form of [`V17Tx::set_level_dbm0`].
    pub fn with_level(mut self, dbm0: f32) -> Self {
        self.set_level_dbm0(dbm0);
        self
    }

    /// Start a new transmission (same object, possibly another rate or training).
    pub fn restart(&mut self, rate: V17Rate, short_train: bool) {
        let level = self.level_dbm0;
        *self = V17Tx::new(rate, short_train);
        self.set_level_dbm0(level);
    }

    /// Whether the whole transmission, turn-off included, has been sent.
    pub fn is_done(&self) -> bool {
        self.state == Phase::Done
    }

    fn next_symbol<S: BitSource + ?Sized>(&mut self, bits: &mut S) -> Option<(i8, i8)> {
        match self.state {
            Phase::Running => {
                if self.seq.stage() == Stage::Data {
                    // Pull the first bit to see whether data remains.
                    let first = match bits.next_bit() {
                        Some(b) => b,
                        None => {
                            self.state = Phase::TurnOff(TURN_OFF_SYMBOLS);
                            return self.next_symbol(bits);
                        }
                    };
                    let mut taken = false;
                    let mut ended = false;
                    let p = self.seq.next_symbol(|| {
                        if !taken {
                            taken = true;
                            return first & 1;
                        }
                        match bits.next_bit() {
                            Some(b) if !ended => b & 1,
                            _ => {
                                ended = true;
                                1
                            }
                        }
                    });
                    if ended {
                        self.state = Phase::TurnOff(TURN_OFF_SYMBOLS);
                    }
                    Some(p)
                } else {
                    Some(self.seq.next_symbol(|| 1))
                }
            }
            Phase::TurnOff(n) => {
                self.state = if n <= 1 {
                    Phase::Flush(SPAN as u32)
                } else {
                    Phase::TurnOff(n - 1)
                };
                Some(self.seq.next_symbol(|| 1))
            }
            Phase::Flush(n) => {
                self.state = if n <= 1 {
                    Phase::Done
                } else {
                    Phase::Flush(n - 1)
                };
                Some((0, 0))
            }
            Phase::Done => None,
        }
    }
}

/// Samples per whole number of carrier cycles (1800 Hz at 8000 Hz: 9 cycles in 40 samples).
const CARRIER_PERIOD: usize = 40;

impl Modulator for V17Tx {
    fn modulate<S: BitSource + ?Sized>(&mut self, out: &mut [i16], bits: &mut S) -> usize {
        for (i, o) in out.iter_mut().enumerate() {
            while self.phase24 >= UP {
                let Some((x, y)) = self.next_symbol(bits) else {
                    return i;
                };
                self.newest = (self.newest + 1) % SPAN;
                self.hist_re[self.newest] = x as f32;
                self.hist_im[self.newest] = y as f32;
                self.phase24 -= UP;
            }
            let mut re = 0.0f32;
            let mut im = 0.0f32;
            for j in 0..SPAN {
                let k = (self.newest + SPAN - j) % SPAN;
                let h = self.taps[self.phase24 + UP * j];
                re += self.hist_re[k] * h;
                im += self.hist_im[k] * h;
            }
            let (c, s) = self.carrier_table[self.carrier];
            let v = (re * c - im * s) * self.gain;
            *o = v.round().clamp(-32768.0, 32767.0) as i16;
            self.carrier = if self.carrier + 1 == CARRIER_PERIOD {
                0
            } else {
                self.carrier + 1
            };
            self.phase24 += 3;
        }
        out.len()
    }
}
