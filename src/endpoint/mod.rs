//! The fax endpoint: one Group 3 fax terminal that sends or receives a fax over an audio
//! stream, joining the modems (`telefax-modem`), the T.30 session engine (`telefax-t30`) and
//! the page codec (`telefax-t4`).
//!
//! [`Endpoint`] is sans-IO: it never reads a clock, a file or a socket. The embedder pushes
//! received 8 kHz samples in ([`Endpoint::handle_rx`], [`Endpoint::handle_silence`]), pulls
//! samples to transmit ([`Endpoint::poll_tx`], which always fills the whole buffer, with
//! silence when idle) and drains [`Endpoint::poll_event`]. Time is the number of received
//! samples. Blocks may be any length from one sample up; nothing is allocated per block.
//!
//! ```
//! use telefax::endpoint::{Endpoint, EndpointConfig, Event};
//! use telefax::t4::Bitmap;
//!
//! // Two endpoints joined back to back (each one's output is the other's input).
//! let mut page = Bitmap::new(1728, 40);
//! for y in 0..40 { page.set(100 + y, y, true); }
//! let mut caller = Endpoint::new(EndpointConfig::sender()).unwrap();
//! caller.queue_page(page.clone(), 204.0, 98.0).unwrap();
//! caller.finish_document().unwrap();
//! let mut answerer = Endpoint::new(EndpointConfig::receiver()).unwrap();
//! let (mut a, mut b) = ([0i16; 160], [0i16; 160]);
//! let mut received = Vec::new();
//! for _ in 0..(8000 * 90 / 160) {
//!     caller.poll_tx(&mut a);
//!     answerer.poll_tx(&mut b);
//!     caller.handle_rx(&b);
//!     answerer.handle_rx(&a);
//!     while let Some(ev) = answerer.poll_event() {
//!         if let Event::PageReceived(p) = ev { received.push(p.bitmap); }
//!     }
//!     while caller.poll_event().is_some() {}
//!     if caller.is_ended() && answerer.is_ended() { break; }
//! }
//! assert_eq!(received, vec![page]);
//! ```

mod config;
pub mod line_quality;
mod link;
pub mod page;

use std::collections::VecDeque;

use telefax_modem::any::{AnyDemodulator, AnyModulator, ModemKind, RxOptions, TxOptions};
use telefax_modem::v21::{Channel, V21Rx, V21Tx};
use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};
use telefax_t30::capabilities::{FastModem, Modem};
use telefax_t30::session::{
    self, CallResult, Carrier, Command, LineQuality, Mode, ModemEvent, PageQuality, Phase, Session,
    Tone, Training, TxData,
};
use telefax_t30::{Capabilities, Fcf};
use telefax_t4::{decode_page, BitOrder, Bitmap, DecodeOptions, PageEnd, PageStats};
use tracing::{debug, warn};

pub use config::{EndpointConfig, JobKind};
pub use page::{OutgoingPage, PageError};
pub use session::{Role, SampleTime};

use line_quality::TcfMeter;
use link::{FrameRx, FrameTx, ToneTx};
use telefax_modem::BitSource;

/// Samples processed per internal step: timers are checked at this granularity (10 ms).
const STEP: usize = 80;

/// The longest page the receiver keeps, in octets (a hostile sender cannot make it grow
/// further; the session engine applies the same kind of bound).
const MAX_PAGE_OCTETS: usize = 16 << 20;

/// The longest the high-speed receiver waits for the end of the preceding V.21 signal
/// (100 ms; the high-speed signal follows 75 ± 20 ms after it, T.30 §5.3.2).
const MAX_HOLD: u32 = 800;

/// Flags sent before the first ECM frame on the high-speed modem (about 200 ms at 2400 bit/s
/// and more at higher rates; T.30 Annex A only asks for at least one).
const ECM_PREAMBLE_FLAGS: u16 = 60;

/// Errors of the endpoint's API (usage errors). Protocol failures are reported as
/// [`Event::Ended`] with the T.30 reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointError {
    /// Pages can only be queued on a sending endpoint before [`Endpoint::finish_document`].
    #[error("this endpoint does not accept pages now ({0})")]
    NotAcceptingPages(&'static str),
    /// A sending endpoint needs at least one page.
    #[error("the document has no pages")]
    EmptyDocument,
    /// The page has no pixels or an impossible size.
    #[error("page {index} has an unusable size {width}x{height}")]
    BadPage {
        /// 0-based page index.
        index: usize,
        /// Width in pixels.
        width: u32,
        /// Height in rows.
        height: u32,
    },
    /// The configuration cannot be used.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The T.30 engine refused to start.
    #[error("T.30 session: {0}")]
    Session(#[from] telefax_t30::Error),
}

/// A page received by the endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedPage {
    /// 1-based page number in the call.
    pub number: u32,
    /// The decoded image (damaged rows repaired by repeating the previous good row).
    pub bitmap: Bitmap,
    /// Decoder statistics: rows, bad rows, the longest run of bad rows.
    pub stats: PageStats,
    /// The mode the page was sent in (modem, coding, resolution, width).
    pub mode: Mode,
    /// Horizontal and vertical resolution in dots per inch.
    pub dpi: (f32, f32),
    /// The coded data as received (line bit order).
    pub coded: Vec<u8>,
    /// The response the endpoint sent (MCF, RTP or RTN); `None` if the call ended first.
    pub response: Option<Fcf>,
}

