//! Allocation-free DSP building blocks for telefax, and a telephone line simulator.
//!
//! This crate knows nothing about fax: it turns numbers into numbers. Signals at the API are
//! 8000 Hz linear `i16` samples (the G.711 PCM domain) or `f32` inside the blocks.
//!
//! Levels follow the ITU-T G.711 convention used throughout telefax: **0 dBm0** is the
//! reference level of ITU-T G.711 (Table 5 / Table 6 give the digital milliwatt), at which a
//! sine wave has a peak of about 22 826 in `i16` units; a full-scale `i16` sine (peak 32 767)
//! is **+3.14 dBm0** (3.14 dBov). See [`power`].
//!
//! Blocks:
//! - [`complex::Complex32`]: a small complex type.
//! - [`fir`]: FIR filters with real or complex taps; [`biquad`]: second-order IIR sections.
//! - [`design`]: windowed-sinc low/band-pass, root-raised-cosine, Hilbert and frequency-sampling
//!   filter designs.
//! - [`nco::Nco`]: numerically controlled oscillator with a 32-bit phase accumulator.
//! - [`agc::Agc`], [`power::PowerMeter`], [`goertzel::Goertzel`], [`dc::DcBlocker`].
//! - [`interp`]: cubic (Farrow) fractional interpolation for timing recovery and resampling.
//! - [`g711`]: ITU-T G.711 A-law and µ-law codecs.
//! - [`noise`]: a seeded, reproducible Gaussian noise source.
//! - [`line`](mod@line): the line simulator every modem test runs through.
//!
//! ```
//! use telefax_dsp::line::{LineConfig, LineSim};
//! let cfg = LineConfig { noise_dbm0: Some(-40.0), seed: 7, ..LineConfig::default() };
//! let mut line = LineSim::new(&cfg).unwrap();
//! let input = vec![1000i16; 800];
//! let mut output = Vec::new();
//! line.process(&input, &mut output);
//! assert_eq!(output.len(), 800);
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod agc;
pub mod biquad;
pub mod complex;
pub mod dc;
pub mod design;
pub mod error;
pub mod fir;
pub mod g711;
pub mod goertzel;
pub mod interp;
pub mod line;
pub mod nco;
pub mod noise;
pub mod power;

pub use complex::Complex32;
pub use error::DspError;

/// The sample rate of every signal in telefax (ITU-T G.711), in Hz.
pub const SAMPLE_RATE: f32 = 8000.0;
