//! Signal power in dBm0, and a running power meter.
//!
//! Reference (ITU-T G.711, and the convention of all telefax level figures): a sine wave
//! whose peak is the full `i16` scale, 32 767, has a level of **+3.14 dBm0**. So 0 dBm0 is a
//! sine of peak ≈ 22 826 (RMS ≈ 16 141), and -13 dBm0 — the usual fax modem level — is a
//! sine of peak ≈ 5 120. Power is the mean square in `i16` units.

/// Level of a full-scale `i16` sine (peak 32 767) in dBm0 (G.711).
#[allow(clippy::approx_constant)] // 3.14 dB is the G.711 figure, not π
pub const FULL_SCALE_SINE_DBM0: f32 = 3.14;

/// Mean-square power (in `i16` units²) of a 0 dBm0 signal.
pub const DBM0_REF_POWER: f32 = 260_521_380.0; // 32767² / 2 / 10^0.314

/// Mean-square power (`i16` units²) of a signal at `dbm0`.
#[inline]
pub fn dbm0_to_power(dbm0: f32) -> f32 {
    DBM0_REF_POWER * 10f32.powf(dbm0 / 10.0)
}

/// RMS amplitude (`i16` units) of a signal at `dbm0`.
#[inline]
pub fn dbm0_to_rms(dbm0: f32) -> f32 {
    dbm0_to_power(dbm0).sqrt()
}

/// Peak amplitude (`i16` units) of a sine wave at `dbm0`.
#[inline]
pub fn dbm0_to_sine_peak(dbm0: f32) -> f32 {
    (2.0 * dbm0_to_power(dbm0)).sqrt()
}

/// Level in dBm0 of a mean-square power in `i16` units² (-inf for zero).
#[inline]
pub fn power_to_dbm0(power: f32) -> f32 {
    10.0 * (power / DBM0_REF_POWER).log10()
}

/// Level in dBm0 of a block of samples.
pub fn block_dbm0(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return f32::NEG_INFINITY;
    }
    let p: f64 = samples
        .iter()
        .map(|&s| (s as f64) * (s as f64))
        .sum::<f64>();
    power_to_dbm0((p / samples.len() as f64) as f32)
}

/// A running mean-square estimate with a one-pole (exponential) average.
///
/// ```
/// use telefax_dsp::power::{PowerMeter, dbm0_to_sine_peak};
/// let mut m = PowerMeter::new(200.0);
/// let a = dbm0_to_sine_peak(-13.0);
/// for i in 0..4000 { m.update(a * (i as f32 * 0.3).sin()); }
/// assert!((m.dbm0() + 13.0).abs() < 0.3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerMeter {
    alpha: f32,
    power: f32,
}

impl PowerMeter {
    /// A meter averaging over about `time_constant` samples.
    pub fn new(time_constant: f32) -> Self {
        Self {
            alpha: 1.0 / time_constant.max(1.0),
            power: 0.0,
        }
    }
    /// Feed one sample (in `i16` units, as `f32`); returns the current power.
    #[inline]
    pub fn update(&mut self, x: f32) -> f32 {
        self.power += self.alpha * (x * x - self.power);
        self.power
    }
    /// Feed a precomputed squared value.
    #[inline]
    pub fn update_power(&mut self, p: f32) -> f32 {
        self.power += self.alpha * (p - self.power);
        self.power
    }
    /// Current mean-square power.
    pub fn power(&self) -> f32 {
        self.power
    }
    /// Current level in dBm0.
    pub fn dbm0(&self) -> f32 {
        power_to_dbm0(self.power)
    }
    /// Reset to zero.
    pub fn reset(&mut self) {
        self.power = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn reference_levels() {
        assert!((dbm0_to_sine_peak(FULL_SCALE_SINE_DBM0) - 32767.0).abs() < 1.0);
        assert!((dbm0_to_sine_peak(0.0) - 22826.0).abs() < 2.0);
        assert!((power_to_dbm0(dbm0_to_power(-43.0)) + 43.0).abs() < 1e-3);
    }
}
