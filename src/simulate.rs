//! Two fax endpoints joined through the line simulator, stepped deterministically, as fast
//! as the CPU allows (the `Pair` of quinn-proto's tests, for fax calls).
//!
//! Each direction of the line is a [`LineSim`] (level, noise, frequency and clock offsets,
//! band limit, G.711, dropouts); a talker echo (each side hearing its own signal, as a
//! 2-wire/4-wire hybrid returns it) can be added on top.
//!
//! A direction can also destroy individual HDLC frames at random ([`FrameLoss`], issue 8):
//! a [`FrameTap`] listens to the clean audio the endpoint sends with receivers of its own
//! and silences a few milliseconds inside each frame it chose, before the line delay lets
//! the far end hear it. Neither endpoint knows; the tap also counts what it saw on the line
//! ([`FrameStats`]: ECM frames sent, destroyed and sent again, control frames by FCF).
//!
//! ```
//! use telefax::endpoint::{Endpoint, EndpointConfig};
//! use telefax::simulate::{Pair, PairConfig};
//! use telefax::t4::Bitmap;
//!
//! let mut page = Bitmap::new(1728, 30);
//! page.set(864, 15, true);
//! let mut caller = Endpoint::new(EndpointConfig::sender()).unwrap();
//! caller.queue_page(page.clone(), 204.0, 98.0).unwrap();
//! caller.finish_document().unwrap();
//! let answerer = Endpoint::new(EndpointConfig::receiver()).unwrap();
//! let mut pair = Pair::new(caller, answerer, &PairConfig::default()).unwrap();
//! let outcome = pair.run(120.0);
//! assert!(outcome.caller.as_ref().is_some_and(|r| r.is_ok()));
//! assert_eq!(outcome.pages.len(), 1);
//! assert_eq!(outcome.pages[0].bitmap, page);
//! ```

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use telefax_dsp::line::{LineConfig, LineSim};
use telefax_dsp::DspError;
use telefax_modem::any::{AnyDemodulator, ModemKind, RxOptions};
use telefax_modem::hdlc::{HdlcDeframer, HdlcEvent};
use telefax_modem::v21::{Channel, V21Rx};
use telefax_modem::{Demodulator, RxSink, RxStatus};
use telefax_t30::capabilities::{FastModem, Modem};
use telefax_t30::frame::Payload;
use telefax_t30::session::CallResult;
use telefax_t30::{Fcf, Frame};

use crate::endpoint::{Endpoint, Event, ReceivedPage};

/// Samples per step: the 20 ms blocks of the pipe protocol and of most telephony stacks.
pub const BLOCK: usize = 160;

/// Samples of delay on each direction of the line (200 ms, a long-distance call's one-way
/// delay). It is also the slack that lets a sender whose clock runs fast (fewer samples per
/// second of the receiver's clock) go on for minutes before the receiver runs out: a clock
/// offset must not turn into inserted samples.
pub const LINE_DELAY: usize = 1600;

/// How the two endpoints are joined.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PairConfig {
    /// The line from the first endpoint (the caller) to the second.
    pub line_ab: LineConfig,
    /// The line from the second endpoint back to the first.
    pub line_ba: LineConfig,
    /// Talker echo: each endpoint hears its own signal back, `level_db` below it (negative)
    /// after `delay_ms`.
    pub echo: Option<(f32, f32)>,
    /// Keep the audio of both directions (for a stereo recording).
    pub record: bool,
    /// Random destruction of HDLC frames sent by the first endpoint (see [`FrameLoss`]).
    /// `Some` puts a [`FrameTap`] on that line, which also counts the frames
    /// ([`Outcome::frames_ab`]); `Some(FrameLoss::default())` counts without destroying.
    /// `None` (the default) costs nothing.
    pub frame_loss_ab: Option<FrameLoss>,
    /// Random destruction of HDLC frames sent by the second endpoint (and their count in
    /// [`Outcome::frames_ba`]).
    pub frame_loss_ba: Option<FrameLoss>,
}

/// Which endpoint of a [`Pair`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The first endpoint (usually the caller).
    A,
    /// The second endpoint.
    B,
}

