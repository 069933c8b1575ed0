//! The ITU-T O.151 pseudo-random test pattern 2²³−1 and a self-synchronising bit error rate
//! tester (BERT), as used by the modem lab.
//!
//! O.151 §2.3 (2²³−1 sequence): a 23-stage shift register whose 18th and 23rd stage outputs
//! are added modulo 2 and fed back to the first stage (generator polynomial x²³ + x¹⁸ + 1);
//! the pattern is sent **inverted**. This is the pattern spandsp calls `BERT_PATTERN_ITU_O151_23`.
//! The polarity is switchable ([`Polarity`]) and the checker can also accept either polarity.
//!
//! ```
//! use telefax_modem::bert::{BertChecker, Prbs};
//! use telefax_modem::BitSource;
//! let mut tx = Prbs::o151_23();
//! let mut rx = BertChecker::o151_23();
//! for i in 0..10_000 {
//!     let b = tx.next_bit().unwrap();
//!     rx.put(if i == 5_000 { b ^ 1 } else { b }); // one error
//! }
//! let r = rx.report();
//! assert!(r.synced && r.bad_bits == 1 && r.bits > 9_000);
//! ```
use crate::{BitSource, RxSink, RxStatus};

/// Shift register length of the O.151 2²³−1 pattern.
pub const O151_23_DEGREE: u32 = 23;
/// Feedback tap (stage) of the O.151 2²³−1 pattern.
pub const O151_23_TAP: u32 = 18;

/// Output polarity of a pseudo-random pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// The register's feedback bit as is.
    Normal,
    /// The complement (O.151 §2.3 for 2²³−1).
    Inverted,
}

/// A pseudo-random binary sequence generator (Fibonacci LFSR), endless [`BitSource`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prbs {
    reg: u32,
    mask: u32,
    degree: u32,
    tap: u32,
    invert: u8,
}

impl Prbs {
    /// A generator with feedback from stages `degree` and `tap` (1-based, `tap < degree <= 31`),
    /// register initially all ones.
    pub fn new(degree: u32, tap: u32, polarity: Polarity) -> Self {
        let degree = degree.clamp(2, 31);
        let tap = tap.clamp(1, degree - 1);
        let mask = (1u32 << degree) - 1;
        Self {
            reg: mask,
            mask,
            degree,
            tap,
            invert: (polarity == Polarity::Inverted) as u8,
        }
    }
    /// The O.151 2²³−1 pattern, inverted as O.151 specifies.
    pub fn o151_23() -> Self {
        Self::new(O151_23_DEGREE, O151_23_TAP, Polarity::Inverted)
    }
    /// The O.151 2²³−1 recurrence with the given output polarity.
    pub fn o151_23_with(polarity: Polarity) -> Self {
        Self::new(O151_23_DEGREE, O151_23_TAP, polarity)
    }
    #[inline]
    fn step(&mut self) -> u8 {
        let fb = ((self.reg >> (self.degree - 1)) ^ (self.reg >> (self.tap - 1))) & 1;
        self.reg = ((self.reg << 1) | fb) & self.mask;
        fb as u8
    }
    /// The next bit (never ends).
    #[inline]
    pub fn bit(&mut self) -> u8 {
        self.step() ^ self.invert
    }
}

impl BitSource for Prbs {
    #[inline]
    fn next_bit(&mut self) -> Option<u8> {
        Some(self.bit())
    }
}

/// Bits the checker must predict correctly in a row before it declares sync.
pub const SYNC_BITS: u32 = 64;
/// Length of the window over which loss of sync is judged.
pub const RESYNC_WINDOW: u32 = 256;
/// Errors within one [`RESYNC_WINDOW`] that make the checker drop sync and hunt again.
pub const RESYNC_ERRORS: u32 = 64;

/// The result of a BER measurement.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BertReport {
    /// Bits compared since the first sync.
    pub bits: u64,
    /// Of those, bits in error.
    pub bad_bits: u64,
    /// Times sync was lost and regained.
    pub resyncs: u32,
    /// Whether the checker is in sync now.
    pub synced: bool,
    /// Whether the received pattern had the inverted polarity (when accepting both).
    pub inverted: bool,
    /// Bits received while hunting for sync (not counted in `bits`).
    pub hunt_bits: u64,
}

