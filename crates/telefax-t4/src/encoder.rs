//! The streaming page encoder (T.4 §4.1, §4.2; T.6 §2).

use crate::bits::{BitWriter, FastBuf, FAST_BUF};
use crate::changes::{
    all_white, b1_sentinel, change_words, from_row, from_row_words, B1Entry, Lines, SENTINELS,
};
use crate::codes::{tables, Tables, EOL, EOL_BITS, MAX_MAKEUP, RTC_EOLS};
use crate::rowcode::{
    encode_1d, encode_1d_fast, encode_2d, encode_2d_cycles, encode_2d_dense, encode_2d_fast,
};
use crate::{Bitmap, Coding, EncodeOptions, T4Error, MAX_WIDTH};

/// Rows with at least one changing element per this many pixels go to the
/// dense 2-D loop ([`encode_2d_dense`]).
const DENSE_PIXELS_PER_CHANGE: u32 = 4;

/// [`encode_2d_dense`] leaves rows where more than one code in this many
/// is horizontal mode (ordered dither) to [`encode_2d`], whose branches
/// predict such regular rows well, for [`GATE_SKIP`] rows.
const GATE_HORIZONTAL: usize = 8;
/// Rows coded by [`encode_2d`] before the dense loop is tried again.
const GATE_SKIP: u32 = 128;

/// A dense row where fewer than one changing element in this many was
/// written in whole cycles by [`encode_2d_cycles`] (error diffusion, noise)
/// leaves the next [`CYCLES_SKIP`] such rows to [`encode_2d`].
const CYCLES_MIN_SHARE: usize = 8;
/// See [`CYCLES_MIN_SHARE`].
const CYCLES_SKIP: u32 = 16;

/// 1-D rows with this many changing elements or more are written by
/// [`encode_1d_fast`] (whose buffer costs more to set up than a few codes).
const FAST_1D_CHANGES: usize = 16;

/// 2-D rows with this many changing elements or more, but fewer than
/// dense rows have (text), are written by [`encode_2d_fast`]; the rows of
/// ordered dither that the gate leaves to the general loop keep the plain
/// bit writer (through the register writer they took 2 % more
/// instructions and measured 0.95-0.99x, its flush per code costing more
/// there than the plain writer's flush test).
const FAST_2D_CHANGES: usize = 16;

/// Streaming encoder for one page: rows in, coded bytes out.
///
/// Each [`Encoder::encode_row`] appends the row's code (and, for MH/MR,
/// the EOL before it, with fill bits for byte alignment and the minimum
/// scan-line time) to a caller's `Vec<u8>`; [`Encoder::finish`] adds RTC or
/// EOFB and the last partial byte. Nothing is allocated per row.
///
/// ```
/// use telefax_t4::{decode_page, Bitmap, Coding, DecodeOptions, EncodeOptions, Encoder};
///
/// let mut page = Bitmap::new(1728, 3);
/// page.set(100, 1, true);
/// let mut enc = Encoder::new(1728, EncodeOptions::new(Coding::Mmr)).unwrap();
/// let mut out = Vec::new();
/// for y in 0..3 {
///     enc.encode_row(page.row(y), &mut out).unwrap();
/// }
/// enc.finish(&mut out);
/// let (back, stats) = decode_page(&out, &DecodeOptions::new(Coding::Mmr, 1728)).unwrap();
/// assert_eq!(back, page);
/// assert_eq!(stats.end, telefax_t4::PageEnd::Eofb);
/// ```
#[derive(Debug, Clone)]
pub struct Encoder {
    width: u32,
    stride: usize,
    opts: EncodeOptions,
    t: &'static Tables,
    w: BitWriter,
    /// Reference line (`n_ref` changing elements, then sentinels) and
    /// coding line (`n_cur` changing elements).
    lines: Lines,
    n_ref: usize,
    n_cur: usize,
    /// Change bits of the reference line and of the coding line, 64
    /// pixels a word ([`from_row_words`]); which half is which flips with
    /// `lines`.
    words: Vec<u64>,
    words_flip: bool,
    /// The reference line's words are valid (it came from `encode_row`).
    ref_words: bool,
    /// For the coding line: where b1 is after each element (valid when
    /// `rank_ok`; see [`from_row_words`]).
    b1s: Vec<B1Entry>,
    rank_ok: bool,
    /// Rows left before the dense 2-D loop may be used again.
    gate_skip: u32,
    /// Rows with this many elements are dense ([`DENSE_PIXELS_PER_CHANGE`]);
    /// `usize::MAX` turns the dense loop off (tests, to compare).
    dense_min: usize,
    /// 1-D rows with at least this many elements go to [`encode_1d_fast`]
    /// ([`FAST_1D_CHANGES`]; `usize::MAX` turns it off, tests).
    fast_1d_min: usize,
    /// 2-D rows with at least this many elements go to [`encode_2d_fast`]
    /// ([`FAST_2D_CHANGES`]; `usize::MAX` turns it off, tests).
    fast_2d_min: usize,
    /// The byte buffer of [`encode_1d_fast`].
    buf: Box<FastBuf>,
    /// Horizontal-mode gate of the dense 2-D loop on (tests turn it off).
    gate: bool,
    /// Dense rows left before the cycle finder ([`encode_2d_cycles`]) is
    /// tried again.
    cycles_skip: u32,
    /// A white 2-D row under a white one is written as its one V0 code
    /// without [`encode_2d`] (tests turn it off, to compare).
    blank_v0: bool,
    /// What [`Encoder::encode_row`] writes for a white row under a white
    /// one, as `(bits, len)`: `blank[0]` for a 2-D row (EOL, MR tag bit,
    /// one V0 code, T.4 §4.2.1.3.2), `blank[1]` for a 1-D row (EOL, MR tag
    /// bit, make-up and terminating codes of one white run of `width`,
    /// §4.1.1), which it writes under any row. `len` 0 where the shortcut
    /// is off: fill options on, more than 32 bits, or tests.
    blank: [(u32, u32); 2],
    rows: u32,
    /// `rows % k` for MR (the row's place in its group of K, T.4
    /// §4.2.1.2); 0 for MH and MMR.
    phase: u32,
    /// Bit count where the current row's data began (after its EOL).
    row_start: u64,
    /// A row was written since the last EOL (it may need minimum-time fill).
    row_open: bool,
    finished: bool,
}