/// What a simulated call produced.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The first endpoint's result (`None` if it had not ended when the run stopped).
    pub caller: Option<CallResult>,
    /// The second endpoint's result.
    pub answerer: Option<CallResult>,
    /// Pages received, by either side, in order.
    pub pages: Vec<ReceivedPage>,
    /// Seconds of audio simulated.
    pub seconds: f64,
    /// Every event, with its side and time in samples.
    pub events: Vec<(Side, u64, Event)>,
    /// What the first endpoint sent on the line (frames seen, destroyed, sent again); empty
    /// unless [`PairConfig::frame_loss_ab`] put a tap on that line.
    pub frames_ab: FrameStats,
    /// What the second endpoint sent on the line (with [`PairConfig::frame_loss_ba`]).
    pub frames_ba: FrameStats,
}

/// Two endpoints and the line between them.
pub struct Pair {
    /// The first endpoint.
    pub a: Endpoint,
    /// The second endpoint.
    pub b: Endpoint,
    line_ab: LineSim,
    line_ba: LineSim,
    fifo_ab: VecDeque<i16>,
    fifo_ba: VecDeque<i16>,
    echo: Option<(f32, usize)>,
    echo_a: VecDeque<i16>,
    echo_b: VecDeque<i16>,
    tx_a: Vec<i16>,
    tx_b: Vec<i16>,
    out: Vec<i16>,
    rx: Vec<i16>,
    steps: u64,
    /// Left: A's transmission as B received it; right: B's as A received it.
    recording: Option<(Vec<i16>, Vec<i16>)>,
    tap_ab: Option<FrameTap>,
    tap_ba: Option<FrameTap>,
}

impl core::fmt::Debug for Pair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pair")
            .field("a", &self.a)
            .field("b", &self.b)
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

impl Pair {
    /// Join `a` and `b` through the lines of `cfg`.
    pub fn new(a: Endpoint, b: Endpoint, cfg: &PairConfig) -> Result<Pair, DspError> {
        let echo = cfg
            .echo
            .map(|(db, ms)| (10f32.powf(db / 20.0), (ms.max(0.0) * 8.0) as usize));
        let pre = |n: usize| VecDeque::from(vec![0i16; n]);
        Ok(Pair {
            a,
            b,
            line_ab: LineSim::new(&cfg.line_ab)?,
            line_ba: LineSim::new(&cfg.line_ba)?,
            fifo_ab: pre(LINE_DELAY),
            fifo_ba: pre(LINE_DELAY),
            echo_a: pre(echo.map_or(0, |e| e.1)),
            echo_b: pre(echo.map_or(0, |e| e.1)),
            echo,
            tx_a: vec![0; BLOCK],
            tx_b: vec![0; BLOCK],
            out: Vec::with_capacity(2 * BLOCK),
            rx: vec![0; BLOCK],
            steps: 0,
            recording: cfg.record.then(|| (Vec::new(), Vec::new())),
            tap_ab: cfg.frame_loss_ab.map(FrameTap::new),
            tap_ba: cfg.frame_loss_ba.map(FrameTap::new),
        })
    }

    /// Seconds simulated so far.
    pub fn seconds(&self) -> f64 {
        (self.steps * BLOCK as u64) as f64 / 8000.0
    }

