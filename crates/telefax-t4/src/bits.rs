//! Bit-level reading and writing of coded data, and bit order conversion
//! (T.4 §4.1: bits are transmitted in order; TIFF FillOrder 1 packs the
//! first bit in the MSB of a byte, FillOrder 2 in the LSB).

use crate::BitOrder;

/// Reverse the bit order of a byte (FillOrder 1 <-> 2).
pub(crate) const REVERSE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).reverse_bits();
        i += 1;
    }
    t
};

/// Reads bits MSB-first from a byte slice through a 64-bit bit buffer.
#[derive(Clone)]
pub(crate) struct BitReader<'a> {
    pub(crate) data: &'a [u8],
    /// Next bits, first in bit 63. The top `nbits` are valid; below them
    /// are either the following data bits or zeros past the end.
    pub(crate) acc: u64,
    pub(crate) nbits: u32,
    /// Next byte of `data` to load.
    pub(crate) next: usize,
}

/// The bit buffer of a reader at bit `pos` of `data` as one 8-byte load
/// (`acc`, `nbits`, `next`, as [`BitReader::new`] fills it: the first seven
/// bytes count, the eighth follows below them), or `None` when fewer than
/// eight bytes are left there. The hot loops refill in place with it after
/// jumping over a long string of codes.
#[inline(always)]
pub(crate) fn load_at(data: &[u8], pos: usize) -> Option<(u64, u32, usize)> {
    let (byte, skip) = (pos / 8, (pos % 8) as u32);
    let b = data.get(byte..)?.first_chunk::<8>()?;
    Some((u64::from_be_bytes(*b) << skip, 56 - skip, byte + 7))
}

impl<'a> BitReader<'a> {
    /// A reader positioned at bit `pos` of `data`.
    pub fn new(data: &'a [u8], pos: usize) -> Self {
        if let Some((acc, nbits, next)) = load_at(data, pos) {
            return BitReader {
                data,
                acc,
                nbits,
                next,
            };
        }
        let mut r = BitReader {
            data,
            acc: 0,
            nbits: 0,
            next: (pos / 8).min(data.len()),
        };
        r.refill();
        let skip = (pos % 8) as u32;
        if pos / 8 < data.len() {
            r.consume(skip as usize);
        }
        r
    }

    #[inline(always)]
    pub(crate) fn refill(&mut self) {
        if self.nbits > 56 {
            return;
        }
        if let Some(s) = self.data.get(self.next..self.next + 8) {
            let mut b = [0u8; 8];
            b.copy_from_slice(s);
            self.acc |= u64::from_be_bytes(b) >> self.nbits;
            let bytes = (63 - self.nbits) / 8;
            self.next += bytes as usize;
            self.nbits += bytes * 8;
        } else {
            while self.nbits <= 56 {
                let Some(&b) = self.data.get(self.next) else {
                    break;
                };
                self.acc |= u64::from(b) << (56 - self.nbits);
                self.next += 1;
                self.nbits += 8;
            }
        }
    }

    /// The next bits, first bit in bit 63. At least 56 are valid while
    /// data lasts; bits past the end read as 0 (check [`Self::remaining`]).
    #[inline(always)]
    pub fn peek(&self) -> u64 {
        self.acc
    }

    /// Skip `n` bits (`n <= remaining()`, `n <= 56`).
    #[inline(always)]
    pub fn consume(&mut self, n: usize) {
        // Callers never take more than `remaining()`, which is within `nbits`.
        let n = (n as u32).min(self.nbits);
        self.acc <<= n & 63;
        self.nbits -= n;
        self.refill();
    }

    /// Absolute bit position of the next unread bit.
    #[inline(always)]
    pub fn pos(&self) -> usize {
        self.next * 8 - self.nbits as usize
    }

    /// Bits left.
    #[inline(always)]
    pub fn remaining(&self) -> usize {
        self.data.len() * 8 - self.pos()
    }
}

/// Writes bits MSB-first into a caller's `Vec<u8>`, converting to the
/// requested bit order on the way out.
#[derive(Debug, Clone)]
pub(crate) struct BitWriter {
    acc: u64,
    n: u32,
    /// Bits written out of `acc` since creation.
    flushed: u64,
    lsb: bool,
}

impl BitWriter {
    pub fn new(order: BitOrder) -> Self {
        BitWriter {
            acc: 0,
            n: 0,
            flushed: 0,
            lsb: order == BitOrder::LsbFirst,
        }
    }

    /// Total bits written since creation.
    #[inline]
    pub fn total(&self) -> u64 {
        self.flushed + u64::from(self.n)
    }

    /// Append the low `len` (<= 32) bits of `bits`.
    #[inline(always)]
    pub fn put(&mut self, out: &mut Vec<u8>, bits: u32, len: u32) {
        self.acc = self.acc << len | u64::from(bits);
        self.n += len;
        if self.n >= 32 {
            self.n -= 32;
            self.flushed += 32;
            let v = (self.acc >> self.n) as u32;
            let mut b = v.to_be_bytes();
            if self.lsb {
                for x in &mut b {
                    *x = REVERSE[*x as usize];
                }
            }
            out.extend_from_slice(&b);
        }
    }

