//! The V.21 control channel and call tones as the endpoint uses them: HDLC frames out
//! (T.30 §5.3.1 preamble, then frames), HDLC frames in, CNG/CED (T.30 §5.2).

use telefax_modem::hdlc::{FramerConfig, HdlcDeframer, HdlcEvent, HdlcFramer, DEFAULT_MAX_FRAME};
use telefax_modem::tones::ToneGenerator;
use telefax_modem::{BitSource, RxSink, RxStatus};
use tracing::warn;

/// A transmission of T.30 frames: preamble flags, the frames, a closing flag.
pub(super) struct FrameTx {
    framer: HdlcFramer,
}

impl FrameTx {
    /// A transmission of these T.30 frames (address, control, FCF, FIF; the FCS is added),
    /// with the framer's queue sized for them (an ECM block holds up to 256, T.30 Annex A).
    pub(super) fn with_frames(preamble_flags: u16, frames: &[telefax_t30::Frame]) -> Self {
        let bytes: Vec<Vec<u8>> = frames.iter().map(|f| f.to_bytes()).collect();
        let mut tx = Self::new(
            preamble_flags,
            bytes.len(),
            bytes.iter().map(Vec::len).sum(),
        );
        for b in &bytes {
            tx.push(b);
        }
        tx
    }

    /// An empty transmission for `frames` frames of `octets` octets in all.
    fn new(preamble_flags: u16, frames: usize, octets: usize) -> Self {
        let cfg = FramerConfig {
            preamble_flags: usize::from(preamble_flags),
            queue_frames: frames.max(1),
            queue_bytes: octets.max(DEFAULT_MAX_FRAME),
            ..FramerConfig::default()
        };
        let framer = HdlcFramer::new(cfg).unwrap_or_else(|_| {
            // The configuration above is always valid; only a changed default could fail.
            HdlcFramer::new(FramerConfig::default()).expect("default HDLC framer config")
        });
        FrameTx { framer }
    }

    /// Queue one frame (address, control, FCF, FIF; the FCS is added).
    fn push(&mut self, frame: &[u8]) {
        if let Err(e) = self.framer.queue_frame(frame) {
            warn!(error = %e, "frame not sent");
        }
        self.framer.finish();
    }
}

impl BitSource for FrameTx {
    fn next_bit(&mut self) -> Option<u8> {
        self.framer.next_bit()
    }
}

/// A frame or a damaged frame found by the V.21 receiver.
pub(super) enum Received<'a> {
    /// Address, control, FCF and FIF of a frame whose FCS checked.
    Good(&'a [u8]),
    /// A frame with a bad FCS (or aborted): T.30 §5.4.2 asks for CRP or silence.
    Bad,
}

/// Collects HDLC frames from the V.21 demodulator during one block, in a reused buffer.
pub(super) struct FrameRx {
    deframer: HdlcDeframer,
    bytes: Vec<u8>,
    items: Vec<(usize, usize, bool)>,
}

impl FrameRx {
    pub(super) fn new() -> Self {
        FrameRx {
            deframer: HdlcDeframer::new(DEFAULT_MAX_FRAME),
            bytes: Vec::with_capacity(4 * DEFAULT_MAX_FRAME),
            items: Vec::with_capacity(8),
        }
    }

    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.items.clear();
    }

    /// Forget the frame in progress and the frames found: the next signal starts afresh
    /// (HDLC frames do not continue from one transmission into the next, T.30 §5.3.1 and
    /// Annex A.3).
    pub(super) fn reset(&mut self) {
        self.clear();
        self.deframer.reset();
    }

    pub(super) fn len(&self) -> usize {
        self.items.len()
    }

    pub(super) fn get(&self, i: usize) -> Received<'_> {
        let (start, len, good) = self.items[i];
        if good {
            Received::Good(&self.bytes[start..start + len])
        } else {
            Received::Bad
        }
    }
}

impl RxSink for FrameRx {
    fn put_bit(&mut self, bit: u8) {
        match self.deframer.put_bit(bit) {
            Some(HdlcEvent::Frame(f)) => {
                let start = self.bytes.len();
                self.bytes.extend_from_slice(f);
                self.items.push((start, f.len(), true));
            }
            Some(HdlcEvent::BadFcs { .. }) => self.items.push((0, 0, false)),
            _ => {}
        }
    }

    fn status(&mut self, status: RxStatus) {
        if status == RxStatus::CarrierDown {
            self.deframer.reset();
        }
    }
}

/// A call tone being played.
pub(super) struct ToneTx {
    gen: ToneGenerator,
    done: bool,
}

impl ToneTx {
    /// A single tone burst of `ms` milliseconds.
    pub(super) fn steady(hz: f32, level_dbm0: f32, ms: u32) -> Self {
        ToneTx {
            gen: ToneGenerator::custom(hz, level_dbm0, ms as f32 / 1000.0, 0.0, false),
            done: false,
        }
    }

    /// CNG with its cadence, endless (T.30 §5.2.2).
    pub(super) fn cng(level_dbm0: f32) -> Self {
        ToneTx {
            gen: ToneGenerator::cng(level_dbm0),
            done: false,
        }
    }

    pub(super) fn fill(&mut self, out: &mut [i16]) -> usize {
        let n = self.gen.fill(out);
        if n < out.len() {
            self.done = true;
        }
        n
    }

    pub(super) fn is_done(&self) -> bool {
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telefax_t30::{Fcf, Frame};

    /// The bits of one RCP transmission (T.30 Annex A.3.4), and the index of the bit that
    /// completes the frame at a receiver.
    fn rcp_bits() -> (Vec<u8>, usize) {
        let mut tx = FrameTx::with_frames(2, &[Frame::simple(Fcf::Rcp).with_final(false)]);
        let bits: Vec<u8> = core::iter::from_fn(|| tx.next_bit()).take(10_000).collect();
        let mut rx = FrameRx::new();
        let done = bits
            .iter()
            .position(|&b| {
                rx.put_bit(b);
                rx.len() > 0
            })
            .expect("the RCP frame is found");
        (bits, done)
    }

    fn flags(rx: &mut FrameRx) {
        for _ in 0..4 {
            for i in 0..8 {
                rx.put_bit((0x7e >> i) & 1);
            }
        }
    }

    #[test]
    fn a_frame_cut_off_before_its_closing_flag_is_void_after_reset() {
        let (bits, done) = rcp_bits();
        // Without reset, the flags of a later transmission close the old frame.
        let mut rx = FrameRx::new();
        bits[..done].iter().for_each(|&b| rx.put_bit(b));
        assert_eq!(rx.len(), 0);
        flags(&mut rx);
        assert!(matches!(rx.get(0), Received::Good(_)));
        // After reset (a new transmission), nothing is found.
        let mut rx = FrameRx::new();
        bits[..done].iter().for_each(|&b| rx.put_bit(b));
        rx.reset();
        flags(&mut rx);
        assert_eq!(rx.len(), 0);
        // And the deframer still finds the frames of the new transmission.
        bits.iter().for_each(|&b| rx.put_bit(b));
        assert_eq!(rx.len(), 1);
    }
}
