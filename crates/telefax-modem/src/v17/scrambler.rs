//! The self-synchronising scrambler of V.17 §3.3: generating polynomial 1 + x^-18 + x^-23.

/// Mask of the 23-bit delay line.
const MASK: u32 = (1 << 23) - 1;

/// Scrambler or descrambler state: the last 23 line bits, most recent in bit 0.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Scrambler {
    reg: u32,
}

impl Scrambler {
    /// A scrambler whose delay line holds `reg` (bit 0 = most recent line bit).
    pub(crate) fn with_state(reg: u32) -> Self {
        Scrambler { reg: reg & MASK }
    }

    /// Scramble one data bit: line bit = data ⊕ line(n-18) ⊕ line(n-23).
    #[inline]
    pub(crate) fn scramble(&mut self, bit: u8) -> u8 {
        let out = (bit ^ (self.reg >> 17) as u8 ^ (self.reg >> 22) as u8) & 1;
        self.reg = ((self.reg << 1) | out as u32) & MASK;
        out
    }

    /// Descramble one line bit (the inverse of [`Scrambler::scramble`], self-synchronising
    /// after 23 bits). The receiver uses the shared word-wide descrambler
    /// ([`crate::qam::scrambler::Descrambler`], same polynomial); this is its reference in
    /// the tests.
    #[cfg(test)]
    pub(crate) fn descramble(&mut self, bit: u8) -> u8 {
        let out = (bit ^ (self.reg >> 17) as u8 ^ (self.reg >> 22) as u8) & 1;
        self.reg = ((self.reg << 1) | (bit & 1) as u32) & MASK;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descrambler_inverts_scrambler_from_any_state() {
        let mut s = Scrambler::with_state(0x2E_CDD5);
        let mut d = Scrambler::with_state(0x12_3456);
        let mut x = 0x1234_5678u32;
        for i in 0..2000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let bit = (x >> 16) as u8 & 1;
            let out = d.descramble(s.scramble(bit));
            if i >= 23 {
                assert_eq!(out, bit, "bit {i}");
            }
        }
    }

    /// The shared word-wide descrambler the V.17 receiver uses gives the same bits as this
    /// one, once both have seen the same 23 line bits.
    #[test]
    fn word_descrambling_equals_bit_by_bit() {
        use crate::qam::scrambler::{Descrambler, ScramblerKind};
        let mut a = Scrambler::with_state(0x5A_5A5A);
        let mut b = Descrambler::new(ScramblerKind::V29);
        for k in (0..23).rev() {
            let bit = ((0x5A_5A5Au32 >> k) & 1) as u8;
            b.descramble(bit);
        }
        let mut x = 0x8765_4321u32;
        for i in 0..3000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let n = 1 + i % 9;
            let word = (x >> 7) & ((1 << n) - 1);
            let mut expect = 0;
            for k in (0..n).rev() {
                expect = (expect << 1) | u32::from(a.descramble(((word >> k) & 1) as u8));
            }
            assert_eq!(b.descramble_word(word, n), expect, "step {i}");
        }
    }
}
