//! HDLC framing for T.30 (ITU-T T.30 §5.3.1, ISO/IEC 13239): flags, zero-bit insertion,
//! FCS, aborts.
//!
//! - [`HdlcFramer`] is a [`BitSource`]: queue frames (without FCS) and a modulator pulls the
//!   line bits, starting with a preamble of flags (T.30 §5.3.1: 1 s ± 15 % of flags before
//!   the first frame), with the FCS appended and zero bits inserted after five ones.
//! - [`HdlcDeframer`] takes received bits one at a time and reports good frames, frames with
//!   a bad FCS, aborts and over-long frames separately; a frame whose FCS does not check is
//!   never delivered as good. [`HdlcReceiver`] wraps it as an [`RxSink`] for a demodulator.
//!
//! Bits go LSB first; the FCS is CRC-16/ITU-T (X.25, ISO 13239 §4.2.5: polynomial
//! x¹⁶+x¹²+x⁵+1, preset to ones, complemented), sent low octet first. Neither side allocates
//! after construction.
//!
//! ```
//! use telefax_modem::hdlc::{FramerConfig, HdlcDeframer, HdlcEvent, HdlcFramer};
//! use telefax_modem::BitSource;
//! let mut tx = HdlcFramer::new(FramerConfig { preamble_flags: 4, ..FramerConfig::default() }).unwrap();
//! tx.queue_frame(&[0xFF, 0x13, 0x80, 0x00]).unwrap();
//! tx.finish();
//! let mut rx = HdlcDeframer::new(256);
//! let mut got = Vec::new();
//! while let Some(bit) = tx.next_bit() {
//!     if let Some(HdlcEvent::Frame(f)) = rx.put_bit(bit) {
//!         got.push(f.to_vec());
//!     }
//! }
//! assert_eq!(got, vec![vec![0xFF, 0x13, 0x80, 0x00]]);
//! ```
use std::collections::VecDeque;

use crate::{BitSource, ModemError, RxSink, RxStatus};

/// The HDLC flag octet `01111110` (ISO 13239 §4.2.1).
pub const FLAG: u8 = 0x7E;

/// The FCS algorithm: CRC-16/ITU-T as used by HDLC (ISO 13239 §4.2.5.1).
pub const FCS: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_IBM_SDLC);

/// Default largest frame (octets, without FCS): an ECM frame is 4 + 256 octets (T.30 §A.3).
pub const DEFAULT_MAX_FRAME: usize = 512;

/// Number of flags lasting `seconds` at `bit_rate` (rounded up), e.g. the T.30 preamble
/// (T.30 §5.3.1: 1 s ± 15 %) at 300 bit/s is 38 flags.
pub fn flags_for(bit_rate: u32, seconds: f32) -> usize {
    ((bit_rate as f32 * seconds) / 8.0).ceil().max(1.0) as usize
}

/// Framer settings.
#[derive(Debug, Clone, PartialEq)]
pub struct FramerConfig {
    /// Flags before the first frame (T.30 §5.3.1: 1 s; 38 at 300 bit/s).
    pub preamble_flags: usize,
    /// Flags between frames, at least 1 (the closing flag of one frame opens the next).
    pub interframe_flags: usize,
    /// Extra flags after the last frame's closing flag, before the end of the bits.
    pub closing_flags: usize,
    /// Largest frame accepted by [`HdlcFramer::queue_frame`], in octets without FCS.
    pub max_frame_len: usize,
    /// Most frames queued at once.
    pub queue_frames: usize,
    /// Most octets queued at once.
    pub queue_bytes: usize,
}