impl BertReport {
    /// Bit error ratio (0 if nothing was compared).
    pub fn ber(&self) -> f64 {
        if self.bits == 0 {
            0.0
        } else {
            self.bad_bits as f64 / self.bits as f64
        }
    }
}

/// A self-synchronising checker for a [`Prbs`] pattern.
///
/// Hunting: it predicts each bit from the previous `degree` received bits and declares sync
/// after [`SYNC_BITS`] correct predictions in a row; then it runs its own generator seeded
/// from the received bits and compares (so one line error counts once). More than
/// [`RESYNC_ERRORS`] errors in a window of [`RESYNC_WINDOW`] bits sends it back to hunting.
/// It also implements [`RxSink`] (status events are ignored).
///
/// In sync, the bits are compared a word at a time (up to 32, see [`BertChecker::put`]); the
/// counts are exactly those of a bit-by-bit comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct BertChecker {
    degree: u32,
    tap: u32,
    polarity: Option<Polarity>,
    invert: u8,
    /// Hunting: the received bits, newest in bit 0 (unmasked: the last 64).
    hist: u64,
    filled: u32,
    run: [u32; 2],
    synced: bool,
    /// In sync: the last 64 bits of the uninverted sequence, newest in bit 0.
    local: u64,
    /// In sync: received bits not compared yet, newest in bit 0.
    pending: u32,
    /// How many bits `pending` holds.
    npending: u32,
    /// Bits compared at once: a power of two, at most 32 and at most `2·tap`.
    word: u32,
    win_bits: u32,
    win_errs: u32,
    report: BertReport,
    ever_synced: bool,
}

// The word-wise comparison needs the last 2·degree bits of the sequence at sync; a run of
// SYNC_BITS correct predictions vouches for SYNC_BITS + degree of them (degree <= 31).
const _: () = assert!(SYNC_BITS >= 31 && RESYNC_WINDOW % 32 == 0);

impl BertChecker {
    /// A checker for the recurrence of `degree`/`tap`; `polarity` `None` accepts either.
    pub fn new(degree: u32, tap: u32, polarity: Option<Polarity>) -> Self {
        let degree = degree.clamp(2, 31);
        let tap = tap.clamp(1, degree - 1);
        // Largest power of two not above min(32, 2·tap).
        let word = 1u32 << (31 - (2 * tap).min(32).leading_zeros());
        Self {
            degree,
            tap,
            polarity,
            invert: 0,
            hist: 0,
            filled: 0,
            run: [0; 2],
            synced: false,
            local: 0,
            pending: 0,
            npending: 0,
            word,
            win_bits: 0,
            win_errs: 0,
            report: BertReport::default(),
            ever_synced: false,
        }
    }
    /// A checker for the O.151 2²³−1 pattern in O.151 (inverted) polarity.
    pub fn o151_23() -> Self {
        Self::new(O151_23_DEGREE, O151_23_TAP, Some(Polarity::Inverted))
    }
    /// A checker for the O.151 2²³−1 recurrence accepting either polarity.
    pub fn o151_23_any_polarity() -> Self {
        Self::new(O151_23_DEGREE, O151_23_TAP, None)
    }

    #[inline]
    fn predict(&self, reg: u64) -> u32 {
        (((reg >> (self.degree - 1)) ^ (reg >> (self.tap - 1))) & 1) as u32
    }

    /// Check one received bit.
    ///
    /// In sync, bits are collected and compared a word at a time: the sequence obeys
    /// s(n) = s(n−degree) ⊕ s(n−tap), hence also (squaring the generator polynomial over
    /// GF(2)) s(n) = s(n−2·degree) ⊕ s(n−2·tap), which yields up to 2·tap expected bits
    /// from the last 64 with two shifts and an XOR. A word that would push the error count
    /// of the window over [`RESYNC_ERRORS`] is re-checked bit by bit, so loss of sync
    /// happens on the same bit as in a bit-by-bit checker.
    #[inline]
    pub fn put(&mut self, bit: u8) {
        let bit = u32::from(bit & 1);
        if self.synced {
            self.pending = (self.pending << 1) | bit;
            self.npending += 1;
            if self.npending == self.word {
                self.check_word();
            }
        } else {
            self.put_one(bit);
        }
    }

