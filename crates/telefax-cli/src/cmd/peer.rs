//! `telefax peer`: one fax endpoint speaking raw audio on stdin/stdout in the pipe protocol
//! (signed 16-bit little-endian mono 8 kHz, lockstep blocks of 160 samples: write a block,
//! then read a block), so that two processes joined by two pipes hold a real call.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use telefax::endpoint::{Endpoint, Event, JobKind, ReceivedPage, Role};
use telefax::t30::session::CallResult;

use super::call::{self, CallOptions};

/// Samples per block of the pipe protocol (20 ms).
const BLOCK: usize = 160;

/// Arguments of `telefax peer`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Place the call (calling terminal).
    #[arg(long, conflicts_with = "answer", required_unless_present = "answer")]
    pub call: bool,
    /// Answer the call (called terminal).
    #[arg(long)]
    pub answer: bool,
    /// Send this TIFF.
    #[arg(
        long,
        value_name = "IN.tif",
        conflicts_with = "receive",
        required_unless_present = "receive"
    )]
    pub send: Option<PathBuf>,
    /// Receive into this TIFF (a calling terminal polls).
    #[arg(long, value_name = "OUT.tif")]
    pub receive: Option<PathBuf>,
    #[command(flatten)]
    pub opts: CallOptions,
    /// Record both directions as a stereo WAV (left: what we sent, right: what we heard).
    #[arg(long, value_name = "CALL.wav")]
    pub record: Option<PathBuf>,
    /// Give up after this many seconds of audio.
    #[arg(long, default_value_t = 600.0)]
    pub max_seconds: f64,
}

/// Run `telefax peer`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let role = if args.call {
        Role::Calling
    } else {
        Role::Answering
    };
    let job = match (&args.send, role) {
        (Some(_), _) => JobKind::Send,
        (None, Role::Calling) => JobKind::Poll,
        (None, Role::Answering) => JobKind::Receive,
    };
    let cfg = args.opts.endpoint(role, job)?;
    let mut ep = Endpoint::new(cfg)?;
    if let Some(path) = &args.send {
        for (bitmap, x, y) in call::load_document(path)? {
            ep.queue_page(bitmap, x, y)?;
        }
        ep.finish_document()?;
    }

    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut input = stdin.lock();
    let mut output = stdout.lock();
    let mut tx = [0i16; BLOCK];
    let mut rx = [0i16; BLOCK];
    let mut bytes = [0u8; 2 * BLOCK];
    let mut pages: Vec<ReceivedPage> = Vec::new();
    let mut result: Option<CallResult> = None;
    let mut rec: Option<(Vec<i16>, Vec<i16>)> =
        args.record.as_ref().map(|_| (Vec::new(), Vec::new()));
    let mut linger = 0usize; // blocks exchanged after our call ended (1 s, then exit)
    let max_blocks = (args.max_seconds * 8000.0 / BLOCK as f64) as u64;
    let mut hung_up = false;
    for _ in 0..max_blocks {
        ep.poll_tx(&mut tx);
        for (i, s) in tx.iter().enumerate() {
            bytes[2 * i..2 * i + 2].copy_from_slice(&s.to_le_bytes());
        }
        if output
            .write_all(&bytes)
            .and_then(|_| output.flush())
            .is_err()
        {
            hung_up = true;
        }
        if !hung_up && !read_block(&mut input, &mut bytes)? {
            hung_up = true;
        }
        if hung_up {
            if result.is_none() {
                tracing::info!("the far end hung up");
                ep.abort();
                drain(&mut ep, &mut pages, &mut result);
            }
            break;
        }
        for (i, s) in rx.iter_mut().enumerate() {
            *s = i16::from_le_bytes([bytes[2 * i], bytes[2 * i + 1]]);
        }
        ep.handle_rx(&rx);
        if let Some((l, r)) = rec.as_mut() {
            l.extend_from_slice(&tx);
            r.extend_from_slice(&rx);
        }
        drain(&mut ep, &mut pages, &mut result);
        if result.is_some() {
            linger += 1;
            if linger >= 8000 / BLOCK {
                break;
            }
        }
    }
    if result.is_none() {
        ep.abort();
        drain(&mut ep, &mut pages, &mut result);
    }
    if let (Some(path), Some((l, r))) = (&args.record, &rec) {
        call::write_stereo_wav(path, l, r)?;
    }
    if let Some(path) = &args.receive {
        if !pages.is_empty() {
            call::save_pages(path, &pages)?;
        }
    }
    eprintln!("{}", call::outcome_line(result.as_ref(), &pages));
    Ok(match result {
        Some(Ok(_)) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    })
}

/// Read one whole block, reassembling short reads. `false` at end of input.
fn read_block(input: &mut impl Read, buf: &mut [u8]) -> anyhow::Result<bool> {
    let mut got = 0;
    while got < buf.len() {
        match input.read(&mut buf[got..]) {
            Ok(0) => return Ok(false),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("reading audio from stdin"),
        }
    }
    Ok(true)
}

fn drain(ep: &mut Endpoint, pages: &mut Vec<ReceivedPage>, result: &mut Option<CallResult>) {
    while let Some(ev) = ep.poll_event() {
        match ev {
            Event::PageReceived(p) => {
                eprintln!(
                    "page {}: {}x{} {:?} {:?}, {} bad rows",
                    p.number,
                    p.bitmap.width,
                    p.bitmap.height,
                    p.mode.coding,
                    p.mode.resolution,
                    p.stats.bad_rows
                );
                pages.push(*p);
            }
            Event::Ended(r) => *result = Some(r),
            other => tracing::debug!(?other, "event"),
        }
    }
}