    /// One 20 ms step: both endpoints transmit a block, the lines carry it, both receive a
    /// block.
    pub fn step(&mut self) {
        self.steps += 1;
        self.a.poll_tx(&mut self.tx_a);
        self.b.poll_tx(&mut self.tx_b);
        self.out.clear();
        self.line_ab.process(&self.tx_a, &mut self.out);
        self.fifo_ab.extend(self.out.iter().copied());
        if let Some(tap) = self.tap_ab.as_mut() {
            tap.watch(&self.tx_a);
            tap.damage(&mut self.fifo_ab);
        }
        self.out.clear();
        self.line_ba.process(&self.tx_b, &mut self.out);
        self.fifo_ba.extend(self.out.iter().copied());
        if let Some(tap) = self.tap_ba.as_mut() {
            tap.watch(&self.tx_b);
            tap.damage(&mut self.fifo_ba);
        }
        // B hears A (plus its own echo).
        take_block(&mut self.fifo_ab, &mut self.rx);
        if let Some((l, _)) = self.recording.as_mut() {
            l.extend_from_slice(&self.rx);
        }
        if let Some((gain, _)) = self.echo {
            add_echo(&mut self.echo_b, &self.tx_b, gain, &mut self.rx);
        }
        self.b.handle_rx(&self.rx);
        // A hears B (plus its own echo).
        take_block(&mut self.fifo_ba, &mut self.rx);
        if let Some((_, r)) = self.recording.as_mut() {
            r.extend_from_slice(&self.rx);
        }
        if let Some((gain, _)) = self.echo {
            add_echo(&mut self.echo_a, &self.tx_a, gain, &mut self.rx);
        }
        self.a.handle_rx(&self.rx);
    }

    /// Run until both endpoints have ended or `max_seconds` of audio have passed.
    pub fn run(&mut self, max_seconds: f64) -> Outcome {
        let mut o = Outcome::default();
        let max_steps = (max_seconds * 8000.0 / BLOCK as f64) as u64;
        let start = self.steps;
        while self.steps - start < max_steps {
            self.step();
            for (side, ep) in [(Side::A, &mut self.a), (Side::B, &mut self.b)] {
                while let Some(ev) = ep.poll_event() {
                    match &ev {
                        Event::PageReceived(p) => o.pages.push((**p).clone()),
                        Event::Ended(r) => match side {
                            Side::A => o.caller = Some(*r),
                            Side::B => o.answerer = Some(*r),
                        },
                        _ => {}
                    }
                    o.events.push((side, ep.now(), ev));
                }
            }
            if o.caller.is_some() && o.answerer.is_some() {
                // Let the last tones and frames drain for a moment, as a line would.
                for _ in 0..10 {
                    self.step();
                }
                break;
            }
        }
        o.seconds = self.seconds();
        o.frames_ab = self.frames_ab().cloned().unwrap_or_default();
        o.frames_ba = self.frames_ba().cloned().unwrap_or_default();
        o
    }

    /// What the first endpoint has sent on the line so far (see [`FrameStats`]), if
    /// [`PairConfig::frame_loss_ab`] put a tap on that line.
    pub fn frames_ab(&self) -> Option<&FrameStats> {
        self.tap_ab.as_ref().map(FrameTap::stats)
    }

    /// What the second endpoint has sent on the line so far, if it has a tap.
    pub fn frames_ba(&self) -> Option<&FrameStats> {
        self.tap_ba.as_ref().map(FrameTap::stats)
    }

    /// The recorded audio, if recording was asked for: (A→B as B heard it, B→A as A heard
    /// it).
    pub fn recording(&self) -> Option<(&[i16], &[i16])> {
        self.recording
            .as_ref()
            .map(|(l, r)| (l.as_slice(), r.as_slice()))
    }
}

fn take_block(fifo: &mut VecDeque<i16>, out: &mut [i16]) {
    for o in out.iter_mut() {
        *o = fifo.pop_front().unwrap_or(0);
    }
}

fn add_echo(delay: &mut VecDeque<i16>, own_tx: &[i16], gain: f32, rx: &mut [i16]) {
    delay.extend(own_tx.iter().copied());
    for r in rx.iter_mut() {
        let e = delay.pop_front().unwrap_or(0);
        *r = (f32::from(*r) + f32::from(e) * gain).clamp(-32768.0, 32767.0) as i16;
    }
}

