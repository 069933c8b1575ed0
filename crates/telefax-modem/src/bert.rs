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
#[derive(Debug, Clone, PartialEq)]
pub struct BertChecker {
    degree: u32,
    tap: u32,
    mask: u32,
    polarity: Option<Polarity>,
    invert: u8,
    hist: u32,
    filled: u32,
    run: [u32; 2],
    synced: bool,
    local: u32,
    win_bits: u32,
    win_errs: u32,
    report: BertReport,
    ever_synced: bool,
}

impl BertChecker {
    /// A checker for the recurrence of `degree`/`tap`; `polarity` `None` accepts either.
    pub fn new(degree: u32, tap: u32, polarity: Option<Polarity>) -> Self {
        let degree = degree.clamp(2, 31);
        Self {
            degree,
            tap: tap.clamp(1, degree - 1),
            mask: (1u32 << degree) - 1,
            polarity,
            invert: 0,
            hist: 0,
            filled: 0,
            run: [0; 2],
            synced: false,
            local: 0,
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
    fn predict(&self, reg: u32) -> u32 {
        ((reg >> (self.degree - 1)) ^ (reg >> (self.tap - 1))) & 1
    }

    /// Check one received bit.
    pub fn put(&mut self, bit: u8) {
        let bit = (bit & 1) as u32;
        if self.synced {
            let fb = self.predict(self.local);
            self.local = ((self.local << 1) | fb) & self.mask;
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
        self.hist = ((self.hist << 1) | bit) & self.mask;
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
                // Local register holds the uninverted sequence.
                self.local = if k == 1 {
                    !self.hist & self.mask
                } else {
                    self.hist
                };
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

    /// The measurement so far.
    pub fn report(&self) -> BertReport {
        self.report
    }
}

impl RxSink for BertChecker {
    fn put_bit(&mut self, bit: u8) {
        self.put(bit);
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
