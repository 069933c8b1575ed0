//! Codec parameters and page statistics.

/// The coding scheme of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    /// Modified Huffman, one-dimensional (T.4 §4.1).
    Mh,
    /// Modified READ, two-dimensional (T.4 §4.2). `k` is the parameter K:
    /// at most K-1 rows are coded 2-D after each 1-D row (T.4 §4.2.1). The
    /// decoder ignores `k` and follows the tag bit after each EOL.
    Mr {
        /// T.4 parameter K (2 at standard resolution, 4 at fine); must be >= 1.
        k: u32,
    },
    /// Modified Modified READ (T.6 §2): 2-D only, no EOLs, EOFB at the end.
    Mmr,
}

/// The order of bits within each coded byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BitOrder {
    /// First bit in the most significant bit (TIFF FillOrder 1).
    #[default]
    MsbFirst,
    /// First bit in the least significant bit: the order in which a modem
    /// sends the bits of a byte (T.4 §4.1 on the line; TIFF FillOrder 2).
    LsbFirst,
}

/// The largest row width accepted, in pixels.
pub const MAX_WIDTH: u32 = 65535;

/// Default page length limit: far above any real page (an A4 page at
/// 1200 lpi is about 14000 rows; a long roll of 1 m at fine resolution
/// about 7700).
pub const DEFAULT_MAX_ROWS: u32 = 32768;

/// Parameters of a [`crate::Decoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// Coding of the data.
    pub coding: Coding,
    /// Row width in pixels, 1..=[`MAX_WIDTH`].
    pub width: u32,
    /// Bit order of the input bytes.
    pub bit_order: BitOrder,
    /// Page length limit; more rows give [`crate::T4Error::TooManyRows`].
    pub max_rows: u32,
    /// Each row starts on a byte boundary and there are no EOLs: TIFF
    /// compression 2 ("CCITT RLE", MH only). Default `false`.
    pub rows_byte_aligned: bool,
    /// Stop at the end marker (RTC, 6 EOLs, T.4 §4.1.4; or EOFB, T.6 §2.4.1.2)
    /// and report [`Status::Complete`]. Default `true`.
    pub stop_at_end_marker: bool,
}

impl DecodeOptions {
    /// Options with defaults: MSB-first, [`DEFAULT_MAX_ROWS`], EOL framing.
    pub fn new(coding: Coding, width: u32) -> Self {
        DecodeOptions {
            coding,
            width,
            bit_order: BitOrder::MsbFirst,
            max_rows: DEFAULT_MAX_ROWS,
            rows_byte_aligned: false,
            stop_at_end_marker: true,
        }
    }

    /// Builder: set the bit order.
    pub fn bit_order(mut self, order: BitOrder) -> Self {
        self.bit_order = order;
        self
    }

    /// Builder: set the row limit.
    pub fn max_rows(mut self, rows: u32) -> Self {
        self.max_rows = rows;
        self
    }
}

/// Parameters of an [`crate::Encoder`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Coding to produce.
    pub coding: Coding,
    /// Bit order of the output bytes.
    pub bit_order: BitOrder,
    /// Fill bits before each EOL so that it ends on a byte boundary
    /// (T.4 §4.1.3 fill; TIFF T4Options bit 2). MH/MR only.
    pub byte_aligned_eol: bool,
    /// Minimum bits per coded row including fill and the EOL (T.4 §4.1.3,
    /// minimum transmission time of a total coded scan line). 0 = none.
    /// See [`min_row_bits`].
    pub min_row_bits: u32,
    /// Write the end marker: RTC for MH/MR (T.4 §4.1.4, with tag bits 1 for
    /// MR), EOFB for MMR (T.6 §2.4.1.2).
    pub end_marker: bool,
    /// Write an EOL before each row (MH/MR). `false` with MH and
    /// `rows_byte_aligned` gives TIFF compression 2. Default `true`.
    pub eol: bool,
    /// Pad each coded row to a byte boundary (TIFF compression 2). Default `false`.
    pub rows_byte_aligned: bool,
}

impl EncodeOptions {
    /// Options with defaults: MSB-first, EOLs, no alignment, no padding, end marker.
    pub fn new(coding: Coding) -> Self {
        EncodeOptions {
            coding,
            bit_order: BitOrder::MsbFirst,
            byte_aligned_eol: false,
            min_row_bits: 0,
            end_marker: true,
            eol: true,
            rows_byte_aligned: false,
        }
    }

    /// Builder: set the bit order.
    pub fn bit_order(mut self, order: BitOrder) -> Self {
        self.bit_order = order;
        self
    }
}

/// Minimum bits per coded row for a minimum scan-line time (T.4 §4.1.3 and
/// T.30 Table 2: 0, 5, 10, 20 or 40 ms) at a signalling rate in bit/s.
///
/// ```
/// assert_eq!(telefax_t4::min_row_bits(20, 9600), 192);
/// ```
pub fn min_row_bits(ms: u32, bit_rate: u32) -> u32 {
    (u64::from(ms) * u64::from(bit_rate)).div_ceil(1000) as u32
}

/// How a page's coded data ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageEnd {
    /// No end marker (yet): the data simply ended.
    #[default]
    EndOfData,
    /// RTC, six consecutive EOLs (T.4 §4.1.4).
    Rtc,
    /// EOFB, two EOLs (T.6 §2.4.1.2).
    Eofb,
    /// MMR data had a bad code: the page ends at the last good row (T.6 has
    /// no EOL to resynchronise on).
    MmrError {
        /// Row (0-based) whose code was bad.
        row: u32,
        /// Byte offset of the bad code in the coded data.
        byte_offset: u64,
    },
}

/// What a decoder found on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageStats {
    /// Rows delivered (good and repaired).
    pub rows: u32,
    /// Rows that were damaged and replaced by the previous good row.
    pub bad_rows: u32,
    /// Longest run of consecutive bad rows.
    pub longest_bad_run: u32,
    /// How the data ended.
    pub end: PageEnd,
    /// The data ended in the middle of a row (that row is dropped).
    pub truncated: bool,
    /// Coded bytes consumed.
    pub bytes: u64,
}

/// Result of feeding bytes to a [`crate::Decoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// More data is welcome.
    Partial,
    /// The page's end marker was seen; `consumed` bytes of the last chunk
    /// belong to the page (the rest follows the end marker).
    Complete {
        /// Bytes of the chunk up to and including the end marker's last byte.
        consumed: usize,
    },
}
