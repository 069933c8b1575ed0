//! Error correction mode page assembly (T.4 Annex A, T.30 Annex A).
//!
//! In ECM the page is cut into partial pages ("blocks") of up to 256 frames. Each frame is an
//! HDLC frame over the high-speed modem: address, control, FCF [`FCD`](super::fcf::FCD), a
//! frame number octet, then 64 or 256 octets of coded page data (the first data bit of each
//! octet on the line is its least significant bit). After each burst the sender asks with PPS
//! (post-message, page counter, block counter, frame count - 1) whether the block arrived; the
//! receiver answers with PPR listing the frames it missed, and the sender retransmits those.
//!
//! A passive decoder sees the same bursts the receiver saw, possibly on two channels. This
//! assembler keeps every frame with a good FCS by its number, merges the retransmissions, and
//! gives back the page's coded bytes when its last block is complete (or, at the end of the
//! call, what it has, with the numbers of the frames it never saw).

use super::fcf;

/// Most frames in one partial page (T.4 Annex A: frame numbers are one octet).
pub const MAX_FRAMES: usize = 256;

/// A frame slot that was never received: (block counter, frame number).
pub type MissingFrame = (u8, u8);

/// One partial page being collected.
#[derive(Debug, Clone)]
struct Block {
    /// (page counter, block counter) from PPS, once seen.
    id: Option<(u8, u8)>,
    /// Number of frames announced by PPS.
    count: Option<usize>,
    frames: Vec<Option<Vec<u8>>>,
}

impl Block {
    fn new() -> Self {
        Block {
            id: None,
            count: None,
            frames: vec![None; MAX_FRAMES],
        }
    }
    fn is_empty(&self) -> bool {
        self.frames.iter().all(Option::is_none)
    }
    fn complete(&self) -> bool {
        self.count
            .is_some_and(|n| self.frames[..n].iter().all(Option::is_some))
    }
    /// Frames in order; stops at the announced count, or at the highest frame seen.
    fn data_into(&self, out: &mut Vec<u8>, missing: &mut Vec<MissingFrame>) {
        let n = self.count.unwrap_or_else(|| {
            self.frames
                .iter()
                .rposition(Option::is_some)
                .map_or(0, |p| p + 1)
        });
        let block_no = self.id.map_or(0, |(_, b)| b);
        for (i, f) in self.frames[..n].iter().enumerate() {
            match f {
                Some(d) => out.extend_from_slice(d),
                None => missing.push((block_no, i as u8)),
            }
        }
    }
}

/// A page whose ECM blocks have been put together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcmPage {
    /// The page counter from PPS (T.30 §A.4), if any PPS was heard.
    pub page_counter: Option<u8>,
    /// The coded page data, blocks and frames in order, first line bit = least significant bit
    /// of each octet.
    pub data: Vec<u8>,
    /// Frames that were never received with a good FCS.
    pub missing: Vec<MissingFrame>,
    /// Number of blocks (partial pages).
    pub blocks: usize,
    /// Number of FCD frames received with a good FCS, retransmissions and duplicates included.
    pub frames_received: usize,
    /// The post-message command that ended the page (MPS, EOP, EOM...), as an FCF octet.
    pub post_message: Option<u8>,
}

/// Collects FCD frames and PPS/EOR commands into pages.
#[derive(Debug, Clone)]
pub struct EcmAssembler {
    current: Block,
    done: Vec<Block>,
    frames_received: usize,
    /// (page, block) counters of the blocks of the last page handed over. The decoder may
    /// have every frame of a block the receiver asked for again with PPR (the two hear the
    /// line differently); the retransmission that follows carries nothing new.
    handed: Vec<(u8, u8)>,
}

impl Default for EcmAssembler {
    fn default() -> Self {
        Self::new()
    }
}

impl EcmAssembler {
    /// An empty assembler.
    pub fn new() -> Self {
        EcmAssembler {
            current: Block::new(),
            done: Vec::new(),
            frames_received: 0,
            handed: Vec::new(),
        }
    }