/// Random destruction of HDLC frames on one direction of the line (issue 8): each frame the
/// sending endpoint transmits is destroyed with a fixed probability, independently of the
/// others, from a seeded generator.
///
/// Where it acts: a [`FrameTap`] listens to the clean audio the endpoint sends (with a V.21
/// receiver, and with a receiver for the negotiated high-speed modem while the mode uses
/// ECM) and, once a frame has gone by and was chosen, silences a few milliseconds of the
/// line audio inside that frame, over its last octets and FCS, while that audio is still in
/// the line's delay (see [`LINE_DELAY`]). The far end's deframer then finds a bad FCS for
/// exactly that frame (T.30 Annex A: it asks for it again with PPR). Nothing in either
/// endpoint knows about the impairment.
///
/// ```
/// use telefax::simulate::{FrameLoss, PairConfig};
/// // Lose one ECM frame in ten on the caller-to-answerer line.
/// let cfg = PairConfig {
///     frame_loss_ab: Some(FrameLoss { ecm_p: 0.1, seed: 7, ..FrameLoss::default() }),
///     ..PairConfig::default()
/// };
/// assert!(cfg.frame_loss_ab.is_some());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameLoss {
    /// Probability that an ECM data frame (FCD, T.30 Annex A.3.3) on the high-speed modem is
    /// destroyed. RCP frames are left alone: they are a few octets long, too short to hit
    /// without touching the FCD frame before them, and sent three times anyway.
    pub ecm_p: f64,
    /// Probability that a V.21 control frame (T.30 §5.3.6) is destroyed.
    pub control_p: f64,
    /// Seed of the loss decisions.
    pub seed: u64,
}

/// What a [`FrameTap`] saw one endpoint send: frames by kind, the ones it destroyed, and
/// ECM frames sent again for a block (T.30 Annex A.4: after PPR).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameStats {
    /// ECM data frames (FCD) sent, counting each transmission.
    pub fcd_sent: u64,
    /// FCD transmissions destroyed on the line.
    pub fcd_destroyed: u64,
    /// FCD frames sent again for a block that had already been sent (after PPR).
    pub fcd_resent: u64,
    /// FCD frames sent again although the line had not destroyed their previous
    /// transmission (the far end lost them by itself, or asked for them without need).
    pub fcd_resent_unneeded: u64,
    /// Destroyed FCD frames of finished blocks that were never sent again. Frames of the
    /// block on the line when the call ended are not counted.
    pub fcd_never_resent: u64,
    /// The largest FCD data field seen, in octets: the frame size in use (64 or 256,
    /// T.30 Annex A.3.3; the last frame of a page may be shorter).
    pub fcd_largest: usize,
    /// RCP frames sent.
    pub rcp_sent: u64,
    /// V.21 control frames sent, by FCF.
    pub control: BTreeMap<Fcf, u32>,
    /// V.21 control frames destroyed.
    pub control_destroyed: u64,
    /// Frames chosen for destruction whose audio had already left the line's delay (not
    /// destroyed; a sign of a too-short delay).
    pub missed: u64,
}

impl FrameStats {
    /// How many control frames with this FCF were sent.
    pub fn count(&self, fcf: Fcf) -> u32 {
        self.control.get(&fcf).copied().unwrap_or(0)
    }
}

/// Collects the frames one receiver of a [`FrameTap`] finds: `Some(bytes)` for a good
/// frame, `None` for a damaged one.
struct TapFrames {
    deframer: HdlcDeframer,
    found: Vec<Option<Vec<u8>>>,
}

impl TapFrames {
    fn new() -> Self {
        TapFrames {
            deframer: HdlcDeframer::new(telefax_t30::frame::MAX_FRAME_LEN + 2),
            found: Vec::new(),
        }
    }
}

impl RxSink for TapFrames {
    fn put_bit(&mut self, bit: u8) {
        match self.deframer.put_bit(bit) {
            Some(HdlcEvent::Frame(f)) => self.found.push(Some(f.to_vec())),
            Some(HdlcEvent::BadFcs { .. }) => self.found.push(None),
            _ => {}
        }
    }
    fn status(&mut self, status: RxStatus) {
        if status == RxStatus::CarrierDown {
            self.deframer.reset();
        }
    }
}

/// Samples the tap's receivers are fed at a time: the time at which a frame ends is known to
/// this precision (1 ms).
const TAP_CHUNK: usize = 8;

