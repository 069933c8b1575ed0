//! A telephone line simulator: the channel every telefax modem and call test runs through.
//!
//! Streaming, seeded and reproducible: the same [`LineConfig`] (including `seed`) and the same
//! input give bit-identical output, whatever the block sizes. The processing chain, in order:
//!
//! 1. band-limiting / tilt filter ([`LineConfig::band_limit`], [`LineConfig::tilt_db`]),
//! 2. carrier frequency offset (analytic signal by a Hilbert transformer, then a complex
//!    rotation: every component moves by [`LineConfig::freq_offset_hz`]),
//! 3. echo (a delayed, attenuated copy added to the signal),
//! 4. attenuation ([`LineConfig::atten_db`]),
//! 5. sample-clock offset ([`LineConfig::clock_ppm`], windowed-sinc resampling),
//! 6. white Gaussian noise at [`LineConfig::noise_dbm0`] (flat over 0–4 kHz),
//! 7. dropouts (output samples forced to zero),
//! 8. clipping to `i16`, then an optional G.711 A-law or µ-law round trip.
//!
//! **SNR convention of telefax:** signal power over noise power across the whole 0–4 kHz
//! band, with the signal at -13 dBm0 unless said otherwise, so "SNR = S dB" means noise at
//! `-13 - S` dBm0 ([`LineConfig::with_snr_db`]). Levels follow [`crate::power`].
//!
//! ```
//! use telefax_dsp::line::{Codec, LineConfig, LineSim};
//! let cfg = LineConfig {
//!     atten_db: 10.0,
//!     freq_offset_hz: 7.0,
//!     clock_ppm: 100.0,
//!     codec: Codec::ALaw,
//!     ..LineConfig::with_snr_db(20.0)
//! };
//! let mut line = LineSim::new(&cfg).unwrap();
//! let mut out = Vec::new();
//! line.process(&vec![0i16; 10_000], &mut out);
//! assert!(out.len() <= 10_000 && out.len() >= 9_999); // 100 ppm fewer samples
//! ```
use crate::design;
use crate::error::{check, DspError};
use crate::fir::Fir;
use crate::g711;
use crate::interp::SincResampler;
use crate::nco::Nco;
use crate::noise::Awgn;
use crate::power::dbm0_to_rms;
use crate::SAMPLE_RATE;

const HILBERT_TAPS: usize = 63;

/// The signal level the SNR convention assumes, in dBm0.
pub const REFERENCE_SIGNAL_DBM0: f32 = -13.0;

/// G.711 companding applied at the end of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Codec {
    /// Linear 16-bit (no companding).
    #[default]
    Linear,
    /// G.711 A-law round trip.
    ALaw,
    /// G.711 µ-law round trip.
    ULaw,
}

/// An echo path: a delayed copy of the signal added at a relative level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Echo {
    /// Delay in milliseconds (0..=2000).
    pub delay_ms: f32,
    /// Level of the echo relative to the direct signal, in dB (e.g. -20.0).
    pub level_db: f32,
}

/// A stretch of output samples replaced by silence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropout {
    /// First output sample of the dropout.
    pub start: u64,
    /// Number of samples.
    pub len: u64,
}

/// Line simulator settings. `LineConfig::default()` is a perfect line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineConfig {
    /// Attenuation in dB (negative values amplify).
    pub atten_db: f32,
    /// White Gaussian noise level in dBm0 over 0–4 kHz; `None` for no noise.
    pub noise_dbm0: Option<f32>,
    /// Carrier frequency offset in Hz (-200..=200).
    pub freq_offset_hz: f32,
    /// Sample-clock offset of the far end in parts per million (-1000..=1000). Positive: the
    /// far end's clock is fast, so its signal arrives with fewer samples per sender second
    /// (`1 + ppm·10⁻⁶` input samples per output sample) and its frequencies appear higher.
    pub clock_ppm: f32,
    /// Echo path, if any.
    pub echo: Option<Echo>,
    /// Band-limit to the telephone band, 300–3400 Hz (ITU-T G.712 style pass band).
    pub band_limit: bool,
    /// Amplitude tilt: extra attenuation at 3000 Hz relative to 1000 Hz, in dB, linear in
    /// frequency (a crude loaded-cable slope). 0 for none.
    pub tilt_db: f32,
    /// G.711 round trip.
    pub codec: Codec,
    /// Dropouts, in output samples.
    pub dropouts: Vec<Dropout>,
    /// Noise seed.
    pub seed: u64,
}

