//! Self-synchronising scramblers and descramblers.
//!
//! - V.29 §2.5 and V.17 §3.2 (also V.33): generating polynomial 1 + x^-18 + x^-23.
//! - V.27ter §2.5: generating polynomial 1 + x^-6 + x^-7, plus a guard that watches the
//!   scrambled stream for repeating patterns of period 1, 2, 3, 4, 6, 8, 9 or 12 bits (a bit
//!   equal to the bit 8, 9 or 12 places earlier) and inverts the next scrambler output after 33
//!   such bits in a row. The descrambler mirrors the guard on the received stream.
//!
//! ```
//! use telefax_modem::qam::scrambler::{Descrambler, Scrambler, ScramblerKind};
//! let mut s = Scrambler::new(ScramblerKind::V29);
//! let mut d = Descrambler::new(ScramblerKind::V29);
//! let data = [1u8, 0, 0, 1, 1, 1, 0, 1];
//! // The descrambler synchronises itself after 23 bits.
//! for _ in 0..23 { d.descramble(s.scramble(1)); }
//! for &b in &data { assert_eq!(d.descramble(s.scramble(b)), b); }
//! ```

/// Which scrambler polynomial (and guard) to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScramblerKind {
    /// 1 + x^-6 + x^-7 with the 33-bit repeated-pattern guard (V.27ter §2.5).
    V27ter,
    /// 1 + x^-18 + x^-23 (V.29 §2.5, V.17 §3.2, V.33).
    V29,
}

impl ScramblerKind {
    /// The two tap delays (in bits) of the generating polynomial.
    pub const fn taps(self) -> (u32, u32) {
        match self {
            ScramblerKind::V27ter => (6, 7),
            ScramblerKind::V29 => (18, 23),
        }
    }
}

/// Number of consecutive repeated-pattern bits after which the V.27ter guard inverts a bit.
pub const V27TER_GUARD_COUNT: u32 = 33;

#[inline]
fn guard_step(reg: u32, bit: u32, count: &mut u32) {
    // Bits 8, 9 and 12 places earlier are register bits 7, 8 and 11.
    let differs_all = ((reg >> 7) ^ bit) & ((reg >> 8) ^ bit) & ((reg >> 11) ^ bit) & 1;
    if differs_all != 0 {
        *count = 0;
    } else {
        *count += 1;
    }
}

/// The transmit-side scrambler.
#[derive(Debug, Clone)]
pub struct Scrambler {
    kind: ScramblerKind,
    reg: u32,
    count: u32,
}

impl Scrambler {
    /// A scrambler with an all-zero register.
    pub fn new(kind: ScramblerKind) -> Self {
        Scrambler {
            kind,
            reg: 0,
            count: 0,
        }
    }

    /// Back to the all-zero register.
    pub fn reset(&mut self) {
        self.reg = 0;
        self.count = 0;
    }

    /// Scramble one bit (0 or 1).
    #[inline]
    pub fn scramble(&mut self, bit: u8) -> u8 {
        let (a, b) = self.kind.taps();
        let mut out = (u32::from(bit) ^ (self.reg >> (a - 1)) ^ (self.reg >> (b - 1))) & 1;
        if self.kind == ScramblerKind::V27ter {
            if self.count >= V27TER_GUARD_COUNT {
                out ^= 1;
                self.count = 0;
            } else {
                guard_step(self.reg, out, &mut self.count);
            }
        }
        self.reg = (self.reg << 1) | out;
        out as u8
    }
}

/// The receive-side descrambler (self-synchronising).
#[derive(Debug, Clone)]
pub struct Descrambler {
    kind: ScramblerKind,
    reg: u32,
    count: u32,
}

impl Descrambler {
    /// A descrambler with an all-zero register.
    pub fn new(kind: ScramblerKind) -> Self {
        Descrambler {
            kind,
            reg: 0,
            count: 0,
        }
    }

    /// Back to the all-zero register.
    pub fn reset(&mut self) {
        self.reg = 0;
        self.count = 0;
    }

    /// Descramble one received bit (0 or 1).
    #[inline]
    pub fn descramble(&mut self, bit: u8) -> u8 {
        let (a, b) = self.kind.taps();
        let inb = u32::from(bit & 1);
        let mut out = (inb ^ (self.reg >> (a - 1)) ^ (self.reg >> (b - 1))) & 1;
        if self.kind == ScramblerKind::V27ter {
            if self.count >= V27TER_GUARD_COUNT {
                out ^= 1;
                self.count = 0;
            } else {
                guard_step(self.reg, inb, &mut self.count);
            }
        }
        self.reg = (self.reg << 1) | inb;
        out as u8
    }