impl Default for FramerConfig {
    fn default() -> Self {
        Self {
            preamble_flags: flags_for(300, 1.0),
            interframe_flags: 1,
            closing_flags: 1,
            max_frame_len: DEFAULT_MAX_FRAME,
            queue_frames: 16,
            queue_bytes: 8 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxState {
    Preamble(usize),
    Between,
    Frame { left: usize },
    Fcs(u8),
    Gap(usize),
    Abort(u8),
    Closing(usize),
    Done,
}

/// HDLC transmitter: a [`BitSource`] of flags, stuffed frames and FCS.
///
/// While no frame is queued it sends flags (time fill, T.30 §5.3.1); after [`finish`] it ends
/// the bit stream once the queue is empty and the closing flags are out.
///
/// [`finish`]: HdlcFramer::finish
#[derive(Debug, Clone)]
pub struct HdlcFramer {
    cfg: FramerConfig,
    bytes: VecDeque<u8>,
    lens: VecDeque<usize>,
    state: TxState,
    fcs: [u8; 2],
    finishing: bool,
    cur: u8,
    bits_left: u8,
    stuffing: bool,
    ones: u8,
    pending_zero: bool,
    frames_sent: u64,
}

impl HdlcFramer {
    /// A framer with `cfg`.
    pub fn new(cfg: FramerConfig) -> Result<Self, ModemError> {
        if cfg.interframe_flags == 0 {
            return Err(ModemError::InvalidOption {
                name: "interframe_flags",
                reason: "must be at least 1",
            });
        }
        if cfg.max_frame_len == 0 || cfg.queue_frames == 0 || cfg.queue_bytes < cfg.max_frame_len {
            return Err(ModemError::InvalidOption {
                name: "queue_bytes",
                reason: "need max_frame_len >= 1, queue_frames >= 1, queue_bytes >= max_frame_len",
            });
        }
        Ok(Self {
            bytes: VecDeque::with_capacity(cfg.queue_bytes),
            lens: VecDeque::with_capacity(cfg.queue_frames),
            state: TxState::Preamble(cfg.preamble_flags),
            cfg,
            fcs: [0; 2],
            finishing: false,
            cur: 0,
            bits_left: 0,
            stuffing: false,
            ones: 0,
            pending_zero: false,
            frames_sent: 0,
        })
    }

    /// Queue a frame (address, control, information; the FCS is added here).
    pub fn queue_frame(&mut self, frame: &[u8]) -> Result<(), ModemError> {
        if frame.is_empty() {
            return Err(ModemError::HdlcFrameEmpty);
        }
        if frame.len() > self.cfg.max_frame_len {
            return Err(ModemError::HdlcFrameTooLong {
                len: frame.len(),
                max: self.cfg.max_frame_len,
            });
        }
        if self.lens.len() >= self.cfg.queue_frames
            || self.bytes.len() + frame.len() > self.cfg.queue_bytes
        {
            return Err(ModemError::HdlcQueueFull {
                queued: self.lens.len(),
                bytes: self.bytes.len(),
            });
        }
        self.bytes.extend(frame.iter().copied());
        self.lens.push_back(frame.len());
        if self.state == TxState::Done {
            self.state = TxState::Between;
        }
        self.finishing = false;
        Ok(())
    }

    /// End the transmission once the queue is empty: closing flags, then `None`.
    pub fn finish(&mut self) {
        self.finishing = true;
    }

    /// Abort the frame being sent (ISO 13239 §4.2.4: seven or more ones), then continue.
    pub fn abort(&mut self) {
        if let TxState::Frame { left } = self.state {
            for _ in 0..left {
                self.bytes.pop_front();
            }
            self.state = TxState::Abort(2);
        } else if let TxState::Fcs(_) = self.state {
            self.state = TxState::Abort(2);
        }
    }

    /// Frames waiting (including one being sent).
    pub fn queued_frames(&self) -> usize {
        self.lens.len() + matches!(self.state, TxState::Frame { .. } | TxState::Fcs(_)) as usize
    }

    /// Frames completely sent.
    pub fn frames_sent(&self) -> u64 {
        self.frames_sent
    }

    /// Whether the preamble is still being sent.
    pub fn in_preamble(&self) -> bool {
        matches!(self.state, TxState::Preamble(_))
    }

    /// Whether the bit stream has ended.
    pub fn is_done(&self) -> bool {
        self.state == TxState::Done
    }

    /// Forget everything queued and start again with a preamble.
    pub fn reset(&mut self) {
        self.bytes.clear();
        self.lens.clear();
        self.state = TxState::Preamble(self.cfg.preamble_flags);
        self.finishing = false;
        self.bits_left = 0;
        self.ones = 0;
        self.pending_zero = false;
    }

    /// The next octet and whether it is stuffed, or `None` at the end.
    fn next_byte(&mut self) -> Option<(u8, bool)> {
        loop {
            match self.state {
                TxState::Preamble(n) => {
                    if n > 0 {
                        self.state = TxState::Preamble(n - 1);
                        return Some((FLAG, false));
                    }
                    self.state = TxState::Between;
                }
                TxState::Between => {
                    if let Some(len) = self.lens.pop_front() {
                        let (a, b) = self.bytes.as_slices();
                        let mut d = FCS.digest();
                        if a.len() >= len {
                            d.update(&a[..len]);
                        } else {
                            d.update(a);
                            d.update(&b[..len - a.len()]);
                        }
                        self.fcs = d.finalize().to_le_bytes();
                        tracing::debug!(len, "HDLC tx frame");
                        self.state = TxState::Frame { left: len };
                    } else if self.finishing {
                        self.state = TxState::Closing(self.cfg.closing_flags);
                    } else {
                        return Some((FLAG, false));
                    }
                }
                TxState::Frame { left } => {
                    if left > 0 {
                        self.state = TxState::Frame { left: left - 1 };
                        return self.bytes.pop_front().map(|b| (b, true));
                    }
                    self.state = TxState::Fcs(0);
                }
                TxState::Fcs(i) => {
                    if i < 2 {
                        self.state = TxState::Fcs(i + 1);
                        return Some((self.fcs[i as usize], true));
                    }
                    self.frames_sent += 1;
                    self.state = TxState::Gap(self.cfg.interframe_flags);
                }
                TxState::Gap(n) => {
                    if n > 0 {
                        self.state = TxState::Gap(n - 1);
                        return Some((FLAG, false));
                    }
                    self.state = TxState::Between;
                }
                TxState::Abort(n) => {
                    if n > 0 {
                        self.state = TxState::Abort(n - 1);
                        return Some((0xFF, false));
                    }
                    self.state = TxState::Gap(self.cfg.interframe_flags);
                }
                TxState::Closing(n) => {
                    if n > 0 {
                        self.state = TxState::Closing(n - 1);
                        return Some((FLAG, false));
                    }
                    self.state = TxState::Done;
                }
                TxState::Done => return None,
            }
        }
    }
}

impl BitSource for HdlcFramer {
    fn next_bit(&mut self) -> Option<u8> {
        if self.pending_zero {
            self.pending_zero = false;
            self.ones = 0;
            return Some(0);
        }
        if self.bits_left == 0 {
            let (b, stuffing) = self.next_byte()?;
            self.cur = b;
            self.bits_left = 8;
            self.stuffing = stuffing;
            if !stuffing {
                self.ones = 0;
            }
        }
        let bit = self.cur & 1;
        self.cur >>= 1;
        self.bits_left -= 1;
        if self.stuffing {
            if bit == 1 {
                self.ones += 1;
                if self.ones == 5 {
                    self.pending_zero = true;
                }
            } else {
                self.ones = 0;
            }
        }
        Some(bit)
    }
}

/// What the deframer found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HdlcEvent<'a> {
    /// A frame whose FCS checks: address, control and information octets (FCS removed).
    Frame(&'a [u8]),
    /// A frame whose FCS does not check, or whose length is not a whole number of octets.
    BadFcs {
        /// Octets received, including the FCS.
        len: usize,
    },
    /// An abort (seven or more ones) inside a frame.
    Abort {
        /// Octets received before the abort.
        len: usize,
    },
    /// A frame longer than the deframer's limit; its bits were dropped until the next flag.
    TooLong {
        /// The limit that was exceeded (octets including FCS).
        limit: usize,
    },
}

/// Counts kept by the deframer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeframerStats {
    /// Flags seen.
    pub flags: u64,
    /// Good frames delivered.
    pub good: u64,
    /// Frames with a bad FCS or misaligned length.
    pub bad_fcs: u64,
    /// Aborts inside frames.
    pub aborts: u64,
    /// Over-long frames.
    pub too_long: u64,
    /// Fragments between flags too short to be a frame (ignored).
    pub runts: u64,
}

/// Shortest frame reported (octets including FCS): one octet plus FCS.
pub const MIN_FRAME_WITH_FCS: usize = 3;

/// HDLC receiver: bits in, frames out (see [`HdlcEvent`]). Robust to any bit stream.
#[derive(Debug, Clone)]
pub struct HdlcDeframer {
    buf: Box<[u8]>,
    len: usize,
    acc: u8,
    nbits: u8,
    ones: u8,
    in_frame: bool,
    stats: DeframerStats,
    /// Octets (FCS included) of the last octet-aligned frame closed by a flag.
    last_len: usize,
}

impl HdlcDeframer {
    /// A deframer for frames of up to `max_frame_len` octets (without FCS; at least 1).
    pub fn new(max_frame_len: usize) -> Self {
        Self {
            buf: vec![0; max_frame_len.max(1) + 2].into_boxed_slice(),
            len: 0,
            acc: 0,
            nbits: 0,
            ones: 0,
            in_frame: false,
            stats: DeframerStats::default(),
            last_len: 0,
        }
    }

    /// The octets, FCS included, of the frame the last [`HdlcEvent::Frame`] or
    /// [`HdlcEvent::BadFcs`] reported, while no further bit has been pushed; empty when that
    /// frame was not a whole number of octets. For receivers that show damaged frames too
    /// (a passive call decoder reports T.30 frames with a bad FCS, T.30 §5.3.7).
    pub fn last_frame(&self) -> &[u8] {
        &self.buf[..self.last_len]
    }

    /// The counts so far.
    pub fn stats(&self) -> DeframerStats {
        self.stats
    }

    /// Whether a flag has been seen and a frame may be in progress.
    pub fn in_frame(&self) -> bool {
        self.in_frame
    }

    /// Drop any partial frame and hunt for a flag (e.g. on carrier loss).
    pub fn reset(&mut self) {
        self.in_frame = false;
        self.ones = 0;
        self.clear();
    }

    fn clear(&mut self) {
        self.len = 0;
        self.acc = 0;
        self.nbits = 0;
    }

    /// Push one data bit; returns `false` on overflow.
    #[inline]
    fn push(&mut self, bit: u8) -> bool {
        self.acc |= bit << self.nbits;
        self.nbits += 1;
        if self.nbits == 8 {
            if self.len == self.buf.len() {
                return false;
            }
            self.buf[self.len] = self.acc;
            self.len += 1;
            self.acc = 0;
            self.nbits = 0;
        }
        true
    }

    /// Process one received bit (0 or 1; other values use the low bit).
    pub fn put_bit(&mut self, bit: u8) -> Option<HdlcEvent<'_>> {
        if bit & 1 == 1 {
            self.ones = self.ones.saturating_add(1);
            if self.ones == 7 && self.in_frame {
                self.in_frame = false;
                let len = self.len;
                let had_data = len > 0 || self.nbits > 1;
                self.clear();
                if had_data {
                    self.stats.aborts += 1;
                    tracing::debug!(len, "HDLC abort");
                    return Some(HdlcEvent::Abort { len });
                }
            }
            return None;
        }
        let ones = self.ones;
        self.ones = 0;
        if ones >= 7 {
            return None;
        }
        if ones == 6 {
            self.stats.flags += 1;
            let was_in_frame = self.in_frame;
            self.in_frame = true;
            if was_in_frame {
                return self.end_frame();
            }
            self.clear();
            return None;
        }
        if !self.in_frame {
            return None;
        }
        for _ in 0..ones {
            if !self.push(1) {
                return self.overflow();
            }
        }
        if ones != 5 && !self.push(0) {
            return self.overflow();
        }
        None
    }

    /// Close the frame at a flag. The counters restart now; the bytes stay in the buffer,
    /// borrowed by the returned event, until the next bit overwrites them.
    fn end_frame(&mut self) -> Option<HdlcEvent<'_>> {
        // The flag's leading zero was taken as data: a whole frame leaves exactly one bit.
        let len = self.len;
        let nbits = self.nbits;
        self.len = 0;
        self.acc = 0;
        self.nbits = 0;
        self.last_len = if nbits == 1 { len } else { 0 };
        if len < MIN_FRAME_WITH_FCS {
            if len > 0 || nbits > 1 {
                self.stats.runts += 1;
            }
            return None;
        }
        if nbits != 1 {
            self.stats.bad_fcs += 1;
            tracing::debug!(len, "HDLC frame not octet aligned");
            return Some(HdlcEvent::BadFcs { len });
        }
        let body = &self.buf[..len - 2];
        let fcs = u16::from_le_bytes([self.buf[len - 2], self.buf[len - 1]]);
        if FCS.checksum(body) == fcs {
            self.stats.good += 1;
            tracing::debug!(len = len - 2, "HDLC good frame");
            Some(HdlcEvent::Frame(body))
        } else {
            self.stats.bad_fcs += 1;
            tracing::debug!(len, "HDLC bad FCS");
            Some(HdlcEvent::BadFcs { len })
        }
    }

