//! `telefax simulate`: two fax endpoints in one process joined through the line simulator,
//! as fast as the CPU allows.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use telefax::dsp::line::{Codec, Dropout, Echo, LineConfig};
use telefax::endpoint::{Endpoint, Event, JobKind, Role};
use telefax::simulate::{FrameLoss, Pair, PairConfig};
use telefax::t30::Fcf;

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
    /// Probability that the caller-to-answerer line destroys each ECM data frame (FCD) the
    /// sender sends (0..1, independent per frame, seeded by --seed); the receiver must ask
    /// for them again with PPR (T.30 Annex A).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub frame_loss: f64,
    /// Probability that each V.21 control frame is destroyed, on both lines (0..1).
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    pub control_loss: f64,
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
    let document = call::load_document(&args.send)?;
    for (bitmap, x, y) in &document {
        caller.queue_page(bitmap.clone(), *x, *y)?;
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
    let taps = args.opts.ecm == "on" || args.frame_loss > 0.0 || args.control_loss > 0.0;
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
        // With ECM or a loss, taps on both lines count the frames (for the ECM figures
        // below) and destroy the ones the loss probabilities pick.
        frame_loss_ab: taps.then_some(FrameLoss {
            ecm_p: args.frame_loss,
            control_p: args.control_loss,
            seed: args.seed,
        }),
        frame_loss_ba: taps.then_some(FrameLoss {
            ecm_p: 0.0,
            control_p: args.control_loss,
            seed: args.seed.wrapping_add(1),
        }),
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
    // Pages the receiver accepted (MCF/RTP); copies it answered RTN (and sent again) or
    // never confirmed are counted apart.
    let accepted: Vec<_> = outcome
        .pages
        .iter()
        .filter(|p| p.accepted())
        .cloned()
        .collect();
    let rejected = outcome.pages.len() - accepted.len();
    if let Some(path) = &args.receive {
        if !accepted.is_empty() {
            call::save_pages(path, &accepted)?;
        }
    }
    let (tx, rx) = (&outcome.frames_ab, &outcome.frames_ba);
    let ecm = if tx.fcd_sent > 0 {
        format!(
            " fcd_sent={} fcd_destroyed={} fcd_resent={} ppr={} ctc={} eor={} control_destroyed={}",
            tx.fcd_sent,
            tx.fcd_destroyed,
            tx.fcd_resent,
            rx.count(Fcf::Ppr),
            tx.count(Fcf::Ctc),
            tx.count(Fcf::Eor),
            tx.control_destroyed + rx.control_destroyed
        )
    } else {
        String::new()
    };
    // Pages that arrived pixel for pixel as sent, matched in order: a page given up with
    // EOR/ERR (not accepted) must not shift the pages after it onto the wrong originals.
    let mut exact = 0;
    let mut next = 0;
    for got in &accepted {
        if let Some(k) = document[next..]
            .iter()
            .position(|(want, _, _)| got.bitmap == *want)
        {
            exact += 1;
            next += k + 1;
        }
    }
    outln!(
        "{} pages_exact={exact} copies_not_accepted={rejected}{ecm} audio_s={:.1} cpu_s={:.3}",
        call::outcome_line(outcome.caller.as_ref(), &accepted),
        outcome.seconds,
        cpu
    );
    Ok(match (&outcome.caller, &outcome.answerer) {
        (Some(Ok(_)), Some(Ok(_))) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// Parse a probability in 0..=1.
fn probability(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not a probability (0 to 1)"))
    }
}

#[cfg(test)]
mod tests {
    use super::probability;

    #[test]
    fn loss_probabilities_are_checked() {
        assert_eq!(probability("0.1"), Ok(0.1));
        assert_eq!(probability("0"), Ok(0.0));
        assert_eq!(probability("1"), Ok(1.0));
        assert!(probability("1.5").is_err());
        assert!(probability("-0.1").is_err());
        assert!(probability("x").is_err());
    }
}
