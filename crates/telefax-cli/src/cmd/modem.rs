//! `telefax modem`: the modem lab. Transmit the ITU-T O.151 2²³−1 test pattern through one
//! modem into a WAV file, receive and check it, or pass a WAV through the line simulator.
//!
//! ```text
//! telefax modem tx --modem v21 --rate 300 --seconds 20 [--level-dbm0 -13] [--short-train] -o tx.wav
//! telefax modem line tx.wav -o noisy.wav --snr-db 3 [--seed 1] ...
//! telefax modem rx --modem v21 --rate 300 noisy.wav [--repeat 20]
//! ```
//! `rx` prints one line of `key=value` tokens:
//! `modem= rate= trained=0|1 bits= bad= ber= resyncs= quality_db= carrier_ups= realtime_x=`.
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use telefax_dsp::line::{Codec, Echo, LineConfig, LineSim};
use telefax_modem::any::{AnyDemodulator, AnyModulator, ModemKind, RxOptions, TxOptions};
use telefax_modem::bert::{BertChecker, Prbs};
use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};

/// Arguments of `telefax modem`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Transmit the O.151 2^23-1 test pattern to a mono 16-bit 8 kHz WAV file.
    Tx(TxArgs),
    /// Receive a WAV file and check the O.151 pattern; prints one key=value line.
    Rx(RxArgs),
    /// Pass a WAV file through the line simulator.
    Line(LineArgs),
}

#[derive(clap::Args)]
struct TxArgs {
    /// Modem: v21, v27ter, v29, v17.
    #[arg(long, default_value = "v21")]
    modem: String,
    /// Bit rate (0 or omitted: the modem's highest).
    #[arg(long, default_value_t = 0)]
    rate: u32,
    /// Seconds of signal.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Transmit level in dBm0.
    #[arg(long, default_value_t = -13.0, allow_hyphen_values = true)]
    level_dbm0: f32,
    /// Use the short training sequence (V.17, V.27ter).
    #[arg(long)]
    short_train: bool,
    /// Output WAV file.
    #[arg(short, long)]
    output: PathBuf,
}

#[derive(clap::Args)]
struct RxArgs {
    /// Modem: v21, v27ter, v29, v17.
    #[arg(long, default_value = "v21")]
    modem: String,
    /// Bit rate (0 or omitted: the modem's highest).
    #[arg(long, default_value_t = 0)]
    rate: u32,
    /// Expect the short training sequence (V.17, V.27ter).
    #[arg(long)]
    short_train: bool,
    /// Demodulate the file this many times (for speed measurement; results of the first run).
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Input WAV file (mono, 16-bit, 8000 Hz).
    input: PathBuf,
}

#[derive(clap::Args)]
struct LineArgs {
    /// Input WAV file (mono, 16-bit, 8000 Hz).
    input: PathBuf,
    /// Output WAV file.
    #[arg(short, long)]
    output: PathBuf,
    /// SNR in dB relative to a -13 dBm0 signal: noise at -13-S dBm0 over 0-4 kHz.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "noise_dbm0")]
    snr_db: Option<f32>,
    /// Noise level in dBm0 (white, 0-4 kHz).
    #[arg(long, allow_hyphen_values = true)]
    noise_dbm0: Option<f32>,
    /// Attenuation in dB.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    atten_db: f32,
    /// Carrier frequency offset in Hz.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    freq_offset_hz: f32,
    /// Sample-clock offset in ppm.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    drift_ppm: f32,
    /// Echo level relative to the signal, dB (needs --echo-ms).
    #[arg(long, allow_hyphen_values = true, requires = "echo_ms")]
    echo_db: Option<f32>,
    /// Echo delay in milliseconds.
    #[arg(long, requires = "echo_db")]
    echo_ms: Option<f32>,
    /// Band-limit to 300-3400 Hz.
    #[arg(long)]
    band_limit: bool,
    /// Tilt: extra attenuation at 3000 Hz relative to 1000 Hz, dB.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    tilt_db: f32,
    /// G.711 A-law round trip.
    #[arg(long, conflicts_with = "ulaw")]
    alaw: bool,
    /// G.711 µ-law round trip.
    #[arg(long)]
    ulaw: bool,
    /// Noise seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

/// Run `telefax modem`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.cmd {
        Cmd::Tx(a) => tx(a),
        Cmd::Rx(a) => rx(a),
        Cmd::Line(a) => line(a),
    }
}

fn wav_spec() -> hound::WavSpec {
    hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    }
}

fn write_wav(path: &Path, samples: &[i16]) -> anyhow::Result<()> {
    let mut w = hound::WavWriter::create(path, wav_spec())
        .with_context(|| format!("creating {}", path.display()))?;
    for &s in samples {
        w.write_sample(s)?;
    }
    w.finalize()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

fn read_wav(path: &Path) -> anyhow::Result<Vec<i16>> {
    let r = hound::WavReader::open(path).with_context(|| format!("opening {}", path.display()))?;
    let spec = r.spec();
    if spec.channels != 1
        || spec.sample_rate != 8000
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        bail!(
            "{}: need mono 16-bit 8000 Hz PCM, got {} ch {} bit {} Hz",
            path.display(),
            spec.channels,
            spec.bits_per_sample,
            spec.sample_rate
        );
    }
    // The data chunk in one read, converted in bulk (hound's per-sample iterator costs more
    // than the conversion). No preallocation from the header's length: read what is there.
    let want = 2 * u64::from(r.len());
    let mut bytes = Vec::new();
    r.into_inner()
        .take(want)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if (bytes.len() as u64) < want {
        bail!("reading {}: the data chunk is cut short", path.display());
    }
    Ok(bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect())
}

