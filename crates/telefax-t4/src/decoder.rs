//! The streaming page decoder (T.4 §4.1, §4.2; T.6 §2).

use crate::bits::{BitReader, REVERSE};
use crate::changes::{to_row, Lines, SENTINELS};

/// Where decoded rows go: packed pixels, or changing elements.
pub(crate) trait RowOut {
    /// A good row, as changing elements; `pixels` is the row buffer to render into.
    fn good(&mut self, cur: &[u32], width: u32, pixels: &mut [u8]);
    /// A good row whose changes equal the reference line's, i.e. the row
    /// delivered last (a good row, a replacement of it, or white rows under
    /// a white reference line): `pixels` holds it rendered already. Text
    /// at fine resolution repeats most rows of its glyphs (a glyph pixel is
    /// two or more scan lines high).
    #[inline]
    fn repeat(&mut self, cur: &[u32], width: u32, pixels: &mut [u8]) {
        self.good(cur, width, pixels);
    }
    /// A repeated (replacement) row: the last good row's pixels and changes.
    fn bad(&mut self, pixels: &[u8], changes: &[u32]);
    /// `rows` good all-white rows in a row (blank parts of a page).
    #[inline]
    fn white(&mut self, rows: u32, width: u32, pixels: &mut [u8]) {
        for _ in 0..rows {
            self.good(&[], width, pixels);
        }
    }
}

pub(crate) struct Pixels<F>(pub F);

impl<F: FnMut(&[u8])> RowOut for Pixels<F> {
    #[inline]
    fn good(&mut self, cur: &[u32], width: u32, pixels: &mut [u8]) {
        to_row(cur, width, pixels);
        (self.0)(pixels);
    }
    #[inline]
    fn repeat(&mut self, _cur: &[u32], _width: u32, pixels: &mut [u8]) {
        (self.0)(pixels);
    }
    fn bad(&mut self, pixels: &[u8], _changes: &[u32]) {
        (self.0)(pixels);
    }
    #[inline]
    fn white(&mut self, rows: u32, _width: u32, pixels: &mut [u8]) {
        pixels.fill(0);
        for _ in 0..rows {
            (self.0)(pixels);
        }
    }
}

struct Changes<F>(F);

impl<F: FnMut(&[u32])> RowOut for Changes<F> {
    #[inline]
    fn good(&mut self, cur: &[u32], _width: u32, _pixels: &mut [u8]) {
        (self.0)(cur);
    }
    fn bad(&mut self, _pixels: &[u8], changes: &[u32]) {
        (self.0)(changes);
    }
}
use crate::codes::{tables, Tables, RTC_EOLS};
use crate::rowcode::{decode_1d, decode_2d, DenseGate, Stop};
use crate::{BitOrder, Coding, DecodeOptions, PageEnd, PageStats, Status, T4Error, MAX_WIDTH};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between rows: fill, EOLs or the next row's data.
    RowStart,
    /// After a damaged row: skipping to the next EOL.
    Resync,
    /// End marker seen, error, or finished.
    Done,
}

