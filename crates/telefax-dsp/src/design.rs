//! FIR filter designs: windowed-sinc low-pass and band-pass, root-raised-cosine pulse
//! shaping (as used by V.27ter/V.29/V.17 transmitters), Hilbert transformers and
//! frequency-sampling designs for arbitrary magnitude responses (line models).
//!
//! Designs allocate their result once; use them at construction time, not per block.
use crate::error::{check, DspError};
use core::f64::consts::PI;

/// Blackman window value for tap `i` of `n`.
pub fn blackman(i: usize, n: usize) -> f64 {
    if n <= 1 {
        return 1.0;
    }
    let x = 2.0 * PI * i as f64 / (n - 1) as f64;
    0.42 - 0.5 * x.cos() + 0.08 * (2.0 * x).cos()
}

/// Hamming window value for tap `i` of `n`.
pub fn hamming(i: usize, n: usize) -> f64 {
    if n <= 1 {
        return 1.0;
    }
    0.54 - 0.46 * (2.0 * PI * i as f64 / (n - 1) as f64).cos()
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        (PI * x).sin() / (PI * x)
    }
}

fn check_taps(ntaps: usize) -> Result<(), DspError> {
    check(
        (1..=4096).contains(&ntaps),
        "ntaps",
        ntaps as f64,
        "must be 1..=4096",
    )
}

/// Windowed-sinc (Blackman) low-pass with cutoff `cutoff_hz` (-6 dB point), unity DC gain.
///
/// ```
/// let taps = telefax_dsp::design::lowpass(31, 1000.0, 8000.0).unwrap();
/// assert!((taps.iter().sum::<f32>() - 1.0).abs() < 1e-5);
/// ```
pub fn lowpass(ntaps: usize, cutoff_hz: f32, fs: f32) -> Result<Vec<f32>, DspError> {
    check_taps(ntaps)?;
    check(
        cutoff_hz > 0.0 && cutoff_hz < fs / 2.0,
        "cutoff_hz",
        cutoff_hz as f64,
        "must be within (0, fs/2)",
    )?;
    let fc = cutoff_hz as f64 / fs as f64;
    let mid = (ntaps - 1) as f64 / 2.0;
    let mut h: Vec<f64> = (0..ntaps)
        .map(|i| 2.0 * fc * sinc(2.0 * fc * (i as f64 - mid)) * blackman(i, ntaps))
        .collect();
    let s: f64 = h.iter().sum();
    for x in h.iter_mut() {
        *x /= s;
    }
    Ok(h.into_iter().map(|x| x as f32).collect())
}

/// Windowed-sinc band-pass from `lo_hz` to `hi_hz`, unity gain at the centre frequency.
pub fn bandpass(ntaps: usize, lo_hz: f32, hi_hz: f32, fs: f32) -> Result<Vec<f32>, DspError> {
    check(
        lo_hz > 0.0 && hi_hz > lo_hz && hi_hz < fs / 2.0,
        "hi_hz",
        hi_hz as f64,
        "need 0 < lo_hz < hi_hz < fs/2",
    )?;
    let half = (hi_hz - lo_hz) / 2.0;
    let centre = (hi_hz + lo_hz) as f64 / 2.0;
    let lp = lowpass(ntaps, half, fs)?;
    let mid = (ntaps - 1) as f64 / 2.0;
    Ok(lp
        .iter()
        .enumerate()
        .map(|(i, &h)| {
            (2.0 * h as f64 * (2.0 * PI * centre / fs as f64 * (i as f64 - mid)).cos()) as f32
        })
        .collect())
}

/// Root-raised-cosine pulse with roll-off `beta` (0..=1) at `sps` samples per symbol,
/// `ntaps` long, centred, scaled to unity DC gain (sum of taps = 1). Two of these in
/// cascade (transmitter and receiver) give a Nyquist (zero-ISI) raised-cosine response,
/// as assumed by the V.27ter §2 / V.29 / V.17 spectrum shaping.
pub fn root_raised_cosine(ntaps: usize, sps: f32, beta: f32) -> Result<Vec<f32>, DspError> {
    check_taps(ntaps)?;
    check(sps > 1.0, "sps", sps as f64, "must be > 1")?;
    check(
        beta > 0.0 && beta <= 1.0,
        "beta",
        beta as f64,
        "must be in (0, 1]",
    )?;
    let b = beta as f64;
    let mid = (ntaps - 1) as f64 / 2.0;
    let mut h: Vec<f64> = (0..ntaps)
        .map(|i| {
            let t = (i as f64 - mid) / sps as f64;
            if t.abs() < 1e-9 {
                1.0 - b + 4.0 * b / PI
            } else if (1.0 - (4.0 * b * t).powi(2)).abs() < 1e-9 {
                b / 2f64.sqrt()
                    * ((1.0 + 2.0 / PI) * (PI / (4.0 * b)).sin()
                        + (1.0 - 2.0 / PI) * (PI / (4.0 * b)).cos())
            } else {
                ((PI * t * (1.0 - b)).sin() + 4.0 * b * t * (PI * t * (1.0 + b)).cos())
                    / (PI * t * (1.0 - (4.0 * b * t).powi(2)))
            }
        })
        .collect();
    let s: f64 = h.iter().sum();
    for x in h.iter_mut() {
        *x /= s;
    }
    Ok(h.into_iter().map(|x| x as f32).collect())
}

