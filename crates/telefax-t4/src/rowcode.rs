//! Decoding and encoding of single rows: one-dimensional (T.4 §4.1.1),
//! two-dimensional (T.4 §4.2.1.3, T.6 §2.2) and uncompressed mode
//! (T.4 §4.1.3 / Table 4/T.4 extension, Table 6/T.4 code words).

use crate::bits::{load_at, BitReader, BitWriter};
use crate::changes::find_b1;
use crate::codes::{
    Mode, Tables, EXT_2D_BITS, EXT_2D_UNCOMPRESSED, GEN7, GEN7_V0, GEN_FAST, GEN_PASS_D, GEN_VERT,
    KIND_HORIZONTAL, KIND_PASS, MAX_MAKEUP, MODE7, MODE_INDEX_BITS, MULTI1D_BITS, MULTI1D_COUNT,
    MULTI1D_FLIP, MULTI1D_HI, MULTI1D_LANES, MULTI1D_LO, MULTI1D_MAX, MULTI_BITS, OP_BITS,
    OP_HORIZONTAL, OP_PASS, PAIR_BITS, RUN_EOL, RUN_INDEX_BITS, RUN_UNCOMPRESSED, SHORT_INDEX_BITS,
    VP_PAIR,
};

/// Outcome of a row decode that did not finish the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The data ends inside the row: retry from the row start with more.
    NeedMore,
    /// A code is invalid here, or runs overflow the row: the row is damaged.
    Bad,
}

/// Changing elements being decoded into a fixed buffer of `width + SLACK`.
pub(crate) struct ChangeBuf<'a> {
    buf: &'a mut [u32],
    n: usize,
}

impl ChangeBuf<'_> {
    /// Append a change at `p`, cancelling a change at the same position (a
    /// zero-length run) so the list stays strictly increasing. Fails if the
    /// buffer is full (cannot happen for increasing positions < width).
    #[inline(always)]
    fn push(&mut self, p: u32) -> Result<(), Stop> {
        if self.n > 0 && self.buf[self.n - 1] == p {
            self.n -= 1;
            return Ok(());
        }
        match self.buf.get_mut(self.n) {
            Some(slot) => {
                *slot = p;
                self.n += 1;
                Ok(())
            }
            None => Err(Stop::Bad),
        }
    }
}

/// Top up the hot loops' bit buffer from the next eight bytes without a
/// data-dependent branch: OR-ing in bytes already there again is harmless, as
/// the bits below the valid ones in `acc` are those same bytes or zeros.
/// `false` when fewer than eight bytes are left (the caller takes the slow
/// path of [`BitReader::refill`] if it needs bits).
#[inline(always)]
fn refill_fast(data: &[u8], acc: &mut u64, nbits: &mut u32, next: &mut usize) -> bool {
    let Some(s) = data.get(*next..*next + 8) else {
        return false;
    };
    let mut b = [0u8; 8];
    b.copy_from_slice(s);
    *acc |= u64::from_be_bytes(b) >> *nbits;
    let bytes = (63 - *nbits) / 8;
    *next += bytes as usize;
    *nbits += bytes * 8;
    true
}

// `decode_2d_general` adds the low byte of a fast code's offset to b1 or
// b2: the vertical offsets, sign-extended, and 0 for pass mode.
const _: () = assert!(GEN_PASS_D as i8 == 0);

/// Upper bound on codes per row, so hostile data cannot loop (zero-length
/// runs and vertical codes with a1 = a0 make no progress).
#[inline]
fn step_limit(width: u32) -> u32 {
    width.saturating_mul(2).saturating_add(64)
}

/// Value returned by [`read_run`] for the uncompressed-mode entry code.
const UNCOMPRESSED: u32 = u32::MAX;

/// Read one run of `colour` (0 white, 1 black): make-up codes then a
/// terminating code. Fails with `Bad` if the run would exceed `max`.
#[inline(always)]
fn read_run(r: &mut BitReader, t: &Tables, colour: usize, max: u32) -> Result<u32, Stop> {
    let table = &t.run[colour & 1];
    let mut run = 0u32;
    loop {
        let w = r.peek();
        let e = table[(w >> (64 - RUN_INDEX_BITS)) as usize];
        let len = usize::from(e & 15);
        let rem = r.remaining();
        // Fast path: a terminating code inside the data.
        if e >> 4 < 64 && len != 0 && len <= rem {
            r.consume(len);
            run += u32::from(e >> 4);
            return if run > max { Err(Stop::Bad) } else { Ok(run) };
        }
        if len == 0 {
            // 11 zeros: an EOL (or fill) where a code should be.
            if w >> 53 == 0 {
                return Err(if rem < 11 { Stop::NeedMore } else { Stop::Bad });
            }
            return Err(if rem < RUN_INDEX_BITS as usize {
                Stop::NeedMore
            } else {
                Stop::Bad
            });
        }
        if len > rem {
            return Err(Stop::NeedMore);
        }
        let v = e >> 4;
        if v == RUN_EOL {
            return Err(Stop::Bad);
        }
        r.consume(len);
        if v == RUN_UNCOMPRESSED {
            return if run == 0 {
                Ok(UNCOMPRESSED)
            } else {
                Err(Stop::Bad)
            };
        }
        run += u32::from(v);
        if run > max {
            return Err(Stop::Bad);
        }
        if v < 64 {
            return Ok(run);
        }
    }
}

/// Decode uncompressed-mode code words (Table 6/T.4) until an exit code.
/// `pos` is the next pixel, `colour` the colour of the pixel before it
/// (the parity of `cur`). On exit `colour` is the colour of the next run.
fn uncompressed(
    r: &mut BitReader,
    width: u32,
    pos: &mut u32,
    colour: &mut usize,
    cur: &mut ChangeBuf,
) -> Result<(), Stop> {
    #[inline(always)]
    fn set(
        c: usize,
        pos: u32,
        width: u32,
        colour: &mut usize,
        cur: &mut ChangeBuf,
    ) -> Result<(), Stop> {
        if c != *colour {
            if pos < width {
                cur.push(pos)?;
            }
            *colour = c;
        }
        Ok(())
    }
    loop {
        let rem = r.remaining();
        let w = r.peek();
        let z = w.leading_zeros() as usize;
        if z <= 5 {
            // 0^z 1 = z white then one black (z <= 4); 000001 = five white.
            if z + 1 > rem {
                return Err(Stop::NeedMore);
            }
            let black = z < 5;
            let n = z as u32 + u32::from(black);
            if *pos + n > width {
                return Err(Stop::Bad);
            }
            if z > 0 {
                set(0, *pos, width, colour, cur)?;
                *pos += z as u32;
            }
            if black {
                set(1, *pos, width, colour, cur)?;
                *pos += 1;
            }
            r.consume(z + 1);
        } else if z <= 10 {
            // Exit: 0^z 1 T, with z - 6 white pixels first; T = next colour.
            if z + 2 > rem {
                return Err(Stop::NeedMore);
            }
            let whites = z as u32 - 6;
            if *pos + whites > width {
                return Err(Stop::Bad);
            }
            if whites > 0 {
                set(0, *pos, width, colour, cur)?;
                *pos += whites;
            }
            let t = ((w >> (62 - z)) & 1) as usize;
            set(t, *pos, width, colour, cur)?;
            r.consume(z + 2);
            return Ok(());
        } else {
            return Err(if rem < 12 { Stop::NeedMore } else { Stop::Bad });
        }
    }
}

/// Changes the 1-D decoder's fast loop may store in one pass of four lookups
/// (a count under 8 from each of the first three, then four slots).
const WINDOW: usize = 3 * 7 + MULTI1D_MAX;

/// Decode a one-dimensional (MH) row into changing elements.
pub(crate) fn decode_1d(
    r: &mut BitReader,
    t: &Tables,
    width: u32,
    cur: &mut [u32],
) -> Result<usize, Stop> {
    decode_1d_inner(r, t, width, cur)
}

