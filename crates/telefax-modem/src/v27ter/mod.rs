//! ITU-T V.27ter modem (2400 and 4800 bit/s), half-duplex as used for fax (T.30).
//!
//! - Carrier 1800 Hz; 1600 baud at 4800 bit/s, 1200 baud at 2400 bit/s (V.27ter §2.1, §2.2).
//! - 4800 bit/s: tribits encoded as phase changes of 8-phase PSK (Table 1/V.27ter);
//!   2400 bit/s: dibits as phase changes of 0, 90, 180, 270 degrees (Table 2/V.27ter).
//! - Scrambler 1 + x^-6 + x^-7 with the 33-bit repeated-pattern guard (V.27ter §2.5).
//! - Long training sequence (V.27ter §2.6, Table 3/V.27ter), used for fax: segment 1,
//!   unmodulated carrier (200 ms); segment 2, no energy (20 ms); segment 3, 50 symbols of
//!   180° phase reversals; segment 4, 1074 symbols of the equalizer-conditioning pattern
//!   (phase changes of 0° or 180° following a 127-symbol pseudo-random sequence);
//!   segment 5, 8 symbols of scrambled ones. Then data, then the turn-off sequence.
//! - Short training sequence (Table 3/V.27ter, without talker-echo protection): segment 3,
//!   14 symbols of reversals; segment 4, 58 symbols of the conditioning pattern; segment 5,
//!   8 symbols of scrambled ones (50 ms at 4800 bit/s, 67 ms at 2400 bit/s). The receiver
//!   keeps the equalizer learnt from an earlier long training ([`V27terRx::set_short_train`]).
//!   Fax uses the long training with talker-echo protection for every signal (T.4 §5.1:
//!   "the long training sequence with protection against talker echo"), so the short one
//!   is for lab use and for peers that send it anyway.
//!
//! ```
//! use telefax_modem::v27ter::{V27terRate, V27terRx, V27terTx};
//! use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};
//! struct Sink(Vec<u8>, bool);
//! impl RxSink for Sink {
//!     fn put_bit(&mut self, b: u8) { self.0.push(b) }
//!     fn status(&mut self, s: RxStatus) { if s == RxStatus::TrainingSucceeded { self.1 = true } }
//! }
//! let mut tx = V27terTx::new(V27terRate::R4800);
//! let mut n = 0u32;
//! let mut bits = move || { n += 1; (n <= 2400).then_some((n % 3 == 0) as u8) };
//! let mut audio = vec![0i16; 16000];
//! let used = tx.modulate(&mut audio, &mut bits);
//! let mut rx = V27terRx::new(V27terRate::R4800);
//! let mut sink = Sink(Vec::new(), false);
//! rx.demodulate(&audio[..used], &mut sink);
//! assert!(sink.1);
//! let s: String = sink.0.iter().map(|b| b.to_string()).collect();
//! assert!(s.contains("001001001001001001001001001001001001001001001001"));
//! ```

pub(crate) mod rx;
mod tx;

pub use rx::V27terRx;
pub use tx::V27terTx;

/// V.27ter carrier frequency in Hz (§2.1).
pub const CARRIER_HZ: u32 = 1800;
/// Segment 3 length (phase reversals) of the long training, in symbols.
pub const SEG3_SYMBOLS: usize = 50;
/// Segment 4 length (equalizer conditioning) of the long training, in symbols.
pub const SEG4_SYMBOLS: usize = 1074;
/// Segment 3 length (phase reversals) of the short training, in symbols (Table 3/V.27ter).
pub const SEG3_SHORT_SYMBOLS: usize = 14;
/// Segment 4 length (equalizer conditioning) of the short training, in symbols
/// (Table 3/V.27ter).
pub const SEG4_SHORT_SYMBOLS: usize = 58;
/// Segment 5 length (scrambled ones), in symbols.
pub const SEG5_SYMBOLS: usize = 8;
/// The first seven bits of the segment 4 sequence (1 = 180° phase change).
pub const SEG4_SEED: u8 = 0b011_1110;

/// The data signalling rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V27terRate {
    /// 2400 bit/s, 1200 baud, dibits.
    R2400,
    /// 4800 bit/s, 1600 baud, tribits.
    R4800,
}

