//! The streaming page encoder (T.4 §4.1, §4.2; T.6 §2).

use crate::bits::BitWriter;
use crate::changes::{from_row, Lines, SENTINELS};
use crate::codes::{tables, Tables, EOL, EOL_BITS, RTC_EOLS};
use crate::rowcode::{encode_1d, encode_2d};
use crate::{Bitmap, Coding, EncodeOptions, T4Error, MAX_WIDTH};

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
    rows: u32,
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
            rows: 0,
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
        let (refc, _) = self.lines.split();
        refc[..SENTINELS].fill(self.width);
        self.rows = 0;
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
    pub fn encode_row(&mut self, row: &[u8], out: &mut Vec<u8>) -> Result<(), T4Error> {
        if row.len() < self.stride {
            return Err(T4Error::RowLength {
                row: self.rows,
                expected: self.stride,
                got: row.len(),
                width: self.width,
            });
        }
        let (_, cur) = self.lines.split();
        self.n_cur = from_row(&row[..self.stride], self.width, cur);
        self.encode_cur(out);
        Ok(())
    }

    /// Encode a row given as changing elements (strictly increasing
    /// positions < width), as produced by transcoding.
    pub(crate) fn encode_changes(&mut self, changes: &[u32], out: &mut Vec<u8>) {
        let n = changes.len().min(self.width as usize);
        let (_, cur) = self.lines.split();
        cur[..n].copy_from_slice(&changes[..n]);
        self.n_cur = n;
        self.encode_cur(out);
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
            Coding::Mr { k } => {
                let one_d = self.rows % k.max(1) == 0;
                if eol {
                    self.put_eol(out, Some(one_d));
                }
                !one_d
            }
            Coding::Mmr => true,
        };
        let (refc, cur) = self.lines.split();
        let cur = &cur[..n + SENTINELS];
        if two_d {
            let refc = &refc[..self.n_ref + SENTINELS];
            encode_2d(&mut self.w, out, self.t, self.width, refc, cur);
        } else {
            encode_1d(&mut self.w, out, self.t, self.width, &cur[..n]);
        }
        if self.opts.rows_byte_aligned {
            self.w.align(out);
        }
        self.row_open = true;
        self.lines.swap();
        self.n_ref = self.n_cur;
        self.rows += 1;
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