/// Streaming decoder for one page of MH, MR or MMR data.
///
/// Feed coded bytes in chunks of any size with [`Decoder::push`]; each
/// finished row is handed to a callback as packed bits (MSB-first, 1 =
/// black, `(width + 7) / 8` bytes). The decoder performs no I/O and, once
/// warmed up, allocates nothing per row.
///
/// Damaged MH/MR rows (a bad code, a row too long or too short, T.4 §4.1
/// line errors) are replaced by the previous good row; decoding resumes at
/// the next EOL, and after damage MR rows coded 2-D are replaced until the
/// next 1-D row. With EOLs present a row is delivered once the EOL after it
/// has been seen (or at [`Decoder::finish`]), so a row followed by garbage
/// is caught. MMR has no EOLs: a bad code ends the page
/// ([`PageEnd::MmrError`]).
///
/// ```
/// use telefax_t4::{Coding, DecodeOptions, Decoder, EncodeOptions, Encoder};
///
/// // Encode two rows of 16 pixels as MR, K = 2.
/// let mut enc = Encoder::new(16, EncodeOptions::new(Coding::Mr { k: 2 })).unwrap();
/// let mut coded = Vec::new();
/// enc.encode_row(&[0xF0, 0x0F], &mut coded).unwrap();
/// enc.encode_row(&[0x78, 0x0F], &mut coded).unwrap();
/// enc.finish(&mut coded);
///
/// // Decode, one byte at a time as from a modem.
/// let mut dec = Decoder::new(DecodeOptions::new(Coding::Mr { k: 2 }, 16)).unwrap();
/// let mut rows = Vec::new();
/// for b in &coded {
///     dec.push(&[*b], |row| rows.push(row.to_vec())).unwrap();
/// }
/// let stats = dec.finish(|row| rows.push(row.to_vec())).unwrap();
/// assert_eq!(rows, vec![vec![0xF0, 0x0F], vec![0x78, 0x0F]]);
/// assert_eq!(stats.end, telefax_t4::PageEnd::Rtc);
/// assert_eq!(stats.bad_rows, 0);
/// ```
#[derive(Debug)]
pub struct Decoder {
    opts: DecodeOptions,
    t: &'static Tables,
    /// Unconsumed input, MSB-first.
    buf: Vec<u8>,
    /// Bit position of the next unconsumed bit in `buf`.
    pos: usize,
    /// Bytes dropped from the front of `buf` so far.
    base: u64,
    state: State,
    /// Reference line (`n_ref` changing elements, then sentinels) and
    /// coding line (`n_cur` changing elements).
    lines: Lines,
    n_ref: usize,
    n_cur: usize,
    /// Last good row, packed (also the replacement for bad rows).
    good: Vec<u8>,
    stats: PageStats,
    bad_run: u32,
    eols: u32,
    /// EOLs seen: rows are confirmed by the EOL that follows them.
    eol_framing: bool,
    /// `cur` holds a decoded row waiting for its EOL; `pending_1d` its kind.
    pending: bool,
    pending_1d: bool,
    /// The tag bit of the last EOL asked for 2-D coding (MR).
    next_2d: bool,
    /// MR: a row was damaged; 2-D rows are unusable until the next 1-D row.
    damaged: bool,
    resync_zeros: usize,
    /// Where the repeated-code paths pay on this page (speed only).
    gate: DenseGate,
}

impl Decoder {
    /// A decoder for one page. Fails on a width outside 1..=[`MAX_WIDTH`],
    /// `max_rows == 0`.
    pub fn new(opts: DecodeOptions) -> Result<Self, T4Error> {
        if opts.width == 0 || opts.width > MAX_WIDTH {
            return Err(T4Error::InvalidWidth { width: opts.width });
        }
        if opts.max_rows == 0 {
            return Err(T4Error::InvalidMaxRows);
        }
        let stride = crate::Bitmap::stride_for(opts.width);
        Ok(Decoder {
            t: tables(),
            buf: Vec::new(),
            pos: 0,
            base: 0,
            state: State::RowStart,
            lines: Lines::new(opts.width),
            n_ref: 0,
            n_cur: 0,
            good: vec![0; stride],
            stats: PageStats::default(),
            bad_run: 0,
            eols: 0,
            eol_framing: false,
            pending: false,
            pending_1d: true,
            next_2d: false,
            damaged: false,
            resync_zeros: 0,
            gate: DenseGate::default(),
            opts,
        })
    }

    /// Get ready for the next page with the same options, keeping the
    /// buffers (no allocation). Unconsumed input is discarded.
    pub fn reset(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.base = 0;
        self.state = State::RowStart;
        self.lines.reset(self.opts.width);
        self.n_ref = 0;
        self.n_cur = 0;
        self.good.fill(0);
        self.stats = PageStats::default();
        self.bad_run = 0;
        self.eols = 0;
        self.eol_framing = false;
        self.pending = false;
        self.pending_1d = true;
        self.next_2d = false;
        self.damaged = false;
        self.resync_zeros = 0;
        self.gate = DenseGate::default();
    }

    /// The options in use.
    pub fn options(&self) -> &DecodeOptions {
        &self.opts
    }

    /// Statistics so far.
    pub fn stats(&self) -> PageStats {
        let mut s = self.stats;
        s.bytes = self.consumed_bytes();
        s
    }

    /// The page has ended (end marker, MMR error or [`Decoder::finish`]).
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    fn consumed_bytes(&self) -> u64 {
        self.base + self.pos.div_ceil(8) as u64
    }