/// A listener on one direction of the line that sees every HDLC frame the sending endpoint
/// puts on it and destroys the ones [`FrameLoss`] chooses (see there for where it acts).
///
/// Feed it each block the endpoint sends ([`FrameTap::watch`]), then let it damage the
/// delayed line audio of that direction ([`FrameTap::damage`]). [`Pair`] does both; the
/// spandsp interop harness uses it on its own line.
pub struct FrameTap {
    loss: FrameLoss,
    rng: u64,
    /// Samples watched so far.
    now: u64,
    v21: V21Rx,
    v21_frames: TapFrames,
    fast: Option<(FastModem, Box<AnyDemodulator>)>,
    fast_frames: TapFrames,
    /// Spans of watched-sample time to silence: (start, end).
    hits: Vec<(u64, u64)>,
    stats: FrameStats,
    /// FCD frame numbers of the transmission since the last PPS, with whether each was
    /// destroyed.
    burst: Vec<(u8, bool)>,
    /// The block (page, block counter) of the last PPS and its frames still destroyed.
    block: Option<(u8, u8)>,
    missing: BTreeSet<u8>,
}

impl core::fmt::Debug for FrameTap {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FrameTap")
            .field("loss", &self.loss)
            .field("now", &self.now)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// The modem kind of a T.30 high-speed mode.
fn modem_kind(m: FastModem) -> ModemKind {
    match m.modem() {
        Modem::V27ter => ModemKind::V27ter,
        Modem::V29 => ModemKind::V29,
        Modem::V17 => ModemKind::V17,
    }
}

/// How long after a frame's end in the sent audio the tap's receiver reports it, at most,
/// in samples (measured on clean audio with 1 ms chunks: V.17 up to 225, V.29 72,
/// V.27ter 120, V.21 280), plus a little.
fn tap_latency(kind: ModemKind) -> u64 {
    match kind {
        ModemKind::V17 => 240,
        ModemKind::V29 => 88,
        ModemKind::V27ter => 128,
        ModemKind::V21 => 296,
    }
}

impl FrameTap {
    /// A tap destroying frames as `loss` says (a default `FrameLoss` only counts).
    pub fn new(loss: FrameLoss) -> FrameTap {
        let mut rng = loss.seed ^ 0x9E37_79B9_7F4A_7C15;
        // splitmix64 once, so that nearby seeds give unrelated sequences.
        rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        FrameTap {
            loss,
            rng: (z ^ (z >> 31)) | 1,
            now: 0,
            v21: V21Rx::new(Channel::Channel2),
            v21_frames: TapFrames::new(),
            fast: None,
            fast_frames: TapFrames::new(),
            hits: Vec::new(),
            stats: FrameStats::default(),
            burst: Vec::new(),
            block: None,
            missing: BTreeSet::new(),
        }
    }

    /// What the tap has seen so far.
    pub fn stats(&self) -> &FrameStats {
        &self.stats
    }

    fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let u = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        u < p
    }

    /// Watch the next block of clean audio sent on this direction. The tap learns the
    /// high-speed modem from the DCS (and CTC) frames it sees the sender send, and listens
    /// for ECM frames on it while the DCS asks for ECM (T.30 Table 2 bit 27).
    pub fn watch(&mut self, tx: &[i16]) {
        for chunk in tx.chunks(TAP_CHUNK) {
            self.now += chunk.len() as u64;
            self.v21.demodulate(chunk, &mut self.v21_frames);
            if let Some((_, demod)) = self.fast.as_mut() {
                demod.demodulate(chunk, &mut self.fast_frames);
            }
            if !self.v21_frames.found.is_empty() {
                let found = core::mem::take(&mut self.v21_frames.found);
                for f in &found {
                    self.control_frame(f.as_deref());
                }
                self.v21_frames.found = found;
                self.v21_frames.found.clear();
            }
            if !self.fast_frames.found.is_empty() {
                let found = core::mem::take(&mut self.fast_frames.found);
                for f in &found {
                    self.fast_frame(f.as_deref());
                }
                self.fast_frames.found = found;
                self.fast_frames.found.clear();
            }
        }
    }

