//! ITU-T T.4 / T.6 fax page codec: Modified Huffman (T.4 §4.1), Modified
//! READ (T.4 §4.2) and Modified Modified READ (T.6), with the T.4
//! uncompressed-mode extension on decode.
//!
//! Rows are packed bits, MSB-first within each byte, 1 = black, stride
//! `(width + 7) / 8`. The codec performs no I/O: bytes and rows go in and
//! out through the caller's buffers and callbacks.
//!
//! * [`Decoder`]: streaming decoder, bytes in arbitrary chunks, rows out.
//!   Damaged rows (non-ECM line errors) are replaced by the previous good
//!   row and counted ([`PageStats`]); it resynchronises on the next EOL.
//! * [`Encoder`]: streaming encoder, rows in, bytes out, with fill bits for
//!   byte-aligned EOLs (T.4 §4.1.3) and the minimum scan-line time
//!   ([`min_row_bits`]), RTC (T.4 §4.1.4) or EOFB (T.6 §2.4.1.2).
//! * [`decode_page`], [`encode_page`], [`transcode`]: whole pages.
//! * [`BitOrder::LsbFirst`] is the order bits go over the line (TIFF
//!   FillOrder 2); [`BitOrder::MsbFirst`] is TIFF FillOrder 1.
//!
//! ```
//! use telefax_t4::{decode_page, encode_page, transcode, BitOrder, Bitmap, Coding,
//!                  DecodeOptions, EncodeOptions};
//!
//! let mut page = Bitmap::new(1728, 50);
//! for y in 10..40 {
//!     for x in 200..260 { page.set(x, y, true); }
//! }
//! // MR (K = 4) as sent over the line: LSB first, byte-aligned EOLs,
//! // 20 ms minimum scan-line time at 9600 bit/s.
//! let mut enc = EncodeOptions::new(Coding::Mr { k: 4 }).bit_order(BitOrder::LsbFirst);
//! enc.byte_aligned_eol = true;
//! enc.min_row_bits = telefax_t4::min_row_bits(20, 9600);
//! let coded = encode_page(&page, &enc).unwrap();
//!
//! let dec = DecodeOptions::new(Coding::Mr { k: 4 }, 1728).bit_order(BitOrder::LsbFirst);
//! let (back, stats) = decode_page(&coded, &dec).unwrap();
//! assert_eq!(back, page);
//! assert_eq!((stats.rows, stats.bad_rows), (50, 0));
//!
//! // Convert to MMR without a bitmap in between.
//! let (mmr, _) = transcode(&coded, &dec, &EncodeOptions::new(Coding::Mmr)).unwrap();
//! let (back, _) = decode_page(&mmr, &DecodeOptions::new(Coding::Mmr, 1728)).unwrap();
//! assert_eq!(back, page);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bitmap;
mod bits;
mod changes;
mod codes;
mod decoder;
mod encoder;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod options;
mod page;
mod rowcode;
#[doc(hidden)]
pub mod testpages;

pub use bitmap::Bitmap;
pub use codes::RTC_EOLS;
pub use decoder::Decoder;
pub use encoder::Encoder;
pub use error::T4Error;
pub use options::{
    min_row_bits, BitOrder, Coding, DecodeOptions, EncodeOptions, PageEnd, PageStats, Status,
    DEFAULT_MAX_ROWS, MAX_WIDTH,
};
pub use page::{decode_page, decode_page_into, encode_page, transcode};