    /// Feed the next chunk of coded bytes; `on_row` receives each finished
    /// row. Returns [`Status::Complete`] once the end marker has been seen
    /// (if `stop_at_end_marker`), with how many bytes of `data` belonged to
    /// the page. Errors are hard failures (row limit); damage is not an error.
    pub fn push(&mut self, data: &[u8], on_row: impl FnMut(&[u8])) -> Result<Status, T4Error> {
        self.push_to(data, &mut Pixels(on_row))
    }

    /// As [`Decoder::push`], delivering rows as changing elements (transcoding).
    pub(crate) fn push_changes(
        &mut self,
        data: &[u8],
        on_row: impl FnMut(&[u32]),
    ) -> Result<Status, T4Error> {
        self.push_to(data, &mut Changes(on_row))
    }

    /// As [`Decoder::finish`], delivering rows as changing elements.
    pub(crate) fn finish_changes(
        &mut self,
        on_row: impl FnMut(&[u32]),
    ) -> Result<PageStats, T4Error> {
        self.finish_to(&mut Changes(on_row))
    }

    pub(crate) fn push_to(
        &mut self,
        data: &[u8],
        out: &mut impl RowOut,
    ) -> Result<Status, T4Error> {
        if self.state == State::Done {
            return Ok(Status::Complete { consumed: 0 });
        }
        let before = self.buf.len();
        match self.opts.bit_order {
            BitOrder::MsbFirst => self.buf.extend_from_slice(data),
            BitOrder::LsbFirst => self
                .buf
                .extend(data.iter().map(|&b| REVERSE[usize::from(b)])),
        }
        let r = self.run(out);
        let status = if self.state == State::Done {
            let end = self.pos.div_ceil(8).min(self.buf.len());
            Status::Complete {
                consumed: end.saturating_sub(before).min(data.len()),
            }
        } else {
            Status::Partial
        };
        // Drop consumed bytes; what stays is at most one partial row.
        let drop = (self.pos / 8).min(self.buf.len());
        if self.state == State::Done {
            self.base += self.pos.div_ceil(8) as u64;
            self.buf.clear();
            self.pos = 0;
        } else if drop > 0 {
            self.buf.drain(..drop);
            self.pos -= drop * 8;
            self.base += drop as u64;
        }
        r.map(|()| status)
    }

    /// End of data: deliver a row still waiting for its EOL and return the
    /// page statistics. A row cut off by the end of data is dropped and
    /// flagged in [`PageStats::truncated`].
    pub fn finish(&mut self, on_row: impl FnMut(&[u8])) -> Result<PageStats, T4Error> {
        self.finish_to(&mut Pixels(on_row))
    }

    pub(crate) fn finish_to(&mut self, out: &mut impl RowOut) -> Result<PageStats, T4Error> {
        if self.state != State::Done {
            if self.pending {
                self.pending = false;
                self.good_row(out)?;
            }
            if self.state == State::RowStart {
                let start = self.pos / 8;
                let first_mask = 0xFFu8 >> (self.pos % 8);
                let rest = self.buf.get(start..).unwrap_or(&[]);
                let nonzero = match rest.split_first() {
                    Some((&f, tail)) => f & first_mask != 0 || tail.iter().any(|&b| b != 0),
                    None => false,
                };
                if nonzero {
                    self.stats.truncated = true;
                }
            }
            self.pos = self.buf.len() * 8;
            self.state = State::Done;
        }
        Ok(self.stats())
    }

    fn check_rows(&self) -> Result<(), T4Error> {
        if self.stats.rows >= self.opts.max_rows {
            return Err(T4Error::TooManyRows {
                limit: self.opts.max_rows,
                byte_offset: self.base + (self.pos / 8) as u64,
            });
        }
        Ok(())
    }

    /// Deliver `cur` as a good row and make it the reference line.
    fn good_row(&mut self, out: &mut impl RowOut) -> Result<(), T4Error> {
        self.check_rows()?;
        let (refc, cur) = self.lines.split();
        let cur = &cur[..self.n_cur];
        // `good` holds the reference line's pixels: the last row delivered.
        if self.n_cur > 0 && self.n_cur == self.n_ref && *cur == refc[..self.n_ref] {
            out.repeat(cur, self.opts.width, &mut self.good);
        } else {
            out.good(cur, self.opts.width, &mut self.good);
        }
        self.stats.rows += 1;
        self.bad_run = 0;
        if self.pending_1d {
            self.damaged = false;
        }
        self.lines.swap();
        self.n_ref = self.n_cur;
        let w = self.opts.width;
        let (refc, _) = self.lines.split();
        if let Some(s) = refc.get_mut(self.n_ref..self.n_ref + SENTINELS) {
            s.fill(w);
        }
        Ok(())
    }

