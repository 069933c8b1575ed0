//! Checks on received data: the TCF acceptance rule (T.30 §5.3.6.2.9 leaves it to the
//! implementer) and the copy-quality decision MCF/RTP/RTN (T.30 §5.3.6.1.6).

use serde::Serialize;

use crate::fcf::Fcf;

/// How the receiver judges TCF: the longest run of consecutive zero octets must last at
/// least `min_zero_run_ms` at the negotiated rate, and the share of non-zero octets must be
/// at most `max_error_permille`. The default (1000 ms of the 1500 ms, 5%) accepts a TCF
/// whose first or last few hundred ms were lost to training and turn-off, and rejects a
/// line whose errors are spread through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TcfRule {
    /// Minimum longest zero run, in ms of the rate.
    pub min_zero_run_ms: u32,
    /// Maximum non-zero octets per 1000 octets received.
    pub max_error_permille: u32,
}

impl Default for TcfRule {
    fn default() -> Self {
        TcfRule {
            min_zero_run_ms: 1000,
            max_error_permille: 50,
        }
    }
}

/// The receiving modem's own judgement of the line during TCF: the signal quality it
/// measured (equalizer error against its decisions, as an SNR in dB) and the quality the
/// embedder requires at the rate being trained (its receiver's error-free point plus a
/// margin). T.30 §5.3.6.2.9 leaves the TCF verdict to the receiver; a line that delivers
/// 1.5 s of zeros with few errors may still damage a page sent at that rate, so the
/// endpoint asks for both (see [`crate::session::Session::handle_tcf_quality`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineQuality {
    /// The measured signal quality, dB.
    pub measured_db: f32,
    /// The quality required for CFR at this rate, dB.
    pub required_db: f32,
}

impl LineQuality {
    /// Whether the measured quality reaches the required one.
    pub fn acceptable(&self) -> bool {
        self.measured_db >= self.required_db
    }
}

/// Streaming TCF measurement (no buffering).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TcfCheck {
    /// Octets received.
    pub octets: u32,
    /// Non-zero octets received.
    pub nonzero: u32,
    /// Longest run of zero octets.
    pub longest_zero_run: u32,
    run: u32,
}

impl TcfCheck {
    /// Account for received TCF octets.
    pub fn push(&mut self, data: &[u8]) {
        for &b in data {
            self.octets = self.octets.saturating_add(1);
            if b == 0 {
                self.run = self.run.saturating_add(1);
                self.longest_zero_run = self.longest_zero_run.max(self.run);
            } else {
                self.nonzero = self.nonzero.saturating_add(1);
                self.run = 0;
            }
        }
    }

    /// Whether the TCF passes `rule` at `bit_rate`.
    pub fn passes(&self, rule: &TcfRule, bit_rate: u32) -> bool {
        let need = u64::from(bit_rate) * u64::from(rule.min_zero_run_ms) / 8000;
        u64::from(self.longest_zero_run) >= need.max(1)
            && u64::from(self.nonzero) * 1000
                <= u64::from(self.octets) * u64::from(rule.max_error_permille)
    }
}

/// The copy quality of a received non-ECM page, measured by the embedder's T.4 decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct PageQuality {
    /// Rows decoded.
    pub rows: u32,
    /// Rows with a decoding error (repaired or not).
    pub bad_rows: u32,
    /// The longest run of consecutive bad rows.
    pub longest_bad_run: u32,
}

/// Thresholds for the post-message response (T.30 §5.3.6.1.6): MCF when the page is good,
/// RTP when it is acceptable but the line should be retrained, RTN otherwise.
///
/// [`QualityThresholds::default`] is the classic tolerant rule (a few repaired rows are
/// answered MCF); [`QualityThresholds::exact`] accepts only pages without a damaged row,
/// so that a damaged page is sent again after retraining (RTN, T.30 §5.3.6.1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QualityThresholds {
    /// MCF: bad rows at most this per mille of rows ...
    pub mcf_max_bad_permille: u32,
    /// ... and no run of bad rows longer than this.
    pub mcf_max_bad_run: u32,
    /// RTP: bad rows at most this per mille ...
    pub rtp_max_bad_permille: u32,
    /// ... and no run longer than this. Anything worse is RTN.
    pub rtp_max_bad_run: u32,
}

impl Default for QualityThresholds {
    fn default() -> Self {
        QualityThresholds {
            mcf_max_bad_permille: 20,
            mcf_max_bad_run: 4,
            rtp_max_bad_permille: 100,
            rtp_max_bad_run: 16,
        }
    }
}

impl QualityThresholds {
    /// Only a page without a damaged row is confirmed (MCF); any damaged row is answered
    /// RTN, so that the sender retrains (at a lower rate) and sends the page again, until
    /// its retry limit ends the call with the pages received so far kept.
    pub const fn exact() -> Self {
        QualityThresholds {
            mcf_max_bad_permille: 0,
            mcf_max_bad_run: 0,
            rtp_max_bad_permille: 0,
            rtp_max_bad_run: 0,
        }
    }