    /// Descramble `n` received bits at once (at most 6 for V.27ter, 18 for V.29): `word`
    /// holds them with the first received in bit `n - 1`; the data bits come back in the same
    /// order. Equal to `n` calls of [`Descrambler::descramble`].
    #[inline]
    pub fn descramble_word(&mut self, word: u32, n: u32) -> u32 {
        if self.kind == ScramblerKind::V29 {
            // Taps 18 and 23 (V.29, V.17): bit i of the result uses the received bits 18 and
            // 23 places before it, all of which lie before this word since n <= 18.
            let n = n.min(18);
            let keep = (1u32 << n) - 1;
            let h = (u64::from(self.reg) << n) | u64::from(word & keep);
            self.reg = h as u32;
            return ((h ^ (h >> 18) ^ (h >> 23)) as u32) & keep;
        }
        // V.27ter (taps 6 and 7). The received history with the new bits appended (most
        // recent in bit 0): bit i of the result uses the received bits 6 and 7 places before
        // it, all of which lie before this word since n <= 6.
        let n = n.min(6);
        let keep = (1u32 << n) - 1;
        let h = (u64::from(self.reg) << n) | u64::from(word & keep);
        let out = ((h ^ (h >> 6) ^ (h >> 7)) as u32) & keep;
        // The guard can only fire within this word if the run count may reach 33 here.
        if self.count + n > V27TER_GUARD_COUNT {
            return self.descramble_bits(word, n);
        }
        // A bit that differs from each of the bits 8, 9 and 12 places earlier restarts the
        // run count; the count afterwards is the number of bits after the most recent such
        // bit.
        let d = ((h ^ (h >> 8)) & (h ^ (h >> 9)) & (h ^ (h >> 12))) as u32 & keep;
        self.count = if d == 0 {
            self.count + n
        } else {
            d.trailing_zeros()
        };
        self.reg = h as u32;
        out
    }

    /// [`Descrambler::descramble_word`] one bit at a time.
    fn descramble_bits(&mut self, word: u32, n: u32) -> u32 {
        let mut out = 0;
        for k in (0..n).rev() {
            out = (out << 1) | u32::from(self.descramble(((word >> k) & 1) as u8));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(kind: ScramblerKind, data: &[u8]) {
        let mut s = Scrambler::new(kind);
        let mut d = Descrambler::new(kind);
        // Different start states: the descrambler must resynchronise (for V.27ter the guard
        // counters too, which happens at the first bit that breaks a repeated pattern).
        for _ in 0..5 {
            d.descramble(1);
        }
        let out: Vec<u8> = data.iter().map(|&b| d.descramble(s.scramble(b))).collect();
        assert_eq!(&out[100..], &data[100..]);
    }

    #[test]
    fn v29_roundtrip() {
        let data: Vec<u8> = (0..2000u32).map(|i| ((i * 7919) >> 3) as u8 & 1).collect();
        roundtrip(ScramblerKind::V29, &data);
    }

    #[test]
    fn v27ter_roundtrip_including_guard() {
        // All zeros with a zero register would stay zero: the guard must fire and still
        // descramble correctly.
        let data = vec![0u8; 3000];
        let mut s = Scrambler::new(ScramblerKind::V27ter);
        let line: Vec<u8> = data.iter().map(|&b| s.scramble(b)).collect();
        assert!(line.contains(&1), "guard never inverted a bit");
        roundtrip(ScramblerKind::V27ter, &data);
        let data: Vec<u8> = (0..3000u32).map(|i| ((i * 31) >> 2) as u8 & 1).collect();
        roundtrip(ScramblerKind::V27ter, &data);
    }

    #[test]
    fn word_descrambling_equals_bit_by_bit() {
        for kind in [ScramblerKind::V27ter, ScramblerKind::V29] {
            let mut s = Scrambler::new(kind);
            let mut a = Descrambler::new(kind);
            let mut b = Descrambler::new(kind);
            let mut x = 0x8765_4321u32;
            let mut slow = 0;
            for i in 0..20000u32 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let n = 1 + i % 6;
                // Mostly zeros, so that the V.27ter guard fires now and then.
                // Stretches of zeros from a cleared scrambler, so that the V.27ter guard
                // fires (about every 34 bits), between random data.
                if i % 500 == 0 {
                    s.reset();
                }
                let data = if i % 500 < 300 {
                    0
                } else {
                    (x >> 7) & ((1 << n) - 1)
                };
                let mut word = 0;
                for k in (0..n).rev() {
                    word = (word << 1) | u32::from(s.scramble(((data >> k) & 1) as u8));
                }
                // Words where the guard may fire take the bit-by-bit path.
                slow += u32::from(kind == ScramblerKind::V27ter && a.count + n > 33);
                let mut expect = 0;
                for k in (0..n).rev() {
                    expect = (expect << 1) | u32::from(a.descramble(((word >> k) & 1) as u8));
                }
                assert_eq!(b.descramble_word(word, n), expect, "{kind:?} step {i}");
                assert_eq!((a.reg, a.count), (b.reg, b.count), "{kind:?} step {i}");
                if i % 500 > 50 {
                    assert_eq!(expect, data, "{kind:?} step {i}");
                }
            }
            assert!(kind == ScramblerKind::V29 || slow > 20, "{slow}");
        }
    }

    #[test]
    fn v29_scrambles_ones_to_a_balanced_stream() {
        let mut s = Scrambler::new(ScramblerKind::V29);
        let ones: u32 = (0..10000).map(|_| u32::from(s.scramble(1))).sum();
        assert!((4500..5500).contains(&ones), "{ones}");
    }
}
