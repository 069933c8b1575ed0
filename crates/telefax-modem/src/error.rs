//! The error type of the modem crate.
use crate::any::ModemKind;

/// Errors from configuring modems, HDLC framing and tones.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModemError {
    /// The modem name is not one of `v21`, `v27ter`, `v29`, `v17`.
    #[error("unknown modem {name:?} (expected v21, v27ter, v29 or v17)")]
    UnknownModem {
        /// The name given.
        name: String,
    },
    /// This build has no implementation of the modem yet.
    #[error("modem {kind} is not implemented")]
    NotImplemented {
        /// The modem.
        kind: ModemKind,
    },
    /// The modem does not run at the requested bit rate.
    #[error("modem {kind} has no {rate} bit/s mode (supported: {supported:?})")]
    UnsupportedRate {
        /// The modem.
        kind: ModemKind,
        /// The requested rate.
        rate: u32,
        /// The rates it supports.
        supported: &'static [u32],
    },
    /// A transmit level outside the supported range.
    #[error("transmit level {level_dbm0} dBm0 out of range (-60..=3)")]
    InvalidLevel {
        /// The requested level.
        level_dbm0: f32,
    },
    /// Another option value out of range.
    #[error("invalid option {name}: {reason}")]
    InvalidOption {
        /// The option's name.
        name: &'static str,
        /// What is accepted.
        reason: &'static str,
    },
    /// The HDLC transmit queue cannot take the frame now.
    #[error("HDLC transmit queue full ({queued} frames, {bytes} bytes queued)")]
    HdlcQueueFull {
        /// Frames already queued.
        queued: usize,
        /// Bytes already queued.
        bytes: usize,
    },
    /// An HDLC frame longer than the configured maximum.
    #[error("HDLC frame of {len} octets exceeds the maximum of {max}")]
    HdlcFrameTooLong {
        /// The frame's length.
        len: usize,
        /// The configured maximum.
        max: usize,
    },
    /// An empty HDLC frame.
    #[error("HDLC frame is empty")]
    HdlcFrameEmpty,
    /// A DSP block rejected a parameter.
    #[error(transparent)]
    Dsp(#[from] telefax_dsp::DspError),
}