    /// Silence the chosen frames in `line`: the audio of this direction not yet delivered,
    /// whose last sample is the line's output for the last sample watched.
    pub fn damage(&mut self, line: &mut VecDeque<i16>) {
        let len = line.len() as u64;
        for (start, end) in self.hits.drain(..) {
            let back_start = self.now.saturating_sub(start);
            let back_end = self.now.saturating_sub(end);
            if back_start > len {
                self.stats.missed += 1;
                continue;
            }
            for i in (len - back_start)..(len - back_end) {
                line[i as usize] = 0;
            }
        }
    }

    /// Schedule silence over the last octets of a frame that ended (as the receiver of
    /// `kind` reported) at the current time, clear of its closing flag.
    fn hit(&mut self, kind: ModemKind, rate: u32) {
        let bit = 8000.0 / f64::from(rate.max(1));
        // Stay 16 bits clear of the closing flag, and silence 3 ms plus 24 bits (V.21: 8).
        let guard = (16.0 * bit) as u64;
        let width = if kind == ModemKind::V21 {
            (8.0 * bit) as u64
        } else {
            24 + (24.0 * bit) as u64
        };
        let end = self.now.saturating_sub(tap_latency(kind) + guard);
        self.hits.push((end.saturating_sub(width), end));
    }

    /// Listen for ECM frames on `modem` from now on (`None`: not at all).
    fn listen(&mut self, modem: Option<FastModem>) {
        let Some(m) = modem else {
            self.fast = None;
            return;
        };
        if self.fast.as_ref().is_some_and(|(f, _)| *f == m) {
            return;
        }
        let kind = modem_kind(m);
        let opts = RxOptions {
            rate: m.bit_rate(),
            short_train: kind == ModemKind::V17,
        };
        self.fast = AnyDemodulator::new(kind, &opts)
            .ok()
            .map(|d| (m, Box::new(d)));
    }

    fn control_frame(&mut self, bytes: Option<&[u8]>) {
        let Some(frame) = bytes.and_then(|b| Frame::parse(b).ok()) else {
            return;
        };
        *self.stats.control.entry(frame.fcf).or_insert(0) += 1;
        match &frame.payload {
            Payload::Capabilities(c) if frame.fcf == Fcf::Dcs => {
                self.listen(c.modem().filter(|_| c.ecm()));
            }
            Payload::Ctc(c) => {
                if let Some(m) = c.modem() {
                    self.listen(Some(m));
                }
            }
            _ => {}
        }
        if self.chance(self.loss.control_p) {
            self.stats.control_destroyed += 1;
            self.hit(ModemKind::V21, 300);
        }
        if let Payload::Pps(pps) = &frame.payload {
            // The block just sent (or sent again) is closed by this PPS.
            let key = (pps.page, pps.block);
            let burst = core::mem::take(&mut self.burst);
            if self.block == Some(key) {
                for &(n, destroyed) in &burst {
                    self.stats.fcd_resent += 1;
                    if !self.missing.remove(&n) {
                        self.stats.fcd_resent_unneeded += 1;
                    }
                    if destroyed {
                        self.missing.insert(n);
                    }
                }
            } else {
                self.stats.fcd_never_resent += self.missing.len() as u64;
                self.missing.clear();
                self.missing
                    .extend(burst.iter().filter(|(_, d)| *d).map(|(n, _)| *n));
                self.block = Some(key);
            }
        }
    }

    fn fast_frame(&mut self, bytes: Option<&[u8]>) {
        let Some(frame) = bytes.and_then(|b| Frame::parse(b).ok()) else {
            return;
        };
        let Some((modem, _)) = self.fast.as_ref() else {
            return;
        };
        let (kind, rate) = (modem_kind(*modem), modem.bit_rate());
        match frame.payload {
            Payload::Fcd(fcd) => {
                let destroyed = self.chance(self.loss.ecm_p);
                if destroyed {
                    self.hit(kind, rate);
                }
                self.stats.fcd_sent += 1;
                self.stats.fcd_largest = self.stats.fcd_largest.max(fcd.data.len());
                self.stats.fcd_destroyed += u64::from(destroyed);
                self.burst.push((fcd.number, destroyed));
            }
            _ => {
                if frame.fcf == Fcf::Rcp {
                    self.stats.rcp_sent += 1;
                }
            }
        }
    }
}
