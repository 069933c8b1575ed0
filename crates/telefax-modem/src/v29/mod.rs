//! ITU-T V.29 modem (4800, 7200 and 9600 bit/s), half-duplex as used for fax (T.30).
//!
//! - Carrier 1700 Hz, 2400 baud (V.29 §2.1, §2.2).
//! - 16-point constellation with differential phase encoding of Q2 Q3 Q4 and amplitude from
//!   Q1 (Tables 1 and 2/V.29); 7200 bit/s uses the 8 inner points (Q1 = 0), 4800 bit/s the 4
//!   points on the axes (Q1 = 0, Q4 = not(Q2 xor Q3)) (V.29 §2.4).
//! - Scrambler 1 + x^-18 + x^-23 (V.29 §2.5).
//! - Training (V.29 §2.7, Table 3/V.29): segment 1, 48 symbols of silence; segment 2, 128
//!   symbols alternating A B; segment 3, 384 symbols of C or D chosen by the sequence
//!   1 + x^-6 + x^-7 whose register starts at 0101010 (the register's bits are sent first);
//!   segment 4, 48 symbols of scrambled ones.
//!
//! ```
//! use telefax_modem::v29::{V29Rate, V29Rx, V29Tx};
//! use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};
//! struct Sink(Vec<u8>, bool);
//! impl RxSink for Sink {
//!     fn put_bit(&mut self, b: u8) { self.0.push(b) }
//!     fn status(&mut self, s: RxStatus) { if s == RxStatus::TrainingSucceeded { self.1 = true } }
//! }
//! let mut tx = V29Tx::new(V29Rate::R9600);
//! let mut n = 0u32;
//! let mut bits = move || { n += 1; (n <= 4800).then_some((n % 3 == 0) as u8) };
//! let mut audio = vec![0i16; 8000];
//! let used = tx.modulate(&mut audio, &mut bits);
//! let mut rx = V29Rx::new(V29Rate::R9600);
//! let mut sink = Sink(Vec::new(), false);
//! rx.demodulate(&audio[..used], &mut sink);
//! assert!(sink.1);
//! let s: String = sink.0.iter().map(|b| b.to_string()).collect();
//! assert!(s.contains("001001001001001001001001001001001001001001001001"));
//! ```

mod rx;
mod tx;

pub use rx::V29Rx;
pub use tx::V29Tx;

use crate::qam::Complex32;

/// V.29 carrier frequency in Hz (§2.1).
pub const CARRIER_HZ: u32 = 1700;
/// V.29 symbol rate (§2.2).
pub const BAUD: u32 = 2400;
/// Segment lengths of the training sequence in symbols (Table 3/V.29).
pub const SEG1_SYMBOLS: usize = 48;
/// Segment 2 (alternations A B).
pub const SEG2_SYMBOLS: usize = 128;
/// Segment 3 (equalizer conditioning C D).
pub const SEG3_SYMBOLS: usize = 384;
/// Segment 4 (scrambled ones at the data rate).
pub const SEG4_SYMBOLS: usize = 48;
/// Initial state of the segment 3 pattern generator (V.29 §2.7.3: 0101010).
pub const SEG3_SEED: u8 = 0b010_1010;
/// Symbols of scrambled ones sent after the data before the transmitter stops.
pub const TURNOFF_SYMBOLS: usize = 24;

/// The data signalling rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V29Rate {
    /// 4800 bit/s (dibits).
    R4800,
    /// 7200 bit/s (tribits).
    R7200,
    /// 9600 bit/s (quadbits).
    R9600,
}

impl V29Rate {
    /// The rate for `bps` (4800, 7200 or 9600).
    pub fn from_bps(bps: u32) -> Option<Self> {
        match bps {
            4800 => Some(V29Rate::R4800),
            7200 => Some(V29Rate::R7200),
            9600 => Some(V29Rate::R9600),
            _ => None,
        }
    }

    /// Bits per second.
    pub fn bps(self) -> u32 {
        match self {
            V29Rate::R4800 => 4800,
            V29Rate::R7200 => 7200,
            V29Rate::R9600 => 9600,
        }
    }

    /// Bits per symbol.
    pub fn bits_per_symbol(self) -> usize {
        match self {
            V29Rate::R4800 => 2,
            V29Rate::R7200 => 3,
            V29Rate::R9600 => 4,
        }
    }

    /// The training points A, B, C, D (Table 3/V.29).
    pub fn abcd(self) -> [Complex32; 4] {
        let c = Complex32::new;
        match self {
            V29Rate::R4800 => [c(-3.0, 0.0), c(0.0, -3.0), c(3.0, 0.0), c(0.0, 3.0)],
            V29Rate::R7200 => [c(-3.0, 0.0), c(1.0, -1.0), c(3.0, 0.0), c(-1.0, 1.0)],
            V29Rate::R9600 => [c(-3.0, 0.0), c(3.0, -3.0), c(3.0, 0.0), c(-3.0, 3.0)],
        }
    }

    /// Mean energy of the data constellation (all points equally likely).
    pub fn mean_energy(self) -> f32 {
        match self {
            V29Rate::R4800 => 9.0,
            V29Rate::R7200 => 5.5,
            V29Rate::R9600 => 13.5,
        }
    }
}

/// Phase change in 45° steps for Q2 Q3 Q4 (Table 1/V.29, the same as V.27ter Table 1).
pub(crate) const PHASE_STEP: [u8; 8] = [1, 0, 2, 3, 6, 7, 5, 4];
/// The inverse of [`PHASE_STEP`]: Q2 Q3 Q4 for a phase change in 45° steps.
pub(crate) const STEP_BITS: [u8; 8] = [0b001, 0b000, 0b010, 0b011, 0b111, 0b110, 0b100, 0b101];

/// The point at absolute phase `phase` (45° steps) with amplitude bit `q1` (Table 2/V.29).
pub(crate) fn point(phase: u8, q1: u8) -> Complex32 {
    let p = phase & 7;
    let r = match (p & 1, q1 & 1) {
        (0, 0) => 3.0,
        (0, _) => 5.0,
        (_, 0) => std::f32::consts::SQRT_2,
        _ => 3.0 * std::f32::consts::SQRT_2,
    };
    let a = f32::from(p) * std::f32::consts::FRAC_PI_4;
    let z = Complex32::from_polar(r, a);
    // Snap to exact coordinates.
    Complex32::new(
        z.re.round_ties_even_if_close(),
        z.im.round_ties_even_if_close(),
    )
}

trait Snap {
    fn round_ties_even_if_close(self) -> f32;
}

impl Snap for f32 {
    fn round_ties_even_if_close(self) -> f32 {
        let r = self.round();
        if (self - r).abs() < 1e-4 {
            r
        } else {
            self
        }
    }
}

/// The data points of `rate` as (point, absolute phase, Q1).
pub(crate) fn data_points(rate: V29Rate) -> Vec<(Complex32, u8, u8)> {
    let mut v = Vec::new();
    for phase in 0..8u8 {
        for q1 in 0..2u8 {
            let ok = match rate {
                V29Rate::R9600 => true,
                V29Rate::R7200 => q1 == 0,
                V29Rate::R4800 => q1 == 0 && phase % 2 == 0,
            };
            if ok {
                v.push((point(phase, q1), phase, q1));
            }
        }
    }
    v
}

/// The absolute phase (45° steps) of a training or data point.
pub(crate) fn phase_of(p: Complex32) -> u8 {
    let a = p.im.atan2(p.re) / std::f32::consts::FRAC_PI_4;
    (a.round() as i32).rem_euclid(8) as u8
}
