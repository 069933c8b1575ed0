//! Error correction mode buffers (T.30 Annex A): the transmitter's partial pages and the
//! receiver's frame map.

use crate::fcf::Fcf;
use crate::frame::{Fcd, Frame, Payload, Ppr};

/// Frames per partial page (block), T.30 Annex A.
pub const FRAMES_PER_BLOCK: usize = 256;
/// RCP frames sent after each block (T.30 Annex A.3.4: three).
pub const RCP_COUNT: usize = 3;
/// PPRs for one block before CTC or EOR (T.30 Annex A.4.4: the fourth PPR).
pub const PPR_LIMIT: u8 = 4;

/// The transmitter's view of the page being sent in ECM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EcmTx {
    pub data: Vec<u8>,
    pub frame_size: usize,
    /// Current block (partial page) within the page.
    pub block: u32,
    /// PPRs received for the current block.
    pub pprs: u8,
    /// Frames to send next: `None` for the whole block.
    pub resend: Option<Vec<u8>>,
}

impl EcmTx {
    pub fn new(data: Vec<u8>, frame_size: usize) -> EcmTx {
        EcmTx {
            data,
            frame_size: frame_size.max(1),
            block: 0,
            pprs: 0,
            resend: None,
        }
    }

    fn block_octets(&self) -> usize {
        self.frame_size * FRAMES_PER_BLOCK
    }

    /// Blocks in the page (at least one, even for an empty page).
    pub fn blocks(&self) -> u32 {
        self.data.len().div_ceil(self.block_octets()).max(1) as u32
    }

    pub fn is_last_block(&self) -> bool {
        self.block + 1 >= self.blocks()
    }

    /// The octets of frame `n` of the current block.
    fn frame_data(&self, n: usize) -> &[u8] {
        let start = self.block as usize * self.block_octets() + n * self.frame_size;
        let end = (start + self.frame_size).min(self.data.len());
        self.data.get(start..end).unwrap_or(&[])
    }

    /// Frames in the current block (1..=256).
    pub fn frames_in_block(&self) -> usize {
        let start = self.block as usize * self.block_octets();
        let left = self.data.len().saturating_sub(start);
        left.div_ceil(self.frame_size).clamp(1, FRAMES_PER_BLOCK)
    }

    /// The high-speed transmission for the current block: the FCD frames requested, then
    /// three RCPs.
    pub fn transmission(&self) -> Vec<Frame> {
        let numbers: Vec<u8> = match &self.resend {
            Some(v) => v.clone(),
            None => (0..self.frames_in_block()).map(|n| n as u8).collect(),
        };
        let mut frames: Vec<Frame> = numbers
            .iter()
            .map(|&n| {
                let mut data = self.frame_data(usize::from(n)).to_vec();
                if data.is_empty() {
                    data.push(0);
                }
                Frame::new(Fcf::Fcd, Payload::Fcd(Fcd { number: n, data })).with_final(false)
            })
            .collect();
        for _ in 0..RCP_COUNT {
            frames.push(Frame::simple(Fcf::Rcp).with_final(false));
        }
        frames
    }

    /// Take a PPR: the frames to send again (only those that exist in the block).
    pub fn take_ppr(&mut self, ppr: &Ppr) {
        let n = self.frames_in_block();
        let v: Vec<u8> = ppr
            .requested()
            .into_iter()
            .filter(|&f| usize::from(f) < n)
            .collect();
        self.pprs = self.pprs.saturating_add(1);
        self.resend = Some(if v.is_empty() {
            (0..n).map(|f| f as u8).collect()
        } else {
            v
        });
    }

    /// Move to the next block.
    pub fn next_block(&mut self) {
        self.block += 1;
        self.pprs = 0;
        self.resend = None;
    }
}

/// The receiver's frame map for the current block and the page assembled so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct EcmRx {
    slots: Vec<Option<Vec<u8>>>,
    pub page: Vec<u8>,
    /// (page, block) counters of the last block accepted, to recognise a repeated PPS.
    pub last_accepted: Option<(u8, u8)>,
    /// (page, block) counters of the block being received and the largest frame count a
    /// PPS gave for it.
    block_count: Option<((u8, u8), u16)>,
}