    /// Deliver the previous good row in place of a damaged one.
    fn bad_row(&mut self, out: &mut impl RowOut) -> Result<(), T4Error> {
        self.check_rows()?;
        tracing::debug!(
            row = self.stats.rows,
            byte = self.base + (self.pos / 8) as u64,
            "t4: bad row"
        );
        out.bad(&self.good, &self.lines.refc()[..self.n_ref]);
        self.stats.rows += 1;
        self.stats.bad_rows += 1;
        self.bad_run += 1;
        self.stats.longest_bad_run = self.stats.longest_bad_run.max(self.bad_run);
        self.damaged = true;
        Ok(())
    }

    fn end(&mut self, end: PageEnd) {
        tracing::debug!(?end, rows = self.stats.rows, "t4: page end");
        self.stats.end = end;
        self.state = State::Done;
    }

    fn run(&mut self, out: &mut impl RowOut) -> Result<(), T4Error> {
        let res = match self.opts.coding {
            Coding::Mmr => self.run_mmr(out),
            _ => self.run_t4(out),
        };
        if res.is_err() {
            self.state = State::Done;
        }
        res
    }

    fn run_mmr(&mut self, out: &mut impl RowOut) -> Result<(), T4Error> {
        let width = self.opts.width;
        while self.state == State::RowStart {
            let mut r = BitReader::new(&self.buf, self.pos);
            let rem = r.remaining();
            if rem == 0 {
                return Ok(());
            }
            let w = r.peek();
            if self.n_ref == 0 && w >> 63 == 1 {
                // Blank rows: against an all-white reference line each `1`
                // (V0 with b1 at the row end, T.6 §2.2.4) is a whole white
                // row, so a string of them is that many rows at once.
                let left = self.opts.max_rows.saturating_sub(self.stats.rows);
                let rows = w.leading_ones().min(56).min(left);
                if rows > 0 {
                    self.pos += rows as usize;
                    out.white(rows, width, &mut self.good);
                    self.stats.rows += rows;
                    self.bad_run = 0;
                    self.pending_1d = false;
                    self.n_cur = 0;
                    continue;
                }
            }
            if w >> 52 == 1 {
                // EOL at a row start: EOFB (T.6 §2.4.1.2) or damage.
                if rem < 24 {
                    return Ok(());
                }
                if w >> 40 == 0x00_1001 {
                    self.pos += 24;
                    if self.opts.stop_at_end_marker {
                        self.end(PageEnd::Eofb);
                    } else {
                        self.stats.end = PageEnd::Eofb;
                    }
                    continue;
                }
            }
            let (refc, cur) = self.lines.split();
            match decode_2d(&mut r, self.t, width, refc, self.n_ref, &mut self.gate, cur) {
                Ok(n) => {
                    self.n_cur = n;
                    self.pos = r.pos();
                    self.pending_1d = false;
                    self.good_row(out)?;
                }
                Err(Stop::NeedMore) => return Ok(()),
                Err(Stop::Bad) => {
                    let byte_offset = self.base + (r.pos() / 8) as u64;
                    self.pos = self.buf.len() * 8;
                    self.end(PageEnd::MmrError {
                        row: self.stats.rows,
                        byte_offset,
                    });
                }
            }
        }
        Ok(())
    }

