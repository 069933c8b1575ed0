//! Reading TIFF Class F documents: container through the `tiff` crate, strip bytes as stored.
use std::io::Cursor;

use telefax_t4::Bitmap;
use tiff::decoder::{ifd::Value, Decoder, Limits};
use tiff::tags::Tag;

use crate::page::{
    CleanFaxData, CodedData, Compression, FaxTags, FillOrder, Page, PageData, Rational, Resolution,
    ResolutionUnit, Strip, T4Options,
};
use crate::TiffError;

/// Widest page accepted, in pixels. T.4 pages are at most 14592 pixels wide (A3 at 1200 dpi);
/// this leaves room for scanned documents while bounding a row buffer.
pub const MAX_WIDTH: u32 = 16384;
/// Most rows accepted on one page (about 5.5 m at 1200 lines per inch).
pub const MAX_ROWS: u32 = 262_144;
/// Largest bitmap a page may need, in bytes (bounds memory for hostile files). An A3 page at
/// 1200 dpi (14592 x 19842 pixels) needs 36 MB.
pub const MAX_BITMAP_BYTES: u64 = 64 << 20;
/// Most pages read from one file.
pub const MAX_PAGES: usize = 10_000;

const TAG_T4_OPTIONS: u16 = 292;
const TAG_T6_OPTIONS: u16 = 293;
const TAG_PAGE_NUMBER: u16 = 297;
const TAG_BAD_FAX_LINES: u16 = 326;
const TAG_CLEAN_FAX_DATA: u16 = 327;
const TAG_CONSECUTIVE_BAD_FAX_LINES: u16 = 328;

/// Read every page of a TIFF document (TIFF 6, Class F).
///
/// Coded pages (Compression 2, 3, 4) keep their strips exactly as stored; uncompressed pages
/// (Compression 1) become bitmaps with 1 = black whatever their PhotometricInterpretation
/// and FillOrder. A hostile or truncated file gives an error, never a panic; memory is
/// bounded by the file size and by [`MAX_WIDTH`], [`MAX_ROWS`] and [`MAX_BITMAP_BYTES`].
///
/// ```
/// use telefax_tiff::{read_document, write_document, Page, WriteOptions};
/// use telefax_t4::Bitmap;
/// let bitmap = Bitmap { width: 16, height: 2, data: vec![0xff, 0x00, 0x00, 0x01] };
/// let tiff = write_document(&[Page::from_bitmap(bitmap.clone(), None)], &WriteOptions::default())?;
/// let pages = read_document(&tiff)?;
/// assert_eq!(pages.len(), 1);
/// assert_eq!(pages[0].data, telefax_tiff::PageData::Bitmap(bitmap));
/// # Ok::<(), telefax_tiff::TiffError>(())
/// ```
pub fn read_document(bytes: &[u8]) -> Result<Vec<Page>, TiffError> {
    let pages = PageReader::new(bytes)?.collect::<Result<Vec<_>, _>>()?;
    if pages.is_empty() {
        return Err(TiffError::NoPages);
    }
    Ok(pages)
}

/// Reads the pages of a TIFF document one at a time (an iterator of `Result<Page>`).
///
/// After the first error the iterator ends.
pub struct PageReader<'a> {
    bytes: &'a [u8],
    decoder: Option<Decoder<Cursor<&'a [u8]>>>,
    index: usize,
    first: bool,
}

impl<'a> PageReader<'a> {
    /// Parse the TIFF header and the first directory.
    pub fn new(bytes: &'a [u8]) -> Result<PageReader<'a>, TiffError> {
        let mut limits = Limits::default();
        // Tag values of a fax page are small; strip tables are bounded by the file anyway.
        limits.ifd_value_size = limits.ifd_value_size.min(bytes.len().max(4096));
        let decoder = Decoder::new(Cursor::new(bytes))
            .map_err(TiffError::Container)?
            .with_limits(limits);
        Ok(PageReader {
            bytes,
            decoder: Some(decoder),
            index: 0,
            first: true,
        })
    }
}

impl Iterator for PageReader<'_> {
    type Item = Result<Page, TiffError>;