impl Encoder {
    /// An encoder for rows of `width` pixels. Fails on a width outside
    /// 1..=[`MAX_WIDTH`] or MR with K = 0.
    pub fn new(width: u32, opts: EncodeOptions) -> Result<Self, T4Error> {
        if width == 0 || width > MAX_WIDTH {
            return Err(T4Error::InvalidWidth { width });
        }
        if let Coding::Mr { k: 0 } = opts.coding {
            return Err(T4Error::InvalidK { k: 0 });
        }
        Ok(Encoder {
            width,
            stride: Bitmap::stride_for(width),
            t: tables(),
            w: BitWriter::new(opts.bit_order),
            lines: Lines::new(width),
            n_ref: 0,
            n_cur: 0,
            words: vec![0; 2 * width.div_ceil(64) as usize],
            words_flip: false,
            ref_words: true,
            b1s: vec![[0; 4]; width as usize + 2],
            rank_ok: false,
            gate_skip: 0,
            dense_min: ((width / DENSE_PIXELS_PER_CHANGE) as usize).max(16),
            fast_1d_min: FAST_1D_CHANGES,
            fast_2d_min: FAST_2D_CHANGES,
            buf: Box::new([0; FAST_BUF]),
            gate: true,
            cycles_skip: 0,
            blank_v0: true,
            blank: blank_codes(width, &opts),
            rows: 0,
            phase: 0,
            row_start: 0,
            row_open: false,
            finished: false,
            opts,
        })
    }

    /// Start a new page with the same width and options (no allocation).
    pub fn reset(&mut self) {
        self.w = BitWriter::new(self.opts.bit_order);
        self.n_ref = 0;
        self.words.fill(0);
        self.ref_words = true;
        self.gate_skip = 0;
        self.cycles_skip = 0;
        let (refc, _) = self.lines.split();
        refc[..SENTINELS].fill(self.width);
        self.rows = 0;
        self.phase = 0;
        self.row_start = 0;
        self.row_open = false;
        self.finished = false;
    }

    /// Row width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Rows encoded so far.
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// The options in use.
    pub fn options(&self) -> &EncodeOptions {
        &self.opts
    }

