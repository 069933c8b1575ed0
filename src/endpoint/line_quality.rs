//! The receiver's measure of the line during TCF (T.30 §5.3.6.2.9), for the training check.
//!
//! A TCF of 1.5 s of zeros that arrives with few errors shows the line works at the rate, not
//! that it works with margin: a page of a few hundred thousand bits sent where the modem is
//! on the edge of its error-free range comes out with damaged rows. So the receiver also
//! measures its own signal quality over the TCF (the equalizer's decision error, as an SNR in
//! dB, from [`telefax_modem::Demodulator::signal_quality_db`]) and compares it with the
//! quality at which its receiver is error-free at that rate plus a margin
//! ([`required_quality_db`]). A rate that falls short is refused with FTT and the sender
//! steps down (T.30 §5.3.2.1).

use telefax_t30::capabilities::FastModem;

/// Steps (10 ms each) after training before the quality is sampled: the equalizer and the
/// decision-error average settle from the training sequence to data.
const SETTLE_STEPS: u32 = 10;

/// Steps of TCF data (1.5 s, T.30 §5.3.6.2.9): later figures are not TCF (a receiver that
/// misses the end of the carrier on a noisy line measures noise after it).
const TCF_STEPS: u32 = 150;

/// Steps by which the samples are delayed before they count, so that the turn-off of the
/// TCF carrier (the last symbols before the receiver notices the carrier has gone) does not
/// count as line noise.
const DELAY_STEPS: usize = 10;

/// The decision-error SNR (dB) our receivers measure over TCF where a page at that rate
/// comes through without a damaged row on an AWGN line: for each rate, the lowest figure at
/// which 600-row pages over four seeds arrived exact, in 1 dB steps of line SNR (V.17,
/// V.29, V.27 ter; the error-free points agree with the BER sweep in README; V.17 7200 and
/// V.27 ter 2400 from that sweep). [`required_quality_db`] adds the configured margin.
pub fn error_free_quality_db(modem: FastModem) -> f32 {
    match modem {
        FastModem::V17_14400 => 23.5,
        FastModem::V17_12000 => 20.5,
        FastModem::V17_9600 => 17.5,
        FastModem::V17_7200 => 14.0,
        FastModem::V29_9600 => 21.0,
        FastModem::V29_7200 => 18.0,
        FastModem::V27ter4800 => 19.0,
        FastModem::V27ter2400 => 13.0,
    }
}

/// The quality required for CFR at `modem`: the error-free point plus `margin_db`.
pub fn required_quality_db(modem: FastModem, margin_db: f32) -> f32 {
    error_free_quality_db(modem) + margin_db
}

/// Averages the receiver's quality figure over a TCF: the mean decision-error power
/// (linear, so that bad moments weigh fully) over the data part, without its first
/// [`SETTLE_STEPS`] and its last [`DELAY_STEPS`] steps, and nothing after [`TCF_STEPS`].
/// Fixed size, no allocation.
#[derive(Debug, Clone, Default)]
pub(super) struct TcfMeter {
    /// Steps seen since training.
    steps: u32,
    /// Error ratios (noise over signal, linear) of the last [`DELAY_STEPS`] steps.
    ring: [f32; DELAY_STEPS],
    head: usize,
    filled: usize,
    sum: f64,
    count: u32,
}

impl TcfMeter {
    /// Forget everything (a new TCF).
    pub(super) fn reset(&mut self) {
        *self = TcfMeter::default();
    }

    /// One step of data with the receiver's current figure `quality_db`.
    pub(super) fn push(&mut self, quality_db: f32) {
        self.steps = self.steps.saturating_add(1);
        if self.steps <= SETTLE_STEPS || self.steps > TCF_STEPS || !quality_db.is_finite() {
            return;
        }
        let ratio = 10f32.powf(-quality_db / 10.0);
        if self.filled == DELAY_STEPS {
            self.sum += f64::from(self.ring[self.head]);
            self.count += 1;
        } else {
            self.filled += 1;
        }
        self.ring[self.head] = ratio;
        self.head = (self.head + 1) % DELAY_STEPS;
    }

    /// The mean quality in dB so far, once anything counts.
    pub(super) fn mean_db(&self) -> Option<f32> {
        (self.count > 0).then(|| {
            let mean = self.sum / f64::from(self.count);
            (-10.0 * mean.max(1e-12).log10()) as f32
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meter_skips_settling_and_the_tail() {
        let mut m = TcfMeter::default();
        for _ in 0..SETTLE_STEPS {
            m.push(0.0);
        }
        for _ in 0..DELAY_STEPS {
            m.push(30.0);
        }
        assert_eq!(m.mean_db(), None);
        for _ in 0..50 {
            m.push(30.0);
        }
        // The last DELAY_STEPS samples (the carrier's turn-off) do not count yet.
        for _ in 0..DELAY_STEPS {
            m.push(-10.0);
        }
        assert!((m.mean_db().unwrap() - 30.0).abs() < 0.01);
        m.push(-10.0);
        assert!(m.mean_db().unwrap() < 30.0);
        m.reset();
        assert_eq!(m.mean_db(), None);
    }

    #[test]
    fn nothing_after_the_tcf_counts() {
        let mut m = TcfMeter::default();
        for _ in 0..TCF_STEPS {
            m.push(25.0);
        }
        let q = m.mean_db().unwrap();
        for _ in 0..200 {
            m.push(3.0);
        }
        assert_eq!(m.mean_db(), Some(q));
    }

    #[test]
    fn mean_is_taken_on_error_power() {
        let mut m = TcfMeter::default();
        for i in 0..(SETTLE_STEPS as usize + DELAY_STEPS + 100) {
            m.push(if i % 2 == 0 { 20.0 } else { 30.0 });
        }
        // Mean of 0.01 and 0.001 is 0.0055: 22.6 dB, not the 25 dB of the mean of the dBs.
        let q = m.mean_db().unwrap();
        assert!((q - 22.6).abs() < 0.1, "{q}");
    }

    #[test]
    fn requirements_fall_with_the_rate() {
        for w in FastModem::FALLBACK_ORDER[..4].windows(2) {
            assert!(error_free_quality_db(w[0]) > error_free_quality_db(w[1]));
        }
        assert_eq!(
            required_quality_db(FastModem::V29_9600, 2.0),
            error_free_quality_db(FastModem::V29_9600) + 2.0
        );
    }
}
