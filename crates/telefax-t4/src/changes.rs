//! Rows as lists of changing elements (T.4 §4.2.1.3.1): the positions where
//! the colour changes, starting from an imaginary white pixel left of the row.
//! Even indices are white-to-black changes, odd indices black-to-white.

/// The changing elements of a packed row (only the first `width` pixels count).
///
/// The row is read 64 pixels at a time; `w ^ (w >> 1 | previous pixel)` has
/// a bit set exactly where a pixel differs from the one before it, and
/// those bits are the changing elements (T.4 §4.2.1.3.1).
pub(crate) fn from_row(row: &[u8], width: u32, out: &mut Vec<u32>) {
    out.clear();
    // All-white rows are common (margins, blank lines): one vectorised OR
    // over the row finds them.
    if row.iter().fold(0u8, |a, &b| a | b) == 0 {
        return;
    }
    let mut carry = 0u64;
    let mut base = 0u32;
    let mut chunks = row.chunks_exact(8);
    let mut word = |w: u64, base: u32, carry: &mut u64| -> bool {
        let mut d = w ^ (w >> 1 | *carry << 63);
        *carry = w & 1;
        while d != 0 {
            let lz = d.leading_zeros();
            let p = base + lz;
            if p >= width {
                return false;
            }
            out.push(p);
            d ^= 1u64 << (63 - lz);
        }
        true
    };
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        if !word(u64::from_be_bytes(a), base, &mut carry) {
            return;
        }
        base += 64;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        word(u64::from_be_bytes(a), base, &mut carry);
    }
}

/// Store one 64-pixel word at byte offset `at` (the last word may be cut
/// short by the end of the row).
#[inline(always)]
fn store(row: &mut [u8], at: usize, word: u64) {
    let bytes = word.to_be_bytes();
    if let Some(s) = row.get_mut(at..at + 8) {
        s.copy_from_slice(&bytes);
    } else if let Some(s) = row.get_mut(at..) {
        let n = s.len().min(8);
        s[..n].copy_from_slice(&bytes[..n]);
    }
}

/// Render a list of changing elements into a packed row of `width` pixels,
/// overwriting every byte of `row` (no need to clear it first). Pixels are
/// built up 64 at a time in a register and stored once per word, so short
/// runs cost no memory traffic of their own.
pub(crate) fn to_row(changes: &[u32], width: u32, row: &mut [u8]) {
    let mut w = Words {
        row,
        acc: 0,
        base: 0,
        at: 0,
    };
    let mut pos = 0u32;
    let mut pairs = changes.chunks_exact(2);
    for pair in &mut pairs {
        let a = pair[0].clamp(pos, width);
        let b = pair[1].clamp(a, width);
        w.black(a, b);
        pos = b;
    }
    if let [a] = *pairs.remainder() {
        let a = a.clamp(pos, width);
        w.black(a, width);
    }
    // Flush the last word; the rest of the row is white.
    store(w.row, w.at, w.acc);
    if let Some(rest) = w.row.get_mut(w.at + 8..) {
        rest.fill(0);
    }
}

/// A row being written 64 pixels at a time.
struct Words<'a> {
    row: &'a mut [u8],
    /// Pixels of the current word, first pixel in bit 63.
    acc: u64,
    /// First pixel of the current word.
    base: u32,
    /// Byte offset of the current word in `row`.
    at: usize,
}

impl Words<'_> {
    /// Paint the black run `a..b` (`a <= b`, both at or after the current
    /// word); the white run before it costs only the words it completes.
    #[inline(always)]
    fn black(&mut self, a: u32, b: u32) {
        while a >= self.base + 64 {
            store(self.row, self.at, self.acc);
            self.acc = 0;
            self.base += 64;
            self.at += 8;
        }
        if b < self.base + 64 {
            self.acc |= (u64::MAX >> (a - self.base)) & !(u64::MAX >> (b - self.base));
        } else {
            self.acc |= u64::MAX >> (a - self.base);
            store(self.row, self.at, self.acc);
            self.base += 64;
            self.at += 8;
            while b >= self.base + 64 {
                store(self.row, self.at, u64::MAX);
                self.base += 64;
                self.at += 8;
            }
            self.acc = !(u64::MAX >> (b - self.base));
        }
    }
}

/// Render a list of changing elements into a row (alias of [`to_row`],
/// kept for the whole-page sink).
#[inline]
pub(crate) fn paint(changes: &[u32], width: u32, row: &mut [u8]) {
    to_row(changes, width, row);
}

/// Append the reference-line sentinels (three times `width`) so b1 and b2
/// always exist (T.4 §4.2.1.3.1: b1/b2 default to the imaginary pixel after
/// the row end).
pub(crate) fn add_sentinels(list: &mut Vec<u32>, width: u32) {
    list.extend_from_slice(&[width, width, width]);
}

/// Find b1 (T.4 §4.2.1.3.1): the first changing element on the reference
/// line right of `a0` of opposite colour to `a0`'s colour (`colour` is 0 for
/// white, 1 for black). `j` is a cursor kept between calls. Returns the index.
#[inline(always)]
pub(crate) fn find_b1(refc: &[u32], j: &mut usize, a0: i32, colour: usize) -> usize {
    // a0 never moves left within a row, and the previous b1 search left
    // `refc[*j - 2] <= a0`, so at most one step back is needed.
    let mut k = *j;
    if k > 0 && refc[k - 1] as i32 > a0 {
        k -= 1;
    }
    while (refc[k] as i32) <= a0 {
        k += 1;
    }
    if k & 1 != colour {
        k += 1;
    }
    *j = k;
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_patterns() {
        for width in [
            1u32, 7, 8, 9, 63, 64, 65, 100, 127, 128, 129, 1728, 2000, 4864,
        ] {
            let stride = width.div_ceil(8) as usize;
            for seed in 0..50u32 {
                let mut row = vec![0u8; stride];
                let mut x = seed.wrapping_mul(2654435761).wrapping_add(width);
                for b in &mut row {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    *b = x as u8;
                }
                if width % 8 != 0 {
                    row[stride - 1] &= !(0xFF >> (width % 8));
                }
                let mut ch = Vec::new();
                from_row(&row, width, &mut ch);
                // Rendering overwrites whatever the row held.
                let mut back = vec![0xA5u8; stride];
                to_row(&ch, width, &mut back);
                assert_eq!(row, back, "width {width} seed {seed}");
                assert!(ch.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}
