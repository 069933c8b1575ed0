//! ITU-T V.17 trellis-coded modem for facsimile: 7200, 9600, 12000 and 14400 bit/s at 2400
//! baud on an 1800 Hz carrier, with long and short training.
//!
//! - [`V17Tx`] sends the training (V.17 §7: segments 1 to 4, long or short) and then
//!   scrambled (§3.3), differentially encoded (§3.4) and trellis-coded (§3.5) data.
//! - [`V17Rx`] detects the carrier, trains its fractionally spaced equalizer on the known
//!   training sequence and decodes the data with a soft-decision Viterbi decoder.
//!
//! ```
//! use telefax_modem::v17::{V17Rate, V17Rx, V17Tx};
//! use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};
//!
//! struct Sink(Vec<u8>, bool);
//! impl RxSink for Sink {
//!     fn put_bit(&mut self, bit: u8) { self.0.push(bit) }
//!     fn status(&mut self, s: RxStatus) { if s == RxStatus::TrainingSucceeded { self.1 = true } }
//! }
//!
//! let mut tx = V17Tx::new(V17Rate::R14400, false);
//! let mut n = 0u32;
//! let mut bits = move || { n += 1; if n <= 2000 { Some((n % 3 == 0) as u8) } else { None } };
//! let mut audio = vec![0i16; 20_000];
//! let len = tx.modulate(&mut audio, &mut bits);
//! let mut rx = V17Rx::new(V17Rate::R14400);
//! let mut sink = Sink(Vec::new(), false);
//! rx.demodulate(&audio[..len], &mut sink);
//! assert!(sink.1);
//! assert!(sink.0.len() >= 1900);
//! ```
mod constellation;
mod pulse;
pub mod rx;
mod scrambler;
mod training;
mod trellis;
pub mod tx;

pub use rx::V17Rx;
pub use tx::V17Tx;

/// Symbol rate (V.17 §3.1), symbols per second.
pub const BAUD: u32 = 2400;
/// Carrier frequency (V.17 §3.1), Hz.
pub const CARRIER_HZ: f32 = 1800.0;
/// Sample rate of the line signal, Hz.
pub(crate) const SAMPLE_RATE: f32 = 8000.0;

/// A V.17 data signalling rate (V.17 §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum V17Rate {
    /// 7200 bit/s: 16-point constellation.
    R7200,
    /// 9600 bit/s: 32-point constellation.
    R9600,
    /// 12000 bit/s: 64-point constellation.
    R12000,
    /// 14400 bit/s: 128-point constellation.
    R14400,
}

impl V17Rate {
    /// The rate for a bit rate in bit/s, if V.17 has it.
    pub fn from_bps(bps: u32) -> Option<Self> {
        match bps {
            7200 => Some(V17Rate::R7200),
            9600 => Some(V17Rate::R9600),
            12000 => Some(V17Rate::R12000),
            14400 => Some(V17Rate::R14400),
            _ => None,
        }
    }

    /// The bit rate in bit/s.
    pub fn bps(self) -> u32 {
        match self {
            V17Rate::R7200 => 7200,
            V17Rate::R9600 => 9600,
            V17Rate::R12000 => 12000,
            V17Rate::R14400 => 14400,
        }
    }

    /// Data bits per symbol (V.17 §3.4: 3 to 6).
    pub(crate) fn bits_per_symbol(self) -> usize {
        (self.bps() / BAUD) as usize
    }
}
