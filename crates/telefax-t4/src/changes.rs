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
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn from_row(row: &[u8], width: u32, out: &mut [u32]) -> usize {
    from_row_words::<false>(row, width, out, &mut [], &[], &[], &mut [])
}

/// The change bits of a packed row as [`from_row_words`] keeps them
/// (pixel `64 * i + j` in bit `j` of `words[i]`), for a row whose elements
/// came from [`from_row`].
pub(crate) fn change_words(row: &[u8], width: u32, words: &mut [u64]) {
    let mut carry = 0u64;
    let mut base = 0u32;
    for (c, slot) in row.chunks(8).zip(words.iter_mut()) {
        if base >= width {
            break;
        }
        *slot = change_word(c, &mut carry, width, base);
        base += 64;
    }
}

/// The change bits of the (up to) 8 row bytes `c` holding pixels `base..`:
/// bit `i` set where pixel `base + i` differs from the one before it
/// (`carry`, the last pixel of the previous word, is updated), changes at
/// or past `width` left out.
#[inline(always)]
fn change_word(c: &[u8], carry: &mut u64, width: u32, base: u32) -> u64 {
    let mut a = [0u8; 8];
    a[..c.len()].copy_from_slice(c);
    let w = u64::from_be_bytes(a);
    let mut d = w ^ (w >> 1 | *carry << 63);
    *carry = w & 1;
    if width - base < 64 {
        // Changes at or past `width` do not count.
        d &= !(u64::MAX >> (width - base));
    }
    // Pixel `base + i` is now bit `i`.
    d.reverse_bits()
}

/// A coding-line element and where the 2-D coder's b1 is just before it,
/// found by [`from_row_words`]: `[a1, b1, b2, index of b1]` (T.4
/// §4.2.1.3.1).
pub(crate) type B1Entry = [u32; 4];

/// `POP_LE[b * 8 + j]`: set bits of byte `b` at bit positions `0..=j`.
static POP_LE: [u8; 2048] = {
    let mut t = [0u8; 2048];
    let mut i = 0;
    while i < 2048 {
        let (b, j) = (i / 8, i % 8);
        t[i] = ((b as u32) & ((2u32 << j) - 1)).count_ones() as u8;
        i += 1;
    }
    t
};

/// `[_, b1, b2, index of b1]` for `count` reference elements at or left
/// of a0 and `m` coding elements up to a0.
#[inline(always)]
fn b1_entry(refc: &[u32], count: u32, m: usize) -> B1Entry {
    let k = count as usize + ((count as usize ^ m) & 1);
    match refc.get(k..k + 2) {
        Some(b) => [0, b[0], b[1], k as u32],
        // Not for a reference line with its sentinels.
        None => [0, u32::MAX, u32::MAX, k as u32],
    }
}

/// The [`from_row_words`] entry of the first sentinel (`a1 = width`) of a
/// row of `n` elements: the entry `b1s[n]`, which [`from_row_words`] leaves as b1
/// etc. of the last element.
pub(crate) fn b1_sentinel(b1s: &mut [B1Entry], n: usize, width: u32) {
    if let Some(e) = b1s.get_mut(n) {
        e[0] = width;
    }
}

/// No byte of `row` is non-zero (for the encoder's white rows): one OR
/// over the row, eight bytes a lane, with no branch until the end, which
/// the compiler vectorises; most rows it sees are white, so stopping early
/// at black would only add a branch per step. ([`from_row_words`] keeps its own OR,
/// whose loop codegen the dense rows depend on.)
#[inline(always)]
pub(crate) fn all_white(row: &[u8]) -> bool {
    let mut words = row.chunks_exact(8);
    let acc = (&mut words).fold(0u64, |acc, q| {
        let mut b = [0u8; 8];
        b.copy_from_slice(q);
        acc | u64::from_ne_bytes(b)
    });
    acc == 0 && words.remainder().iter().all(|&b| b == 0)
}