impl Default for LineConfig {
    fn default() -> Self {
        Self {
            atten_db: 0.0,
            noise_dbm0: None,
            freq_offset_hz: 0.0,
            clock_ppm: 0.0,
            echo: None,
            band_limit: false,
            tilt_db: 0.0,
            codec: Codec::Linear,
            dropouts: Vec::new(),
            seed: 1,
        }
    }
}

impl LineConfig {
    /// A line adding noise at `snr_db` below the reference signal level of -13 dBm0
    /// (noise at `-13 - snr_db` dBm0), otherwise perfect.
    pub fn with_snr_db(snr_db: f32) -> Self {
        Self {
            noise_dbm0: Some(REFERENCE_SIGNAL_DBM0 - snr_db),
            ..Self::default()
        }
    }
}

/// The line simulator (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct LineSim {
    filter: Option<Fir>,
    hilbert: Option<(Fir, Vec<f32>, usize, Nco)>,
    echo: Option<(Vec<f32>, usize, f32)>,
    gain: f32,
    resampler: Option<SincResampler>,
    noise: Option<Awgn>,
    dropouts: Vec<Dropout>,
    codec: Codec,
    out_count: u64,
}

impl LineSim {
    /// A simulator for `config`; rejects out-of-range settings.
    pub fn new(config: &LineConfig) -> Result<Self, DspError> {
        let c = config;
        check(
            c.atten_db.is_finite() && (-60.0..=120.0).contains(&c.atten_db),
            "atten_db",
            c.atten_db as f64,
            "must be within -60..=120",
        )?;
        if let Some(n) = c.noise_dbm0 {
            check(
                n.is_finite() && n <= 10.0,
                "noise_dbm0",
                n as f64,
                "must be finite and <= 10",
            )?;
        }
        check(
            c.freq_offset_hz.is_finite() && c.freq_offset_hz.abs() <= 200.0,
            "freq_offset_hz",
            c.freq_offset_hz as f64,
            "must be within -200..=200",
        )?;
        check(
            c.clock_ppm.is_finite() && c.clock_ppm.abs() <= 1000.0,
            "clock_ppm",
            c.clock_ppm as f64,
            "must be within -1000..=1000",
        )?;
        check(
            c.tilt_db.is_finite() && c.tilt_db.abs() <= 30.0,
            "tilt_db",
            c.tilt_db as f64,
            "must be within -30..=30",
        )?;
        let filter = if c.band_limit || c.tilt_db != 0.0 {
            let band = c.band_limit;
            let tilt = c.tilt_db;
            let taps = design::frequency_sampling(65, SAMPLE_RATE, move |f| {
                let mut g_db = -tilt * (f - 1000.0) / 2000.0;
                if band && !(300.0..=3400.0).contains(&f) {
                    g_db -= 40.0;
                }
                10f32.powf(g_db / 20.0)
            })?;
            Some(Fir::new(&taps))
        } else {
            None
        };
        let hilbert = if c.freq_offset_hz != 0.0 {
            let taps = design::hilbert(HILBERT_TAPS)?;
            Some((
                Fir::new(&taps),
                // The in-phase path is delayed by the Hilbert filter's group delay.
                vec![0.0; HILBERT_TAPS / 2],
                0,
                Nco::new(c.freq_offset_hz, SAMPLE_RATE),
            ))
        } else {
            None
        };
        let echo = match c.echo {
            Some(e) => {
                check(
                    e.delay_ms.is_finite() && (0.125..=2000.0).contains(&e.delay_ms),
                    "echo.delay_ms",
                    e.delay_ms as f64,
                    "must be within 0.125..=2000",
                )?;
                check(
                    e.level_db.is_finite() && e.level_db <= 0.0,
                    "echo.level_db",
                    e.level_db as f64,
                    "must be <= 0",
                )?;
                let d = (e.delay_ms * SAMPLE_RATE / 1000.0).round().max(1.0) as usize;
                Some((vec![0.0; d], 0, 10f32.powf(e.level_db / 20.0)))
            }
            None => None,
        };
        let resampler = if c.clock_ppm != 0.0 {
            Some(SincResampler::new(1.0 + c.clock_ppm as f64 * 1e-6))
        } else {
            None
        };
        let noise = c.noise_dbm0.map(|n| Awgn::new(c.seed, dbm0_to_rms(n)));
        let mut dropouts = c.dropouts.clone();
        dropouts.sort_by_key(|d| d.start);
        Ok(Self {
            filter,
            hilbert,
            echo,
            gain: 10f32.powf(-c.atten_db / 20.0),
            resampler,
            noise,
            dropouts,
            codec: c.codec,
            out_count: 0,
        })
    }