    /// Append `count` zero bits.
    pub fn zeros(&mut self, out: &mut Vec<u8>, mut count: u64) {
        while count > 0 {
            let k = count.min(24) as u32;
            self.put(out, 0, k);
            count -= u64::from(k);
        }
    }

    /// Zero bits up to the next byte boundary.
    pub fn align(&mut self, out: &mut Vec<u8>) {
        let r = (self.total() % 8) as u32;
        if r != 0 {
            self.put(out, 0, 8 - r);
        }
    }

    /// A [`FastBits`] writing into `buf` that continues from the bits
    /// written so far; hand it back with [`BitWriter::resume`] before any
    /// other call.
    #[inline]
    pub fn fast(&self, buf: &mut FastBuf) -> FastBits {
        let mut f = FastBits {
            acc: self.acc,
            n: self.n,
            pos: 0,
        };
        f.flush(buf);
        f
    }

    /// Take back the bits of a [`FastBits`]: its whole bytes go to `out`,
    /// under eight bits stay buffered here.
    #[inline]
    pub fn resume(&mut self, out: &mut Vec<u8>, buf: &mut FastBuf, mut f: FastBits) {
        f.flush(buf);
        f.spill(buf, self, out);
        self.acc = f.acc;
        self.n = f.n;
    }

    /// Whole bytes from a [`FastBits`] buffer, to go out after the bits
    /// written so far (none are buffered here meanwhile).
    #[inline(never)]
    fn take_bytes(&mut self, b: &[u8], out: &mut Vec<u8>) {
        if self.lsb {
            out.extend(b.iter().map(|&x| REVERSE[x as usize]));
        } else {
            out.extend_from_slice(b);
        }
        self.flushed += 8 * b.len() as u64;
    }

    /// Write out every buffered bit, padding the last byte with zeros.
    pub fn flush(&mut self, out: &mut Vec<u8>) {
        self.align(out);
        while self.n >= 8 {
            self.n -= 8;
            self.flushed += 8;
            let b = (self.acc >> self.n) as u8;
            out.push(if self.lsb { REVERSE[b as usize] } else { b });
        }
    }
}

/// Bytes of a [`FastBuf`].
pub(crate) const FAST_BUF: usize = 1024;
/// [`FastBits::room`] is false from this many bytes written: the callers
/// write at most one code group between checks (a horizontal code or two
/// runs of at most `MAX_WIDTH` pixels: 27 make-up and 2 terminating
/// codes, under 50 bytes), and each flush stores 8 bytes.
const FAST_SPILL: usize = FAST_BUF - 128;

/// The byte buffer of a [`FastBits`] (on the caller's stack).
pub(crate) type FastBuf = [u8; FAST_BUF];

/// A bit writer for the hot loops of the row coders: codes are shifted into
/// a register (low `n` bits valid) and [`FastBits::flush`] stores all eight
/// bytes of it, whole or not, into a small buffer with no branch, moving
/// on by the whole bytes (the next store rewrites the partial one). The
/// caller calls [`FastBits::flush`] at least every 57 bits and
/// [`FastBits::spill`] when [`FastBits::room`] is false. The state is three
/// registers; the buffer is passed separately so that it stays so.
#[derive(Clone, Copy)]
pub(crate) struct FastBits {
    acc: u64,
    n: u32,
    pos: usize,
}

impl FastBits {
    /// Append the low `len` bits of `bits` (`len` <= 32; at most 64 bits
    /// since the last flush).
    #[inline(always)]
    pub fn put(&mut self, bits: u32, len: u32) {
        self.acc = self.acc << len | u64::from(bits);
        self.n += len;
    }

    /// [`FastBits::put`] with the bits already widened.
    #[inline(always)]
    pub fn put_u64(&mut self, bits: u64, len: u32) {
        self.acc = self.acc << len | bits;
        self.n += len;
    }

    /// Store the whole bytes of the register; under eight bits stay.
    #[inline(always)]
    pub fn flush(&mut self, buf: &mut FastBuf) {
        // With n = 0 the shift wraps to 0 and stores stale bits that the
        // next store overwrites (pos does not move).
        let v = self.acc.wrapping_shl(64 - self.n);
        debug_assert!(self.n <= 64 && self.pos + 8 <= FAST_BUF);
        if let Some(b) = buf.get_mut(self.pos..self.pos + 8) {
            b.copy_from_slice(&v.to_be_bytes());
        }
        self.pos += (self.n >> 3) as usize;
        self.n &= 7;
    }

    /// Whether the buffer has room for 64 more bytes.
    #[inline(always)]
    pub fn room(&self) -> bool {
        self.pos < FAST_SPILL
    }

    /// Move the whole bytes written to `out` (after a flush).
    #[inline(always)]
    pub fn spill(&mut self, buf: &FastBuf, w: &mut BitWriter, out: &mut Vec<u8>) {
        w.take_bytes(&buf[..self.pos.min(FAST_BUF)], out);
        self.pos = 0;
    }
}
