//! Two fax endpoints joined through the line simulator, stepped deterministically, as fast
//! as the CPU allows (the `Pair` of quinn-proto's tests, for fax calls).
//!
//! Each direction of the line is a [`LineSim`] (level, noise, frequency and clock offsets,
//! band limit, G.711, dropouts); a talker echo (each side hearing its own signal, as a
//! 2-wire/4-wire hybrid returns it) can be added on top.
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

use std::collections::VecDeque;

use telefax_dsp::line::{LineConfig, LineSim};
use telefax_dsp::DspError;
use telefax_t30::session::CallResult;

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
        self.out.clear();
        self.line_ba.process(&self.tx_b, &mut self.out);
        self.fifo_ba.extend(self.out.iter().copied());
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
        o
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
