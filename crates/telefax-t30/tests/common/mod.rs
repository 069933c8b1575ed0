//! `Pair`: two T.30 sessions joined by a simulated line that carries V.21 frames, tones
//! and high-speed transmissions with their real durations, with fault injection.
#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use telefax_t30::capabilities::{FastModem, Modem};
use telefax_t30::fcf::Fcf;
use telefax_t30::frame::Frame;
use telefax_t30::session::{
    timing::{ms, SampleTime},
    CallResult, Carrier, Command, Config, Event, ModemEvent, PageQuality, ReceivedPage, Session,
    Training, TxData,
};

/// Rewrites a V.21 frame on the line.
pub type FrameMap = Box<dyn FnMut(&FrameCtx, Frame) -> Frame>;

/// A test's predicate on events.
pub type EventPredicate = Box<dyn FnMut(&Event) -> bool>;

/// Which endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The calling terminal.
    A,
    /// The answering terminal.
    B,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// What happens to a V.21 frame on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameFate {
    Deliver,
    Drop,
    /// Delivered with a bad FCS.
    Corrupt,
    /// Delivered this many samples late.
    Delay(SampleTime),
}

/// What happens to a high-speed transmission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FastFate {
    Deliver,
    /// Nothing reaches the receiver.
    Drop,
    /// The receiver fails to train.
    FailTraining,
    /// Every n-th octet is hit (non-zero in TCF).
    Noisy(usize),
}

/// Context for a frame fault decision.
#[derive(Debug, Clone)]
pub struct FrameCtx {
    pub from: Side,
    pub fcf: Fcf,
    /// How many frames with this FCF this side sent before (0 for the first).
    pub nth: usize,
    pub at: SampleTime,
}

/// Context for a fast transmission fault decision.
#[derive(Debug, Clone)]
pub struct FastCtx {
    pub from: Side,
    pub modem: FastModem,
    pub tcf: bool,
    /// How many TCFs (or pages) this side sent before.
    pub nth: usize,
}

#[derive(Debug, Clone)]
enum Delivery {
    Frame(Frame),
    BadFrame,
    Modem(ModemEvent),
    FastStart { id: u64, modem: FastModem },
    Data { id: u64, data: Vec<u8> },
    FastEnd { id: u64, tcf: bool },
    Quality { id: u64 },
    FastFrame { id: u64, frame: Frame },
    TxDone,
}

#[derive(Debug)]
struct Scheduled {
    at: SampleTime,
    seq: u64,
    to: Side,
    what: Delivery,
}

impl PartialEq for Scheduled {
    fn eq(&self, o: &Self) -> bool {
        (self.at, self.seq) == (o.at, o.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.at, self.seq).cmp(&(o.at, o.seq))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Listen {
    Nothing,
    V21,
    Fast(FastModem),
}

/// A transmission on the line, for timing checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Transmission {
    pub from: Side,
    pub start: SampleTime,
    pub end: SampleTime,
    pub what: String,
}

pub struct Endpoint {
    pub session: Session,
    listen: Listen,
    accepted_fast: Option<u64>,
    pub events: Vec<(SampleTime, Event)>,
    pub commands: Vec<(SampleTime, Command)>,
    pub sent_frames: Vec<(SampleTime, Frame)>,
    /// Pages this endpoint transmits when asked (index → coded bytes).
    pub pages: Vec<Vec<u8>>,
    /// Quality the receiver's "T.4 decoder" reports for the n-th received page attempt.
    pub quality: Box<dyn FnMut(usize) -> PageQuality>,
    rx_pages_started: usize,
    fast_sent: [usize; 2],
    frame_counts: Vec<(Fcf, usize)>,
    pub ended: Option<(SampleTime, CallResult)>,
}

pub struct Pair {
    pub now: SampleTime,
    pub a: Endpoint,
    pub b: Endpoint,
    queue: BinaryHeap<Reverse<Scheduled>>,
    seq: u64,
    next_id: u64,
    pub frame_fault: Box<dyn FnMut(&FrameCtx) -> FrameFate>,
    pub fast_fault: Box<dyn FnMut(&FastCtx) -> FastFate>,
    pub line: Vec<Transmission>,
    /// One-way line delay.
    pub delay: SampleTime,
    /// Frames the test injects: (time, to, frame).
    pub injections: Vec<(SampleTime, Side, Frame)>,
    /// Abort this side's session right after it emits a matching event.
    pub abort_when: Option<(Side, EventPredicate)>,
    /// Never report the end of a high-speed carrier (a demodulator without squelch).
    pub no_carrier_down: bool,
    /// ECM: whether to destroy a high-speed HDLC frame (FCD/RCP) on the line.
    pub fast_frame_fault: Box<dyn FnMut(&FastFrameCtx) -> bool>,
    /// Replace a V.21 frame on the line (after `frame_fault` let it through).
    pub frame_map: FrameMap,
}

/// Context for an ECM frame fault decision.
#[derive(Debug, Clone)]
pub struct FastFrameCtx {
    pub from: Side,
    pub fcf: Fcf,
    /// FCD frame number (0 for RCP).
    pub number: u8,
    /// How many ECM transmissions (blocks or retransmissions) this side made before.
    pub burst: usize,
    /// Running count of high-speed frames this side sent before.
    pub seq: usize,
}

/// Synthetic coded page: distinctive data without 11-zero runs, then MH RTC (6 × EOL).
pub fn page_bytes(index: usize, len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len)
        .map(|i| 0x55 ^ ((i as u8).wrapping_mul(7).wrapping_add(index as u8) & 0x22) | 0x11)
        .collect();
    // RTC: six times 000000000001, LSB-first bit packing.
    let mut bits = Vec::new();
    for _ in 0..6 {
        bits.extend(std::iter::repeat_n(0u8, 11));
        bits.push(1);
    }
    while bits.len() % 8 != 0 {
        bits.push(0);
    }
    for c in bits.chunks(8) {
        v.push(c.iter().enumerate().fold(0, |a, (i, b)| a | (b << i)));
    }
    v
}