    /// Fast path for blank parts of a T.4 page: the EOL after the pending
    /// row is followed by a whole all-white row (one make-up and one
    /// terminating code in 1-D, T.4 §4.1.2; a single V0 against a white
    /// reference line in 2-D, §4.2.1.3), and so on for as many rows as
    /// follow that pattern. Each pending row is confirmed and the white row
    /// made pending, as the general path would do; returns `true` if any
    /// row was, `false` (nothing done) otherwise. `w` holds the next bits,
    /// `eol` is the length of the EOL there (with fill and tag bit).
    #[inline]
    fn white_after_eol(
        &mut self,
        out: &mut impl RowOut,
        mut w: u64,
        mut eol: usize,
        mut rem: usize,
        mr: bool,
    ) -> Result<bool, T4Error> {
        let eol_tail = 1 + usize::from(mr);
        let white_1d = self.t.white_row(self.opts.width);
        // Confirmed white rows not yet delivered (the reference line is
        // then white already, so only the count is kept).
        let mut batch = 0u32;
        let mut any = false;
        loop {
            let two_d = mr && (w << (eol - 1)) & (1 << 63) == 0;
            let code = if two_d {
                // The pending row becomes the reference: it must be white,
                // and usable (a 1-D row, or no damage since the last one).
                if self.n_cur != 0 || (self.damaged && !self.pending_1d) {
                    break;
                }
                crate::codes::Code { bits: 1, len: 1 }
            } else {
                match white_1d {
                    Some(c) => c,
                    None => break,
                }
            };
            let end = eol + code.len as usize;
            if end > 56 || end > rem || ((w << eol) >> (64 - code.len)) as u32 != code.bits {
                break;
            }
            // Confirm the pending row (after the EOL, as the general path).
            self.pos += eol;
            if self.n_cur == 0 && self.n_ref == 0 && self.stats.rows + batch < self.opts.max_rows {
                batch += 1;
                if self.pending_1d {
                    self.damaged = false;
                }
            } else {
                self.flush_white(out, &mut batch);
                self.pending = false;
                self.good_row(out)?;
            }
            any = true;
            self.next_2d = two_d;
            self.pos += code.len as usize;
            if self.opts.rows_byte_aligned {
                self.pos = self.pos.div_ceil(8) * 8;
            }
            self.n_cur = 0;
            self.pending_1d = !two_d;
            self.pending = true;
            if self.n_ref == 0 && !self.damaged && !self.opts.rows_byte_aligned {
                if let Some(c) = white_1d {
                    self.white_rows_plain(&mut batch, mr, c);
                }
            }
            // The next EOL, within one 8-byte load.
            let byte = self.pos / 8;
            let Some(s) = self.buf.get(byte..byte + 8) else {
                break;
            };
            let mut b = [0u8; 8];
            b.copy_from_slice(s);
            w = u64::from_be_bytes(b) << (self.pos % 8);
            rem = self.buf.len() * 8 - self.pos;
            let lz = w.leading_zeros() as usize;
            if !(11..=40).contains(&lz) {
                break;
            }
            eol = lz + eol_tail;
        }
        self.flush_white(out, &mut batch);
        if any {
            self.eols = 0;
            self.stats.end = PageEnd::EndOfData;
        }
        Ok(any)
    }

    /// The tight loop of [`Self::white_after_eol`] for the plainest framing
    /// (EOLs without fill): while the next bits are an EOL and a whole
    /// white row (`white` in 1-D, or with the tag bit 0 a V0 in MR), count
    /// the pending white row as confirmed in `batch` and make the new one
    /// pending. The pending row and the reference line must be white and
    /// there must be no damage (2-D rows are then usable).
    #[inline]
    fn white_rows_plain(&mut self, batch: &mut u32, mr: bool, white: crate::codes::Code) {
        use crate::codes::{EOL, EOL_BITS};
        // EOL (+ tag 1) + white row; and for MR EOL + tag 0 + V0.
        let (p1, len1) = if mr {
            (
                u64::from(EOL << 1 | 1) << white.len | u64::from(white.bits),
                EOL_BITS + 1 + white.len,
            )
        } else {
            (
                u64::from(EOL) << white.len | u64::from(white.bits),
                EOL_BITS + white.len,
            )
        };
        let p2 = u64::from(EOL << 2 | 1);
        let len2 = EOL_BITS + 2;
        if len1 > 56 {
            return;
        }
        let limit = self
            .opts
            .max_rows
            .saturating_sub(self.stats.rows.saturating_add(*batch));
        let mut pos = self.pos;
        let mut count = 0u32;
        let mut last_2d = !self.pending_1d;
        while count < limit {
            let byte = pos / 8;
            let Some(s) = self.buf.get(byte..byte + 8) else {
                break;
            };
            let mut b = [0u8; 8];
            b.copy_from_slice(s);
            let w = u64::from_be_bytes(b) << (pos % 8);
            if w >> (64 - len1) == p1 {
                pos += len1 as usize;
                last_2d = false;
            } else if mr && w >> (64 - len2) == p2 {
                pos += len2 as usize;
                last_2d = true;
            } else {
                break;
            }
            count += 1;
        }
        if count > 0 {
            *batch += count;
            self.pos = pos;
            self.pending_1d = !last_2d;
            self.next_2d = last_2d;
        }
    }

