//! Rows as lists of changing elements (T.4 §4.2.1.3.1): the positions where
//! the colour changes, starting from an imaginary white pixel left of the row.
//! Even indices are white-to-black changes, odd indices black-to-white.

/// The changing elements of a packed row (only the first `width` pixels
/// count), written to the front of `out`; returns how many. `out` must hold
/// at least `width` entries (a row has at most `width` changes); if it is
/// shorter the list is cut there.
///
/// The row is read 64 pixels at a time; `w ^ (w >> 1 | previous pixel)` has
/// a bit set exactly where a pixel differs from the one before it, and
/// those bits are the changing elements (T.4 §4.2.1.3.1). The word is
/// bit-reversed once so that each element costs a trailing-zero count and
/// a clear-lowest-bit, with no branch per element.
pub(crate) fn from_row(row: &[u8], width: u32, out: &mut [u32]) -> usize {
    // All-white rows are common (margins, blank lines): one vectorised OR
    // over the row finds them.
    if row.iter().fold(0u8, |a, &b| a | b) == 0 {
        return 0;
    }
    let mut n = 0usize;
    let mut carry = 0u64;
    let mut base = 0u32;
    for c in row.chunks(8) {
        if base >= width {
            break;
        }
        let mut a = [0u8; 8];
        a[..c.len()].copy_from_slice(c);
        let w = u64::from_be_bytes(a);
        let mut d = w ^ (w >> 1 | carry << 63);
        carry = w & 1;
        if width - base < 64 {
            // Changes at or past `width` do not count.
            d &= !(u64::MAX >> (width - base));
        }
        // Pixel `base + i` is now bit `i`.
        let mut d = d.reverse_bits();
        if out.len() < n + d.count_ones() as usize {
            // Cannot happen for `out.len() >= width`; keep what fits.
            while d != 0 {
                let Some(slot) = out.get_mut(n) else {
                    return n;
                };
                *slot = base + d.trailing_zeros();
                n += 1;
                d &= d - 1;
            }
        }
        while d != 0 {
            out[n] = base + d.trailing_zeros();
            n += 1;
            d &= d - 1;
        }
        base += 64;
    }
    n
}

/// Pixels rendered per pass of [`to_row`] (the size of its stack scratch).
const SEGMENT_WORDS: usize = 32;
const SEGMENT_PIXELS: u32 = SEGMENT_WORDS as u32 * 64;

/// Colour of every pixel of a word from its transition bits: pixel `k`
/// (bit `63 - k`) is the XOR of the transitions at pixels `0..=k`.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x >> 1;
    x ^= x >> 2;
    x ^= x >> 4;
    x ^= x >> 8;
    x ^= x >> 16;
    x ^= x >> 32;
    x
}

/// Pack eight bytes of 0 or 1 (little-endian, pixel `k` in byte `k`) into
/// one byte with pixel 0 in the most significant bit: the multiplier moves
/// byte `k` to bit `63 - k`, and no two partial products meet in the top
/// byte.
#[inline(always)]
fn pack8(x: u64) -> u64 {
    x.wrapping_mul(0x8040_2010_0804_0201) >> 56
}

