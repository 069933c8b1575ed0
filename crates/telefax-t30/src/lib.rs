//! ITU-T T.30 for Group 3 facsimile: frame types and a sans-IO session engine.
//!
//! - [`frame`]: parse and build T.30 HDLC frames ([`frame::Frame`]), bit-exact;
//!   [`fcf`] names the control fields, [`capabilities`] decodes the DIS/DTC/DCS field
//!   (T.30 Table 2) and [`ident`] the identity strings.
//! - [`session`]: the T.30 procedure (phases A–E, both roles, polling, ECM) as a state
//!   machine that performs no I/O and reads no clock: feed it frames, modem events and
//!   page data with `handle_*`, drain `poll_command`/`poll_event`, and drive time with
//!   `poll_timeout`/`handle_timeout` (the quinn-proto/str0m pattern). Time is
//!   [`session::SampleTime`], samples at 8000 Hz.
//!
//! Octets are in **line bit order** throughout (bit 0 first on the line; DIS = 0x80,
//! control 0x03/0x13); see [`fcf`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod capabilities;
pub mod error;
pub mod fcf;
pub mod frame;
#[doc(hidden)]
pub mod fuzz;
pub mod ident;
pub mod session;

pub use capabilities::{
    Capabilities, Coding, FastModem, FieldKind, Length, Modem, Resolution, Width,
};
pub use error::{Error, FrameError};
pub use fcf::Fcf;
pub use frame::{Frame, Payload};
pub use ident::Identity;