    /// Deliver `batch` confirmed white rows (see [`Self::white_after_eol`]).
    #[inline]
    fn flush_white(&mut self, out: &mut impl RowOut, batch: &mut u32) {
        if *batch > 0 {
            out.white(*batch, self.opts.width, &mut self.good);
            self.stats.rows += *batch;
            self.bad_run = 0;
            *batch = 0;
        }
    }

    fn run_t4(&mut self, out: &mut impl RowOut) -> Result<(), T4Error> {
        let width = self.opts.width;
        let mr = matches!(self.opts.coding, Coding::Mr { .. });
        let eol_tail = 1 + usize::from(mr);
        loop {
            match self.state {
                State::Done => return Ok(()),
                State::Resync => {
                    let r = BitReader::new(&self.buf, self.pos);
                    let rem = r.remaining();
                    if rem == 0 {
                        return Ok(());
                    }
                    let avail = rem.min(56);
                    let lz = (r.peek().leading_zeros() as usize).min(avail);
                    if lz == avail {
                        self.resync_zeros = (self.resync_zeros + lz).min(64);
                        self.pos += lz;
                        continue;
                    }
                    let zeros = self.resync_zeros + lz;
                    if zeros >= 11 {
                        if rem < lz + eol_tail {
                            self.pos += lz;
                            self.resync_zeros = zeros.min(64);
                            return Ok(());
                        }
                        let w = r.peek();
                        self.next_2d = mr && (w << lz) & (1 << 62) == 0;
                        self.pos += lz + eol_tail;
                        self.resync_zeros = 0;
                        self.eols = 1;
                        self.eol_framing = true;
                        self.state = State::RowStart;
                    } else {
                        self.resync_zeros = 0;
                        self.pos += lz + 1;
                    }
                }
                State::RowStart => {
                    let mut r = BitReader::new(&self.buf, self.pos);
                    let rem = r.remaining();
                    if rem == 0 {
                        return Ok(());
                    }
                    let w = r.peek();
                    let avail = rem.min(56);
                    let lz = (w.leading_zeros() as usize).min(avail);
                    if lz == avail {
                        // Only zeros so far: fill. Keep the last 11 (EOL prefix).
                        if lz > 11 {
                            self.pos += lz - 11;
                        }
                        if rem == avail {
                            return Ok(());
                        }
                        continue;
                    }
                    if lz >= 11 {
                        // EOL (T.4 §4.1.2), plus the tag bit for MR (§4.2.1.3.4).
                        if rem < lz + eol_tail {
                            return Ok(());
                        }
                        if self.pending && self.white_after_eol(out, w, lz + eol_tail, rem, mr)? {
                            continue;
                        }
                        self.next_2d = mr && (w << lz) & (1 << 62) == 0;
                        self.pos += lz + eol_tail;
                        self.eol_framing = true;
                        if self.pending {
                            self.pending = false;
                            self.good_row(out)?;
                        }
                        self.eols += 1;
                        if self.eols >= RTC_EOLS && self.opts.stop_at_end_marker {
                            self.end(PageEnd::Rtc);
                        } else if self.eols >= RTC_EOLS {
                            self.stats.end = PageEnd::Rtc;
                        }
                        continue;
                    }
                    // Row data.
                    if self.pending {
                        // The last row is followed by data, not an EOL: it was
                        // too long, so damaged.
                        self.pending = false;
                        self.bad_row(out)?;
                        self.state = State::Resync;
                        continue;
                    }
                    self.eols = 0;
                    self.stats.end = PageEnd::EndOfData;
                    let two_d = mr && self.next_2d;
                    if two_d && self.damaged {
                        self.bad_row(out)?;
                        self.state = State::Resync;
                        continue;
                    }
                    let (refc, cur) = self.lines.split();
                    let res = if two_d {
                        decode_2d(&mut r, self.t, width, refc, self.n_ref, &mut self.gate, cur)
                    } else {
                        decode_1d(&mut r, self.t, width, cur)
                    };
                    match res {
                        Ok(n) => {
                            self.n_cur = n;
                            self.pos = r.pos();
                            if self.opts.rows_byte_aligned {
                                self.pos = self.pos.div_ceil(8) * 8;
                            }
                            self.pending_1d = !two_d;
                            if self.eol_framing {
                                self.pending = true;
                            } else {
                                self.good_row(out)?;
                            }
                        }
                        Err(Stop::NeedMore) => return Ok(()),
                        Err(Stop::Bad) => {
                            self.pos = r.pos();
                            self.bad_row(out)?;
                            self.resync_zeros = 0;
                            self.state = State::Resync;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::to_row;
    use crate::{decode_page, encode_page, Bitmap, EncodeOptions};

    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// Rows repeated one to four times (glyph pixels several scan lines
    /// high), dense and sparse, with white rows between, so that rows equal
    /// to the row before come after good, white and (with damage) replaced
    /// rows.
    fn repeating_page(width: u32, height: u32, seed: &mut u64) -> Bitmap {
        let mut page = Bitmap::new(width, height);
        let mut y = 0;
        while y < height {
            let kind = xorshift(seed) % 4;
            let p = [0, 3, 60, 400][kind as usize];
            let mut row = vec![0u8; Bitmap::stride_for(width)];
            let mut black = false;
            for x in 0..width {
                if xorshift(seed) % 1024 < p {
                    black = !black;
                }
                if black {
                    row[x as usize / 8] |= 0x80 >> (x % 8);
                }
            }
            for _ in 0..1 + xorshift(seed) % 4 {
                if y < height {
                    for x in 0..width {
                        page.set(x, y, row[x as usize / 8] & (0x80 >> (x % 8)) != 0);
                    }
                    y += 1;
                }
            }
        }
        page
    }

    /// The rows as changing elements (`RowOut::good` for every row, no
    /// shortcut for repeated rows), each rendered alone.
    fn rows_from_changes(data: &[u8], opts: &DecodeOptions) -> Vec<u8> {
        let mut dec = Decoder::new(opts.clone()).expect("decoder");
        let stride = Bitmap::stride_for(opts.width);
        let mut out = Vec::new();
        let mut put = |ch: &[u32]| {
            let mut row = vec![0xA5u8; stride];
            to_row(ch, opts.width, &mut row);
            out.extend_from_slice(&row);
        };
        dec.push_changes(data, &mut put).expect("push");
        dec.finish_changes(&mut put).expect("finish");
        out
    }

    /// Rows equal to the reference line are copied from the row delivered
    /// last (`RowOut::repeat`) by the page decoder and the streaming
    /// decoder: both give the rows that rendering every row gives, on
    /// clean pages and with damage (replaced rows before repeated ones).
    #[test]
    fn repeated_rows_match_rendered_rows() {
        let mut seed = 0x005E_ED0F_0DD5_u64;
        let mut repeats = 0;
        for &width in &[7u32, 64, 200, 1728, 2300] {
            let page = repeating_page(width, 120, &mut seed);
            repeats += (1..page.height)
                .filter(|&y| page.row(y) == page.row(y - 1) && page.row(y).iter().any(|&b| b != 0))
                .count();
            for coding in [Coding::Mh, Coding::Mr { k: 4 }, Coding::Mmr] {
                let clean = encode_page(&page, &EncodeOptions::new(coding)).expect("encode");
                let opts = DecodeOptions::new(coding, width);
                let mut damaged = vec![clean.clone()];
                for _ in 0..6 {
                    let mut d = clean.clone();
                    let b = (xorshift(&mut seed) % (d.len() as u64 * 8)) as usize;
                    d[b / 8] ^= 0x80 >> (b % 8);
                    damaged.push(d);
                }
                for (i, data) in damaged.iter().enumerate() {
                    let want = rows_from_changes(data, &opts);
                    let (got, _) = decode_page(data, &opts).expect("decode");
                    assert_eq!(got.data, want, "width {width} {coding:?} data {i}");
                    if i == 0 {
                        assert_eq!(got, page, "width {width} {coding:?}");
                    }
                    let mut dec = Decoder::new(opts.clone()).expect("decoder");
                    let mut rows = Vec::new();
                    for chunk in data.chunks(97) {
                        dec.push(chunk, |r| rows.extend_from_slice(r))
                            .expect("push");
                    }
                    dec.finish(|r| rows.extend_from_slice(r)).expect("finish");
                    assert_eq!(rows, want, "width {width} {coding:?} data {i} streamed");
                }
            }
        }
        assert!(repeats > 100, "{repeats} repeated rows");
    }
}