/// Render a list of changing elements into a packed row of `width` pixels,
/// overwriting every byte of `row` (no need to clear it first).
///
/// Each changing element marks one transition (a bit toggled in a register
/// while the elements stay in one 64-pixel word, or for dense rows, such
/// as dithered areas, a byte set in a scratch array, which is then packed
/// eight pixels per multiplication), with no branch per element and no
/// read-modify-write of memory; a prefix XOR over each 64-pixel word then
/// turns transitions into pixel colours. Elements must be strictly
/// increasing; entries at or past `width` end the list.
pub(crate) fn to_row(changes: &[u32], width: u32, row: &mut [u8]) {
    let stride = (width as usize).div_ceil(8).min(row.len());
    let (row, rest) = row.split_at_mut(stride);
    rest.fill(0);
    if changes.first().is_none_or(|&c| c >= width) {
        row.fill(0);
        return;
    }
    // Marking bytes costs less per element but a fixed amount per pixel:
    // it pays from about one element in 16 pixels.
    let dense = changes.len() >= (width / 16) as usize;
    let mut scratch = [0u64; SEGMENT_WORDS];
    let mut carry = 0u64;
    let mut idx = 0usize;
    let mut seg_base = 0u32;
    for seg_bytes in row.chunks_mut(SEGMENT_WORDS * 8) {
        let seg_end = (seg_base + SEGMENT_PIXELS).min(width);
        // The elements in this segment.
        let end = if width <= SEGMENT_PIXELS && changes.last().is_some_and(|&c| c < width) {
            // Decoded rows hold no sentinels: no search at all.
            changes.len()
        } else {
            idx + changes[idx..].partition_point(|&c| c < seg_end)
        };
        let seg = &changes[idx..end];
        idx = end;
        if dense {
            const MASK: usize = SEGMENT_PIXELS as usize - 1;
            let mut marks = [0u8; SEGMENT_PIXELS as usize];
            let mut quads = seg.chunks_exact(4);
            for q in &mut quads {
                for &p in q {
                    marks[p.wrapping_sub(seg_base) as usize & MASK] = 1;
                }
            }
            for &p in quads.remainder() {
                marks[p.wrapping_sub(seg_base) as usize & MASK] = 1;
            }
            let words = (seg_end - seg_base).div_ceil(64) as usize;
            for (t, m) in scratch.iter_mut().zip(marks.chunks_exact(64)).take(words) {
                let mut x = 0u64;
                for b in m.chunks_exact(8) {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(b);
                    x = x << 8 | pack8(u64::from_le_bytes(a));
                }
                *t = x;
            }
        } else {
            scratch.fill(0);
            // Scatter: the transition word of the current element is rebuilt
            // in `acc` and stored whole; moving to another word starts from
            // zero.
            let mut acc = 0u64;
            let mut prev_w = usize::MAX;
            for &p in seg {
                let off = p.wrapping_sub(seg_base);
                let wi = (off >> 6) as usize & (SEGMENT_WORDS - 1);
                acc = if wi == prev_w { acc } else { 0 };
                acc ^= 1u64 << (!off & 63);
                scratch[wi] = acc;
                prev_w = wi;
            }
        }
        // Prefix pass, eight bytes at a time (whole words, then the tail).
        let full = seg_bytes.len() / 8;
        let mut words = seg_bytes.chunks_exact_mut(8);
        for (t, out) in scratch.iter().zip(&mut words) {
            let x = prefix_xor(*t) ^ carry;
            carry = (x & 1).wrapping_neg();
            out.copy_from_slice(&x.to_be_bytes());
        }
        let tail = words.into_remainder();
        if !tail.is_empty() {
            let x = prefix_xor(scratch[full % SEGMENT_WORDS]) ^ carry;
            carry = (x & 1).wrapping_neg();
            for (i, b) in tail.iter_mut().enumerate() {
                *b = (x >> (56 - 8 * i)) as u8;
            }
        }
        seg_base += SEGMENT_PIXELS;
    }
    // Pixels past `width` in the last byte are white.
    if width % 8 != 0 {
        if let Some(last) = row.last_mut() {
            *last &= !(0xFFu8 >> (width % 8));
        }
    }
}

/// Rows with at most this many changing elements are painted run by run
/// into a cleared row by [`paint`]; denser rows are rendered by [`to_row`].
const SPARSE_CHANGES: usize = 48;

/// Render a list of changing elements into a row that is all white (zero)
/// already. A sparse row (a signature, a rule, a few glyph strokes) is
/// painted run by run, touching only the bytes of its black runs; a dense
/// one goes through [`to_row`]. Elements must be strictly increasing;
/// entries at or past `width` end the list.
#[inline]
pub(crate) fn paint(changes: &[u32], width: u32, row: &mut [u8]) {
    if changes.len() > SPARSE_CHANGES {
        to_row(changes, width, row);
        return;
    }
    let width = width.min(row.len() as u32 * 8);
    let mut pairs = changes.chunks(2);
    for p in &mut pairs {
        let a = p[0];
        if a >= width {
            break;
        }
        // The black run from `a` to the next change (or the row end).
        let b = p.get(1).map_or(width, |&b| b.min(width));
        if b <= a {
            break;
        }
        let (a, last) = (a as usize, b as usize - 1);
        let head = 0xFFu8 >> (a % 8);
        let tail = 0xFFu8 << (7 - last % 8);
        let (fa, fb) = (a / 8, last / 8);
        if fa == fb {
            row[fa] |= head & tail;
        } else {
            row[fa] |= head;
            row[fa + 1..fb].fill(0xFF);
            row[fb] |= tail;
        }
    }
}

/// How many sentinels (entries equal to `width`) follow the changing
/// elements of a reference line, so b1 and b2 always exist (T.4
/// §4.2.1.3.1: b1/b2 default to the imaginary pixel after the row end) and
/// [`find_b1`] can look four entries ahead.
pub(crate) const SENTINELS: usize = 8;
/// Slack a changing-element buffer keeps past `width` entries: the
/// sentinels, and room for the decoder's unconditional multi-code stores.
pub(crate) const SLACK: usize = 16;

/// The reference line and the coding line of a row codec in one buffer
/// (each `width + SLACK` long). Making the coding line the next reference
/// line flips a flag: swapping two `Vec`s per row rewrote their pointers
/// and lengths in memory just before the next row read them back, a
/// store-forwarding stall on every row.
#[derive(Debug, Clone)]
pub(crate) struct Lines {
    buf: Vec<u32>,
    half: usize,
    flip: bool,
}

