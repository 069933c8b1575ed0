//! The decoder on damaged versions of the shipped recordings: a recording that starts after
//! the DCS, one side 20 dB quieter, a recorder clock 100 ppm off, G.711 A-law and µ-law on the
//! way, silence and noise around the call, and the two channels swapped.
mod decode_common;

use decode_common::*;
use telefax::decoder::{Coding, FastModem, ReceiverMode};
use telefax::dsp::g711::{alaw_decode as alaw_to_linear, ulaw_decode as ulaw_to_linear};

fn stereo(case: &str) -> Vec<Vec<i16>> {
    read_wav16(&format!("{case}/line_stereo.wav"))
}

/// Resample with a windowed-sinc interpolator (32 taps, Blackman window) so that the
/// recording runs `ppm` fast, as a recorder with a fast sample clock would.
fn clock_offset(x: &[i16], ppm: f64) -> Vec<i16> {
    const HALF: isize = 16;
    let step = 1.0 + ppm * 1e-6;
    let mut out = Vec::with_capacity(x.len());
    let mut t = HALF as f64;
    while (t as isize) + HALF < x.len() as isize {
        let i = t as isize;
        let f = t - i as f64;
        let mut acc = 0.0;
        for k in -HALF + 1..=HALF {
            let d = k as f64 - f;
            let sinc = if d.abs() < 1e-12 {
                1.0
            } else {
                (std::f64::consts::PI * d).sin() / (std::f64::consts::PI * d)
            };
            let w = 0.42
                + 0.5 * (std::f64::consts::PI * d / HALF as f64).cos()
                + 0.08 * (2.0 * std::f64::consts::PI * d / HALF as f64).cos();
            acc += f64::from(x[(i + k) as usize]) * sinc * w;
        }
        out.push(acc.round().clamp(-32768.0, 32767.0) as i16);
        t += step;
    }
    out
}

/// Compress through a G.711 law by picking the code whose expansion is nearest.
fn g711(x: &[i16], expand: fn(u8) -> i16) -> Vec<i16> {
    let mut table: Vec<(i16, u8)> = (0..=255u8).map(|c| (expand(c), c)).collect();
    table.sort();
    x.iter()
        .map(|&s| {
            let i = table.partition_point(|&(v, _)| v < s);
            let cand = [i.saturating_sub(1), i.min(255)];
            let best = cand
                .iter()
                .min_by_key(|&&j| (i32::from(table[j].0) - i32::from(s)).abs())
                .copied()
                .unwrap_or(0);
            expand(table[best].1)
        })
        .collect()
}

/// Deterministic white noise of the given RMS.
fn noise(n: usize, rms: f64, seed: u64) -> Vec<i16> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            // Sum of 4 uniforms ~ Gaussian-ish.
            let mut acc = 0.0;
            for _ in 0..4 {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                acc += (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            }
            (acc * rms * 1.732) as i16
        })
        .collect()
}

#[test]
fn recording_starts_after_dcs() {
    let st = stereo(P02);
    let full = run(&st, ReceiverMode::FollowDcs);
    let dcs = full
        .frame_times
        .iter()
        .find(|(n, _)| n == "DCS")
        .expect("DCS in the full recording")
        .1;
    // Cut 0.1 s after the end of DCS: no DIS, no DCS; TCF and the page remain.
    let cut = ((dcs + 0.1) * 8000.0) as usize;
    let late: Vec<Vec<i16>> = st.iter().map(|c| c[cut..].to_vec()).collect();
    let out = run(&late, ReceiverMode::FollowDcs);
    assert!(!out.frames.iter().any(|f| f == "DCS"), "{:?}", out.frames);
    assert_page(&out, P02, FastModem::V29, 9600, Coding::Mr);
    assert!(out.pages[0].guessed);
}

#[test]
fn quiet_caller_20db_down() {
    let mut st = stereo(P03);
    for s in &mut st[0] {
        *s = (f64::from(*s) * 0.1) as i16;
    }
    let out = run(&st, ReceiverMode::FollowDcs);
    assert_page(&out, P03, FastModem::V27ter, 4800, Coding::Mh);
}

#[test]
fn recorder_clock_100ppm_off() {
    for ppm in [100.0, -100.0] {
        let st: Vec<Vec<i16>> = stereo(P02).iter().map(|c| clock_offset(c, ppm)).collect();
        let out = run(&st, ReceiverMode::FollowDcs);
        assert_page(&out, P02, FastModem::V29, 9600, Coding::Mr);
    }
}

#[test]
fn g711_alaw_and_ulaw() {
    let st = stereo(P02);
    for law in [alaw_to_linear as fn(u8) -> i16, ulaw_to_linear] {
        let coded: Vec<Vec<i16>> = st.iter().map(|c| g711(c, law)).collect();
        let out = run(&coded, ReceiverMode::FollowDcs);
        assert_page(&out, P02, FastModem::V29, 9600, Coding::Mr);
    }
}

#[test]
fn silence_and_noise_around_the_call_and_swapped_channels() {
    let st = stereo(P03);
    let pad = noise(5 * 8000, 30.0, 1);
    let mut right = pad.clone();
    right.extend_from_slice(&st[0]);
    right.extend(noise(3 * 8000, 30.0, 2));
    let mut left = noise(5 * 8000, 30.0, 3);
    left.extend_from_slice(&st[1]);
    left.extend(noise(3 * 8000, 30.0, 4));
    let out = run(&[left, right], ReceiverMode::FollowDcs);
    assert_page(&out, P03, FastModem::V27ter, 4800, Coding::Mh);
    assert_eq!(out.pages[0].channel, 1);
}

#[test]
fn pure_noise_gives_nothing() {
    let n = noise(20 * 8000, 3000.0, 9);
    let out = run(&[n], ReceiverMode::All);
    assert!(out.pages.is_empty());
    assert!(out.frames.is_empty(), "{:?}", out.frames);
}
