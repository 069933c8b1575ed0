//! The V.27ter transmitter.

use super::{ConditioningSequence, V27terRate, CARRIER_HZ, DIBIT_STEP, SEG3_SYMBOLS, SEG4_SYMBOLS};
use super::{SEG3_SHORT_SYMBOLS, SEG4_SHORT_SYMBOLS, SEG5_SYMBOLS, TRIBIT_STEP};
use crate::qam::level::{to_i16, tx_rms, DEFAULT_TX_LEVEL_DBM0};
use crate::qam::pulse::PulseShaper;
use crate::qam::scrambler::{Scrambler, ScramblerKind};
use crate::qam::Complex32;
use crate::{BitSource, Modulator};

/// Transmit RRC roll-off for V.27ter (§2.3: 50 % raised cosine shared by tx and rx).
pub(crate) const V27TER_BETA: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seg {
    Carrier,
    Silence,
    Reversals,
    Conditioning,
    Ones,
    Data,
    TurnOff,
    Flush,
    Done,
}

/// V.27ter transmitter: long training (segments 1 to 5) or short training (segments 3 to 5,
/// see [`V27terTx::with_short_train`]), scrambled data, turn-off.
///
/// Starts at the first sample; after the [`BitSource`] returns `None` it sends 20 ms of
/// scrambled ones, lets the pulse decay and stops (`modulate` then returns fewer samples than
/// asked for).
#[derive(Debug, Clone)]
pub struct V27terTx {
    rate: V27terRate,
    shaper: PulseShaper,
    scrambler: Scrambler,
    cond: ConditioningSequence,
    seg: Seg,
    count: usize,
    phase: u8,
    short: bool,
    /// The eight phases, precomputed.
    points: [Complex32; 8],
}

impl V27terTx {
    /// A transmitter for `rate` at the default level (-13 dBm0).
    pub fn new(rate: V27terRate) -> Self {
        let mut t = V27terTx {
            rate,
            shaper: PulseShaper::new(CARRIER_HZ, rate.baud(), V27TER_BETA, 5, 1.0),
            scrambler: Scrambler::new(ScramblerKind::V27ter),
            cond: ConditioningSequence::new(),
            seg: Seg::Carrier,
            count: 0,
            phase: 0,
            short: false,
            points: std::array::from_fn(|i| {
                Complex32::from_polar(1.0, i as f32 * std::f32::consts::FRAC_PI_4)
            }),
        };
        t.set_level_dbm0(DEFAULT_TX_LEVEL_DBM0);
        t
    }

    /// Builder form of [`V27terTx::set_level_dbm0`].
    pub fn with_level(mut self, dbm0: f32) -> Self {
        self.set_level_dbm0(dbm0);
        self
    }

    /// Builder form of [`V27terTx::set_short_train`].
    pub fn with_short_train(mut self, short: bool) -> Self {
        self.set_short_train(short);
        self
    }

    /// Send the short training (segments 3 to 5 of Table 3/V.27ter with 14 and 58 symbols,
    /// no talker-echo protection) instead of the long one, and start again from the
    /// beginning of the training.
    pub fn set_short_train(&mut self, short: bool) {
        self.short = short;
        self.reset();
    }

    /// Whether the short training is sent.
    pub fn short_train(&self) -> bool {
        self.short
    }

    fn first_segment(&self) -> Seg {
        if self.short {
            Seg::Reversals
        } else {
            Seg::Carrier
        }
    }

    /// Set the transmit level in dBm0 (clamped to -60..0).
    pub fn set_level_dbm0(&mut self, dbm0: f32) {
        self.shaper
            .set_gain(tx_rms(dbm0) * std::f32::consts::SQRT_2);
    }

    /// The rate.
    pub fn rate(&self) -> V27terRate {
        self.rate
    }

    /// Start again from the beginning of the training.
    pub fn reset(&mut self) {
        self.shaper.reset();
        self.scrambler.reset();
        self.cond = ConditioningSequence::new();
        self.seg = self.first_segment();
        self.count = 0;
        self.phase = 0;
    }

    fn advance(&mut self, next: Seg, len: usize) {
        self.count += 1;
        if self.count >= len {
            self.count = 0;
            self.seg = next;
        }
    }

    fn at_phase(&self) -> Complex32 {
        self.points[usize::from(self.phase & 7)]
    }

    fn data_symbol(&mut self, bits: &[u8; 3]) -> Complex32 {
        let n = self.rate.bits_per_symbol();
        let mut v = 0u8;
        for &b in &bits[..n] {
            v = (v << 1) | self.scrambler.scramble(b);
        }
        let step = match self.rate {
            V27terRate::R4800 => TRIBIT_STEP[v as usize],
            V27terRate::R2400 => DIBIT_STEP[v as usize],
        };
        self.phase = (self.phase + step) & 7;
        self.at_phase()
    }

    fn next_symbol<S: BitSource + ?Sized>(&mut self, src: &mut S) -> Option<Complex32> {
        let s = match self.seg {
            Seg::Carrier => {
                let l = self.rate.seg1_symbols();
                self.advance(Seg::Silence, l);
                self.at_phase()
            }
            Seg::Silence => {
                let l = self.rate.seg2_symbols();
                self.advance(Seg::Reversals, l);
                Complex32::ZERO
            }
            Seg::Reversals => {
                self.phase = (self.phase + 4) & 7;
                let l = if self.short {
                    SEG3_SHORT_SYMBOLS
                } else {
                    SEG3_SYMBOLS
                };
                self.advance(Seg::Conditioning, l);
                self.at_phase()
            }
            Seg::Conditioning => {
                self.phase = (self.phase + 4 * self.cond.next()) & 7;
                let l = if self.short {
                    SEG4_SHORT_SYMBOLS
                } else {
                    SEG4_SYMBOLS
                };
                self.advance(Seg::Ones, l);
                self.at_phase()
            }
            Seg::Ones => {
                self.advance(Seg::Data, SEG5_SYMBOLS);
                self.data_symbol(&[1, 1, 1])
            }
            Seg::Data => {
                let mut bits = [1u8; 3];
                let n = self.rate.bits_per_symbol();
                for slot in bits.iter_mut().take(n) {
                    match src.next_bit() {
                        Some(v) => *slot = v & 1,
                        None => {
                            self.seg = Seg::TurnOff;
                            self.count = 0;
                            break;
                        }
                    }
                }
                self.data_symbol(&bits)
            }
            Seg::TurnOff => {
                let l = self.rate.turnoff_symbols();
                self.advance(Seg::Flush, l);
                self.data_symbol(&[1, 1, 1])
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

impl Modulator for V27terTx {
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