impl ReceivedPage {
    /// Whether the page was accepted (MCF or RTP, T.30 §5.3.6.1.6). A page answered RTN
    /// is sent again by the far end (a later [`Event::PageReceived`] carries the new copy);
    /// one with no response arrived as the call ended.
    pub fn accepted(&self) -> bool {
        matches!(self.response, Some(Fcf::Mcf | Fcf::Rtp))
    }
}

/// What happened in the call, for the application.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The T.30 procedure entered a new phase (T.30 §2.1).
    Phase(Phase),
    /// The far end identified itself (TSI, CSI or CIG).
    RemoteIdentity {
        /// The frame that carried it.
        fcf: Fcf,
        /// The identity in reading order.
        identity: String,
    },
    /// The far end's capabilities (DIS or DTC).
    RemoteCapabilities(Box<Capabilities>),
    /// The mode for the next pages was fixed (DCS sent or received).
    Negotiated(Mode),
    /// A training check finished (CFR or FTT).
    Training {
        /// The modem and rate trained.
        modem: FastModem,
        /// Whether it succeeded.
        ok: bool,
    },
    /// The high-speed receiver trained; `quality_db` is its signal-quality estimate.
    ReceiverTrained {
        /// Signal quality in dB, if the modem measures one.
        quality_db: Option<f32>,
    },
    /// The receiver measured the line over a TCF (T.30 §5.3.6.2.9); sent just before the
    /// [`Event::Training`] verdict it contributed to.
    TcfQuality {
        /// The modem and rate trained.
        modem: FastModem,
        /// The mean signal quality over the TCF data, in dB.
        measured_db: f32,
        /// The quality required for CFR at this rate (`None`: not checked, see
        /// [`EndpointConfig::tcf_quality_margin_db`]).
        required_db: Option<f32>,
    },
    /// A page was sent and the far end answered.
    PageSent {
        /// 0-based page index.
        index: u32,
        /// MCF, RTP, RTN (or PIP/PIN).
        response: Fcf,
    },
    /// A page was received.
    PageReceived(Box<ReceivedPage>),
    /// The call is over, with its outcome.
    Ended(CallResult),
}

/// What the transmitter is doing.
enum Tx {
    Idle,
    Tone(ToneTx),
    Frames {
        modem: V21Tx,
        framer: FrameTx,
    },
    Fast {
        modem: Box<AnyModulator>,
        data: FastData,
    },
}

/// What a high-speed transmission carries: TCF zeros (T.30 §5.3.6.2.9), non-ECM page data,
/// or ECM frames (T.30 Annex A), sent LSB first per octet as T.4 requires.
enum FastData {
    Zeros {
        bits: u64,
    },
    Octets {
        octets: Vec<u8>,
        pos: usize,
        bit: u8,
    },
    Frames(FrameTx),
}

impl BitSource for FastData {
    fn next_bit(&mut self) -> Option<u8> {
        match self {
            FastData::Zeros { bits } => {
                if *bits == 0 {
                    return None;
                }
                *bits -= 1;
                Some(0)
            }
            FastData::Octets { octets, pos, bit } => {
                let byte = *octets.get(*pos)?;
                let b = (byte >> *bit) & 1;
                *bit += 1;
                if *bit == 8 {
                    *bit = 0;
                    *pos += 1;
                }
                Some(b)
            }
            FastData::Frames(f) => f.next_bit(),
        }
    }
}

/// Collects a demodulator's output during one call of `demodulate`: octets (LSB first) and
/// status changes with the octet count at which they happened.
#[derive(Default)]
struct FastSink {
    octets: Vec<u8>,
    statuses: Vec<(usize, RxStatus)>,
    byte: u8,
    nbits: u8,
}

