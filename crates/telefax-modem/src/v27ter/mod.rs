//! ITU-T V.27ter modem (2400 and 4800 bit/s), half-duplex as used for fax (T.30).
//!
//! - Carrier 1800 Hz; 1600 baud at 4800 bit/s, 1200 baud at 2400 bit/s (V.27ter §2.1, §2.2).
//! - 4800 bit/s: tribits encoded as phase changes of 8-phase PSK (Table 1/V.27ter);
//!   2400 bit/s: dibits as phase changes of 0, 90, 180, 270 degrees (Table 2/V.27ter).
//! - Scrambler 1 + x^-6 + x^-7 with the 33-bit repeated-pattern guard (V.27ter §2.5).
//! - Long training sequence (V.27ter §2.6, Table 3/V.27ter), used for fax: segment 1,
//!   unmodulated carrier (200 ms); segment 2, no energy (20 ms); segment 3, 50 symbols of
//!   180° phase reversals; segment 4, 1074 symbols of the equalizer-conditioning pattern
//!   (phase changes of 0° or 180° following a 127-symbol pseudo-random sequence);
//!   segment 5, 8 symbols of scrambled ones. Then data, then the turn-off sequence.
//!
//! ```
//! use telefax_modem::v27ter::{V27terRate, V27terRx, V27terTx};
//! use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};
//! struct Sink(Vec<u8>, bool);
//! impl RxSink for Sink {
//!     fn put_bit(&mut self, b: u8) { self.0.push(b) }
//!     fn status(&mut self, s: RxStatus) { if s == RxStatus::TrainingSucceeded { self.1 = true } }
//! }
//! let mut tx = V27terTx::new(V27terRate::R4800);
//! let mut n = 0u32;
//! let mut bits = move || { n += 1; (n <= 2400).then_some((n % 3 == 0) as u8) };
//! let mut audio = vec![0i16; 16000];
//! let used = tx.modulate(&mut audio, &mut bits);
//! let mut rx = V27terRx::new(V27terRate::R4800);
//! let mut sink = Sink(Vec::new(), false);
//! rx.demodulate(&audio[..used], &mut sink);
//! assert!(sink.1);
//! let s: String = sink.0.iter().map(|b| b.to_string()).collect();
//! assert!(s.contains("001001001001001001001001001001001001001001001001"));
//! ```

mod rx;
mod tx;

pub use rx::V27terRx;
pub use tx::V27terTx;

/// V.27ter carrier frequency in Hz (§2.1).
pub const CARRIER_HZ: u32 = 1800;
/// Segment 3 length (phase reversals) of the long training, in symbols.
pub const SEG3_SYMBOLS: usize = 50;
/// Segment 4 length (equalizer conditioning) of the long training, in symbols.
pub const SEG4_SYMBOLS: usize = 1074;
/// Segment 5 length (scrambled ones), in symbols.
pub const SEG5_SYMBOLS: usize = 8;
/// The first seven bits of the segment 4 sequence (1 = 180° phase change).
pub const SEG4_SEED: u8 = 0b011_1110;

/// The data signalling rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V27terRate {
    /// 2400 bit/s, 1200 baud, dibits.
    R2400,
    /// 4800 bit/s, 1600 baud, tribits.
    R4800,
}

impl V27terRate {
    /// The rate for `bps` (2400 or 4800).
    pub fn from_bps(bps: u32) -> Option<Self> {
        match bps {
            2400 => Some(V27terRate::R2400),
            4800 => Some(V27terRate::R4800),
            _ => None,
        }
    }

    /// Bits per second.
    pub fn bps(self) -> u32 {
        match self {
            V27terRate::R2400 => 2400,
            V27terRate::R4800 => 4800,
        }
    }

    /// Symbols per second.
    pub fn baud(self) -> u32 {
        match self {
            V27terRate::R2400 => 1200,
            V27terRate::R4800 => 1600,
        }
    }

    /// Bits per symbol.
    pub fn bits_per_symbol(self) -> usize {
        match self {
            V27terRate::R2400 => 2,
            V27terRate::R4800 => 3,
        }
    }

    /// Segment 1 (unmodulated carrier, 200 ms) length in symbols.
    pub fn seg1_symbols(self) -> usize {
        self.baud() as usize / 5
    }

    /// Segment 2 (silence, 20 ms) length in symbols.
    pub fn seg2_symbols(self) -> usize {
        self.baud() as usize / 50
    }

    /// Turn-off sequence length (scrambled ones, 20 ms) in symbols.
    pub fn turnoff_symbols(self) -> usize {
        self.baud() as usize / 50
    }
}

/// Phase change in 45° steps for a tribit (Table 1/V.27ter): 001 0°, 000 45°, 010 90°,
/// 011 135°, 111 180°, 110 225°, 100 270°, 101 315°.
pub(crate) const TRIBIT_STEP: [u8; 8] = [1, 0, 2, 3, 6, 7, 5, 4];
/// Tribit for a phase change in 45° steps (inverse of [`TRIBIT_STEP`]).
pub(crate) const STEP_TRIBIT: [u8; 8] = [0b001, 0b000, 0b010, 0b011, 0b111, 0b110, 0b100, 0b101];
/// Phase change in 45° steps for a dibit (Table 2/V.27ter): 00 0°, 01 90°, 11 180°, 10 270°.
pub(crate) const DIBIT_STEP: [u8; 4] = [0, 2, 6, 4];

/// The segment 4 sequence generator: one bit per symbol (1 = 180° change), period 127.
#[derive(Debug, Clone)]
pub(crate) struct ConditioningSequence {
    fifo: u8,
}

impl ConditioningSequence {
    pub(crate) fn new() -> Self {
        ConditioningSequence { fifo: SEG4_SEED }
    }

    pub(crate) fn next(&mut self) -> u8 {
        // The register's oldest bit leaves first; the sequence obeys
        // c[n] = 1 + c[n-2] + c[n-4] + c[n-6] + c[n-7] (mod 2).
        let f = self.fifo;
        let out = (f >> 6) & 1;
        let new = 1 ^ (f >> 1) ^ (f >> 3) ^ (f >> 5) ^ (f >> 6);
        self.fifo = ((f << 1) | (new & 1)) & 0x7f;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditioning_sequence_has_period_127_and_starts_with_the_seed() {
        let mut g = ConditioningSequence::new();
        let v: Vec<u8> = (0..254).map(|_| g.next()).collect();
        let start: String = v[..40].iter().map(|b| b.to_string()).collect();
        assert_eq!(start, "0111110000111010010100111101110110001000");
        assert_eq!(&v[..127], &v[127..]);
        assert!(
            (1..127).all(|p| v[..127] != v[p..p + 127]),
            "shorter period"
        );
    }
}
