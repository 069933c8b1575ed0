//! Fax modems for telefax: V.21 channel 2, V.27ter, V.29 and V.17, HDLC framing and the
//! CNG/CED call tones.
//!
//! Every modem follows one streaming, allocation-free contract:
//! - a transmitter ([`Modulator`]) fills a caller's `&mut [i16]` (8000 Hz) from a [`BitSource`];
//! - a receiver ([`Demodulator`]) takes `&[i16]` and pushes bits and [`RxStatus`] events into
//!   an [`RxSink`].
//!
//! Blocks may be any length from one sample up; no call allocates.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// A source of bits to transmit (one bit per call, values 0 or 1).
pub trait BitSource {
    /// The next bit to send, or `None` when the data has ended (the modulator then sends its
    /// turn-off sequence, if it has one, and stops).
    fn next_bit(&mut self) -> Option<u8>;
}

impl<F: FnMut() -> Option<u8>> BitSource for F {
    fn next_bit(&mut self) -> Option<u8> {
        self()
    }
}

/// Receiver status events, delivered in order with the bits.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum RxStatus {
    /// Energy in the modem's band rose above the carrier-detect on threshold.
    CarrierUp,
    /// The carrier dropped below the off threshold (end of transmission or line loss).
    CarrierDown,
    /// The receiver finished training and now delivers data bits.
    TrainingSucceeded,
    /// Training was attempted and failed.
    TrainingFailed,
}

/// Where a demodulator delivers its output.
pub trait RxSink {
    /// One received data bit (0 or 1).
    fn put_bit(&mut self, bit: u8);
    /// `n` (at most 32) received data bits at once, the first received in bit `n - 1` of
    /// `bits`. Same as `n` calls of [`RxSink::put_bit`] (which the default makes); receivers
    /// that decide several bits per symbol call this.
    #[inline]
    fn put_bits(&mut self, bits: u32, n: u32) {
        for k in (0..n.min(32)).rev() {
            self.put_bit(((bits >> k) & 1) as u8);
        }
    }
    /// A status change.
    fn status(&mut self, status: RxStatus);
}

/// A transmitter: turns bits into 8 kHz linear samples.
pub trait Modulator {
    /// Fill `out` with samples, pulling bits from `bits` as needed. Returns the number of
    /// samples written; fewer than `out.len()` only once the transmission has completely
    /// ended (data exhausted and turn-off sequence sent). Samples after that are untouched.
    fn modulate<S: BitSource + ?Sized>(&mut self, out: &mut [i16], bits: &mut S) -> usize;
}

/// A receiver: turns 8 kHz linear samples into bits and status events.
pub trait Demodulator {
    /// Process a block of received samples of any length.
    fn demodulate<K: RxSink + ?Sized>(&mut self, samples: &[i16], sink: &mut K);
    /// Forget the current signal and wait for a new carrier (keeps configuration).
    fn reset(&mut self);
    /// A measured signal-quality figure for the current or last signal (higher is better),
    /// in dB, where the receiver can estimate one.
    fn signal_quality_db(&self) -> Option<f32> {
        None
    }
}

pub mod any;
pub mod bert;
pub mod error;
pub mod hdlc;
pub mod qam;
pub mod tones;
pub mod v17;
pub mod v21;
pub mod v27ter;
pub mod v29;

pub use error::ModemError;