impl RxSink for FastSink {
    fn put_bit(&mut self, bit: u8) {
        self.byte |= (bit & 1) << self.nbits;
        self.nbits += 1;
        if self.nbits == 8 {
            self.octets.push(self.byte);
            self.byte = 0;
            self.nbits = 0;
        }
    }
    fn status(&mut self, status: RxStatus) {
        if matches!(status, RxStatus::TrainingSucceeded | RxStatus::CarrierUp) {
            self.byte = 0;
            self.nbits = 0;
        }
        self.statuses.push((self.octets.len(), status));
    }
}

/// The high-speed receiver currently listening.
struct FastRx {
    modem: FastModem,
    demod: Box<AnyDemodulator>,
    carrier: bool,
    /// The V.21 signal that preceded this listening period is still on: T.30 is
    /// half-duplex, so the high-speed signal cannot have started yet, and the receiver is
    /// not fed the V.21 tail (which it could take for a failed training).
    hold: bool,
    /// Samples the hold may still last: the V.21 tail after a final frame is short, and a
    /// V.21 detector flickering on the high-speed signal itself must not keep the receiver
    /// deaf to its training.
    hold_left: u32,
    /// The session wants this receiver now (between pages it listens to V.21 only, but the
    /// receiver keeps what it learnt for the short training of the next page).
    listening: bool,
}

/// Tells the session that a signal is on the line while the high-speed receiver is paused:
/// after a dropout has cut a page short, the rest of the page is still arriving and the
/// post-message command will follow it (the engine holds its command timer meanwhile).
#[derive(Debug, Default)]
struct LineEnergy {
    on: bool,
    count: u8,
}

impl LineEnergy {
    /// Level above which a signal is present, and below which it has gone (dBm0).
    const ON_DBM0: f32 = -40.0;
    const OFF_DBM0: f32 = -45.0;

    /// Feed one step; `Some(state)` when the presence changes.
    fn update(&mut self, samples: &[i16]) -> Option<bool> {
        let level = telefax_dsp::power::block_dbm0(samples);
        let flip = if self.on {
            level < Self::OFF_DBM0
        } else {
            level > Self::ON_DBM0
        };
        self.count = if flip { self.count + 1 } else { 0 };
        // Two steps (20 ms) to rise, five (50 ms) to fall.
        if self.count >= if self.on { 5 } else { 2 } {
            self.on = !self.on;
            self.count = 0;
            return Some(self.on);
        }
        None
    }
}

/// The page being received (non-ECM): the coded octets since phase C began.
struct RxPageBuf {
    coded: Vec<u8>,
    decoded: Option<(Bitmap, PageStats)>,
}

/// One fax terminal (T.30 Group 3) speaking over an 8 kHz audio stream. See the
/// [module documentation](self) for the driving loop.
pub struct Endpoint {
    cfg: EndpointConfig,
    session: Session,
    ended: bool,
    now: SampleTime,
    phase: Phase,
    mode: Option<Mode>,
    // transmit side
    tx: Tx,
    cng: Option<ToneTx>,
    /// Samples after the end of our own transmission during which received audio is
    /// ignored (our echo must not be taken as the far end).
    echo_guard: u32,
    // receive side
    v21: V21Rx,
    frames: FrameRx,
    ecm_frames: FrameRx,
    fast: Option<FastRx>,
    sink: FastSink,
    energy: LineEnergy,
    /// The line quality over the TCF being received.
    tcf_meter: TcfMeter,
    rx_page: Option<RxPageBuf>,
    // documents
    pages_out: Vec<OutgoingPage>,
    /// Pages (1-based) after which a document ends and EOM is sent.
    eom_after: Vec<u32>,
    doc_finished: bool,
    events: VecDeque<Event>,
}

