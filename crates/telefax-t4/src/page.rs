//! Whole-page helpers and transcoding.

use crate::changes::paint;
use crate::decoder::RowOut;
use crate::{Bitmap, DecodeOptions, Decoder, EncodeOptions, Encoder, PageStats, T4Error};

/// Renders rows straight into a bitmap's storage (one write per pixel byte).
struct IntoBitmap<'a> {
    data: &'a mut Vec<u8>,
    stride: usize,
    width: u32,
}

impl RowOut for IntoBitmap<'_> {
    #[inline]
    fn good(&mut self, cur: &[u32], width: u32, _pixels: &mut [u8]) {
        let start = self.data.len();
        self.data.resize(start + self.stride, 0);
        // An all-white row (common on real pages) is already done.
        if !cur.is_empty() {
            paint(cur, width, &mut self.data[start..]);
        }
    }
    #[inline]
    fn repeat(&mut self, cur: &[u32], width: u32, pixels: &mut [u8]) {
        // The row delivered last, copied (there is one unless the first row
        // has changes, which no reference line of a page start has).
        match self.data.len().checked_sub(self.stride) {
            Some(last) => self.data.extend_from_within(last..),
            None => self.good(cur, width, pixels),
        }
    }
    #[inline]
    fn white(&mut self, rows: u32, _width: u32, _pixels: &mut [u8]) {
        let start = self.data.len();
        self.data.resize(start + self.stride * rows as usize, 0);
    }
    fn bad(&mut self, _pixels: &[u8], changes: &[u32]) {
        // `changes` is the last good row (the reference line).
        let start = self.data.len();
        self.data.resize(start + self.stride, 0);
        if !changes.is_empty() {
            paint(changes, self.width, &mut self.data[start..]);
        }
    }
}

/// Decode a whole page held in memory. Damaged rows are repaired and
/// counted in the stats; errors are only hard failures (bad options, row
/// limit). Decoding stops at the end marker.
///
/// ```
/// use telefax_t4::{decode_page, encode_page, Bitmap, Coding, DecodeOptions, EncodeOptions};
/// let mut page = Bitmap::new(64, 4);
/// page.set(3, 2, true);
/// let coded = encode_page(&page, &EncodeOptions::new(Coding::Mh)).unwrap();
/// let (back, stats) = decode_page(&coded, &DecodeOptions::new(Coding::Mh, 64)).unwrap();
/// assert_eq!((back, stats.bad_rows), (page, 0));
/// ```
pub fn decode_page(data: &[u8], opts: &DecodeOptions) -> Result<(Bitmap, PageStats), T4Error> {
    let mut page = Bitmap::with_width(opts.width);
    let stats = decode_page_into(data, opts, &mut page)?;
    Ok((page, stats))
}

/// As [`decode_page`], reusing `page`'s storage (its old content is
/// replaced; width and height are set from the options and the data).
/// On error `page` holds the rows decoded before it.
pub fn decode_page_into(
    data: &[u8],
    opts: &DecodeOptions,
    page: &mut Bitmap,
) -> Result<PageStats, T4Error> {
    let mut dec = Decoder::new(opts.clone())?;
    page.width = opts.width;
    page.height = 0;
    page.data.clear();
    let stride = Bitmap::stride_for(opts.width);
    // Room for a long A4 page at fine resolution; grows if needed.
    page.data
        .reserve(stride * (opts.max_rows.min(2400) as usize));
    let mut sink = IntoBitmap {
        data: &mut page.data,
        stride,
        width: opts.width,
    };
    let r = dec
        .push_to(data, &mut sink)
        .and_then(|_| dec.finish_to(&mut sink));
    page.height = (page.data.len() / stride.max(1)) as u32;
    r
}

/// Encode a whole page.
pub fn encode_page(bitmap: &Bitmap, opts: &EncodeOptions) -> Result<Vec<u8>, T4Error> {
    let stride = bitmap.stride();
    let expected = stride * bitmap.height as usize;
    if bitmap.data.len() != expected {
        return Err(T4Error::BitmapSize {
            width: bitmap.width,
            height: bitmap.height,
            expected,
            got: bitmap.data.len(),
        });
    }
    let mut enc = Encoder::new(bitmap.width, opts.clone())?;
    let mut out = Vec::with_capacity(expected / 8 + 64);
    if stride > 0 {
        for row in bitmap.data.chunks_exact(stride) {
            enc.encode_row(row, &mut out)?;
        }
    }
    enc.finish(&mut out);
    Ok(out)
}

/// Convert coded data from one coding (or bit order, or framing) to
/// another, row by row, without building a bitmap (T.30 senders use this
/// when the negotiated coding differs from the stored one). Damaged rows
/// arrive repaired, as in [`decode_page`].
///
/// ```
/// use telefax_t4::{encode_page, transcode, decode_page, Bitmap, Coding, DecodeOptions, EncodeOptions};
/// let mut page = Bitmap::new(200, 10);
/// for y in 0..10 { page.set(y * 7, y, true); }
/// let mh = encode_page(&page, &EncodeOptions::new(Coding::Mh)).unwrap();
/// let (mmr, _) = transcode(&mh, &DecodeOptions::new(Coding::Mh, 200), &EncodeOptions::new(Coding::Mmr)).unwrap();
/// let (back, _) = decode_page(&mmr, &DecodeOptions::new(Coding::Mmr, 200)).unwrap();
/// assert_eq!(back, page);
/// ```
pub fn transcode(
    data: &[u8],
    from: &DecodeOptions,
    to: &EncodeOptions,
) -> Result<(Vec<u8>, PageStats), T4Error> {
    let mut dec = Decoder::new(from.clone())?;
    let mut enc = Encoder::new(from.width, to.clone())?;
    let mut out = Vec::with_capacity(data.len() + 64);
    dec.push_changes(data, |ch| enc.encode_changes(ch, &mut out))?;
    let stats = dec.finish_changes(|ch| enc.encode_changes(ch, &mut out))?;
    enc.finish(&mut out);
    Ok((out, stats))
}