    fn next(&mut self) -> Option<Self::Item> {
        let decoder = self.decoder.as_mut()?;
        if !self.first {
            if !decoder.more_images() {
                self.decoder = None;
                return None;
            }
            if self.index >= MAX_PAGES {
                self.decoder = None;
                return Some(Err(TiffError::TooManyPages { limit: MAX_PAGES }));
            }
            if let Err(e) = decoder.next_image() {
                self.decoder = None;
                return Some(Err(TiffError::Container(e)));
            }
        }
        self.first = false;
        let page = read_page(decoder, self.bytes, self.index);
        self.index += 1;
        if page.is_err() {
            self.decoder = None;
        }
        Some(page)
    }
}

fn container(e: tiff::TiffError) -> TiffError {
    TiffError::Container(e)
}

fn find(dec: &mut Decoder<Cursor<&[u8]>>, tag: u16) -> Result<Option<Value>, TiffError> {
    dec.find_tag(Tag::from_u16_exhaustive(tag))
        .map_err(container)
}

fn value_u32(v: Value, page: usize, tag: &'static str) -> Result<u32, TiffError> {
    let v = match v {
        Value::List(mut l) if l.len() == 1 => l.remove(0),
        v => v,
    };
    v.into_u32().map_err(|e| TiffError::BadTag {
        page,
        tag,
        detail: e.to_string(),
    })
}

fn find_u32(
    dec: &mut Decoder<Cursor<&[u8]>>,
    tag: u16,
    page: usize,
    name: &'static str,
) -> Result<Option<u32>, TiffError> {
    find(dec, tag)?
        .map(|v| value_u32(v, page, name))
        .transpose()
}

fn require_u32(
    dec: &mut Decoder<Cursor<&[u8]>>,
    tag: u16,
    page: usize,
    name: &'static str,
) -> Result<u32, TiffError> {
    find_u32(dec, tag, page, name)?.ok_or(TiffError::MissingTag { page, tag: name })
}

fn rational(v: Value, page: usize, tag: &'static str) -> Result<Rational, TiffError> {
    let v = match v {
        Value::List(mut l) if l.len() == 1 => l.remove(0),
        v => v,
    };
    match v {
        Value::Rational(num, den) => Ok(Rational { num, den }),
        Value::Short(n) => Ok(Rational {
            num: n.into(),
            den: 1,
        }),
        Value::Unsigned(n) => Ok(Rational { num: n, den: 1 }),
        other => Err(TiffError::BadTag {
            page,
            tag,
            detail: format!("expected a RATIONAL, found {other:?}"),
        }),
    }
}

fn u64_list(v: Value, page: usize, tag: &'static str) -> Result<Vec<u64>, TiffError> {
    v.into_u64_vec().map_err(|e| TiffError::BadTag {
        page,
        tag,
        detail: e.to_string(),
    })
}