/// [`from_row`] for the encoder, which also keeps each 64-pixel word of
/// change bits (pixel `64 * i + j` in bit `j` of `words[i]`; `words` holds
/// at least `width.div_ceil(64)` entries), and with `RANK` also finds,
/// for each element, where b1 would be (T.4 §4.2.1.3.1) if that element
/// were a0 after a vertical or horizontal code: a0's colour is then the
/// parity of the number of elements up to and including it, and b1 the
/// first element of the reference line `refc` (its elements, whose change
/// bits are `ref_words`, then sentinels) right of a0 with an index of
/// that parity. `b1s[m]` is `[out[m], b1, b2, index of b1]` for a0 on
/// `out[m - 1]` (or at the row start for `m = 0`); the caller completes
/// the entry of the first sentinel ([`b1_sentinel`]). The count of reference
/// elements at or left of a0 comes from the change bits (byte-wise prefix
/// counts of the word, and a table for the last byte), with no dependency
/// from one element to the next, so the coder's loop does not search.
#[inline(always)]
pub(crate) fn from_row_words<const RANK: bool>(
    row: &[u8],
    width: u32,
    out: &mut [u32],
    words: &mut [u64],
    ref_words: &[u64],
    refc: &[u32],
    b1s: &mut [B1Entry],
) -> usize {
    // The b1 entry waiting for its element.
    let mut next = if RANK { b1_entry(refc, 0, 0) } else { [0; 4] };
    if RANK {
        if let Some(e) = b1s.first_mut() {
            *e = next;
        }
    }
    // All-white rows are common (margins, blank lines): one vectorised OR
    // over the row finds them.
    if row.iter().fold(0u8, |a, &b| a | b) == 0 {
        words.fill(0);
        return 0;
    }
    let mut n = 0usize;
    let mut carry = 0u64;
    let mut base = 0u32;
    let mut before = 0u32;
    for (wi, c) in row.chunks(8).enumerate() {
        if base >= width {
            break;
        }
        let mut d = change_word(c, &mut carry, width, base);
        if let Some(slot) = words.get_mut(wi) {
            *slot = d;
        }
        // Reference elements in the bytes of this word before each byte.
        let (rw, excl, total) = if RANK {
            let rw = ref_words.get(wi).copied().unwrap_or(0);
            let mut x = rw - ((rw >> 1) & 0x5555_5555_5555_5555);
            x = (x & 0x3333_3333_3333_3333) + ((x >> 2) & 0x3333_3333_3333_3333);
            x = (x + (x >> 4)) & 0x0F0F_0F0F_0F0F_0F0F;
            let incl = x.wrapping_mul(0x0101_0101_0101_0101);
            (rw, incl << 8, (incl >> 56) as u32)
        } else {
            (0, 0, 0)
        };
        // Reference elements at or left of pixel `base + tz`.
        let count = |tz: u32| {
            let sh = tz & 56;
            let byte = ((rw >> sh) & 0xFF) as usize;
            before + ((excl >> sh) & 0xFF) as u32 + u32::from(POP_LE[byte << 3 | (tz & 7) as usize])
        };
        let need = n + d.count_ones() as usize;
        if out.len() < need || (RANK && b1s.len() <= need) {
            // Cannot happen for `out.len() >= width`, `b1s.len() > width`;
            // keep what fits.
            while d != 0 {
                let Some(slot) = out.get_mut(n) else {
                    return n;
                };
                let tz = d.trailing_zeros();
                *slot = base + tz;
                if RANK {
                    if let Some(e) = b1s.get_mut(n) {
                        next[0] = base + tz;
                        *e = next;
                    }
                    next = b1_entry(refc, count(tz), n + 1);
                    if let Some(e) = b1s.get_mut(n + 1) {
                        *e = next;
                    }
                }
                n += 1;
                d &= d - 1;
            }
        }
        while d != 0 {
            let tz = d.trailing_zeros();
            out[n] = base + tz;
            if RANK {
                next[0] = base + tz;
                b1s[n] = next;
                next = b1_entry(refc, count(tz), n + 1);
            }
            n += 1;
            d &= d - 1;
        }
        if RANK {
            before += total;
        }
        base += 64;
    }
    if RANK {
        if let Some(e) = b1s.get_mut(n) {
            *e = next;
        }
    }
    n
}

/// Pixels rendered per pass of [`to_row`] (the size of its stack scratch).
const SEGMENT_WORDS: usize = 32;
const SEGMENT_PIXELS: u32 = SEGMENT_WORDS as u32 * 64;
// The byte-marking path packs whole pairs of words.
const _: () = assert!(SEGMENT_WORDS % 2 == 0);

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

/// Pack 128 bytes of 0 or 1 (pixel `k` of the pair in byte `k`) into two
/// transition words, pixel 0 of each in bit 63, with shifts and masks only.
///
/// In each word, byte group `j` (pixels `8j..8j + 8`) read as a
/// little-endian integer and shifted left by `j` puts pixel `8j + k` in
/// bit `j` of byte `k`; the eight groups OR together without overlap into
/// an 8x8 bit matrix (row `k` = byte `k`, column `j` = bit `j`). The word
/// wants pixel `8j + k` at bit `63 - 8j - k`, which is row `7 - j`, column
/// `7 - k`: the matrix mirrored about its anti-diagonal, three rounds of
/// block swaps (4x4 blocks, 2x2, single bits). The two words go through
/// the same steps side by side, which the compiler turns into two-lane
/// vector code (SSE2 on x86-64). The multiply packer before it (eight
/// pixels per multiply, then a double shift) put 15 operations per word on
/// the one port that does both: packing a 1728-pixel row took 2.1x as long
/// in isolation.
#[inline(always)]
fn pack128(m: &[u8]) -> [u64; 2] {
    let group = |o: usize| {
        let mut a = [0u8; 8];
        if let Some(b) = m.get(o..o + 8) {
            a.copy_from_slice(b);
        }
        u64::from_le_bytes(a)
    };
    let mut x = [0u64; 2];
    for (w, xw) in x.iter_mut().enumerate() {
        for j in 0..8 {
            *xw |= group(64 * w + 8 * j) << j;
        }
    }
    for (shift, mask) in [
        (36, 0x0000_0000_0F0F_0F0F_u64),
        (18, 0x0000_3333_0000_3333),
        (9, 0x0055_0055_0055_0055),
    ] {
        for xw in &mut x {
            let t = (*xw ^ (*xw >> shift)) & mask;
            *xw ^= t ^ (t << shift);
        }
    }
    x
}

