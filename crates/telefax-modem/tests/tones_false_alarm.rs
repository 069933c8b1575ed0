//! CNG and CED detectors: found in noise and at low level, silent on speech (espeak-ng, when
//! installed), music, DTMF and modem signals.
use std::process::Command;

use telefax_dsp::line::{LineConfig, LineSim};
use telefax_dsp::noise::Rng;
use telefax_dsp::power::{block_dbm0, dbm0_to_sine_peak};
use telefax_modem::any::{AnyModulator, ModemKind, TxOptions};
use telefax_modem::bert::Prbs;
use telefax_modem::hdlc::{FramerConfig, HdlcFramer};
use telefax_modem::tones::{ToneDetector, ToneEvent, ToneGenerator, ToneKind};
use telefax_modem::v21::{Channel, V21Tx};
use telefax_modem::Modulator;

fn events(kind: ToneKind, audio: &[i16]) -> Vec<ToneEvent> {
    let mut d = ToneDetector::new(kind);
    let mut ev = Vec::new();
    for b in audio.chunks(97) {
        d.process(b, |e| ev.push(e));
    }
    ev
}

fn assert_silent(what: &str, audio: &[i16]) {
    for kind in [ToneKind::Cng, ToneKind::Ced] {
        let ev = events(kind, audio);
        assert!(ev.is_empty(), "{what}: false {kind:?}: {ev:?}");
    }
}