    /// Encode one packed row (at least `(width + 7) / 8` bytes; MSB-first,
    /// 1 = black; bits past `width` are ignored), appending bytes to `out`.
    ///
    /// A white row under a white one (most rows of a sparse page), or a
    /// white 1-D row under any row, is one precomputed code in one
    /// bit-writer call; this part is inlined into the caller's row loop.
    #[inline]
    pub fn encode_row(&mut self, row: &[u8], out: &mut Vec<u8>) -> Result<(), T4Error> {
        if let Some(row) = row.get(..self.stride) {
            // A 1-D row does not look at the reference line, so a white
            // one takes the shortcut under any row (T.4 §4.1.1).
            let one_d = self.one_d_row();
            if !self.finished && (self.n_ref == 0 || one_d) && all_white(row) {
                let (bits, len) = self.blank[usize::from(one_d)];
                if len != 0 {
                    self.w.put(out, bits, len);
                    if self.n_ref != 0 {
                        self.blank_under_black();
                    }
                    self.row_open = true;
                    self.next_row();
                    return Ok(());
                }
            }
        }
        self.encode_row_scan(row, out)
    }

    /// [`Encoder::encode_row`] for every row but the white ones it writes
    /// itself: the row's changing elements, then its code.
    #[inline(never)]
    fn encode_row_scan(&mut self, row: &[u8], out: &mut Vec<u8>) -> Result<(), T4Error> {
        if row.len() < self.stride {
            return Err(T4Error::RowLength {
                row: self.rows,
                expected: self.stride,
                got: row.len(),
                width: self.width,
            });
        }
        if self.finished {
            self.reset();
        }
        let row = &row[..self.stride];
        let width = self.width;
        // Dense rows come in runs (an image on the page): a dense reference
        // line makes a dense coding line likely, and the ranks serve the
        // dense 2-D loop only.
        let dense_ref = self.n_ref >= self.dense_min;
        if dense_ref {
            self.gate_skip = self.gate_skip.saturating_sub(1);
        }
        self.rank_ok = dense_ref
            && self.ref_words
            && self.gate_skip == 0
            && match self.opts.coding {
                Coding::Mh => false,
                Coding::Mr { .. } => self.phase != 0,
                Coding::Mmr => true,
            };
        let words_ok = if self.rank_ok {
            self.scan_ranked(row);
            true
        } else {
            let (_, cur) = self.lines.split();
            self.n_cur = from_row(row, width, cur);
            // The next row may need this row's change bits (not while the
            // gate keeps the dense loop off for it, and never in MH, which
            // has no 2-D rows).
            let dense = self.n_cur >= self.dense_min
                && self.gate_skip <= 1
                && self.opts.coding != Coding::Mh;
            if dense {
                self.keep_words(row);
            }
            dense
        };
        self.encode_cur(out);
        self.ref_words = words_ok;
        Ok(())
    }

    /// This row is coded 1-D (every MH row, each K-th MR row, T.4 §4.2.1.2).
    #[inline(always)]
    fn one_d_row(&self) -> bool {
        match self.opts.coding {
            Coding::Mh => true,
            Coding::Mr { .. } => self.phase == 0,
            Coding::Mmr => false,
        }
    }

    /// Count a row written (and its place in its MR group of K).
    #[inline(always)]
    fn next_row(&mut self) {
        self.rows += 1;
        if let Coding::Mr { k } = self.opts.coding {
            self.phase += 1;
            if self.phase >= k {
                self.phase = 0;
            }
            debug_assert_eq!(self.phase, self.rows % k);
        }
    }

    /// The state [`Encoder::encode_row`] leaves after a white row under a
    /// row with changes (which it wrote 1-D): the coding line, all white
    /// (its sentinels), becomes the reference line, and the gate counts the
    /// row as the general path would, so later rows choose their coder as
    /// before. Under a white row none of this changes anything.
    #[cold]
    #[inline(never)]
    fn blank_under_black(&mut self) {
        if self.n_ref >= self.dense_min {
            self.gate_skip = self.gate_skip.saturating_sub(1);
        }
        let (_, cur) = self.lines.split();
        cur[..SENTINELS].fill(self.width);
        self.n_cur = 0;
        self.n_ref = 0;
        self.rank_ok = false;
        self.ref_words = false;
        self.lines.swap();
        self.words_flip = !self.words_flip;
    }

    /// The coding line's elements, change bits and b1 entries
    /// ([`from_row_words`]) for the dense 2-D loop.
    #[inline(never)]
    fn scan_ranked(&mut self, row: &[u8]) {
        let width = self.width;
        let (refc, cur) = self.lines.split();
        let refc = &refc[..self.n_ref + SENTINELS];
        let nw = self.words.len() / 2;
        let (a, b) = self.words.split_at_mut(nw);
        let (ref_words, words) = if self.words_flip { (b, a) } else { (a, b) };
        self.n_cur = from_row_words::<true>(row, width, cur, words, ref_words, refc, &mut self.b1s);
        b1_sentinel(&mut self.b1s, self.n_cur, width);
    }