impl V27terRate {
    /// The rate for `bps` (2400 or 4800).
    pub fn from_bps(bps: u32) -> Option<Self> {
        match bps {
            2400 => Some(V27terRate::R2400),
            4800 => Some(V27terRate::R4800),
            _ => None,
        }
    }

    /// Bits per second.
    pub fn bps(self) -> u32 {
        match self {
            V27terRate::R2400 => 2400,
            V27terRate::R4800 => 4800,
        }
    }

    /// Symbols per second.
    pub fn baud(self) -> u32 {
        match self {
            V27terRate::R2400 => 1200,
            V27terRate::R4800 => 1600,
        }
    }

    /// Bits per symbol.
    pub fn bits_per_symbol(self) -> usize {
        match self {
            V27terRate::R2400 => 2,
            V27terRate::R4800 => 3,
        }
    }

    /// Segment 1 (unmodulated carrier, 200 ms) length in symbols.
    pub fn seg1_symbols(self) -> usize {
        self.baud() as usize / 5
    }

    /// Segment 2 (silence, 20 ms) length in symbols.
    pub fn seg2_symbols(self) -> usize {
        self.baud() as usize / 50
    }

    /// Turn-off sequence length (scrambled ones, 20 ms) in symbols.
    pub fn turnoff_symbols(self) -> usize {
        self.baud() as usize / 50
    }
}

/// Phase change in 45° steps for a tribit (Table 1/V.27ter): 001 0°, 000 45°, 010 90°,
/// 011 135°, 111 180°, 110 225°, 100 270°, 101 315°.
pub(crate) const TRIBIT_STEP: [u8; 8] = [1, 0, 2, 3, 6, 7, 5, 4];
/// Tribit for a phase change in 45° steps (inverse of [`TRIBIT_STEP`]).
pub(crate) const STEP_TRIBIT: [u8; 8] = [0b001, 0b000, 0b010, 0b011, 0b111, 0b110, 0b100, 0b101];
/// Phase change in 45° steps for a dibit (Table 2/V.27ter): 00 0°, 01 90°, 11 180°, 10 270°.
pub(crate) const DIBIT_STEP: [u8; 4] = [0, 2, 6, 4];

/// The segment 4 sequence generator: one bit per symbol (1 = 180° change), period 127.
#[derive(Debug, Clone)]
pub(crate) struct ConditioningSequence {
    fifo: u8,
}

impl ConditioningSequence {
    pub(crate) fn new() -> Self {
        ConditioningSequence { fifo: SEG4_SEED }
    }

    pub(crate) fn next(&mut self) -> u8 {
        // The register's oldest bit leaves first; the sequence obeys
        // c[n] = 1 + c[n-2] + c[n-4] + c[n-6] + c[n-7] (mod 2).
        let f = self.fifo;
        let out = (f >> 6) & 1;
        let new = 1 ^ (f >> 1) ^ (f >> 3) ^ (f >> 5) ^ (f >> 6);
        self.fifo = ((f << 1) | (new & 1)) & 0x7f;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditioning_sequence_has_period_127_and_starts_with_the_seed() {
        let mut g = ConditioningSequence::new();
        let v: Vec<u8> = (0..254).map(|_| g.next()).collect();
        let start: String = v[..40].iter().map(|b| b.to_string()).collect();
        assert_eq!(start, "0111110000111010010100111101110110001000");
        assert_eq!(&v[..127], &v[127..]);
        assert!(
            (1..127).all(|p| v[..127] != v[p..p + 127]),
            "shorter period"
        );
    }
}

#[cfg(test)]
mod short_train_tests {
    use super::*;
    use crate::{Demodulator, Modulator, RxSink, RxStatus};

    #[derive(Default)]
    struct Sink {
        bits: Vec<u8>,
        ok: u32,
        failed: u32,
    }
    impl RxSink for Sink {
        fn put_bit(&mut self, b: u8) {
            self.bits.push(b);
        }
        fn status(&mut self, s: RxStatus) {
            match s {
                RxStatus::TrainingSucceeded => self.ok += 1,
                RxStatus::TrainingFailed => self.failed += 1,
                _ => {}
            }
        }
    }

