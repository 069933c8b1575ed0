//! The session's inputs and outputs: configuration, modem events, commands, events and the
//! typed call result.

use serde::Serialize;

use super::mode::{DocumentFormat, Mode, Policy};
use super::quality::{PageQuality, QualityThresholds, TcfRule};
use super::timing::{SampleTime, T4};
use crate::capabilities::{Capabilities, FastModem};
use crate::fcf::Fcf;
use crate::frame::Frame;

/// Who placed the call (T.30 §2: calling and called terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Role {
    /// The terminal that dialled: waits for DIS.
    Calling,
    /// The terminal that answered: sends CED and DIS.
    Answering,
}

/// What this terminal wants to do in the call.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Job {
    /// Transmit a document. A calling terminal sends it after DIS; an answering terminal
    /// advertises it for polling (DIS bit 9) and sends it when the caller sends DTC.
    Send(SendJob),
    /// Receive a document. An answering terminal waits for DCS; a calling terminal polls
    /// (answers a DIS with bit 9 set by DTC, T.30 §5.3.6.1.2).
    Receive,
}

/// The document to transmit: the embedder holds the coded pages and supplies them when
/// told to ([`TxData::Page`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SendJob {
    /// Number of pages (at least 1).
    pub pages: u32,
    /// The document's format, used to choose the mode.
    pub format: DocumentFormat,
    /// Pages (1-based) after which EOM (return to phase B) is sent instead of MPS.
    pub eom_after: Vec<u32>,
    /// Send PRI-MPS/PRI-EOM/PRI-EOP instead of the plain commands (procedure interrupt
    /// request, T.30 §5.3.6.1.5); PIP/PIN answers are treated as MCF/RTN.
    pub procedure_interrupt: bool,
}

impl SendJob {
    /// A document of `pages` pages in the default format.
    pub fn pages(pages: u32) -> SendJob {
        SendJob {
            pages,
            format: DocumentFormat::default(),
            eom_after: Vec::new(),
            procedure_interrupt: false,
        }
    }
}

/// Session configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Calling or answering.
    pub role: Role,
    /// Send or receive.
    pub job: Job,
    /// The local identity sent in TSI/CSI/CIG (20 characters at most).
    pub local_identity: String,
    /// What this terminal may use.
    pub policy: Policy,
    /// The receiver's TCF acceptance rule.
    pub tcf_rule: TcfRule,
    /// The receiver's copy-quality thresholds.
    pub quality: QualityThresholds,
    /// The response timer: [`T4`] (3 s) or [`super::timing::T4_AUTOMATIC`] (4.5 s).
    pub t4: SampleTime,
    /// How many times a page answered with RTN is sent again (after retraining) before the
    /// transmitter gives up on it.
    pub max_page_retries: u8,
    /// Whether a page answered with RTN is sent again one rate lower (the next mode of
    /// [`FastModem::FALLBACK_ORDER`] both ends allow): T.30 §5.3.6.1.7 asks the
    /// transmitter to retrain after RTN and leaves the rate to it; a page damaged at one
    /// rate is likely to be damaged again at the same rate. Default true.
    pub rtn_fallback: bool,
    /// Whether the answering terminal sends CED before DIS (T.30 §5.2.3).
    pub send_ced: bool,
    /// Whether the calling terminal sends CNG while waiting for DIS (T.30 §5.2.2).
    pub send_cng: bool,
}

impl Config {
    /// A configuration with defaults for everything but role and job.
    pub fn new(role: Role, job: Job) -> Config {
        Config {
            role,
            job,
            local_identity: String::new(),
            policy: Policy::default(),
            tcf_rule: TcfRule::default(),
            quality: QualityThresholds::default(),
            t4: T4,
            max_page_retries: 2,
            rtn_fallback: true,
            send_ced: true,
            send_cng: true,
        }
    }
}

/// The T.30 phases (T.30 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Phase {
    /// Call set-up (tones).
    A,
    /// Pre-message procedure: capabilities, mode, training.
    B,
    /// Message transmission.
    C,
    /// Post-message procedure.
    D,
    /// Call release.
    E,
}

/// A call tone (T.30 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Tone {
    /// Called terminal identification, 2100 Hz.
    Ced,
    /// Calling tone, 1100 Hz, 0.5 s on / 3 s off.
    Cng,
}

/// The training sequence of a high-speed modem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Training {
    /// The long (full) training sequence: used for TCF and after every DCS.
    Long,
    /// The short training sequence (V.17): used for pages after a successful TCF.
    Short,
}

/// What a high-speed transmission carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TxData {
    /// TCF: this many zero octets (1.5 s at the rate, T.30 §5.3.6.2.9).
    Tcf {
        /// Octets of zeros.
        octets: u32,
    },
    /// The coded data of page `index` (0-based), in the negotiated mode, ending with RTC
    /// (non-ECM).
    Page {
        /// 0-based page index.
        index: u32,
    },
    /// ECM (T.30 Annex A): send these HDLC frames (FCDs, then RCPs) with flags between
    /// them on the high-speed modem, each with its FCS.
    Frames(Vec<Frame>),
}

