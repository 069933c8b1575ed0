//! Pages on their way out of and into an [`Endpoint`](super::Endpoint): a document page is
//! re-coded for the negotiated mode (coding, scan-line width, resolution and minimum scan
//! line time) just before it is sent, as fax machines do (T.30 §5.3.6.2.1, T.4 §2 and §4).

use telefax_t30::capabilities::{Coding as T30Coding, Resolution};
use telefax_t30::session::Mode;
use telefax_t4::{min_row_bits, BitOrder, Bitmap, Coding, EncodeOptions, Encoder, T4Error};

/// A page to send: the image and its resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingPage {
    /// The page image (1 = black).
    pub bitmap: Bitmap,
    /// Horizontal resolution in pixels per inch (204 for the 8 pels/mm fax grid).
    pub x_dpi: f32,
    /// Vertical resolution in lines per inch (98 standard, 196 fine, 391 superfine).
    pub y_dpi: f32,
}

impl OutgoingPage {
    /// A page with the given resolution in dots per inch.
    pub fn new(bitmap: Bitmap, x_dpi: f32, y_dpi: f32) -> Self {
        OutgoingPage {
            bitmap,
            x_dpi,
            y_dpi,
        }
    }

    /// The T.30 resolution class closest to this page's resolution (T.30 Table 2 bits 15,
    /// 41-46). Pages at the 8 pels/mm metric grid map to standard, fine or superfine; others
    /// to the inch-based classes.
    pub fn resolution(&self) -> Resolution {
        resolution_from_dpi(self.x_dpi, self.y_dpi)
    }
}

/// The T.30 resolution class nearest to a resolution in dots per inch.
pub fn resolution_from_dpi(x_dpi: f32, y_dpi: f32) -> Resolution {
    let near = |a: f32, b: f32| (a - b).abs() <= b * 0.06;
    if near(x_dpi, 204.0) || near(x_dpi, 200.0) {
        if near(y_dpi, 98.0) || near(y_dpi, 100.0) {
            Resolution::R8x3_85
        } else if near(y_dpi, 196.0) || near(y_dpi, 200.0) {
            Resolution::R8x7_7
        } else if y_dpi > 300.0 {
            Resolution::R8x15_4
        } else if y_dpi < 150.0 {
            Resolution::R8x3_85
        } else {
            Resolution::R8x7_7
        }
    } else if near(x_dpi, 300.0) {
        if y_dpi > 450.0 {
            Resolution::In300x600
        } else {
            Resolution::In300x300
        }
    } else if near(x_dpi, 400.0) || near(x_dpi, 408.0) {
        if y_dpi > 600.0 {
            Resolution::In400x800
        } else {
            Resolution::In400x400
        }
    } else if near(x_dpi, 600.0) {
        if y_dpi > 900.0 {
            Resolution::In600x1200
        } else {
            Resolution::In600x600
        }
    } else if x_dpi > 900.0 {
        Resolution::In1200x1200
    } else if y_dpi > 150.0 {
        Resolution::R8x7_7
    } else {
        Resolution::R8x3_85
    }
}

/// Resolution of a T.30 class in dots per inch `(x, y)` (8 pels/mm is 203.2 dpi; the
/// usual TIFF-F values 204 × 98/196/391 are returned for the metric classes).
pub fn resolution_dpi(res: Resolution) -> (f32, f32) {
    match res {
        Resolution::R8x3_85 => (204.0, 98.0),
        Resolution::R8x7_7 => (204.0, 196.0),
        Resolution::R8x15_4 => (204.0, 391.0),
        Resolution::R16x15_4 => (408.0, 391.0),
        other => (
            100.0 * other.x_halves() as f32,
            other.lines_per_inch() as f32,
        ),
    }
}

/// The T.4 coding of a T.30 coding, with T.4's K for the resolution (T.4 §4.2.1.3.4: K = 2
/// at standard resolution, 4 at fine and above).
pub fn t4_coding(coding: T30Coding, resolution: Resolution) -> Option<Coding> {
    let (_, y) = resolution_dpi(resolution);
    match coding {
        T30Coding::Mh => Some(Coding::Mh),
        T30Coding::Mr => Some(Coding::Mr {
            k: if y < 150.0 { 2 } else { 4 },
        }),
        T30Coding::Mmr => Some(Coding::Mmr),
        _ => None,
    }
}

/// Why a page could not be prepared for sending.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PageError {
    /// The negotiated coding is one this endpoint cannot produce (JBIG, JPEG...).
    #[error("the negotiated coding {0:?} is not supported for sending")]
    Coding(T30Coding),
    /// The page codec refused the page.
    #[error("page coding failed: {0}")]
    T4(#[from] T4Error),
}