    /// Keep the coding line's change bits, for the next row's ranks.
    #[inline(never)]
    fn keep_words(&mut self, row: &[u8]) {
        let nw = self.words.len() / 2;
        let words = if self.words_flip {
            &mut self.words[..nw]
        } else {
            &mut self.words[nw..]
        };
        change_words(row, self.width, words);
    }

    /// Encode a row given as changing elements (strictly increasing
    /// positions < width), as produced by transcoding.
    pub(crate) fn encode_changes(&mut self, changes: &[u32], out: &mut Vec<u8>) {
        let n = changes.len().min(self.width as usize);
        let (_, cur) = self.lines.split();
        cur[..n].copy_from_slice(&changes[..n]);
        self.n_cur = n;
        self.rank_ok = false;
        self.encode_cur(out);
        self.ref_words = false;
    }

    fn encode_cur(&mut self, out: &mut Vec<u8>) {
        if self.finished {
            self.reset();
        }
        let n = self.n_cur;
        let width = self.width;
        let (_, cur) = self.lines.split();
        cur[n..n + SENTINELS].fill(width);
        let eol = self.opts.eol;
        // 1-D or 2-D for this row, after its EOL (and MR tag bit).
        let two_d = match self.opts.coding {
            Coding::Mh => {
                if eol {
                    self.put_eol(out, None);
                }
                false
            }
            Coding::Mr { .. } => {
                let one_d = self.phase == 0;
                if eol {
                    self.put_eol(out, Some(one_d));
                }
                !one_d
            }
            Coding::Mmr => true,
        };
        let (refc, cur) = self.lines.split();
        let cur = &cur[..n + SENTINELS];
        if two_d && n == 0 && self.n_ref == 0 && self.blank_v0 {
            // A white row under a white one (most rows of a sparse page):
            // a1 = b1 = the row end, one V0 code (T.4 §4.2.1.3.2).
            self.w.put(out, 1, 1);
        } else if two_d {
            let refc = &refc[..self.n_ref + SENTINELS];
            if self.rank_ok && n >= self.dense_min {
                let h = encode_2d_dense(&mut self.w, out, self.t, refc, &self.b1s[..=n]);
                if self.gate && h * GATE_HORIZONTAL > n {
                    self.gate_skip = GATE_SKIP;
                }
            } else if n >= self.fast_2d_min && n < self.dense_min {
                encode_2d_fast(
                    &mut self.w,
                    out,
                    self.t,
                    &mut self.buf,
                    self.width,
                    refc,
                    cur,
                );
            } else if n >= self.dense_min && self.cycles_skip == 0 {
                let real = (self.n_ref, n);
                let cycled =
                    encode_2d_cycles(&mut self.w, out, self.t, self.width, refc, cur, real);
                if cycled * CYCLES_MIN_SHARE < n {
                    self.cycles_skip = CYCLES_SKIP;
                }
            } else {
                if n >= self.dense_min {
                    self.cycles_skip = self.cycles_skip.saturating_sub(1);
                }
                encode_2d(&mut self.w, out, self.t, self.width, refc, cur);
            }
        } else {
            if n >= self.fast_1d_min {
                encode_1d_fast(
                    &mut self.w,
                    out,
                    self.t,
                    &mut self.buf,
                    self.width,
                    &cur[..n],
                );
            } else {
                encode_1d(&mut self.w, out, self.t, self.width, &cur[..n]);
            }
        }
        if self.opts.rows_byte_aligned {
            self.w.align(out);
        }
        self.row_open = true;
        self.lines.swap();
        self.words_flip = !self.words_flip;
        self.n_ref = self.n_cur;
        self.next_row();
    }

    /// EOL (T.4 §4.1.2) with the fill of §4.1.3 before it: minimum scan-line
    /// bits for the row that ends here, then byte alignment; then the MR tag
    /// bit (§4.2.1.3.4: 1 = next row 1-D).
    fn put_eol(&mut self, out: &mut Vec<u8>, tag: Option<bool>) {
        let tag_bits = u64::from(tag.is_some());
        if self.row_open && self.opts.min_row_bits > 0 {
            let used = self.w.total() - self.row_start + u64::from(EOL_BITS) + tag_bits;
            let min = u64::from(self.opts.min_row_bits);
            if used < min {
                self.w.zeros(out, min - used);
            }
        }
        if self.opts.byte_aligned_eol {
            let r = (self.w.total() + u64::from(EOL_BITS)) % 8;
            if r != 0 {
                self.w.zeros(out, 8 - r);
            }
        }
        self.w.put(out, EOL, EOL_BITS);
        if let Some(one_d) = tag {
            self.w.put(out, u32::from(one_d), 1);
        }
        self.row_start = self.w.total();
        self.row_open = false;
    }

