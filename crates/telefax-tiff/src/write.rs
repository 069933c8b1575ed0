//! Writing TIFF Class F documents: pre-coded strips through the `tiff` crate's
//! `DirectoryEncoder`, any tag, any number of pages.
use std::io::Cursor;

use tiff::encoder::{Rational as TiffRational, TiffEncoder};
use tiff::tags::Tag;

use crate::page::{CleanFaxData, Compression, FillOrder, Page, PageData};
use crate::TiffError;

/// Options of [`write_document`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOptions {
    /// The Software tag (305), if any.
    pub software: Option<String>,
    /// Write PageNumber (297) as (index, count) on every page, replacing what the pages carry.
    pub number_pages: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            software: Some(concat!("telefax ", env!("CARGO_PKG_VERSION")).to_string()),
            number_pages: true,
        }
    }
}

fn tag(t: u16) -> Tag {
    Tag::from_u16_exhaustive(t)
}

/// Write pages as a TIFF Class F document (TIFF 6 with the Class F tags).
///
/// Coded pages are written strip for strip exactly as they are (no re-coding); bitmap pages
/// are written uncompressed (Compression 1, min-is-white, FillOrder 1). Use
/// [`Page::encode`](crate::Page::encode) first to write a bitmap in a fax coding.
pub fn write_document(pages: &[Page], options: &WriteOptions) -> Result<Vec<u8>, TiffError> {
    if pages.is_empty() {
        return Err(TiffError::NoPages);
    }
    let mut cursor = Cursor::new(Vec::new());
    let mut encoder = TiffEncoder::new(&mut cursor).map_err(TiffError::Write)?;
    let count = u16::try_from(pages.len()).unwrap_or(u16::MAX);
    for (index, page) in pages.iter().enumerate() {
        write_page(&mut encoder, page, index, count, options)?;
    }
    Ok(cursor.into_inner())
}

fn write_page<W: std::io::Write + std::io::Seek>(
    encoder: &mut TiffEncoder<W>,
    page: &Page,
    index: usize,
    count: u16,
    options: &WriteOptions,
) -> Result<(), TiffError> {
    let w = TiffError::Write;
    // Collect the strips (rows, bytes) and the compression-specific tags first.
    let uncompressed;
    let (compression, fill_order, min_is_black, strips): (_, _, _, Vec<(u32, &[u8])>) =
        match &page.data {
            PageData::Bitmap(b) => {
                let need = (b.width as usize).div_ceil(8) * b.height as usize;
                if b.width != page.width || b.height != page.rows || b.data.len() != need {
                    return Err(TiffError::BitmapSize {
                        page: index,
                        width: page.width,
                        rows: page.rows,
                        need: (page.width as usize).div_ceil(8) * page.rows as usize,
                        got: b.data.len(),
                    });
                }
                uncompressed = &b.data[..];
                (
                    Compression::None,
                    FillOrder::MsbFirst,
                    false,
                    vec![(page.rows, uncompressed)],
                )
            }
            PageData::Coded(c) => (
                c.compression,
                c.fill_order,
                c.min_is_black,
                c.strips.iter().map(|s| (s.rows, &s.data[..])).collect(),
            ),
        };
    let rows_per_strip = if strips.len() > 1 {
        strips[0].0.max(1)
    } else {
        page.rows
    };

    let mut dir = encoder.image_directory().map_err(w)?;
    let mut offsets = Vec::with_capacity(strips.len());
    let mut counts = Vec::with_capacity(strips.len());
    for (_, data) in &strips {
        let off = dir.write_data(*data).map_err(w)?;
        offsets.push(u32::try_from(off).map_err(|_| TiffError::Unsupported {
            page: index,
            what: "documents over 4 GiB (BigTIFF)".into(),
        })?);
        counts.push(u32::try_from(data.len()).unwrap_or(u32::MAX));
    }
    // NewSubfileType: bit 1 = "single page of a multi-page image" (TIFF Class F).
    dir.write_tag(tag(254), 2u32).map_err(w)?;
    dir.write_tag(Tag::ImageWidth, page.width).map_err(w)?;
    dir.write_tag(Tag::ImageLength, page.rows).map_err(w)?;
    dir.write_tag(Tag::BitsPerSample, 1u16).map_err(w)?;
    dir.write_tag(Tag::Compression, compression.tag_value())
        .map_err(w)?;
    dir.write_tag(Tag::PhotometricInterpretation, u16::from(min_is_black))
        .map_err(w)?;
    dir.write_tag(tag(266), fill_order.to_u16()).map_err(w)?;
    dir.write_tag(Tag::StripOffsets, &offsets[..]).map_err(w)?;
    dir.write_tag(Tag::SamplesPerPixel, 1u16).map_err(w)?;
    dir.write_tag(Tag::RowsPerStrip, rows_per_strip)
        .map_err(w)?;
    dir.write_tag(Tag::StripByteCounts, &counts[..])
        .map_err(w)?;
    if let Some(r) = page.resolution {
        dir.write_tag(
            Tag::XResolution,
            TiffRational {
                n: r.x.num,
                d: r.x.den,
            },
        )
        .map_err(w)?;
        dir.write_tag(
            Tag::YResolution,
            TiffRational {
                n: r.y.num,
                d: r.y.den,
            },
        )
        .map_err(w)?;
        dir.write_tag(Tag::ResolutionUnit, r.unit.to_u16())
            .map_err(w)?;
    }
    match compression {
        Compression::T4(o) => dir.write_tag(tag(292), o.to_bits()).map_err(w)?,
        Compression::T6 { uncompressed } => dir
            .write_tag(tag(293), if uncompressed { 2u32 } else { 0u32 })
            .map_err(w)?,
        _ => {}
    }
    let page_number = if options.number_pages {
        Some((u16::try_from(index).unwrap_or(u16::MAX), count))
    } else {
        page.page_number
    };
    if let Some((n, total)) = page_number {
        dir.write_tag(tag(297), &[n, total][..]).map_err(w)?;
    }
    if let Some(s) = &options.software {
        dir.write_tag(Tag::Software, s.as_str()).map_err(w)?;
    }
    if let Some(n) = page.fax.bad_fax_lines {
        dir.write_tag(tag(326), n).map_err(w)?;
    }
    if let Some(c) = page.fax.clean_fax_data {
        let v: u16 = match c {
            CleanFaxData::Clean => 0,
            CleanFaxData::Regenerated => 1,
            CleanFaxData::Unclean => 2,
        };
        dir.write_tag(tag(327), v).map_err(w)?;
    }
    if let Some(n) = page.fax.consecutive_bad_fax_lines {
        dir.write_tag(tag(328), n).map_err(w)?;
    }
    dir.finish().map_err(w)?;
    Ok(())
}
