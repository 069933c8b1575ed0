//! The crate's error type.

/// Everything that can go wrong in the codec.
///
/// Damage in the coded data of a non-ECM page (T.4 §4.1, "line errors") is
/// *not* an error: it is repaired and counted in [`crate::PageStats`]. These
/// errors are hard failures: bad parameters, or a page that breaks a limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum T4Error {
    /// The row width is 0 or above [`crate::MAX_WIDTH`].
    #[error("row width {width} is outside 1..={max}", max = crate::MAX_WIDTH)]
    InvalidWidth {
        /// The width asked for.
        width: u32,
    },
    /// T.4 §4.2.1: the parameter K of MR coding must be at least 1.
    #[error("MR parameter K must be at least 1 (got {k})")]
    InvalidK {
        /// The K asked for.
        k: u32,
    },
    /// `max_rows` of the decoder options is 0.
    #[error("max_rows must be at least 1")]
    InvalidMaxRows,
    /// The page has more rows than the configured limit.
    #[error("page exceeds the limit of {limit} rows (at byte {byte_offset} of the coded data)")]
    TooManyRows {
        /// The configured row limit.
        limit: u32,
        /// Byte offset in the coded data where the next row would start.
        byte_offset: u64,
    },
    /// A row handed to the encoder is shorter than the row stride.
    #[error("row {row}: {got} bytes given, {expected} needed for width {width}")]
    RowLength {
        /// Row index (0-based) on the page.
        row: u32,
        /// Bytes needed: `(width + 7) / 8`.
        expected: usize,
        /// Bytes given.
        got: usize,
        /// Row width in pixels.
        width: u32,
    },
    /// A bitmap whose data length does not match `stride * height`.
    #[error("bitmap of {width}x{height} needs {expected} bytes, has {got}")]
    BitmapSize {
        /// Width in pixels.
        width: u32,
        /// Height in rows.
        height: u32,
        /// Bytes needed.
        expected: usize,
        /// Bytes present.
        got: usize,
    },
}
