//! TIFF Class F documents in and out for telefax: fax pages as coded strips or bitmaps with
//! their metadata, read and written through the `tiff` crate's container code, pixels through
//! the `telefax-t4` codec (ITU-T T.4 / T.6). Also PDF (CCITTFaxDecode images) and PNG output.
//!
//! Supported: Compression 1 (uncompressed, 1 bit), 2 (CCITT RLE), 3 (T.4 MH/MR with
//! T4Options 2-D, uncompressed mode and fill bits), 4 (T.6 MMR); FillOrder 1 and 2; multi-page
//! documents; several strips per page; X/YResolution and ResolutionUnit; PageNumber; the
//! Class F fax tags BadFaxLines, CleanFaxData and ConsecutiveBadFaxLines.
//!
//! This crate reads and writes byte buffers only; the caller does the file I/O.
//!
//! ```
//! use telefax_t4::Bitmap;
//! use telefax_tiff::{read_document, write_document, Page, Resolution, Target, TargetCoding, WriteOptions};
//!
//! // A 1728-pixel page with a black bar, coded as T.6 (G4) in a TIFF.
//! let mut bitmap = Bitmap::new(1728, 20);
//! for x in 100..300 { bitmap.set(x, 10, true); }
//! let page = Page::from_bitmap(bitmap.clone(), Some(Resolution::FINE));
//! let g4 = page.encode(&Target::new(TargetCoding::Mmr))?;
//! let tiff = write_document(&[g4], &WriteOptions::default())?;
//!
//! // Read it back and decode the pixels.
//! let pages = read_document(&tiff)?;
//! let (decoded, report) = pages[0].decode()?;
//! assert_eq!(decoded, bitmap);
//! assert_eq!(report.bad_rows, 0);
//! # Ok::<(), telefax_tiff::TiffError>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod codec;
mod error;
mod page;
pub mod pdf;
pub mod png;
mod read;
mod write;

pub use codec::{DecodeReport, Target, TargetCoding};
pub use error::TiffError;
pub use page::{
    CleanFaxData, CodedData, Compression, FaxTags, FillOrder, Page, PageData, Rational, Resolution,
    ResolutionUnit, Strip, T4Options,
};
pub use read::{read_document, PageReader, MAX_BITMAP_BYTES, MAX_PAGES, MAX_ROWS, MAX_WIDTH};
pub use write::{write_document, WriteOptions};