    fn overflow(&mut self) -> Option<HdlcEvent<'_>> {
        self.in_frame = false;
        self.clear();
        self.stats.too_long += 1;
        tracing::debug!("HDLC frame too long");
        Some(HdlcEvent::TooLong {
            limit: self.buf.len(),
        })
    }
}

/// Receives deframed frames and the demodulator's status events.
pub trait HdlcSink {
    /// A deframer event.
    fn event(&mut self, event: HdlcEvent<'_>);
    /// A demodulator status event (carrier up/down, training).
    fn status(&mut self, _status: RxStatus) {}
}

impl<F: FnMut(HdlcEvent<'_>)> HdlcSink for F {
    fn event(&mut self, event: HdlcEvent<'_>) {
        self(event)
    }
}

/// An [`RxSink`] that deframes a demodulator's bits and hands frames to an [`HdlcSink`].
/// On carrier loss any partial frame is dropped.
#[derive(Debug, Clone)]
pub struct HdlcReceiver<S> {
    deframer: HdlcDeframer,
    sink: S,
}

impl<S: HdlcSink> HdlcReceiver<S> {
    /// A receiver for frames up to `max_frame_len` octets delivering to `sink`.
    pub fn new(max_frame_len: usize, sink: S) -> Self {
        Self {
            deframer: HdlcDeframer::new(max_frame_len),
            sink,
        }
    }
    /// The deframer (for its statistics).
    pub fn deframer(&self) -> &HdlcDeframer {
        &self.deframer
    }
    /// The sink.
    pub fn sink(&self) -> &S {
        &self.sink
    }
    /// The sink, mutably.
    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }
    /// Take the sink back.
    pub fn into_sink(self) -> S {
        self.sink
    }
}