    /// MCF, RTP or RTN for a page of quality `q` (a page with no rows is RTN).
    pub fn response(&self, q: &PageQuality) -> Fcf {
        if q.rows == 0 {
            return Fcf::Rtn;
        }
        let permille = u64::from(q.bad_rows) * 1000 / u64::from(q.rows);
        if permille <= u64::from(self.mcf_max_bad_permille)
            && q.longest_bad_run <= self.mcf_max_bad_run
        {
            Fcf::Mcf
        } else if permille <= u64::from(self.rtp_max_bad_permille)
            && q.longest_bad_run <= self.rtp_max_bad_run
        {
            Fcf::Rtp
        } else {
            Fcf::Rtn
        }
    }
}

/// Detects RTC (return to control, T.4 §4.1.4: six consecutive EOLs, each followed by a
/// tag bit 1 in MR) in a coded page as it streams in, bits LSB-first per octet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RtcDetector {
    zeros: u32,
    eols: u32,
    ones_since_eol: u32,
    found: bool,
}

impl RtcDetector {
    /// Feed octets; returns true once RTC has been seen (and stays true).
    pub fn push(&mut self, data: &[u8]) -> bool {
        for &b in data {
            if self.found {
                break;
            }
            for i in 0..8 {
                if b & (1 << i) == 0 {
                    self.zeros += 1;
                    continue;
                }
                if self.zeros >= 11 {
                    self.eols += 1;
                    self.ones_since_eol = 0;
                    if self.eols >= 6 {
                        self.found = true;
                        break;
                    }
                } else if self.eols > 0 && self.zeros == 0 && self.ones_since_eol == 0 {
                    // The MR tag bit straight after an EOL.
                    self.ones_since_eol = 1;
                } else {
                    self.eols = 0;
                }
                self.zeros = 0;
            }
        }
        self.found
    }

    /// Whether RTC has been seen.
    pub fn found(&self) -> bool {
        self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits_to_bytes(bits: &[u8]) -> Vec<u8> {
        bits.chunks(8)
            .map(|c| c.iter().enumerate().fold(0u8, |a, (i, b)| a | (b << i)))
            .collect()
    }

    fn eol(tag: Option<u8>) -> Vec<u8> {
        let mut v = vec![0u8; 11];
        v.push(1);
        if let Some(t) = tag {
            v.push(t);
        }
        v
    }

    #[test]
    fn rtc_mh_and_mr_are_found_and_five_eols_are_not() {
        for tag in [None, Some(1)] {
            let mut bits = vec![1, 0, 1, 1, 0];
            for _ in 0..5 {
                bits.extend(eol(tag));
            }
            let mut d = RtcDetector::default();
            assert!(!d.push(&bits_to_bytes(&bits)));
            bits.extend(eol(tag));
            let mut d = RtcDetector::default();
            assert!(d.push(&bits_to_bytes(&bits)));
        }
    }

    #[test]
    fn eols_separated_by_data_are_not_rtc() {
        let mut bits = Vec::new();
        for _ in 0..8 {
            bits.extend(eol(None));
            bits.extend([1, 1, 0, 1]);
        }
        assert!(!RtcDetector::default().push(&bits_to_bytes(&bits)));
    }

    #[test]
    fn tcf_rule() {
        let rule = TcfRule::default();
        let mut c = TcfCheck::default();
        c.push(&vec![0u8; 2700]);
        assert!(c.passes(&rule, 14400));
        let mut c = TcfCheck::default();
        let mut d = vec![0u8; 2700];
        for i in (0..2700).step_by(300) {
            d[i] = 0x10;
        }
        c.push(&d);
        assert!(!c.passes(&rule, 14400));
    }

    #[test]
    fn quality_levels() {
        let t = QualityThresholds::default();
        let q = |bad, run| PageQuality {
            rows: 1000,
            bad_rows: bad,
            longest_bad_run: run,
        };
        assert_eq!(t.response(&q(0, 0)), Fcf::Mcf);
        assert_eq!(t.response(&q(50, 5)), Fcf::Rtp);
        assert_eq!(t.response(&q(300, 40)), Fcf::Rtn);
        assert_eq!(t.response(&PageQuality::default()), Fcf::Rtn);
        let x = QualityThresholds::exact();
        assert_eq!(x.response(&q(0, 0)), Fcf::Mcf);
        assert_eq!(x.response(&q(1, 1)), Fcf::Rtn);
        assert_eq!(t.response(&q(1, 1)), Fcf::Mcf);
    }

    #[test]
    fn line_quality_verdict() {
        let q = |m| LineQuality {
            measured_db: m,
            required_db: 20.0,
        };
        assert!(q(20.5).acceptable());
        assert!(!q(19.5).acceptable());
    }
}