    /// Number of output samples produced so far.
    pub fn output_samples(&self) -> u64 {
        self.out_count
    }

    /// Pass `input` through the line, appending the output to `out` (about one output per
    /// input sample; exactly one when `clock_ppm` is 0). `out` only grows when its capacity
    /// is exceeded, so reusing one buffer makes this allocation-free.
    pub fn process(&mut self, input: &[i16], out: &mut Vec<i16>) {
        for &s in input {
            self.push(s, |y| out.push(y));
        }
    }

    /// Convenience: the whole output for `input` as a new vector (allocates).
    pub fn process_to_vec(&mut self, input: &[i16]) -> Vec<i16> {
        let mut out = Vec::with_capacity(input.len() + input.len() / 100 + 4);
        self.process(input, &mut out);
        out
    }

    /// Pass one sample; `emit` receives each output sample (zero, one or, with a clock
    /// offset, occasionally two).
    pub fn push(&mut self, sample: i16, mut emit: impl FnMut(i16)) {
        let mut x = sample as f32;
        if let Some(f) = self.filter.as_mut() {
            x = f.filter(x);
        }
        if let Some((h, delay, pos, nco)) = self.hilbert.as_mut() {
            let q = h.filter(x);
            let i = delay[*pos];
            delay[*pos] = x;
            *pos = (*pos + 1) % delay.len();
            x = nco.upmix(crate::Complex32::new(i, q));
        }
        if let Some((buf, pos, g)) = self.echo.as_mut() {
            let e = buf[*pos];
            buf[*pos] = x;
            *pos = (*pos + 1) % buf.len();
            x += *g * e;
        }
        x *= self.gain;
        match self.resampler.as_mut() {
            Some(r) => {
                let mut tmp = [0.0f32; 4];
                let mut n = 0;
                r.push(x, |y| {
                    if n < tmp.len() {
                        tmp[n] = y;
                        n += 1;
                    }
                });
                for &y in &tmp[..n] {
                    let v = self.finish(y);
                    emit(v);
                }
            }
            None => {
                let v = self.finish(x);
                emit(v);
            }
        }
    }