    /// Check `n` (at most 32) received bits at once, the first received in bit `n - 1` of
    /// `bits`: the same as `n` calls of [`BertChecker::put`].
    #[inline]
    pub fn put_word(&mut self, bits: u32, n: u32) {
        // In sync, a word that does not fill the pending word is only appended (`n` < 32
        // here, so the shift and mask are in range).
        if self.synced && self.npending + n < self.word {
            self.pending = (self.pending << n) | (bits & !(u32::MAX << n));
            self.npending += n;
            return;
        }
        self.put_word_slow(bits, n);
    }

    /// [`BertChecker::put_word`] for the words that fill the pending word, and in hunting.
    fn put_word_slow(&mut self, bits: u32, n: u32) {
        let mut left = n.min(32);
        while left > 0 {
            if !self.synced {
                left -= 1;
                self.put_one((bits >> left) & 1);
                continue;
            }
            let take = left.min(self.word - self.npending);
            left -= take;
            let chunk = (bits >> left) & (u32::MAX >> (32 - take));
            self.pending = ((u64::from(self.pending) << take) as u32) | chunk;
            self.npending += take;
            if self.npending == self.word {
                self.check_word();
            }
        }
    }

    /// Compare the `word` pending bits at once.
    fn check_word(&mut self) {
        let k = self.word;
        let rx = self.pending;
        self.pending = 0;
        self.npending = 0;
        let keep = u32::MAX >> (32 - k);
        let h = self.local;
        let expect = ((h >> (2 * self.tap - k)) ^ (h >> (2 * self.degree - k))) as u32 & keep;
        let errs = (expect ^ rx ^ (0u32.wrapping_sub(u32::from(self.invert)))) & keep;
        let n = errs.count_ones();
        if self.win_errs + n > RESYNC_ERRORS || self.win_bits + k > RESYNC_WINDOW {
            // Sync may be lost inside this word (or the window ends in it): bit by bit.
            for i in (0..k).rev() {
                self.put_one((rx >> i) & 1);
            }
            return;
        }
        self.local = (h << k) | u64::from(expect);
        self.report.bits += u64::from(k);
        self.report.bad_bits += u64::from(n);
        self.win_bits += k;
        self.win_errs += n;
        if self.win_bits >= RESYNC_WINDOW {
            self.win_bits = 0;
            self.win_errs = 0;
        }
    }

    /// Check one bit now (hunting, or in sync without collecting).
    fn put_one(&mut self, bit: u32) {
        if self.synced {
            let fb = self.predict(self.local);
            self.local = (self.local << 1) | u64::from(fb);
            let err = (fb ^ self.invert as u32) != bit;
            self.report.bits += 1;
            self.win_bits += 1;
            if err {
                self.report.bad_bits += 1;
                self.win_errs += 1;
            }
            if self.win_errs > RESYNC_ERRORS {
                self.synced = false;
                self.report.synced = false;
                self.filled = 0;
                self.run = [0; 2];
                self.win_bits = 0;
                self.win_errs = 0;
                tracing::debug!(bits = self.report.bits, "BERT lost sync");
            } else if self.win_bits >= RESYNC_WINDOW {
                self.win_bits = 0;
                self.win_errs = 0;
            }
            return;
        }
        self.report.hunt_bits += 1;
        // Hunting: the history holds raw received bits; a valid pattern of either polarity
        // satisfies b = h[d] ^ h[t] (normal) or b = !(h[d] ^ h[t]) (inverted).
        if self.filled >= self.degree {
            let p = self.predict(self.hist);
            for (k, inv) in [(0usize, 0u32), (1usize, 1u32)] {
                if (p ^ inv) == bit {
                    self.run[k] += 1;
                } else {
                    self.run[k] = 0;
                }
            }
        } else {
            self.filled += 1;
        }
        self.hist = (self.hist << 1) | u64::from(bit);
        let allowed = |k: usize| match self.polarity {
            None => true,
            Some(Polarity::Normal) => k == 0,
            Some(Polarity::Inverted) => k == 1,
        };
        for k in 0..2 {
            if allowed(k) && self.run[k] >= SYNC_BITS {
                self.synced = true;
                self.report.synced = true;
                self.invert = k as u8;
                self.report.inverted = k == 1;
                // The last SYNC_BITS + degree received bits (at least 64) follow the
                // recurrence: the local register holds them uninverted.
                self.local = if k == 1 { !self.hist } else { self.hist };
                self.pending = 0;
                self.npending = 0;
                self.win_bits = 0;
                self.win_errs = 0;
                if self.ever_synced {
                    self.report.resyncs += 1;
                }
                self.ever_synced = true;
                tracing::debug!(inverted = k == 1, "BERT in sync");
                break;
            }
        }
    }

