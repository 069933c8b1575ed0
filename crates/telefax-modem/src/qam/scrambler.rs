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
    fn v29_scrambles_ones_to_a_balanced_stream() {
        let mut s = Scrambler::new(ScramblerKind::V29);
        let ones: u32 = (0..10000).map(|_| u32::from(s.scramble(1))).sum();
        assert!((4500..5500).contains(&ones), "{ones}");
    }
}