    /// End the page: RTC (T.4 §4.1.4) or EOFB (T.6 §2.4.1.2) if
    /// `end_marker`, then pad the last byte with zeros. The next
    /// `encode_row` starts a new page.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.finished {
            return;
        }
        if self.opts.end_marker {
            match self.opts.coding {
                Coding::Mh => {
                    for _ in 0..RTC_EOLS {
                        self.put_eol(out, None);
                    }
                }
                Coding::Mr { .. } => {
                    for _ in 0..RTC_EOLS {
                        self.put_eol(out, Some(true));
                    }
                }
                Coding::Mmr => {
                    self.w.put(out, EOL, EOL_BITS);
                    self.w.put(out, EOL, EOL_BITS);
                }
            }
        }
        self.w.flush(out);
        self.finished = true;
    }
}

/// [`Encoder`]'s `blank` codes for `opts`: a white row under a white one
/// coded 2-D (`[0]`: one V0 code, T.4 §4.2.1.3.2) and a white row coded
/// 1-D (`[1]`: one white run of `width`, §4.1.1), each after its EOL and
/// MR tag bit, as `(bits, len)`; `len` 0 with fill options (minimum row
/// bits, byte-aligned EOLs or rows, §4.1.3) or if longer than 32 bits.
fn blank_codes(width: u32, opts: &EncodeOptions) -> [(u32, u32); 2] {
    if opts.min_row_bits != 0 || opts.byte_aligned_eol || opts.rows_byte_aligned {
        return [(0, 0); 2];
    }
    let white = white_run_code(width);
    let mut codes = [(0, 0); 2];
    for (one_d, slot) in [false, true].into_iter().zip(&mut codes) {
        let (code, code_len) = match (one_d, white) {
            (false, _) => (1, 1),
            (true, (_, 0)) => continue,
            (true, (bits, len)) => (u64::from(bits), len),
        };
        let (head, head_len) = match opts.coding {
            _ if !opts.eol => (0, 0),
            Coding::Mh => (u64::from(EOL), EOL_BITS),
            Coding::Mr { .. } => (u64::from(EOL << 1 | u32::from(one_d)), EOL_BITS + 1),
            Coding::Mmr => (0, 0),
        };
        let len = head_len + code_len;
        if len <= 32 {
            // Fits: len <= 32.
            *slot = ((head << code_len | code) as u32, len);
        }
    }
    codes
}

