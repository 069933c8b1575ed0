//! PDF output: every page as one CCITTFaxDecode (T.6) image XObject (ISO 32000-1 §7.4.6).
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref};

use crate::codec::{Target, TargetCoding};
use crate::page::{Compression, FillOrder, Page, PageData};
use crate::TiffError;

/// Resolution assumed for a page whose file states none: T.4 fine, 204 x 196 dpi.
const DEFAULT_DPI: (f64, f64) = (204.0, 196.0);

/// The G4 bytes (MSB first, as PDF's CCITTFaxDecode wants) and whether black is a 0 code.
fn g4_bytes(page: &Page, index: usize) -> Result<(Vec<u8>, bool), TiffError> {
    if let PageData::Coded(c) = &page.data {
        if let (
            Compression::T6 {
                uncompressed: false,
            },
            [strip],
        ) = (c.compression, c.strips.as_slice())
        {
            // Embed the page's own T.6 data unchanged (only the bit order may be reversed).
            let mut data = strip.data.clone();
            if c.fill_order == FillOrder::LsbFirst {
                data.iter_mut().for_each(|b| *b = b.reverse_bits());
            }
            return Ok((data, c.min_is_black));
        }
    }
    let target = Target {
        coding: TargetCoding::Mmr,
        fill_order: FillOrder::MsbFirst,
        byte_aligned_eol: false,
    };
    let coded = page.encode(&target).map_err(|e| e.with_page(index))?;
    match coded.data {
        PageData::Coded(c) => Ok((
            c.strips
                .into_iter()
                .next()
                .map(|s| s.data)
                .unwrap_or_default(),
            false,
        )),
        PageData::Bitmap(_) => unreachable!("encode to MMR yields coded data"),
    }
}

/// Write the pages as a PDF document, one image per page, sized from the page resolution.
///
/// A page already coded as single-strip T.6 is embedded unchanged (K = -1, Columns, Rows);
/// others are re-coded to T.6 first. Pages without a resolution are taken as 204 x 196 dpi.
pub fn write_pdf(pages: &[Page]) -> Result<Vec<u8>, TiffError> {
    if pages.is_empty() {
        return Err(TiffError::NoPages);
    }
    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let tree_id = Ref::new(2);
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(3 + 3 * i as i32))
        .collect();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    let image_name = Name(b"Im1");
    for (i, page) in pages.iter().enumerate() {
        let page_id = page_ids[i];
        let image_id = Ref::new(page_id.get() + 1);
        let content_id = Ref::new(page_id.get() + 2);
        let (x_dpi, y_dpi) = page.resolution.and_then(|r| r.dpi()).unwrap_or(DEFAULT_DPI);
        let w_pt = (f64::from(page.width) / x_dpi * 72.0) as f32;
        let h_pt = (f64::from(page.rows) / y_dpi * 72.0) as f32;

        let (data, min_is_black) = g4_bytes(page, i)?;
        let mut image = pdf.image_xobject(image_id, &data);
        image.filter(Filter::CcittFaxDecode);
        image
            .decode_parms()
            .k(-1)
            .columns(page.width as i32)
            .rows(page.rows as i32)
            .black_is_1(false);
        image.width(page.width as i32);
        image.height(page.rows as i32);
        image.color_space().device_gray();
        image.bits_per_component(1);
        if min_is_black {
            image.decode([1.0, 0.0]);
        }
        image.finish();

        let mut p = pdf.page(page_id);
        p.media_box(Rect::new(0.0, 0.0, w_pt, h_pt));
        p.parent(tree_id);
        p.contents(content_id);
        p.resources().x_objects().pair(image_name, image_id);
        p.finish();

        let mut content = Content::new();
        content.save_state();
        content.transform([w_pt, 0.0, 0.0, h_pt, 0.0, 0.0]);
        content.x_object(image_name);
        content.restore_state();
        pdf.stream(content_id, &content.finish());
    }
    Ok(pdf.finish())
}