/// Re-code `page` for `mode`: scale to the mode's resolution (nearest neighbour, rows
/// dropped or repeated, pixels likewise), fit to the mode's scan-line width (scaled down
/// when wider, padded with white on both sides when narrower), then encode in the mode's
/// coding in line bit order (LSB first), with the fill the minimum scan-line time needs at
/// the mode's bit rate, ending with RTC (T.4 §4.1.4) or EOFB (T.6 §2.4.1.2).
pub fn encode_for_mode(page: &OutgoingPage, mode: &Mode) -> Result<Vec<u8>, PageError> {
    let coding = t4_coding(mode.coding, mode.resolution).ok_or(PageError::Coding(mode.coding))?;
    let (mx, my) = resolution_dpi(mode.resolution);
    let target_w = mode.width.pels(mode.resolution).max(1);
    let src = &page.bitmap;
    // Horizontal: scale by the resolution ratio, then fit into the line.
    let sx = if page.x_dpi > 0.0 {
        mx / page.x_dpi
    } else {
        1.0
    };
    let sx = if (sx - 1.0).abs() < 0.03 { 1.0 } else { sx };
    let scaled_w = ((src.width as f32 * sx).round() as u32).max(1);
    let (content_w, left) = if scaled_w > target_w {
        (target_w, 0)
    } else {
        (scaled_w, (target_w - scaled_w) / 2)
    };
    // Vertical: rows per source row.
    let sy = if page.y_dpi > 0.0 {
        my / page.y_dpi
    } else {
        1.0
    };
    let sy = if (sy - 1.0).abs() < 0.03 { 1.0 } else { sy };
    let rows = ((src.height as f32 * sy).round() as u32).max(1);

    let mut opts = EncodeOptions::new(coding).bit_order(BitOrder::LsbFirst);
    if coding != Coding::Mmr {
        opts.min_row_bits = min_row_bits(u32::from(mode.min_scan_line_ms), mode.modem.bit_rate());
    }
    let mut enc = Encoder::new(target_w, opts)?;
    let mut out = Vec::with_capacity(src.data.len() / 8 + 1024);
    let mut row = vec![0u8; Bitmap::stride_for(target_w)];
    let identity = content_w == src.width && left == 0 && target_w == src.width;
    for y in 0..rows {
        let sy_row =
            ((y as u64 * src.height as u64) / rows as u64).min(src.height as u64 - 1) as u32;
        if src.height == 0 {
            row.fill(0);
        } else if identity {
            row.copy_from_slice(src.row(sy_row));
        } else {
            row.fill(0);
            let s = src.row(sy_row);
            for x in 0..content_w {
                let xs = ((x as u64 * src.width as u64) / content_w as u64) as usize;
                if s[xs / 8] & (0x80 >> (xs % 8)) != 0 {
                    let xd = (x + left) as usize;
                    row[xd / 8] |= 0x80 >> (xd % 8);
                }
            }
        }
        enc.encode_row(&row, &mut out)?;
    }
    enc.finish(&mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use telefax_t30::capabilities::{FastModem, Length, Width};
    use telefax_t4::{decode_page, DecodeOptions};

    fn mode(coding: T30Coding, resolution: Resolution) -> Mode {
        Mode {
            modem: FastModem::V29_9600,
            resolution,
            width: Width::A4,
            length: Length::A4,
            coding,
            min_scan_line_ms: 0,
            ecm_frame_size: None,
        }
    }

    fn page(w: u32, h: u32) -> Bitmap {
        let mut b = Bitmap::new(w, h);
        for y in 0..h {
            b.set((y * 13) % w, y, true);
            b.set(w - 1, y, y % 3 == 0);
        }
        b
    }

    #[test]
    fn same_mode_is_pixel_exact_in_every_coding() {
        let src = page(1728, 60);
        for c in [T30Coding::Mh, T30Coding::Mr, T30Coding::Mmr] {
            let m = mode(c, Resolution::R8x7_7);
            let coded = encode_for_mode(&OutgoingPage::new(src.clone(), 204.0, 196.0), &m).unwrap();
            let t4c = t4_coding(c, m.resolution).unwrap();
            let opts = DecodeOptions::new(t4c, 1728).bit_order(BitOrder::LsbFirst);
            let (back, stats) = decode_page(&coded, &opts).unwrap();
            assert_eq!(stats.bad_rows, 0);
            assert_eq!(back, src, "{c:?}");
        }
    }

    #[test]
    fn fine_page_sent_at_standard_keeps_every_other_row() {
        let src = page(1728, 100);
        let m = mode(T30Coding::Mh, Resolution::R8x3_85);
        let coded = encode_for_mode(&OutgoingPage::new(src.clone(), 204.0, 196.0), &m).unwrap();
        let opts = DecodeOptions::new(Coding::Mh, 1728).bit_order(BitOrder::LsbFirst);
        let (back, _) = decode_page(&coded, &opts).unwrap();
        assert_eq!(back.height, 50);
        for y in 0..50 {
            assert_eq!(back.row(y), src.row(2 * y));
        }
    }

    #[test]
    fn narrow_page_is_centred_in_the_scan_line() {
        let mut src = Bitmap::new(100, 2);
        src.set(0, 0, true);
        let m = mode(T30Coding::Mh, Resolution::R8x3_85);
        let coded = encode_for_mode(&OutgoingPage::new(src, 204.0, 98.0), &m).unwrap();
        let opts = DecodeOptions::new(Coding::Mh, 1728).bit_order(BitOrder::LsbFirst);
        let (back, _) = decode_page(&coded, &opts).unwrap();
        assert_eq!(back.width, 1728);
        assert!(back.get((1728 - 100) / 2, 0));
        assert_eq!(back.count_black(), 1);
    }

    #[test]
    fn resolution_classes_from_dpi() {
        assert_eq!(resolution_from_dpi(204.0, 98.0), Resolution::R8x3_85);
        assert_eq!(resolution_from_dpi(204.0, 196.0), Resolution::R8x7_7);
        assert_eq!(resolution_from_dpi(204.0, 391.0), Resolution::R8x15_4);
        assert_eq!(resolution_from_dpi(300.0, 300.0), Resolution::In300x300);
        assert_eq!(resolution_from_dpi(200.0, 200.0), Resolution::R8x7_7);
    }
}