/// The 1-D code of a white run of `width` (T.4 §4.1.1: make-up codes,
/// then the terminating code) as `(bits, len)`, or `(0, 0)` if it is
/// longer than 32 bits.
fn white_run_code(width: u32) -> (u32, u32) {
    let t = tables();
    let mut codes = [t.term[0][0]; 4];
    let mut k = 0;
    let mut n = width;
    while n > MAX_MAKEUP && k < 2 {
        codes[k] = t.makeup[0][40];
        k += 1;
        n -= MAX_MAKEUP;
    }
    if n > MAX_MAKEUP {
        return (0, 0);
    }
    if n >= 64 {
        codes[k] = t.makeup[0][(n / 64) as usize];
        k += 1;
        n %= 64;
    }
    codes[k] = t.term[0][n as usize];
    let (mut bits, mut len) = (0u64, 0u32);
    for c in &codes[..=k] {
        bits = bits << c.len | u64::from(c.bits);
        len += c.len;
    }
    match u32::try_from(bits) {
        Ok(b) if len <= 32 => (b, len),
        _ => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testpages::{diffused_page, dithered_page, XorShift};
    use crate::{decode_page, BitOrder, DecodeOptions};

    /// Rows of every kind a page can mix: noise of random density (from
    /// one change in hundreds of pixels to nearly every pixel), all white,
    /// all black, long runs (make-up codes past 2560), copies of the row
    /// above with a few pixels flipped, and ordered dither and error
    /// diffusion.
    fn mixed_page(width: u32, height: u32, rng: &mut XorShift) -> Bitmap {
        let dith = dithered_page(width, height, rng.next_u64());
        let diff = diffused_page(width, height, rng.next_u64());
        let mut p = Bitmap::new(width, height);
        for y in 0..height {
            let kind = rng.below(9);
            for x in 0..width {
                let on = match kind {
                    0 => false,
                    1 => true,
                    2 => (x / 2600 + y) % 2 == 1 || x % 3001 < 2,
                    3 if y > 0 => p.get(x, y - 1) ^ (rng.below(64) == 0),
                    4 => dith.get(x, y),
                    5 => diff.get(x, y),
                    6 => rng.below(256) < 128,
                    7 => rng.below(256) < 24,
                    _ => (x + y) % 2 == 0 || rng.below(256) < 3,
                };
                p.set(x, y, on);
            }
        }
        p
    }

    fn encode(page: &Bitmap, opts: &EncodeOptions, fast: bool, changes_at: u32) -> Vec<u8> {
        let mut enc = Encoder::new(page.width, opts.clone()).unwrap();
        if !fast {
            enc.dense_min = usize::MAX;
            enc.fast_1d_min = usize::MAX;
            enc.fast_2d_min = usize::MAX;
            enc.blank_v0 = false;
            enc.blank = [(0, 0); 2];
        }
        // Every dense row through the dense loop, or the gate's choice.
        enc.gate = changes_at == 5;
        let mut out = Vec::new();
        let mut ch = vec![0u32; page.width as usize];
        for y in 0..page.height {
            if changes_at > 0 && y % changes_at == changes_at - 1 {
                // A row given as changing elements (transcoding): the next
                // row has no change words for its ranks.
                let n = crate::changes::from_row(page.row(y), page.width, &mut ch);
                enc.encode_changes(&ch[..n], &mut out);
            } else {
                enc.encode_row(page.row(y), &mut out).unwrap();
            }
        }
        enc.finish(&mut out);
        out
    }

    /// The dense-row paths (`encode_2d_dense` with ranks from
    /// `from_row_words`, the `FastBits` writer), the one-code white rows
    /// `encode_2d_fast` (2-D rows of 16 or more changes, fewer than dense)
    /// and `encode_row`'s white rows (a white row under a white one, or a
    /// white 1-D row, with its EOL and tag in one put) give exactly the
    /// bytes of the general row coders, for every coding, both bit orders,
    /// byte-aligned rows and EOLs, rows with and without EOLs, minimum row
    /// lengths, widths from 1 to 4864 and rows of every density; and the
    /// result decodes. (In the test profile `next_row` also checks the MR
    /// row phase against `rows % k`.)
    #[test]
    fn dense_paths_match_general_coders() {
        let mut rng = XorShift::new(77);
        let mut widths: Vec<u32> = (1..=70).chain([127, 128, 129, 191, 192, 193]).collect();
        widths.extend([255, 256, 257, 1000, 1728, 2048, 2432, 2623, 3456, 4864]);
        widths.extend((0..6).map(|_| 1 + rng.below(4864)));
        widths.push(MAX_WIDTH);
        let mut fast_bytes = 0usize;
        for (wi, &width) in widths.iter().enumerate() {
            let height = match width {
                0..=1000 => 12,
                1001..=5000 => 24,
                _ => 8,
            };
            let page = mixed_page(width, height, &mut rng);
            let coding = [
                Coding::Mh,
                Coding::Mr { k: 4 },
                Coding::Mmr,
                Coding::Mr { k: 2 },
            ][wi % 4];
            let mut opts = EncodeOptions::new(coding);
            if wi % 3 == 1 {
                opts.bit_order = BitOrder::LsbFirst;
                opts.byte_aligned_eol = true;
                opts.min_row_bits = 96;
            }
            if wi % 5 == 2 {
                opts.rows_byte_aligned = true;
            }
            if wi % 7 == 3 {
                // No EOLs: white rows are their bare code.
                opts.eol = false;
            }
            let changes_at = [0, 3, 5][wi % 3];
            let want = encode(&page, &opts, false, changes_at);
            let got = encode(&page, &opts, true, changes_at);
            assert_eq!(got, want, "width {width} {opts:?}");
            fast_bytes += got.len();
            if !opts.rows_byte_aligned && opts.eol {
                let dopts = DecodeOptions::new(coding, width).bit_order(opts.bit_order);
                let (back, _) = decode_page(&got, &dopts).unwrap();
                assert_eq!(back, page, "width {width} {opts:?}");
            }
        }
        assert!(fast_bytes > 100_000, "{fast_bytes}");
    }
}