fn read_page(
    dec: &mut Decoder<Cursor<&[u8]>>,
    bytes: &[u8],
    page: usize,
) -> Result<Page, TiffError> {
    let width = require_u32(dec, 256, page, "ImageWidth")?;
    let rows = require_u32(dec, 257, page, "ImageLength")?;
    if width == 0 || rows == 0 {
        return Err(TiffError::BadTag {
            page,
            tag: "ImageWidth/ImageLength",
            detail: format!("{width}x{rows} is empty"),
        });
    }
    let too_large = |limit| TiffError::TooLarge {
        page,
        width: width.into(),
        rows: rows.into(),
        limit,
    };
    if width > MAX_WIDTH {
        return Err(too_large("MAX_WIDTH"));
    }
    if rows > MAX_ROWS {
        return Err(too_large("MAX_ROWS"));
    }
    let stride = u64::from(width).div_ceil(8);
    if stride * u64::from(rows) > MAX_BITMAP_BYTES {
        return Err(too_large("MAX_BITMAP_BYTES"));
    }

    if let Some(v) = find(dec, 258)? {
        let bits = u64_list(v, page, "BitsPerSample")?;
        if bits.iter().any(|&b| b != 1) {
            return Err(TiffError::Unsupported {
                page,
                what: format!("BitsPerSample {bits:?} (a fax page has 1 bit per pixel)"),
            });
        }
    }
    if let Some(spp) = find_u32(dec, 277, page, "SamplesPerPixel")? {
        if spp != 1 {
            return Err(TiffError::Unsupported {
                page,
                what: format!("SamplesPerPixel {spp}"),
            });
        }
    }
    let photometric = find_u32(dec, 262, page, "PhotometricInterpretation")?.unwrap_or(0);
    let min_is_black = match photometric {
        0 => false,
        1 => true,
        p => {
            return Err(TiffError::Unsupported {
                page,
                what: format!("PhotometricInterpretation {p}"),
            })
        }
    };
    let fill_order = match find_u32(dec, 266, page, "FillOrder")?.unwrap_or(1) {
        1 => FillOrder::MsbFirst,
        2 => FillOrder::LsbFirst,
        f => {
            return Err(TiffError::BadTag {
                page,
                tag: "FillOrder",
                detail: format!("{f} (must be 1 or 2)"),
            })
        }
    };
    let compression = match find_u32(dec, 259, page, "Compression")?.unwrap_or(1) {
        1 => Compression::None,
        2 => Compression::Rle,
        3 => Compression::T4(T4Options::from_bits(
            find_u32(dec, TAG_T4_OPTIONS, page, "T4Options")?.unwrap_or(0),
        )),
        4 => Compression::T6 {
            uncompressed: find_u32(dec, TAG_T6_OPTIONS, page, "T6Options")?.unwrap_or(0) & 2 != 0,
        },
        c => {
            return Err(TiffError::Unsupported {
                page,
                what: format!("Compression {c} (fax pages use 1, 2, 3 or 4)"),
            })
        }
    };

    let resolution = read_resolution(dec, page)?;
    let page_number = match find(dec, TAG_PAGE_NUMBER)? {
        Some(v) => {
            let l = u64_list(v, page, "PageNumber")?;
            match l.as_slice() {
                [a, b] => Some((
                    u16::try_from(*a).unwrap_or(u16::MAX),
                    u16::try_from(*b).unwrap_or(u16::MAX),
                )),
                _ => None,
            }
        }
        None => None,
    };
    let fax = FaxTags {
        bad_fax_lines: find_u32(dec, TAG_BAD_FAX_LINES, page, "BadFaxLines")?,
        clean_fax_data: match find_u32(dec, TAG_CLEAN_FAX_DATA, page, "CleanFaxData")? {
            None => None,
            Some(0) => Some(CleanFaxData::Clean),
            Some(1) => Some(CleanFaxData::Regenerated),
            Some(_) => Some(CleanFaxData::Unclean),
        },
        consecutive_bad_fax_lines: find_u32(
            dec,
            TAG_CONSECUTIVE_BAD_FAX_LINES,
            page,
            "ConsecutiveBadFaxLines",
        )?,
    };

    if find(dec, 324)?.is_some() {
        return Err(TiffError::Unsupported {
            page,
            what: "tiled images".into(),
        });
    }
    let offsets = u64_list(
        find(dec, 273)?.ok_or(TiffError::MissingTag {
            page,
            tag: "StripOffsets",
        })?,
        page,
        "StripOffsets",
    )?;
    let counts = match find(dec, 279)? {
        Some(v) => u64_list(v, page, "StripByteCounts")?,
        None if offsets.len() == 1 && compression == Compression::None => {
            vec![stride * u64::from(rows)]
        }
        None => {
            return Err(TiffError::MissingTag {
                page,
                tag: "StripByteCounts",
            })
        }
    };
    if offsets.len() != counts.len() || offsets.is_empty() {
        return Err(TiffError::BadTag {
            page,
            tag: "StripOffsets/StripByteCounts",
            detail: format!("{} offsets but {} byte counts", offsets.len(), counts.len()),
        });
    }
    let rows_per_strip = find_u32(dec, 278, page, "RowsPerStrip")?
        .unwrap_or(rows)
        .clamp(1, rows);
    let strips_needed = rows.div_ceil(rows_per_strip) as usize;
    if offsets.len() < strips_needed {
        return Err(TiffError::BadTag {
            page,
            tag: "StripOffsets",
            detail: format!(
                "{} strips for {rows} rows at {rows_per_strip} rows per strip (need {strips_needed})",
                offsets.len()
            ),
        });
    }

    let strip_slice = |i: usize| -> Result<&[u8], TiffError> {
        let (off, len) = (offsets[i], counts[i]);
        let end = off.checked_add(len);
        match end {
            Some(end) if end <= bytes.len() as u64 => Ok(&bytes[off as usize..end as usize]),
            _ => Err(TiffError::Truncated {
                page,
                strip: i,
                offset: off,
                len,
                file_len: bytes.len(),
            }),
        }
    };

    let data = if compression == Compression::None {
        let stride = stride as usize;
        // The strips must hold every row, so the file size bounds this allocation.
        let mut data = Vec::with_capacity((stride * rows as usize).min(bytes.len()));
        for (i, &offset) in offsets.iter().enumerate().take(strips_needed) {
            let strip_rows = (rows - i as u32 * rows_per_strip).min(rows_per_strip) as usize;
            let need = strip_rows * stride;
            let s = strip_slice(i)?;
            if s.len() < need {
                return Err(TiffError::Truncated {
                    page,
                    strip: i,
                    offset,
                    len: need as u64,
                    file_len: bytes.len(),
                });
            }
            data.extend_from_slice(&s[..need]);
        }
        if fill_order == FillOrder::LsbFirst {
            data.iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        if min_is_black {
            data.iter_mut().for_each(|b| *b = !*b);
        }
        clear_padding(&mut data, width);
        PageData::Bitmap(Bitmap {
            width,
            height: rows,
            data,
        })
    } else {
        let mut strips = Vec::with_capacity(strips_needed);
        for i in 0..strips_needed {
            let strip_rows = (rows - i as u32 * rows_per_strip).min(rows_per_strip);
            strips.push(Strip {
                rows: strip_rows,
                data: strip_slice(i)?.to_vec(),
            });
        }
        PageData::Coded(CodedData {
            compression,
            fill_order,
            min_is_black,
            strips,
        })
    };
    Ok(Page {
        width,
        rows,
        resolution,
        page_number,
        fax,
        data,
    })
}

/// Zero the unused low bits of the last byte of every row, so bitmaps compare equal.
pub(crate) fn clear_padding(data: &mut [u8], width: u32) {
    let stride = (width as usize).div_ceil(8);
    let rem = width % 8;
    if rem == 0 || stride == 0 {
        return;
    }
    let mask = 0xffu8 << (8 - rem);
    for row in data.chunks_exact_mut(stride) {
        row[stride - 1] &= mask;
    }
}

fn read_resolution(
    dec: &mut Decoder<Cursor<&[u8]>>,
    page: usize,
) -> Result<Option<Resolution>, TiffError> {
    let x = find(dec, 282)?
        .map(|v| rational(v, page, "XResolution"))
        .transpose()?;
    let y = find(dec, 283)?
        .map(|v| rational(v, page, "YResolution"))
        .transpose()?;
    let unit = match find_u32(dec, 296, page, "ResolutionUnit")?.unwrap_or(2) {
        1 => ResolutionUnit::None,
        3 => ResolutionUnit::Centimeter,
        _ => ResolutionUnit::Inch,
    };
    Ok(match (x, y) {
        (Some(x), Some(y)) => Some(Resolution { x, y, unit }),
        (Some(x), None) => Some(Resolution { x, y: x, unit }),
        _ => None,
    })
}