    /// One burst of `n` bits of a fixed pseudo-random pattern (the same for every burst).
    fn burst(rate: V27terRate, short: bool, n: usize) -> (Vec<i16>, Vec<u8>) {
        let mut seed = 0x1234_5678u32;
        let data: Vec<u8> = (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed & 1) as u8
            })
            .collect();
        let mut tx = V27terTx::new(rate).with_short_train(short);
        let mut it = data.clone().into_iter();
        let mut src = move || it.next();
        let mut out = vec![0i16; 8000 * 4];
        let used = tx.modulate(&mut out, &mut src);
        out.truncate(used);
        (out, data)
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn segment_4_positions_are_found_from_seven_phase_changes() {
        let map = super::rx::conditioning_positions_for_test();
        // Six reversals and the first conditioning symbol (a 0° change) end at index 0.
        assert_eq!(map[0b111_1110], 1);
        assert_eq!(map[0x7f], 0);
        assert!(map.iter().filter(|&&p| p > 0).count() >= SEG4_SHORT_SYMBOLS - 8);
    }

    #[test]
    fn short_training_is_80_symbols_and_reuses_the_long_training() {
        for rate in [V27terRate::R4800, V27terRate::R2400] {
            let (long, data) = burst(rate, false, 2000);
            let (short, _) = burst(rate, true, 2000);
            // Segments 3 + 4 + 5 of the short sequence: 14 + 58 + 8 symbols.
            let sps = 8000.0 / f64::from(rate.baud());
            let extra = long.len() - short.len();
            let long_only =
                (rate.seg1_symbols() + rate.seg2_symbols() + SEG3_SYMBOLS + SEG4_SYMBOLS)
                    - (SEG3_SHORT_SYMBOLS + SEG4_SHORT_SYMBOLS);
            assert!(
                (extra as f64 - long_only as f64 * sps).abs() <= 1.0,
                "{rate:?}: {extra}"
            );

            let mut line = long.clone();
            line.extend(std::iter::repeat_n(0i16, 800));
            let mark = line.len();
            line.extend(&short);
            line.extend(std::iter::repeat_n(0i16, 800));
            let mut rx = V27terRx::new(rate);
            rx.set_auto_short_train(true);
            let mut sink = Sink::default();
            for b in line[..mark].chunks(160) {
                rx.demodulate(b, &mut sink);
            }
            assert_eq!((sink.ok, sink.failed), (1, 0), "{rate:?} long");
            assert!(rx.short_train(), "{rate:?}: auto short not armed");
            let mut sink = Sink::default();
            for b in line[mark..].chunks(160) {
                rx.demodulate(b, &mut sink);
            }
            assert_eq!((sink.ok, sink.failed), (1, 0), "{rate:?} short");
            assert!(
                contains(&sink.bits, &data[40..1960]),
                "{rate:?}: short-trained data not received"
            );
            assert!(rx.signal_quality_db().unwrap_or(0.0) > 20.0);

            // The same at 16 dB SNR (the level where the long training is error-free): both
            // trainings succeed and the short-trained burst's data arrive nearly intact.
            for seed in 1..=4 {
                let mut cfg = telefax_dsp::line::LineConfig::with_snr_db(16.0);
                cfg.seed = seed;
                let noisy = telefax_dsp::line::LineSim::new(&cfg)
                    .unwrap()
                    .process_to_vec(&line);
                let mut rx = V27terRx::new(rate);
                rx.set_auto_short_train(true);
                let mut sink = Sink::default();
                for b in noisy[..mark].chunks(160) {
                    rx.demodulate(b, &mut sink);
                }
                let mut sink = Sink::default();
                for b in noisy[mark..].chunks(160) {
                    rx.demodulate(b, &mut sink);
                }
                assert_eq!((sink.ok, sink.failed), (1, 0), "{rate:?} seed {seed}");
                assert!(
                    contains(&sink.bits, &data[1000..1100]),
                    "{rate:?} seed {seed}: short-trained data not received"
                );
            }

            // Without an earlier training the short sequence still trains on a clean line.
            let mut rx = V27terRx::new(rate);
            rx.set_short_train(true);
            let mut sink = Sink::default();
            rx.demodulate(&short, &mut sink);
            assert_eq!(sink.ok, 1, "{rate:?} short from scratch");
            assert!(contains(&sink.bits, &data[40..1960]));

            // A long-training receiver does not train on the short sequence.
            let mut rx = V27terRx::new(rate);
            let mut sink = Sink::default();
            rx.demodulate(&short, &mut sink);
            assert_eq!(sink.ok, 0, "{rate:?} long receiver on a short training");
        }
    }
}