impl core::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Endpoint")
            .field("now", &self.now)
            .field("phase", &self.phase)
            .field("mode", &self.mode)
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    /// A new endpoint. A receiving endpoint starts its call at once (an answering one with
    /// CED, T.30 §5.2.3); a sending one starts when its document is complete
    /// ([`Endpoint::finish_document`]).
    pub fn new(cfg: EndpointConfig) -> Result<Endpoint, EndpointError> {
        cfg.validate()?;
        let session = Session::new(cfg.session_config(0, Default::default(), &[]));
        let mut v21 = V21Rx::new(Channel::Channel2);
        if let Some((on, off)) = cfg.v21_thresholds_dbm0 {
            v21.set_carrier_thresholds(on, off);
        }
        let mut ep = Endpoint {
            session,
            ended: false,
            now: 0,
            phase: Phase::A,
            mode: None,
            tx: Tx::Idle,
            cng: None,
            echo_guard: 0,
            v21,
            frames: FrameRx::new(),
            ecm_frames: FrameRx::new(),
            fast: None,
            sink: FastSink {
                octets: Vec::with_capacity(4096),
                statuses: Vec::with_capacity(16),
                ..FastSink::default()
            },
            energy: LineEnergy::default(),
            tcf_meter: TcfMeter::default(),
            rx_page: None,
            pages_out: Vec::new(),
            eom_after: Vec::new(),
            doc_finished: false,
            events: VecDeque::with_capacity(32),
            cfg,
        };
        if ep.cfg.job != JobKind::Send {
            ep.start()?;
        }
        Ok(ep)
    }

    /// Queue a page to send (a sending endpoint, before [`Endpoint::finish_document`]).
    /// `x_dpi`/`y_dpi` give its resolution (204 × 98 is standard, 204 × 196 fine); it is
    /// re-coded to the negotiated coding, width and resolution when sent.
    pub fn queue_page(
        &mut self,
        bitmap: Bitmap,
        x_dpi: f32,
        y_dpi: f32,
    ) -> Result<(), EndpointError> {
        if self.cfg.job != JobKind::Send || self.doc_finished {
            return Err(EndpointError::NotAcceptingPages(if self.doc_finished {
                "document already finished"
            } else {
                "not a sending endpoint"
            }));
        }
        if bitmap.width == 0
            || bitmap.height == 0
            || bitmap.data.len() != bitmap.stride() * bitmap.height as usize
        {
            return Err(EndpointError::BadPage {
                index: self.pages_out.len(),
                width: bitmap.width,
                height: bitmap.height,
            });
        }
        self.pages_out.push(OutgoingPage::new(bitmap, x_dpi, y_dpi));
        Ok(())
    }

    /// End the document formed by the pages queued so far and start another one in the
    /// same call: after its last page the sender sends EOM instead of MPS and the call
    /// returns to phase B (T.30 §5.3.6.1.3 and Figure 5-2), so the next document may be
    /// negotiated afresh. Queue the next document's pages after this, and call
    /// [`Endpoint::finish_document`] after the last document.
    ///
    /// ```
    /// use telefax::endpoint::{Endpoint, EndpointConfig};
    /// use telefax::t4::Bitmap;
    ///
    /// let mut ep = Endpoint::new(EndpointConfig::sender()).unwrap();
    /// ep.queue_page(Bitmap::new(1728, 20), 204.0, 98.0).unwrap();
    /// ep.next_document().unwrap(); // EOM after page 1
    /// ep.queue_page(Bitmap::new(1728, 20), 204.0, 98.0).unwrap();
    /// ep.finish_document().unwrap(); // EOP after page 2
    /// ```
    pub fn next_document(&mut self) -> Result<(), EndpointError> {
        let n = self.end_of_document()?;
        self.eom_after.push(n);
        Ok(())
    }

    /// Mark the document complete; a sending endpoint starts its call now.
    pub fn finish_document(&mut self) -> Result<(), EndpointError> {
        let n = self.end_of_document()?;
        self.doc_finished = true;
        let format = config::document_format(&self.pages_out);
        self.session = Session::new(self.cfg.session_config(n, format, &self.eom_after));
        self.start()
    }

    /// The number of pages queued so far, if a document may end after them: a sending
    /// endpoint not yet finished, and at least one page since the last document ended.
    fn end_of_document(&self) -> Result<u32, EndpointError> {
        if self.cfg.job != JobKind::Send || self.doc_finished {
            return Err(EndpointError::NotAcceptingPages(
                "not a sending endpoint, or finished",
            ));
        }
        let n = self.pages_out.len() as u32;
        if n == 0 || self.eom_after.last() == Some(&n) {
            return Err(EndpointError::EmptyDocument);
        }
        Ok(n)
    }

    fn start(&mut self) -> Result<(), EndpointError> {
        self.session.start(self.now)?;
        self.pump();
        Ok(())
    }

    /// The time: samples received so far.
    pub fn now(&self) -> SampleTime {
        self.now
    }

    /// The current T.30 phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The negotiated mode, once DCS has been sent or received.
    pub fn mode(&self) -> Option<&Mode> {
        self.mode.as_ref()
    }

    /// Whether the call is over ([`Event::Ended`] has been queued).
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// The next event, if any. Call after each [`Endpoint::handle_rx`] and
    /// [`Endpoint::poll_tx`] until it returns `None`.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When the endpoint next needs time to pass even if no audio arrives (for callers that
    /// pace audio themselves): feed [`Endpoint::handle_silence`] up to that time.
    pub fn poll_timeout(&self) -> Option<SampleTime> {
        self.session.poll_timeout()
    }

    /// Abort the call: the far end is sent DCN where possible and the call ends with
    /// `FailReason::Aborted`.
    pub fn abort(&mut self) {
        self.session.abort(self.now);
        self.pump();
    }

    /// Received audio: 8 kHz linear samples from the far end, in order, any block size.
    pub fn handle_rx(&mut self, samples: &[i16]) {
        for chunk in samples.chunks(STEP) {
            self.rx_step(Some(chunk), chunk.len());
        }
    }

    /// `n` samples of silence were received (a gap in the audio).
    pub fn handle_silence(&mut self, mut n: u64) {
        while n > 0 {
            let k = n.min(STEP as u64) as usize;
            self.rx_step(None, k);
            n -= k as u64;
        }
    }

    /// Audio to transmit: fills all of `out` (silence when there is nothing to send).
    pub fn poll_tx(&mut self, out: &mut [i16]) {
        let mut filled = 0;
        while filled < out.len() {
            let rest = &mut out[filled..];
            let (n, done) = match &mut self.tx {
                Tx::Idle => {
                    if let Some(cng) = self.cng.as_mut() {
                        cng.fill(rest);
                    } else {
                        rest.fill(0);
                    }
                    (rest.len(), false)
                }
                Tx::Tone(t) => {
                    let n = t.fill(rest);
                    (n, t.is_done())
                }
                Tx::Frames { modem, framer } => {
                    let n = modem.modulate(rest, framer);
                    (n, n < rest.len())
                }
                Tx::Fast { modem, data } => {
                    let n = modem.modulate(rest, data);
                    (n, n < rest.len())
                }
            };
            filled += n;
            if done {
                self.tx = Tx::Idle;
                self.echo_guard = self.cfg.echo_guard_samples;
                self.session.handle_modem(self.now, ModemEvent::TxDone);
                self.pump();
            } else if n == 0 {
                out[filled..].fill(0);
                break;
            }
        }
    }

    fn transmitting(&self) -> bool {
        !matches!(self.tx, Tx::Idle)
    }

    /// One step of received audio (`None`: silence).
    fn rx_step(&mut self, chunk: Option<&[i16]>, n: usize) {
        self.now += n as u64;
        if self.ended {
            return;
        }
        let muted = self.transmitting() || self.echo_guard > 0;
        self.echo_guard = self.echo_guard.saturating_sub(n as u32);
        let zeros = [0i16; STEP];
        let samples = match chunk {
            Some(c) if !muted => c,
            _ => &zeros[..n],
        };
        // V.21 channel 2: HDLC frames and its carrier.
        let before = self.v21.carrier();
        self.frames.clear();
        self.v21.demodulate(samples, &mut self.frames);
        let after = self.v21.carrier();
        if !before && after {
            self.session
                .handle_modem(self.now, ModemEvent::CarrierUp(Carrier::V21));
        }
        for i in 0..self.frames.len() {
            match self.frames.get(i) {
                link::Received::Good(bytes) => {
                    debug!(hex = %hex(bytes), "frame received");
                    self.session.handle_frame_bytes(self.now, bytes);
                }
                link::Received::Bad => self.session.handle_bad_frame(self.now),
            }
            self.pump();
        }
        if before && !after {
            self.session
                .handle_modem(self.now, ModemEvent::CarrierDown(Carrier::V21));
        }
        self.pump();
        // The high-speed receiver.
        let paused = self.fast.as_ref().is_none_or(|f| !f.listening || f.hold);
        if paused {
            if let Some(on) = self.energy.update(samples) {
                let ev = if on {
                    ModemEvent::CarrierUp(Carrier::Fast)
                } else {
                    ModemEvent::CarrierDown(Carrier::Fast)
                };
                self.session.handle_modem(self.now, ev);
                self.pump();
            }
        } else if self.energy.on {
            self.energy = LineEnergy::default();
        }
        if let Some(fast) = self.fast.as_mut() {
            // Hold until the V.21 signal that preceded the high-speed one has ended (at most
            // MAX_HOLD). A receiver that is paused or held hears silence, so that its
            // carrier detector and filters stay current for the next signal.
            fast.hold_left = fast.hold_left.saturating_sub(n as u32);
            fast.hold &= after && fast.hold_left > 0;
            self.sink.octets.clear();
            self.sink.statuses.clear();
            if fast.listening && !fast.hold {
                fast.demod.demodulate(samples, &mut self.sink);
                self.feed_fast();
                self.measure_tcf();
            } else {
                fast.demod.demodulate(&zeros[..n], &mut self.sink);
            }
        }
        self.finish_step();
    }

    /// During TCF: sample the receiver's quality figure and give the session the mean so far
    /// with the requirement at the rate (T.30 §5.3.6.2.9, see [`line_quality`]).
    fn measure_tcf(&mut self) {
        let Some(fast) = self.fast.as_ref() else {
            return;
        };
        if !fast.carrier || !self.session.expects_tcf() {
            return;
        }
        let Some(q) = fast.demod.signal_quality_db() else {
            return;
        };
        self.tcf_meter.push(q);
        if let (Some(measured_db), Some(margin)) =
            (self.tcf_meter.mean_db(), self.cfg.tcf_quality_margin_db)
        {
            let required_db = line_quality::required_quality_db(fast.modem, margin);
            self.session.handle_tcf_quality(
                self.now,
                LineQuality {
                    measured_db,
                    required_db,
                },
            );
        }
    }

    /// Act on expired timers at the end of a step.
    fn finish_step(&mut self) {
        if let Some(t) = self.session.poll_timeout() {
            if self.now >= t {
                self.session.handle_timeout(self.now);
            }
        }
        self.pump();
    }

    /// Hand the fast receiver's octets and status changes to the session, in order.
    fn feed_fast(&mut self) {
        let mut from = 0;
        let statuses = core::mem::take(&mut self.sink.statuses);
        for &(at, status) in &statuses {
            self.fast_octets(from, at);
            from = at;
            self.fast_status(status);
        }
        let end = self.sink.octets.len();
        self.fast_octets(from, end);
        self.sink.statuses = statuses;
    }

    fn fast_octets(&mut self, from: usize, to: usize) {
        if from >= to || !self.fast.as_ref().is_some_and(|f| f.carrier) {
            return;
        }
        let data = &self.sink.octets[from..to];
        if self.ecm() && self.phase == Phase::C {
            // ECM: the high-speed modem carries HDLC frames (FCD, RCP).
            self.ecm_frames.clear();
            for &octet in data {
                for i in 0..8 {
                    self.ecm_frames.put_bit((octet >> i) & 1);
                }
            }
            for i in 0..self.ecm_frames.len() {
                if let link::Received::Good(bytes) = self.ecm_frames.get(i) {
                    if let Ok(frame) = telefax_t30::Frame::parse(bytes) {
                        let number = match &frame.payload {
                            telefax_t30::frame::Payload::Fcd(f) => Some(f.number),
                            _ => None,
                        };
                        debug!(now = self.now, fcf = ?frame.fcf, ?number, "ECM frame received");
                        self.session.handle_fast_frame(self.now, frame);
                    }
                }
            }
            self.pump();
            return;
        }
        if let Some(page) = self.rx_page.as_mut() {
            let room = MAX_PAGE_OCTETS.saturating_sub(page.coded.len());
            page.coded.extend_from_slice(&data[..data.len().min(room)]);
        }
        self.session.handle_rx_data(self.now, data);
        self.pump();
    }

    fn fast_status(&mut self, status: RxStatus) {
        let Some(fast) = self.fast.as_mut() else {
            return;
        };
        match status {
            RxStatus::CarrierUp => {
                self.session
                    .handle_modem(self.now, ModemEvent::CarrierUp(Carrier::Fast));
            }
            RxStatus::TrainingSucceeded => {
                fast.carrier = true;
                // A new transmission: nothing left in the ECM deframer belongs to it.
                self.ecm_frames.reset();
                self.tcf_meter.reset();
                let quality_db = fast.demod.signal_quality_db();
                self.events.push_back(Event::ReceiverTrained { quality_db });
                self.session
                    .handle_modem(self.now, ModemEvent::TrainingSucceeded { quality_db });
            }
            RxStatus::TrainingFailed => {
                self.session
                    .handle_modem(self.now, ModemEvent::TrainingFailed);
            }
            RxStatus::CarrierDown => {
                let was = fast.carrier;
                fast.carrier = false;
                self.ecm_frames.reset();
                if was {
                    self.finish_rx_page();
                }
                self.session
                    .handle_modem(self.now, ModemEvent::CarrierDown(Carrier::Fast));
            }
            _ => {}
        }
        self.pump();
    }

    /// The page carrier ended: decode what arrived and tell the session its quality before
    /// the post-message command is handled (T.30 §5.3.6.1.6 copy quality).
    fn finish_rx_page(&mut self) {
        let Some(page) = self.rx_page.as_mut() else {
            return;
        };
        if page.decoded.is_some() {
            return;
        }
        let Some(mode) = self.mode else { return };
        let Some(coding) = page::t4_coding(mode.coding, mode.resolution) else {
            return;
        };
        let width = mode.width.pels(mode.resolution);
        let opts = DecodeOptions::new(coding, width).bit_order(BitOrder::LsbFirst);
        match decode_page(&page.coded, &opts) {
            Ok((bitmap, stats)) => {
                // A page whose end (RTC, T.4 §4.1.4) never arrived is missing rows: count
                // the missing end as a damaged row, so that it is not confirmed as complete.
                let incomplete = u32::from(stats.end != PageEnd::Rtc || stats.truncated);
                let quality = PageQuality {
                    rows: stats.rows.max(1),
                    bad_rows: stats.bad_rows.saturating_add(incomplete),
                    longest_bad_run: stats.longest_bad_run.max(incomplete),
                };
                debug!(?quality, end = ?stats.end, truncated = stats.truncated, bytes = stats.bytes, coded = page.coded.len(), "page received");
                self.session.handle_page_quality(self.now, quality);
                page.decoded = Some((bitmap, stats));
            }
            Err(e) => {
                warn!(error = %e, "received page could not be decoded");
                self.session
                    .handle_page_quality(self.now, PageQuality::default());
            }
        }
    }

    /// Drain the session's commands and events.
    fn pump(&mut self) {
        while let Some(cmd) = self.session.poll_command() {
            self.command(cmd);
        }
        while let Some(ev) = self.session.poll_event() {
            self.session_event(ev);
        }
    }

    fn command(&mut self, cmd: Command) {
        debug!(?cmd, now = self.now, "command");
        let level = self.cfg.tx_level_dbm0;
        match cmd {
            Command::SendTone { tone, duration_ms } => {
                self.cng = None;
                let hz = match tone {
                    Tone::Ced => 2100.0,
                    Tone::Cng => 1100.0,
                };
                self.tx = Tx::Tone(ToneTx::steady(hz, level, duration_ms));
            }
            Command::StartCng => {
                self.cng = Some(ToneTx::cng(level));
            }
            Command::SendFrames {
                frames,
                preamble_flags,
            } => {
                self.cng = None;
                let framer = FrameTx::with_frames(preamble_flags, &frames);
                match V21Tx::new(Channel::Channel2, level) {
                    Ok(modem) => self.tx = Tx::Frames { modem, framer },
                    Err(e) => warn!(error = %e, "V.21 transmitter"),
                }
            }
            Command::StartTx {
                modem,
                training,
                data,
            } => {
                self.cng = None;
                let data = match data {
                    TxData::Tcf { octets } => FastData::Zeros {
                        bits: u64::from(octets) * 8,
                    },
                    TxData::Page { index } => FastData::Octets {
                        octets: self.page_data(index),
                        pos: 0,
                        bit: 0,
                    },
                    TxData::Frames(frames) => {
                        // T.30 Annex A: a short run of flags opens the ECM block.
                        let tx = FrameTx::with_frames(ECM_PREAMBLE_FLAGS, &frames);
                        FastData::Frames(tx)
                    }
                };
                let opts = TxOptions {
                    rate: modem.bit_rate(),
                    level_dbm0: level,
                    short_train: training == Training::Short,
                };
                match AnyModulator::new(modem_kind(modem), &opts) {
                    Ok(m) => {
                        self.tx = Tx::Fast {
                            modem: Box::new(m),
                            data,
                        }
                    }
                    Err(e) => {
                        warn!(error = %e, "high-speed transmitter unavailable");
                        self.session.handle_modem(self.now, ModemEvent::TxDone);
                    }
                }
            }
            Command::ListenV21 => {
                if let Some(f) = self.fast.as_mut() {
                    f.listening = false;
                    f.carrier = false;
                }
                // The session stops listening to the high-speed modem at the first RCP of a
                // block (T.30 Annex A.3.4), while the sender is still sending the other
                // two: a frame then half-read (or read but not yet closed by its flag) is
                // void, and must not be completed by the flags of the next transmission.
                self.ecm_frames.reset();
            }
            Command::ListenFast { modem, training } => {
                self.tcf_meter.reset();
                self.ecm_frames.reset();
                let keep = self.fast.as_ref().is_some_and(|f| f.modem == modem);
                if keep && training == Training::Short {
                    // V.17 short training reuses the equalizer of the long one.
                    let hold = self.v21.carrier();
                    if let Some(f) = self.fast.as_mut() {
                        match f.demod.as_mut() {
                            AnyDemodulator::V17(rx) => rx.set_short_train(true),
                            other => other.reset(),
                        }
                        f.carrier = false;
                        f.hold = hold;
                        f.hold_left = MAX_HOLD;
                        f.listening = true;
                    }
                } else {
                    // V.17: after a successful long training, expect short ones (the
                    // receiver still follows a long one if it comes), so that a stray
                    // burst between TCF and page cannot cost the equalizer.
                    let opts = RxOptions {
                        rate: modem.bit_rate(),
                        short_train: modem.modem() == Modem::V17,
                    };
                    match AnyDemodulator::new(modem_kind(modem), &opts) {
                        Ok(d) => {
                            self.fast = Some(FastRx {
                                modem,
                                demod: Box::new(d),
                                carrier: false,
                                hold: self.v21.carrier(),
                                hold_left: MAX_HOLD,
                                listening: true,
                            })
                        }
                        Err(e) => warn!(error = %e, "high-speed receiver unavailable"),
                    }
                }
            }
            Command::HangUp => {
                self.cng = None;
                self.fast = None;
            }
        }
    }

    /// The coded data of page `index` in the negotiated mode.
    fn page_data(&mut self, index: u32) -> Vec<u8> {
        let (Some(page), Some(mode)) = (self.pages_out.get(index as usize), self.mode) else {
            warn!(index, "no such page, or no mode");
            return Vec::new();
        };
        match page::encode_for_mode(page, &mode) {
            Ok(d) => d,
            Err(e) => {
                warn!(error = %e, "page could not be coded for the negotiated mode");
                Vec::new()
            }
        }
    }

    fn session_event(&mut self, ev: session::Event) {
        let out = match ev {
            session::Event::Phase(p) => {
                self.phase = p;
                if p == Phase::C && self.receiving() && !self.ecm() {
                    self.rx_page = Some(RxPageBuf {
                        coded: Vec::with_capacity(64 * 1024),
                        decoded: None,
                    });
                }
                Event::Phase(p)
            }
            session::Event::RemoteIdentity { fcf, identity } => {
                Event::RemoteIdentity { fcf, identity }
            }
            session::Event::RemoteCapabilities(c) => Event::RemoteCapabilities(Box::new(c)),
            session::Event::Negotiated(m) => {
                self.mode = Some(m);
                if m.ecm_frame_size.is_some() && self.cfg.job == JobKind::Send {
                    // T.30 Annex A: the engine cuts the coded pages into frames itself.
                    for i in 0..self.pages_out.len() as u32 {
                        let data = self.page_data(i);
                        self.session.set_page_data(i, data);
                    }
                }
                Event::Negotiated(m)
            }
            session::Event::Training { modem, outcome } => {
                if let Some(measured_db) = self.tcf_meter.mean_db() {
                    let required_db = self
                        .cfg
                        .tcf_quality_margin_db
                        .map(|m| line_quality::required_quality_db(modem, m));
                    debug!(%modem, measured_db, ?required_db, "TCF line quality");
                    self.events.push_back(Event::TcfQuality {
                        modem,
                        measured_db,
                        required_db,
                    });
                    self.tcf_meter.reset();
                }
                Event::Training {
                    modem,
                    ok: outcome == session::TrainingOutcome::Confirmed,
                }
            }
            session::Event::PageSent { index, response } => Event::PageSent { index, response },
            session::Event::PageReceived(p) => {
                self.finish_rx_page();
                let buf = self.rx_page.take();
                let (bitmap, stats) = match buf.as_ref().and_then(|b| b.decoded.clone()) {
                    Some(d) => d,
                    None => {
                        let width = p.mode.width.pels(p.mode.resolution);
                        let coding = page::t4_coding(p.mode.coding, p.mode.resolution);
                        match coding.map(|c| {
                            decode_page(
                                &p.data,
                                &DecodeOptions::new(c, width).bit_order(BitOrder::LsbFirst),
                            )
                        }) {
                            Some(Ok(d)) => d,
                            _ => (Bitmap::new(width, 0), PageStats::default()),
                        }
                    }
                };
                Event::PageReceived(Box::new(ReceivedPage {
                    number: p.number,
                    bitmap,
                    stats,
                    mode: p.mode,
                    dpi: page::resolution_dpi(p.mode.resolution),
                    coded: p.data,
                    response: p.response,
                }))
            }
            session::Event::Ended(r) => {
                self.ended = true;
                Event::Ended(r)
            }
        };
        self.events.push_back(out);
    }

    /// Whether the negotiated mode uses error correction (T.30 Annex A).
    fn ecm(&self) -> bool {
        self.mode.is_some_and(|m| m.ecm_frame_size.is_some())
    }

    fn receiving(&self) -> bool {
        self.cfg.job != JobKind::Send
    }
}

/// The modem kind of a T.30 mode.
fn modem_kind(m: FastModem) -> ModemKind {
    match m.modem() {
        Modem::V27ter => ModemKind::V27ter,
        Modem::V29 => ModemKind::V29,
        Modem::V17 => ModemKind::V17,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