    /// A new DCS: page and block counters may start again (a new document after EOM,
    /// T.30 §5.3.6.1.3), so blocks handed over before no longer identify retransmissions.
    pub fn new_document(&mut self) {
        self.handed.clear();
    }

    /// Whether nothing has been collected for the current page.
    pub fn is_idle(&self) -> bool {
        self.current.is_empty() && self.done.is_empty()
    }

    /// Take a frame received over the high-speed modem (address, control, FCF, FIF; no FCS).
    /// Frames other than FCD (RCP, garbage) are ignored.
    pub fn fast_frame(&mut self, frame: &[u8]) {
        if frame.len() < 5 || frame[2] != fcf::FCD {
            return;
        }
        let no = frame[3] as usize;
        self.frames_received += 1;
        if self.current.frames[no].is_none() {
            self.current.frames[no] = Some(frame[4..].to_vec());
        }
    }

    /// Take a PPS command's information field (post-message FCF, page counter, block counter,
    /// frame count - 1; T.30 §A.4.1). Returns the page if this block completes it.
    pub fn pps(&mut self, fif: &[u8]) -> Option<EcmPage> {
        if fif.len() < 4 {
            return None;
        }
        let (pm, page, block) = (fif[0], fif[1], fif[2]);
        let count = fif[3] as usize + 1;
        if self.handed.contains(&(page, block)) {
            // Frames sent again after PPR for a page already handed over complete.
            self.frames_received = 0;
            self.current = Block::new();
            return None;
        }
        self.place(page, block, count);
        if self.current.is_empty() {
            // A repeated PPS for a block already handed over (its MCF was lost): nothing new.
            self.current = Block::new();
            return None;
        }
        if self.current.complete() {
            let end_of_page = fcf::strip_x(pm) != 0;
            let b = std::mem::replace(&mut self.current, Block::new());
            self.done.push(b);
            if end_of_page {
                return Some(self.take_page(Some(pm)));
            }
        }
        None
    }

    /// Take an EOR command's information field (post-message FCF): the sender gives up on the
    /// missing frames of this block (T.30 §A.4.4). Returns the page if it ends here.
    pub fn eor(&mut self, fif: &[u8]) -> Option<EcmPage> {
        let pm = *fif.first()?;
        let b = std::mem::replace(&mut self.current, Block::new());
        if !b.is_empty() || b.id.is_some() {
            self.done.push(b);
        }
        if fcf::strip_x(pm) != 0 {
            return Some(self.take_page(Some(pm)));
        }
        None
    }

    /// End of the call (or of the document): give back whatever was collected, with the
    /// missing frames listed, or `None` if nothing was.
    pub fn flush(&mut self) -> Option<EcmPage> {
        if self.is_idle() {
            return None;
        }
        let b = std::mem::replace(&mut self.current, Block::new());
        if !b.is_empty() {
            self.done.push(b);
        }
        Some(self.take_page(None))
    }

    /// Attach the identity and frame count announced by PPS to the frames collected, merging
    /// them into an earlier block of the same identity (a retransmission after PPR).
    fn place(&mut self, page: u8, block: u8, count: usize) {
        let id = Some((page, block));
        if self.current.id.is_some() && self.current.id != id {
            // A new block although the previous one never completed: keep it as it is.
            let b = std::mem::replace(&mut self.current, Block::new());
            self.done.push(b);
        }
        if let Some(pos) = self.done.iter().position(|b| b.id == id) {
            // Retransmission of a block we already closed (or its frames were put in the
            // current buffer after a PPR): merge into the current buffer.
            let old = self.done.remove(pos);
            for (slot, f) in self.current.frames.iter_mut().zip(old.frames) {
                if slot.is_none() {
                    *slot = f;
                }
            }
        }
        self.current.id = id;
        self.current.count = Some(count);
    }