/// What the engine asks the modem layer to do. Transmission commands are answered by
/// [`ModemEvent::TxDone`] when the last bit has been sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Command {
    /// Play a tone for `duration_ms`, then report TxDone.
    SendTone {
        /// Which tone.
        tone: Tone,
        /// Duration.
        duration_ms: u32,
    },
    /// Play the CNG cadence while listening for V.21, until the next transmit command
    /// (no TxDone).
    StartCng,
    /// Send these frames on V.21 channel 2 as one transmission, preceded by
    /// `preamble_flags` HDLC flags (T.30 §5.3.1), then report TxDone.
    SendFrames {
        /// The frames, in order; the last one is final.
        frames: Vec<Frame>,
        /// Flags before the first frame.
        preamble_flags: u16,
    },
    /// Start the high-speed transmitter, send `data`, stop, and report TxDone.
    StartTx {
        /// Modem and rate.
        modem: FastModem,
        /// Training sequence.
        training: Training,
        /// TCF or a page.
        data: TxData,
    },
    /// Receive on V.21 channel 2 only.
    ListenV21,
    /// Receive on the high-speed modem (keeping V.21 open as well).
    ListenFast {
        /// Modem and rate.
        modem: FastModem,
        /// Training sequence to expect.
        training: Training,
    },
    /// Release the line: the call is over.
    HangUp,
}

/// Which receiver a carrier event comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Carrier {
    /// V.21 channel 2.
    V21,
    /// The high-speed modem.
    Fast,
}

/// Events from the modem layer.
///
/// V.21 carrier events are optional but improve timing: while a V.21 signal is arriving,
/// a response timer that expires is held open until the signal ends (at most 10 s), and
/// the 75 ms gap before the engine's next transmission counts from the end of the
/// received signal rather than from the frame (T.30 §5.3.2, §5.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum ModemEvent {
    /// A carrier appeared.
    CarrierUp(Carrier),
    /// A carrier ended.
    CarrierDown(Carrier),
    /// The high-speed receiver trained.
    TrainingSucceeded {
        /// Signal quality estimate, if the receiver has one.
        quality_db: Option<f32>,
    },
    /// The high-speed receiver failed to train.
    TrainingFailed,
    /// The current transmission (tone, frames, TCF or page) has been completely sent.
    TxDone,
}

/// The outcome of a training check, as seen by either side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TrainingOutcome {
    /// CFR sent or received.
    Confirmed,
    /// FTT sent or received.
    Failed,
}

/// A received page, delivered as soon as its fate is known (or when the call ends).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceivedPage {
    /// 1-based page number in this call.
    pub number: u32,
    /// The coded page data as received (non-ECM: the raw byte stream).
    #[serde(skip)]
    pub data: Vec<u8>,
    /// Octets received.
    pub octets: usize,
    /// Whether RTC was found in the data.
    pub rtc: bool,
    /// The quality the embedder reported, if any.
    pub quality: Option<PageQuality>,
    /// The mode it was sent in.
    pub mode: Mode,
    /// The response sent (MCF/RTP/RTN), `None` when the call ended before a post-message
    /// command arrived.
    pub response: Option<Fcf>,
    /// The post-message command that ended it, if one arrived.
    pub command: Option<Fcf>,
}

/// What happened, for the application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Event {
    /// The procedure entered a new phase.
    Phase(Phase),
    /// The remote terminal identified itself (TSI, CSI or CIG).
    RemoteIdentity {
        /// Which frame carried it.
        fcf: Fcf,
        /// The identity in reading order.
        identity: String,
    },
    /// The remote's capabilities (DIS or DTC).
    RemoteCapabilities(Capabilities),
    /// The mode for the next page(s) was fixed (sent or received DCS).
    Negotiated(Mode),
    /// A training check finished.
    Training {
        /// The mode trained.
        modem: FastModem,
        /// CFR or FTT.
        outcome: TrainingOutcome,
    },
    /// A page was transmitted and the receiver answered.
    PageSent {
        /// 0-based page index.
        index: u32,
        /// MCF, RTP, RTN (or PIP/PIN).
        response: Fcf,
    },
    /// A page was received.
    PageReceived(ReceivedPage),
    /// The call is over (phase E complete); no more commands follow HangUp.
    Ended(CallResult),
}

/// Page counts of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Pages sent and confirmed (MCF/RTP/PIP).
    pub pages_sent: u32,
    /// Pages received and accepted (MCF/RTP).
    pub pages_received: u32,
}

/// Why a call failed (T.30 §5.4 timers and Chapter 5 procedures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum FailReason {
    /// T1 expired: no valid answer identifying a fax terminal (35 s).
    T1Expired,
    /// T2 expired: no command when one was due (6 s).
    T2Expired,
    /// Three tries of this command got no valid response (T4 each).
    NoResponse(Fcf),
    /// The remote sent DCN before the procedure was complete.
    RemoteDisconnect,
    /// No common modem/mode, or the remote chose one we do not accept.
    Incompatible,
    /// Training failed at every rate down to V.27 ter 2400.
    TrainingFailed,
    /// A page was answered with RTN more times than allowed.
    PageRejected,
    /// The local application aborted the call.
    Aborted,
    /// Three CRPs or unusable frames in a row.
    ProtocolError,
    /// The remote requested polling but we have nothing to send, or the reverse.
    PollingMismatch,
    /// ECM: the receiver stayed not ready (RNR) for longer than T5 (60 s).
    T5Expired,
    /// ECM: the embedder did not supply the page's data ([`super::Session::set_page_data`]).
    MissingPageData,
}

/// A failed call: the reason, the phase it happened in, and what was achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CallError {
    /// Why.
    pub reason: FailReason,
    /// The phase the failure happened in.
    pub phase: Phase,
    /// Pages done before the failure.
    pub summary: Summary,
}

impl core::fmt::Display for CallError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "call failed in phase {:?}: {:?} ({} pages sent, {} received)",
            self.phase, self.reason, self.summary.pages_sent, self.summary.pages_received
        )
    }
}

/// The outcome of a call.
pub type CallResult = Result<Summary, CallError>;
