//! Fax call tones (ITU-T T.30 §4.1): CNG, the calling tone (1100 Hz ± 38 Hz, 0.5 s on,
//! 3 s off), and CED, the called station identification (2100 Hz ± 15 Hz, 2.6 to 4.0 s);
//! generators and detectors.
//!
//! The detectors measure, in 10 ms blocks, the share of the signal power that falls in a
//! ±110 Hz band around the tone frequency (a band-pass biquad) and the in-band level. A
//! block counts as "tone" when at least 80 % of the power is in band and the in-band level is
//! above -46 dBm0 (so tones down to -43 dBm0 are found). Timing then separates fax tones
//! from speech, music, DTMF and modem signals:
//! - CNG is reported when a burst ends after 0.35 to 0.75 s of tone;
//! - CED is reported once the tone has lasted 1 s (a sung or played note rarely holds a
//!   pure 2100 Hz that long), and its end when it stops.
//!
//! ```
//! use telefax_modem::tones::{ToneDetector, ToneGenerator, ToneKind, ToneState};
//! let mut gen = ToneGenerator::ced(-13.0, 3.0);
//! let mut audio = vec![0i16; 32_000];
//! let n = gen.fill(&mut audio);
//! assert_eq!(n, 24_000);
//! let mut det = ToneDetector::new(ToneKind::Ced);
//! let mut events = Vec::new();
//! det.process(&audio, |e| events.push(e));
//! assert_eq!(events[0].kind, ToneKind::Ced);
//! assert_eq!(events[0].state, ToneState::Detected);
//! assert_eq!(events[1].state, ToneState::Ended);
//! ```
use telefax_dsp::biquad::Biquad;
use telefax_dsp::nco::Nco;
use telefax_dsp::power::{dbm0_to_power, dbm0_to_sine_peak, FULL_SCALE_SINE_DBM0};

/// CNG frequency, Hz (T.30 §4.1.1).
pub const CNG_HZ: f32 = 1100.0;
/// CNG on time, seconds (T.30 §4.1.1).
pub const CNG_ON_S: f32 = 0.5;
/// CNG off time, seconds (T.30 §4.1.1).
pub const CNG_OFF_S: f32 = 3.0;
/// CED frequency, Hz (T.30 §4.1.2).
pub const CED_HZ: f32 = 2100.0;
/// Shortest CED, seconds (T.30 §4.1.2).
pub const CED_MIN_S: f32 = 2.6;
/// Longest CED, seconds (T.30 §4.1.2).
pub const CED_MAX_S: f32 = 4.0;

const FS: f32 = 8000.0;
/// Detector block length (10 ms).
const BLOCK: usize = 80;

/// Which tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToneKind {
    /// Calling tone, 1100 Hz.
    Cng,
    /// Called station identification, 2100 Hz.
    Ced,
}

impl ToneKind {
    /// Nominal frequency in Hz.
    pub fn freq_hz(self) -> f32 {
        match self {
            ToneKind::Cng => CNG_HZ,
            ToneKind::Ced => CED_HZ,
        }
    }
}

/// A tone generator: CNG with its cadence (endless) or one CED burst.
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    nco: Nco,
    amp: f32,
    on: u64,
    off: u64,
    repeat: bool,
    pos: u64,
}

impl ToneGenerator {
    /// CNG at `level_dbm0`: 0.5 s of 1100 Hz, 3 s of silence, repeated.
    pub fn cng(level_dbm0: f32) -> Self {
        Self::custom(CNG_HZ, level_dbm0, CNG_ON_S, CNG_OFF_S, true)
    }
    /// CED at `level_dbm0` lasting `seconds` (clamped to T.30's 2.6..=4.0 s).
    pub fn ced(level_dbm0: f32, seconds: f32) -> Self {
        let s = seconds.clamp(CED_MIN_S, CED_MAX_S);
        Self::custom(CED_HZ, level_dbm0, s, 0.0, false)
    }
    /// Any tone: `on_s` seconds of tone, `off_s` of silence, repeated or once.
    pub fn custom(freq_hz: f32, level_dbm0: f32, on_s: f32, off_s: f32, repeat: bool) -> Self {
        Self {
            nco: Nco::new(freq_hz, FS),
            amp: dbm0_to_sine_peak(level_dbm0.clamp(-90.0, FULL_SCALE_SINE_DBM0)),
            on: (on_s.max(0.0) * FS) as u64,
            off: (off_s.max(0.0) * FS) as u64,
            repeat,
            pos: 0,
        }
    }
    /// Fill `out`; returns the samples written (fewer only when a single burst has ended).
    pub fn fill(&mut self, out: &mut [i16]) -> usize {
        let period = self.on + self.off;
        for (i, o) in out.iter_mut().enumerate() {
            let p = if self.repeat && period > 0 {
                self.pos % period
            } else {
                self.pos
            };
            if !self.repeat && p >= self.on {
                return i;
            }
            *o = if p < self.on {
                (self.nco.next_sample().im * self.amp) as i16
            } else {
                0
            };
            self.pos += 1;
        }
        out.len()
    }
}

/// Whether a tone was found or has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToneState {
    /// The tone is recognised.
    Detected,
    /// A recognised tone stopped.
    Ended,
}

/// A detector report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToneEvent {
    /// Which tone.
    pub kind: ToneKind,
    /// Detected or ended.
    pub state: ToneState,
    /// Sample count (since the detector started) at which the tone began.
    pub start_sample: u64,
    /// Tone duration so far, in samples.
    pub duration: u64,
}

/// How long a 2100 Hz tone must last before it is reported as CED, ms.
pub const CED_DETECT_MS: u32 = 1000;
/// Smallest share of the block power in the tone's band.
const PURITY: f32 = 0.8;
/// Lowest in-band level, dBm0.
const MIN_LEVEL_DBM0: f32 = -46.0;