impl Lines {
    /// Both lines filled with `width` (sentinels).
    pub(crate) fn new(width: u32) -> Self {
        let half = width as usize + SLACK;
        Lines {
            buf: vec![width; 2 * half],
            half,
            flip: false,
        }
    }

    /// Fill both lines with `width` again.
    pub(crate) fn reset(&mut self, width: u32) {
        self.buf.fill(width);
        self.flip = false;
    }

    /// (reference line, coding line).
    #[inline]
    pub(crate) fn split(&mut self) -> (&mut [u32], &mut [u32]) {
        let (a, b) = self.buf.split_at_mut(self.half);
        if self.flip {
            (b, a)
        } else {
            (a, b)
        }
    }

    /// The reference line.
    #[inline]
    pub(crate) fn refc(&self) -> &[u32] {
        let (a, b) = self.buf.split_at(self.half);
        if self.flip {
            b
        } else {
            a
        }
    }

    /// The coding line becomes the reference line.
    #[inline]
    pub(crate) fn swap(&mut self) {
        self.flip = !self.flip;
    }
}

/// Find b1 (T.4 §4.2.1.3.1): the first changing element on the reference
/// line right of `a0` of opposite colour to `a0`'s colour (`colour` is 0 for
/// white, 1 for black). `j` is a cursor kept between calls. Returns the index.
///
/// a0 never moves left within a row, and the previous search left
/// `refc[*j - 2] <= a0`, so the answer is at or after `*j - 1`; it is
/// almost always within four entries, found by counting the entries
/// `<= a0` in that window (no loop, no data-dependent branch).
#[inline(always)]
pub(crate) fn find_b1(refc: &[u32], j: &mut usize, a0: i32, colour: usize) -> usize {
    let start = j.saturating_sub(1);
    let mut k = start;
    if let Some(w) = refc.get(start..start + 4) {
        let c = w
            .iter()
            .map(|&v| usize::from(v as i32 <= a0))
            .sum::<usize>();
        k += c;
        if c == 4 {
            while refc.get(k).is_some_and(|&v| v as i32 <= a0) {
                k += 1;
            }
        }
    } else {
        while refc.get(k).is_some_and(|&v| v as i32 <= a0) {
            k += 1;
        }
    }
    k += (k & 1) ^ colour;
    *j = k;
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    /// b1 by the definition of T.4 §4.2.1.3.1, searching from the start.
    fn b1_naive(refc: &[u32], a0: i32, colour: usize) -> usize {
        (0..refc.len())
            .find(|&k| refc[k] as i32 > a0 && k & 1 == colour)
            .unwrap()
    }

    #[test]
    fn find_b1_matches_definition() {
        let mut x = 12345u32;
        for _ in 0..300 {
            // A random increasing reference line with sentinels.
            let width = 200u32;
            let mut refc = Vec::new();
            let mut p = 0u32;
            loop {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                p += 1 + x % 9;
                if p >= width {
                    break;
                }
                refc.push(p);
            }
            refc.extend_from_slice(&[width; SENTINELS]);
            // Walk a0 forward as a coder does, with both colours.
            let mut j = 0usize;
            let mut a0 = -1i32;
            while a0 < width as i32 - 1 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let colour = (x >> 20) as usize & 1;
                let want = b1_naive(&refc, a0, colour);
                // The cursor carries over while a0 moves right, whatever
                // the colour.
                assert_eq!(find_b1(&refc, &mut j, a0, colour), want, "a0 {a0}");
                a0 += 1 + (x % 13) as i32;
            }
        }
    }

    #[test]
    fn lines_swap_roles() {
        let mut l = Lines::new(10);
        l.split().1[0] = 3;
        assert_eq!(l.refc()[0], 10);
        l.swap();
        assert_eq!(l.refc()[0], 3);
        assert_eq!(l.split().1[0], 10);
        l.reset(10);
        assert_eq!(l.refc()[0], 10);
    }

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
                let mut ch = vec![0u32; width as usize];
                let n = from_row(&row, width, &mut ch);
                ch.truncate(n);
                // Rendering overwrites whatever the row held.
                let mut back = vec![0xA5u8; stride];
                to_row(&ch, width, &mut back);
                assert_eq!(row, back, "width {width} seed {seed}");
                // Painting into a cleared row gives the same, sparse or not,
                // with or without sentinels after the list.
                for keep in [ch.len(), ch.len().min(SPARSE_CHANGES), ch.len().min(1), 0] {
                    let mut part = ch[..keep].to_vec();
                    let mut want = vec![0u8; stride];
                    to_row(&part, width, &mut want);
                    let mut got = vec![0u8; stride];
                    paint(&part, width, &mut got);
                    assert_eq!(got, want, "width {width} seed {seed} keep {keep}");
                    part.extend_from_slice(&[width; SENTINELS]);
                    let mut got = vec![0u8; stride];
                    paint(&part, width, &mut got);
                    assert_eq!(got, want, "width {width} seed {seed} keep {keep} sentinels");
                }
                assert!(ch.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
}