    /// The measurement so far (including bits still waiting to be compared as a word).
    pub fn report(&self) -> BertReport {
        if self.npending == 0 {
            return self.report;
        }
        let mut c = self.clone();
        let (rx, n) = (c.pending, c.npending);
        c.pending = 0;
        c.npending = 0;
        for i in (0..n).rev() {
            c.put_one((rx >> i) & 1);
        }
        c.report
    }
}

impl RxSink for BertChecker {
    fn put_bit(&mut self, bit: u8) {
        self.put(bit);
    }
    fn put_bits(&mut self, bits: u32, n: u32) {
        self.put_word(bits, n);
    }
    fn status(&mut self, _status: RxStatus) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn period_is_maximal_for_small_degree() {
        // x^7 + x^6 + 1 is primitive: period 127.
        let mut g = Prbs::new(7, 6, Polarity::Normal);
        let first: Vec<u8> = (0..127).map(|_| g.bit()).collect();
        let second: Vec<u8> = (0..127).map(|_| g.bit()).collect();
        assert_eq!(first, second);
        assert_eq!(first.iter().filter(|&&b| b == 1).count(), 64);
    }

    #[test]
    fn o151_recurrence_and_inversion() {
        let mut g = Prbs::o151_23_with(Polarity::Normal);
        let b: Vec<u8> = (0..200).map(|_| g.bit()).collect();
        for n in 23..200 {
            assert_eq!(b[n], b[n - 23] ^ b[n - 18]);
        }
        let mut i = Prbs::o151_23();
        let c: Vec<u8> = (0..200).map(|_| i.bit()).collect();
        assert!(b.iter().zip(&c).all(|(x, y)| x ^ y == 1));
    }

    #[test]
    fn wrong_polarity_never_syncs_and_any_detects() {
        let mut g = Prbs::o151_23_with(Polarity::Normal);
        let mut strict = BertChecker::o151_23();
        let mut any = BertChecker::o151_23_any_polarity();
        for _ in 0..5000 {
            let b = g.bit();
            strict.put(b);
            any.put(b);
        }
        assert!(!strict.report().synced);
        assert!(any.report().synced && !any.report().inverted && any.report().bad_bits == 0);
    }

    /// The checker bit by bit, as specified in the type's docs: the reference for the
    /// word-wise comparison.
    struct Reference {
        d: u32,
        t: u32,
        polarity: Option<Polarity>,
        hist: u32,
        filled: u32,
        run: [u32; 2],
        local: Option<(u32, u32)>,
        win: (u32, u32),
        r: BertReport,
    }