fn scale_to(audio: &[i16], dbm0: f32) -> Vec<i16> {
    let g = 10f32.powf((dbm0 - block_dbm0(audio)) / 20.0);
    audio
        .iter()
        .map(|&s| (s as f32 * g).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

fn sine(f: f32, amp: f32, n: usize, phase: f32) -> impl Iterator<Item = f32> {
    (0..n).map(move |i| amp * (2.0 * std::f32::consts::PI * f * i as f32 / 8000.0 + phase).sin())
}

#[test]
fn tones_detected_in_noise_and_at_low_level() {
    for (kind, level) in [
        (ToneKind::Cng, -43.0),
        (ToneKind::Ced, -43.0),
        (ToneKind::Cng, -6.0),
    ] {
        let mut audio = vec![0i16; 8000 * 5];
        match kind {
            ToneKind::Cng => ToneGenerator::cng(level).fill(&mut audio),
            ToneKind::Ced => ToneGenerator::ced(level, 3.0).fill(&mut audio),
        };
        // Noise 15 dB below the tone over the whole band.
        let cfg = LineConfig {
            noise_dbm0: Some(level - 15.0),
            seed: 3,
            ..LineConfig::default()
        };
        let noisy = LineSim::new(&cfg).unwrap().process_to_vec(&audio);
        let ev = events(kind, &noisy);
        assert!(!ev.is_empty(), "{kind:?} at {level} dBm0 not found");
        let other = if kind == ToneKind::Cng {
            ToneKind::Ced
        } else {
            ToneKind::Cng
        };
        assert!(events(other, &noisy).is_empty());
    }
}

#[test]
fn speech_does_not_trigger() {
    let dir = std::env::temp_dir().join(format!("telefax-tones-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let texts = [
        ("en", "50", "Hello, this is the fax machine at the front desk. Please hold the line while I transfer your call, and do not hang up."),
        ("en", "99", "Oooh, eeeh, aaah. Hmmmm. Yes, yes, I see. Whistle while you work, sing a long song, la la la la."),
        ("de", "70", "Guten Tag, hier ist der Anrufbeantworter. Bitte sprechen Sie nach dem Signalton. Vielen Dank."),
        ("fr", "20", "Bonjour, vous etes bien chez nous. Laissez un message apres le bip sonore, merci beaucoup."),
    ];
    let mut tested = 0;
    for (i, (voice, pitch, text)) in texts.iter().enumerate() {
        let wav = dir.join(format!("s{i}.wav"));
        let raw = dir.join(format!("s{i}.raw"));
        let ok = Command::new("espeak-ng")
            .args(["-v", voice, "-p", pitch, "-w"])
            .arg(&wav)
            .arg(text)
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
            && Command::new("sox")
                .arg(&wav)
                .args([
                    "-r", "8000", "-c", "1", "-b", "16", "-e", "signed", "-t", "raw",
                ])
                .arg(&raw)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
        if !ok {
            eprintln!("note: espeak-ng or sox not available; speech test skipped");
            return;
        }
        let bytes = std::fs::read(&raw).unwrap();
        let speech: Vec<i16> = bytes
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert!(speech.len() > 8000, "speech too short");
        for level in [-6.0, -20.0, -35.0] {
            assert_silent(
                &format!("speech {voice} p{pitch} {level} dBm0"),
                &scale_to(&speech, level),
            );
        }
        tested += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(tested, texts.len());
}

#[test]
fn music_does_not_trigger() {
    // Harmonic-rich notes of an equal-tempered scale (including notes near 1100 and 2100
    // Hz), 120..600 ms each, with chords and vibrato.
    let mut rng = Rng::new(9);
    let mut audio: Vec<f32> = Vec::new();
    for _ in 0..120 {
        let semis = (rng.next_u64() % 48) as i32 - 12; // 220 Hz .. 3.5 kHz
        let f0 = 440.0 * 2f32.powf(semis as f32 / 12.0);
        let len = 960 + (rng.next_u64() % 3840) as usize;
        let chord = rng.next_u64() % 2 == 0;
        let mut note = vec![0.0f32; len];
        for (k, amp) in [(1.0, 1.0), (2.0, 0.6), (3.0, 0.4), (4.0, 0.25), (5.0, 0.15)] {
            let f = f0 * k;
            if f < 3800.0 {
                for (i, v) in sine(f, amp, len, 0.3 * k).enumerate() {
                    let vib = 1.0 + 0.1 * (i as f32 * 0.004).sin();
                    note[i] += v * vib;
                }
            }
        }
        if chord {
            for (i, v) in sine(f0 * 1.26, 0.7, len, 1.0).enumerate() {
                note[i] += v;
            }
        }
        audio.extend(note);
    }
    let audio: Vec<i16> = audio.iter().map(|&x| (x * 2000.0) as i16).collect();
    for level in [-6.0, -25.0] {
        assert_silent(&format!("music {level} dBm0"), &scale_to(&audio, level));
    }
}

#[test]
fn dtmf_does_not_trigger() {
    let rows = [697.0, 770.0, 852.0, 941.0];
    let cols = [1209.0, 1336.0, 1477.0, 1633.0];
    let a = dbm0_to_sine_peak(-10.0);
    let mut audio = Vec::new();
    for (r, c) in rows.iter().flat_map(|r| cols.iter().map(move |c| (*r, *c))) {
        // A short digit and a long press (1 s), twist 0 dB.
        for len in [800usize, 8000] {
            let tone: Vec<f32> = sine(r, a, len, 0.0)
                .zip(sine(c, a, len, 0.5))
                .map(|(x, y)| x + y)
                .collect();
            audio.extend(tone.iter().map(|&x| x as i16));
            audio.extend(std::iter::repeat_n(0i16, 800));
        }
    }
    assert_silent("DTMF", &audio);
}

#[test]
fn modem_signals_do_not_trigger() {
    // V.21 with HDLC flags and with random data.
    let mut tx = V21Tx::new(Channel::Two, -10.0).unwrap();
    let mut audio = vec![0i16; 8000 * 4];
    let mut framer = HdlcFramer::new(FramerConfig::default()).unwrap();
    tx.modulate(&mut audio, &mut framer);
    assert_silent("V.21 flags", &audio);
    let mut tx = V21Tx::new(Channel::Two, -10.0).unwrap();
    tx.modulate(&mut audio, &mut Prbs::o151_23());
    assert_silent("V.21 data", &audio);
    // A 2400-baud QPSK signal on an 1800 Hz carrier (the V.27ter/V.29/V.17 spectrum).
    let mut rng = Rng::new(4);
    let taps = telefax_dsp::design::root_raised_cosine(61, 8000.0 / 2400.0, 0.5).unwrap();
    let mut shaper_i = telefax_dsp::fir::Fir::new(&taps);
    let mut shaper_q = telefax_dsp::fir::Fir::new(&taps);
    let mut nco = telefax_dsp::nco::Nco::new(1800.0, 8000.0);
    let mut acc = 0u32;
    let mut qam = Vec::new();
    for _ in 0..8000 * 4 {
        acc += 2400;
        let (i, q) = if acc >= 8000 {
            acc -= 8000;
            let r = rng.next_u64();
            (
                if r & 1 == 1 { 1.0 } else { -1.0 },
                if r & 2 == 2 { 1.0 } else { -1.0 },
            )
        } else {
            (0.0, 0.0)
        };
        let z = telefax_dsp::Complex32::new(shaper_i.filter(i), shaper_q.filter(q));
        qam.push(nco.upmix(z) * 30000.0);
    }
    let qam: Vec<i16> = qam
        .iter()
        .map(|&x| x.clamp(-32768.0, 32767.0) as i16)
        .collect();
    assert_silent("QPSK 2400 baud", &scale_to(&qam, -10.0));
    // The project's own fast modems, where they exist.
    for kind in [ModemKind::V17, ModemKind::V29, ModemKind::V27ter] {
        if let Ok(mut m) = AnyModulator::new(kind, &TxOptions::default()) {
            let mut out = vec![0i16; 8000 * 4];
            let n = m.modulate(&mut out, &mut Prbs::o151_23());
            assert_silent(&format!("{kind}"), &out[..n]);
        }
    }
}