    fn take_page(&mut self, post_message: Option<u8>) -> EcmPage {
        let blocks = std::mem::take(&mut self.done);
        self.handed.clear();
        self.handed.extend(blocks.iter().filter_map(|b| b.id));
        let mut data = Vec::new();
        let mut missing = Vec::new();
        for b in &blocks {
            b.data_into(&mut data, &mut missing);
        }
        let page = EcmPage {
            page_counter: blocks.iter().find_map(|b| b.id.map(|(p, _)| p)),
            data,
            missing,
            blocks: blocks.len(),
            frames_received: self.frames_received,
            post_message,
        };
        self.frames_received = 0;
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fcd(no: u8, fill: u8) -> Vec<u8> {
        let mut f = vec![0xFF, 0x03, fcf::FCD, no];
        f.extend(std::iter::repeat_n(fill, 4));
        f
    }

    #[test]
    fn complete_block_gives_page() {
        let mut a = EcmAssembler::new();
        for i in 0..3 {
            a.fast_frame(&fcd(i, i + 1));
        }
        let p = a.pps(&[fcf::EOP, 0, 0, 2]).expect("page");
        assert_eq!(p.data, [[1u8; 4], [2; 4], [3; 4]].concat());
        assert!(p.missing.is_empty());
        assert_eq!(p.post_message, Some(fcf::EOP));
        assert!(a.is_idle());
    }

    #[test]
    fn retransmission_after_ppr_fills_gaps() {
        let mut a = EcmAssembler::new();
        a.fast_frame(&fcd(0, 1));
        a.fast_frame(&fcd(2, 3));
        assert!(a.pps(&[fcf::MPS, 0, 0, 2]).is_none(), "frame 1 missing");
        // PPR, then the sender resends frame 1 and the same PPS.
        a.fast_frame(&fcd(1, 2));
        let p = a
            .pps(&[fcf::MPS, 0, 0, 2])
            .expect("page after retransmission");
        assert_eq!(p.data, [[1u8; 4], [2; 4], [3; 4]].concat());
        assert_eq!(p.blocks, 1);
    }

    #[test]
    fn retransmission_of_a_page_already_complete_gives_no_second_page() {
        // The decoder got every frame; the receiver missed some and asked again with PPR.
        let mut a = EcmAssembler::new();
        for n in 0..3 {
            a.fast_frame(&fcd(n, n));
        }
        let pps = [fcf::MPS, 0, 0, 2];
        assert!(a.pps(&pps).is_some());
        a.fast_frame(&fcd(1, 1));
        assert!(
            a.pps(&pps).is_none(),
            "the retransmission is not a new page"
        );
        // The next page is collected as usual.
        for n in 0..2 {
            a.fast_frame(&fcd(n, 9));
        }
        let p = a.pps(&[fcf::EOP, 1, 0, 1]).expect("next page");
        assert_eq!(p.page_counter, Some(1));
        // After a new DCS (another document) the counters may start again.
        a.new_document();
        a.fast_frame(&fcd(0, 5));
        assert!(a.pps(&[fcf::EOP, 0, 0, 0]).is_some());
    }

    #[test]
    fn two_blocks_and_flush_reports_missing() {
        let mut a = EcmAssembler::new();
        a.fast_frame(&fcd(0, 1));
        assert!(
            a.pps(&[0, 0, 0, 0]).is_none(),
            "PPS-NULL: block ends, page continues"
        );
        a.fast_frame(&fcd(1, 9));
        assert!(a.pps(&[fcf::EOP, 0, 1, 1]).is_none());
        let p = a.flush().expect("partial page");
        assert_eq!(p.blocks, 2);
        assert_eq!(p.missing, vec![(1, 0)]);
        assert_eq!(p.data, [[1u8; 4], [9; 4]].concat());
        assert!(a.flush().is_none());
    }

    #[test]
    fn ignores_non_fcd_and_short_frames() {
        let mut a = EcmAssembler::new();
        a.fast_frame(&[0xFF, 0x03, fcf::RCP]);
        a.fast_frame(&[0xFF, 0x03, fcf::FCD, 1]);
        assert!(a.is_idle());
        assert!(a.pps(&[1, 2]).is_none());
    }
}
