//! Transmit levels.
//!
//! Levels are in dBm0 (ITU-T G.711: a full-scale `i16` sine is +3.14 dBm0); fax modems send
//! at -13 dBm0 unless configured otherwise (the usual T.30 / PSTN setting).

/// The default transmit level of the fax modems, in dBm0.
pub const DEFAULT_TX_LEVEL_DBM0: f32 = -13.0;

/// Lowest and highest transmit levels we accept, in dBm0 (requests are clamped).
pub const TX_LEVEL_RANGE_DBM0: (f32, f32) = (-60.0, 0.0);

/// The passband RMS (in `i16` units) of a signal at `dbm0`, after clamping to
/// [`TX_LEVEL_RANGE_DBM0`].
pub fn tx_rms(dbm0: f32) -> f32 {
    let l = if dbm0.is_nan() {
        DEFAULT_TX_LEVEL_DBM0
    } else {
        dbm0
    };
    telefax_dsp::power::dbm0_to_rms(l.clamp(TX_LEVEL_RANGE_DBM0.0, TX_LEVEL_RANGE_DBM0.1))
}

/// Round and saturate a sample to `i16`.
#[inline]
pub fn to_i16(x: f32) -> i16 {
    // Round half away from zero by truncation (no libm call on baseline x86-64).
    let r = if x >= 0.0 { x + 0.5 } else { x - 0.5 };
    r.clamp(-32768.0, 32767.0) as i16
}
