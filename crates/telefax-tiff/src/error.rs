//! The one error type of this crate.

/// Everything that can go wrong reading, writing or converting a fax document.
///
/// Every variant carries the context a user needs: the page (a 0-based directory index in the
/// fields, shown 1-based in messages), and
/// where it applies the strip and byte offsets. The message is complete in itself (inner
/// errors are part of it, not a separate `source`), so it prints as one line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TiffError {
    /// The TIFF container itself is unreadable (bad header, broken directory chain, bad tag
    /// types), as reported by the `tiff` crate.
    #[error("unreadable TIFF container: {0}")]
    Container(tiff::TiffError),
    /// A required tag is missing from a page's directory (TIFF 6 §8, Class F).
    #[error("page {n}: required tag {tag} is missing", n = .page + 1)]
    MissingTag {
        /// 0-based page (directory) index.
        page: usize,
        /// Name of the tag.
        tag: &'static str,
    },
    /// A tag holds a value this crate cannot use (wrong type, out of range).
    #[error("page {n}: tag {tag} has an unusable value: {detail}", n = .page + 1)]
    BadTag {
        /// 0-based page (directory) index.
        page: usize,
        /// Name of the tag.
        tag: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The page uses a TIFF feature a fax page does not (colour, tiles, JPEG, ...).
    #[error("page {n}: unsupported: {what}", n = .page + 1)]
    Unsupported {
        /// 0-based page (directory) index.
        page: usize,
        /// The feature.
        what: String,
    },
    /// The page is larger than this crate accepts (protects memory against hostile files).
    #[error("page {n}: {width}x{rows} pixels exceeds the limit ({limit})", n = .page + 1)]
    TooLarge {
        /// 0-based page (directory) index.
        page: usize,
        /// Declared width in pixels.
        width: u64,
        /// Declared number of rows.
        rows: u64,
        /// Which limit was hit.
        limit: &'static str,
    },
    /// A strip lies (partly) outside the file, or an uncompressed strip is shorter than its rows.
    #[error("page {n}, strip {strip}: {len} bytes at offset {offset} do not fit the file ({file_len} bytes)", n = .page + 1)]
    Truncated {
        /// 0-based page (directory) index.
        page: usize,
        /// 0-based strip index.
        strip: usize,
        /// Declared offset of the strip.
        offset: u64,
        /// Declared (or needed) length of the strip.
        len: u64,
        /// Size of the whole file.
        file_len: usize,
    },
    /// The document has more pages than the reader accepts.
    #[error("more than {limit} pages")]
    TooManyPages {
        /// The page limit.
        limit: usize,
    },
    /// The document has no page at all.
    #[error("the document has no pages")]
    NoPages,
    /// The page's coded data could not be decoded (T.4/T.6 level error).
    #[error("page {n}, strip {strip}: {error}", n = .page + 1)]
    Codec {
        /// 0-based page index.
        page: usize,
        /// 0-based strip index.
        strip: usize,
        /// The codec's error.
        error: telefax_t4::T4Error,
    },
    /// A bitmap handed to the writer does not match its page size.
    #[error("page {n}: bitmap is {got} bytes, {width}x{rows} needs {need}", n = .page + 1)]
    BitmapSize {
        /// 0-based page index.
        page: usize,
        /// Width in pixels.
        width: u32,
        /// Rows.
        rows: u32,
        /// Bytes needed.
        need: usize,
        /// Bytes present.
        got: usize,
    },
    /// Writing the TIFF container failed.
    #[error("writing TIFF: {0}")]
    Write(tiff::TiffError),
    /// Encoding a PNG preview failed.
    #[error("writing PNG: {0}")]
    Png(String),
}

impl TiffError {
    /// The same error with its 0-based page index set to `index`: per-page methods such as
    /// [`crate::Page::decode`] and [`crate::Page::encode`] do not know their page's place in
    /// the document and report page index 0.
    pub fn with_page(mut self, index: usize) -> TiffError {
        match &mut self {
            TiffError::MissingTag { page, .. }
            | TiffError::BadTag { page, .. }
            | TiffError::Unsupported { page, .. }
            | TiffError::TooLarge { page, .. }
            | TiffError::Truncated { page, .. }
            | TiffError::Codec { page, .. }
            | TiffError::BitmapSize { page, .. } => *page = index,
            TiffError::Container(_)
            | TiffError::TooManyPages { .. }
            | TiffError::NoPages
            | TiffError::Write(_)
            | TiffError::Png(_) => {}
        }
        self
    }
}
