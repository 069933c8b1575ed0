//! The crate's error type.

use crate::fcf::Fcf;

/// Everything that can go wrong in `telefax-t30`: malformed frames and misuse of the
/// session API. Protocol failures of a call are not errors of this kind; they end the call
/// with [`crate::session::Event::Ended`] carrying a [`crate::session::CallResult`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The frame is shorter than address + control + FCF (T.30 §5.3.5).
    #[error("frame too short: {len} octets (need at least 3: address, control, FCF)")]
    TooShort {
        /// Octets received.
        len: usize,
    },
    /// The frame is longer than any T.30 frame may be.
    #[error("frame too long: {len} octets (limit {limit})")]
    TooLong {
        /// Octets received.
        len: usize,
        /// The limit applied.
        limit: usize,
    },
    /// The address octet is not the all-stations address 0xFF (T.30 §5.3.4).
    #[error("bad HDLC address 0x{0:02x} (T.30 §5.3.4 requires 0xff)")]
    BadAddress(u8),
    /// The control octet is neither 0x03 (non-final) nor 0x13 (final), T.30 §5.3.5.
    /// A value of 0xc0/0xc8 means the octets arrived MSB-first (T.38 order); reverse the
    /// bits of every octet (see [`crate::frame::reverse_bits`]) before parsing.
    #[error("bad HDLC control 0x{0:02x} (expected 0x03 or 0x13 in line bit order)")]
    BadControl(u8),
    /// A known frame carries an information field of an impossible length.
    #[error("{fcf} frame: bad information field length {len} (expected {expected})")]
    BadFifLength {
        /// The frame's FCF.
        fcf: Fcf,
        /// The FIF length found.
        len: usize,
        /// What T.30 requires, as text.
        expected: &'static str,
    },
    /// A session API call that the current state does not allow.
    #[error("invalid use of the session: {0}")]
    InvalidUse(&'static str),
}

/// The error returned by [`crate::frame::Frame::parse`] (the crate's single error type).
pub type FrameError = Error;