    impl Reference {
        fn new(d: u32, t: u32, polarity: Option<Polarity>) -> Self {
            Reference {
                d,
                t,
                polarity,
                hist: 0,
                filled: 0,
                run: [0; 2],
                local: None,
                win: (0, 0),
                r: BertReport::default(),
            }
        }
        fn put(&mut self, bit: u32) {
            let mask = (1u32 << self.d) - 1;
            let pred = |reg: u32| ((reg >> (self.d - 1)) ^ (reg >> (self.t - 1))) & 1;
            if let Some((reg, inv)) = self.local {
                let fb = pred(reg);
                self.local = Some((((reg << 1) | fb) & mask, inv));
                self.r.bits += 1;
                self.win.0 += 1;
                if fb ^ inv != bit {
                    self.r.bad_bits += 1;
                    self.win.1 += 1;
                }
                if self.win.1 > RESYNC_ERRORS {
                    self.local = None;
                    self.r.synced = false;
                    self.filled = 0;
                    self.run = [0; 2];
                    self.win = (0, 0);
                } else if self.win.0 >= RESYNC_WINDOW {
                    self.win = (0, 0);
                }
                return;
            }
            self.r.hunt_bits += 1;
            if self.filled >= self.d {
                let p = pred(self.hist);
                for (k, run) in self.run.iter_mut().enumerate() {
                    *run = if p ^ k as u32 == bit { *run + 1 } else { 0 };
                }
            } else {
                self.filled += 1;
            }
            self.hist = ((self.hist << 1) | bit) & mask;
            for k in 0..2u32 {
                let ok = self
                    .polarity
                    .is_none_or(|p| (p == Polarity::Inverted) == (k == 1));
                if ok && self.run[k as usize] >= SYNC_BITS {
                    let reg = if k == 1 { !self.hist & mask } else { self.hist };
                    self.local = Some((reg, k));
                    self.win = (0, 0);
                    if self.r.synced || self.r.bits > 0 {
                        self.r.resyncs += 1;
                    }
                    self.r.synced = true;
                    self.r.inverted = k == 1;
                    break;
                }
            }
        }
    }

    #[test]
    fn word_checking_counts_exactly_as_bit_by_bit() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for (d, t, pol) in [
            (23, 18, Polarity::Inverted),
            (23, 18, Polarity::Normal),
            (7, 6, Polarity::Normal),
            (9, 5, Polarity::Inverted),
            (31, 28, Polarity::Normal),
            (15, 1, Polarity::Normal),
        ] {
            for any in [false, true] {
                let want = if any { None } else { Some(pol) };
                let mut g = Prbs::new(d, t, pol);
                let mut c = BertChecker::new(d, t, want);
                let mut w = BertChecker::new(d, t, want);
                let (mut word, mut wn) = (0u32, 0u32);
                let mut r = Reference::new(d, t, want);
                for i in 0..60_000u32 {
                    // Clean stretches, sparse errors, dense errors (lost sync), garbage.
                    let ber_shift = match (i / 2_000) % 6 {
                        0 | 3 => 64,
                        1 => 7,
                        2 => 3,
                        4 => 2,
                        _ => 1,
                    };
                    let flip = if ber_shift == 64 {
                        0
                    } else {
                        u8::from(rnd() & ((1 << ber_shift) - 1) == 0)
                    };
                    let b = u32::from(g.bit() ^ flip);
                    c.put(b as u8);
                    r.put(b);
                    // The same bits in words of random length (1 to 32).
                    word = (word << 1) | b;
                    wn += 1;
                    if wn == 32 || rnd() % 9 == 0 {
                        w.put_word(word, wn);
                        assert_eq!(w.report(), r.r, "words: d={d} t={t} any={any} bit {i}");
                        (word, wn) = (0, 0);
                    }
                    if rnd() % 97 == 0 {
                        assert_eq!(c.report(), r.r, "d={d} t={t} any={any} bit {i}");
                    }
                }
                w.put_word(word, wn);
                assert_eq!(w.report(), r.r, "words: d={d} t={t} any={any}");
                assert_eq!(c.report(), r.r, "d={d} t={t} any={any}");
                assert!(r.r.resyncs > 0 && r.r.bad_bits > 100, "{:?}", r.r);
            }
        }
    }

    #[test]
    fn burst_causes_resync() {
        let mut g = Prbs::o151_23();
        let mut c = BertChecker::o151_23();
        let mut garbage = Prbs::new(9, 5, Polarity::Normal);
        for i in 0..20_000 {
            let b = g.bit();
            let b = if (5_000..6_000).contains(&i) {
                garbage.bit()
            } else {
                b
            };
            c.put(b);
        }
        let r = c.report();
        assert!(r.synced);
        assert_eq!(r.resyncs, 1);
        assert!(r.bad_bits > 50 && r.bad_bits < 1000, "{r:?}");
    }
}
