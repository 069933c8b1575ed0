//! `telefax simulate`: two fax endpoints in one process joined through the line simulator,
//! as fast as the CPU allows.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use telefax::dsp::line::{Codec, Dropout, Echo, LineConfig};
use telefax::endpoint::{Endpoint, Event, JobKind, Role};
use telefax::simulate::{Pair, PairConfig};

use super::call::{self, CallOptions};

/// Arguments of `telefax simulate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The document the calling endpoint sends.
    #[arg(long, value_name = "IN.tif")]
    pub send: PathBuf,
    /// Where the answering endpoint writes the pages it receives.
    #[arg(long, value_name = "OUT.tif")]
    pub receive: Option<PathBuf>,
    /// Signal-to-noise ratio in dB (noise at -13-S dBm0 over 0-4 kHz, both directions).
    #[arg(long, allow_negative_numbers = true)]
    pub snr_db: Option<f32>,
    /// Level at which each side's signal arrives, in dBm0 (by attenuating the line).
    #[arg(long, allow_negative_numbers = true)]
    pub level_dbm0: Option<f32>,
    /// Carrier frequency offset in Hz.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub freq_offset_hz: f32,
    /// Sample-clock offset of the far end in ppm.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub drift_ppm: f32,
    /// Talker echo level in dB relative to the own signal (e.g. -20).
    #[arg(long, allow_negative_numbers = true, requires = "echo_ms")]
    pub echo_db: Option<f32>,
    /// Talker echo delay in ms.
    #[arg(long)]
    pub echo_ms: Option<f32>,
    /// G.711 A-law on the line.
    #[arg(long, conflicts_with = "ulaw")]
    pub alaw: bool,
    /// G.711 µ-law on the line.
    #[arg(long)]
    pub ulaw: bool,
    /// Noise (and burst) seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Random line dropouts on the caller-to-answerer line, on average this many per minute
    /// (each destroys what is sent during it: HDLC frames, page rows).
    #[arg(long, default_value_t = 0.0)]
    pub bursts_per_min: f64,
    /// Length of each dropout in ms.
    #[arg(long, default_value_t = 20.0)]
    pub burst_ms: f64,
    #[command(flatten)]
    pub opts: CallOptions,
    /// Record the call as a stereo WAV (left: caller to answerer, right: answerer to caller).
    #[arg(long, value_name = "CALL.wav")]
    pub record: Option<PathBuf>,
    /// Give up after this many seconds of audio.
    #[arg(long, default_value_t = 900.0)]
    pub max_seconds: f64,
}

/// Run `telefax simulate`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut caller = Endpoint::new(args.opts.endpoint(Role::Calling, JobKind::Send)?)?;
    for (bitmap, x, y) in call::load_document(&args.send)? {
        caller.queue_page(bitmap, x, y)?;
    }
    caller.finish_document()?;
    let answerer = Endpoint::new(args.opts.endpoint(Role::Answering, JobKind::Receive)?)?;
    let mut line = LineConfig {
        noise_dbm0: args.snr_db.map(|s| -13.0 - s),
        freq_offset_hz: args.freq_offset_hz,
        clock_ppm: args.drift_ppm,
        codec: if args.alaw {
            Codec::ALaw
        } else if args.ulaw {
            Codec::ULaw
        } else {
            Codec::Linear
        },
        seed: args.seed,
        ..LineConfig::default()
    };
    let mut line_ab_dropouts = Vec::new();
    if args.bursts_per_min > 0.0 {
        // Exponential gaps (a Poisson process), from a small seeded generator.
        let mut x = args.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut t = 0.0f64;
        let mean_gap = 60.0 * 8000.0 / args.bursts_per_min;
        let len = (args.burst_ms * 8.0).max(1.0) as u64;
        while t < args.max_seconds * 8000.0 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let u = ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            t += -u.ln() * mean_gap;
            line_ab_dropouts.push(Dropout {
                start: t as u64,
                len,
            });
        }
    }
    if let Some(level) = args.level_dbm0 {
        line.atten_db = (args.opts.tx_level_dbm0 - level).max(0.0);
    }
    if let (Some(db), Some(ms)) = (args.echo_db, args.echo_ms) {
        // A line echo too (the far end's hybrid), besides the talker echo below.
        line.echo = Some(Echo {
            delay_ms: ms,
            level_db: db,
        });
    }
    let cfg = PairConfig {
        line_ba: LineConfig {
            seed: args.seed.wrapping_add(1),
            ..line.clone()
        },
        line_ab: LineConfig {
            dropouts: line_ab_dropouts,
            ..line
        },
        echo: args.echo_db.zip(args.echo_ms),
        record: args.record.is_some(),
    };
    let mut pair = Pair::new(caller, answerer, &cfg)?;
    let t0 = Instant::now();
    let outcome = pair.run(args.max_seconds);
    let cpu = t0.elapsed().as_secs_f64();
    for (side, t, ev) in &outcome.events {
        match ev {
            Event::Negotiated(m) => eprintln!(
                "{:7.2} s {side:?}: mode {} {:?} {:?} {:?}",
                *t as f64 / 8000.0,
                m.modem.name(),
                m.coding,
                m.resolution,
                m.width
            ),
            Event::Training { modem, ok } => eprintln!(
                "{:7.2} s {side:?}: training at {} {}",
                *t as f64 / 8000.0,
                modem.name(),
                if *ok {
                    "confirmed (CFR)"
                } else {
                    "failed (FTT)"
                }
            ),
            Event::PageReceived(p) => eprintln!(
                "{:7.2} s page {}: {}x{}, {} bad rows (longest run {}), answered {:?}",
                *t as f64 / 8000.0,
                p.number,
                p.bitmap.width,
                p.bitmap.height,
                p.stats.bad_rows,
                p.stats.longest_bad_run,
                p.response
            ),
            _ => {}
        }
    }
    if let (Some(path), Some((l, r))) = (&args.record, pair.recording()) {
        call::write_stereo_wav(path, l, r)?;
    }
    if let Some(path) = &args.receive {
        if !outcome.pages.is_empty() {
            call::save_pages(path, &outcome.pages)?;
        }
    }
    outln!(
        "{} audio_s={:.1} cpu_s={:.3}",
        call::outcome_line(outcome.caller.as_ref(), &outcome.pages),
        outcome.seconds,
        cpu
    );
    Ok(match (&outcome.caller, &outcome.answerer) {
        (Some(Ok(_)), Some(Ok(_))) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}
