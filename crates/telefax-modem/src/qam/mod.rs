//! Building blocks shared by the QAM/PSK modems (V.27ter, V.29, and reusable by V.17).
//!
//! Every block is streaming and allocation-free after construction:
//! - [`scrambler`]: the self-synchronising scramblers of V.27ter §2.5 (1 + x^-6 + x^-7 with
//!   its repeated-pattern guard) and of V.29 §2.5 / V.17 §3.2 (1 + x^-18 + x^-23).
//! - [`pulse`]: root-raised-cosine pulse evaluated at any time offset, and the
//!   [`pulse::PulseShaper`] transmit path (symbol-rate complex symbols to an 8 kHz passband
//!   signal, any rational baud/sample ratio).
//! - [`frontend::RxFrontEnd`]: the receive path from 8 kHz samples to matched-filtered
//!   complex baseband at two samples per symbol, with Gardner symbol-timing recovery.
//! - [`equalizer::Equalizer`]: a T/2 fractionally spaced complex LMS equalizer.
//! - [`carrier::CarrierLoop`]: a second-order decision-directed carrier phase/frequency loop.
//! - [`detect::AlternationDetector`]: recognises the period-2 "ABAB" / phase-reversal
//!   segment that opens the training of V.27ter, V.29 and V.17, and rejects noise and tones.
//! - [`constellation::Constellation`]: nearest-point slicing over a small point set.
//! - [`engine::RxEngine`]: the common receiver engine built from the blocks above.
//! - [`level`]: transmit-level helpers (dBm0).
//! - [`simd`]: vectorizable dot products used by the filters and the equalizer.
//!
//! The receivers of V.27ter and V.29 are built as: front end → detector (training start) →
//! amplitude/phase/frequency estimate over the alternation → equalizer + carrier loop trained
//! decision-directed on the known two-point training alphabets → data (decision-directed).
//! None of these blocks does any logging or allocation per sample.

pub mod carrier;
pub mod constellation;
pub mod detect;
pub mod engine;
pub mod equalizer;
pub mod frontend;
pub mod level;
pub mod pulse;
pub mod scrambler;
pub mod simd;

pub use telefax_dsp::Complex32;
