//! The transmitted symbol sequence: long and short training (V.17 §7, Table 3) followed by
//! trellis-coded data. Shared by the transmitter and by the receiver, which regenerates the
//! training symbols as its reference.

use super::constellation::{MAP_12000, MAP_14400, MAP_7200, MAP_9600};
use super::scrambler::Scrambler;
use super::trellis::{conv_next, conv_y0, diff_encode};
use super::V17Rate;

/// Segment 1: alternations ABAB (V.17 Table 3), in symbols.
pub(crate) const SEG1_SYMBOLS: u32 = 256;
/// Segment 2 of the long training: equalizer conditioning pattern, in symbols.
pub(crate) const SEG2_LONG_SYMBOLS: u32 = 2976;
/// Segment 2 of the short (resynchronising) training, in symbols.
pub(crate) const SEG2_SHORT_SYMBOLS: u32 = 38;
/// Segment 3 of the long training: the bridge into trellis coding, in symbols.
pub(crate) const SEG3_SYMBOLS: u32 = 64;
/// Segment 4: trellis-coded scrambled binary ones, in symbols.
pub(crate) const SEG4_SYMBOLS: u32 = 48;
/// Scrambler state at the start of segment 2 (bit 0 = most recent line bit).
const TRAINING_SEED: u32 = 0x2E_CDD5;
/// Scrambler input during the bridge, repeated every 16 bits (first bit in bit 0).
const BRIDGE_PATTERN: u16 = 0b1000_1000_1000_0000;
/// Trellis encoder state at the start of segment 4.
pub(crate) const SEG4_CONV_STATE: u8 = 3;

/// The four training states A, B, C, D (V.17 §7.1).
pub(crate) const TRAIN_POINTS: [(i8, i8); 4] = [(-6, -2), (2, -6), (6, 2), (-2, 6)];
/// Training state chosen by a dibit of segment 2 (first bit in time in bit 1): 00→C, 01→D,
/// 10→B, 11→A.
const SEG2_DIBIT: [u8; 4] = [2, 3, 1, 0];
/// Quarter-turns by which a bridge dibit (first bit in bit 1) advances the training state.
const BRIDGE_TURNS: [u8; 4] = [1, 0, 2, 3];

impl V17Rate {
    /// The signal-space mapping of this rate (V.17 Figures 3 to 6).
    pub(crate) fn map(self) -> &'static [(i8, i8)] {
        match self {
            V17Rate::R14400 => &MAP_14400,
            V17Rate::R12000 => &MAP_12000,
            V17Rate::R9600 => &MAP_9600,
            V17Rate::R7200 => &MAP_7200,
        }
    }
}

/// Where the sequence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// ABAB alternations.
    Seg1,
    /// Equalizer conditioning pattern.
    Seg2,
    /// Bridge (long training only).
    Seg3,
    /// Trellis-coded scrambled ones.
    Seg4,
    /// Trellis-coded data.
    Data,
}

/// Generator of the V.17 symbol sequence.
#[derive(Debug, Clone)]
pub(crate) struct Sequencer {
    rate: V17Rate,
    short: bool,
    stage: Stage,
    n: u32,
    scr: Scrambler,
    last_train: u8,
    diff: u8,
    conv: u8,
    /// Label of the last trellis-coded symbol.
    pub(crate) last_label: u8,
}

impl Sequencer {
    /// Start a sequence with long or short training.
    pub(crate) fn new(rate: V17Rate, short: bool) -> Self {
        Sequencer {
            rate,
            short,
            stage: Stage::Seg1,
            n: 0,
            scr: Scrambler::with_state(TRAINING_SEED),
            last_train: 0,
            diff: 0,
            conv: SEG4_CONV_STATE,
            last_label: 0,
        }
    }

    /// The differential encoder's state (`Y1 | Y2 << 1` of the last coded symbol).
    pub(crate) fn diff_state(&self) -> u8 {
        self.diff
    }

    /// The current stage (of the next symbol to be generated).
    pub(crate) fn stage(&self) -> Stage {
        self.stage
    }

