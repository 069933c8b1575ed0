//! Rows as lists of changing elements (T.4 §4.2.1.3.1): the positions where
//! the colour changes, starting from an imaginary white pixel left of the row.
//! Even indices are white-to-black changes, odd indices black-to-white.

/// Position of the first pixel at or after `pos` that is black (`black`)
/// or white (`!black`); `width` if none.
#[inline]
fn find(row: &[u8], width: u32, pos: u32, black: bool) -> u32 {
    let inv: u8 = if black { 0 } else { 0xFF };
    let mut i = (pos / 8) as usize;
    let n = row.len();
    if i >= n {
        return width;
    }
    let b = (row[i] ^ inv) & (0xFF >> (pos % 8));
    if b != 0 {
        return (i as u32 * 8 + b.leading_zeros()).min(width);
    }
    i += 1;
    let inv64 = if black { 0 } else { u64::MAX };
    while let Some(s) = row.get(i..i + 8) {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        let w = u64::from_be_bytes(a) ^ inv64;
        if w != 0 {
            return (i as u32 * 8 + w.leading_zeros()).min(width);
        }
        i += 8;
    }
    while i < n {
        let b = row[i] ^ inv;
        if b != 0 {
            return (i as u32 * 8 + b.leading_zeros()).min(width);
        }
        i += 1;
    }
    width
}

/// The changing elements of a packed row (only the first `width` pixels count).
pub(crate) fn from_row(row: &[u8], width: u32, out: &mut Vec<u32>) {
    out.clear();
    let mut pos = 0;
    let mut black = true;
    loop {
        let p = find(row, width, pos, black);
        if p >= width {
            break;
        }
        out.push(p);
        black = !black;
        pos = p;
    }
}

/// Set pixels `a..b` black.
#[inline]
fn fill_black(row: &mut [u8], a: u32, b: u32) {
    if a >= b {
        return;
    }
    let (ia, ib) = ((a / 8) as usize, (b / 8) as usize);
    let head = 0xFFu8 >> (a % 8);
    let tail = !(0xFFu8 >> (b % 8));
    if ia == ib {
        row[ia] |= head & tail;
    } else {
        row[ia] |= head;
        row[ia + 1..ib].fill(0xFF);
        if b % 8 != 0 {
            row[ib] |= tail;
        }
    }
}

/// Render a list of changing elements into a packed row of `width` pixels.
pub(crate) fn to_row(changes: &[u32], width: u32, row: &mut [u8]) {
    row.fill(0);
    paint(changes, width, row);
}

/// Set the black runs of a list of changing elements in an all-white row.
#[inline]
pub(crate) fn paint(changes: &[u32], width: u32, row: &mut [u8]) {
    let mut it = changes.chunks(2);
    for pair in &mut it {
        let a = pair[0].min(width);
        let b = pair.get(1).copied().unwrap_or(width).min(width);
        fill_black(row, a, b);
    }
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
    let mut k = *j;
    while k > 0 && refc[k - 1] as i32 > a0 {
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
        for width in [1u32, 7, 8, 9, 63, 64, 65, 100, 1728] {
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
                let mut back = vec![0u8; stride];
                to_row(&ch, width, &mut back);
                assert_eq!(row, back, "width {width} seed {seed}");
                assert!(ch.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}