/// Training durations (approximate, from V.17/V.29/V.27 ter).
pub fn training_samples(modem: FastModem, training: Training) -> SampleTime {
    match (modem.modem(), training) {
        (Modem::V17, Training::Long) => ms(1393),
        (Modem::V17, Training::Short) => ms(142),
        (Modem::V29, _) => ms(253),
        (Modem::V27ter, _) => {
            if modem.bit_rate() == 4800 {
                ms(708)
            } else {
                ms(943)
            }
        }
    }
}

fn v21_samples(bits: u64) -> SampleTime {
    bits * 8000 / 300
}

impl Endpoint {
    fn new(cfg: Config, pages: usize) -> Endpoint {
        Endpoint {
            session: Session::new(cfg),
            listen: Listen::Nothing,
            accepted_fast: None,
            events: Vec::new(),
            commands: Vec::new(),
            sent_frames: Vec::new(),
            pages: (0..pages).map(|i| page_bytes(i, 1500 + 100 * i)).collect(),
            quality: Box::new(|_| PageQuality {
                rows: 1100,
                bad_rows: 0,
                longest_bad_run: 0,
            }),
            rx_pages_started: 0,
            fast_sent: [0, 0],
            frame_counts: Vec::new(),
            ended: None,
        }
    }

    pub fn received_pages(&self) -> Vec<&ReceivedPage> {
        self.events
            .iter()
            .filter_map(|(_, e)| match e {
                Event::PageReceived(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    pub fn result(&self) -> &CallResult {
        &self.ended.as_ref().expect("call did not end").1
    }

    pub fn end_time(&self) -> SampleTime {
        self.ended.as_ref().expect("call did not end").0
    }

    pub fn sent_fcfs(&self) -> Vec<Fcf> {
        self.sent_frames.iter().map(|(_, f)| f.fcf).collect()
    }

    pub fn count_sent(&self, fcf: Fcf) -> usize {
        self.sent_frames
            .iter()
            .filter(|(_, f)| f.fcf == fcf)
            .count()
    }

    pub fn has_event(&self, pred: impl Fn(&Event) -> bool) -> bool {
        self.events.iter().any(|(_, e)| pred(e))
    }
}

impl Pair {
    /// A caller `a` and an answerer `b`; each has `pages` synthetic pages to send if asked.
    pub fn new(a: Config, b: Config, pages: usize) -> Pair {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_test_writer()
            .try_init();
        Pair {
            now: 0,
            a: Endpoint::new(a, pages),
            b: Endpoint::new(b, pages),
            queue: BinaryHeap::new(),
            seq: 0,
            next_id: 1,
            frame_fault: Box::new(|_| FrameFate::Deliver),
            fast_fault: Box::new(|_| FastFate::Deliver),
            line: Vec::new(),
            delay: ms(10),
            injections: Vec::new(),
            abort_when: None,
            no_carrier_down: false,
            fast_frame_fault: Box::new(|_| false),
            frame_map: Box::new(|_, f| f),
        }
    }

    fn ep(&mut self, s: Side) -> &mut Endpoint {
        match s {
            Side::A => &mut self.a,
            Side::B => &mut self.b,
        }
    }

    fn push(&mut self, at: SampleTime, to: Side, what: Delivery) {
        self.seq += 1;
        self.queue.push(Reverse(Scheduled {
            at,
            seq: self.seq,
            to,
            what,
        }));
    }

    /// Start both sessions and run until both ended or `limit` samples passed.
    pub fn run(&mut self, limit: SampleTime) {
        for ep in [&mut self.a, &mut self.b] {
            for (i, pg) in ep.pages.iter().enumerate() {
                ep.session.set_page_data(i as u32, pg.clone());
            }
        }
        self.a.session.start(0).unwrap();
        self.b.session.start(0).unwrap();
        self.drain(Side::A);
        self.drain(Side::B);
        let mut injections = std::mem::take(&mut self.injections);
        injections.sort_by_key(|i| i.0);
        let mut inj = injections.into_iter().peekable();
        let mut steps = 0u64;
        loop {
            steps += 1;
            assert!(steps < 1_000_000, "simulation runaway");
            if self.a.ended.is_some() && self.b.ended.is_some() {
                break;
            }
            let mut next = self.queue.peek().map(|r| r.0.at);
            for s in [Side::A, Side::B] {
                if let Some(t) = self.ep(s).session.poll_timeout() {
                    next = Some(next.map_or(t, |n| n.min(t)));
                }
            }
            if let Some(&(t, _, _)) = inj.peek() {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
            let Some(t) = next else { break };
            if t > limit {
                break;
            }
            self.now = self.now.max(t);
            if let Some(&(t, _, _)) = inj.peek() {
                if t <= self.now {
                    let (_, to, f) = inj.next().unwrap();
                    let now = self.now;
                    self.ep(to).session.handle_frame(now, f);
                    self.drain(to);
                    continue;
                }
            }
            if self.queue.peek().is_some_and(|r| r.0.at <= self.now) {
                let Reverse(ev) = self.queue.pop().unwrap();
                self.deliver(ev.to, ev.what);
                self.drain(ev.to);
                continue;
            }
            for s in [Side::A, Side::B] {
                let now = self.now;
                if self.ep(s).session.poll_timeout().is_some_and(|t| t <= now) {
                    self.ep(s).session.handle_timeout(now);
                    self.drain(s);
                }
            }
        }
    }

    fn deliver(&mut self, to: Side, what: Delivery) {
        let now = self.now;
        let ep = self.ep(to);
        match what {
            Delivery::TxDone => ep.session.handle_modem(now, ModemEvent::TxDone),
            Delivery::Frame(f) => {
                if ep.listen != Listen::Nothing {
                    ep.session.handle_frame(now, f);
                }
            }
            Delivery::BadFrame => {
                if ep.listen != Listen::Nothing {
                    ep.session.handle_bad_frame(now);
                }
            }
            Delivery::Modem(m) => {
                if ep.listen != Listen::Nothing {
                    ep.session.handle_modem(now, m);
                }
            }
            Delivery::FastStart { id, modem } => {
                if ep.listen == Listen::Fast(modem) {
                    ep.accepted_fast = Some(id);
                    ep.session
                        .handle_modem(now, ModemEvent::CarrierUp(Carrier::Fast));
                } else {
                    ep.accepted_fast = None;
                }
            }
            Delivery::Data { id, data } => {
                if ep.accepted_fast == Some(id) && matches!(ep.listen, Listen::Fast(_)) {
                    ep.session.handle_rx_data(now, &data);
                }
            }
            Delivery::FastFrame { id, frame } => {
                if ep.accepted_fast == Some(id) && matches!(ep.listen, Listen::Fast(_)) {
                    ep.session.handle_fast_frame(now, frame);
                }
            }
            Delivery::Quality { id } => {
                if ep.accepted_fast == Some(id) && matches!(ep.listen, Listen::Fast(_)) {
                    let q = (ep.quality)(ep.rx_pages_started);
                    ep.rx_pages_started += 1;
                    ep.session.handle_page_quality(now, q);
                }
            }
            Delivery::FastEnd { id, tcf: _ } => {
                if self.no_carrier_down {
                    return;
                }
                let ep = self.ep(to);
                if ep.accepted_fast == Some(id) && matches!(ep.listen, Listen::Fast(_)) {
                    ep.accepted_fast = None;
                    ep.session
                        .handle_modem(now, ModemEvent::CarrierDown(Carrier::Fast));
                }
            }
        }
    }

    fn drain(&mut self, s: Side) {
        let now = self.now;
        loop {
            let ep = self.ep(s);
            if let Some(ev) = ep.session.poll_event() {
                if let Event::Ended(r) = &ev {
                    ep.ended = Some((now, *r));
                }
                let hit = match &mut self.abort_when {
                    Some((side, pred)) if *side == s => pred(&ev),
                    _ => false,
                };
                let ep = self.ep(s);
                ep.events.push((now, ev));
                if hit {
                    self.abort_when = None;
                    self.ep(s).session.abort(now);
                }
                continue;
            }
            let Some(cmd) = ep.session.poll_command() else {
                break;
            };
            ep.commands.push((now, cmd.clone()));
            self.execute(s, cmd);
        }
    }

    fn execute(&mut self, s: Side, cmd: Command) {
        let now = self.now;
        let d = self.delay;
        let to = s.other();
        match cmd {
            Command::ListenV21 => self.ep(s).listen = Listen::V21,
            Command::ListenFast { modem, .. } => self.ep(s).listen = Listen::Fast(modem),
            Command::StartCng => self.ep(s).listen = Listen::V21,
            Command::HangUp => self.ep(s).listen = Listen::Nothing,
            Command::SendTone { duration_ms, .. } => {
                self.ep(s).listen = Listen::Nothing;
                let end = now + ms(u64::from(duration_ms));
                self.line.push(Transmission {
                    from: s,
                    start: now,
                    end,
                    what: "tone".into(),
                });
                self.push(end, s, Delivery::TxDone);
            }
            Command::SendFrames {
                frames,
                preamble_flags,
            } => {
                self.ep(s).listen = Listen::Nothing;
                let mut t = now + v21_samples(u64::from(preamble_flags) * 8);
                self.push(
                    now + d,
                    to,
                    Delivery::Modem(ModemEvent::CarrierUp(Carrier::V21)),
                );
                let names: Vec<&str> = frames.iter().map(|f| f.name()).collect();
                for f in frames {
                    let bits = (f.to_bytes().len() as u64 + 2) * 8 + 8;
                    t += v21_samples(bits);
                    let ep = self.ep(s);
                    let nth = match ep.frame_counts.iter_mut().find(|(c, _)| *c == f.fcf) {
                        Some((_, n)) => {
                            *n += 1;
                            *n - 1
                        }
                        None => {
                            ep.frame_counts.push((f.fcf, 1));
                            0
                        }
                    };
                    ep.sent_frames.push((now, f.clone()));
                    let ctx = FrameCtx {
                        from: s,
                        fcf: f.fcf,
                        nth,
                        at: now,
                    };
                    match (self.frame_fault)(&ctx) {
                        FrameFate::Deliver => {
                            let f = (self.frame_map)(&ctx, f);
                            self.push(t + d, to, Delivery::Frame(f))
                        }
                        FrameFate::Drop => {}
                        FrameFate::Corrupt => self.push(t + d, to, Delivery::BadFrame),
                        FrameFate::Delay(x) => {
                            let f = (self.frame_map)(&ctx, f);
                            self.push(t + d + x, to, Delivery::Frame(f))
                        }
                    }
                }
                let end = t + v21_samples(8);
                self.push(
                    end + d,
                    to,
                    Delivery::Modem(ModemEvent::CarrierDown(Carrier::V21)),
                );
                self.line.push(Transmission {
                    from: s,
                    start: now,
                    end,
                    what: names.join("+"),
                });
                self.push(end, s, Delivery::TxDone);
            }
            Command::StartTx {
                modem,
                training,
                data,
            } => {
                self.ep(s).listen = Listen::Nothing;
                if let TxData::Frames(frames) = data {
                    self.send_fast_frames(s, modem, training, frames);
                    return;
                }
                let (mut bytes, tcf) = match data {
                    TxData::Tcf { octets } => (vec![0u8; octets as usize], true),
                    TxData::Frames(_) => unreachable!(),
                    TxData::Page { index } => (
                        self.ep(s)
                            .pages
                            .get(index as usize)
                            .cloned()
                            .unwrap_or_else(|| page_bytes(index as usize, 1000)),
                        false,
                    ),
                };
                let ep = self.ep(s);
                let k = usize::from(!tcf);
                let nth = ep.fast_sent[k];
                ep.fast_sent[k] += 1;
                let fate = (self.fast_fault)(&FastCtx {
                    from: s,
                    modem,
                    tcf,
                    nth,
                });
                let train = training_samples(modem, training);
                let dur = bytes.len() as u64 * 8 * 8000 / u64::from(modem.bit_rate());
                let end = now + train + dur + ms(10);
                self.line.push(Transmission {
                    from: s,
                    start: now,
                    end,
                    what: if tcf {
                        format!("TCF {modem}")
                    } else {
                        format!("page {modem}")
                    },
                });
                self.push(end, s, Delivery::TxDone);
                let id = self.next_id;
                self.next_id += 1;
                match fate {
                    FastFate::Drop => return,
                    FastFate::FailTraining => {
                        self.push(now + d, to, Delivery::FastStart { id, modem });
                        self.push(
                            now + d + train,
                            to,
                            Delivery::Modem(ModemEvent::TrainingFailed),
                        );
                        self.push(end + d, to, Delivery::FastEnd { id, tcf });
                        return;
                    }
                    FastFate::Noisy(n) => {
                        for (i, b) in bytes.iter_mut().enumerate() {
                            if i % n.max(1) == 0 {
                                *b ^= 0x24;
                            }
                        }
                    }
                    FastFate::Deliver => {}
                }
                self.push(now + d, to, Delivery::FastStart { id, modem });
                self.push(
                    now + d + train,
                    to,
                    Delivery::Modem(ModemEvent::TrainingSucceeded { quality_db: None }),
                );
                let chunks = 8usize;
                let n = bytes.len();
                for c in 0..chunks {
                    let lo = n * c / chunks;
                    let hi = n * (c + 1) / chunks;
                    let t = now + d + train + dur * (c as u64 + 1) / chunks as u64;
                    if !tcf && c + 1 == chunks {
                        // The receiver's T.4 decoder reports the page's quality as it
                        // reaches RTC, i.e. with the last data.
                        self.push(t, to, Delivery::Quality { id });
                    }
                    self.push(
                        t,
                        to,
                        Delivery::Data {
                            id,
                            data: bytes[lo..hi].to_vec(),
                        },
                    );
                }
                self.push(end + d, to, Delivery::FastEnd { id, tcf });
            }
            // Command is non_exhaustive-safe: anything new is ignored by the harness.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
}

impl Pair {
    fn send_fast_frames(
        &mut self,
        s: Side,
        modem: FastModem,
        training: Training,
        frames: Vec<Frame>,
    ) {
        let now = self.now;
        let d = self.delay;
        let to = s.other();
        self.ep(s).listen = Listen::Nothing;
        let ep = self.ep(s);
        let burst = ep.fast_sent[1];
        ep.fast_sent[1] += 1;
        let fate = (self.fast_fault)(&FastCtx {
            from: s,
            modem,
            tcf: false,
            nth: burst,
        });
        let train = training_samples(modem, training);
        let rate = u64::from(modem.bit_rate());
        let id = self.next_id;
        self.next_id += 1;
        let mut t = now + train;
        let deliver = fate == FastFate::Deliver;
        if fate != FastFate::Drop {
            self.push(now + d, to, Delivery::FastStart { id, modem });
            let ev = if fate == FastFate::FailTraining {
                ModemEvent::TrainingFailed
            } else {
                ModemEvent::TrainingSucceeded { quality_db: None }
            };
            self.push(now + d + train, to, Delivery::Modem(ev));
        }
        let n = frames.len();
        for (i, f) in frames.into_iter().enumerate() {
            let bits = (f.to_bytes().len() as u64 + 2) * 8 + 8;
            t += bits * 8000 / rate;
            let number = match &f.payload {
                telefax_t30::frame::Payload::Fcd(x) => x.number,
                _ => 0,
            };
            let ep = self.ep(s);
            let seq = ep.fast_sent[0];
            ep.fast_sent[0] += 1;
            let _ = i;
            let destroyed = (self.fast_frame_fault)(&FastFrameCtx {
                from: s,
                fcf: f.fcf,
                number,
                burst,
                seq,
            });
            if deliver && !destroyed {
                self.push(t + d, to, Delivery::FastFrame { id, frame: f });
            }
        }
        let _ = n;
        let end = t + ms(10);
        self.line.push(Transmission {
            from: s,
            start: now,
            end,
            what: format!("ECM {modem}"),
        });
        self.push(end, s, Delivery::TxDone);
        if fate != FastFate::Drop {
            self.push(end + d, to, Delivery::FastEnd { id, tcf: false });
        }
    }
}

/// Convenience: configs for a normal send from A (caller) to B (answerer).
pub fn send_configs(pages: u32) -> (Config, Config) {
    use telefax_t30::session::{Job, Role, SendJob};
    let mut a = Config::new(Role::Calling, Job::Send(SendJob::pages(pages)));
    a.local_identity = "+1 555 0100".into();
    let mut b = Config::new(Role::Answering, Job::Receive);
    b.local_identity = "+1 555 0199".into();
    (a, b)
}

/// Ten simulated minutes.
pub const LIMIT: SampleTime = 10 * 60 * 8000;