/// Render a list of changing elements into a packed row of `width` pixels,
/// overwriting every byte of `row` (no need to clear it first).
///
/// Each changing element marks one transition (a bit toggled in a register
/// while the elements stay in one 64-pixel word, or for dense rows, such
/// as dithered areas, a byte set in a scratch array, which is then packed
/// 128 pixels at a time by [`pack128`]), with no branch per element and no
/// read-modify-write of memory; a prefix XOR over each 64-pixel word then
/// turns transitions into pixel colours. Only the 64-pixel words from the
/// first element's to the last element's are packed (or cleared) and
/// prefixed; the words before and after them (the margins of a text row,
/// a quarter to a third of its width) are one colour, the carry, and are
/// filled whole. Elements must be strictly increasing; entries at or past
/// `width` end the list.
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
        let words = (seg_end - seg_base).div_ceil(64) as usize;
        // The words holding elements: outside them the row is one colour.
        let (w0, w1) = match (seg.first(), seg.last()) {
            (Some(&a), Some(&b)) => (
                ((a.wrapping_sub(seg_base) >> 6) as usize).min(words),
                ((b.wrapping_sub(seg_base) >> 6) as usize + 1).min(words),
            ),
            _ => (words, words),
        };
        if dense {
            const MASK: usize = SEGMENT_PIXELS as usize - 1;
            let mut marks = [0u8; SEGMENT_PIXELS as usize];
            let mut octets = seg.chunks_exact(8);
            for q in &mut octets {
                for &p in q {
                    marks[p.wrapping_sub(seg_base) as usize & MASK] = 1;
                }
            }
            for &p in octets.remainder() {
                marks[p.wrapping_sub(seg_base) as usize & MASK] = 1;
            }
            // Whole pairs of words (SEGMENT_WORDS is even): a word
            // before w0 or from w1 comes out as zero transitions.
            let (p0, p1) = (w0 & !1, (w1 + 1) & !1);
            if let (Some(ts), Some(ms)) = (scratch.get_mut(p0..p1), marks.get(p0 * 64..p1 * 64)) {
                for (t, m) in ts.chunks_exact_mut(2).zip(ms.chunks_exact(128)) {
                    t.copy_from_slice(&pack128(m));
                }
            }
        } else {
            scratch[w0..w1.max(w0)].fill(0);
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
        // Colour words: the carry alone before w0 and from w1, the prefix
        // XOR of the transitions between (whole words, then the tail).
        let full = seg_bytes.len() / 8;
        let (head, body) = seg_bytes.split_at_mut((w0 * 8).min(seg_bytes.len()));
        let (body, after) = body.split_at_mut(((w1 - w0.min(w1)) * 8).min(body.len()));
        let fill = carry as u8;
        if !head.is_empty() {
            head.fill(fill);
        }
        let mut words_out = body.chunks_exact_mut(8);
        for (t, out) in scratch[w0.min(SEGMENT_WORDS)..].iter().zip(&mut words_out) {
            let x = prefix_xor(*t) ^ carry;
            carry = (x & 1).wrapping_neg();
            out.copy_from_slice(&x.to_be_bytes());
        }
        let tail = words_out.into_remainder();
        if !tail.is_empty() {
            let x = prefix_xor(scratch[full % SEGMENT_WORDS]) ^ carry;
            carry = (x & 1).wrapping_neg();
            for (i, b) in tail.iter_mut().enumerate() {
                *b = (x >> (56 - 8 * i)) as u8;
            }
        }
        if !after.is_empty() {
            after.fill(carry as u8);
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

    /// A row painted pixel by pixel from its changing elements (T.4
    /// §4.2.1.3.1: the colour flips at each element).
    fn paint_naive(changes: &[u32], width: u32) -> Vec<u8> {
        let mut row = vec![0u8; width.div_ceil(8) as usize];
        let mut black = false;
        let mut k = 0;
        for x in 0..width {
            while k < changes.len() && changes[k] == x {
                black = !black;
                k += 1;
            }
            if black {
                row[(x / 8) as usize] |= 0x80 >> (x % 8);
            }
        }
        row
    }

    /// A pseudo-random number below `n` (xorshift32 on `x`).
    fn below(x: &mut u32, n: u32) -> u32 {
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        *x % n.max(1)
    }

    /// `to_row` renders only the words between the first and the last
    /// element; the margins before and after (white, or black after an odd
    /// count) are filled whole. Rows with margins of every length, in
    /// every density (both painting paths), over several segments.
    #[test]
    fn to_row_margins_match_naive() {
        let mut x = 0x2545_F491u32;
        let mut next = |n: u32| below(&mut x, n);
        for width in [1u32, 9, 63, 64, 65, 200, 1728, 2048, 2049, 2111, 4864] {
            for _ in 0..60 {
                let lo = next(width);
                let hi = lo + next(width - lo + 1);
                // Mean gap between elements: dense (both paths) to sparse.
                let gap = 1 + next(40);
                let mut ch = Vec::new();
                let mut p = lo;
                while p < hi.min(width) {
                    ch.push(p);
                    p += 1 + next(2 * gap);
                }
                if next(3) == 0 && !ch.is_empty() {
                    ch.pop(); // an odd count: black to the row end
                }
                let want = paint_naive(&ch, width);
                let mut got = vec![0x5Au8; want.len() + 3];
                to_row(&ch, width, &mut got);
                assert_eq!(&got[..want.len()], &want[..], "width {width} {ch:?}");
                assert!(got[want.len()..].iter().all(|&b| b == 0));
                // With sentinels after the list, as a reference line has.
                let mut with = ch.clone();
                with.extend_from_slice(&[width; SENTINELS]);
                let mut got = vec![0xA5u8; want.len()];
                to_row(&with, width, &mut got);
                assert_eq!(got, want, "width {width} sentinels {ch:?}");
            }
        }
    }

    /// `pack128` against a pixel-by-pixel gather: bit `63 - k` of word `w`
    /// is byte `64 * w + k`, for random, single-pixel and full patterns.
    #[test]
    fn pack128_matches_bit_gather() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut m = [0u8; 128];
        for round in 0..2000 {
            for (i, b) in m.iter_mut().enumerate() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = match round % 4 {
                    0 => (x & 1) as u8,
                    1 => u8::from(i == round / 4 % 128),
                    2 => u8::from(i != round / 4 % 128),
                    _ => u8::from(x % 5 == 0),
                };
            }
            let mut want = [0u64; 2];
            for (i, &b) in m.iter().enumerate() {
                want[i / 64] |= u64::from(b) << (63 - i % 64);
            }
            assert_eq!(pack128(&m), want, "round {round}");
        }
    }

    /// `to_row` against the pixel-by-pixel painter on random change lists
    /// of every width up to 300 and some large ones (several segments),
    /// from one change per pixel pair (the byte-marking path) to sparse
    /// (the word-scatter path), with odd and even counts and with
    /// sentinels after the list.
    #[test]
    fn to_row_every_width_matches_naive() {
        let mut x = 0x1F2E_3D4Cu32;
        let mut next = |n: u32| below(&mut x, n);
        let widths = (1..=300).chain([
            511, 512, 513, 1727, 1728, 1729, 2047, 2048, 2049, 2176, 4095, 4096, 4097, 4864, 6000,
        ]);
        let mut dense_rows = 0;
        let mut sparse_rows = 0;
        for width in widths {
            // Mean gap between changes: 1.5 pixels up to about 60.
            for gap in [1u32, 2, 4, 8, 15, 17, 30, 60] {
                let mut ch = Vec::new();
                let mut p = next(gap + 1);
                while p < width {
                    ch.push(p);
                    p += 1 + next(2 * gap);
                }
                if next(2) == 0 {
                    ch.pop();
                }
                if ch.len() >= (width / 16) as usize {
                    dense_rows += 1;
                } else {
                    sparse_rows += 1;
                }
                let want = paint_naive(&ch, width);
                let mut got = vec![0xC3u8; want.len() + 2];
                to_row(&ch, width, &mut got);
                assert_eq!(
                    &got[..want.len()],
                    &want[..],
                    "width {width} gap {gap} {ch:?}"
                );
                assert_eq!(&got[want.len()..], &[0, 0], "width {width} past the row");
                let mut with = ch.clone();
                with.extend_from_slice(&[width; SENTINELS]);
                let mut got = vec![0x3Cu8; want.len()];
                to_row(&with, width, &mut got);
                assert_eq!(got, want, "width {width} gap {gap} sentinels {ch:?}");
            }
        }
        // Both paths were exercised, at many widths each.
        assert!(
            dense_rows > 1000 && sparse_rows > 500,
            "{dense_rows} {sparse_rows}"
        );
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
