//! The state machine behind [`Session`].

use std::collections::VecDeque;

use tracing::debug;

use super::ecm::{EcmRx, EcmTx, PPR_LIMIT};
use super::io::{
    CallError, CallResult, Carrier, Command, Config, Event, FailReason, Job, ModemEvent, Phase,
    ReceivedPage, Role, Summary, Tone, Training, TrainingOutcome, TxData,
};
use super::mode::{negotiate, DocumentFormat, Mode};
use super::quality::{LineQuality, PageQuality, RtcDetector, TcfCheck};
use super::timing::{
    tcf_octets, SampleTime, CED_MS, GAP_75MS, T1, T2, T5, TCF_WINDOW, TX_WATCHDOG,
    V21_PREAMBLE_FLAGS,
};
use crate::capabilities::{Capabilities, FastModem, FieldKind, Modem};
use crate::error::Error;
use crate::fcf::Fcf;
use crate::frame::{Ctc, Frame, Payload, Pps};

/// Tries of one command before giving up (T.30 §5.4.3.4 / flowcharts: three).
const MAX_TRIES: u8 = 3;
/// CRPs sent in a row before the receiver stops asking.
const MAX_CRP: u8 = 3;
/// Upper bound on one received page (bounded memory for hostile input).
const MAX_PAGE_OCTETS: usize = 16 << 20;
/// Bound on waiting for TxDone after starting a page transmission.
const PAGE_TX_WATCHDOG: SampleTime = 20 * 60 * 8000;
/// Longest time a timer is held open for a V.21 signal in progress (a long NSF at
/// 300 bit/s plus preamble stays below this).
const V21_HOLD_MAX: SampleTime = 10 * 8000;
/// How long a receiver waiting for a command keeps waiting while a high-speed signal is still
/// on the line (the rest of a page whose carrier it lost; two minutes cover an A4 page at
/// 4800 bit/s).
const FAST_HOLD_MAX: SampleTime = 120 * 8000;

/// What to do when the current transmission ends.
#[derive(Debug, Clone, PartialEq)]
enum Then {
    /// Receiver: listen for a command (DCS, post-message, DCN, ...).
    WaitCommand,
    /// Transmitter: after DCS, send TCF.
    SendTcf,
    /// Transmitter: after TCF, wait for CFR/FTT.
    WaitTrainResp,
    /// Receiver: after CFR or MCF to MPS, wait for the page carrier.
    WaitPage,
    /// Transmitter: after the page, send the post-message command.
    PostCommand,
    /// Transmitter: after the post-message command, wait for the response.
    WaitPostResp,
    /// Receiver: after the final response, wait for DCN.
    WaitDcn,
    /// After DCN (or at once): the call is over.
    End(CallResult),
    /// Answering/polling side: send DIS (or DTC).
    SendCaps,
    /// Transmitter: wait for DIS/DTC (after EOM).
    WaitCaps,
}

/// A transmission waiting for its 75 ms gap.
#[derive(Debug, Clone, PartialEq)]
enum Pending {
    Frames(Vec<Frame>, Then),
    Tcf,
    Page,
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Idle,
    Gap(Pending),
    Sending(Then),
    WaitCaps,
    WaitTrainResp,
    WaitPostResp,
    WaitCommand,
    WaitTcf,
    WaitPage,
    RxPage,
    WaitDcn,
    Ended,
}

#[derive(Debug, Clone, Default)]
struct RxBuf {
    data: Vec<u8>,
    rtc: RtcDetector,
    ended: bool,
    truncated: bool,
}

/// A T.30 session (one call), see the [module docs](super).
#[derive(Debug, Clone)]
pub struct Session {
    cfg: Config,
    state: State,
    deadline: Option<SampleTime>,
    t1: Option<SampleTime>,
    phase: Phase,
    commands: VecDeque<Command>,
    events: VecDeque<Event>,
    x: bool,
    remote_caps: Option<Capabilities>,
    mode: Option<Mode>,
    tries: u8,
    crp_sent: u8,
    /// The last command we sent and what followed it (for repeats and CRP).
    last_cmd: Option<(Vec<Frame>, Then)>,
    /// Receiver: whether the current command wait repeats DIS/DTC on T4.
    repeat_caps: bool,
    // transmitter
    page_index: u32,
    page_retries: u8,
    /// Pages the transmitter gave up on (RTN past the retry limit, or EOR/ERR).
    pages_given_up: u32,
    post_cmd: Option<Fcf>,
    summary: Summary,
    // receiver
    tcf: TcfCheck,
    /// The receiving modem's quality figure for the current TCF, if the embedder gives one.
    tcf_quality: Option<LineQuality>,
    tcf_trained: bool,
    tcf_carrier: bool,
    rx: Option<RxBuf>,
    rx_quality: Option<PageQuality>,
    last_response: Option<(Fcf, Fcf)>,
    pages_seen: u32,
    /// V.21 carrier (flags) currently being received.
    v21_active: bool,
    /// A high-speed signal is on the line (reported by the modem layer in any state).
    fast_active: bool,
    /// How long a response timer has been held open for a V.21 signal in progress.
    held: SampleTime,
    // ECM (T.30 Annex A)
    page_data: Vec<Option<Vec<u8>>>,
    ecm_tx: Option<EcmTx>,
    ecm_rx: Option<EcmRx>,
    /// The ECM command awaiting a response: PPS, CTC or EOR.
    ecm_stage: Fcf,
    ctc_modem: Option<FastModem>,
    /// Receiver: the last response to PPS/EOR and what followed it, repeated for RR.
    ecm_last: Option<(Frame, Then)>,
    rnr_since: Option<SampleTime>,
    long_train_next: bool,
}

impl Session {
    /// A session that has not started yet (call [`Session::start`]).
    pub fn new(cfg: Config) -> Session {
        Session {
            x: cfg.role == Role::Calling,
            cfg,
            state: State::Idle,
            deadline: None,
            t1: None,
            phase: Phase::A,
            commands: VecDeque::new(),
            events: VecDeque::new(),
            remote_caps: None,
            mode: None,
            tries: 0,
            crp_sent: 0,
            last_cmd: None,
            repeat_caps: false,
            page_index: 0,
            page_retries: 0,
            pages_given_up: 0,
            post_cmd: None,
            summary: Summary::default(),
            tcf: TcfCheck::default(),
            tcf_quality: None,
            tcf_trained: false,
            tcf_carrier: false,
            rx: None,
            rx_quality: None,
            last_response: None,
            pages_seen: 0,
            v21_active: false,
            fast_active: false,
            held: 0,
            page_data: Vec::new(),
            ecm_tx: None,
            ecm_rx: None,
            ecm_stage: Fcf::Pps,
            ctc_modem: None,
            ecm_last: None,
            rnr_since: None,
            long_train_next: false,
        }
    }

    // --- getters -------------------------------------------------------------------------

    /// The current T.30 phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether the call is over (Ended has been emitted).
    pub fn is_ended(&self) -> bool {
        self.state == State::Ended
    }

    /// The mode in use, once DCS has been sent or received.
    pub fn mode(&self) -> Option<&Mode> {
        self.mode.as_ref()
    }

    /// The remote's DIS or DTC, once received.
    pub fn remote_capabilities(&self) -> Option<&Capabilities> {
        self.remote_caps.as_ref()
    }