#[inline(always)]
fn decode_1d_inner(
    r: &mut BitReader,
    t: &Tables,
    width: u32,
    cur: &mut [u32],
) -> Result<usize, Stop> {
    // An all-white row (most rows of a sparse page) is one make-up and one
    // terminating code (T.4 §4.1.1.2): check for exactly that first.
    if let Some(c) = t.white_row(width) {
        if c.len <= r.nbits && (r.acc >> (64 - c.len)) as u32 == c.bits {
            r.consume(c.len as usize);
            return Ok(0);
        }
    }
    // The bit buffer lives in locals here (the hot loop); `r` is synced
    // before the slow path and on return.
    // After the refill at the top of the loop either `nbits >= 32` or all
    // the data is in `acc` (`nbits` is then exactly what remains), so a
    // code of `len <= nbits` bits is there.
    let data = r.data;
    let (mut acc, mut nbits, mut next) = (r.acc, r.nbits, r.next);
    // `n` (the changes so far) is a u32 so that `n + MULTI1D_MAX` needs
    // no overflow check.
    let mut n = 0u32;
    let mut a0 = 0u32;
    // The `multi1d` tables for a white and a black next run: `half` is that
    // of the next run's colour, `other` the other one. Swapping them (two
    // conditional moves on the entry's flip bit) runs beside the shift of
    // `acc`, where or-ing the colour into one table's index lengthened the
    // lookup-to-lookup chain by one operation (1.05x on dithered MH
    // pages). They are two allocations: with the halves of one, the
    // compiler kept one base and swapped offsets, an add more on the chain
    // (0.93x).
    let [white, black] = &t.multi1d;
    let (white, black) = (&**white, &**black);
    let (mut half, mut other) = (white, black);
    let mut budget = step_limit(width) + 1;
    // A make-up code was read; the run's terminating code is still due.
    let mut mid_run = false;
    // The sum of this pass's `multi1d` entries (see `multi!`), set at
    // the top of each pass.
    let mut spent: u64;
    macro_rules! sync {
        () => {
            r.acc = acc;
            r.nbits = nbits;
            r.next = next;
        };
    }
    // Up to MULTI1D_MAX terminating codes of non-zero runs from one lookup,
    // none reaching the row end (else `break $out`). All MULTI1D_MAX slots
    // are stored (the buffer has SLACK past `width` entries, and `n` stays
    // below a0 + 1 <= width); the count says how many count. With
    // `$check`, the codes must also lie within the `nbits` valid bits.
    // Lookup, shift of `acc` by `used`, next lookup is the loop's critical
    // path: `used` is the entry's low bits, so the shift needs no mask.
    // `spent` sums the entries of a pass (at most four): its low six bits
    // are the bits they used, taken off `nbits` once per pass.
    // The changes go to `$win[$k..]`, and `$k` moves on by the count.
    macro_rules! multi {
        ($out:lifetime, $check:expr, $win:ident, $k:ident) => {{
            let m = half[(acc >> (64 - MULTI1D_BITS)) as usize];
            let end = a0 + (m >> 48) as u32;
            if end >= width || ($check && (spent.wrapping_add(m) & 63) as u32 > nbits) {
                break $out;
            }
            let Some(Ok::<&mut [u32; MULTI1D_MAX], _>(slots)) = $win
                .get_mut($k..$k + MULTI1D_MAX)
                .map(<&mut [u32; MULTI1D_MAX]>::try_from)
            else {
                sync!();
                return Err(Stop::Bad);
            };
            // a0 in both lanes plus two offsets per word (see
            // `multi1d_entry`).
            let a0s = u64::from(a0) << 32 | u64::from(a0);
            let lo = a0s + ((m >> MULTI1D_LO) & MULTI1D_LANES);
            let hi = a0s + ((m >> MULTI1D_HI) & MULTI1D_LANES);
            *slots = [lo as u32, (lo >> 32) as u32, hi as u32, (hi >> 32) as u32];
            $k += (m as u32 >> MULTI1D_COUNT) as usize;
            a0 = end;
            (half, other) = if m & MULTI1D_FLIP != 0 {
                (other, half)
            } else {
                (half, other)
            };
            acc <<= m & 63;
            spent = spent.wrapping_add(m);
        }};
    }
    // The fastest path below always moves a0 right (at most `width` times
    // per row); every other pass of the loop spends `budget`, so hostile
    // data cannot loop.
    'row: loop {
        // As `refill_fast`, with one bounds check.
        let full = match data.get(next..).and_then(|s| s.first_chunk::<8>()) {
            Some(b) => {
                acc |= u64::from_be_bytes(*b) >> nbits;
                next += ((63 - nbits) / 8) as usize;
                nbits |= 56;
                true
            }
            None => false,
        };
        if !full && nbits < 32 {
            sync!();
            r.refill();
            acc = r.acc;
            nbits = r.nbits;
            next = r.next;
        }
        spent = 0;
        // The changes of this pass go to `cur[base + k..]`.
        let (mut base, mut k) = (0usize, n as usize);
        'multi: {
            if full {
                if let Some(Ok::<&mut [u32; WINDOW], _>(win)) = cur
                    .get_mut(k..k + WINDOW)
                    .map(<&mut [u32; WINDOW]>::try_from)
                {
                    // 56 bits or more are valid: three lookups need no
                    // check, a fourth does. The stores stay in a window
                    // of the change buffer checked once (the count is
                    // under 8).
                    (base, k) = (k, 0);
                    multi!('multi, false, win, k);
                    multi!('multi, false, win, k);
                    multi!('multi, false, win, k);
                    multi!('multi, true, win, k);
                    n = (base + k) as u32;
                    nbits -= (spent & 63) as u32;
                    mid_run = false;
                    continue 'row;
                }
            }
            // The last changes of a row of more than `width - WINDOW`, or
            // under eight bytes left: one lookup per refill.
            multi!('multi, true, cur, k);
            n = k as u32;
            nbits -= (spent & 63) as u32;
            mid_run = false;
            continue 'row;
        }
        n = (base + k) as u32;
        nbits -= (spent & 63) as u32;
        if spent & 63 != 0 {
            mid_run = false;
        }
        budget -= 1;
        if budget == 0 {
            sync!();
            return Err(Stop::Bad);
        }
        let colour = usize::from(std::ptr::eq(half, black));
        let mut e = t.run8[colour][(acc >> (64 - SHORT_INDEX_BITS)) as usize];
        if e == 0 {
            e = t.run[colour][(acc >> (64 - RUN_INDEX_BITS)) as usize];
        }
        let len = u32::from(e & 15);
        let v = u32::from(e >> 4);
        if v <= MAX_MAKEUP && len != 0 && len <= nbits {
            // Fast path: a terminating or make-up code.
            acc <<= len;
            nbits -= len;
            a0 += v;
            if v >= 64 {
                // Make-up code: the run goes on with a code of the same colour.
                if a0 > width {
                    sync!();
                    return Err(Stop::Bad);
                }
                mid_run = true;
                continue 'row;
            }
            mid_run = false;
            if a0 >= width {
                sync!();
                return if a0 > width {
                    Err(Stop::Bad)
                } else {
                    Ok(n as usize)
                };
            }
            if n > 0 && cur.get(n as usize - 1) == Some(&a0) {
                n -= 1;
            } else if let Some(slot) = cur.get_mut(n as usize) {
                *slot = a0;
                n += 1;
            } else {
                sync!();
                return Err(Stop::Bad);
            }
            (half, other) = (other, half);
            continue 'row;
        }
        // Slow path: make-up codes, EOL, extension, end of data.
        sync!();
        r.refill();
        let run = read_run(r, t, colour, width - a0)?;
        if mid_run && run == UNCOMPRESSED {
            // Only a whole run may be replaced by uncompressed mode.
            return Err(Stop::Bad);
        }
        mid_run = false;
        let mut cb = ChangeBuf {
            buf: cur,
            n: n as usize,
        };
        let mut colour = colour;
        if run == UNCOMPRESSED {
            uncompressed(r, width, &mut a0, &mut colour, &mut cb)?;
        } else {
            a0 += run;
            if a0 < width {
                cb.push(a0)?;
            }
            colour ^= 1;
        }
        (half, other) = if colour & 1 == 0 {
            (white, black)
        } else {
            (black, white)
        };
        n = cb.n as u32;
        if a0 >= width {
            return Ok(cb.n);
        }
        acc = r.acc;
        nbits = r.nbits;
        next = r.next;
    }
}

/// The reference changes around b1 = `refc[k]`: (`refc[k - 1]` or -1 at
/// the row start, b1, b2, `refc[k + 3]`).
#[inline(always)]
fn around(refc: &[u32], k: usize) -> Option<(i32, i32, i32, i32)> {
    if let Some(w) = refc.get(k.wrapping_sub(1)..k + 4) {
        return Some((w[0] as i32, w[1] as i32, w[2] as i32, w[4] as i32));
    }
    let b1 = *refc.get(k)? as i32;
    let b2 = *refc.get(k + 1)? as i32;
    let b4 = *refc.get(k + 3)? as i32;
    let b0 = if k > 0 { *refc.get(k - 1)? as i32 } else { -1 };
    Some((b0, b1, b2, b4))
}

/// The two runs of a horizontal-mode code (T.4 §4.2.1.3.2) the way
/// [`read_run`] reads them (make-up codes included), from `start`: returns
/// a1 and a2. Kept out of the hot loop.
#[cold]
#[inline(never)]
fn horizontal_slow(
    r: &mut BitReader,
    t: &Tables,
    width: u32,
    colour: usize,
    start: u32,
) -> Result<(u32, u32), Stop> {
    r.refill();
    let run1 = read_run(r, t, colour, width - start)?;
    if run1 == UNCOMPRESSED {
        return Err(Stop::Bad);
    }
    let a1 = start + run1;
    let run2 = read_run(r, t, colour ^ 1, width - a1)?;
    if run2 == UNCOMPRESSED {
        return Err(Stop::Bad);
    }
    Ok((a1, a1 + run2))
}

/// The bit-buffer and change-list macros of the 2-D row loops
/// ([`decode_2d_general`], [`decode_2d_inner`]), over the loop's locals
/// (`$d` is `$`, so the macros defined here can take arguments):
/// - `sync!()` stores the bit buffer (and the `$extra` statements) back
///   into the reader, `load!()` takes it from there;
/// - `bail!(stop)` syncs and returns the error;
/// - `spend!()` spends one step of the budget, bailing when it runs out;
/// - `push!(p)` appends a change, or cancels the last one when it is at the
///   same position (a zero-length run), bailing on a full row;
/// - `end_or_research!(cont)`, after a code moved a0 anywhere: the row
///   ends at the row end, else `research!()` (the caller's) finds b1 again
///   and `cont` goes on;
/// - `horizontal!(len, cont)` decodes horizontal mode (T.4 §4.2.1.3.2) after
///   its `len`-bit prefix: both runs from one multi-code lookup when they
///   are short, else out of line; then `research!()` (the caller's) finds
///   b1, and after the slow path `cont` (how the caller's loop goes on);
/// - `v0_string!(k)` decodes a string of V0 codes starting with b1 at
///   index `k` (each copies a reference change, T.4 §4.2.1.3.2) and gives
///   its length, or ends the row at the row end; the changes below index
///   `$nlim` (the real reference changes, or 0) it copies eight at a time;
/// - `vertical_rare!(a1, vertical, cont)` takes a vertical or pass code
///   (`vertical` false) off the fast path: a1 at or past the row end, not
///   right of a0, or b1 further away (checked, pushed, b1 searched), then
///   `cont`;
/// - `extension!(cont)` handles a code that is no mode code: the
///   uncompressed-mode extension (T.4 §4.1.3, Table 6/T.4) out of line,
///   then `cont`; an EOL, EOFB or garbage ends the row.
macro_rules! row_loop_macros {
    ($d:tt, $r:ident, $t:ident, $width:ident, $w_i:ident, $acc:ident, $nbits:ident,
     $next:ident, $budget:ident, $n:ident, $cur:ident, $a0:ident, $refc:ident,
     $nlim:ident, { $($extra:tt)* }) => {
        macro_rules! sync {
            () => {
                $r.acc = $acc;
                $r.nbits = $nbits;
                $r.next = $next;
                $($extra)*
            };
        }
        macro_rules! load {
            () => {
                $acc = $r.acc;
                $nbits = $r.nbits;
                $next = $r.next;
            };
        }
        macro_rules! bail {
            ($d e:expr) => {{
                sync!();
                return Err($d e);
            }};
        }
        macro_rules! spend {
            () => {{
                $budget -= 1;
                if $budget == 0 {
                    bail!(Stop::Bad);
                }
            }};
        }
        macro_rules! push {
            ($d p:expr) => {{
                let p: u32 = $d p;
                if $n > 0 && $cur[$n - 1] == p {
                    $n -= 1;
                } else if let Some(slot) = $cur.get_mut($n) {
                    *slot = p;
                    $n += 1;
                } else {
                    bail!(Stop::Bad);
                }
            }};
        }
        macro_rules! end_or_research {
            ($d ($d cont:tt)*) => {{
                if $a0 >= $w_i {
                    sync!();
                    return Ok($n);
                }
                research!();
                $d ($d cont)*;
            }};
        }
        macro_rules! horizontal {
            ($d len:expr, $d ($d cont:tt)*) => {{
                $acc <<= $d len;
                $nbits -= $d len;
                let start = $a0.max(0) as u32;
                // Both runs from one lookup when they are short and non-zero.
                let m = $t.multi[$n & 1][($acc >> (64 - MULTI_BITS)) as usize];
                let count = (m >> 4) & 7;
                let len2 = ((m >> 8) & 15) as u32;
                let o1 = ((m >> 32) & 0xFF) as u32;
                let o2 = ((m >> 40) & 0xFF) as u32;
                if count >= 2 && len2 <= $nbits && start + o2 < $width {
                    let Some(s) = $cur.get_mut($n..$n + 2) else {
                        bail!(Stop::Bad);
                    };
                    s[0] = start + o1;
                    s[1] = start + o2;
                    $n += 2;
                    $a0 = (start + o2) as i32;
                    $acc <<= len2;
                    $nbits -= len2;
                    research!();
                } else {
                    // Make-up codes, zero runs, end of data: out of line.
                    spend!();
                    sync!();
                    let (a1, a2) = horizontal_slow($r, $t, $width, $n & 1, start)?;
                    load!();
                    if a1 < $width {
                        push!(a1);
                    }
                    if a2 < $width {
                        push!(a2);
                    }
                    $a0 = a2 as i32;
                    end_or_research!($d ($d cont)*);
                }
            }};
        }
        macro_rules! v0_string {
            ($d kk:expr) => {{
                let kk: usize = $d kk;
                let m = ($acc.leading_ones().min($nbits) as usize)
                    .min($refc.len().saturating_sub(kk));
                let Some(src) = $refc.get(kk..kk + m) else {
                    bail!(Stop::Bad);
                };
                if m == 0 {
                    bail!(Stop::Bad);
                }
                // The part of the string on the first `$nlim` reference
                // changes (increasing, left of the row end): copied eight at
                // a time, the last eight going past the string's end into the
                // coding line's spare room (written over by the next codes).
                let quick = m.min($nlim.saturating_sub(kk));
                let mut i = 0;
                while i < quick {
                    let (Some(s8), Some(d8)) = (
                        $refc.get(kk + i..kk + i + 8),
                        $cur.get_mut($n + i..$n + i + 8),
                    ) else {
                        break;
                    };
                    d8.copy_from_slice(s8);
                    i += 8;
                }
                let i = i.min(quick);
                $n += i;
                for (i, &v) in src.iter().enumerate().skip(i) {
                    if v >= $width {
                        // a1 at the row end: the row is complete.
                        let used = i as u32 + 1;
                        $acc = $acc.checked_shl(used).unwrap_or(0);
                        $nbits -= used;
                        sync!();
                        return Ok($n);
                    }
                    let Some(slot) = $cur.get_mut($n) else {
                        bail!(Stop::Bad);
                    };
                    *slot = v;
                    $n += 1;
                }
                $acc = $acc.checked_shl(m as u32).unwrap_or(0);
                $nbits -= m as u32;
                $a0 = src[m - 1] as i32;
                m
            }};
        }
        macro_rules! vertical_rare {
            ($d a1:expr, $d vertical:expr, $d ($d cont:tt)*) => {{
                let a1: i32 = $d a1;
                spend!();
                if $d vertical {
                    if a1 < $a0.max(0) || a1 > $w_i {
                        bail!(Stop::Bad);
                    }
                    if a1 < $w_i {
                        push!(a1 as u32);
                    }
                }
                $a0 = a1;
                end_or_research!($d ($d cont)*);
            }};
        }
        macro_rules! extension {
            ($d ($d cont:tt)*) => {{
                // Extension (uncompressed mode), EOL/EOFB or garbage.
                spend!();
                sync!();
                $r.refill();
                let rem = $r.remaining();
                let w = $r.peek();
                if $t.mode[(w >> 57) as usize].0 != Mode::Extension {
                    return Err(if rem < 12 { Stop::NeedMore } else { Stop::Bad });
                }
                if rem < EXT_2D_BITS as usize {
                    return Err(Stop::NeedMore);
                }
                if (w >> (64 - EXT_2D_BITS)) as u32 != EXT_2D_UNCOMPRESSED {
                    return Err(Stop::Bad);
                }
                $r.consume(EXT_2D_BITS as usize);
                let mut p = $a0.max(0) as u32;
                let mut colour = $n & 1;
                let mut cb = ChangeBuf { buf: $cur, n: $n };
                uncompressed($r, $width, &mut p, &mut colour, &mut cb)?;
                $n = cb.n;
                $a0 = p as i32;
                if $a0 >= $w_i {
                    return Ok($n);
                }
                research!();
                load!();
                $d ($d cont)*;
            }};
        }
    };
}

/// Reference lines with at least one change per this many pixels are
/// decoded with the repeated-code paths (dithered pictures); sparser ones
/// (text, blank parts) with the general loop only. Ordered dither's light
/// and dark grey rows have one change per 8 to 11 pixels, and pay as well.
const DENSE_PIXELS_PER_CHANGE: usize = 12;

/// Reference lines with at least one change per this many pixels are
/// decoded by the general loop with V0 on its fast path (error-diffused
/// dither: one change per 1.7 pixels, V0 codes singly or in short strings
/// between other vertical codes, so that telling V0 apart costs
/// mispredicted branches); sparser ones (text, even its densest rows)
/// take V0 on the fast path too, but strings of [`V0_LONG_CODES`] or more
/// apart.
const V0_FAST_PIXELS_PER_CHANGE: usize = 4;

/// On text rows ([`decode_2d_general`] with `V0_LONG`), strings of at
/// least this many V0 codes are copied in one go (a row repeating the one
/// above is one string); shorter ones (the rows where glyphs change: about
/// 30 % V0 codes, mostly single, between as many horizontal codes and the
/// other vertical and pass codes) take the fast path code by code, so
/// that V0 and the other vertical codes share one branch. Telling every V0
/// apart mispredicted about one code in three there; this cut the
/// mispredicts on the A4 fine-text page by a third. 4 was the quickest of
/// 2, 3, 4, 5 and 8.
const V0_LONG_CODES: u32 = 4;

/// Cycle strings ([`cycle_string`]) of at least this many codes count for
/// [`DenseGate`] like strings of one code (one lookup); in shorter ones
/// (error-diffused dither gives many of five or six codes, ordered dither
/// a hundred and more) each code counts as a lookup, as they hardly pay.
const CYCLE_PAYS: u32 = 16;

/// [`cycle_string`] leaves a string that ends in the bit buffer after
/// fewer than this many more cycles to the code-by-code loop rather than
/// [`periodic_cycles`] (whose checks cost about as much as a few cycles).
const SHIFT_MIN_CYCLES: u32 = 8;

/// `ceil(2^16 / len)` for code lengths 1..=15: `v * RECIP[len] >> 16` is
/// `v / len` for every `v < 128`.
const RECIP: [u32; 16] = {
    let mut t = [0u32; 16];
    let mut i = 1;
    while i < 16 {
        t[i] = 65536u32.div_ceil(i as u32);
        i += 1;
    }
    t
};

/// The `len` bits at the top of `acc` (a code, or a cycle of codes)
/// repeated over the whole word, the last copy cut at the bottom: what the
/// bits of a string of that code or cycle (T.4 §4.2.1.3.2) look like.
#[inline(always)]
fn repeated(acc: u64, len: u32) -> u64 {
    let mut rep = acc & !(u64::MAX >> len);
    let mut s = len;
    while s < 64 {
        rep |= rep >> s;
        s *= 2;
    }
    rep
}

/// Multipliers repeating the top `len` bits of a word through it
/// (`(acc >> (64 - len)) * REP_MUL[len]`): [`repeated`] by one multiply,
/// without its loop, less the last partial copy (its low `64 % len` bits
/// are 0).
const REP_MUL: [u64; 64] = {
    let mut t = [0u64; 64];
    let mut len = 1;
    while len < 64 {
        let mut s = len;
        while s <= 64 {
            t[len] |= 1 << (64 - s);
            s += len;
        }
        len += 1;
    }
    t
};

/// `ceil(2^32 / d)` for divisors 1..=63 (entry 0 unused), for [`div_small`].
const RECIP32: [u64; 64] = {
    let mut t = [0u64; 64];
    let mut i = 1;
    while i < 64 {
        t[i] = (1u64 << 32).div_ceil(i as u64);
        i += 1;
    }
    t
};

/// `v / d` for `v < 2^26` and a divisor `1 <= d < 64` (code and cycle
/// lengths in bits, moves of b1 per cycle) by one multiply: a division
/// takes 10 to 40 cycles, once or twice per string on the repeated-code
/// paths. Exact: with `m = ceil(2^32 / d) = (2^32 + e) / d`, `e < d`,
/// `v * m / 2^32` is `v / d` plus `v * e / (d * 2^32)`, under `1 / d` for
/// `v < 2^32 / d`, too little to reach the next integer.
#[inline(always)]
fn div_small(v: u32, d: u32) -> u32 {
    debug_assert!(v < 1 << 26 && (1..64).contains(&d));
    ((u64::from(v) * RECIP32[d as usize & 63]) >> 32) as u32
}

/// Where the repeated-code paths decode fewer than 1.8 codes per table
/// lookup (not counting V0 strings nor cycle strings shorter than
/// [`CYCLE_PAYS`]; a running average over the page's
/// dense rows, in 1/256) they do not pay for themselves (few strings of
/// one repeated code, e.g. error-diffused dither; measured per row:
/// ordered dither gives a median of 2.7, Floyd-Steinberg 1.6): then the
/// next `GATE_SKIP` dense rows use the general loop, and one row probes
/// again.
const GATE_MIN: u32 = 461;
/// See [`GATE_MIN`].
const GATE_SKIP: u32 = 64;

/// Per-page choice between the repeated-code paths and the general loop
/// for dense reference lines, and of the longest cycle strings
/// [`cycle_short`] takes (speed only: all decode the same).
#[derive(Debug, Clone, Copy)]
pub(crate) struct DenseGate {
    /// Dense rows still to decode with the general loop.
    skip: u32,
    /// Running average of codes per lookup (1/256), from 3.0 on.
    score: u32,
    /// Running average of the share of cycle codes shifted whole (1/256,
    /// see [`SHIFT_SHARE_MIN`]), from 1 on.
    shift: u32,
}

impl Default for DenseGate {
    fn default() -> Self {
        DenseGate {
            skip: 0,
            score: 3 * 256,
            shift: 256,
        }
    }
}

/// What the repeated-code paths did in one row.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct DenseStats {
    /// Table lookups (loop passes; each code of a short cycle string
    /// counts as one, see [`CYCLE_PAYS`]).
    lookups: u32,
    /// Codes decoded beyond one per lookup (strings of one code other
    /// than V0, long cycle strings).
    extra: u32,
    /// Codes decoded by [`cycle_string`].
    cycle_codes: u32,
    /// Of those, codes decoded by [`periodic_cycles`].
    shifted_codes: u32,
    /// Codes of strings of one code found going on past the bit buffer
    /// ([`repeats_on`]).
    far_codes: u32,
    /// Codes decoded by [`cycle_short`] (counted in `cycle_codes` too).
    short_codes: u32,
}

/// Decode a two-dimensional (MR/MMR) row against the reference line `refc`
/// (`n_ref` changing elements followed by sentinels). `gate` (kept per
/// page) picks the repeated-code paths for dense reference lines where
/// they pay.
pub(crate) fn decode_2d(
    r: &mut BitReader,
    t: &Tables,
    width: u32,
    refc: &[u32],
    n_ref: usize,
    gate: &mut DenseGate,
    cur: &mut [u32],
) -> Result<usize, Stop> {
    let dense = n_ref >= 16 && n_ref * DENSE_PIXELS_PER_CHANGE >= width as usize;
    // The repeated-code paths read only the `n_ref` real changes (past the
    // sentinels the buffer holds stale entries).
    // Two instances, so the general loop alone stays as lean as it was.
    if dense && gate.skip == 0 {
        let mut st = DenseStats::default();
        let short_max = if gate.shift < SHIFT_SHARE_MIN {
            SHORT_LONG_CYCLES
        } else {
            SHORT_MAX_CYCLES
        };
        let n_real = n_ref.min(refc.len());
        let res = decode_2d_dense(r, t, width, refc, n_real, short_max, &mut st, cur);
        // Judge complete rows only (a row cut short by the end of the
        // data is decoded again when more comes).
        if res.is_ok() && st.lookups > 0 {
            let ratio = (u64::from(st.lookups) + u64::from(st.extra)) * 256 / u64::from(st.lookups);
            // Weight 1/4 on the new row: single rows of few strings in an
            // ordered-dither picture do not switch the paths off.
            let avg = (3 * u64::from(gate.score) + ratio) / 4;
            gate.score = avg.min(u64::from(u32::MAX)) as u32;
            if gate.score < GATE_MIN {
                gate.skip = GATE_SKIP;
            }
            if st.cycle_codes > 0 {
                let share = u64::from(st.shifted_codes) * 256 / u64::from(st.cycle_codes);
                gate.shift = ((3 * u64::from(gate.shift) + share) / 4) as u32;
            }
        }
        res
    } else {
        // The general loop takes b4 (at most the second sentinel's index
        // plus three) for the row end's bound: with no sentinels there, the
        // reference loop.
        let sentinels = refc
            .get(n_ref..n_ref + 5)
            .is_some_and(|s| s.iter().all(|&v| v == width));
        let res = if !sentinels {
            decode_2d_inner::<false>(r, t, width, refc, 0, 0, &mut DenseStats::default(), cur)
        } else if n_ref * V0_FAST_PIXELS_PER_CHANGE >= width as usize {
            decode_2d_general::<true, false>(r, t, width, refc, n_ref, cur)
        } else {
            decode_2d_general::<true, true>(r, t, width, refc, n_ref, cur)
        };
        if dense && res.is_ok() {
            gate.skip -= 1;
        }
        res
    }
}

/// [`decode_2d`] with the general loop only: the same decoding as
/// `decode_2d_inner::<false>` (T.4 §4.2.1.3, T.6 §2.2), in fewer
/// instructions per code.
///
/// - One lookup in [`GEN7`] classifies the code: the vertical codes other
///   than V0 and pass mode (most codes of a dithered picture) take one
///   path without a branch on the mode; V0 strings, horizontal mode and
///   the rest take another, which goes back to the top of the loop after
///   the code. With `V0_FAST` ([`GEN7_V0`]) V0 takes the first path too,
///   one code at a time; with `V0_LONG` as well (text rows), except
///   strings of [`V0_LONG_CODES`] or more, found by a leading-ones count
///   before the lookup. `decode_2d` takes `V0_FAST` alone for reference
///   lines of one change per [`V0_FAST_PIXELS_PER_CHANGE`] pixels or more,
///   both for sparser ones; `V0_FAST` and `V0_LONG` clear (V0 always apart)
///   is kept for the differential tests.
/// - That path is one dependency chain from one b1 to the next: load the
///   changes around b1, compare their distances to b1 with the offset,
///   move b1's index on. It keeps this chain short (load, subtract,
///   compare, select, add: about 9 cycles where it took 13, counting 5 for
///   a load; on error-diffused dither this is what bounds the loop's
///   speed, more than its instruction count): the compares do not wait
///   for a1 (pass mode has an offset larger than any distance instead of
///   a select of b2), a1 is b1 or b2 (pass mode) picked by a select off
///   that chain (a1 feeds only the checks and the store) plus the offset's
///   low byte (0 for pass mode, see [`GEN_PASS_D`]), and b1's index moves
///   on by a select and an addition from the compares. (a1 was read once
///   more from memory with an index picked by the mode, and the offset
///   masked by the mode: 4-6 % more instructions on error-diffused and
///   text pages, session 10.)
/// - The reference changes b0..b4 need one check: `j`, b0's index (b1's
///   less one), is a u32, so `j + 5` cannot wrap. b1 at the start of the
///   reference line (no b0, `j` is `u32::MAX`) takes [`around`]. b4 is a
///   change or a sentinel (`refc` holds the decoded changes, increasing
///   and left of the row end, then the sentinels at the row end that
///   [`decode_2d`] checks), so no a1 left of it is past the row end.
/// - While eight bytes of data are left the bit buffer is topped up to 56
///   bits or more and four codes follow without a check on the bits: the
///   first three take 16 bits at most if the next one is decoded here (7
///   for a vertical or pass code, 3 + `MULTI_BITS` for a horizontal code
///   from one lookup; other codes go back to the top-up), which leaves 8
///   for the fourth; a horizontal fourth code with under 16 bits left goes
///   back to the top-up first. Near the end of the data one code
///   follows each top-up, checked as in `decode_2d_inner`, so every
///   decision (fast or slow path, budget spent, bits consumed) is the one
///   `decode_2d_inner` makes.
#[inline(never)]
fn decode_2d_general<const V0_FAST: bool, const V0_LONG: bool>(
    r: &mut BitReader,
    t: &Tables,
    width: u32,
    refc: &[u32],
    n_ref: usize,
    cur: &mut [u32],
) -> Result<usize, Stop> {
    // See `decode_2d_inner` for `k`, the bit buffer and `budget`.
    let data = r.data;
    let (mut acc, mut nbits, mut next) = (r.acc, r.nbits, r.next);
    let mut n = 0usize;
    let w_i = width as i32;
    let mut a0: i32 = -1;
    // b0's index (b1's less one) as a u32: u32::MAX while b1 is at index
    // 0, and `j + 5` cannot wrap (see the window below).
    let mut j = u32::MAX;
    if refc.len() > u32::MAX as usize {
        return decode_2d_inner::<false>(r, t, width, refc, 0, 0, &mut DenseStats::default(), cur);
    }
    let mut budget = step_limit(width) + 1;
    // V0 strings (text rows) copy the real reference changes in blocks.
    let v0_lim = if V0_LONG { n_ref } else { 0 };
    row_loop_macros!($, r, t, width, w_i, acc, nbits, next, budget, n, cur, a0, refc, v0_lim, {});
    macro_rules! research {
        () => {{
            let mut kk = j.wrapping_add(1) as usize;
            j = (find_b1(refc, &mut kk, a0, n & 1) as u32).wrapping_sub(1);
        }};
    }
    let gen = if V0_FAST { &GEN7_V0 } else { &GEN7 };
    // One code; `$checked` near the end of the data (the code may not be
    // all there). Codes other than vertical and pass go on at `$row`.
    macro_rules! step {
        ($row:lifetime, $checked:expr, $last:expr) => {{
            if V0_LONG && acc.leading_ones() >= V0_LONG_CODES {
                // A long string of V0 codes: copies reference changes.
                let m = v0_string!(j.wrapping_add(1) as usize);
                j = j.wrapping_add(m as u32);
                continue $row;
            }
            let e = gen[(acc >> (64 - MODE_INDEX_BITS)) as usize];
            let len = (e & 63) as u32;
            if $checked && len > nbits {
                bail!(Stop::NeedMore);
            }
            if e & GEN_FAST != 0 {
                acc <<= len;
                nbits -= len;
                // 1 for a vertical code, 0 for pass mode (a1 = b2, no change).
                let v = ((e & GEN_VERT) >> 7) as usize;
                // b0, b1, b2, b4, with one check (`j + 5` cannot wrap); b1
                // at the start of the reference line (no b0) takes `around`.
                let jj = j as usize;
                let (b0, b1, b2, b4) = match refc.get(jj..jj + 5) {
                    Some(w) => (w[0] as i32, w[1] as i32, w[2] as i32, w[4] as i32),
                    None => {
                        let Some(b) = around(refc, j.wrapping_add(1) as usize) else {
                            bail!(Stop::Bad);
                        };
                        b
                    }
                };
                // The change a1 is relative to: b1 for a vertical code, b2
                // for pass mode (a select, not a branch).
                let bs = if v != 0 { b1 } else { b2 };
                // The vertical offset, or for pass mode more than any
                // distance between changes, whose low byte is 0: `a1` takes
                // the offset's low byte, sign-extended.
                let d = e >> 8;
                let a1 = bs.wrapping_add(i32::from(d as i8));
                // b4 is a change or one of the sentinels `decode_2d` checks
                // (b1 is at most the second sentinel, as a0 is left of the
                // row end), so `a1 < b4` puts a1 left of the row end too.
                debug_assert!(b4 <= w_i);
                if a1 <= a0 || a1 >= b4 {
                    // Rare: the row end, a zero-length run, an invalid
                    // code, or b1 further away.
                    vertical_rare!(a1, v != 0, continue $row);
                }
                let Some(slot) = cur.get_mut(n) else {
                    bail!(Stop::Bad);
                };
                *slot = a1 as u32;
                // Whether b0 and b2 lie at or left of a1 (b1 + d for a
                // vertical code), from their distances to b1 so that this
                // waits for the loads only, not for a1 (both for pass mode:
                // b0 < b2 = a1, and `d` is larger than any distance). b1
                // moves on by 2 of each and v, less 2 (the shortest chain
                // from one b1 to the next: load, subtract, compare, two
                // additions).
                let s0 = u32::from(b0.wrapping_sub(b1) <= d);
                let s2 = u32::from(b2.wrapping_sub(b1) <= d);
                n += v;
                a0 = a1;
                j = j
                    .wrapping_add(v as u32)
                    .wrapping_sub(2)
                    .wrapping_add(2 * s0)
                    .wrapping_add(2 * s2);
            } else {
                let kind = (e >> 8) as u8;
                if kind == 3 {
                    // A string of V0 codes: copies reference changes.
                    let m = v0_string!(j.wrapping_add(1) as usize);
                    j = j.wrapping_add(m as u32);
                    continue $row;
                } else if kind == KIND_HORIZONTAL {
                    if $last && nbits < 3 + MULTI_BITS {
                        continue $row;
                    }
                    horizontal!(len, continue $row);
                } else {
                    extension!(continue $row);
                }
            }
        }};
    }
    'row: loop {
        // Top up as `refill_fast` does, with one bounds check.
        if let Some(b) = data.get(next..).and_then(|s| s.first_chunk::<8>()) {
            acc |= u64::from_be_bytes(*b) >> nbits;
            next += ((63 - nbits) / 8) as usize;
            nbits |= 56;
            step!('row, false, false);
            step!('row, false, false);
            step!('row, false, false);
            step!('row, false, true);
        } else {
            if nbits < 32 {
                sync!();
                r.refill();
                load!();
            }
            step!('row, true, false);
        }
    }
}

/// [`decode_2d`] for a dense reference line of `n_real` changes.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn decode_2d_dense(
    r: &mut BitReader,
    t: &Tables,
    width: u32,
    refc: &[u32],
    n_real: usize,
    short_max: u32,
    st: &mut DenseStats,
    cur: &mut [u32],
) -> Result<usize, Stop> {
    decode_2d_inner::<true>(r, t, width, refc, n_real, short_max, st, cur)
}

/// The 2-D row decoder's state that [`cycle_string`] reads and advances:
/// the bit buffer (as in `decode_2d_inner`), a0, the index of b1 and the
/// changes so far.
struct CycleState {
    acc: u64,
    nbits: u32,
    next: usize,
    a0: i32,
    k: usize,
    n: usize,
    /// Codes decoded by translating whole cycles ([`periodic_cycles`]).
    shifted: u32,
}

/// A cycle of `P` (2 or 4) vertical and pass codes (T.4 §4.2.1.3.2)
/// repeated, as ordered dither gives (V+1 V-1, V-3 V-3 V-1 V-1, pass pass
/// V+1 V-1, ...; strings of a hundred codes and more): `codes` holds their
/// [`MODE7`] entries, one per byte (a pair twice), `bits` their length.
/// Decodes whole cycles while the bits repeat the first cycle's, refilling
/// as it goes, and while each code is the common case of the general loop
/// (a0 < a1 < b4, all of b0..b4 among the real reference changes `refs`).
/// The first cycle learns how far each code moves b1 (k + 3 - 2c,
/// T.4 §4.2.1.3.1; pass: two on); later cycles must move it the same, so
/// the reference changes each code reads are known ahead instead of
/// waiting on the code before. Where the reference line repeats too (the
/// changes one cycle on are those of the cycle before, shifted by the same
/// distance), whole cycles are decoded by [`periodic_cycles`] without
/// looking at each code. Stops at the first code where any of that fails
/// (leaving it to the other paths); returns the codes decoded. Every code
/// moves a0 right.
#[inline(never)]
fn cycle_string<const P: usize>(
    data: &[u8],
    refs: &[u32],
    cur: &mut [u32],
    codes: u32,
    bits: u32,
    st: &mut CycleState,
) -> u32 {
    let CycleState {
        mut acc,
        mut nbits,
        mut next,
        mut a0,
        mut k,
        mut n,
        mut shifted,
    } = *st;
    let mut done = 0u32;
    let codes = codes.to_le_bytes();
    // Per position: bits, vertical offset, pass, move of b1, and `c`.
    let mut len = [0u32; P];
    let mut off = [0i32; P];
    let mut pass = [false; P];
    // a1 is `w[at[j]] + off[j]` in the window `w` from b0: b1 plus the
    // offset for a vertical code, b2 for pass (no branch on the mode).
    let mut at = [1usize; P];
    for j in 0..P {
        len[j] = u32::from(codes[j] & 15);
        pass[j] = codes[j] >> 4 == KIND_PASS;
        off[j] = if pass[j] {
            0
        } else {
            i32::from(codes[j] >> 4) - 3
        };
        at[j] += usize::from(pass[j]);
    }
    let mut adv = [0usize; P];
    let mut cexp = [0u32; P];
    // The first cycle's bits repeated over the whole word.
    let rep = repeated(acc, bits);
    // Bits of the codes decoded in the current window.
    let mut used = 0u32;
    // a1 of the last cycle's first code.
    let mut first = 0i32;
    // One code at position `j`: breaks out of `$out` where it is not the
    // common case (or, once learned, moves b1 otherwise).
    macro_rules! code {
        ($out:lifetime, $j:expr, $learn:expr) => {{
            let j = $j;
            let Some(w) = refs.get(k.wrapping_sub(1)..k + 4) else {
                break $out;
            };
            if n >= cur.len() {
                break $out;
            }
            let (b0, b2, b4) = (w[0] as i32, w[2] as i32, w[4] as i32);
            let a1 = w[at[j]] as i32 + off[j];
            let c = u32::from(b0 > a1) + u32::from(b2 > a1);
            if a1 <= a0 || a1 >= b4 || (!$learn && c != cexp[j]) {
                break $out;
            }
            if $learn {
                cexp[j] = c;
                adv[j] = 3usize.wrapping_sub(2 * c as usize + usize::from(pass[j]));
            }
            if j == 0 {
                first = a1;
            }
            cur[n] = a1 as u32;
            n += usize::from(!pass[j]);
            a0 = a1;
            k = k.wrapping_add(adv[j]);
            used += len[j];
            done += 1;
        }};
    }
    'string: {
        // The first cycle (the caller checked its bits are there).
        for j in 0..P {
            code!('string, j, true);
        }
        // The reference changes a cycle reads, relative to b1 at its start
        // (`lo..=hi`), how far it moves b1 and how many changes it adds.
        let mut shape = CycleShape {
            lo: isize::MAX,
            hi: isize::MIN,
            kc: 0,
            nc: 0,
        };
        for j in 0..P {
            shape.lo = shape.lo.min(shape.kc - 1);
            shape.hi = shape.hi.max(shape.kc + 3);
            shape.kc += adv[j] as isize;
            shape.nc += usize::from(!pass[j]);
        }
        let mut shift = shape.kc > 0 && shape.nc > 0;
        // One more cycle code by code (the first may read reference changes
        // before the repeating part), then whole cycles shifted from the
        // last one; then on code by code, and shifted again where that
        // went on.
        if used + bits <= (acc ^ rep).leading_zeros().min(nbits) {
            for j in 0..P {
                code!('string, j, false);
            }
        }
        acc <<= used;
        nbits -= used;
        used = 0;
        let mut tries = 0;
        loop {
            // Where the string ends in the bit buffer after a few cycles,
            // those go code by code: translating whole cycles would not pay.
            let in_buf = (acc ^ rep).leading_zeros();
            if shift && (in_buf >= nbits || in_buf >= SHIFT_MIN_CYCLES * bits) {
                let pos = next * 8 - nbits as usize;
                let t =
                    periodic_cycles::<P>(data, refs, cur, &shape, pos, bits, rep, k, n, a0 - first);
                // Another try after some codes one by one where the first
                // found none (the cycle before may read changes before the
                // repeating part).
                tries += 1;
                shift = t.cycles > 0 || tries < 2;
                if t.cycles > 0 {
                    let cycles = t.cycles;
                    n += cycles * shape.nc;
                    k = k.wrapping_add((cycles as isize * shape.kc) as usize);
                    a0 += t.moved;
                    first += t.moved;
                    done += (cycles * P) as u32;
                    shifted += (cycles * P) as u32;
                    // The bit buffer from the end of the last cycle, as
                    // `BitReader::new` fills it: the last byte is there but
                    // not counted (a fast refill takes at most 63 bits).
                    let at = pos + cycles * bits as usize;
                    // (`periodic_cycles` leaves eight bytes there.)
                    let Some(b) = load_at(data, at) else {
                        break 'string;
                    };
                    (acc, nbits, next) = b;
                }
            }
            // Whole cycles while the bits repeat and are there.
            let avail = (acc ^ rep).leading_zeros().min(nbits);
            while used + bits <= avail {
                for j in 0..P {
                    code!('string, j, false);
                }
            }
            // All 64 bits may be used (the slow refill fills the word).
            acc = acc.checked_shl(used).unwrap_or(0);
            nbits -= used;
            used = 0;
            // The next cycle must repeat the first (after the refill at
            // least 56 bits are there).
            if !refill_fast(data, &mut acc, &mut nbits, &mut next)
                || (acc ^ rep).leading_zeros() < bits
            {
                break 'string;
            }
        }
    }
    // Codes of a cycle cut short are decoded; their bits go too.
    acc = acc.checked_shl(used).unwrap_or(0);
    nbits -= used;
    *st = CycleState {
        acc,
        nbits,
        next,
        a0,
        k,
        n,
        shifted,
    };
    done
}

/// Cycle strings of fewer whole cycles than this (the bits repeating the
/// first cycle's) are decoded by [`cycle_short`] (on pages where
/// [`periodic_cycles`] shifts most cycle codes; elsewhere up to
/// [`SHORT_LONG_CYCLES`]): [`cycle_string`] would decode them code by code
/// after its set-up, or shift a few cycles with [`periodic_cycles`] (the
/// same codes: it only takes cycles that decode as the cycle before did).
const SHORT_MAX_CYCLES: u32 = SHIFT_MIN_CYCLES + 2;

/// [`SHORT_MAX_CYCLES`] on pages whose reference lines do not repeat with
/// the cycles (ordered dither under a changing grey, where the reference
/// changes move unevenly from one cycle to the next): there
/// [`periodic_cycles`] seldom finds whole cycles to shift (4 % of the
/// cycle codes on the 4x4 Bayer page), and [`cycle_short`] decodes strings
/// of up to this many cycles in fewer instructions than `cycle_string`
/// (Bayer page MMR decode 1.05x, MR 1.07x, session 11; the share of
/// shifted codes there falls from 39 % under the short limit). Where they
/// do repeat (a fixed 8x8 dither: 90 % of the cycle codes shifted, 81 %
/// under this limit) the short limit stays (this one: 1.05x slower there).
/// The tests decode every dense row under both limits.
const SHORT_LONG_CYCLES: u32 = SHIFT_MIN_CYCLES + 38;

/// Below this share of the cycle codes shifted by [`periodic_cycles`] (in
/// 1/256, a running average over the page's dense rows, see
/// [`DenseGate`]) cycle strings take [`SHORT_LONG_CYCLES`].
const SHIFT_SHARE_MIN: u32 = 128;

/// [`cycle_string`] for a string of fewer than `max` ([`SHORT_MAX_CYCLES`]
/// or [`SHORT_LONG_CYCLES`]) whole cycles (ordered dither of a
/// fast-changing grey: mostly strings of two to six cycles), with eight
/// bytes of data after them; `None` (nothing changed)
/// for other strings. `same` is how many bits of the bit buffer repeat
/// themselves `bits` (one cycle) on: the caller checked two cycles are
/// there. The same decoding as `cycle_string` in fewer instructions, over
/// the whole cycles whose bits repeat the first's: the first cycle code
/// by code with its checks (learning `c` per position, T.4 §4.2.1.3.1;
/// later cycles must repeat it); each further cycle checked from one
/// window of the `W` reference changes it reads, else code by code;
/// stopping at the first code that fails the checks. The bits of the codes
/// decoded are spent once at the end. Returns the codes decoded.
///
/// (Later cycles were translated from the last one where the reference
/// changes they read were those of the last one shifted, as
/// [`periodic_cycles`] does: that held for every later cycle of two codes
/// but for only a third of those of four codes on the Bayer page, the rest
/// going code by code. Checking each code of the cycle from the window
/// holds for all but the string's end: MMR decode of the page 1.015x,
/// -10 % instructions here, session 11. Then the checks of all the codes
/// were `&`ed for one branch: LLVM made a branch per check of them anyway,
/// after all the loads, and spilled the flags and a1s to the stack; a
/// branch per code, its change stored after it, takes a third fewer
/// instructions per cycle of four codes: MMR decode 1.04-1.05x, session 11.
/// Inlined into [`decode_2d_dense`]: the string's state stays in registers
/// instead of [`CycleState`] in memory, MMR decode 1.02-1.03x more.)
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn cycle_short<const P: usize, const W: usize>(
    data: &[u8],
    refs: &[u32],
    cur: &mut [u32],
    codes: u32,
    bits: u32,
    same: u32,
    max: u32,
    st: &mut CycleState,
) -> Option<u32> {
    // Bits from the string's start that repeat its first cycle.
    let mut end = same + bits;
    if end >= st.nbits {
        // The string goes on past the bit buffer: follow it in the data,
        // 56 bits (whole cycles) at a time. Far from the end of the data
        // (`cycle_string` stops where eight bytes are not left).
        if data.len() < st.next + 64 {
            return None;
        }
        // (Only the top `span` bits count below, not `repeated`'s last
        // partial copy.)
        let rep = (st.acc >> (64 - bits)) * REP_MUL[bits as usize & 63];
        let span = div_small(56, bits) * bits;
        let pos = st.next * 8 - st.nbits as usize;
        end = 0;
        loop {
            let at = pos + end as usize;
            let b = data.get(at / 8..)?.first_chunk::<8>()?;
            let m = ((u64::from_be_bytes(*b) << (at % 8)) ^ rep).leading_zeros();
            if m < span {
                end += m;
                break;
            }
            end += span;
            if end >= max * bits {
                return None;
            }
        }
    }
    if end >= max * bits {
        return None;
    }
    debug_assert!(end >= 2 * bits);
    let (mut a0, mut k, mut n) = (st.a0, st.k, st.n);
    // Per position, learned by the first cycle: where a1 is in the window
    // from b0 (b1, or b2 for pass), its offset, `c`, the move of b1 and
    // the changes added.
    let mut at = [1usize; P];
    let mut off = [0i32; P];
    let mut cexp = [0u32; P];
    let mut adv = [0usize; P];
    let mut add = [0usize; P];
    // Whole cycles left after the current one, and codes of the cycle
    // where the string ended.
    let mut left = div_small(end, bits);
    let mut part = 0;
    // One code at position `j` (its `MODE7` entry in byte `j` of `codes`).
    macro_rules! code {
        ($out:lifetime, $j:expr, $learn:expr) => {{
            let j: usize = $j;
            let Some(w) = refs.get(k.wrapping_sub(1)..k + 4) else {
                part = j;
                break $out;
            };
            if n >= cur.len() {
                part = j;
                break $out;
            }
            if $learn {
                let kind = (codes >> (8 * j + 4)) & 15;
                let pass = kind == u32::from(KIND_PASS);
                at[j] += usize::from(pass);
                off[j] = if pass { 0 } else { kind as i32 - 3 };
                add[j] = usize::from(!pass);
            }
            let (b0, b2, b4) = (w[0] as i32, w[2] as i32, w[4] as i32);
            // b1 plus the offset for a vertical code, b2 for pass.
            let a1 = w[at[j]] as i32 + off[j];
            let c = u32::from(b0 > a1) + u32::from(b2 > a1);
            if a1 <= a0 || a1 >= b4 || (!$learn && c != cexp[j]) {
                part = j;
                break $out;
            }
            if $learn {
                cexp[j] = c;
                adv[j] = 3usize.wrapping_sub(2 * c as usize + (at[j] - 1));
            }
            cur[n] = a1 as u32;
            n += add[j];
            a0 = a1;
            k = k.wrapping_add(adv[j]);
        }};
    }
    'string: {
        for j in 0..P {
            code!('string, j, true);
        }
        left -= 1;
        // The reference changes a cycle reads, relative to b1 at its start
        // (`lo..`; at most 3 (P - 1) + 5 <= W of them, each code moving b1
        // by -1 to 3), b0's index in them per code (`rel`), how far a cycle
        // moves b1 and the changes it adds (`nj`: before each code).
        let (mut lo, mut kc, mut nc) = (0isize, 0isize, 0usize);
        let mut nj = [0usize; P];
        let mut rel = [0usize; P];
        for j in 0..P {
            lo = lo.min(kc - 1);
            rel[j] = kc as usize;
            nj[j] = nc;
            kc += adv[j] as isize;
            nc += add[j];
        }
        for r in &mut rel {
            *r = r.wrapping_sub(1).wrapping_sub(lo as usize);
        }
        while left > 0 {
            // Each code as in the first cycle, with its checks (a1 right of
            // a0 and left of b4, `c` as learned, so that b1 moves as
            // learned): the whole cycle from one window, one branch per
            // code, taken only at the string's end or where a change in the
            // reference line moves a code's b1 differently (T.4
            // §4.2.1.3.1).
            let win = refs
                .get(k.wrapping_add(lo as usize)..)
                .and_then(|s| s.first_chunk::<W>());
            let out = cur.get_mut(n..).and_then(|s| s.first_chunk_mut::<P>());
            if let (true, Some(win), Some(out)) = (kc > 0, win, out) {
                // Each code's change is stored once it passes its checks
                // (if a later one fails, the code-by-code path below
                // stores it again).
                let mut ok = true;
                let mut prev = a0;
                // (`min` and `&` never change an index, at most
                // 3 (P - 1) + 4: they spare the bounds checks.)
                for j in 0..P {
                    let r = rel[j].min(W - 5);
                    let b0 = win[r] as i32;
                    let b2 = win[r + 2] as i32;
                    let b4 = win[r + 4] as i32;
                    let a1 = win[r + (at[j] & 3)] as i32 + off[j];
                    let c = u32::from(b0 > a1) + u32::from(b2 > a1);
                    if a1 <= prev || a1 >= b4 || c != cexp[j] {
                        ok = false;
                        break;
                    }
                    // A pass code's entry is overwritten by the next code's
                    // (or left past the changes).
                    out[nj[j]] = a1 as u32;
                    prev = a1;
                }
                if ok {
                    a0 = prev;
                    k = k.wrapping_add(kc as usize);
                    n += nc;
                    left -= 1;
                    continue;
                }
            }
            for j in 0..P {
                code!('string, j, false);
            }
            left -= 1;
        }
    }
    let cycles = div_small(end, bits) - left;
    // Bits of the codes decoded: whole cycles, then those of the last one.
    let mut used = cycles * bits;
    for j in 0..part {
        used += (codes >> (8 * j)) & 15;
    }
    if used < st.nbits {
        st.acc <<= used;
        st.nbits -= used;
    } else {
        // Past the bit buffer: filled from there by `BitReader::new`
        // (which also takes the end of the data: a long string scanned in
        // the data may end less than eight bytes before it).
        let at = st.next * 8 - st.nbits as usize + used as usize;
        let b = BitReader::new(data, at);
        (st.acc, st.nbits, st.next) = (b.acc, b.nbits, b.next);
    }
    st.a0 = a0;
    st.k = k;
    st.n = n;
    Some(cycles * P as u32 + part as u32)
}

/// The reference changes one cycle of [`cycle_string`] reads, relative to
/// the index of b1 at the start of the cycle (`lo..=hi`), how far the cycle
/// moves b1 (`kc`) and how many changes it adds (`nc`, its vertical codes).
struct CycleShape {
    lo: isize,
    hi: isize,
    kc: isize,
    nc: usize,
}

/// What [`periodic_cycles`] decoded: whole cycles, and how far they moved a0.
struct Shifted {
    cycles: usize,
    moved: i32,
}

/// Whole cycles of [`cycle_string`] decoded at once, after one cycle
/// decoded code by code (its changes end `cur[..n]`, b1 now at `k`, a0 at
/// `a0_gap` past the cycle's first a1). From bit `pos` of `data` (a cycle
/// boundary), as long as the bits repeat `rep` (whole cycles of `bits`)
/// and the reference changes the cycles read repeat those of the cycle
/// before, all shifted right by one distance `d` (T.4 §4.2.1.3.2: the
/// codes of a cycle only compare reference changes, a0 and a1 with each
/// other, so each cycle then decodes as the one before, its changes `d`
/// further right: the same checks pass, b1 moves the same way). The first
/// code's a1 moved by `d` must be right of the last one's (the check the
/// shift does not carry). Stops before the end of `refs`, before `cur` is
/// full and eight bytes before the end of `data`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn periodic_cycles<const P: usize>(
    data: &[u8],
    refs: &[u32],
    cur: &mut [u32],
    shape: &CycleShape,
    pos: usize,
    bits: u32,
    rep: u64,
    k: usize,
    n: usize,
    a0_gap: i32,
) -> Shifted {
    let none = Shifted {
        cycles: 0,
        moved: 0,
    };
    let (kc, nc) = (shape.kc as usize, shape.nc);
    if shape.kc <= 0 || nc == 0 {
        return none;
    }
    // Room: every code of a cycle with b1 at k + t * kc reads up to k + t *
    // kc + hi; each cycle writes `P` entries from its first change (those
    // past its changes are overwritten or left past the end).
    let top = refs.len() as isize - 1 - shape.hi - k as isize;
    if top < 0 || n < nc || n + P >= cur.len() {
        return none;
    }
    // (32-bit divisions: both fit, and no branch on the operands' size.)
    let top = top.min(1 << 24) as u32;
    let free = (cur.len() - P - n).min(1 << 24) as u32;
    let room = (div_small(top, kc as u32) + 1).min(div_small(free, nc as u32)) as usize;
    // Whole cycles in the bits, 56 bits (whole cycles) at a time, with eight
    // bytes left after the last one.
    let per = div_small(56, bits) as usize;
    let span = per as u32 * bits;
    let mut cycles = 0usize;
    let mut at = pos;
    while cycles < room {
        let Some(b) = data.get(at / 8..).and_then(|s| s.first_chunk::<8>()) else {
            break;
        };
        let m = ((u64::from_be_bytes(*b) << (at % 8)) ^ rep).leading_zeros();
        if m >= span {
            cycles += per;
            at += span as usize;
        } else {
            cycles += div_small(m, bits) as usize;
            break;
        }
    }
    let mut cycles = cycles.min(room);
    while cycles > 0 && data.len() < (pos + cycles * bits as usize) / 8 + 8 {
        cycles -= 1;
    }
    if cycles == 0 {
        return none;
    }
    // The reference changes the cycles read, against those one cycle before.
    let i0 = (k as isize + shape.lo) as usize;
    let i1 = (k as isize + (cycles - 1) as isize * shape.kc + shape.hi) as usize;
    let Some(old) = i0.checked_sub(kc).and_then(|o| refs.get(o..=i1 - kc)) else {
        return none;
    };
    let Some(new) = refs.get(i0..=i1) else {
        return none;
    };
    let d = new[0].wrapping_sub(old[0]);
    if d == 0 || d >= 1 << 30 || (d as i32) <= a0_gap {
        return none;
    }
    let mut good = 0usize;
    for (x, y) in old.chunks_exact(8).zip(new.chunks_exact(8)) {
        let same = x
            .iter()
            .zip(y)
            .fold(true, |o, (a, b)| o & (b.wrapping_sub(*a) == d));
        if !same {
            break;
        }
        good += 8;
    }
    good += old[good..]
        .iter()
        .zip(&new[good..])
        .take_while(|(a, b)| b.wrapping_sub(**a) == d)
        .count();
    // Cycles whose window ends before the first change that differs.
    let f = i0 + good;
    let span_end = f as isize - 1 - k as isize - shape.hi;
    if span_end < 0 {
        return none;
    }
    let cycles = cycles.min(div_small(span_end.min(1 << 24) as u32, kc as u32) as usize + 1);
    // Each cycle's changes: the last cycle's, `d` further on per cycle
    // (`P` entries a cycle, the `nc` changes first).
    let mut last = [0u32; P];
    last[..nc].copy_from_slice(&cur[n - nc..n]);
    for (t, at) in (n..n + cycles * nc).step_by(nc).enumerate() {
        let add = d * (t as u32 + 1);
        let Some(out) = cur.get_mut(at..at + P) else {
            break;
        };
        for (o, &v) in out.iter_mut().zip(&last) {
            *o = v + add;
        }
    }
    Shifted {
        cycles,
        moved: (cycles as u32 * d) as i32,
    }
}

/// How many more times the code of `len` bits at the top of `acc`
/// repeats in `data` from bit `at` (where a repeat starts), at most about
/// `max`: a string of one code (T.4 §4.2.1.3.2) going on past the bit
/// buffer. Counts only repeats with eight bytes of data after them.
#[inline(never)]
fn repeats_on(data: &[u8], at: usize, len: u32, acc: u64, max: usize) -> usize {
    let (mut m, at) = repeats_scan(data, at, len, acc, max);
    // Eight bytes after the last repeat (`at / 8 + 8 <= data.len()`, i.e.
    // `at < lim`): drop the repeats from the first that ends at or past
    // `lim`, near the end of the data only. (A loop dropping one at a time
    // became vector code whose set-up alone cost 40 instructions a call.)
    let lim = data.len().saturating_sub(7) * 8;
    if at >= lim {
        m = m.saturating_sub((at - lim) / len as usize + 1);
    }
    m
}

/// The scan of [`repeats_on`]: the repeats found (at most about `max`)
/// and the bit after the last, before the end of the data is allowed for.
#[inline(always)]
fn repeats_scan(data: &[u8], mut at: usize, len: u32, acc: u64, max: usize) -> (usize, usize) {
    // The code repeated over the whole word.
    let rep = repeated(acc, len);
    // Whole codes per 56 bits (by a reciprocal, see `RECIP`).
    let per = ((56 * RECIP[len as usize]) >> 16) as usize;
    let span = per * len as usize;
    let mut m = 0usize;
    while m < max {
        let Some(b) = data.get(at / 8..).and_then(|s| s.first_chunk::<8>()) else {
            break;
        };
        let same = ((u64::from_be_bytes(*b) << (at % 8)) ^ rep).leading_zeros();
        if same as usize >= span {
            m += per;
            at += span;
        } else {
            m += ((same * RECIP[len as usize]) >> 16) as usize;
            at += ((same * RECIP[len as usize]) >> 16) as usize * len as usize;
            break;
        }
    }
    (m, at)
}

/// V-1/V0 strings of the dense loop up to this long are copied as one
/// fixed block (speed only: 32 covers about 3/4 of the Bayer page's
/// strings; 16 and 64 measured no better).
const V_BLOCK: usize = 32;

/// `short_max`: cycle strings of fewer whole cycles go to [`cycle_short`]
/// ([`SHORT_MAX_CYCLES`] or [`SHORT_LONG_CYCLES`]; speed only).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn decode_2d_inner<const DENSE: bool>(
    r: &mut BitReader,
    t: &Tables,
    width: u32,
    refc: &[u32],
    n_real: usize,
    short_max: u32,
    st: &mut DenseStats,
    cur: &mut [u32],
) -> Result<usize, Stop> {
    // The bit buffer lives in locals (the hot loop); `r` is synced before
    // the slow paths and on return. After the refill at the top of the
    // loop either `nbits >= 32` or all the data is in `acc` (then `nbits`
    // is exactly what remains), so `len <= nbits` means the code is there.
    // A fast vertical or pass code takes at most 7 bits and a fast
    // horizontal code at most 3 + 12, so two fast codes follow each refill;
    // every other path goes back to the refill.
    //
    // `k` is kept as the index of b1 for the current a0 and colour
    // (T.4 §4.2.1.3.1), updated after each code from what the code implies
    // (after pass mode b1 moves two on; after a vertical code it is one of
    // the entries k-1, k+1, k+3), so the common codes need no search. The
    // colour of a0 is the parity of the changes so far (`n & 1`).
    //
    // Every fast code moves a0 right (so at most `width` of them per row);
    // the other paths spend `budget`, so hostile data cannot loop.
    let data = r.data;
    let (mut acc, mut nbits, mut next) = (r.acc, r.nbits, r.next);
    let mut n = 0usize;
    let w_i = width as i32;
    let mut a0: i32 = -1;
    let mut k = 0usize;
    let mut budget = step_limit(width) + 1;
    // Repeated-code path counters (`DenseStats`), stored on every sync.
    let (mut lookups, mut extra, mut cycle_codes) = (0u32, 0u32, 0u32);
    let (mut shifted_codes, mut far_codes, mut short_codes) = (0u32, 0u32, 0u32);
    // V0 strings are copied change by change here (`v0_string!`'s blocks
    // made the dense paths no faster, and this is the reference loop).
    let v0_quick = 0usize;
    row_loop_macros!($, r, t, width, w_i, acc, nbits, next, budget, n, cur, a0, refc, v0_quick, {
        if DENSE {
            st.lookups = lookups;
            st.extra = extra;
            st.cycle_codes = cycle_codes;
            st.shifted_codes = shifted_codes;
            st.far_codes = far_codes;
            st.short_codes = short_codes;
        }
    });
    // Find b1 again after a code that moved a0 arbitrarily (a0 never moves
    // left, so the search starts near the last b1).
    macro_rules! research {
        () => {{
            let mut j = k;
            k = find_b1(refc, &mut j, a0, n & 1);
        }};
    }
    // One code. Vertical and pass codes share one path without branches on
    // the mode (dithered pages mix them unpredictably, T.4 §4.2.1.3.2);
    // rare cases go back to the loop top.
    macro_rules! step {
        () => {{
            let e = MODE7[(acc >> (64 - MODE_INDEX_BITS)) as usize];
            let kind = e >> 4;
            let len = u32::from(e & 15);
            if kind == 3 {
                // A string of V0 codes (`1` each): every one makes a1 = b1,
                // and then the next b1 is the next reference change, so the
                // string copies reference changes (T.4 §4.2.1.3.2, offset 0).
                // The string may run on into the next row's codes: take no
                // more than the reference line holds (its sentinels end the
                // row).
                let m = v0_string!(k);
                k += m;
                continue;
            }
            if len > nbits {
                bail!(Stop::NeedMore);
            }
            if kind <= KIND_PASS && kind != KIND_HORIZONTAL {
                acc <<= len;
                nbits -= len;
                let Some((b0, b1, b2, b4)) = around(refc, k) else {
                    bail!(Stop::Bad);
                };
                let pass = kind == KIND_PASS;
                // Pass mode moves a0 to b2; a vertical code puts a1 at b1
                // plus its offset.
                let a1 = if pass { b2 } else { b1 + i32::from(kind) - 3 };
                // The common case: a1 right of a0, before the row end and
                // before b4 (so the next b1 is one of k-1, k+1, k+3 after a
                // vertical code, k+2 after pass).
                if a1 <= a0 || a1 >= b4.min(w_i) {
                    // Rare: the row end, a zero-length run, an invalid
                    // code, or b1 further away.
                    vertical_rare!(a1, !pass, continue);
                }
                let Some(slot) = cur.get_mut(n) else {
                    bail!(Stop::Bad);
                };
                *slot = a1 as u32;
                // For pass mode b0 < b2 = a1, so `c` is 0 and k moves two on.
                let c = usize::from(b0 > a1) + usize::from(b2 > a1);
                n += usize::from(!pass);
                a0 = a1;
                k = k + 3 - 2 * c - usize::from(pass);
            } else if kind == KIND_HORIZONTAL {
                horizontal!(len, continue);
            } else {
                extension!(continue);
            }
        }};
    }
    // Spend `used` bits: more than the bit buffer holds only after a string
    // that `repeats_on` found going on past it (then eight bytes are left
    // there; the bit buffer is filled from there with one load,
    // [`load_at`], in place: a `BitReader::new` call there cost the far
    // strings 1-2 % of the Bayer page's decode).
    macro_rules! take {
        ($used:expr) => {{
            let used: u32 = $used;
            if used <= nbits {
                acc = acc.checked_shl(used).unwrap_or(0);
                nbits -= used;
            } else {
                let at = next * 8 - nbits as usize + used as usize;
                if let Some(b) = load_at(data, at) {
                    (acc, nbits, next) = b;
                } else {
                    let b = BitReader::new(data, at);
                    (acc, nbits, next) = (b.acc, b.nbits, b.next);
                }
            }
        }};
    }
    // The code at the top (`e` from `t.op2d`, `len` bits) m times (m may be
    // 0 when the data ends inside the code: then `step!` decides).
    macro_rules! ops {
        ($e:expr, $len:expr, $m:expr) => {{
            let (e, len, m): (u32, u32, usize) = ($e, $len, $m);
            let off1 = ((e >> 11) & 0x7F) as i32 - 3;
            if e & OP_HORIZONTAL != 0 {
                // Horizontal mode, the same two runs m times (T.4 §4.2.1.3.2).
                let r1 = off1 as u32;
                let step = ((e >> 18) & 0xFF) - 3;
                let start = a0.max(0) as u32;
                let mut m = m;
                if start + m as u32 * step >= width {
                    // Stop before the row end (`step!` decodes the last one).
                    m = (width.saturating_sub(1 + start) / step) as usize;
                }
                let Some(s) = cur.get_mut(n..n + 2 * m) else {
                    step!();
                    continue;
                };
                if m == 0 {
                    step!();
                    continue;
                }
                let mut p = start;
                for pair in s.chunks_exact_mut(2) {
                    pair[0] = p + r1;
                    p += step;
                    pair[1] = p;
                }
                n += 2 * m;
                a0 = p as i32;
                let used = len * m as u32;
                take!(used);
                // a0 may have moved far: skip reference changes eight at a
                // time, then search.
                while k + 8 < n_real && refc[k + 8] as i32 <= a0 {
                    k += 8;
                }
                research!();
            } else if e & OP_PASS != 0 {
                // Pass mode m times: a0 = b2 each time, b1 two on; b2 must be
                // a real change (not the row end).
                let m = m.min(n_real.saturating_sub(k) / 2);
                if m == 0 {
                    step!();
                    continue;
                }
                a0 = refc[k + 2 * m - 1] as i32;
                k += 2 * m;
                let used = len * m as u32;
                take!(used);
            } else if off1 == -1 || off1 == 0 {
                // V-1 or V0 m times: a1 = b1 + d, and b1 one on (b0 <= a1 < b2);
                // b1 must be a real change (not the row end).
                let m = m.min(n_real.saturating_sub(k));
                let Some(src) = refc.get(k..k + m) else {
                    step!();
                    continue;
                };
                if m == 0 || cur.len() < n + m || src[0] as i32 + off1 <= a0 {
                    step!();
                    continue;
                }
                let d = off1 as u32;
                a0 = (src[m - 1].wrapping_add(d)) as i32;
                // Up to `V_BLOCK` as one fixed block where both lines have
                // room for it (no loop whose exit depends on the string's
                // length); the entries past the string fall in the coding
                // line's spare room, which later codes and the sentinels
                // write over. Longer strings change by change.
                let block = (refc.get(k..).and_then(|s| s.first_chunk::<V_BLOCK>()))
                    .zip(cur.get_mut(n..).and_then(|s| s.first_chunk_mut::<V_BLOCK>()));
                match block {
                    Some((src, dst)) if m <= V_BLOCK => {
                        for (o, &v) in dst.iter_mut().zip(src) {
                            *o = v.wrapping_add(d);
                        }
                    }
                    _ => {
                        for (o, &v) in cur[n..n + m].iter_mut().zip(src) {
                            *o = v.wrapping_add(d);
                        }
                    }
                }
                n += m;
                k += m;
                let used = len * m as u32;
                take!(used);
            } else {
                // Another vertical code m times: one at a time, b1 moving to
                // k - 1, k + 1 or k + 3 as in `step!`; stop (leaving the rest
                // to `step!`) where that does not hold.
                let mut done = 0u32;
                for _ in 0..m {
                    let Some((b0, b1, b2, b4)) = around(refc, k) else {
                        break;
                    };
                    let a1 = b1 + off1;
                    if a1 <= a0 || a1 >= b4.min(w_i) {
                        break;
                    }
                    let Some(slot) = cur.get_mut(n) else {
                        break;
                    };
                    *slot = a1 as u32;
                    n += 1;
                    let c = usize::from(b0 > a1) + usize::from(b2 > a1);
                    k = k + 3 - 2 * c;
                    a0 = a1;
                    done += 1;
                }
                if done == 0 {
                    step!();
                    continue;
                }
                let used = len * done;
                take!(used);
            }
        }};
    }
    // A cycle of two or four vertical and pass codes (T.4 §4.2.1.3.2)
    // repeated, as ordered dither gives: found like a string of one code,
    // by comparing the bits with themselves shifted by one cycle (the
    // cycle's codes from `VP_PAIR`, two per lookup), at least two whole
    // cycles in the bits there; then decoded by `cycle_string`. Returns the
    // codes decoded (0: no cycle here, nothing changed).
    macro_rules! cycle {
        () => {{
            let pr = VP_PAIR[(acc >> (64 - PAIR_BITS)) as usize];
            let mut done = 0u32;
            if pr != 0 {
                let refs = &refc[..n_real];
                let l2 = u32::from(pr & 15) + u32::from((pr >> 8) & 15);
                let s2 = (acc ^ (acc << l2)).leading_zeros();
                let mut cs = CycleState {
                    acc,
                    nbits,
                    next,
                    a0,
                    k,
                    n,
                    shifted: 0,
                };
                if s2 >= l2 && 2 * l2 <= nbits {
                    let codes = u32::from(pr) * 0x1_0001;
                    done = match cycle_short::<2, 8>(
                        data, refs, cur, codes, l2, s2, short_max, &mut cs,
                    ) {
                        Some(d) => {
                            short_codes += d;
                            d
                        }
                        None => cycle_string::<2>(data, refs, cur, codes, l2, &mut cs),
                    };
                } else {
                    let pr2 = VP_PAIR[((acc << l2) >> (64 - PAIR_BITS)) as usize];
                    let l4 = l2 + u32::from(pr2 & 15) + u32::from((pr2 >> 8) & 15);
                    let s4 = (acc ^ (acc << l4)).leading_zeros();
                    if pr2 != 0 && s4 >= l4 && 2 * l4 <= nbits {
                        let codes = u32::from(pr) | u32::from(pr2) << 16;
                        done = match cycle_short::<4, 16>(
                            data, refs, cur, codes, l4, s4, short_max, &mut cs,
                        ) {
                            Some(d) => {
                                short_codes += d;
                                d
                            }
                            None => cycle_string::<4>(data, refs, cur, codes, l4, &mut cs),
                        };
                    }
                }
                if done > 0 {
                    CycleState {
                        acc,
                        nbits,
                        next,
                        a0,
                        k,
                        n,
                        ..
                    } = cs;
                    shifted_codes += cs.shifted;
                }
            }
            done
        }};
    }
    // Dense reference lines (dithered pictures): uniform grey areas give
    // strings of one repeated code (T.4 §4.2.1.3.2) - V-1 codes (each
    // a1 = b1 - 1, so the string copies reference changes less one), pass
    // codes (each moves b1 two on) and horizontal codes of the same two
    // short runs. A string is found by comparing the bits with themselves
    // shifted by one code, and decoded in one go (a string that fills the
    // bit buffer is followed on in the data by `repeats_on`: long strings
    // take one lookup, not one per refill); a single code takes the
    // same paths (without the string arithmetic on the bit buffer's
    // dependency chain); everything else goes through `step!`. These paths
    // read only the `n_real` real reference changes and never reach the
    // row end (that code is always left to `step!`); every code they take
    // moves a0 right, so they need no budget.
    if DENSE && n_real > 0 {
        loop {
            if !refill_fast(data, &mut acc, &mut nbits, &mut next) && nbits < 32 {
                sync!();
                r.refill();
                load!();
            }
            lookups += 1;
            let e = t.op2d[n & 1][(acc >> (64 - OP_BITS)) as usize];
            let len = e & 15;
            if len == 0 || len > nbits {
                step!();
                continue;
            }
            // How many times the code at the top repeats, within `nbits`.
            let same = (acc ^ (acc << len)).leading_zeros();
            if same < 2 * len && e & OP_HORIZONTAL == 0 {
                let done = cycle!();
                if done > 0 {
                    cycle_codes += done;
                    // Only long strings count for the gate: error-diffused
                    // pictures give short ones that do not pay.
                    if done >= CYCLE_PAYS {
                        extra += done - 1;
                    } else {
                        lookups += done - 1;
                    }
                    continue;
                }
            }
            if same < len {
                ops!(e, len, 1);
            } else {
                // (len + same).min(nbits) / len, by a reciprocal (both < 128).
                let mut m = (((len + same).min(nbits) * RECIP[len as usize]) >> 16) as usize;
                // Lookups the rest of a string past the bit buffer would
                // take one refill (56 bits) at a time: the gate counts the
                // string as before.
                let mut more = 0u32;
                if len + same >= nbits {
                    // The string may go on past the bit buffer.
                    let at = next * 8 - nbits as usize + m * len as usize;
                    let far = repeats_on(data, at, len, acc, width as usize);
                    m += far;
                    far_codes += far as u32;
                    let per = div_small(56, len);
                    let far32 = far.min(1 << 24) as u32;
                    more = div_small(far32 + per - 1, per);
                }
                lookups += more;
                // Strings of V0 count as one code a lookup: the general loop
                // takes those in one go as well.
                if len > 1 {
                    extra += m as u32 - 1 - more;
                }
                ops!(e, len, m);
            }
        }
    }
    loop {
        if !refill_fast(data, &mut acc, &mut nbits, &mut next) && nbits < 32 {
            sync!();
            r.refill();
            load!();
        }
        step!();
        step!();
    }
}

/// Write one run of `colour`: extended/make-up codes then a terminating code
/// (T.4 §4.1.1.2, runs over 2560 repeat the 2560 make-up code).
#[inline(always)]
pub(crate) fn put_run(w: &mut BitWriter, out: &mut Vec<u8>, t: &Tables, colour: usize, mut n: u32) {
    while n > MAX_MAKEUP {
        let c = t.makeup[colour][40];
        w.put(out, c.bits, c.len);
        n -= MAX_MAKEUP;
    }
    if n >= 64 {
        let c = t.makeup[colour][(n / 64) as usize];
        w.put(out, c.bits, c.len);
        n %= 64;
    }
    let c = t.term[colour][n as usize];
    w.put(out, c.bits, c.len);
}

/// Encode a row one-dimensionally from its changing elements (no sentinels
/// needed; entries >= width are ignored). A white and a black run both
/// under 64 go out as one pre-joined code.
pub(crate) fn encode_1d(w: &mut BitWriter, out: &mut Vec<u8>, t: &Tables, width: u32, cur: &[u32]) {
    encode_1d_to(&mut PlainSink { w, out }, t, width, cur);
}

/// [`encode_1d`] through a [`crate::bits::FastBits`] register writer (no
/// flush test and no `Vec` growth check per code), for rows with many
/// changes (text): same codes, same bits. `buf` is the caller's, kept
/// between rows so that it is not cleared for each.
pub(crate) fn encode_1d_fast(
    w: &mut BitWriter,
    out: &mut Vec<u8>,
    t: &Tables,
    buf: &mut crate::bits::FastBuf,
    width: u32,
    cur: &[u32],
) {
    through_fast(w, out, buf, |s| encode_1d_to(s, t, width, cur));
}

/// Run `body` on a [`FastSink`] over `w` and `out` (`buf` the caller's,
/// kept between rows), then hand the bits back to `w`.
#[inline(always)]
fn through_fast(
    w: &mut BitWriter,
    out: &mut Vec<u8>,
    buf: &mut crate::bits::FastBuf,
    body: impl FnOnce(&mut FastSink<'_>),
) {
    let f = w.fast(buf);
    let mut s = FastSink { f, buf, w, out };
    body(&mut s);
    let FastSink { f, buf, w, out } = s;
    w.resume(out, buf, f);
}

/// Where [`encode_1d_to`] and [`encode_2d_to`] write their codes (T.4
/// §4.1.1, §4.2.1.3): the plain [`BitWriter`] or a
/// [`crate::bits::FastBits`] register writer.
trait RunSink {
    /// One code of at most 32 bits.
    fn code(&mut self, bits: u32, len: u32);
    /// One run of `colour` (make-up and terminating codes, [`put_run`]).
    fn run(&mut self, t: &Tables, colour: usize, n: u32);
    /// After each group of codes: a white/black pair of runs, a 2-D mode
    /// code with its runs, or up to 31 V0 codes (at most 64 bytes).
    fn pair_done(&mut self) {}
}

/// [`RunSink`] on a [`BitWriter`] and its output.
struct PlainSink<'a> {
    w: &'a mut BitWriter,
    out: &'a mut Vec<u8>,
}

impl RunSink for PlainSink<'_> {
    #[inline(always)]
    fn code(&mut self, bits: u32, len: u32) {
        self.w.put(self.out, bits, len);
    }
    #[inline(always)]
    fn run(&mut self, t: &Tables, colour: usize, n: u32) {
        put_run(self.w, self.out, t, colour, n);
    }
}

/// [`RunSink`] on a [`crate::bits::FastBits`] (flushed after each code,
/// spilled to the [`BitWriter`]'s output after a pair when its buffer is
/// nearly full).
struct FastSink<'a> {
    f: crate::bits::FastBits,
    buf: &'a mut crate::bits::FastBuf,
    w: &'a mut BitWriter,
    out: &'a mut Vec<u8>,
}

impl RunSink for FastSink<'_> {
    #[inline(always)]
    fn code(&mut self, bits: u32, len: u32) {
        self.f.put(bits, len);
        self.f.flush(self.buf);
    }
    #[inline(always)]
    fn run(&mut self, t: &Tables, colour: usize, n: u32) {
        put_run_fast(&mut self.f, self.buf, t, colour, n);
    }
    #[inline(always)]
    fn pair_done(&mut self) {
        if !self.f.room() {
            self.f.spill(self.buf, self.w, self.out);
        }
    }
}

/// The 1-D coding of a row (T.4 §4.1.1) into any [`RunSink`]: white and
/// black runs alternate from a white one, a pair of runs both under 64
/// as one pre-joined code (at most 8 + 12 bits).
#[inline(always)]
fn encode_1d_to<S: RunSink>(s: &mut S, t: &Tables, width: u32, cur: &[u32]) {
    let end = cur.iter().position(|&c| c >= width).unwrap_or(cur.len());
    let cur = &cur[..end];
    let mut pos = 0u32;
    let mut pairs = cur.chunks_exact(2);
    for p in &mut pairs {
        let (white, black) = (p[0] - pos, p[1] - p[0]);
        if (white | black) < 64 {
            let c = t.pair[(white * 64 + black) as usize];
            s.code(c >> 5, c & 31);
        } else {
            s.run(t, 0, white);
            s.run(t, 1, black);
        }
        s.pair_done();
        pos = p[1];
    }
    if let [c] = *pairs.remainder() {
        s.run(t, 0, c - pos);
        s.run(t, 1, width - c);
    } else {
        s.run(t, 0, width - pos);
    }
}

/// Encode a row two-dimensionally (T.4 §4.2.1.3.3 coding procedure).
/// Both `refc` and `cur` carry the sentinels.
pub(crate) fn encode_2d(
    w: &mut BitWriter,
    out: &mut Vec<u8>,
    t: &Tables,
    width: u32,
    refc: &[u32],
    cur: &[u32],
) {
    encode_2d_to(
        &mut PlainSink { w, out },
        t,
        width,
        refc,
        cur,
        &mut NoCycles,
    );
}

/// [`encode_2d`] for dense rows of ordered dither, whose codes come in
/// strings of one code or short cycles: once a cycle of codes is seen to
/// repeat, as many more cycles as the two lines repeat for are written
/// at once ([`encode_2d_to`]). Same codes, same bits. `real` is the
/// number of changing elements of `refc` and of `cur` (before their
/// sentinels). Returns the number of loop passes the cycles stood for.
pub(crate) fn encode_2d_cycles(
    w: &mut BitWriter,
    out: &mut Vec<u8>,
    t: &Tables,
    width: u32,
    refc: &[u32],
    cur: &[u32],
    real: (usize, usize),
) -> usize {
    let mut ring = Ring::new(cur, refc, real);
    encode_2d_to(&mut PlainSink { w, out }, t, width, refc, cur, &mut ring);
    ring.cycled
}

/// [`encode_2d`] through a [`crate::bits::FastBits`] register writer (no
/// flush test and no `Vec` growth check per code), for rows with many
/// changes: same codes, same bits. `buf` is the caller's, kept between
/// rows.
pub(crate) fn encode_2d_fast(
    w: &mut BitWriter,
    out: &mut Vec<u8>,
    t: &Tables,
    buf: &mut crate::bits::FastBuf,
    width: u32,
    refc: &[u32],
    cur: &[u32],
) {
    through_fast(w, out, buf, |s| {
        encode_2d_to(s, t, width, refc, cur, &mut NoCycles);
    });
}

/// The 2-D coding of a row into any [`RunSink`].
///
/// `k` is kept as the index of b1: after pass mode it moves two on, after
/// a V0 code one on (so a string of V0 codes, most of a text page, is found
/// by comparing the two lines entry by entry and sent as one string of
/// `1` bits); after other codes it is searched again from where it was.
///
/// With a [`Ring`] as `hook`, each pass of the loop is remembered, and
/// when the state (a0, the index of a1, the index of b1) is the state of
/// two or four passes before moved right by some distance, with the same
/// colour, [`Ring::find`] counts how many more such cycles the two lines
/// repeat for and writes them at once ([`NoCycles`] compiles to the plain
/// loop).
#[inline(always)]
fn encode_2d_to<S: RunSink, H: CycleHook>(
    s: &mut S,
    t: &Tables,
    width: u32,
    refc: &[u32],
    cur: &[u32],
    hook: &mut H,
) {
    let w_i = width as i32;
    let mut a0: i32 = -1;
    let mut colour = 0usize;
    let mut i = 0usize;
    let mut k = 0usize;
    while a0 < w_i {
        let a1 = cur[i] as i32;
        let b1 = refc[k] as i32;
        if let Some((da0, di, dk)) = hook.cycles(s, a0, a1, b1, i, k) {
            a0 += da0;
            i += di;
            k += dk;
            continue;
        }
        let b2 = refc[k + 1] as i32;
        let pass = b2 < a1;
        let d = a1 - b1;
        if !pass && d == 0 {
            // V0, and as many more as follow.
            let mut m = 1;
            while cur[i + m - 1] < width && cur[i + m] == refc[k + m] {
                m += 1;
            }
            let mut left = m as u32;
            while left > 0 {
                let l = left.min(31);
                s.code((1 << l) - 1, l);
                s.pair_done();
                left -= l;
            }
            hook.push_ones(m);
            a0 = cur[i + m - 1] as i32;
            i += m;
            k += m;
            colour ^= m & 1;
            continue;
        }
        if !pass && !(-3..=3).contains(&d) {
            let a2 = cur[i + 1] as i32;
            let (r1, r2) = ((a1 - a0.max(0)) as u32, (a2 - a1) as u32);
            if (r1 | r2) < 64 {
                // Both runs short (ordered dither: most horizontal codes):
                // the mode code and the two terminating codes in one write
                // (at most 3 + 12 + 12 bits).
                let (c1, c2) = (t.term[colour][r1 as usize], t.term[colour ^ 1][r2 as usize]);
                let bits = (t.horiz.bits << c1.len | c1.bits) << c2.len | c2.bits;
                s.code(bits, t.horiz.len + c1.len + c2.len);
                hook.push(u64::from(bits), t.horiz.len + c1.len + c2.len);
            } else {
                s.code(t.horiz.bits, t.horiz.len);
                s.run(t, colour, r1);
                s.run(t, colour ^ 1, r2);
                hook.push(0, Ring::LONG);
            }
            a0 = a2;
            i += 2;
        } else {
            // Pass or vertical, chosen without branches (dithered pages
            // mix them unpredictably).
            let c = if pass {
                t.pass
            } else {
                t.vert[(d + 3).clamp(0, 6) as usize]
            };
            s.code(c.bits, c.len);
            hook.push(u64::from(c.bits), c.len);
            a0 = if pass { b2 } else { a1 };
            let v = usize::from(!pass);
            i += v;
            colour ^= v;
        }
        s.pair_done();
        if a0 < w_i {
            // After pass mode this finds k + 2.
            let mut j = k;
            k = find_b1(refc, &mut j, a0, colour);
        }
    }
}

/// The last eight passes of [`encode_2d_to`]'s loop, for its cycle finder:
/// the state each started from (the index of a1 in the coding line, the
/// index of b1 in the reference line, and where a1 and b1 lay from a0)
/// and the code it wrote.
struct Ring<'a> {
    /// The index of a1 (low half) and of b1 (high half).
    state: [u64; 8],
    /// a1 - a0 and b1 - a0 (high and low half); [`Ring::NONE`] for a
    /// pass not to be compared.
    shape: [u64; 8],
    /// The bits written, with their count shifted up by 32 ([`Ring::LONG`]
    /// when they were not kept).
    code: [u64; 8],
    /// Passes pushed.
    at: usize,
    /// The real changing elements (no sentinels) of the coding line and
    /// of the reference line.
    cur: &'a [u32],
    refc: &'a [u32],
    /// Passes written as cycles.
    cycled: usize,
}

/// What [`encode_2d_to`] tells its cycle finder ([`Ring`]), or nobody
/// ([`NoCycles`]).
trait CycleHook {
    /// Before a pass, with a0 and where a1 and b1 are (and their
    /// indices): cycles written from here and how far a0, a1's index and
    /// b1's index moved, or `None` for a plain pass.
    fn cycles<S: RunSink>(
        &mut self,
        s: &mut S,
        a0: i32,
        a1: i32,
        b1: i32,
        i: usize,
        k: usize,
    ) -> Option<(i32, usize, usize)>;
    /// After a plain pass: the bits it wrote.
    fn push(&mut self, bits: u64, len: u32);
    /// After a pass of `m` V0 codes (T.4 §4.2.1.3.2: one `1` bit each).
    fn push_ones(&mut self, m: usize);
}

/// [`encode_2d_to`] without the cycle finder.
struct NoCycles;

impl CycleHook for NoCycles {
    #[inline(always)]
    fn cycles<S: RunSink>(
        &mut self,
        _: &mut S,
        _: i32,
        _: i32,
        _: i32,
        _: usize,
        _: usize,
    ) -> Option<(i32, usize, usize)> {
        None
    }
    #[inline(always)]
    fn push(&mut self, _: u64, _: u32) {}
    #[inline(always)]
    fn push_ones(&mut self, _: usize) {}
}

impl CycleHook for Ring<'_> {
    #[inline(always)]
    fn cycles<S: RunSink>(
        &mut self,
        s: &mut S,
        a0: i32,
        a1: i32,
        b1: i32,
        i: usize,
        k: usize,
    ) -> Option<(i32, usize, usize)> {
        // Where a1 and b1 are from a0: the same in each pass of a cycle.
        let shape =
            u64::from(a1.wrapping_sub(a0) as u32) << 32 | u64::from(b1.wrapping_sub(a0) as u32);
        if let Some((da0, di, dk, passes)) = self.find(s, shape, i, k) {
            self.cycled += passes;
            return Some((da0, di, dk));
        }
        self.start(shape, i, k);
        None
    }
    #[inline(always)]
    fn push(&mut self, bits: u64, len: u32) {
        self.code[self.at & 7] = bits | u64::from(len) << 32;
        self.at += 1;
    }
    #[inline(always)]
    fn push_ones(&mut self, m: usize) {
        let len = if m <= 32 { m as u32 } else { Ring::LONG };
        self.push((1u64 << len.min(32)) - 1, len);
    }
}

/// Cycles [`Ring::run`] checks the lines for at a time (so that neither
/// line is read far past where the other stops repeating).
const CYCLE_LOOK: usize = 8;

/// How many consecutive `y` from `from` (at most `cap`) have
/// `line[y + d] == line[y] + t` with `y + d` inside `line`: how far the
/// line repeats `d` elements on, `t` pixels right. Eight at a time, then
/// one by one.
#[inline(always)]
fn repeat_len(line: &[u32], from: usize, d: usize, t: u32, cap: usize) -> usize {
    let end = from.saturating_add(cap).min(line.len().saturating_sub(d));
    let (Some(a), Some(b)) = (line.get(from..end), line.get(from + d..end + d)) else {
        return 0;
    };
    let mut x = 0;
    while let (Some(ca), Some(cb)) = (a.get(x..x + 8), b.get(x..x + 8)) {
        let mut bad = 0;
        for j in 0..8 {
            bad |= cb[j].wrapping_sub(ca[j]) ^ t;
        }
        if bad != 0 {
            break;
        }
        x += 8;
    }
    while let (Some(&p), Some(&q)) = (a.get(x), b.get(x)) {
        if q.wrapping_sub(p) != t {
            break;
        }
        x += 1;
    }
    x
}

impl<'a> Ring<'a> {
    /// The count of a pass whose bits are not kept (more than 32 of them).
    const LONG: u32 = 128;

    /// An empty ring for coding `cur` against `refc`, with `real` their
    /// numbers of changing elements (reference line first).
    fn new(cur: &'a [u32], refc: &'a [u32], real: (usize, usize)) -> Self {
        Ring {
            state: [0; 8],
            shape: [Ring::NONE; 8],
            code: [0; 8],
            at: 0,
            cur: &cur[..real.1.min(cur.len())],
            refc: &refc[..real.0.min(refc.len())],
            cycled: 0,
        }
    }

    /// A shape no pass has (a1 - a0 is never 0).
    const NONE: u64 = 0;

    /// Remember the state a pass starts from.
    #[inline(always)]
    fn start(&mut self, shape: u64, i: usize, k: usize) {
        let s = self.at & 7;
        self.state[s] = i as u64 | (k as u64) << 32;
        self.shape[s] = shape;
    }

    /// (the index of a1, the index of b1) of slot `s`.
    #[inline(always)]
    fn state(&self, s: usize) -> (usize, usize) {
        let v = self.state[s];
        (v as u32 as usize, (v >> 32) as usize)
    }

    /// The cycle finder (T.4 §4.2.1.3.3 coding procedure, many cycles at
    /// once). When a1 and b1 lie where they lay two (four) passes ago,
    /// seen from a0, the state (a0, `i`, `k`) may be that of two (four)
    /// passes ago moved right by `t` pixels, `di` elements of the coding
    /// line and `dk` of the reference line (`di` even, so the colour is
    /// the same); then the codes of those passes follow again for as long
    /// as everything they read is moved alike: [`Ring::run`]. Writes the
    /// cycles and returns how far a0, `i` and `k` moved and the number of
    /// passes written, or `None` with nothing written.
    #[inline(always)]
    fn find<S: RunSink>(
        &mut self,
        s: &mut S,
        shape: u64,
        i: usize,
        k: usize,
    ) -> Option<(i32, usize, usize, usize)> {
        let c = if shape == self.shape[self.at.wrapping_sub(2) & 7] {
            2
        } else if shape == self.shape[self.at.wrapping_sub(4) & 7] {
            4
        } else {
            return None;
        };
        // After a cycle, or where the lines stop repeating (the next
        // passes would find the same cycle and fail again), two new passes
        // are seen before the next try.
        let moved = self.run(s, c, i, k);
        for back in 1..=4 {
            self.shape[self.at.wrapping_sub(back) & 7] = Ring::NONE;
        }
        moved
    }

    /// [`Ring::find`] for a cycle of the last `c` passes: checks that
    /// the lines repeat (over real elements only: the procedure compares
    /// sentinels with the row end) and writes the cycles they allow.
    ///
    /// The cycle's passes read the coding line from the first pass's a1
    /// to the current a1, and the reference line from one before the
    /// lowest b1 index (b1's search window starts there) to two past the
    /// highest (b2 and that window); cycle m + 1 writes the codes of
    /// cycle m when both stretches, moved m cycles on, repeat `di` (`dk`)
    /// elements further on, `t` pixels right.
    #[inline(never)]
    fn run<S: RunSink>(
        &self,
        s: &mut S,
        c: usize,
        i: usize,
        k: usize,
    ) -> Option<(i32, usize, usize, usize)> {
        let (oi, ok) = self.state(self.at.wrapping_sub(c) & 7);
        if i <= oi || (i - oi) & 1 != 0 || k <= ok {
            return None;
        }
        // a0 moved as far as a1 (the shapes are the same); a1 on a
        // sentinel ends the row, no cycle.
        let (cur, refc) = (self.cur, self.refc);
        let t = cur.get(i)?.wrapping_sub(*cur.get(oi)?);
        let (di, dk) = (i - oi, k - ok);
        // The cycle's bits, its lowest and highest b1 index.
        let mut bits = 0u64;
        let mut len = 0u32;
        let (mut lo, mut hi) = (k, k);
        for back in (1..=c).rev() {
            let e = self.at.wrapping_sub(back) & 7;
            let l = (self.code[e] >> 32) as u32;
            len += l;
            if len > 64 {
                return None;
            }
            bits = bits.checked_shl(l).unwrap_or(0) | (self.code[e] & 0xFFFF_FFFF);
            let (_, ke) = self.state(e);
            lo = lo.min(ke);
            hi = hi.max(ke);
        }
        let lo = lo.checked_sub(1)?;
        // n more cycles need the reference line to repeat over
        // `span + (n - 1) * dk` elements from `lo`, the coding line over
        // `n * di + 1` from the first pass's a1; checked CYCLE_LOOK
        // cycles at a time.
        let span = hi + 3 - lo;
        let mut n = 0;
        loop {
            let run_r = repeat_len(refc, lo + n * dk, dk, t, span + (CYCLE_LOOK - 1) * dk);
            let Some(more) = run_r.checked_sub(span) else {
                break;
            };
            let run_c = repeat_len(cur, oi + n * di, di, t, (more / dk + 1) * di + 1);
            let m = run_c.saturating_sub(1) / di;
            n += m;
            if m < CYCLE_LOOK {
                break;
            }
        }
        if n == 0 {
            return None;
        }
        if len <= 32 {
            let per = 32 / len as usize;
            let word = repeated(bits << (64 - len), len) >> (64 - per as u32 * len);
            for _ in 0..n / per {
                s.code(word as u32, per as u32 * len);
                s.pair_done();
            }
            let rest = (n % per) as u32 * len;
            if rest > 0 {
                s.code((word & ((1u64 << rest) - 1)) as u32, rest);
                s.pair_done();
            }
        } else {
            for _ in 0..n {
                s.code((bits >> 32) as u32, len - 32);
                s.code(bits as u32, 32);
                s.pair_done();
            }
        }
        Some((n as i32 * t as i32, n * di, n * dk, n * c))
    }
}

/// [`put_run`] into a [`crate::bits::FastBits`] (flushed after each code).
#[inline(always)]
fn put_run_fast(
    f: &mut crate::bits::FastBits,
    buf: &mut crate::bits::FastBuf,
    t: &Tables,
    colour: usize,
    mut n: u32,
) {
    while n > MAX_MAKEUP {
        let c = t.makeup[colour][40];
        f.put(c.bits, c.len);
        f.flush(buf);
        n -= MAX_MAKEUP;
    }
    if n >= 64 {
        let c = t.makeup[colour][(n / 64) as usize];
        f.put(c.bits, c.len);
        f.flush(buf);
        n %= 64;
    }
    let c = t.term[colour][n as usize];
    f.put(c.bits, c.len);
    f.flush(buf);
}

/// [`encode_2d`] for rows with many changes (dithered or error-diffused
/// images), given the row as `b1s` from [`crate::changes::from_row_words`]:
/// `b1s[i]` is `[a1, b1, b2, index of b1]` for a1 = the element `i` and a0
/// on the element before (or at the row start, `i = 0`) after a vertical
/// or horizontal code; the last entry is the first sentinel (a1 = width).
/// `refc` holds the reference elements then sentinels.
///
/// The coding procedure of T.4 §4.2.1.3.3 without a search for b1: after a
/// vertical or horizontal code the next a1, b1 and b2 are one load; after
/// pass mode b1 and b2 are the next two reference elements; and a0
/// reaches the row end exactly when the index of a1 passes the sentinel
/// (pass mode never ends a row, as b2 < a1 <= width). Pass and vertical
/// codes, most of such rows, are chosen and written without a branch;
/// horizontal mode is a branch. Returns the number of horizontal codes.
pub(crate) fn encode_2d_dense(
    w: &mut BitWriter,
    out: &mut Vec<u8>,
    t: &Tables,
    refc: &[u32],
    b1s: &[crate::changes::B1Entry],
) -> usize {
    // Vertical codes by offset + 3, then pass mode.
    let mut vbits = [0u64; 8];
    let mut vlen = [0u32; 8];
    for ((b, l), c) in vbits
        .iter_mut()
        .zip(&mut vlen)
        .zip(t.vert.iter().chain([&t.pass]))
    {
        (*b, *l) = (u64::from(c.bits), c.len);
    }
    let hz = t.horiz;
    let Some(&[mut a1, mut b1, mut b2, k0]) = b1s.first() else {
        return 0;
    };
    let mut horizontal = 0usize;
    let width = b1s[b1s.len() - 1][0];
    let mut k = k0 as usize;
    let mut buf = [0u8; crate::bits::FAST_BUF];
    let mut f = w.fast(&mut buf);
    let mut i = 0usize;
    // Whether the last code was pass mode (then a0 is `refc[k - 1]`, else
    // the element before a1, or 0 at the row start).
    let mut passed = false;
    loop {
        let pass = b2 < a1;
        let d = a1.wrapping_sub(b1).wrapping_add(3);
        if !pass && d > 6 {
            // Horizontal mode: runs a0a1 and a1a2, a0's colour first.
            let a0 = if passed {
                refc[k - 1]
            } else if i > 0 {
                b1s[i - 1][0]
            } else {
                0
            };
            let a2 = b1s.get(i + 1).map_or(width, |e| e[0]);
            let colour = i & 1;
            let (r1, r2) = (a1 - a0, a2 - a1);
            if (r1 | r2) < 64 {
                // At most 3 + 12 + 12 bits.
                let c1 = t.term[colour][r1 as usize];
                let c2 = t.term[colour ^ 1][r2 as usize];
                f.put(hz.bits, hz.len);
                f.put(c1.bits, c1.len);
                f.put(c2.bits, c2.len);
                f.flush(&mut buf);
            } else {
                f.put(hz.bits, hz.len);
                f.flush(&mut buf);
                put_run_fast(&mut f, &mut buf, t, colour, r1);
                put_run_fast(&mut f, &mut buf, t, colour ^ 1, r2);
            }
            i += 2;
            passed = false;
            horizontal += 1;
            let Some(e) = b1s.get(i) else {
                break;
            };
            (a1, b1, b2, k) = (e[0], e[1], e[2], e[3] as usize);
        } else {
            let idx = (if pass { 7 } else { d }) as usize & 7;
            f.put_u64(vbits[idx], vlen[idx]);
            f.flush(&mut buf);
            // After pass mode b1 and b2 are the next two elements (b2 < a1
            // < width, so they exist). Selections by mask, not branches:
            // pass mode comes and goes at random on error-diffused rows.
            let p1 = refc.get(k + 2).copied().unwrap_or(u32::MAX);
            let p2 = refc.get(k + 3).copied().unwrap_or(u32::MAX);
            passed = pass;
            i += usize::from(!pass);
            let Some(e) = b1s.get(i) else {
                break;
            };
            let pm = u32::from(pass).wrapping_neg();
            let pmu = usize::from(pass).wrapping_neg();
            a1 = e[0];
            b1 = (p1 & pm) | (e[1] & !pm);
            b2 = (p2 & pm) | (e[2] & !pm);
            k = ((k + 2) & pmu) | (e[3] as usize & !pmu);
        }
        if !f.room() {
            f.spill(&buf, w, out);
        }
    }
    w.resume(out, &mut buf, f);
    horizontal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::{from_row, SENTINELS, SLACK};
    use crate::codes::tables;
    use crate::BitOrder;

    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    /// A packed row of ordered dither (uniform grey levels in bands, some
    /// shifted per row) with random noise, so rows are dense and give
    /// strings of repeated codes as well as everything else.
    fn dense_row(width: u32, y: u32, seed: &mut u64) -> Vec<u8> {
        const BAYER4: [[u32; 4]; 4] =
            [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];
        let mut row = vec![0u8; width.div_ceil(8) as usize];
        let band = 1 + (xorshift(seed) % 200) as u32;
        let shift = (xorshift(seed) % 3) as u32;
        let noise = xorshift(seed) % 4;
        for x in 0..width {
            let level = ((x / band) * 5 + y / 7) % 17;
            let mut black = level > BAYER4[(y % 4) as usize][((x + shift * y) % 4) as usize];
            if noise > 0 && xorshift(seed) % 64 < noise {
                black = !black;
            }
            if black {
                row[(x / 8) as usize] |= 0x80 >> (x % 8);
            }
        }
        row
    }

    /// A row decode's result, changes and end position.
    type Decoded = (Result<usize, Stop>, Vec<u32>, usize);

    /// One decode of `data` from bit `pos` against `refc` (changes plus
    /// sentinels, then stale entries), the general loop alone (`n_real`
    /// 0) or with the dense-row paths; and the codes the cycle strings
    /// decoded: all, shifted by whole cycles, in strings of one code past
    /// the bit buffer, and in short cycle strings ([`cycle_short`]). The
    /// dense-row paths decode once with each limit of `cycle_short`
    /// ([`SHORT_MAX_CYCLES`], [`SHORT_LONG_CYCLES`]), which must agree.
    fn run(
        data: &[u8],
        pos: usize,
        width: u32,
        refc: &[u32],
        n_real: usize,
    ) -> (Decoded, [u32; 4]) {
        let mut r = BitReader::new(data, pos);
        let mut cur = vec![0u32; width as usize + SLACK];
        let mut st = DenseStats::default();
        let res = if n_real > 0 {
            // Both limits of `cycle_short` decode the same.
            let mut long = (
                BitReader::new(data, pos),
                cur.clone(),
                DenseStats::default(),
            );
            let (lr, lc, ls) = (&mut long.0, &mut long.1, &mut long.2);
            let lres = decode_2d_inner::<true>(
                lr,
                tables(),
                width,
                refc,
                n_real,
                SHORT_LONG_CYCLES,
                ls,
                lc,
            );
            let res = decode_2d_inner::<true>(
                &mut r,
                tables(),
                width,
                refc,
                n_real,
                SHORT_MAX_CYCLES,
                &mut st,
                &mut cur,
            );
            let n = *res.as_ref().unwrap_or(&0);
            assert_eq!((&lres, &lc[..n], lr.pos()), (&res, &cur[..n], r.pos()));
            res
        } else {
            decode_2d_inner::<false>(&mut r, tables(), width, refc, 0, 0, &mut st, &mut cur)
        };
        let n = *res.as_ref().unwrap_or(&0);
        let counts = [
            st.cycle_codes,
            st.shifted_codes,
            st.far_codes,
            st.short_codes,
        ];
        ((res, cur[..n].to_vec(), r.pos()), counts)
    }

    /// A row of a 4x4 ordered dither whose grey level changes every few
    /// dozen pixels: short cycle strings, many ending in the bit buffer.
    fn bayer4_row(width: u32, y: u32) -> Vec<u8> {
        const BAYER: [[u32; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];
        let mut row = vec![0u8; (width as usize).div_ceil(8)];
        for x in 0..width {
            let v = 0.5 + 0.5 * (f64::from(x) / 23.0 + f64::from(y) / 7.0).sin();
            if (v * 16.0) as u32 > BAYER[(y % 4) as usize][(x % 4) as usize] {
                row[x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
        row
    }

    /// The dense-row paths (repeated-code strings and cycle strings,
    /// T.4 §4.2.1.3.2) decode exactly as the general loop: on valid rows,
    /// on rows with flipped bits and on rows cut short, with stale entries
    /// past the reference line's sentinels, and with the next row's codes
    /// continuing a cycle past the row end. Rows: noisy 4x4 ordered dither
    /// in random bands, the 8x8 ordered dither of the benchmark page
    /// (long cycles of two and four codes), and a 4x4 ordered dither of a
    /// grey that changes every few pixels (short cycle strings, many ending
    /// in the bit buffer: left to the code-by-code loop).
    #[test]
    fn dense_paths_match_general_loop() {
        use crate::testpages::dithered_page;
        let t = tables();
        let mut seed = 0x1234_5678_9ABC_DEF0u64;
        let mut dense_rows = 0;
        // Codes in cycle strings, shifted cycles and strings past the bit
        // buffer: in whole data, then in data cut short.
        let (mut counts, mut cut_counts) = ([0u64; 4], [0u64; 4]);
        for &width in &[64u32, 100, 333, 1728, 2432] {
            let bayer = dithered_page(width, 40, u64::from(width));
            for source in 0..3 {
                let mut rows: Vec<Vec<u8>> = (0..40)
                    .map(|y| match source {
                        0 => dense_row(width, y, &mut seed),
                        1 => bayer.row(y).to_vec(),
                        _ => bayer4_row(width, y),
                    })
                    .collect();
                if source >= 1 {
                    // A few damaged pixels break some cycles mid-row.
                    for row in rows.iter_mut().skip(5).step_by(5) {
                        let x = (xorshift(&mut seed) % u64::from(width)) as usize;
                        row[x / 8] ^= 0x80 >> (x % 8);
                    }
                }
                for y in 1..rows.len() {
                    let (ref_row, row) = (&rows[y - 1], &rows[y]);
                    let cap = width as usize + SLACK;
                    let mut refc = vec![0u32; cap];
                    let n_ref = from_row(ref_row, width, &mut refc);
                    refc[n_ref..n_ref + SENTINELS].fill(width);
                    // Stale entries (sorted or not) past the sentinels.
                    for v in &mut refc[n_ref + SENTINELS..] {
                        *v = (xorshift(&mut seed) % u64::from(width + 2)) as u32;
                    }
                    let mut cur = vec![0u32; cap];
                    let n_cur = from_row(row, width, &mut cur);
                    cur[n_cur..n_cur + SENTINELS].fill(width);
                    let mut w = BitWriter::new(BitOrder::MsbFirst);
                    let mut data = Vec::new();
                    encode_2d(&mut w, &mut data, t, width, &refc, &cur);
                    if y % 2 == 0 {
                        // The next row's codes continue the row's cycles.
                        encode_2d(&mut w, &mut data, t, width, &refc, &cur);
                    }
                    // Then other codes (or EOL-like zeros).
                    w.put(&mut data, (xorshift(&mut seed) & 0xFFFF) as u32, 16);
                    w.put(&mut data, 1, 12);
                    w.flush(&mut data);
                    if n_ref * DENSE_PIXELS_PER_CHANGE >= width as usize && n_ref >= 16 {
                        dense_rows += 1;
                    }
                    let (good, c) = run(&data, 0, width, &refc, n_ref);
                    for (sum, c) in counts.iter_mut().zip(c) {
                        *sum += u64::from(c);
                    }
                    let at = format!("width {width} source {source} row {y}");
                    assert_eq!(good.0, Ok(n_cur), "{at}");
                    assert_eq!(good.1, cur[..n_cur], "{at}");
                    assert_eq!(good, run(&data, 0, width, &refc, 0).0, "{at}");
                    let bits = data.len() * 8;
                    for trial in 0..24 {
                        let mut bad = data.clone();
                        let flips = 1 + trial % 3;
                        for _ in 0..flips {
                            let b = (xorshift(&mut seed) % bits as u64) as usize;
                            bad[b / 8] ^= 0x80 >> (b % 8);
                        }
                        let cut = (xorshift(&mut seed) % data.len() as u64) as usize;
                        for d in [&bad[..], &bad[..cut], &data[..cut]] {
                            let pos = (trial % 3) as usize;
                            let (dense, c) = run(d, pos, width, &refc, n_ref);
                            if d.len() == cut {
                                for (sum, c) in cut_counts.iter_mut().zip(c) {
                                    *sum += u64::from(c);
                                }
                            }
                            assert_eq!(dense, run(d, pos, width, &refc, 0).0, "{at} trial {trial}");
                        }
                    }
                }
            }
        }
        assert!(dense_rows > 200, "only {dense_rows} dense rows");
        // The cycle strings, the shifted cycles, the strings past the bit
        // buffer and the short cycle strings took part, also in data cut
        // short.
        for (what, min) in [(counts, 10_000), (cut_counts, 10_000)] {
            for c in what {
                assert!(c > min, "{what:?} codes (cycles, shifted, far, short)");
            }
        }
    }

    /// Periodic rows (a few pixels repeated, as ordered dither of a flat
    /// grey gives: cycle strings, T.4 §4.2.1.3.2) coded against their
    /// periodic reference line, then decoded against that reference with
    /// one change moved, removed or added: the cycle paths must notice
    /// where the reference stops repeating (each reference change their
    /// window checks, b0 to b4 of every code), and decode as the general
    /// loop does.
    #[test]
    fn cycle_paths_notice_reference_breaks() {
        let t = tables();
        let mut seed = 0x0DDC_0FFE_E123_4567u64;
        // Rows the break changed (the decoding differs from the unbroken
        // reference's), and codes in cycle strings.
        let (mut changed, mut cycle_codes) = (0u32, 0u64);
        for case in 0..6000 {
            let width = 160 + (xorshift(&mut seed) % 400) as u32;
            let period = [2u32, 4, 4, 8][(xorshift(&mut seed) % 4) as usize];
            let (pr, pc) = (xorshift(&mut seed), xorshift(&mut seed));
            let phase = (xorshift(&mut seed) % 8) as u32;
            let row = |pat: u64, shift: u32| -> Vec<u8> {
                let mut r = vec![0u8; width.div_ceil(8) as usize];
                for x in 0..width {
                    if pat >> ((x + shift) % period) & 1 != 0 {
                        r[x as usize / 8] |= 0x80 >> (x % 8);
                    }
                }
                r
            };
            let cap = width as usize + SLACK;
            let mut refc = vec![0u32; cap];
            let n_ref = from_row(&row(pr, 0), width, &mut refc);
            let mut cur = vec![0u32; cap];
            let n_cur = from_row(&row(pc, phase), width, &mut cur);
            if n_ref < 16 || n_ref * DENSE_PIXELS_PER_CHANGE < width as usize {
                continue;
            }
            refc[n_ref..n_ref + SENTINELS].fill(width);
            cur[n_cur..n_cur + SENTINELS].fill(width);
            let mut w = BitWriter::new(BitOrder::MsbFirst);
            let mut data = Vec::new();
            if case % 3 == 2 {
                // A cycle of vertical and pass codes repeated (not
                // necessarily what an encoder would choose: say V+3 where
                // b2 is left of a1), then the row's codes.
                let p = 2 << (xorshift(&mut seed) % 2);
                let mut cycle = [t.pass; 4];
                for c in &mut cycle[..p] {
                    let i = (xorshift(&mut seed) % 8) as usize;
                    if i < 7 && i != 3 {
                        *c = t.vert[i];
                    }
                }
                for _ in 0..2 + xorshift(&mut seed) % 12 {
                    for c in &cycle[..p] {
                        w.put(&mut data, c.bits, c.len);
                    }
                }
            }
            encode_2d(&mut w, &mut data, t, width, &refc, &cur);
            w.put(&mut data, (xorshift(&mut seed) & 0xFFFF) as u32, 16);
            w.put(&mut data, 1, 12);
            w.flush(&mut data);
            let plain = run(&data, 0, width, &refc, n_ref).0;
            // Break the reference at one change.
            let i = (xorshift(&mut seed) % n_ref as u64) as usize;
            let mut real: Vec<u32> = refc[..n_ref].to_vec();
            let lo = if i == 0 { 0 } else { real[i - 1] + 1 };
            let hi = real.get(i + 1).copied().unwrap_or(width);
            match case % 4 {
                0 if real[i] > lo => real[i] -= 1,
                1 if real[i] + 1 < hi => real[i] += 1,
                2 => {
                    real.remove(i);
                }
                _ => {
                    // A change added (or two: the colours after it stay).
                    let add = if case % 8 == 3 { 1 } else { 2 };
                    let room: Vec<u32> = (lo..hi).filter(|&v| v != real[i]).collect();
                    if room.len() < add {
                        continue;
                    }
                    for a in 0..add {
                        let v = room[(xorshift(&mut seed) as usize + a) % room.len()];
                        if !real.contains(&v) {
                            real.push(v);
                        }
                    }
                    real.sort_unstable();
                }
            }
            let n_brk = real.len();
            let mut brk = vec![0u32; cap + 2];
            brk[..n_brk].copy_from_slice(&real);
            brk[n_brk..n_brk + SENTINELS].fill(width);
            for v in &mut brk[n_brk + SENTINELS..] {
                *v = (xorshift(&mut seed) % u64::from(width + 2)) as u32;
            }
            let (dense, c) = run(&data, 0, width, &brk, n_brk);
            cycle_codes += u64::from(c[0]);
            let at = format!("case {case} width {width} period {period} change {i}");
            assert_eq!(dense, run(&data, 0, width, &brk, 0).0, "{at}");
            changed += u32::from(dense != plain);
        }
        assert!(changed > 500, "only {changed} rows changed by the break");
        assert!(
            cycle_codes > 50_000,
            "only {cycle_codes} codes in cycle strings"
        );
    }

    /// The one case where a translated cycle needs b4's check (T.4
    /// §4.2.1.3.2): V+3 with b1, b2 and b3 on consecutive pixels (a1 one
    /// past b3; an encoder would say pass mode there, but a decoder takes
    /// what it gets). Reference changes at 0, 1, 2 and 4 of every 6
    /// pixels, codes V+3 V0 repeated: a1 at 3 and 4 of every period. In
    /// one period b4 moves left onto a1: from there the decoding differs
    /// (a1 = b4 is not left of b4, the general loop searches b1 again),
    /// and every cycle path must see it. Pass codes end the row.
    /// The encoder's cycle finder ([`encode_2d_cycles`]) writes exactly
    /// the bits of the general coder: on pairs of rows made of stretches
    /// of periodic patterns (periods 1 to 8 pixels, any phase, each line
    /// breaking its pattern at its own places, some pixels flipped), on
    /// 4x4 and 8x8 ordered dither with and without noise, and on rows
    /// whose patterns run into the row end; widths from 9 to 2432. Most
    /// passes must go through the cycles (else the test shows nothing).
    #[test]
    fn cycle_coder_matches_general() {
        use crate::testpages::dithered_page;
        let t = tables();
        let mut seed = 0x5EED_C1C1_E5C0_DE00u64;
        let (mut cycled, mut passes) = (0usize, 0usize);
        let widths = [9u32, 17, 40, 64, 100, 161, 333, 1000, 1728, 2432];
        for case in 0..3000 {
            let width = if case % 2 == 0 {
                widths[case / 2 % widths.len()]
            } else {
                9 + (xorshift(&mut seed) % 1200) as u32
            };
            let y = (xorshift(&mut seed) % 64) as u32;
            let mut lines: Vec<Vec<u8>> = match case % 4 {
                0 | 1 => {
                    // Stretches of periodic patterns, the same stretch ends
                    // on both lines or not.
                    let same_ends = case % 8 < 4;
                    let mut ends = Vec::new();
                    let mut x = 0;
                    while x < width {
                        x += 4 + (xorshift(&mut seed) % 120) as u32;
                        ends.push(x);
                    }
                    (0..2)
                        .map(|_| {
                            let mut r = vec![0u8; width.div_ceil(8) as usize];
                            let mut at = 0;
                            let mut stretch = 0;
                            while at < width {
                                let end = if same_ends {
                                    ends[stretch]
                                } else {
                                    at + 4 + (xorshift(&mut seed) % 120) as u32
                                };
                                stretch += 1;
                                let period = 1 + (xorshift(&mut seed) % 8) as u32;
                                let pat = xorshift(&mut seed);
                                let phase = (xorshift(&mut seed) % 8) as u32;
                                for x in at..end.min(width) {
                                    if pat >> ((x + phase) % period) & 1 != 0 {
                                        r[x as usize / 8] |= 0x80 >> (x % 8);
                                    }
                                }
                                at = end;
                            }
                            r
                        })
                        .collect()
                }
                2 => vec![bayer4_row(width, y), bayer4_row(width, y + 1)],
                _ => {
                    let page = dithered_page(width, 2, xorshift(&mut seed));
                    vec![page.row(0).to_vec(), page.row(1).to_vec()]
                }
            };
            // A few flipped pixels in some cases.
            if case % 3 == 0 {
                for _ in 0..1 + xorshift(&mut seed) % 4 {
                    let l = (xorshift(&mut seed) % 2) as usize;
                    let x = (xorshift(&mut seed) % u64::from(width)) as usize;
                    lines[l][x / 8] ^= 0x80 >> (x % 8);
                }
            }
            let cap = width as usize + SLACK;
            let mut refc = vec![0u32; cap];
            let n_ref = from_row(&lines[0], width, &mut refc);
            let mut cur = vec![0u32; cap];
            let n_cur = from_row(&lines[1], width, &mut cur);
            refc[n_ref..n_ref + SENTINELS].fill(width);
            cur[n_cur..n_cur + SENTINELS].fill(width);
            let (refc, cur) = (&refc[..n_ref + SENTINELS], &cur[..n_cur + SENTINELS]);
            let mut w = BitWriter::new(BitOrder::MsbFirst);
            let mut want = Vec::new();
            encode_2d(&mut w, &mut want, t, width, refc, cur);
            w.flush(&mut want);
            let mut w = BitWriter::new(BitOrder::MsbFirst);
            let mut got = Vec::new();
            cycled += encode_2d_cycles(&mut w, &mut got, t, width, refc, cur, (n_ref, n_cur));
            w.flush(&mut got);
            assert_eq!(got, want, "case {case} width {width}");
            // Passes of the general coder, roughly: one per code.
            passes += n_cur;
        }
        assert!(cycled * 10 > passes, "{cycled} of about {passes} passes");
    }

    #[test]
    fn cycle_paths_check_b4() {
        let t = tables();
        let width = 6 * 64;
        let (mut cycle_codes, mut short_codes) = (0, 0);
        for reps in 2..40usize {
            for brk in 1..reps.min(12) {
                let mut real = Vec::new();
                for p in 0..64u32 {
                    let b4 = if p as usize == brk { 3 } else { 4 };
                    real.extend([6 * p, 6 * p + 1, 6 * p + 2, 6 * p + b4]);
                }
                let n_ref = real.len();
                let mut refc = vec![width; width as usize + SLACK];
                refc[..n_ref].copy_from_slice(&real);
                let mut w = BitWriter::new(BitOrder::MsbFirst);
                let mut data = Vec::new();
                for _ in 0..reps {
                    w.put(&mut data, t.vert[6].bits, t.vert[6].len);
                    w.put(&mut data, t.vert[3].bits, t.vert[3].len);
                }
                // Pass codes to the row end.
                for _ in 0..n_ref / 2 + 2 {
                    w.put(&mut data, t.pass.bits, t.pass.len);
                }
                w.put(&mut data, 1, 12);
                w.flush(&mut data);
                let general = run(&data, 0, width, &refc, 0).0;
                let (dense, c) = run(&data, 0, width, &refc, n_ref);
                assert_eq!(dense, general, "{reps} cycles, b4 moved in cycle {brk}");
                // The break is decoded (a1 at 6 * brk + 7, not + 4).
                let at = 2 * brk + 1;
                assert_eq!(
                    general.1.get(at),
                    Some(&(6 * brk as u32 + 7)),
                    "{reps} {brk}"
                );
                cycle_codes += c[0];
                short_codes += c[3];
            }
        }
        // Both cycle paths took part.
        assert!(
            cycle_codes > short_codes + 1000,
            "{cycle_codes} {short_codes}"
        );
        assert!(short_codes > 500, "{cycle_codes} {short_codes}");
    }

    /// A page whose cycle strings (T.4 §4.2.1.3.2) end exactly at the end
    /// of a full 64-bit word near the end of the data (found by fuzzing:
    /// the bit buffer was shifted by 64, an overflow the test profile's
    /// debug assertions catch).
    #[test]
    fn cycle_string_uses_whole_word() {
        const PAGE: &str =
            "260a5301c0ffd6d6d6d6d6d6d6d6d6d6d6d64ed6d6ff19d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6\
            d6d6d696d6d6d6d6d6d6010e56d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6d6";
        let data: Vec<u8> = (0..PAGE.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(PAGE.get(i..i + 2)?, 16).ok())
            .collect();
        assert_eq!(data.len(), 78);
        crate::fuzzing::decode_harness(&data, None);
    }

    /// The gate keeps the repeated-code paths for ordered dither (long
    /// strings of one code) and leaves them for `GATE_SKIP` rows after a
    /// row of noise (few strings), then probes again.
    #[test]
    fn gate_follows_repeated_codes() {
        use crate::testpages::{dithered_page, noise_page};
        let t = tables();
        let width = 1728u32;
        let cap = width as usize + SLACK;
        for noise in [false, true] {
            let page = if noise {
                noise_page(width, 2 * GATE_SKIP + 12, 128, 7)
            } else {
                dithered_page(width, 300, 7)
            };
            let mut gate = DenseGate::default();
            let mut skips = Vec::new();
            let (mut dense_rows, mut dense_path) = (0, 0);
            let mut refc = vec![0u32; cap];
            let mut cur = vec![0u32; cap];
            let mut out = vec![0u32; cap];
            for y in 1..page.height {
                let n_ref = from_row(page.row(y - 1), width, &mut refc);
                refc[n_ref..n_ref + SENTINELS].fill(width);
                let n_cur = from_row(page.row(y), width, &mut cur);
                cur[n_cur..n_cur + SENTINELS].fill(width);
                let mut w = BitWriter::new(BitOrder::MsbFirst);
                let mut data = Vec::new();
                encode_2d(&mut w, &mut data, t, width, &refc, &cur);
                w.flush(&mut data);
                if n_ref >= 16 && n_ref * DENSE_PIXELS_PER_CHANGE >= width as usize {
                    dense_rows += 1;
                    dense_path += usize::from(gate.skip == 0);
                }
                let mut r = BitReader::new(&data, 0);
                let n = decode_2d(&mut r, t, width, &refc, n_ref, &mut gate, &mut out);
                assert_eq!(n, Ok(n_cur), "noise {noise} row {y}");
                assert_eq!(out[..n_cur], cur[..n_cur], "noise {noise} row {y}");
                skips.push(gate.skip);
            }
            if noise {
                // Off after a few rows, counting down to a probe (which
                // turns it off again).
                let s = GATE_SKIP as usize;
                let i = skips.iter().position(|&k| k == GATE_SKIP);
                let i = i.unwrap_or(usize::MAX);
                assert!(i < 8, "{skips:?}");
                assert_eq!(skips[i + s], 0, "{skips:?}");
                assert_eq!(skips[i + s + 1], GATE_SKIP, "{skips:?}");
                assert_eq!(dense_rows, skips.len());
            } else {
                assert!(dense_rows > 100, "{dense_rows} dense rows");
                assert!(
                    dense_path * 10 > dense_rows * 8,
                    "{dense_path} of {dense_rows}"
                );
            }
        }
    }

    /// One decode with the general loop (`decode_2d_general`, both
    /// variants: V0 strings apart or V0 on the fast path, which must agree)
    /// or the reference loop it replaces (`decode_2d_inner::<false>`):
    /// result, changes and the bit position reached (also on errors).
    /// A packed row coded 2-D against `refc` after `lead.0` random bits
    /// (drawn under the mask `lead.1`) and before 16 random bits; the
    /// general loop must decode it back, the same with the reference loop.
    /// Returns the data and the row's number of changes.
    fn coded_and_decoded(
        seed: &mut u64,
        width: u32,
        refc: &[u32],
        row: &[u8],
        lead: (u32, u64),
        ctx: &str,
    ) -> (Vec<u8>, usize) {
        let t = tables();
        let mut cur = vec![0u32; width as usize + SLACK];
        let n_cur = from_row(row, width, &mut cur);
        cur[n_cur..n_cur + SENTINELS].fill(width);
        let cur = &cur[..n_cur + SENTINELS];
        let mut w = BitWriter::new(BitOrder::MsbFirst);
        let mut data = Vec::new();
        w.put(&mut data, (xorshift(seed) & lead.1) as u32, lead.0);
        encode_2d(&mut w, &mut data, t, width, refc, cur);
        w.put(&mut data, (xorshift(seed) & 0xFFFF) as u32, 16);
        w.flush(&mut data);
        let pos = lead.0 as usize;
        let good = run_general(&data, pos, width, refc, false);
        assert_eq!(good.0, Ok(n_cur), "{ctx}");
        assert_eq!(good.1, cur[..n_cur], "{ctx}");
        assert_eq!(good, run_general(&data, pos, width, refc, true), "{ctx}");
        (data, n_cur)
    }

    fn run_general(
        data: &[u8],
        pos: usize,
        width: u32,
        refc: &[u32],
        reference: bool,
    ) -> (Result<usize, Stop>, Vec<u32>, usize) {
        // The real changes: up to the first sentinel.
        let n_ref = refc.iter().position(|&v| v >= width).unwrap_or(refc.len());
        let run = |variant: u8| {
            let mut r = BitReader::new(data, pos);
            let mut cur = vec![0u32; width as usize + SLACK];
            let res = match variant {
                0 => {
                    let mut st = DenseStats::default();
                    decode_2d_inner::<false>(&mut r, tables(), width, refc, 0, 0, &mut st, &mut cur)
                }
                1 => decode_2d_general::<false, false>(
                    &mut r,
                    tables(),
                    width,
                    refc,
                    n_ref,
                    &mut cur,
                ),
                2 => {
                    decode_2d_general::<true, false>(&mut r, tables(), width, refc, n_ref, &mut cur)
                }
                _ => {
                    decode_2d_general::<true, true>(&mut r, tables(), width, refc, n_ref, &mut cur)
                }
            };
            let n = *res.as_ref().unwrap_or(&0);
            (res, cur[..n].to_vec(), r.pos())
        };
        if reference {
            return run(0);
        }
        let got = run(1);
        assert_eq!(got, run(2), "V0 on the fast path decodes differently");
        assert_eq!(got, run(3), "long V0 strings apart decode differently");
        got
    }

    /// A packed row of random runs: each pixel starts a new run with
    /// probability `p` in 1/1024 (dense rows give mostly vertical and pass
    /// codes, sparse ones V0 strings and horizontal codes).
    fn random_row(width: u32, p: u64, seed: &mut u64) -> Vec<u8> {
        let mut row = vec![0u8; width.div_ceil(8) as usize];
        let mut black = xorshift(seed) & 1 == 1;
        for x in 0..width {
            if xorshift(seed) % 1024 < p {
                black = !black;
            }
            if black {
                row[(x / 8) as usize] |= 0x80 >> (x % 8);
            }
        }
        row
    }

    /// The general loop (one mode lookup for vertical and pass codes, the
    /// four-codes-per-top-up fast path, the checked path for the last
    /// eight bytes, b1 at index 0 and `around`) decodes exactly as the
    /// reference loop: the same changes, errors and bit positions on valid
    /// rows of every density (T.4 §4.2.1.3), rows with flipped bits
    /// (invalid codes, EOLs, uncompressed-mode entries), rows cut short at
    /// every length near the end, and random bytes.
    #[test]
    fn general_loop_matches_reference() {
        let mut seed = 0x0DDB_A11C_AFE5_F00Du64;
        let (mut rows, mut fast_codes_rows) = (0, 0);
        for &width in &[9u32, 64, 215, 1728, 2432] {
            let cap = width as usize + SLACK;
            let mut ref_row = random_row(width, 200, &mut seed);
            for y in 0..60u64 {
                // Densities from text-like to error-diffused; every fifth
                // row follows the reference closely (V0 and V±1 strings).
                let p = [4, 30, 120, 300, 520][(y % 5) as usize];
                let mut row = random_row(width, p, &mut seed);
                if y % 5 == 4 {
                    row = ref_row.clone();
                    for b in row.iter_mut() {
                        if xorshift(&mut seed) % 4 == 0 {
                            *b ^= 1 << (xorshift(&mut seed) % 8);
                        }
                    }
                }
                let mut refc = vec![0u32; cap];
                let n_ref = from_row(&ref_row, width, &mut refc);
                refc[n_ref..n_ref + SENTINELS].fill(width);
                for v in &mut refc[n_ref + SENTINELS..] {
                    *v = (xorshift(&mut seed) % u64::from(width + 2)) as u32;
                }
                let lead = (y % 7) as u32;
                let (data, n_cur) = coded_and_decoded(
                    &mut seed,
                    width,
                    &refc,
                    &row,
                    (lead, 0x7F),
                    &format!("width {width} row {y}"),
                );
                let pos = lead as usize;
                rows += 1;
                fast_codes_rows += usize::from(n_cur * 8 > width as usize);
                // Every cut in the last 12 bytes, and some earlier.
                let mut cuts: Vec<usize> = (data.len().saturating_sub(12)..data.len()).collect();
                for _ in 0..6 {
                    cuts.push((xorshift(&mut seed) % data.len() as u64) as usize);
                }
                for &cut in &cuts {
                    let d = &data[..cut];
                    assert_eq!(
                        run_general(d, pos.min(cut * 8), width, &refc, false),
                        run_general(d, pos.min(cut * 8), width, &refc, true),
                        "width {width} row {y} cut {cut}"
                    );
                }
                let bits = data.len() * 8;
                for trial in 0..16 {
                    let mut bad = data.clone();
                    for _ in 0..1 + trial % 4 {
                        let b = (xorshift(&mut seed) % bits as u64) as usize;
                        bad[b / 8] ^= 0x80 >> (b % 8);
                    }
                    if trial % 5 == 0 {
                        // Seven zeros or the extension code somewhere.
                        let b = (xorshift(&mut seed) % bits as u64) as usize / 8;
                        bad[b] = if trial % 2 == 0 { 0x00 } else { 0x03 };
                    }
                    let cut = bad.len() - (xorshift(&mut seed) % 10) as usize % bad.len();
                    for d in [&bad[..], &bad[..cut]] {
                        assert_eq!(
                            run_general(d, pos, width, &refc, false),
                            run_general(d, pos, width, &refc, true),
                            "width {width} row {y} trial {trial}"
                        );
                    }
                }
                // Random bytes against this reference line.
                let noise: Vec<u8> = (0..40).map(|_| xorshift(&mut seed) as u8).collect();
                for start in 0..8 {
                    assert_eq!(
                        run_general(&noise, start, width, &refc, false),
                        run_general(&noise, start, width, &refc, true),
                        "width {width} row {y} noise"
                    );
                }
                ref_row = row;
            }
        }
        assert!(fast_codes_rows * 3 > rows, "{fast_codes_rows} of {rows}");
    }

    /// `repeats_on` drops the repeats without eight bytes of data after
    /// them in one step: the same count as dropping them one at a time
    /// (the form before), for strings running into the end of the data at
    /// every bit, codes of 1 to 15 bits and data of 0 to 40 bytes.
    #[test]
    fn repeats_on_matches_one_at_a_time() {
        /// The count, and how many repeats the end of the data dropped.
        fn one_at_a_time(data: &[u8], at: usize, len: u32, acc: u64, max: usize) -> (usize, usize) {
            let (mut m, mut at) = repeats_scan(data, at, len, acc, max);
            let mut dropped = 0;
            while m > 0 && data.len() < at / 8 + 8 {
                m -= 1;
                at -= len as usize;
                dropped += 1;
            }
            (m, dropped)
        }
        let mut seed = 0x0BAD_5EED_1234_5678u64;
        let mut dropped = 0;
        for len in 1..16u32 {
            for trial in 0..200u64 {
                // A code repeated, then random bits from a random point.
                let code = xorshift(&mut seed) << (64 - len) | 1 << (64 - len);
                let rep = repeated(code, len);
                let bytes = (xorshift(&mut seed) % 41) as usize;
                let cut = (xorshift(&mut seed) % (bytes as u64 * 8 + 1)) as usize;
                let mut data = vec![0u8; bytes];
                for (i, b) in data.iter_mut().enumerate() {
                    let mut v = 0u8;
                    for j in 0..8 {
                        let bit = i * 8 + j;
                        let one = if bit < cut {
                            rep >> (63 - (bit % len as usize)) & 1 != 0
                        } else {
                            xorshift(&mut seed) & 1 != 0
                        };
                        v |= u8::from(one) << (7 - j);
                    }
                    *b = v;
                }
                let at = (trial as usize % 5) * len as usize;
                let max = [4usize, 40, 1000][trial as usize % 3];
                let (want, d) = one_at_a_time(&data, at, len, code, max);
                assert_eq!(
                    repeats_on(&data, at, len, code, max),
                    want,
                    "len {len} trial {trial}"
                );
                dropped += usize::from(d > 0 && want > 0);
            }
        }
        assert!(dropped > 100, "{dropped}");
    }

    /// Strings of V0 codes of every length (T.4 §4.2.1.3.2), which the
    /// general loop copies eight reference changes at a time: rows equal
    /// to the reference line (one string to the row end), and the same
    /// with one to three pixels flipped (strings ending anywhere, also
    /// just before and after a multiple of eight, and running into the row
    /// end's V0), cut at every length of the last bytes: the reference loop
    /// decodes the same.
    #[test]
    fn v0_strings_match_reference() {
        let mut seed = 0x00C0_FFEE_0F0F_1234u64;
        for &width in &[9u32, 64, 215, 700, 1728, 2432] {
            let cap = width as usize + SLACK;
            for &p in &[60u64, 200, 520] {
                let ref_row = random_row(width, p, &mut seed);
                let mut refc = vec![0u32; cap];
                let n_ref = from_row(&ref_row, width, &mut refc);
                refc[n_ref..n_ref + SENTINELS].fill(width);
                for v in &mut refc[n_ref + SENTINELS..] {
                    *v = (xorshift(&mut seed) % u64::from(width + 2)) as u32;
                }
                for trial in 0..24u64 {
                    let mut row = ref_row.clone();
                    for _ in 0..trial % 4 {
                        let x = (xorshift(&mut seed) % u64::from(width)) as usize;
                        row[x / 8] ^= 0x80 >> (x % 8);
                    }
                    let lead = (trial % 9) as u32;
                    let (data, _) = coded_and_decoded(
                        &mut seed,
                        width,
                        &refc,
                        &row,
                        (lead, 0x1FF),
                        &format!("width {width} p {p} trial {trial}"),
                    );
                    let pos = lead as usize;
                    for cut in data.len().saturating_sub(40)..data.len() {
                        let d = &data[..cut];
                        assert_eq!(
                            run_general(d, pos.min(cut * 8), width, &refc, false),
                            run_general(d, pos.min(cut * 8), width, &refc, true),
                            "width {width} p {p} trial {trial} cut {cut}"
                        );
                    }
                }
            }
        }
    }

    /// b1 at index 0 in the middle of a row (the coding line changes twice
    /// before the reference line's first change, T.4 §4.2.1.3.1) and
    /// b1 two on after a V+n code with b2 <= a1: both loops agree, and the
    /// row comes back.
    #[test]
    fn general_loop_b1_at_line_start() {
        let t = tables();
        let width = 200u32;
        let cap = width as usize + SLACK;
        for (r_ch, c_ch) in [
            (
                &[50u32, 60, 120, 121][..],
                &[10u32, 20, 49, 61, 119, 122][..],
            ),
            (&[50, 52, 54, 56, 58][..], &[51, 55, 57, 59][..]),
            (&[3, 4][..], &[0, 1, 2, 5][..]),
            // V-2 then V-3 from b1 = 52 to a1 = 49 < b0: b1 back to 0.
            (&[50, 52, 100, 130][..], &[48, 49, 51, 99, 131][..]),
        ] {
            let mut refc = vec![width; cap];
            refc[..r_ch.len()].copy_from_slice(r_ch);
            let mut cur = vec![width; cap];
            cur[..c_ch.len()].copy_from_slice(c_ch);
            let mut w = BitWriter::new(BitOrder::MsbFirst);
            let mut data = Vec::new();
            encode_2d(&mut w, &mut data, t, width, &refc, &cur);
            w.flush(&mut data);
            let got = run_general(&data, 0, width, &refc, false);
            assert_eq!(got.0, Ok(c_ch.len()), "{c_ch:?}");
            assert_eq!(got.1, c_ch, "{c_ch:?}");
            assert_eq!(got, run_general(&data, 0, width, &refc, true));
        }
    }

    /// Without the sentinels after the reference line's changes (a stale
    /// change past the row end where b4 is), `decode_2d` takes the
    /// reference loop, which finds a1 past the row end (V3 from b1 at the
    /// row end) invalid; the general loop, which bounds a1 by b4 alone,
    /// would take it (or fail its debug assertion).
    #[test]
    fn missing_sentinels_take_reference_loop() {
        let width = 200u32;
        let mut refc = vec![250u32; width as usize + SLACK];
        refc[0] = width;
        // V3 (0000011), then ones.
        let data = [
            0b0000_0111u8,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
            0xFF,
        ];
        let mut cur = vec![0u32; width as usize + SLACK];
        let mut r = BitReader::new(&data, 0);
        let mut gate = DenseGate::default();
        let got = decode_2d(&mut r, tables(), width, &refc, 0, &mut gate, &mut cur);
        assert_eq!(got, Err(Stop::Bad));
    }

    #[test]
    fn reciprocals_divide_exactly() {
        for len in 1..16u32 {
            for v in 0..128u32 {
                assert_eq!((v * RECIP[len as usize]) >> 16, v / len, "{v} / {len}");
            }
        }
    }

    #[test]
    fn rep_mul_repeats_like_repeated() {
        let mut seed = 0x4E9E_A7ED_u64;
        for len in 1..64u32 {
            // The whole copies: all that `cycle_short` compares.
            let whole = 64 / len * len;
            for _ in 0..1000 {
                let acc = xorshift(&mut seed);
                let rep = (acc >> (64 - len)) * REP_MUL[len as usize];
                let diff = rep ^ repeated(acc, len);
                assert_eq!(diff >> (64 - whole), 0, "{len}");
            }
        }
    }

    #[test]
    fn div_small_divides_exactly() {
        let mut seed = 0x51DE_5EED_u64;
        for d in 1..64u32 {
            const TOP: u32 = (1 << 26) - 1;
            for v in (0..1 << 16).chain([TOP, TOP - 1, TOP - d]) {
                assert_eq!(div_small(v, d), v / d, "{v} / {d}");
            }
            for _ in 0..10_000 {
                let v = xorshift(&mut seed) as u32 & TOP;
                assert_eq!(div_small(v, d), v / d, "{v} / {d}");
            }
            // Around every multiple of d near the top.
            for q in (TOP / d).saturating_sub(100)..=TOP / d {
                let v = q * d;
                assert_eq!(div_small(v, d), q, "{v} / {d}");
                assert_eq!(div_small(v - 1, d), (v - 1) / d, "{} / {d}", v - 1);
            }
        }
    }
}