impl EcmRx {
    /// Store one FCD frame.
    pub fn put(&mut self, fcd: &Fcd) {
        if self.slots.is_empty() {
            self.slots = vec![None; FRAMES_PER_BLOCK];
        }
        self.slots[usize::from(fcd.number)] = Some(fcd.data.clone());
    }

    /// Whether any frame of the current block has arrived.
    pub fn has_frames(&self) -> bool {
        self.slots.iter().any(Option::is_some)
    }

    /// The number of frames of block `key` as its PPS frames told it: the largest count any
    /// PPS of that block gave. After PPR some senders (spandsp 0.0.6) count only the frames
    /// of the retransmission in the PPS that follows it, not those of the whole block
    /// (T.30 Annex A.4.3 leaves room for both readings); the block does not shrink.
    pub fn block_frames(&mut self, key: (u8, u8), count: u16) -> u16 {
        let count = match self.block_count {
            Some((k, c)) if k == key => c.max(count),
            _ => count,
        };
        self.block_count = Some((key, count));
        count
    }

    /// Frames of `0..count` still missing.
    pub fn missing(&self, count: u16) -> Vec<u8> {
        (0..count.min(FRAMES_PER_BLOCK as u16))
            .map(|n| n as u8)
            .filter(|&n| self.slots.get(usize::from(n)).is_none_or(|s| s.is_none()))
            .collect()
    }

    /// Append the block's frames `0..count` to the page (missing ones are skipped, as after
    /// EOR) and clear the map.
    pub fn accept_block(&mut self, count: u16) {
        let limit = usize::from(count.min(FRAMES_PER_BLOCK as u16));
        for s in self.slots.iter_mut().take(limit) {
            if let Some(d) = s.take() {
                self.page.extend_from_slice(&d);
            }
        }
        self.slots.clear();
        self.block_count = None;
    }

    /// Start a new page.
    pub fn take_page(&mut self) -> Vec<u8> {
        self.slots.clear();
        core::mem::take(&mut self.page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pps_after_ppr_does_not_shrink_the_block() {
        // spandsp 0.0.6 counts only the retransmitted frames in the PPS after PPR.
        let mut r = EcmRx::default();
        assert_eq!(r.block_frames((0, 0), 51), 51);
        assert_eq!(r.block_frames((0, 0), 6), 51);
        // A new block starts from its own count.
        assert_eq!(r.block_frames((0, 1), 6), 6);
        assert_eq!(r.block_frames((1, 0), 20), 20);
        // Once accepted, a block with the same counters (a page sent again) starts afresh.
        r.accept_block(20);
        assert_eq!(r.block_frames((1, 0), 7), 7);
    }

    #[test]
    fn blocks_and_frames_split_the_page() {
        let data: Vec<u8> = (0..(256 * 64 + 100)).map(|i| i as u8).collect();
        let mut t = EcmTx::new(data.clone(), 64);
        assert_eq!(t.blocks(), 2);
        assert_eq!(t.frames_in_block(), 256);
        let f = t.transmission();
        assert_eq!(f.len(), 256 + RCP_COUNT);
        t.next_block();
        assert!(t.is_last_block());
        assert_eq!(t.frames_in_block(), 2);
        let f = t.transmission();
        let Payload::Fcd(last) = &f[1].payload else {
            panic!()
        };
        assert_eq!(last.data.len(), 36);
        // Reassemble through the receiver.
        let mut r = EcmRx::default();
        let mut t = EcmTx::new(data.clone(), 64);
        for b in 0..2 {
            for fr in t.transmission() {
                if let Payload::Fcd(fcd) = &fr.payload {
                    r.put(fcd);
                }
            }
            let n = t.frames_in_block() as u16;
            assert!(r.missing(n).is_empty());
            r.accept_block(n);
            if b == 0 {
                t.next_block();
            }
        }
        assert_eq!(r.take_page(), data);
    }

    #[test]
    fn ppr_selects_only_requested_frames() {
        let mut t = EcmTx::new(vec![1; 256 * 10], 256);
        t.take_ppr(&Ppr::from_missing([2, 7, 200]));
        let f = t.transmission();
        assert_eq!(f.len(), 2 + RCP_COUNT);
        assert_eq!(t.pprs, 1);
    }
}
