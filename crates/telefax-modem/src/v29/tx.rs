//! The V.29 transmitter.

use super::{point, V29Rate, BAUD, CARRIER_HZ, PHASE_STEP, SEG1_SYMBOLS, SEG2_SYMBOLS, SEG3_SEED};
use super::{SEG3_SYMBOLS, SEG4_SYMBOLS, TURNOFF_SYMBOLS};
use crate::qam::level::{to_i16, tx_rms, DEFAULT_TX_LEVEL_DBM0};
use crate::qam::pulse::PulseShaper;
use crate::qam::scrambler::{Scrambler, ScramblerKind};
use crate::qam::Complex32;
use crate::{BitSource, Modulator};

/// Transmit RRC roll-off used for V.29 (the spectrum stays inside 200..3200 Hz).
pub(crate) const V29_BETA: f64 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg {
    Silence,
    Alternation,
    Conditioning,
    Ones,
    Data,
    TurnOff,
    Flush,
    Done,
}

/// V.29 transmitter: training (segments 1 to 4), scrambled data, turn-off.
///
/// Starts the training at the first sample; after the [`BitSource`] returns `None` it sends
/// [`TURNOFF_SYMBOLS`](super::TURNOFF_SYMBOLS) of scrambled ones, lets the pulse decay and
/// stops (`modulate` then returns fewer samples than asked for).
#[derive(Debug, Clone)]
pub struct V29Tx {
    rate: V29Rate,
    level_dbm0: f32,
    shaper: PulseShaper,
    scrambler: Scrambler,
    seg: Seg,
    count: usize,
    prbs: u8,
    phase: u8,
    /// The 16 points by `phase * 2 + q1` (Table 2/V.29), precomputed.
    points: [Complex32; 16],
}

impl V29Tx {
    /// A transmitter for `rate` at the default level (-13 dBm0).
    pub fn new(rate: V29Rate) -> Self {
        let mut t = V29Tx {
            rate,
            level_dbm0: DEFAULT_TX_LEVEL_DBM0,
            shaper: PulseShaper::new(CARRIER_HZ, BAUD, V29_BETA, 6, 1.0),
            scrambler: Scrambler::new(ScramblerKind::V29),
            seg: Seg::Silence,
            count: 0,
            prbs: SEG3_SEED,
            phase: 0,
            points: std::array::from_fn(|i| point((i / 2) as u8, (i % 2) as u8)),
        };
        t.set_level_dbm0(DEFAULT_TX_LEVEL_DBM0);
        t
    }

    /// Builder form of [`V29Tx::set_level_dbm0`].
    pub fn with_level(mut self, dbm0: f32) -> Self {
        self.set_level_dbm0(dbm0);
        self
    }

    /// Set the transmit level in dBm0 (clamped to -60..0; the data signal's mean power).
    pub fn set_level_dbm0(&mut self, dbm0: f32) {
        self.level_dbm0 = dbm0;
        let gain = tx_rms(dbm0) * std::f32::consts::SQRT_2 / self.rate.mean_energy().sqrt();
        self.shaper.set_gain(gain);
    }

    /// The rate.
    pub fn rate(&self) -> V29Rate {
        self.rate
    }

    /// Start again from the beginning of the training.
    pub fn reset(&mut self) {
        self.shaper.reset();
        self.scrambler.reset();
        self.seg = Seg::Silence;
        self.count = 0;
        self.prbs = SEG3_SEED;
        self.phase = 0;
    }

    fn advance(&mut self, next: Seg, len: usize) {
        self.count += 1;
        if self.count >= len {
            self.count = 0;
            self.seg = next;
        }
    }

    fn data_symbol(&mut self, bits: &mut [u8; 4]) -> Complex32 {
        let n = self.rate.bits_per_symbol();
        let mut b = [0u8; 4];
        for (o, &i) in b.iter_mut().zip(bits.iter()).take(n) {
            *o = self.scrambler.scramble(i);
        }
        let (q1, q234) = match self.rate {
            V29Rate::R9600 => (b[0], (b[1] << 2) | (b[2] << 1) | b[3]),
            V29Rate::R7200 => (0, (b[0] << 2) | (b[1] << 1) | b[2]),
            V29Rate::R4800 => (0, (b[0] << 2) | (b[1] << 1) | (1 ^ b[0] ^ b[1])),
        };
        self.phase = (self.phase + PHASE_STEP[q234 as usize]) & 7;
        self.points[usize::from(self.phase) * 2 + usize::from(q1)]
    }

    fn next_symbol<S: BitSource + ?Sized>(&mut self, src: &mut S) -> Option<Complex32> {
        let [a, b, c, d] = self.rate.abcd();
        let n = self.rate.bits_per_symbol();
        let s = match self.seg {
            Seg::Silence => {
                self.advance(Seg::Alternation, SEG1_SYMBOLS);
                Complex32::ZERO
            }
            Seg::Alternation => {
                let s = if self.count & 1 == 0 { a } else { b };
                self.advance(Seg::Conditioning, SEG2_SYMBOLS);
                s
            }
            Seg::Conditioning => {
                let bit = (self.prbs >> 6) & 1;
                let new = ((self.prbs >> 5) ^ (self.prbs >> 6)) & 1;
                self.prbs = ((self.prbs << 1) | new) & 0x7f;
                let s = if bit == 0 { c } else { d };
                self.phase = super::phase_of(s);
                self.advance(Seg::Ones, SEG3_SYMBOLS);
                s
            }
            Seg::Ones => {
                let mut bits = [1u8; 4];
                self.advance(Seg::Data, SEG4_SYMBOLS);
                self.data_symbol(&mut bits)
            }
            Seg::Data => {
                let mut bits = [1u8; 4];
                let mut ended = false;
                for slot in bits.iter_mut().take(n) {
                    match src.next_bit() {
                        Some(v) => *slot = v & 1,
                        None => {
                            ended = true;
                            break;
                        }
                    }
                }
                if ended {
                    self.seg = Seg::TurnOff;
                    self.count = 0;
                }
                self.data_symbol(&mut bits)
            }
            Seg::TurnOff => {
                let mut bits = [1u8; 4];
                self.advance(Seg::Flush, TURNOFF_SYMBOLS);
                self.data_symbol(&mut bits)
            }
            Seg::Flush => {
                let tail = self.shaper.tail_symbols();
                self.advance(Seg::Done, tail);
                Complex32::ZERO
            }
            Seg::Done => return None,
        };
        Some(s)
    }
}

impl Modulator for V29Tx {
    fn modulate<S: BitSource + ?Sized>(&mut self, out: &mut [i16], bits: &mut S) -> usize {
        for (i, o) in out.iter_mut().enumerate() {
            if self.shaper.wants_symbol() {
                match self.next_symbol(bits) {
                    Some(s) => self.shaper.push(s),
                    None => return i,
                }
            }
            *o = to_i16(self.shaper.sample());
        }
        out.len()
    }
}
