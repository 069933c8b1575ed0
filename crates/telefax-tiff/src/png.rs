//! PNG preview of a page: 1-bit grayscale (PNG §11.2.2, colour type 0, bit depth 1).
use telefax_t4::Bitmap;

use crate::TiffError;

/// Encode a bitmap (1 = black) as a 1-bit grayscale PNG (where 0 = black).
pub fn write_png(bitmap: &Bitmap) -> Result<Vec<u8>, TiffError> {
    let stride = (bitmap.width as usize).div_ceil(8);
    if bitmap.data.len() != stride * bitmap.height as usize {
        return Err(TiffError::BitmapSize {
            page: 0,
            width: bitmap.width,
            rows: bitmap.height,
            need: stride * bitmap.height as usize,
            got: bitmap.data.len(),
        });
    }
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, bitmap.width, bitmap.height);
    encoder.set_color(::png::ColorType::Grayscale);
    encoder.set_depth(::png::BitDepth::One);
    let mut writer = encoder
        .write_header()
        .map_err(|e| TiffError::Png(e.to_string()))?;
    let inverted: Vec<u8> = bitmap.data.iter().map(|b| !b).collect();
    writer
        .write_image_data(&inverted)
        .map_err(|e| TiffError::Png(e.to_string()))?;
    writer.finish().map_err(|e| TiffError::Png(e.to_string()))?;
    Ok(out)
}