/// A CNG or CED detector (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct ToneDetector {
    kind: ToneKind,
    bp: Biquad,
    e_in: f32,
    e_bp: f32,
    n: usize,
    samples: u64,
    run_blocks: u32,
    run_start: u64,
    gap_blocks: u32,
    reported: bool,
    min_power: f32,
}

impl ToneDetector {
    /// A detector for `kind`.
    pub fn new(kind: ToneKind) -> Self {
        let f = kind.freq_hz();
        Self {
            kind,
            bp: Biquad::bandpass(f, f / 220.0, FS).expect("fixed valid design"),
            e_in: 0.0,
            e_bp: 0.0,
            n: 0,
            samples: 0,
            run_blocks: 0,
            run_start: 0,
            gap_blocks: 0,
            reported: false,
            min_power: dbm0_to_power(MIN_LEVEL_DBM0) * BLOCK as f32,
        }
    }

    /// Forget the current state.
    pub fn reset(&mut self) {
        *self = Self::new(self.kind);
    }

    /// Whether a tone is being heard now (CED: recognised and still on).
    pub fn tone_on(&self) -> bool {
        self.reported
    }

    fn blocks_ms(ms: u32) -> u32 {
        ms * (FS as u32 / 1000) / BLOCK as u32
    }

    fn block_done(&mut self, emit: &mut impl FnMut(ToneEvent)) {
        let tone = self.e_bp > self.min_power && self.e_bp > PURITY * self.e_in;
        let block_start = self.samples - BLOCK as u64;
        if tone {
            if self.run_blocks == 0 {
                self.run_start = block_start;
            }
            self.run_blocks += 1 + self.gap_blocks;
            self.gap_blocks = 0;
            if self.kind == ToneKind::Ced
                && !self.reported
                && self.run_blocks >= Self::blocks_ms(CED_DETECT_MS)
            {
                self.reported = true;
                tracing::debug!("CED detected");
                emit(ToneEvent {
                    kind: self.kind,
                    state: ToneState::Detected,
                    start_sample: self.run_start,
                    duration: self.run_blocks as u64 * BLOCK as u64,
                });
            }
        } else if self.run_blocks > 0 {
            // Bridge a single bad block (noise burst) inside a tone.
            self.gap_blocks += 1;
            if self.gap_blocks > 1 {
                let dur = self.run_blocks as u64 * BLOCK as u64;
                match self.kind {
                    ToneKind::Cng => {
                        if (Self::blocks_ms(350)..=Self::blocks_ms(750)).contains(&self.run_blocks)
                        {
                            tracing::debug!("CNG detected");
                            emit(ToneEvent {
                                kind: self.kind,
                                state: ToneState::Detected,
                                start_sample: self.run_start,
                                duration: dur,
                            });
                        }
                    }
                    ToneKind::Ced => {
                        if self.reported {
                            tracing::debug!("CED ended");
                            emit(ToneEvent {
                                kind: self.kind,
                                state: ToneState::Ended,
                                start_sample: self.run_start,
                                duration: dur,
                            });
                        }
                    }
                }
                self.run_blocks = 0;
                self.gap_blocks = 0;
                self.reported = false;
            }
        }
    }

    /// Process samples; `emit` receives each event as it happens.
    pub fn process(&mut self, samples: &[i16], mut emit: impl FnMut(ToneEvent)) {
        for &s in samples {
            let x = s as f32;
            let y = self.bp.filter(x);
            self.e_in += x * x;
            self.e_bp += y * y;
            self.n += 1;
            self.samples += 1;
            if self.n == BLOCK {
                self.block_done(&mut emit);
                self.e_in = 0.0;
                self.e_bp = 0.0;
                self.n = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(kind: ToneKind, audio: &[i16]) -> Vec<ToneEvent> {
        let mut d = ToneDetector::new(kind);
        let mut ev = Vec::new();
        d.process(audio, |e| ev.push(e));
        ev
    }

    #[test]
    fn cng_cadence_detected_each_burst_and_not_as_ced() {
        let mut g = ToneGenerator::cng(-43.0);
        let mut audio = vec![0i16; 8000 * 8];
        assert_eq!(g.fill(&mut audio), audio.len());
        let ev = detect(ToneKind::Cng, &audio);
        assert_eq!(ev.len(), 3, "{ev:?}"); // bursts at 0, 3.5, 7.0 s
        assert!(ev.iter().all(|e| e.state == ToneState::Detected));
        assert!(detect(ToneKind::Ced, &audio).is_empty());
    }

    #[test]
    fn continuous_1100_is_not_cng() {
        let mut g = ToneGenerator::custom(1100.0, -13.0, 3.0, 0.0, false);
        let mut audio = vec![0i16; 8000 * 4];
        g.fill(&mut audio);
        assert!(detect(ToneKind::Cng, &audio).is_empty());
    }

    #[test]
    fn ced_frequency_tolerance_and_level() {
        for f in [2085.0, 2115.0] {
            for level in [-6.0, -43.0] {
                let mut g = ToneGenerator::custom(f, level, 3.0, 0.0, false);
                let mut audio = vec![0i16; 8000 * 4];
                g.fill(&mut audio);
                let ev = detect(ToneKind::Ced, &audio);
                assert_eq!(ev.len(), 2, "{f} Hz {level} dBm0: {ev:?}");
                assert!((ev[1].duration as i64 - 24_000).abs() <= 400);
            }
        }
        let mut g = ToneGenerator::custom(2100.0, -50.0, 3.0, 0.0, false);
        let mut audio = vec![0i16; 8000 * 4];
        g.fill(&mut audio);
        assert!(detect(ToneKind::Ced, &audio).is_empty());
    }
}