impl<S: HdlcSink> RxSink for HdlcReceiver<S> {
    fn put_bit(&mut self, bit: u8) {
        if let Some(ev) = self.deframer.put_bit(bit) {
            self.sink.event(ev);
        }
    }
    fn status(&mut self, status: RxStatus) {
        if status == RxStatus::CarrierDown {
            self.deframer.reset();
        }
        self.sink.status(status);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames_through(tx: &mut HdlcFramer, rx: &mut HdlcDeframer) -> Vec<Result<Vec<u8>, String>> {
        let mut out = Vec::new();
        while let Some(bit) = tx.next_bit() {
            match rx.put_bit(bit) {
                Some(HdlcEvent::Frame(f)) => out.push(Ok(f.to_vec())),
                Some(e) => out.push(Err(format!("{e:?}"))),
                None => {}
            }
        }
        out
    }

    #[test]
    fn known_fcs() {
        // ISO 13239 / X.25 check value of "123456789" is 0x906E.
        assert_eq!(FCS.checksum(b"123456789"), 0x906E);
    }

    #[test]
    fn round_trip_worst_case_stuffing_and_long_frames() {
        let mut tx = HdlcFramer::new(FramerConfig::default()).unwrap();
        let frames: Vec<Vec<u8>> = vec![
            vec![0xFF; 300],
            vec![0x7E; 10],
            (0..=255u8).chain(0..4).collect(),
            vec![0x00],
            vec![0x3E, 0x7C, 0xF8],
        ];
        for f in &frames {
            tx.queue_frame(f).unwrap();
        }
        tx.finish();
        let mut rx = HdlcDeframer::new(512);
        let got = frames_through(&mut tx, &mut rx);
        assert_eq!(got, frames.into_iter().map(Ok).collect::<Vec<_>>());
        assert!(rx.stats().flags >= 38 + 5);
        assert!(tx.is_done());
    }

    #[test]
    fn preamble_is_one_second_of_flags() {
        let mut tx = HdlcFramer::new(FramerConfig::default()).unwrap();
        tx.queue_frame(&[1, 2, 3]).unwrap();
        let mut first_data = None;
        let mut ones = 0;
        for i in 0..1000 {
            let b = tx.next_bit().unwrap();
            ones = if b == 1 { ones + 1 } else { 0 };
            if !tx.in_preamble() && first_data.is_none() {
                first_data = Some(i);
            }
            assert!(ones <= 6);
        }
        let n = first_data.unwrap();
        // 38 flags = 304 bits = 1.013 s at 300 bit/s: within T.30's 1 s ± 15 %.
        assert!((255..=345).contains(&n), "{n}");
    }

    #[test]
    fn corrupted_frame_is_reported_bad_and_abort_detected() {
        let mut tx = HdlcFramer::new(FramerConfig {
            preamble_flags: 2,
            ..FramerConfig::default()
        })
        .unwrap();
        tx.queue_frame(&[0x12, 0x34, 0x56, 0x78]).unwrap();
        tx.finish();
        let mut bits: Vec<u8> = std::iter::from_fn(|| tx.next_bit()).collect();
        bits[16 + 10] ^= 1;
        let mut rx = HdlcDeframer::new(64);
        let mut evs = Vec::new();
        for &b in &bits {
            if let Some(e) = rx.put_bit(b) {
                evs.push(format!("{e:?}"));
            }
        }
        assert_eq!(evs.len(), 1);
        assert!(evs[0].starts_with("BadFcs"), "{evs:?}");
        // Abort
        let mut tx = HdlcFramer::new(FramerConfig {
            preamble_flags: 2,
            ..FramerConfig::default()
        })
        .unwrap();
        tx.queue_frame(&[0x55; 20]).unwrap();
        let mut rx = HdlcDeframer::new(64);
        let mut abort = false;
        for i in 0..200 {
            if i == 60 {
                tx.abort();
            }
            if let Some(HdlcEvent::Abort { .. }) = rx.put_bit(tx.next_bit().unwrap()) {
                abort = true;
            }
        }
        assert!(abort);
        assert_eq!(rx.stats().good, 0);
    }

    #[test]
    fn too_long_and_queue_limits() {
        let mut tx = HdlcFramer::new(FramerConfig {
            preamble_flags: 1,
            ..FramerConfig::default()
        })
        .unwrap();
        tx.queue_frame(&[0xA5; 100]).unwrap();
        tx.finish();
        let mut rx = HdlcDeframer::new(50);
        let got = frames_through(&mut tx, &mut rx);
        assert_eq!(got.len(), 1);
        assert!(got[0].as_ref().unwrap_err().starts_with("TooLong"));
        assert!(matches!(
            tx.queue_frame(&[0; 600]),
            Err(ModemError::HdlcFrameTooLong { len: 600, .. })
        ));
        assert!(matches!(
            tx.queue_frame(&[]),
            Err(ModemError::HdlcFrameEmpty)
        ));
        let mut small = HdlcFramer::new(FramerConfig {
            queue_frames: 2,
            ..FramerConfig::default()
        })
        .unwrap();
        small.queue_frame(&[1]).unwrap();
        small.queue_frame(&[1]).unwrap();
        assert!(matches!(
            small.queue_frame(&[1]),
            Err(ModemError::HdlcQueueFull { queued: 2, .. })
        ));
    }

    #[test]
    fn last_frame_shows_the_octets_of_a_damaged_frame() {
        let frame = [0xFF, 0x13, 0x83, 0x00, 0x42];
        let mut tx = HdlcFramer::new(FramerConfig::default()).unwrap();
        tx.queue_frame(&frame).unwrap();
        tx.finish();
        let mut bits = Vec::new();
        while let Some(b) = tx.next_bit() {
            bits.push(b);
        }
        // Flip a bit of octet 3 (0x00): after the preamble flags, 0xFF, 0x13 and 0x83 (and
        // their stuffed zeros).
        let at = FramerConfig::default().preamble_flags * 8 + 8 + 1 + 16 + 2;
        bits[at] ^= 1;
        let mut rx = HdlcDeframer::new(64);
        let mut seen = None;
        for b in bits {
            if let Some(HdlcEvent::BadFcs { len }) = rx.put_bit(b) {
                seen = Some((len, rx.last_frame().to_vec()));
            }
        }
        let (len, octets) = seen.expect("a bad-FCS frame");
        assert_eq!(len, frame.len() + 2);
        assert_eq!(octets.len(), len);
        assert_eq!(&octets[..3], &frame[..3]);
        assert_eq!(octets[3].count_ones(), 1);
        assert_eq!(octets[4], frame[4]);
    }
}
