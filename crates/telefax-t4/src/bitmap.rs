//! A bilevel page held in memory.

/// A bilevel image: packed rows, MSB-first within each byte, 1 = black
/// (the convention of T.4 §2.1 pixels read left to right).
///
/// Row `y` occupies `data[y * stride .. (y + 1) * stride]` with
/// `stride = (width + 7) / 8`; bits past `width` in the last byte are 0.
///
/// ```
/// use telefax_t4::Bitmap;
/// let mut page = Bitmap::new(10, 2);
/// page.set(9, 1, true);
/// assert!(page.get(9, 1));
/// assert_eq!(page.row(1), &[0x00, 0x40]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bitmap {
    /// Width in pixels.
    pub width: u32,
    /// Height in rows.
    pub height: u32,
    /// Packed rows, `stride()` bytes each.
    pub data: Vec<u8>,
}

impl Bitmap {
    /// An all-white page of `width` x `height` pixels.
    pub fn new(width: u32, height: u32) -> Self {
        let stride = Self::stride_for(width);
        Bitmap {
            width,
            height,
            data: vec![0; stride * height as usize],
        }
    }

    /// An empty page (height 0) of the given width, ready for [`Bitmap::push_row`].
    pub fn with_width(width: u32) -> Self {
        Self::new(width, 0)
    }

    /// Bytes per row for a given width: `(width + 7) / 8`.
    pub fn stride_for(width: u32) -> usize {
        (width as usize).div_ceil(8)
    }

    /// Bytes per row.
    pub fn stride(&self) -> usize {
        Self::stride_for(self.width)
    }

    /// Row `y` (panics if `y >= height`, like slice indexing).
    pub fn row(&self, y: u32) -> &[u8] {
        let s = self.stride();
        &self.data[y as usize * s..(y as usize + 1) * s]
    }

    /// Row `y`, mutable (panics if `y >= height`).
    pub fn row_mut(&mut self, y: u32) -> &mut [u8] {
        let s = self.stride();
        &mut self.data[y as usize * s..(y as usize + 1) * s]
    }

    /// Pixel at (`x`, `y`); `true` = black. Out of range reads white.
    pub fn get(&self, x: u32, y: u32) -> bool {
        if x >= self.width || y >= self.height {
            return false;
        }
        let i = y as usize * self.stride() + (x / 8) as usize;
        self.data[i] & (0x80 >> (x % 8)) != 0
    }

    /// Set pixel (`x`, `y`); `true` = black. Out of range writes are ignored.
    pub fn set(&mut self, x: u32, y: u32, black: bool) {
        if x >= self.width || y >= self.height {
            return;
        }
        let i = y as usize * self.stride() + (x / 8) as usize;
        let m = 0x80 >> (x % 8);
        if black {
            self.data[i] |= m;
        } else {
            self.data[i] &= !m;
        }
    }

    /// Append a row (its first `stride()` bytes; missing bytes read white).
    /// Bits past `width` are cleared.
    pub fn push_row(&mut self, row: &[u8]) {
        let s = self.stride();
        let start = self.data.len();
        let n = row.len().min(s);
        self.data.extend_from_slice(&row[..n]);
        self.data.resize(start + s, 0);
        if self.width % 8 != 0 && s > 0 {
            self.data[start + s - 1] &= !(0xFFu8 >> (self.width % 8));
        }
        self.height += 1;
    }

    /// Number of black pixels (handy in tests and reports).
    pub fn count_black(&self) -> u64 {
        self.data.iter().map(|b| u64::from(b.count_ones())).sum()
    }
}
