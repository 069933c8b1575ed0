//! The T.30 session engine: a sans-IO state machine for Group 3 fax (T.30 phases A–E,
//! calling and answering, sending, receiving and polling, with and without ECM).
//!
//! Inputs (`handle_*`): V.21 frames ([`Session::handle_frame`], or raw octets with
//! [`Session::handle_frame_bytes`], and [`Session::handle_bad_frame`] for FCS errors),
//! modem events ([`ModemEvent`]: carrier up/down, training result, TxDone), high-speed data
//! (TCF and non-ECM page octets: [`Session::handle_rx_data`]; ECM FCD/RCP frames:
//! [`Session::handle_fast_frame`]), the embedder's page quality
//! ([`Session::handle_page_quality`]), the receiving modem's line quality during TCF
//! ([`Session::handle_tcf_quality`]), ECM page data to send ([`Session::set_page_data`]),
//! and time ([`Session::handle_timeout`]).
//!
//! Outputs: [`Command`]s for the modem layer, [`Event`]s for the application, and the next
//! deadline ([`Session::poll_timeout`]). Protocol failures end the call with
//! `Event::Ended(Err(CallError))` naming the T.30 reason; usage errors are `Result`s.
//!
//! [`Session`] performs no I/O and reads no clock. The embedder feeds it what the modems
//! saw (`handle_frame`, `handle_modem`, `handle_rx_data`, `handle_page_quality`) and the
//! time (`handle_timeout`), then drains [`Session::poll_command`] (what the modems must do)
//! and [`Session::poll_event`] (what the application should know), and sleeps until
//! [`Session::poll_timeout`]. Time is [`SampleTime`], samples at 8000 Hz.
//!
//! ```
//! use telefax_t30::session::{Session, Config, Role, Job, Command, Event};
//! let mut s = Session::new(Config::new(Role::Answering, Job::Receive));
//! s.start(0);
//! // The answering terminal first plays CED.
//! assert!(matches!(s.poll_command(), Some(Command::SendTone { .. })));
//! // ... the embedder plays it, then reports TxDone and the time:
//! s.handle_modem(24_000, telefax_t30::session::ModemEvent::TxDone);
//! // After the 75 ms gap the engine sends CSI + DIS.
//! let t = s.poll_timeout().unwrap();
//! s.handle_timeout(t);
//! let Some(Command::SendFrames { frames, .. }) = s.poll_command() else { panic!() };
//! assert_eq!(frames.last().unwrap().name(), "DIS");
//! while let Some(ev) = s.poll_event() { println!("{ev:?}"); }
//! ```
//!
//! The canonical driving loop:
//!
//! ```text
//! loop {
//!     // feed inputs from the modems: s.handle_frame(now, f), s.handle_modem(now, ev), ...
//!     if let Some(t) = s.poll_timeout() { if now >= t { s.handle_timeout(now) } }
//!     while let Some(cmd) = s.poll_command() { /* start/stop modems */ }
//!     while let Some(ev) = s.poll_event() { /* pages, progress, Ended */ }
//! }
//! ```

mod ecm;
mod engine;
mod io;
mod mode;
mod quality;
pub mod timing;

pub use engine::Session;
pub use io::{
    CallError, CallResult, Carrier, Command, Config, Event, FailReason, Job, ModemEvent, Phase,
    ReceivedPage, Role, SendJob, Summary, Tone, Training, TrainingOutcome, TxData,
};
pub use mode::{negotiate, DocumentFormat, Mode, Policy};
pub use quality::{LineQuality, PageQuality, QualityThresholds, RtcDetector, TcfCheck, TcfRule};
pub use timing::SampleTime;
