//! V.29 transmitter and receiver scenarios: loopback at every rate, noise at the target SNRs,
//! levels, carrier and clock offsets, late start, noise without a signal, any block size.

mod qam_support;

use qam_support::*;
use telefax_dsp::line::LineConfig;
use telefax_modem::any::ModemKind;
use telefax_modem::RxStatus;

const V29: ModemKind = ModemKind::V29;

#[test]
fn clean_loopback_every_rate() {
    for rate in [4800, 7200, 9600] {
        let s = round_trip(V29, rate, 3.0, -13.0, &LineConfig::default());
        assert_error_free(&s, u64::from(rate) * 2, &format!("v29 {rate} clean"));
    }
}

#[test]
fn error_free_at_target_snr() {
    // spandsp 0.0.6 is error-free at 22 / 16 / 14 dB; our targets are 1.5 dB lower.
    for (rate, snr) in [(9600, 20.5), (7200, 15.5), (4800, 12.5)] {
        let s = round_trip(V29, rate, 6.0, -13.0, &noisy(-13.0, snr, 0.0, 0.0, 7));
        assert_error_free(&s, u64::from(rate) * 5, &format!("v29 {rate} at {snr} dB"));
    }
}

#[test]
fn level_independent() {
    for level in [-43.0, -30.0, -6.0] {
        let s = round_trip(V29, 9600, 4.0, level, &noisy(level, 24.0, 0.0, 0.0, 3));
        assert_error_free(&s, 30_000, &format!("v29 9600 at {level} dBm0"));
    }
}

#[test]
fn carrier_and_clock_offsets() {
    for (hz, ppm) in [(10.0, 100.0), (-10.0, -100.0), (7.0, -100.0)] {
        // The line simulator's own offsets are not used: see `offset` for why.
        let sig = offset(&transmit(V29, 9600, 6.0, -13.0), hz, ppm);
        let (s, _) = receive(
            V29,
            9600,
            &line(&sig, &noisy(-13.0, 22.0, 0.0, 0.0, 11)),
            160,
        );
        assert_error_free(&s, 45_000, &format!("v29 9600 {hz} Hz {ppm} ppm"));
    }
}

#[test]
fn late_start_after_noise_and_silence() {
    let sig = transmit(V29, 9600, 3.0, -13.0);
    let mut audio = noise(3 * 8000, 300.0, 5);
    audio.extend(vec![0i16; 8000]);
    audio.extend(&sig);
    let rx_audio = line(&audio, &noisy(-13.0, 25.0, 0.0, 0.0, 2));
    let (s, q) = receive(V29, 9600, &rx_audio, 160);
    assert_error_free(&s, 20_000, "v29 late start");
    assert!(q.unwrap() > 18.0, "quality {q:?}");
}

#[test]
fn no_training_on_noise_or_silence() {
    let mut audio = noise(10 * 8000, 2000.0, 9);
    audio.extend(vec![0i16; 8000]);
    audio.extend(noise(5 * 8000, 40.0, 10));
    for rate in [4800, 7200, 9600] {
        let (s, _) = receive(V29, rate, &audio, 160);
        assert!(
            !s.events.contains(&RxStatus::TrainingSucceeded),
            "{rate}: {:?}",
            s.events
        );
        assert_eq!(s.bits, 0, "{rate}: bits delivered from noise");
    }
}

#[test]
fn block_size_does_not_matter() {
    let audio = line(
        &transmit(V29, 7200, 2.0, -13.0),
        &noisy(-13.0, 20.0, 0.0, 0.0, 4),
    );
    let mut results = Vec::new();
    for block in [1, 7, 160, 4000] {
        let (s, q) = receive(V29, 7200, &audio, block);
        results.push((s.bits, s.report().bad_bits, s.events.clone(), q));
    }
    assert!(results[0].0 > 5000);
    for r in &results[1..] {
        assert_eq!(r, &results[0]);
    }
}

#[test]
fn carrier_down_after_the_signal_and_retrain() {
    let sig = transmit(V29, 9600, 2.0, -13.0);
    let mut audio = sig.clone();
    audio.extend(vec![0i16; 4000]);
    audio.extend(&sig);
    let (s, _) = receive(V29, 9600, &audio, 160);
    let ups = s
        .events
        .iter()
        .filter(|e| **e == RxStatus::TrainingSucceeded)
        .count();
    let downs = s
        .events
        .iter()
        .filter(|e| **e == RxStatus::CarrierDown)
        .count();
    assert_eq!(ups, 2, "{:?}", s.events);
    assert!(downs >= 1, "{:?}", s.events);
}
