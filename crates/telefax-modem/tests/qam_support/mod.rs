//! Shared helpers for the V.27ter / V.29 scenario tests: transmit the O.151 pattern, pass it
//! through the line simulator, receive and count errors.
#![allow(dead_code)]

use telefax_dsp::line::{LineConfig, LineSim};
use telefax_modem::any::{AnyDemodulator, AnyModulator, ModemKind, RxOptions, TxOptions};
use telefax_modem::bert::{BertChecker, BertReport, Prbs};
use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};

/// A sink that checks the O.151 2^23-1 pattern and records status events.
pub struct Sink {
    pub bert: BertChecker,
    pub events: Vec<RxStatus>,
    pub bits: u64,
}

impl Sink {
    pub fn new() -> Self {
        Sink {
            bert: BertChecker::o151_23(),
            events: Vec::new(),
            bits: 0,
        }
    }
    pub fn trained(&self) -> bool {
        self.events.contains(&RxStatus::TrainingSucceeded)
    }
    pub fn report(&self) -> BertReport {
        self.bert.report()
    }
}

impl RxSink for Sink {
    fn put_bit(&mut self, bit: u8) {
        self.bits += 1;
        self.bert.put(bit);
    }
    fn status(&mut self, s: RxStatus) {
        self.events.push(s);
    }
}

/// `seconds` of `kind`/`rate` carrying the O.151 pattern at `level_dbm0` (the transmitter's
/// turn-off sequence follows if the buffer is long enough; here it is cut at `seconds`).
pub fn transmit(kind: ModemKind, rate: u32, seconds: f32, level_dbm0: f32) -> Vec<i16> {
    let opts = TxOptions {
        rate,
        level_dbm0,
        ..TxOptions::default()
    };
    let mut tx = AnyModulator::new(kind, &opts).expect("modulator");
    let mut out = vec![0i16; (seconds * 8000.0) as usize];
    let mut prbs = Prbs::o151_23();
    for block in out.chunks_mut(160) {
        tx.modulate(block, &mut prbs);
    }
    out
}

/// Pass `audio` through a line simulator configured by `cfg`.
pub fn line(audio: &[i16], cfg: &LineConfig) -> Vec<i16> {
    LineSim::new(cfg)
        .expect("line config")
        .process_to_vec(audio)
}

/// A line with noise `snr_db` below `level_dbm0`, plus carrier and clock offsets.
pub fn noisy(level_dbm0: f32, snr_db: f32, offset_hz: f32, ppm: f32, seed: u64) -> LineConfig {
    LineConfig {
        noise_dbm0: Some(level_dbm0 - snr_db),
        freq_offset_hz: offset_hz,
        clock_ppm: ppm,
        seed,
        ..LineConfig::default()
    }
}

/// Receive `audio` in blocks of `block` samples.
pub fn receive(kind: ModemKind, rate: u32, audio: &[i16], block: usize) -> (Sink, Option<f32>) {
    let mut rx = AnyDemodulator::new(
        kind,
        &RxOptions {
            rate,
            ..RxOptions::default()
        },
    )
    .expect("rx");
    let mut sink = Sink::new();
    for b in audio.chunks(block.max(1)) {
        rx.demodulate(b, &mut sink);
    }
    let q = rx.signal_quality_db();
    (sink, q)
}

/// Transmit, pass through `cfg`, receive; returns the sink.
pub fn round_trip(kind: ModemKind, rate: u32, seconds: f32, level: f32, cfg: &LineConfig) -> Sink {
    let audio = transmit(kind, rate, seconds, level);
    let rx_audio = line(&audio, cfg);
    receive(kind, rate, &rx_audio, 160).0
}

/// Assert an error-free reception of at least `min_bits` bits.
pub fn assert_error_free(sink: &Sink, min_bits: u64, what: &str) {
    let r = sink.report();
    assert!(
        sink.trained(),
        "{what}: not trained; events {:?}",
        sink.events
    );
    assert!(r.synced, "{what}: pattern never synchronised; {r:?}");
    assert!(r.bits >= min_bits, "{what}: only {} bits checked", r.bits);
    assert_eq!(r.bad_bits, 0, "{what}: {r:?}");
}

/// Gaussian-ish noise (sum of uniforms) at roughly `rms`, deterministic.
pub fn noise(n: usize, rms: f32, seed: u32) -> Vec<i16> {
    let mut s = seed.wrapping_mul(2_654_435_761).max(1);
    (0..n)
        .map(|_| {
            let mut acc = 0f32;
            for _ in 0..4 {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                acc += (s as f32 / u32::MAX as f32) - 0.5;
            }
            (acc * rms * 1.732).clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}

/// Shift every frequency of `audio` by `hz` and resample it as if the far end's sample clock
/// ran `ppm` parts per million fast (`1 + ppm 1e-6` input samples per output sample).
///
/// A high-accuracy reference implementation (127-tap Hilbert transformer, 64-tap windowed
/// sinc interpolation), so that the receiver, not the simulation, limits the results.
pub fn offset(audio: &[i16], hz: f64, ppm: f64) -> Vec<i16> {
    use std::f64::consts::PI;
    let x: Vec<f64> = audio.iter().map(|&v| f64::from(v)).collect();
    let blackman = |i: usize, n: usize| {
        let a = 2.0 * PI * i as f64 / (n - 1) as f64;
        0.42 - 0.5 * a.cos() + 0.08 * (2.0 * a).cos()
    };
    // Frequency shift through the analytic signal.
    let shifted: Vec<f64> = if hz == 0.0 {
        x.clone()
    } else {
        const N: usize = 127;
        let mid = (N / 2) as isize;
        let h: Vec<f64> = (0..N)
            .map(|i| {
                let k = i as isize - mid;
                if k % 2 == 0 {
                    0.0
                } else {
                    2.0 / (PI * k as f64) * blackman(i, N)
                }
            })
            .collect();
        (0..x.len())
            .map(|n| {
                let mut q = 0.0;
                for (j, hj) in h.iter().enumerate() {
                    let idx = n as isize + mid - j as isize;
                    if idx >= 0 && (idx as usize) < x.len() {
                        q += hj * x[idx as usize];
                    }
                }
                let i = x[n];
                let ph = 2.0 * PI * hz * n as f64 / 8000.0;
                i * ph.cos() - q * ph.sin()
            })
            .collect()
    };
    if ppm == 0.0 {
        return shifted
            .iter()
            .map(|v| v.round().clamp(-32768.0, 32767.0) as i16)
            .collect();
    }
    const HALF: isize = 32;
    let ratio = 1.0 + ppm * 1e-6;
    let n_out = ((shifted.len() as f64 - HALF as f64) / ratio) as usize;
    (0..n_out)
        .map(|m| {
            let t = m as f64 * ratio;
            let i0 = t.floor() as isize;
            let mut acc = 0.0;
            for k in (i0 - HALF + 1)..=(i0 + HALF) {
                if k < 0 || k as usize >= shifted.len() {
                    continue;
                }
                let d = t - k as f64;
                let sinc = if d.abs() < 1e-12 {
                    1.0
                } else {
                    (PI * d).sin() / (PI * d)
                };
                let w = 0.5 + 0.5 * (PI * d / HALF as f64).cos();
                acc += shifted[k as usize] * sinc * w;
            }
            acc.round().clamp(-32768.0, 32767.0) as i16
        })
        .collect()
}