fn tx(a: TxArgs) -> anyhow::Result<ExitCode> {
    let kind: ModemKind = a.modem.parse()?;
    if !(a.seconds.is_finite() && a.seconds > 0.0 && a.seconds <= 36_000.0) {
        bail!("--seconds must be within (0, 36000]");
    }
    let opts = TxOptions {
        rate: a.rate,
        level_dbm0: a.level_dbm0,
        short_train: a.short_train,
    };
    let mut m = AnyModulator::new(kind, &opts)?;
    let total = (a.seconds * 8000.0).round() as usize;
    let mut out = vec![0i16; total];
    let mut pattern = Prbs::o151_23();
    let mut pos = 0;
    while pos < total {
        let end = (pos + 4000).min(total);
        let n = m.modulate(&mut out[pos..end], &mut pattern);
        pos += n;
        if n == 0 {
            break;
        }
    }
    write_wav(&a.output, &out)?;
    Ok(ExitCode::SUCCESS)
}

/// Counts status events and forwards bits to the BER checker.
struct LabSink {
    bert: BertChecker,
    carrier_ups: u32,
    trained: bool,
    training_failed: u32,
}

impl RxSink for LabSink {
    fn put_bit(&mut self, bit: u8) {
        self.bert.put(bit);
    }
    fn put_bits(&mut self, bits: u32, n: u32) {
        self.bert.put_word(bits, n);
    }
    fn status(&mut self, status: RxStatus) {
        match status {
            RxStatus::CarrierUp => self.carrier_ups += 1,
            RxStatus::TrainingSucceeded => self.trained = true,
            RxStatus::TrainingFailed => self.training_failed += 1,
            _ => {}
        }
    }
}

/// CPU time of the calling thread, from Linux's schedstat (nanoseconds), if available.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn rx(a: RxArgs) -> anyhow::Result<ExitCode> {
    let kind: ModemKind = a.modem.parse()?;
    let opts = RxOptions {
        rate: a.rate,
        short_train: a.short_train,
    };
    let samples = read_wav(&a.input)?;
    let rate = if a.rate == 0 {
        kind.default_rate()
    } else {
        a.rate
    };
    let repeat = a.repeat.max(1);
    let mut first: Option<(LabSink, Option<f32>)> = None;
    let mut cpu_ns = 0u64;
    let mut wall = 0f64;
    for _ in 0..repeat {
        let mut d = AnyDemodulator::new(kind, &opts)?;
        let mut sink = LabSink {
            bert: BertChecker::o151_23(),
            carrier_ups: 0,
            trained: false,
            training_failed: 0,
        };
        let c0 = thread_cpu_ns();
        let t0 = Instant::now();
        for block in samples.chunks(160) {
            d.demodulate(block, &mut sink);
        }
        wall += t0.elapsed().as_secs_f64();
        if let (Some(c0), Some(c1)) = (c0, thread_cpu_ns()) {
            cpu_ns += c1.saturating_sub(c0);
        }
        if first.is_none() {
            let q = d.signal_quality_db();
            first = Some((sink, q));
        }
    }
    let (sink, quality) = first.context("no run")?;
    let secs = if cpu_ns > 0 {
        cpu_ns as f64 * 1e-9
    } else {
        wall
    };
    let audio_secs = samples.len() as f64 / 8000.0 * repeat as f64;
    let r = sink.bert.report();
    let trained = if kind.has_training() {
        sink.trained
    } else {
        sink.carrier_ups > 0
    };
    outln!(
        "modem={} rate={} trained={} bits={} bad={} ber={:.3e} resyncs={} synced={} quality_db={} carrier_ups={} training_failed={} samples={} realtime_x={:.0}",
        kind,
        rate,
        trained as u8,
        r.bits,
        r.bad_bits,
        r.ber(),
        r.resyncs,
        r.synced as u8,
        quality.map_or("na".to_string(), |q| format!("{q:.1}")),
        sink.carrier_ups,
        sink.training_failed,
        samples.len(),
        if secs > 0.0 { audio_secs / secs } else { 0.0 },
    );
    Ok(ExitCode::SUCCESS)
}

fn line(a: LineArgs) -> anyhow::Result<ExitCode> {
    let input = read_wav(&a.input)?;
    let noise_dbm0 = match (a.snr_db, a.noise_dbm0) {
        (Some(s), _) => Some(telefax_dsp::line::REFERENCE_SIGNAL_DBM0 - s),
        (None, n) => n,
    };
    let cfg = LineConfig {
        atten_db: a.atten_db,
        noise_dbm0,
        freq_offset_hz: a.freq_offset_hz,
        clock_ppm: a.drift_ppm,
        echo: match (a.echo_db, a.echo_ms) {
            (Some(level_db), Some(delay_ms)) => Some(Echo { delay_ms, level_db }),
            _ => None,
        },
        band_limit: a.band_limit,
        tilt_db: a.tilt_db,
        codec: if a.alaw {
            Codec::ALaw
        } else if a.ulaw {
            Codec::ULaw
        } else {
            Codec::Linear
        },
        dropouts: Vec::new(),
        seed: a.seed,
    };
    let mut sim = LineSim::new(&cfg)?;
    let out = sim.process_to_vec(&input);
    write_wav(&a.output, &out)?;
    Ok(ExitCode::SUCCESS)
}