    fn finish(&mut self, mut y: f32) -> i16 {
        if let Some(n) = self.noise.as_mut() {
            y += n.sample();
        }
        let idx = self.out_count;
        self.out_count += 1;
        while let Some(d) = self.dropouts.first() {
            if idx >= d.start.saturating_add(d.len) {
                self.dropouts.remove(0);
            } else {
                break;
            }
        }
        if let Some(d) = self.dropouts.first() {
            if idx >= d.start {
                y = 0.0;
            }
        }
        let v = y.round().clamp(-32768.0, 32767.0) as i16;
        match self.codec {
            Codec::Linear => v,
            Codec::ALaw => g711::alaw_round_trip(v),
            Codec::ULaw => g711::ulaw_round_trip(v),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::power::{block_dbm0, dbm0_to_sine_peak};

    fn tone(f: f32, dbm0: f32, n: usize) -> Vec<i16> {
        let a = dbm0_to_sine_peak(dbm0);
        (0..n)
            .map(|i| (a * (2.0 * core::f32::consts::PI * f * i as f32 / 8000.0).sin()) as i16)
            .collect()
    }

    fn peak_freq(x: &[i16]) -> f32 {
        // Coarse search by Goertzel over 1 Hz steps around 1000 Hz.
        let mut best = (0.0, 0.0);
        for k in 0..200 {
            let f = 900.0 + k as f32;
            let mut g = crate::goertzel::Goertzel::new(f, 8000.0, x.len());
            let mut p = 0.0;
            for &s in x {
                if let Some(v) = g.push(s as f32) {
                    p = v;
                }
            }
            if p > best.1 {
                best = (f, p);
            }
        }
        best.0
    }

    #[test]
    fn noise_level_and_reproducibility() {
        let cfg = LineConfig::with_snr_db(10.0);
        let out = LineSim::new(&cfg).unwrap().process_to_vec(&vec![0; 80_000]);
        assert!(
            (block_dbm0(&out) + 23.0).abs() < 0.1,
            "{}",
            block_dbm0(&out)
        );
        let again = LineSim::new(&cfg).unwrap().process_to_vec(&vec![0; 80_000]);
        assert_eq!(out, again);
        let other = LineSim::new(&LineConfig { seed: 2, ..cfg })
            .unwrap()
            .process_to_vec(&vec![0; 80_000]);
        assert_ne!(out, other);
    }

    #[test]
    fn attenuation_and_frequency_offset() {
        let x = tone(1000.0, -13.0, 16000);
        let cfg = LineConfig {
            atten_db: 10.0,
            freq_offset_hz: 37.0,
            ..LineConfig::default()
        };
        let y = LineSim::new(&cfg).unwrap().process_to_vec(&x);
        assert!((block_dbm0(&y[100..]) + 23.0).abs() < 0.2);
        assert_eq!(peak_freq(&y[100..]), 1037.0);
        // No image at 1000 - 37 Hz: the shifted tone is clean.
        let mut g = crate::goertzel::Goertzel::new(963.0, 8000.0, 8000);
        let mut img = 0.0;
        for &s in &y[200..8200] {
            if let Some(p) = g.push(s as f32) {
                img = p;
            }
        }
        let sig = crate::power::dbm0_to_power(-23.0);
        assert!(img < sig * 1e-4, "image {} dB", 10.0 * (img / sig).log10());
    }

    #[test]
    fn clock_offset_changes_length_and_frequency() {
        let x = tone(1000.0, -13.0, 80_000);
        let cfg = LineConfig {
            clock_ppm: 1000.0,
            ..LineConfig::default()
        };
        let y = LineSim::new(&cfg).unwrap().process_to_vec(&x);
        assert!((y.len() as i64 - 79_920).abs() <= 1, "{}", y.len());
        assert_eq!(peak_freq(&y[100..]), 1001.0);
    }

    #[test]
    fn block_size_does_not_matter() {
        let x = tone(1300.0, -10.0, 5000);
        let cfg = LineConfig {
            clock_ppm: -300.0,
            freq_offset_hz: -5.0,
            echo: Some(Echo {
                delay_ms: 20.0,
                level_db: -10.0,
            }),
            band_limit: true,
            tilt_db: 6.0,
            codec: Codec::ULaw,
            dropouts: vec![Dropout {
                start: 1000,
                len: 100,
            }],
            ..LineConfig::with_snr_db(30.0)
        };
        let whole = LineSim::new(&cfg).unwrap().process_to_vec(&x);
        let mut sim = LineSim::new(&cfg).unwrap();
        let mut pieces = Vec::new();
        for chunk in x.chunks(37) {
            sim.process(chunk, &mut pieces);
        }
        assert_eq!(whole, pieces);
        assert!(whole[1000..1100].iter().all(|&s| s == 0));
    }

    #[test]
    fn band_limit_and_tilt() {
        let cfg = LineConfig {
            band_limit: true,
            tilt_db: 6.0,
            ..LineConfig::default()
        };
        let lo = LineSim::new(&cfg)
            .unwrap()
            .process_to_vec(&tone(1000.0, -13.0, 8000));
        let hi = LineSim::new(&cfg)
            .unwrap()
            .process_to_vec(&tone(3000.0, -13.0, 8000));
        let stop = LineSim::new(&cfg)
            .unwrap()
            .process_to_vec(&tone(3800.0, -13.0, 8000));
        let (l, h, s) = (
            block_dbm0(&lo[100..]),
            block_dbm0(&hi[100..]),
            block_dbm0(&stop[100..]),
        );
        assert!((l + 13.0).abs() < 0.5, "{l}");
        assert!((h - l + 6.0).abs() < 0.7, "{h}");
        assert!(s < -40.0, "{s}");
        assert!(LineSim::new(&LineConfig {
            clock_ppm: 5000.0,
            ..LineConfig::default()
        })
        .is_err());
    }
}