/// A Hilbert transformer (type III, odd `ntaps`, Blackman-windowed): a 90° phase shift over
/// the pass band, with a group delay of `(ntaps - 1) / 2` samples. Pair its output with the
/// input delayed by that much to form the analytic signal.
pub fn hilbert(ntaps: usize) -> Result<Vec<f32>, DspError> {
    check_taps(ntaps)?;
    check(ntaps % 2 == 1, "ntaps", ntaps as f64, "must be odd")?;
    let mid = (ntaps / 2) as isize;
    Ok((0..ntaps)
        .map(|i| {
            let k = i as isize - mid;
            if k % 2 == 0 {
                0.0
            } else {
                (2.0 / (PI * k as f64) * blackman(i, ntaps)) as f32
            }
        })
        .collect())
}

/// A linear-phase FIR (odd `ntaps`) approximating the magnitude response `gain(f_hz)` over
/// 0..fs/2 by frequency sampling and a Blackman window.
pub fn frequency_sampling(
    ntaps: usize,
    fs: f32,
    gain: impl Fn(f32) -> f32,
) -> Result<Vec<f32>, DspError> {
    check_taps(ntaps)?;
    check(ntaps % 2 == 1, "ntaps", ntaps as f64, "must be odd")?;
    // Dense grid inverse DFT of a zero-phase real response.
    let grid = 512usize;
    let mid = (ntaps / 2) as f64;
    let g: Vec<f64> = (0..=grid)
        .map(|k| gain(fs * 0.5 * k as f32 / grid as f32) as f64)
        .collect();
    Ok((0..ntaps)
        .map(|i| {
            let n = i as f64 - mid;
            let mut acc = 0.0;
            for (k, &gk) in g.iter().enumerate() {
                let w = if k == 0 || k == grid { 0.5 } else { 1.0 };
                acc += w * gk * (PI * k as f64 / grid as f64 * n).cos();
            }
            (acc / grid as f64 * blackman(i, ntaps)) as f32
        })
        .collect())
}

/// Magnitude response of real taps at `f_hz`.
pub fn magnitude_at(taps: &[f32], f_hz: f32, fs: f32) -> f32 {
    let w = 2.0 * PI * f_hz as f64 / fs as f64;
    let (mut re, mut im) = (0.0f64, 0.0f64);
    for (i, &h) in taps.iter().enumerate() {
        re += h as f64 * (w * i as f64).cos();
        im -= h as f64 * (w * i as f64).sin();
    }
    (re * re + im * im).sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowpass_response() {
        let h = lowpass(63, 1000.0, 8000.0).unwrap();
        assert!((magnitude_at(&h, 200.0, 8000.0) - 1.0).abs() < 0.01);
        assert!(magnitude_at(&h, 2000.0, 8000.0) < 0.001);
    }

    #[test]
    fn bandpass_response() {
        let h = bandpass(101, 1500.0, 2000.0, 8000.0).unwrap();
        assert!((magnitude_at(&h, 1750.0, 8000.0) - 1.0).abs() < 0.02);
        assert!(magnitude_at(&h, 1000.0, 8000.0) < 0.01);
        assert!(magnitude_at(&h, 2600.0, 8000.0) < 0.01);
    }

    #[test]
    fn hilbert_is_allpass_in_band() {
        let h = hilbert(63).unwrap();
        for f in [400.0, 1000.0, 2000.0, 3500.0] {
            let m = magnitude_at(&h, f, 8000.0);
            assert!((m - 1.0).abs() < 0.02, "{f} Hz: {m}");
        }
    }

    #[test]
    fn rrc_squared_is_nyquist() {
        let sps = 4.0;
        let h = root_raised_cosine(65, sps, 0.5).unwrap();
        // Convolve with itself: zero crossings at multiples of sps from the centre.
        let n = h.len();
        let mut rc = vec![0.0f32; 2 * n - 1];
        for i in 0..n {
            for j in 0..n {
                rc[i + j] += h[i] * h[j];
            }
        }
        let c = n - 1;
        for k in 1..6 {
            assert!(rc[c + 4 * k].abs() < 0.01 * rc[c], "k={k}");
        }
    }

    #[test]
    fn frequency_sampling_follows_gain() {
        let h = frequency_sampling(101, 8000.0, |f| if f < 2000.0 { 1.0 } else { 0.1 }).unwrap();
        assert!((magnitude_at(&h, 1000.0, 8000.0) - 1.0).abs() < 0.02);
        assert!((magnitude_at(&h, 3000.0, 8000.0) - 0.1).abs() < 0.02);
        assert!(hilbert(64).is_err());
    }
}