    /// Pages confirmed so far.
    pub fn summary(&self) -> Summary {
        self.summary
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Whether the receiver is waiting for (or receiving) TCF, i.e. whether a line-quality
    /// figure is wanted now ([`Session::handle_tcf_quality`]).
    pub fn expects_tcf(&self) -> bool {
        self.state == State::WaitTcf
    }

    // --- outputs -------------------------------------------------------------------------

    /// The next command for the modem layer. Call after every `handle_*` until `None`.
    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    /// The next event for the application. Call after every `handle_*` until `None`.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Session::handle_timeout`] must be called next (`None` once ended or before
    /// start).
    pub fn poll_timeout(&self) -> Option<SampleTime> {
        if self.state == State::Ended {
            return None;
        }
        match (self.deadline, self.t1) {
            (Some(a), Some(b)) if matches!(self.state, State::WaitCaps | State::WaitCommand) => {
                Some(a.min(b))
            }
            (Some(a), _) => Some(a),
            (None, b) => b,
        }
    }

    // --- inputs --------------------------------------------------------------------------

    /// Start the call at `now` (phase A). Calling a second time is an error.
    pub fn start(&mut self, now: SampleTime) -> Result<(), Error> {
        if self.state != State::Idle {
            return Err(Error::InvalidUse("start called twice"));
        }
        if let Job::Send(j) = &self.cfg.job {
            if j.pages == 0 {
                return Err(Error::InvalidUse("a send job needs at least one page"));
            }
        }
        debug!(role = ?self.cfg.role, job = ?self.cfg.job, "T.30 session start");
        self.events.push_back(Event::Phase(Phase::A));
        self.t1 = Some(now + T1);
        match self.cfg.role {
            Role::Answering => {
                if self.cfg.send_ced {
                    self.commands.push_back(Command::SendTone {
                        tone: Tone::Ced,
                        duration_ms: CED_MS as u32,
                    });
                    self.state = State::Sending(Then::SendCaps);
                    self.deadline = Some(now + TX_WATCHDOG);
                } else {
                    self.then(now, Then::SendCaps);
                }
            }
            Role::Calling => {
                if self.cfg.send_cng {
                    self.commands.push_back(Command::StartCng);
                }
                self.then(now, Then::WaitCaps);
            }
        }
        Ok(())
    }

    /// Abort the call: send DCN and end with [`FailReason::Aborted`].
    pub fn abort(&mut self, now: SampleTime) {
        if !matches!(self.state, State::Ended | State::Idle) {
            self.disconnect(now, FailReason::Aborted);
        }
    }

    /// Parse and handle received frame octets (line order, no FCS); a frame that does not
    /// parse is treated like one with a bad FCS.
    pub fn handle_frame_bytes(&mut self, now: SampleTime, bytes: &[u8]) {
        match Frame::parse(bytes) {
            Ok(f) => self.handle_frame(now, f),
            Err(e) => {
                debug!(error = %e, "rx unparsable frame");
                self.handle_bad_frame(now);
            }
        }
    }

    /// ECM sender: the coded data of page `index` (0-based), needed before that page's
    /// phase C. Non-ECM sessions ignore it (the embedder streams [`TxData::Page`] itself).
    pub fn set_page_data(&mut self, index: u32, data: Vec<u8>) {
        let i = index as usize;
        if i < 4096 {
            if self.page_data.len() <= i {
                self.page_data.resize(i + 1, None);
            }
            self.page_data[i] = Some(data);
        }
    }

    /// ECM receiver: an HDLC frame from the high-speed modem (FCD or RCP). Frames with a
    /// bad FCS are simply not reported; the engine asks for them again with PPR.
    pub fn handle_fast_frame(&mut self, now: SampleTime, frame: Frame) {
        if self.ecm_rx.is_none() {
            return;
        }
        if self.state == State::WaitPage {
            self.begin_page(now);
        }
        if self.state != State::RxPage {
            return;
        }
        match &frame.payload {
            Payload::Fcd(fcd) => {
                if let Some(rx) = self.ecm_rx.as_mut() {
                    rx.put(fcd);
                }
                self.deadline = Some(now + T2);
            }
            _ if frame.fcf == Fcf::Rcp => {
                debug!("RCP: end of partial page");
                self.end_page(now);
            }
            _ => {}
        }
    }

    /// A V.21 frame arrived with a bad FCS (or could not be parsed).
    pub fn handle_bad_frame(&mut self, now: SampleTime) {
        debug!(state = ?self.state, "rx frame with bad FCS");
        match self.state {
            State::WaitTrainResp | State::WaitPostResp => self.repeat_last(now),
            State::WaitCommand | State::WaitPage | State::WaitDcn if self.crp_sent < MAX_CRP => {
                self.crp_sent += 1;
                let resume = match self.state {
                    State::WaitPage => Then::WaitPage,
                    State::WaitDcn => Then::WaitDcn,
                    _ => Then::WaitCommand,
                };
                let keep_repeat = self.repeat_caps;
                self.send(now, vec![self.frame(Fcf::Crp)], resume, false);
                self.repeat_caps = keep_repeat;
            }
            _ => {}
        }
    }

    /// A valid frame arrived.
    pub fn handle_frame(&mut self, now: SampleTime, frame: Frame) {
        debug!(state = ?self.state, "rx {frame}");
        if matches!(
            self.state,
            State::Ended | State::Idle | State::Sending(_) | State::Gap(_)
        ) {
            debug!("frame ignored: not listening");
            return;
        }
        match frame.fcf {
            Fcf::Tsi | Fcf::Csi | Fcf::Cig => {
                if let Some(id) = frame.identity_field() {
                    self.events.push_back(Event::RemoteIdentity {
                        fcf: frame.fcf,
                        identity: id.to_string_lossy(),
                    });
                }
                return;
            }
            Fcf::Nsf | Fcf::Nss | Fcf::Nsc | Fcf::Sub | Fcf::Sid | Fcf::Pwd | Fcf::Sep => return,
            Fcf::Dcn => {
                let result = match self.state {
                    State::WaitDcn => Ok(self.summary),
                    _ if self.phase == Phase::D
                        && matches!(self.last_response, Some((Fcf::Eop, Fcf::Mcf | Fcf::Rtp))) =>
                    {
                        Ok(self.summary)
                    }
                    _ if matches!(self.last_response, Some((_, Fcf::Rtn))) => {
                        Err(self.error(FailReason::PageRejected))
                    }
                    _ => Err(self.error(FailReason::RemoteDisconnect)),
                };
                self.finish(now, result);
                return;
            }
            Fcf::Crp => {
                // CRP asks for our last command again; it means nothing unless we are
                // waiting for the response to one (T.30 §5.3.6.1.7).
                let awaiting = match self.state {
                    State::WaitTrainResp | State::WaitPostResp => true,
                    State::WaitCommand => self.repeat_caps,
                    _ => false,
                };
                if awaiting {
                    self.repeat_last(now);
                }
                return;
            }
            _ => {}
        }
        match self.state {
            State::WaitCaps => match frame.fcf {
                Fcf::Dis | Fcf::Dtc => self.on_caps(now, &frame),
                _ => debug!("ignored while waiting for DIS/DTC"),
            },
            State::WaitTrainResp => match frame.fcf {
                Fcf::Cfr => {
                    let modem = self.current_modem();
                    self.events.push_back(Event::Training {
                        modem,
                        outcome: TrainingOutcome::Confirmed,
                    });
                    self.tries = 0;
                    self.set_phase(Phase::C);
                    self.schedule(now, Pending::Page);
                }
                Fcf::Ftt => {
                    let modem = self.current_modem();
                    self.events.push_back(Event::Training {
                        modem,
                        outcome: TrainingOutcome::Failed,
                    });
                    match self.next_fallback(modem) {
                        Some(next) => {
                            if let Some(m) = self.mode.as_mut() {
                                m.modem = next;
                            }
                            self.tries = 0;
                            self.send_dcs(now);
                        }
                        None => self.disconnect(now, FailReason::TrainingFailed),
                    }
                }
                Fcf::Dis | Fcf::Dtc => self.repeat_last(now),
                _ => self.repeat_last(now),
            },
            State::WaitPostResp if self.ecm_tx.is_some() => self.ecm_response(now, &frame),
            State::WaitPostResp => match frame.fcf {
                Fcf::Mcf | Fcf::Rtp | Fcf::Pip => self.on_page_confirmed(now, frame.fcf),
                Fcf::Rtn | Fcf::Pin => self.on_page_rejected(now, frame.fcf),
                _ => self.repeat_last(now),
            },
            State::WaitCommand
            | State::WaitTcf
            | State::WaitPage
            | State::RxPage
            | State::WaitDcn => self.on_command(now, &frame),
            _ => {}
        }
    }

    /// A modem event.
    pub fn handle_modem(&mut self, now: SampleTime, ev: ModemEvent) {
        debug!(state = ?self.state, ?ev, "modem event");
        match ev {
            ModemEvent::CarrierUp(Carrier::Fast) => self.fast_active = true,
            ModemEvent::CarrierDown(Carrier::Fast) => self.fast_active = false,
            _ => {}
        }
        match ev {
            ModemEvent::TxDone => {
                if let State::Sending(then) = &self.state {
                    let then = then.clone();
                    self.then(now, then);
                }
            }
            ModemEvent::CarrierUp(Carrier::Fast) => match self.state {
                State::WaitTcf => self.tcf_carrier = true,
                State::WaitPage => self.begin_page(now),
                // A high-speed carrier while we wait for a command: the sender is alive (its
                // DCS was lost on the line and TCF follows). Restart T2 so that its repeated
                // DCS, due after its T4, still finds us listening (T.30 §5.4.3.2).
                State::WaitCommand if !self.repeat_caps => self.deadline = Some(now + T2),
                _ => {}
            },
            ModemEvent::TrainingSucceeded { .. } => match self.state {
                State::WaitTcf => {
                    self.tcf_carrier = true;
                    self.tcf_trained = true;
                }
                State::WaitPage => self.begin_page(now),
                _ => {}
            },
            ModemEvent::TrainingFailed => match self.state {
                // Answer FTT only once the TCF carrier has ended (the sender cannot hear
                // while it transmits); the TCF window bounds the wait.
                State::WaitTcf => {
                    self.tcf_carrier = true;
                    self.tcf_trained = false;
                }
                State::RxPage => self.end_page(now),
                _ => {}
            },
            ModemEvent::CarrierDown(Carrier::Fast) => match self.state {
                State::WaitTcf if self.tcf_carrier => {
                    let ok = self.tcf_passes();
                    self.tcf_result(now, ok);
                }
                State::RxPage => self.end_page(now),
                _ => {}
            },
            ModemEvent::CarrierUp(Carrier::V21) => self.v21_active = true,
            ModemEvent::CarrierDown(Carrier::V21) => {
                self.v21_active = false;
                if let State::Gap(_) = self.state {
                    // The 75 ms gap counts from the end of the received V.21 signal.
                    self.deadline = Some(now + GAP_75MS);
                }
            }
        }
    }

    /// Octets from the high-speed receiver (TCF or non-ECM page data), bits packed
    /// LSB-first as received. Data after RTC is not kept; the page ends at the carrier's
    /// end, at a training failure, after T2 without data, or when the post-message command
    /// arrives on V.21 (which stays open while listening to the fast modem).
    pub fn handle_rx_data(&mut self, now: SampleTime, data: &[u8]) {
        match self.state {
            State::WaitTcf => {
                self.tcf_carrier = true;
                // Only the 1.5 s the sender transmits count: a receiver that misses the end
                // of the carrier (on a noisy line) decodes noise after it.
                let expected = tcf_octets(self.current_modem().bit_rate()) as usize;
                let left = expected.saturating_sub(self.tcf.octets as usize);
                self.tcf.push(&data[..data.len().min(left)]);
            }
            State::WaitPage => {
                self.begin_page(now);
                self.push_page(now, data);
            }
            State::RxPage => self.push_page(now, data),
            _ => {}
        }
    }

    /// The embedder's measurement of the page being (or just) received. Call it at the end
    /// of each page, before the post-message command is handled; without it the engine
    /// answers MCF to a page that ended with RTC and RTN to one that did not.
    pub fn handle_page_quality(&mut self, _now: SampleTime, quality: PageQuality) {
        self.rx_quality = Some(quality);
    }

    /// The receiving modem's measure of the line during the TCF now being received (the
    /// latest figure replaces earlier ones; ignored outside TCF, see
    /// [`Session::expects_tcf`]). With it, CFR also requires
    /// [`LineQuality::acceptable`]: T.30 §5.3.6.2.9 leaves the TCF verdict to the receiver,
    /// and a rate whose margin is too thin for a clean page is refused with FTT, so that
    /// the transmitter falls back to a lower one (T.30 §5.3.2.1). Without it the verdict
    /// rests on the TCF octets alone ([`Config::tcf_rule`]).
    pub fn handle_tcf_quality(&mut self, _now: SampleTime, quality: LineQuality) {
        if self.state == State::WaitTcf {
            self.tcf_quality = Some(quality);
        }
    }

    /// Time has reached `now`; act on expired timers.
    pub fn handle_timeout(&mut self, now: SampleTime) {
        if let Some(t1) = self.t1 {
            if now >= t1 && matches!(self.state, State::WaitCaps | State::WaitCommand) {
                self.t1 = None;
                debug!("T1 expired");
                self.disconnect(now, FailReason::T1Expired);
                return;
            }
        }
        let Some(d) = self.deadline else { return };
        if now < d {
            return;
        }
        // A receiver that lost a page carrier early (a line dropout) and waits for the
        // post-message command hears the rest of the page: it is not the time to give up.
        if self.fast_active && self.state == State::WaitCommand && self.held < FAST_HOLD_MAX {
            let step = GAP_75MS * 4;
            self.held += step;
            self.deadline = Some(now + step);
            return;
        }
        // T.30 §5.4.3: a response whose flags have started is awaited to its end.
        if self.v21_active
            && self.held < V21_HOLD_MAX
            && matches!(
                self.state,
                State::WaitTrainResp
                    | State::WaitPostResp
                    | State::WaitCommand
                    | State::WaitDcn
                    | State::WaitPage
            )
        {
            let step = GAP_75MS * 4;
            self.held += step;
            self.deadline = Some(now + step);
            return;
        }
        self.held = 0;
        self.deadline = None;
        let state = core::mem::replace(&mut self.state, State::Idle);
        debug!(?state, "timer expired");
        match state {
            State::Gap(p) => self.start_pending(now, p),
            State::Sending(then) => {
                debug!("no TxDone before the watchdog; continuing");
                self.then(now, then);
            }
            State::WaitTrainResp | State::WaitPostResp => {
                self.state = state;
                self.repeat_last(now);
            }
            State::WaitCommand => {
                self.state = State::WaitCommand;
                if self.repeat_caps {
                    self.repeat_last(now);
                } else if matches!(self.last_response, Some((_, Fcf::Rtn))) {
                    self.disconnect(now, FailReason::PageRejected);
                } else {
                    self.disconnect(now, FailReason::T2Expired);
                }
            }
            State::WaitTcf => {
                self.state = State::WaitTcf;
                if self.tcf_carrier {
                    let ok = self.tcf_passes();
                    self.tcf_result(now, ok);
                } else {
                    debug!("no TCF; back to command reception");
                    self.then(now, Then::WaitCommand);
                }
            }
            State::WaitPage => {
                self.state = State::WaitPage;
                self.disconnect(now, FailReason::T2Expired);
            }
            State::RxPage => {
                self.state = State::RxPage;
                self.end_page(now);
            }
            State::WaitDcn => {
                self.state = State::WaitDcn;
                let s = self.summary;
                self.finish(now, Ok(s));
            }
            other => self.state = other,
        }
    }

    // --- internals -----------------------------------------------------------------------

    fn error(&self, reason: FailReason) -> CallError {
        CallError {
            reason,
            phase: self.phase,
            summary: self.summary,
        }
    }

    fn set_phase(&mut self, p: Phase) {
        if self.phase != p {
            debug!(from = ?self.phase, to = ?p, "phase change");
            self.phase = p;
            self.events.push_back(Event::Phase(p));
        }
    }

    fn frame(&self, fcf: Fcf) -> Frame {
        Frame::simple(fcf).with_x(self.x)
    }

    fn current_modem(&self) -> FastModem {
        self.mode.map_or(FastModem::V27ter2400, |m| m.modem)
    }

    fn page_training(modem: FastModem) -> Training {
        if modem.modem() == Modem::V17 {
            Training::Short
        } else {
            Training::Long
        }
    }

    fn send_job(&self) -> Option<&super::io::SendJob> {
        match &self.cfg.job {
            Job::Send(j) => Some(j),
            Job::Receive => None,
        }
    }

    /// Queue `frames` after the 75 ms gap, then continue with `then`. `is_command` records
    /// them for repetition (T4 expiry, CRP).
    fn send(&mut self, now: SampleTime, frames: Vec<Frame>, then: Then, is_command: bool) {
        if is_command {
            self.last_cmd = Some((frames.clone(), then.clone()));
        }
        self.repeat_caps = false;
        self.schedule(now, Pending::Frames(frames, then));
    }

    fn schedule(&mut self, now: SampleTime, p: Pending) {
        self.state = State::Gap(p);
        // While a V.21 signal is still arriving, the gap starts when it ends (bounded in
        // case the carrier-off event never comes).
        self.deadline = Some(
            now + if self.v21_active {
                V21_HOLD_MAX
            } else {
                GAP_75MS
            },
        );
    }

    fn start_pending(&mut self, now: SampleTime, p: Pending) {
        match p {
            Pending::Frames(frames, then) => {
                for f in &frames {
                    debug!("tx {f}");
                }
                self.commands.push_back(Command::SendFrames {
                    frames,
                    preamble_flags: V21_PREAMBLE_FLAGS,
                });
                self.state = State::Sending(then);
                self.deadline = Some(now + TX_WATCHDOG);
            }
            Pending::Tcf => {
                let modem = self.current_modem();
                debug!(%modem, "tx TCF");
                self.commands.push_back(Command::StartTx {
                    modem,
                    training: Training::Long,
                    data: TxData::Tcf {
                        octets: tcf_octets(modem.bit_rate()),
                    },
                });
                self.state = State::Sending(Then::WaitTrainResp);
                self.deadline = Some(now + TX_WATCHDOG);
            }
            Pending::Page => {
                let modem = self.current_modem();
                debug!(%modem, page = self.page_index, "tx page");
                self.set_phase(Phase::C);
                let training = if core::mem::take(&mut self.long_train_next) {
                    Training::Long
                } else {
                    Self::page_training(modem)
                };
                let data = if let Some(fs) = self.mode.and_then(|m| m.ecm_frame_size) {
                    if self.ecm_tx.is_none() {
                        let Some(d) = self
                            .page_data
                            .get(self.page_index as usize)
                            .cloned()
                            .flatten()
                        else {
                            self.disconnect(now, FailReason::MissingPageData);
                            return;
                        };
                        self.ecm_tx = Some(EcmTx::new(d, usize::from(fs)));
                    }
                    let frames = self
                        .ecm_tx
                        .as_ref()
                        .map(EcmTx::transmission)
                        .unwrap_or_default();
                    TxData::Frames(frames)
                } else {
                    TxData::Page {
                        index: self.page_index,
                    }
                };
                self.commands.push_back(Command::StartTx {
                    modem,
                    training,
                    data,
                });
                self.state = State::Sending(Then::PostCommand);
                self.deadline = Some(now + PAGE_TX_WATCHDOG);
            }
        }
    }

    fn then(&mut self, now: SampleTime, then: Then) {
        self.held = 0;
        match then {
            Then::WaitCommand => {
                self.commands.push_back(Command::ListenV21);
                self.state = State::WaitCommand;
                self.deadline = Some(now + if self.repeat_caps { self.cfg.t4 } else { T2 });
            }
            Then::SendTcf => self.schedule(now, Pending::Tcf),
            Then::WaitTrainResp => {
                self.commands.push_back(Command::ListenV21);
                self.state = State::WaitTrainResp;
                self.deadline = Some(now + self.cfg.t4);
            }
            Then::WaitPage => {
                let modem = self.current_modem();
                let training = if core::mem::take(&mut self.long_train_next) {
                    Training::Long
                } else {
                    Self::page_training(modem)
                };
                self.commands
                    .push_back(Command::ListenFast { modem, training });
                self.state = State::WaitPage;
                self.deadline = Some(now + T2);
            }
            Then::PostCommand => {
                self.set_phase(Phase::D);
                let Some(job) = self.send_job() else {
                    self.disconnect(now, FailReason::ProtocolError);
                    return;
                };
                let page_no = self.page_index + 1;
                let mut cmd = if page_no >= job.pages {
                    Fcf::Eop
                } else if job.eom_after.contains(&page_no) {
                    Fcf::Eom
                } else {
                    Fcf::Mps
                };
                if job.procedure_interrupt {
                    cmd = match cmd {
                        Fcf::Eop => Fcf::PriEop,
                        Fcf::Eom => Fcf::PriEom,
                        _ => Fcf::PriMps,
                    };
                }
                self.post_cmd = Some(cmd);
                self.tries = 1;
                let f = match &self.ecm_tx {
                    Some(t) => {
                        self.ecm_stage = Fcf::Pps;
                        Frame::new(
                            Fcf::Pps,
                            Payload::Pps(Pps {
                                post_page_octet: if t.is_last_block() {
                                    cmd.to_octet(self.x)
                                } else {
                                    0
                                },
                                page: self.page_index as u8,
                                block: t.block as u8,
                                frames_minus_one: (t.frames_in_block() - 1) as u8,
                            }),
                        )
                        .with_x(self.x)
                    }
                    None => self.frame(cmd),
                };
                self.send(now, vec![f], Then::WaitPostResp, true);
            }
            Then::WaitPostResp => {
                self.commands.push_back(Command::ListenV21);
                self.state = State::WaitPostResp;
                self.deadline = Some(now + self.cfg.t4);
            }
            Then::WaitDcn => {
                self.commands.push_back(Command::ListenV21);
                self.state = State::WaitDcn;
                self.deadline = Some(now + T2);
            }
            Then::End(result) => self.finish(now, result),
            Then::SendCaps => self.send_caps(now),
            Then::WaitCaps => {
                self.commands.push_back(Command::ListenV21);
                self.state = State::WaitCaps;
                self.deadline = self.t1;
            }
        }
    }

    /// DIS (answering) or DTC (calling terminal that polls), with CSI/CIG.
    fn send_caps(&mut self, now: SampleTime) {
        self.set_phase(Phase::B);
        let polling = self.cfg.role == Role::Calling;
        let can_send = self.send_job().is_some();
        let (kind, id_fcf) = if polling {
            (FieldKind::Dtc, Fcf::Cig)
        } else {
            (FieldKind::Dis, Fcf::Csi)
        };
        let mut caps = self.cfg.policy.capabilities(kind, can_send && !polling);
        caps.set_bit(10, !can_send || polling);
        let mut frames = Vec::new();
        if !self.cfg.local_identity.is_empty() {
            frames.push(Frame::identity(id_fcf, &self.cfg.local_identity).with_x(self.x));
        }
        frames.push(Frame::capabilities(caps).with_x(self.x));
        if polling {
            self.tries += 1;
        }
        self.send(now, frames, Then::WaitCommand, true);
        self.repeat_caps = true;
    }

    fn repeat_last(&mut self, now: SampleTime) {
        let Some((frames, then)) = self.last_cmd.clone() else {
            return;
        };
        let is_caps = self.repeat_caps
            || frames
                .last()
                .is_some_and(|f| matches!(f.fcf, Fcf::Dis | Fcf::Dtc));
        // DIS is repeated until T1 expires (T.30 §5.4.3.1); everything else three times.
        let unlimited = is_caps && self.cfg.role == Role::Answering && self.t1.is_some();
        if !unlimited && self.tries >= MAX_TRIES {
            let fcf = frames.last().map_or(Fcf::Dcn, |f| f.fcf);
            self.disconnect(now, FailReason::NoResponse(fcf));
            return;
        }
        self.tries += 1;
        debug!(try_ = self.tries, "repeating last command");
        self.send(now, frames, then, true);
        if is_caps {
            self.repeat_caps = true;
        }
    }

    fn on_caps(&mut self, now: SampleTime, frame: &Frame) {
        let Some(caps) = frame.capabilities_field() else {
            return;
        };
        self.t1 = None;
        self.remote_caps = Some(caps.clone());
        self.events
            .push_back(Event::RemoteCapabilities(caps.clone()));
        self.set_phase(Phase::B);
        let is_dtc = frame.fcf == Fcf::Dtc;
        match (&self.cfg.job, self.cfg.role, is_dtc) {
            (Job::Send(_), Role::Calling, false) | (Job::Send(_), Role::Answering, true) => {
                if !is_dtc && !caps.receiver_fax_operation() {
                    self.disconnect(now, FailReason::PollingMismatch);
                    return;
                }
                self.begin_transmit(now, caps.clone());
            }
            (Job::Receive, Role::Calling, false) => {
                if caps.ready_to_transmit() {
                    self.tries = 0;
                    self.send_caps(now);
                } else {
                    self.disconnect(now, FailReason::PollingMismatch);
                }
            }
            _ => self.disconnect(now, FailReason::PollingMismatch),
        }
    }

    fn begin_transmit(&mut self, now: SampleTime, caps: Capabilities) {
        let format = self
            .send_job()
            .map_or(DocumentFormat::default(), |j| j.format);
        match negotiate(&caps, &self.cfg.policy, &format) {
            Some(mode) => {
                // After EOM the rate found by earlier training is kept if still allowed.
                self.mode = Some(mode);
                self.tries = 0;
                self.send_dcs(now);
            }
            None => self.disconnect(now, FailReason::Incompatible),
        }
    }

    fn send_dcs(&mut self, now: SampleTime) {
        let Some(mode) = self.mode else {
            self.disconnect(now, FailReason::ProtocolError);
            return;
        };
        self.set_phase(Phase::B);
        self.events.push_back(Event::Negotiated(mode));
        let mut frames = Vec::new();
        if !self.cfg.local_identity.is_empty() {
            frames.push(Frame::identity(Fcf::Tsi, &self.cfg.local_identity).with_x(self.x));
        }
        frames.push(Frame::capabilities(mode.to_dcs()).with_x(self.x));
        self.tries += 1;
        self.send(now, frames, Then::SendTcf, true);
    }

    fn next_fallback(&self, from: FastModem) -> Option<FastModem> {
        let remote = self.remote_caps.as_ref()?.modems();
        let mut m = from;
        while let Some(n) = m.fallback() {
            if remote.contains(&n) && self.cfg.policy.modems.contains(&n) {
                return Some(n);
            }
            m = n;
        }
        None
    }

    fn on_page_confirmed(&mut self, now: SampleTime, response: Fcf) {
        let cmd = self.post_cmd.map_or(Fcf::Eop, Fcf::without_pri);
        self.events.push_back(Event::PageSent {
            index: self.page_index,
            response,
        });
        self.summary.pages_sent += 1;
        self.page_index += 1;
        self.page_retries = 0;
        self.tries = 0;
        match cmd {
            Fcf::Eop => self.disconnect_ok(now),
            Fcf::Eom => {
                self.t1 = Some(now + T1);
                self.then(now, Then::WaitCaps);
            }
            _ => {
                if response == Fcf::Rtp {
                    self.send_dcs(now);
                } else {
                    self.schedule(now, Pending::Page);
                }
            }
        }
    }

    /// After RTN: retrain one rate lower, where both ends allow one (T.30 §5.3.6.1.7 leaves
    /// the rate to the transmitter; [`Config::rtn_fallback`]).
    fn rtn_step_down(&mut self) {
        if !self.cfg.rtn_fallback {
            return;
        }
        if let Some(next) = self.next_fallback(self.current_modem()) {
            if let Some(m) = self.mode.as_mut() {
                m.modem = next;
            }
        }
    }

    fn on_page_rejected(&mut self, now: SampleTime, response: Fcf) {
        let cmd = self.post_cmd.map_or(Fcf::Eop, Fcf::without_pri);
        self.events.push_back(Event::PageSent {
            index: self.page_index,
            response,
        });
        self.tries = 0;
        if self.page_retries < self.cfg.max_page_retries {
            self.page_retries += 1;
            self.rtn_step_down();
            debug!(
                page = self.page_index,
                retry = self.page_retries,
                modem = %self.current_modem(),
                "RTN: retrain and resend"
            );
            self.send_dcs(now);
        } else if cmd == Fcf::Eop {
            self.disconnect(now, FailReason::PageRejected);
        } else {
            debug!(page = self.page_index, "RTN: giving up on this page");
            self.pages_given_up += 1;
            self.page_index += 1;
            self.page_retries = 0;
            self.send_dcs(now);
        }
    }

    // --- receiver --------------------------------------------------------------------------

    fn on_command(&mut self, now: SampleTime, frame: &Frame) {
        match frame.fcf {
            Fcf::Dcs => {
                if self.send_job().is_some() {
                    self.disconnect(now, FailReason::PollingMismatch);
                    return;
                }
                let Some(mode) = frame.capabilities_field().and_then(Mode::from_dcs) else {
                    self.disconnect(now, FailReason::Incompatible);
                    return;
                };
                if !mode.acceptable_to(&self.cfg.policy) {
                    debug!(?mode, "DCS selects a mode we did not offer");
                    self.disconnect(now, FailReason::Incompatible);
                    return;
                }
                self.t1 = None;
                self.crp_sent = 0;
                self.repeat_caps = false;
                self.mode = Some(mode);
                if mode.ecm_frame_size.is_some() {
                    self.ecm_rx.get_or_insert_with(EcmRx::default);
                } else {
                    self.ecm_rx = None;
                }
                self.set_phase(Phase::B);
                self.events.push_back(Event::Negotiated(mode));
                self.tcf = TcfCheck::default();
                self.tcf_quality = None;
                self.tcf_trained = false;
                self.tcf_carrier = false;
                self.commands.push_back(Command::ListenFast {
                    modem: mode.modem,
                    training: Training::Long,
                });
                self.state = State::WaitTcf;
                self.deadline = Some(now + TCF_WINDOW);
            }
            f if f.is_post_message_command() => self.on_post_command(now, f),
            Fcf::Pps | Fcf::Eor | Fcf::Ctc | Fcf::Rr if self.ecm_rx.is_some() => {
                self.ecm_command(now, frame)
            }
            Fcf::Dtc if self.send_job().is_some() && self.cfg.role == Role::Answering => {
                self.on_caps(now, frame);
            }
            Fcf::Dis if self.repeat_caps && self.cfg.role == Role::Calling => {
                // The polled terminal repeated DIS: our DTC was lost.
                self.repeat_last(now);
            }
            _ => debug!("ignored while waiting for a command"),
        }
    }

    /// The TCF verdict: the receiver trained, the octets pass the rule, and the line quality
    /// (when the embedder measured one) is acceptable.
    fn tcf_passes(&self) -> bool {
        self.tcf_trained
            && self
                .tcf
                .passes(&self.cfg.tcf_rule, self.current_modem().bit_rate())
            && self.tcf_quality.is_none_or(|q| q.acceptable())
    }

    fn tcf_result(&mut self, now: SampleTime, ok: bool) {
        let modem = self.current_modem();
        debug!(%modem, ok, tcf = ?self.tcf, quality = ?self.tcf_quality, "TCF checked");
        let (fcf, outcome, then) = if ok {
            (Fcf::Cfr, TrainingOutcome::Confirmed, Then::WaitPage)
        } else {
            (Fcf::Ftt, TrainingOutcome::Failed, Then::WaitCommand)
        };
        self.events.push_back(Event::Training { modem, outcome });
        let f = self.frame(fcf);
        self.last_response = None;
        self.send(now, vec![f], then, false);
    }

    fn begin_page(&mut self, now: SampleTime) {
        if self.state == State::WaitPage {
            self.set_phase(Phase::C);
            if self.ecm_rx.is_none() {
                // One allocation per page: a typical page fits, a longer one grows by doubling.
                self.rx = Some(RxBuf {
                    data: Vec::with_capacity(64 * 1024),
                    ..RxBuf::default()
                });
                self.rx_quality = None;
            }
            self.state = State::RxPage;
            self.deadline = Some(now + T2);
        }
    }

    fn push_page(&mut self, now: SampleTime, data: &[u8]) {
        if self.ecm_rx.is_some() {
            return;
        }
        if let Some(buf) = self.rx.as_mut() {
            if buf.rtc.found() {
                // RTC (T.4 §4.1.4) ended the page; what follows is line noise.
                return;
            }
            let room = MAX_PAGE_OCTETS.saturating_sub(buf.data.len());
            if data.len() > room {
                buf.truncated = true;
            }
            let take = data.len().min(room);
            buf.data.extend_from_slice(&data[..take]);
            buf.rtc.push(&data[..take]);
        }
        self.deadline = Some(now + T2);
    }

    fn end_page(&mut self, now: SampleTime) {
        if let Some(buf) = self.rx.as_mut() {
            buf.ended = true;
        }
        self.set_phase(Phase::D);
        self.crp_sent = 0;
        self.then(now, Then::WaitCommand);
    }

    fn on_post_command(&mut self, now: SampleTime, cmd: Fcf) {
        self.set_phase(Phase::D);
        let plain = cmd.without_pri();
        let response = if let Some(buf) = self.rx.take() {
            let quality = self.rx_quality.take();
            let response = match quality {
                Some(q) => self.cfg.quality.response(&q),
                None if buf.rtc.found() && !buf.truncated => Fcf::Mcf,
                None => Fcf::Rtn,
            };
            self.pages_seen += 1;
            if matches!(response, Fcf::Mcf | Fcf::Rtp) {
                self.summary.pages_received += 1;
            }
            let page = ReceivedPage {
                number: self.pages_seen,
                octets: buf.data.len(),
                rtc: buf.rtc.found(),
                data: buf.data,
                quality,
                mode: self.mode.unwrap_or_else(fallback_mode),
                response: Some(response),
                command: Some(cmd),
            };
            self.events.push_back(Event::PageReceived(page));
            response
        } else if let Some((prev_cmd, prev_resp)) = self.last_response {
            if prev_cmd == plain {
                debug!("repeated post-message command: repeating the response");
                prev_resp
            } else {
                Fcf::Rtn
            }
        } else {
            Fcf::Rtn
        };
        self.last_response = Some((plain, response));
        let then = self.after_response(now, Some((plain, response)));
        let f = self.frame(response);
        self.send(now, vec![f], then, false);
    }

    // --- ECM (T.30 Annex A) -----------------------------------------------------------------

    /// Transmitter: a response to PPS, CTC, EOR or RR.
    fn ecm_response(&mut self, now: SampleTime, frame: &Frame) {
        match (self.ecm_stage, frame.fcf) {
            (Fcf::Pps, Fcf::Mcf | Fcf::Pip) => self.ecm_block_done(now, Fcf::Mcf),
            (Fcf::Pps, Fcf::Ppr) => {
                self.rnr_since = None;
                let Payload::Ppr(ppr) = &frame.payload else {
                    return;
                };
                let Some(t) = self.ecm_tx.as_mut() else {
                    return;
                };
                t.take_ppr(ppr);
                let pprs = t.pprs;
                debug!(pprs, frames = ?t.resend, "PPR");
                self.tries = 0;
                if pprs < PPR_LIMIT {
                    self.schedule(now, Pending::Page);
                } else if let Some(next) = self.next_fallback(self.current_modem()) {
                    // Fourth PPR: continue to correct at a lower rate (T.30 Annex A.4.4).
                    self.ecm_stage = Fcf::Ctc;
                    self.ctc_modem = Some(next);
                    self.tries = 1;
                    let f = Frame::new(Fcf::Ctc, Payload::Ctc(Ctc::new(next))).with_x(self.x);
                    self.send(now, vec![f], Then::WaitPostResp, true);
                } else {
                    self.ecm_stage = Fcf::Eor;
                    self.tries = 1;
                    let octet = match self.ecm_tx.as_ref() {
                        Some(t) if t.is_last_block() => {
                            self.post_cmd.map_or(0, |c| c.to_octet(self.x))
                        }
                        _ => 0,
                    };
                    let f = Frame::new(Fcf::Eor, Payload::Eor(octet)).with_x(self.x);
                    self.send(now, vec![f], Then::WaitPostResp, true);
                }
            }
            (_, Fcf::Rnr) => {
                let since = *self.rnr_since.get_or_insert(now);
                if now.saturating_sub(since) > T5 {
                    self.disconnect(now, FailReason::T5Expired);
                } else {
                    // Ask again with RR (repeated on T4 like any command) until T5.
                    self.tries = 1;
                    let f = self.frame(Fcf::Rr);
                    self.send(now, vec![f], Then::WaitPostResp, true);
                }
            }
            (Fcf::Ctc, Fcf::Ctr) => {
                if let (Some(m), Some(mode)) = (self.ctc_modem.take(), self.mode.as_mut()) {
                    mode.modem = m;
                    self.events.push_back(Event::Negotiated(*mode));
                }
                if let Some(t) = self.ecm_tx.as_mut() {
                    t.pprs = 0;
                }
                self.ecm_stage = Fcf::Pps;
                self.long_train_next = true;
                self.tries = 0;
                self.schedule(now, Pending::Page);
            }
            (Fcf::Eor, Fcf::Err) => self.ecm_block_done(now, Fcf::Err),
            _ => self.repeat_last(now),
        }
    }

    /// Transmitter: the current block is finished (MCF, or ERR after EOR).
    fn ecm_block_done(&mut self, now: SampleTime, response: Fcf) {
        self.rnr_since = None;
        self.ecm_stage = Fcf::Pps;
        let Some(t) = self.ecm_tx.as_mut() else {
            return;
        };
        if !t.is_last_block() {
            t.next_block();
            self.tries = 0;
            self.schedule(now, Pending::Page);
            return;
        }
        self.ecm_tx = None;
        if response == Fcf::Mcf {
            self.on_page_confirmed(now, Fcf::Mcf);
            return;
        }
        // EOR/ERR: the page went through with frames missing.
        self.events.push_back(Event::PageSent {
            index: self.page_index,
            response,
        });
        let cmd = self.post_cmd.map_or(Fcf::Eop, Fcf::without_pri);
        self.pages_given_up += 1;
        self.page_index += 1;
        self.tries = 0;
        match cmd {
            Fcf::Eop => self.disconnect(now, FailReason::PageRejected),
            Fcf::Eom => {
                self.t1 = Some(now + T1);
                self.then(now, Then::WaitCaps);
            }
            _ => self.schedule(now, Pending::Page),
        }
    }

    /// Receiver: PPS, EOR, CTC or RR.
    fn ecm_command(&mut self, now: SampleTime, frame: &Frame) {
        self.set_phase(Phase::D);
        match &frame.payload {
            Payload::Pps(pps) => self.ecm_on_pps(now, *pps, false),
            Payload::Eor(octet) => {
                // A repeated EOR (our ERR was lost; nothing was sent since): answer ERR again
                // rather than take an empty block as a further page.
                let nothing_since = !self.ecm_rx.as_ref().is_some_and(EcmRx::has_frames);
                if let Some((f, then)) = self.ecm_last.clone().filter(|(f, _)| f.fcf == Fcf::Err) {
                    if nothing_since {
                        debug!("repeated EOR: repeating ERR");
                        self.send(now, vec![f], then, false);
                        return;
                    }
                }
                // Accept the block as it is (T.30 Annex A: end of retransmission).
                let pps = Pps {
                    post_page_octet: *octet,
                    page: 0,
                    block: 0,
                    frames_minus_one: 255,
                };
                self.ecm_on_pps(now, pps, true);
            }
            Payload::Ctc(ctc) => {
                if let (Some(m), Some(mode)) = (ctc.modem(), self.mode.as_mut()) {
                    mode.modem = m;
                    let mode = *mode;
                    self.events.push_back(Event::Negotiated(mode));
                }
                self.long_train_next = true;
                let f = self.frame(Fcf::Ctr);
                self.send(now, vec![f], Then::WaitPage, false);
            }
            _ if frame.fcf == Fcf::Rr => {
                let (f, then) = self
                    .ecm_last
                    .clone()
                    .unwrap_or_else(|| (self.frame(Fcf::Mcf), Then::WaitPage));
                self.send(now, vec![f], then, false);
            }
            _ => debug!("malformed ECM command ignored"),
        }
    }

    fn ecm_on_pps(&mut self, now: SampleTime, pps: Pps, eor: bool) {
        let Some(rx) = self.ecm_rx.as_mut() else {
            return;
        };
        let key = (pps.page, pps.block);
        let count = rx.block_frames(key, pps.frame_count());
        let repeated = !eor && !rx.has_frames() && rx.last_accepted == Some(key);
        let missing = if eor || repeated {
            Vec::new()
        } else {
            rx.missing(count)
        };
        if !missing.is_empty() {
            debug!(missing = missing.len(), "PPR");
            let f = Frame::new(
                Fcf::Ppr,
                Payload::Ppr(crate::frame::Ppr::from_missing(missing)),
            )
            .with_x(self.x);
            self.ecm_last = Some((f.clone(), Then::WaitPage));
            self.send(now, vec![f], Then::WaitPage, false);
            return;
        }
        if !repeated {
            rx.accept_block(count);
            rx.last_accepted = Some(key);
        }
        let response = if eor { Fcf::Err } else { Fcf::Mcf };
        let post = if pps.post_page_octet == 0 {
            None
        } else {
            Some(Fcf::from_octet(pps.post_page_octet).0.without_pri())
        };
        let f = self.frame(response);
        let then = match post {
            None => Then::WaitPage,
            Some(cmd) if repeated => self.after_response(now, Some((cmd, Fcf::Mcf))),
            Some(cmd) => {
                let data = self
                    .ecm_rx
                    .as_mut()
                    .map(EcmRx::take_page)
                    .unwrap_or_default();
                self.pages_seen += 1;
                if response == Fcf::Mcf {
                    self.summary.pages_received += 1;
                }
                let page = ReceivedPage {
                    number: self.pages_seen,
                    octets: data.len(),
                    rtc: false,
                    data,
                    quality: None,
                    mode: self.mode.unwrap_or_else(fallback_mode),
                    response: Some(response),
                    command: Some(cmd),
                };
                self.events.push_back(Event::PageReceived(page));
                let lr = Some((cmd, if eor { Fcf::Rtn } else { Fcf::Mcf }));
                self.last_response = lr;
                if eor && cmd != Fcf::Eop {
                    // After ERR the transmitter goes on as after MCF: EOR-MPS to the next
                    // page's phase C, EOR-EOM to phase B (T.30 Annex A, EOR procedure).
                    // The page still counts as incomplete (RTN) for the call's result.
                    self.after_response(now, Some((cmd, Fcf::Mcf)))
                } else {
                    self.after_response(now, lr)
                }
            }
        };
        self.ecm_last = Some((f.clone(), then.clone()));
        self.send(now, vec![f], then, false);
    }

    /// What the receiver does after answering a post-message command.
    fn after_response(&mut self, now: SampleTime, last: Option<(Fcf, Fcf)>) -> Then {
        match last {
            Some((Fcf::Mps, Fcf::Mcf)) => Then::WaitPage,
            Some((Fcf::Eom, Fcf::Mcf | Fcf::Rtp)) => {
                self.t1 = Some(now + T1);
                Then::SendCaps
            }
            Some((Fcf::Eop, Fcf::Mcf | Fcf::Rtp)) => Then::WaitDcn,
            _ => Then::WaitCommand,
        }
    }

    // --- phase E ---------------------------------------------------------------------------

    fn disconnect_ok(&mut self, now: SampleTime) {
        if self.pages_given_up > 0 {
            // The procedure completed, but not every page was confirmed.
            self.disconnect(now, FailReason::PageRejected);
            return;
        }
        let s = self.summary;
        self.set_phase(Phase::E);
        let f = self.frame(Fcf::Dcn);
        self.send(now, vec![f], Then::End(Ok(s)), false);
    }

    fn disconnect(&mut self, now: SampleTime, reason: FailReason) {
        let err = self.error(reason);
        debug!(?reason, "call failed; sending DCN");
        self.set_phase(Phase::E);
        let f = self.frame(Fcf::Dcn);
        self.send(now, vec![f], Then::End(Err(err)), false);
    }

    fn finish(&mut self, _now: SampleTime, result: CallResult) {
        if self.state == State::Ended {
            return;
        }
        // Deliver a page that was completely received but never answered.
        if let Some(buf) = self.rx.take() {
            if buf.ended || buf.rtc.found() {
                self.pages_seen += 1;
                let page = ReceivedPage {
                    number: self.pages_seen,
                    octets: buf.data.len(),
                    rtc: buf.rtc.found(),
                    data: buf.data,
                    quality: self.rx_quality.take(),
                    mode: self.mode.unwrap_or_else(fallback_mode),
                    response: None,
                    command: None,
                };
                self.events.push_back(Event::PageReceived(page));
            }
        }
        self.set_phase(Phase::E);
        let result = match result {
            Ok(_) => Ok(self.summary),
            Err(mut e) => {
                e.summary = self.summary;
                Err(e)
            }
        };
        debug!(?result, "call ended");
        self.commands.push_back(Command::HangUp);
        self.events.push_back(Event::Ended(result));
        self.state = State::Ended;
        self.deadline = None;
        self.t1 = None;
    }
}

fn fallback_mode() -> Mode {
    Mode::from_dcs(&Capabilities::new(FieldKind::Dcs)).unwrap_or(Mode {
        modem: FastModem::V27ter2400,
        resolution: crate::capabilities::Resolution::R8x3_85,
        width: crate::capabilities::Width::A4,
        length: crate::capabilities::Length::A4,
        coding: crate::capabilities::Coding::Mh,
        min_scan_line_ms: 20,
        ecm_frame_size: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Fcd;
    use crate::session::{Config, Job, Role};

    /// An answering receiver that has sent DIS and just received DCS for `modem`.
    fn receiver_at_tcf(modem: FastModem) -> (Session, SampleTime) {
        let mut mode = fallback_mode();
        mode.modem = modem;
        receiver_at_tcf_in(mode)
    }

    fn receiver_at_tcf_in(mode: Mode) -> (Session, SampleTime) {
        let mut cfg = Config::new(Role::Answering, Job::Receive);
        cfg.policy.ecm = mode.ecm_frame_size.is_some();
        let mut s = Session::new(cfg);
        s.start(0).unwrap();
        let mut now = 0;
        // CED, the 75 ms gap, CSI/DIS: answer each transmission with TxDone.
        for _ in 0..4 {
            while s.poll_command().is_some() {}
            if let Some(t) = s.poll_timeout() {
                now = now.max(t);
            }
            if matches!(s.state, State::Sending(_)) {
                s.handle_modem(now, ModemEvent::TxDone);
            } else if matches!(s.state, State::Gap(_)) {
                s.handle_timeout(now);
            }
        }
        assert_eq!(s.state, State::WaitCommand);
        s.handle_frame(now, Frame::capabilities(mode.to_dcs()).with_x(true));
        assert!(s.expects_tcf());
        (s, now)
    }

    /// Feed a TCF (`zeros` zero octets, then `tail` octets of noise), the optional quality
    /// figure and the end of the carrier; return the response sent.
    fn tcf_response(
        modem: FastModem,
        zeros: usize,
        tail: usize,
        quality: Option<LineQuality>,
    ) -> Fcf {
        let (mut s, now) = receiver_at_tcf(modem);
        s.handle_modem(now, ModemEvent::TrainingSucceeded { quality_db: None });
        s.handle_rx_data(now, &vec![0u8; zeros]);
        s.handle_rx_data(now, &vec![0x5au8; tail]);
        if let Some(q) = quality {
            s.handle_tcf_quality(now, q);
        }
        s.handle_modem(now + 12_000, ModemEvent::CarrierDown(Carrier::Fast));
        let t = s.poll_timeout().unwrap();
        s.handle_timeout(t);
        let frames = std::iter::from_fn(|| s.poll_command())
            .find_map(|c| match c {
                Command::SendFrames { frames, .. } => Some(frames),
                _ => None,
            })
            .expect("a response to TCF");
        frames.last().unwrap().fcf
    }

    #[test]
    fn tcf_quality_below_the_requirement_is_answered_ftt() {
        let m = FastModem::V17_14400;
        let n = tcf_octets(m.bit_rate()) as usize;
        let q = |measured_db| LineQuality {
            measured_db,
            required_db: 24.0,
        };
        assert_eq!(tcf_response(m, n, 0, None), Fcf::Cfr);
        assert_eq!(tcf_response(m, n, 0, Some(q(26.0))), Fcf::Cfr);
        assert_eq!(tcf_response(m, n, 0, Some(q(22.0))), Fcf::Ftt);
    }

    #[test]
    fn noise_after_the_tcf_does_not_count() {
        // A receiver that misses the end of the carrier decodes noise after the 1.5 s.
        let m = FastModem::V29_9600;
        let n = tcf_octets(m.bit_rate()) as usize;
        assert_eq!(tcf_response(m, n, 3 * n, None), Fcf::Cfr);
        // Noise within the 1.5 s still fails it.
        assert_eq!(tcf_response(m, n / 2, n / 2, None), Fcf::Ftt);
    }

    /// Run the session's transmissions to their end (TxDone, gap timers); return the frames
    /// it sent and whether it then listens to the high-speed modem.
    fn drain(s: &mut Session, now: &mut SampleTime) -> (Vec<Fcf>, bool) {
        let mut sent = Vec::new();
        let mut fast = false;
        for _ in 0..6 {
            while let Some(c) = s.poll_command() {
                match c {
                    Command::SendFrames { frames, .. } => sent.extend(frames.iter().map(|f| f.fcf)),
                    Command::ListenFast { .. } => fast = true,
                    Command::ListenV21 => fast = false,
                    _ => {}
                }
            }
            if matches!(s.state, State::Sending(_)) {
                s.handle_modem(*now, ModemEvent::TxDone);
            } else if matches!(s.state, State::Gap(_)) {
                if let Some(t) = s.poll_timeout() {
                    *now = (*now).max(t);
                }
                s.handle_timeout(*now);
            }
        }
        (sent, fast)
    }

    #[test]
    fn after_err_to_eor_mps_the_receiver_listens_for_the_next_page() {
        // T.30 Annex A: after ERR to EOR-MPS the transmitter sends the next page at once.
        let mut mode = fallback_mode();
        mode.modem = FastModem::V27ter4800;
        mode.ecm_frame_size = Some(64);
        let (mut s, mut now) = receiver_at_tcf_in(mode);
        let n = tcf_octets(mode.modem.bit_rate()) as usize;
        s.handle_modem(now, ModemEvent::TrainingSucceeded { quality_db: None });
        s.handle_rx_data(now, &vec![0u8; n]);
        now += 12_000;
        s.handle_modem(now, ModemEvent::CarrierDown(Carrier::Fast));
        let (sent, fast) = drain(&mut s, &mut now);
        assert_eq!(sent, vec![Fcf::Cfr]);
        assert!(fast);
        // Frames 0 and 2 of three arrive; frame 1 never does.
        s.handle_modem(now, ModemEvent::TrainingSucceeded { quality_db: None });
        for number in [0u8, 2] {
            let fcd = Fcd {
                number,
                data: vec![number; 64],
            };
            s.handle_fast_frame(now, Frame::new(Fcf::Fcd, Payload::Fcd(fcd)));
        }
        s.handle_fast_frame(now, Frame::simple(Fcf::Rcp));
        s.handle_modem(now, ModemEvent::CarrierDown(Carrier::Fast));
        let eor = Frame::new(Fcf::Eor, Payload::Eor(Fcf::Mps.to_octet(true))).with_x(true);
        s.handle_frame(now, eor.clone());
        let (sent, fast) = drain(&mut s, &mut now);
        assert_eq!(sent, vec![Fcf::Err]);
        assert!(fast, "not listening for the next page after ERR to EOR-MPS");
        // Our ERR was lost: the repeated EOR gets ERR again, and no second page.
        s.handle_frame(now, eor);
        let (sent, fast) = drain(&mut s, &mut now);
        assert_eq!(sent, vec![Fcf::Err]);
        assert!(fast);
        let pages = std::iter::from_fn(|| s.poll_event())
            .filter(|e| matches!(e, Event::PageReceived(_)))
            .count();
        assert_eq!(pages, 1);
    }
}