    fn advance(&mut self) {
        self.n += 1;
        let (len, next) = match self.stage {
            Stage::Seg1 => (SEG1_SYMBOLS, Stage::Seg2),
            Stage::Seg2 if self.short => (SEG2_SHORT_SYMBOLS, Stage::Seg4),
            Stage::Seg2 => (SEG2_LONG_SYMBOLS, Stage::Seg3),
            Stage::Seg3 => (SEG3_SYMBOLS, Stage::Seg4),
            Stage::Seg4 => (SEG4_SYMBOLS, Stage::Data),
            Stage::Data => return,
        };
        if self.n >= len {
            self.n = 0;
            if next == Stage::Seg4 {
                // The differential encoder continues from the last training state: A after
                // the bridge, C after a short segment 2.
                self.diff = if self.last_train == 2 { 3 } else { 0 };
                self.conv = SEG4_CONV_STATE;
            }
            self.stage = next;
        }
    }

    /// The next symbol, in the units of the recommendation. During data, `bit` supplies the
    /// data bits (first in time first); during training it is not called.
    pub(crate) fn next_symbol(&mut self, mut bit: impl FnMut() -> u8) -> (i8, i8) {
        let p = match self.stage {
            Stage::Seg1 => {
                self.last_train = (self.n & 1) as u8;
                TRAIN_POINTS[self.last_train as usize]
            }
            Stage::Seg2 => {
                let b0 = self.scr.scramble(1);
                let b1 = self.scr.scramble(1);
                self.last_train = SEG2_DIBIT[((b0 << 1) | b1) as usize];
                TRAIN_POINTS[self.last_train as usize]
            }
            Stage::Seg3 => {
                let k = (2 * self.n) % 16;
                let b0 = self.scr.scramble((BRIDGE_PATTERN >> k) as u8 & 1);
                let b1 = self.scr.scramble((BRIDGE_PATTERN >> (k + 1)) as u8 & 1);
                self.last_train = (self.last_train + BRIDGE_TURNS[((b0 << 1) | b1) as usize]) & 3;
                TRAIN_POINTS[self.last_train as usize]
            }
            Stage::Seg4 => self.coded(|| 1),
            Stage::Data => self.coded(&mut bit),
        };
        self.advance();
        p
    }

    /// One trellis-coded symbol (V.17 §3.4-3.5).
    fn coded(&mut self, mut bit: impl FnMut() -> u8) -> (i8, i8) {
        let nb = self.rate.bits_per_symbol();
        let q1 = self.scr.scramble(bit());
        let q2 = self.scr.scramble(bit());
        let y12 = diff_encode(self.diff, q1, q2);
        self.diff = y12;
        let mut label = conv_y0(self.conv) | (y12 << 1);
        for k in 2..nb {
            label |= self.scr.scramble(bit()) << (k + 1);
        }
        self.conv = conv_next(self.conv, y12);
        self.last_label = label;
        self.rate.map()[label as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_training_has_the_table_3_length() {
        let mut s = Sequencer::new(V17Rate::R14400, false);
        let mut n = 0;
        while s.stage() != Stage::Data {
            s.next_symbol(|| 0);
            n += 1;
        }
        assert_eq!(n, 256 + 2976 + 64 + 48);
        let mut s = Sequencer::new(V17Rate::R7200, true);
        let mut n = 0;
        while s.stage() != Stage::Data {
            s.next_symbol(|| 0);
            n += 1;
        }
        assert_eq!(n, 256 + 38 + 48);
    }

    #[test]
    fn segment_2_starts_with_cdcd() {
        let mut s = Sequencer::new(V17Rate::R14400, false);
        for _ in 0..256 {
            s.next_symbol(|| 0);
        }
        let first: Vec<_> = (0..6).map(|_| s.next_symbol(|| 0)).collect();
        let c = TRAIN_POINTS[2];
        let d = TRAIN_POINTS[3];
        assert_eq!(first, vec![c, d, c, d, c, d]);
    }
}
