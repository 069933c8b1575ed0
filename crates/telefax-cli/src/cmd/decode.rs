//! `telefax decode`: turn a recording of a fax call into its pages (TIFF, PDF, PNG) and a JSON
//! account of the call.
//!
//! The TIFF (Class F) holds each page in the coding it arrived in: MH as Compression 3, MR as
//! Compression 3 with T4Options 2-D, MMR as Compression 4 (`--mmr`: every page as
//! Compression 4), with X/YResolution from the DCS. The PDF embeds T.6 (G4) images.
//!
//! Exit codes (also in `--help`):
//! - 0: at least one page, every page whole (no damaged rows, no missing ECM frames, none
//!   rejected with RTN/PIN), and no page burst that failed to decode;
//! - 3: incomplete: some pages were written, but at least one is damaged, partial, rejected, or
//!   a page could not be decoded at all;
//! - 4: the recording was read but held no page;
//! - 2: error (unreadable or unsupported input, unwritable output, bad arguments).
//!
//! The `--report` JSON (stable: fields are only ever added):
//! ```text
//! {
//!   "input":      { file, format, sample_rate, channels, decoded_channels: ["left","right"], duration_s },
//!   "outcome":    "complete" | "incomplete" | "no_pages",
//!   "exit_code":  0 | 3 | 4,
//!   "pages":      [ { index, time_s, channel, width, length, coding: "MH"|"MR"|"MMR",
//!                     resolution: "Standard"|"Fine"|"Superfine", modem: "V.17"|"V.29"|"V.27ter",
//!                     rate, ecm, bad_rows, longest_bad_run, missing_frames: [[block, frame]],
//!                     confirmed: true|false|null, response: "MCF"|"RTN"|...|null, guessed } ],
//!   "frames":     [ { time_s, channel: "mono"|"left"|"right", name: "DCS", fcs_ok,
//!                     hex: "ff 13 83 ...", fields: { ... } } ],
//!   "negotiated": [ { time_s, modem, rate, coding, resolution, width, ecm, ecm_frame_size } ],
//!   "training":   [ { time_s, channel, modem, rate, ok } ],
//!   "tcf":        [ { time_s, channel, bits, ones, longest_zero_run } ],
//!   "tones":      [ { time_s, channel, tone: "Cng"|"Ced" } ],
//!   "call_ended": { time_s, dcn } | null
//! }
//! ```
//! `hex` is the frame without its FCS, octets in reception order (first bit = LSB: DIS is
//! `80`, DCS `82`/`83`). `fields` holds identities (CSI/TSI/CIG, in reading order), the DCS
//! parameters, PPS counters and the frames a PPR asks for.
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;
use serde_json::{json, Value};
use telefax::decoder::{
    fcf, params, CallDecoder, DecoderConfig, DecoderEvent, FrameInfo, ReceivedPage, ReceiverMode,
    TcfResult, Tone, Training, VerticalResolution,
};

use crate::audio::{self, Audio, RawEncoding};

/// Exit code: every page decoded whole.
pub const EXIT_COMPLETE: u8 = 0;
/// Exit code: pages written, but the call was incomplete or damaged.
pub const EXIT_INCOMPLETE: u8 = 3;
/// Exit code: no page in the recording.
pub const EXIT_NO_PAGES: u8 = 4;

/// Which channel(s) of the recording to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChannelSel {
    /// Both channels of a stereo recording, merged (a mono file is decoded as it is).
    Both,
    /// Only the left (first) channel.
    Left,
    /// Only the right (second) channel.
    Right,
}

/// Arguments of `telefax decode`.
#[derive(clap::Args)]
#[command(
    after_help = "Exit codes: 0 every page whole; 3 incomplete (some pages damaged, \
partial or missing; the good pages are still written); 4 no page found; 2 error."
)]
pub struct Args {
    /// The recording: WAV (PCM 8/16/24/32-bit, float, A-law, µ-law; mono or stereo; any rate),
    /// or headerless audio with --raw.
    pub input: PathBuf,
    /// Write the pages as a TIFF Class F file, one page per received page, each in the coding
    /// it arrived in (MH: Compression 3; MR: Compression 3 with T4Options 2-D; MMR:
    /// Compression 4), with its resolution.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Write every TIFF page as T.6/MMR (Compression 4) instead of the coding it arrived in.
    #[arg(long)]
    pub mmr: bool,
    /// Also write the pages as a PDF.
    #[arg(long)]
    pub pdf: Option<PathBuf>,
    /// Also write one PNG per page into this directory (page-001.png, ...).
    #[arg(long)]
    pub png_dir: Option<PathBuf>,
    /// Write a JSON account of the call (frames, parameters, training, pages, outcome).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// No progress bar and no per-page lines on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// The input is headerless audio (see --rate, --encoding).
    #[arg(long)]
    pub raw: bool,
    /// Sample rate of --raw input.
    #[arg(long, default_value_t = 8000)]
    pub rate: u32,
    /// Encoding of --raw input.
    #[arg(long, value_enum, default_value_t = RawEncoding::S16le)]
    pub encoding: RawEncoding,
    /// Which channel(s) of a stereo recording to decode.
    #[arg(long, value_enum, default_value_t = ChannelSel::Both)]
    pub channel: ChannelSel,
    /// Run every high-speed receiver all the time, not only the one DCS selected.
    #[arg(long)]
    pub all_receivers: bool,
}

/// Everything the decoder reported, collected for the summary and the report.
#[derive(Default)]
struct Collected {
    frames: Vec<FrameInfo>,
    tones: Vec<(f64, usize, Tone)>,
    negotiated: Vec<(f64, params::Params)>,
    training: Vec<Training>,
    tcf: Vec<TcfResult>,
    pages: Vec<ReceivedPage>,
    confirmations: Vec<(usize, bool, &'static str)>,
    ended: Option<(f64, bool)>,
}

/// Run `telefax decode`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let audio = if args.raw {
        audio::read_raw(&bytes, args.rate, args.encoding)
    } else {
        audio::read_wav(bytes)
    }
    .with_context(|| format!("{}", args.input.display()))?;
    let (chans, names) = select_channels(&audio, args.channel)?;
    let show_progress = !args.quiet && std::io::stderr().is_terminal() && audio.duration_s() > 30.0;
    let mode = if args.all_receivers {
        ReceiverMode::All
    } else {
        ReceiverMode::FollowDcs
    };
    let col = decode(&chans, mode, show_progress, args.quiet, &names);

    // Outputs.
    let tiff_pages: Vec<telefax::tiff::Page> = col.pages.iter().map(tiff_page).collect();
    if !tiff_pages.is_empty() {
        if let Some(out) = &args.output {
            let doc = tiff_document(&col.pages, &tiff_pages, args.mmr)?;
            std::fs::write(out, doc).with_context(|| format!("cannot write {}", out.display()))?;
        }
        if let Some(out) = &args.pdf {
            let doc = telefax::tiff::pdf::write_pdf(&tiff_pages).context("writing the PDF")?;
            std::fs::write(out, doc).with_context(|| format!("cannot write {}", out.display()))?;
        }
        if let Some(dir) = &args.png_dir {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for (i, p) in col.pages.iter().enumerate() {
                let png = telefax::tiff::png::write_png(&p.bitmap).context("writing a PNG")?;
                let path = dir.join(format!("page-{:03}.png", i + 1));
                std::fs::write(&path, png)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    let (outcome, code) = outcome(&col);
    if let Some(out) = &args.report {
        let report = report(&args, &audio, &names, &col, outcome, code);
        let text = serde_json::to_string_pretty(&report)?;
        std::fs::write(out, text + "\n")
            .with_context(|| format!("cannot write {}", out.display()))?;
    }
    if !args.quiet {
        eprintln!(
            "{}: {} page(s), {} frame(s), {}",
            args.input.display(),
            col.pages.len(),
            col.frames.len(),
            outcome
        );
    }
    if col.pages.is_empty() && (args.output.is_some() || args.pdf.is_some()) && !args.quiet {
        eprintln!("telefax: no page found, no TIFF/PDF written");
    }
    Ok(ExitCode::from(code))
}

/// The channels to decode (8 kHz), and their names for the report.
fn select_channels(
    audio: &Audio,
    sel: ChannelSel,
) -> anyhow::Result<(Vec<Vec<i16>>, Vec<&'static str>)> {
    let n = audio.channels.len();
    Ok(match (n, sel) {
        (1, ChannelSel::Both) => (audio.channels.clone(), vec!["mono"]),
        (1, _) => anyhow::bail!("--channel left/right needs a stereo recording"),
        (_, ChannelSel::Both) => (audio.channels.clone(), vec!["left", "right"]),
        (_, ChannelSel::Left) => (vec![audio.channels[0].clone()], vec!["left"]),
        (_, ChannelSel::Right) => (vec![audio.channels[1].clone()], vec!["right"]),
    })
}

fn decode(
    chans: &[Vec<i16>],
    mode: ReceiverMode,
    progress: bool,
    quiet: bool,
    names: &[&str],
) -> Collected {
    let mut dec = CallDecoder::new(DecoderConfig::with_channels(chans.len()).receivers(mode));
    let len = chans[0].len();
    let bar = progress.then(|| {
        let b = indicatif::ProgressBar::new(len as u64 / 8000);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} s {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut col = Collected::default();
    let chunk = 8000;
    let mut pos = 0;
    while pos < len {
        let end = (pos + chunk).min(len);
        // Errors only come from a layout mismatch, which cannot happen here.
        let _ = if chans.len() == 1 {
            dec.push(&chans[0][pos..end])
        } else {
            dec.push_channels(&chans[0][pos..end], &chans[1][pos..end])
        };
        collect(&mut dec, &mut col, quiet, names, bar.as_ref());
        pos = end;
        if let Some(b) = &bar {
            b.set_position(pos as u64 / 8000);
        }
    }
    dec.finish();
    collect(&mut dec, &mut col, quiet, names, bar.as_ref());
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    col
}

fn collect(
    dec: &mut CallDecoder,
    col: &mut Collected,
    quiet: bool,
    names: &[&str],
    bar: Option<&indicatif::ProgressBar>,
) {
    while let Some(ev) = dec.poll_event() {
        match ev {
            DecoderEvent::Frame(f) => col.frames.push(f),
            DecoderEvent::Tone {
                time_s,
                channel,
                tone,
            } => col.tones.push((time_s, channel, tone)),
            DecoderEvent::Negotiated { time_s, params } => col.negotiated.push((time_s, params)),
            DecoderEvent::Training(t) => col.training.push(t),
            DecoderEvent::Tcf(t) => col.tcf.push(t),
            DecoderEvent::Page(p) => {
                if !quiet {
                    let line = page_line(&p, names);
                    match bar {
                        Some(b) => b.println(line),
                        None => eprintln!("{line}"),
                    }
                }
                col.pages.push(*p);
            }
            DecoderEvent::PageConfirmed {
                page,
                confirmed,
                response,
            } => col.confirmations.push((page, confirmed, response)),
            DecoderEvent::CallEnded { time_s, dcn } if col.ended.is_none() => {
                col.ended = Some((time_s, dcn));
            }
            _ => {}
        }
    }
}

fn page_line(p: &ReceivedPage, names: &[&str]) -> String {
    format!(
        "page {}: {}x{} {} {:?}{}, {} {} bit/s, {} bad row(s){}, at {:.1} s on {}{}",
        p.index + 1,
        p.bitmap.width,
        p.bitmap.height,
        p.coding.name(),
        p.resolution,
        if p.ecm { " ECM" } else { "" },
        p.modem.name(),
        p.rate,
        p.bad_rows,
        if p.missing_frames.is_empty() {
            String::new()
        } else {
            format!(", {} ECM frame(s) missing", p.missing_frames.len())
        },
        p.time_s,
        names.get(p.channel).unwrap_or(&"?"),
        if p.guessed {
            " (no DCS heard: parameters guessed)"
        } else {
            ""
        },
    )
}

fn tiff_page(p: &ReceivedPage) -> telefax::tiff::Page {
    use telefax::tiff::{CleanFaxData, Resolution};
    let res = match p.resolution {
        VerticalResolution::Standard => Resolution::STANDARD,
        VerticalResolution::Fine => Resolution::FINE,
        VerticalResolution::Superfine => Resolution::dpi_const(204, 391),
    };
    let mut page = telefax::tiff::Page::from_bitmap(p.bitmap.clone(), Some(res));
    page.fax.bad_fax_lines = Some(p.bad_rows as u32);
    page.fax.consecutive_bad_fax_lines = Some(p.longest_bad_run as u32);
    page.fax.clean_fax_data = Some(if p.bad_rows == 0 && p.missing_frames.is_empty() {
        CleanFaxData::Clean
    } else {
        CleanFaxData::Regenerated
    });
    page
}

/// The TIFF coding for a received page: the coding it arrived in (T.4 §4.1 MH, T.4 §4.2 MR
/// with the K of its resolution, T.6 MMR), or MMR for every page when `mmr` is set.
///
/// The page is coded afresh from its (repaired) bitmap: the data on the line carried fill bits,
/// training tail and possibly damaged rows that have no place in a file.
fn arrival_target(p: &ReceivedPage, mmr: bool) -> telefax::tiff::Target {
    use telefax::decoder::Coding;
    use telefax::tiff::{Target, TargetCoding};
    let coding = match (mmr, p.coding) {
        (true, _) | (false, Coding::Mmr) => TargetCoding::Mmr,
        (false, Coding::Mh) => TargetCoding::Mh,
        // T.4 §4.2.1.3.4: K = 2 at standard, 4 at fine, 8 at superfine resolution.
        (false, Coding::Mr) => TargetCoding::Mr {
            k: match p.resolution {
                VerticalResolution::Standard => 2,
                VerticalResolution::Fine => 4,
                VerticalResolution::Superfine => 8,
            },
        },
    };
    Target::new(coding)
}

/// The TIFF Class F document of the received pages (`tiff_pages` are their bitmap pages with
/// resolution and fax tags, in the same order).
fn tiff_document(
    pages: &[ReceivedPage],
    tiff_pages: &[telefax::tiff::Page],
    mmr: bool,
) -> anyhow::Result<Vec<u8>> {
    let coded = pages
        .iter()
        .zip(tiff_pages)
        .map(|(r, p)| {
            let target = arrival_target(r, mmr);
            p.encode(&target)
                .with_context(|| format!("coding page {} as {:?}", r.index + 1, target.coding))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    telefax::tiff::write_document(&coded, &Default::default()).context("writing the TIFF")
}

fn page_confirmation(col: &Collected, index: usize) -> Option<(bool, &'static str)> {
    col.confirmations
        .iter()
        .find(|c| c.0 == index)
        .map(|c| (c.1, c.2))
}

/// The call's outcome and exit code.
fn outcome(col: &Collected) -> (&'static str, u8) {
    if col.pages.is_empty() {
        return ("no_pages", EXIT_NO_PAGES);
    }
    let damaged = col.pages.iter().any(|p| {
        p.bad_rows > 0
            || !p.missing_frames.is_empty()
            || page_confirmation(col, p.index).is_some_and(|c| !c.0)
    });
    // More post-message commands than pages: a page went by that we could not decode.
    let post_msgs = col
        .frames
        .iter()
        .filter(|f| f.fcs_ok)
        .filter_map(|f| f.fcf())
        .filter(|&o| {
            matches!(
                fcf::strip_x(o),
                fcf::MPS | fcf::EOP | fcf::EOM | fcf::PRI_MPS | fcf::PRI_EOP | fcf::PRI_EOM
            )
        })
        .count();
    // Repeats of one post-message command (lost MCF) count once: count confirmations.
    let positives = col.confirmations.iter().filter(|c| c.1).count();
    let missed = post_msgs > 0 && positives > col.pages.len();
    if damaged || missed {
        ("incomplete", EXIT_INCOMPLETE)
    } else {
        ("complete", EXIT_COMPLETE)
    }
}

#[derive(Serialize)]
struct PageReport {
    index: usize,
    time_s: f64,
    channel: String,
    width: u32,
    length: u32,
    coding: &'static str,
    resolution: VerticalResolution,
    modem: &'static str,
    rate: u32,
    ecm: bool,
    bad_rows: usize,
    longest_bad_run: usize,
    missing_frames: Vec<[u8; 2]>,
    confirmed: Option<bool>,
    response: Option<&'static str>,
    guessed: bool,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn report(
    args: &Args,
    audio: &Audio,
    names: &[&str],
    col: &Collected,
    outcome: &str,
    code: u8,
) -> Value {
    let chan = |i: usize| names.get(i).copied().unwrap_or("?").to_string();
    let pages: Vec<PageReport> = col
        .pages
        .iter()
        .map(|p| {
            let conf = page_confirmation(col, p.index);
            PageReport {
                index: p.index,
                time_s: round3(p.time_s),
                channel: chan(p.channel),
                width: p.bitmap.width,
                length: p.bitmap.height,
                coding: p.coding.name(),
                resolution: p.resolution,
                modem: p.modem.name(),
                rate: p.rate,
                ecm: p.ecm,
                bad_rows: p.bad_rows,
                longest_bad_run: p.longest_bad_run,
                missing_frames: p.missing_frames.iter().map(|&(b, f)| [b, f]).collect(),
                confirmed: conf.map(|c| c.0),
                response: conf.map(|c| c.1),
                guessed: p.guessed,
            }
        })
        .collect();
    let frames: Vec<Value> = col
        .frames
        .iter()
        .map(|f| {
            json!({
                "time_s": round3(f.time_s),
                "channel": chan(f.channel),
                "name": f.name(),
                "fcs_ok": f.fcs_ok,
                "hex": hex(&f.bytes),
                "fields": frame_fields(f),
            })
        })
        .collect();
    json!({
        "input": {
            "file": args.input.display().to_string(),
            "format": audio.format,
            "sample_rate": audio.input_rate,
            "channels": audio.channels.len(),
            "decoded_channels": names,
            "duration_s": round3(audio.duration_s()),
        },
        "outcome": outcome,
        "exit_code": code,
        "pages": pages,
        "frames": frames,
        "negotiated": col.negotiated.iter().map(|(t, p)| json!({
            "time_s": round3(*t),
            "modem": p.modem.name(),
            "rate": p.rate,
            "coding": p.coding.name(),
            "resolution": p.resolution,
            "width": p.width,
            "ecm": p.ecm,
            "ecm_frame_size": p.ecm_frame_size,
        })).collect::<Vec<_>>(),
        "training": col.training.iter().map(|t| json!({
            "time_s": round3(t.time_s),
            "channel": chan(t.channel),
            "modem": t.modem.name(),
            "rate": t.rate,
            "ok": t.ok,
        })).collect::<Vec<_>>(),
        "tcf": col.tcf.iter().map(|t| json!({
            "time_s": round3(t.time_s),
            "channel": chan(t.channel),
            "bits": t.bits,
            "ones": t.ones,
            "longest_zero_run": t.longest_zero_run,
        })).collect::<Vec<_>>(),
        "tones": col.tones.iter().map(|(t, c, tone)| json!({
            "time_s": round3(*t),
            "channel": chan(*c),
            "tone": tone,
        })).collect::<Vec<_>>(),
        "call_ended": col.ended.map(|(t, dcn)| json!({"time_s": round3(t), "dcn": dcn})),
    })
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{x:02x}"));
    }
    s
}

/// Decoded fields of a frame: identities, DCS parameters, PPS counters.
fn frame_fields(f: &FrameInfo) -> Value {
    let fif = f.fif();
    match f.name() {
        // Identities are 20 characters sent last character first (T.30 §5.3.6.2.4).
        "CSI" | "TSI" | "CIG" => {
            let id: String = fif.iter().rev().map(|&c| c as char).collect();
            json!({ "identity": id.trim() })
        }
        "DCS" => match params::parse_dcs(fif) {
            Some(p) => json!({
                "modem": p.modem.name(),
                "rate": p.rate,
                "coding": p.coding.name(),
                "resolution": p.resolution,
                "width": p.width,
                "ecm": p.ecm,
                "ecm_frame_size": p.ecm_frame_size,
            }),
            None => json!({}),
        },
        "PPS" if fif.len() >= 4 => json!({
            "post_message": if fcf::strip_x(fif[0]) == 0 { "NULL" } else { fcf::name(fif[0]) },
            "page": fif[1],
            "block": fif[2],
            "frames": u32::from(fif[3]) + 1,
        }),
        "PPR" => {
            let missing: Vec<usize> = (0..256)
                .filter(|&i| fif.get(i / 8).is_some_and(|o| o >> (i % 8) & 1 == 1))
                .collect();
            json!({ "requested_frames": missing })
        }
        _ => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus_wav(case: &str) -> Vec<u8> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/calls")
            .join(case)
            .join("line_stereo.wav");
        std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn wav(tag: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
        let mut h = crate::audio::tests::wav_header(tag, channels, rate, bits, data.len() as u32);
        h.extend_from_slice(data);
        h
    }

    fn decode_audio(a: &Audio) -> Collected {
        let (chans, names) = select_channels(a, ChannelSel::Both).unwrap();
        decode(&chans, ReceiverMode::FollowDcs, false, true, &names)
    }

    /// p03 (V.27ter 4800, MH, 1143 rows) read through the real WAV path.
    fn check_p03(col: &Collected) {
        assert_eq!(col.pages.len(), 1);
        assert_eq!(col.pages[0].bitmap.height, 1143);
        assert_eq!(col.pages[0].bad_rows, 0);
        assert_eq!(outcome(col), ("complete", EXIT_COMPLETE));
    }

    #[test]
    fn alaw_wav_decodes() {
        let pcm = audio::read_wav(corpus_wav("p03_v27ter_noecm_1d_blank_std")).unwrap();
        let expand = telefax::dsp::g711::alaw_decode;
        let mut table: Vec<(i16, u8)> = (0..=255u8).map(|c| (expand(c), c)).collect();
        table.sort();
        let mut bytes = Vec::new();
        for i in 0..pcm.channels[0].len() {
            for c in &pcm.channels {
                let s = c[i];
                let j = table.partition_point(|&(v, _)| v < s).min(255);
                let dist = |v: i16| (i32::from(v) - i32::from(s)).abs();
                let k = if j > 0 && dist(table[j - 1].0) < dist(table[j].0) {
                    j - 1
                } else {
                    j
                };
                bytes.push(table[k].1);
            }
        }
        let a = audio::read_wav(wav(6, 2, 8000, 8, &bytes)).unwrap();
        check_p03(&decode_audio(&a));
    }

    #[test]
    fn wav_at_44k1_float_decodes() {
        use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
        use rubato::{Fft, FixedSync, Resampler};
        let pcm = audio::read_wav(corpus_wav("p03_v27ter_noecm_1d_blank_std")).unwrap();
        let chans: Vec<Vec<f32>> = pcm
            .channels
            .iter()
            .map(|c| c.iter().map(|&s| f32::from(s) / 32768.0).collect())
            .collect();
        let len = chans[0].len();
        let mut rs = Fft::<f32>::new(8000, 44_100, 1024, 2, FixedSync::Input).unwrap();
        let out_len = rs.process_all_needed_output_len(len);
        let mut out = vec![vec![0f32; out_len]; 2];
        let input = SequentialSliceOfVecs::new(&chans, 2, len).unwrap();
        let mut output = SequentialSliceOfVecs::new_mut(&mut out, 2, out_len).unwrap();
        let (_, produced) = rs
            .process_all_into_buffer(&input, &mut output, len, None)
            .unwrap();
        let mut bytes = Vec::with_capacity(produced * 8);
        for i in 0..produced {
            for c in &out {
                bytes.extend_from_slice(&c[i].to_le_bytes());
            }
        }
        let a = audio::read_wav(wav(3, 2, 44_100, 32, &bytes)).unwrap();
        assert_eq!(a.input_rate, 44_100);
        check_p03(&decode_audio(&a));
    }

    // --- Generated calls through the whole command: WAV file in, TIFF/PDF/JSON out. ---

    use telefax::t30::capabilities::{Coding as T30Coding, FastModem as T30Modem};
    use telefax::t4::Bitmap;

    /// A page with short marks on most rows, different per seed.
    fn gen_page(width: u32, height: u32, seed: u32) -> Bitmap {
        let mut b = Bitmap::new(width, height);
        let mut x = seed.wrapping_mul(2654435761) | 1;
        for y in 0..height {
            for _ in 0..5 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let x0 = x % width;
                for dx in 0..(1 + x % 7) {
                    b.set((x0 + dx).min(width - 1), y, true);
                }
            }
        }
        b
    }

    /// A call between two telefax endpoints on one modem and coding, recorded in stereo
    /// (left: caller to answerer).
    fn gen_call(
        modem: T30Modem,
        coding: T30Coding,
        ecm: bool,
        y_dpi: f32,
        page: &Bitmap,
    ) -> Vec<Vec<i16>> {
        use telefax::endpoint::{Endpoint, EndpointConfig};
        use telefax::simulate::{Pair, PairConfig};
        let cfg = |mut c: EndpointConfig| {
            c.modems = vec![modem];
            c.codings = vec![T30Coding::Mh, coding];
            c.ecm = ecm;
            c
        };
        let mut tx = Endpoint::new(cfg(EndpointConfig::sender())).unwrap();
        tx.queue_page(page.clone(), 204.0, y_dpi).unwrap();
        tx.finish_document().unwrap();
        let rx = Endpoint::new(cfg(EndpointConfig::receiver())).unwrap();
        let line = PairConfig {
            record: true,
            ..PairConfig::default()
        };
        let mut pair = Pair::new(tx, rx, &line).unwrap();
        let o = pair.run(300.0);
        assert!(matches!(o.caller, Some(Ok(_))), "{:?}", o.caller);
        assert!(o.pages.len() == 1 && o.pages[0].mode.coding == coding);
        let (l, r) = pair.recording().unwrap();
        vec![l.to_vec(), r.to_vec()]
    }

    /// Resample 8000 Hz channels to `rate` (as a recorder at that rate would have them).
    fn resample(chans: &[Vec<i16>], rate: usize) -> Vec<Vec<f32>> {
        use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
        use rubato::{Fft, FixedSync, Resampler};
        let n = chans.len();
        let input: Vec<Vec<f32>> = chans
            .iter()
            .map(|c| c.iter().map(|&s| f32::from(s) / 32768.0).collect())
            .collect();
        let len = input[0].len();
        let mut rs = Fft::<f32>::new(8000, rate, 1024, n, FixedSync::Input).unwrap();
        let out_len = rs.process_all_needed_output_len(len);
        let mut out = vec![vec![0f32; out_len]; n];
        let inb = SequentialSliceOfVecs::new(&input, n, len).unwrap();
        let mut outb = SequentialSliceOfVecs::new_mut(&mut out, n, out_len).unwrap();
        let (_, produced) = rs
            .process_all_into_buffer(&inb, &mut outb, len, None)
            .unwrap();
        out.iter_mut().for_each(|c| c.truncate(produced));
        out
    }

    /// A 16-bit PCM WAV written with `hound`.
    fn hound_wav(chans: &[Vec<f32>], rate: u32) -> Vec<u8> {
        let spec = hound::WavSpec {
            channels: chans.len() as u16,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut cur = std::io::Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut cur, spec).unwrap();
        for i in 0..chans[0].len() {
            for c in chans {
                w.write_sample((c[i] * 32767.0).round().clamp(-32768.0, 32767.0) as i16)
                    .unwrap();
            }
        }
        w.finalize().unwrap();
        cur.into_inner()
    }

    /// A G.711 A-law WAV (format tag 6), 8000 Hz.
    fn alaw_wav(chans: &[Vec<i16>]) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(chans[0].len() * chans.len());
        for i in 0..chans[0].len() {
            for c in chans {
                bytes.push(telefax::dsp::g711::alaw_encode(c[i]));
            }
        }
        wav(6, chans.len() as u16, 8000, 8, &bytes)
    }

    struct Outputs {
        code: ExitCode,
        tiff: Vec<u8>,
        pdf: Vec<u8>,
        report: Value,
    }

    /// Run `telefax decode IN.wav -o OUT.tif --pdf OUT.pdf --report OUT.json --all-receivers`.
    fn run_command(name: &str, wav_bytes: &[u8], mmr: bool) -> Outputs {
        let dir =
            std::env::temp_dir().join(format!("telefax-decode-test-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("call.wav");
        std::fs::write(&input, wav_bytes).unwrap();
        let args = Args {
            input,
            output: Some(dir.join("out.tif")),
            mmr,
            pdf: Some(dir.join("out.pdf")),
            png_dir: None,
            report: Some(dir.join("out.json")),
            quiet: true,
            raw: false,
            rate: 8000,
            encoding: RawEncoding::S16le,
            channel: ChannelSel::Both,
            all_receivers: true,
        };
        let code = run(args).unwrap();
        let out = Outputs {
            code,
            tiff: std::fs::read(dir.join("out.tif")).unwrap(),
            pdf: std::fs::read(dir.join("out.pdf")).unwrap(),
            report: serde_json::from_slice(&std::fs::read(dir.join("out.json")).unwrap()).unwrap(),
        };
        let _ = std::fs::remove_dir_all(&dir);
        out
    }

    /// Check the TIFF holds `page` once, coded as `compression` at `y_dpi` lines per inch;
    /// cross-check with libtiff's `tiffinfo` where it is installed.
    fn check_tiff(
        name: &str,
        tiff: &[u8],
        page: &Bitmap,
        compression: telefax::tiff::Compression,
        y_dpi: u32,
    ) {
        let pages = telefax::tiff::read_document(tiff).unwrap();
        assert_eq!(pages.len(), 1, "{name}");
        assert_eq!(pages[0].compression(), compression, "{name}");
        let res = pages[0].resolution.expect("resolution tags");
        assert_eq!((res.x.num, res.x.den), (204, 1), "{name}");
        assert_eq!((res.y.num, res.y.den), (y_dpi, 1), "{name}");
        let (bitmap, rep) = pages[0].decode().unwrap();
        assert_eq!(rep.bad_rows, 0, "{name}");
        assert!(bitmap == *page, "{name}: pixels");
        let path =
            std::env::temp_dir().join(format!("telefax-decode-{}-{name}.tif", std::process::id()));
        std::fs::write(&path, tiff).unwrap();
        match std::process::Command::new("tiffinfo").arg(&path).output() {
            Ok(o) if o.status.success() => {
                let text = String::from_utf8_lossy(&o.stdout);
                let scheme = match compression.tag_value() {
                    3 => "Compression Scheme: CCITT Group 3",
                    4 => "Compression Scheme: CCITT Group 4",
                    _ => unreachable!(),
                };
                assert!(text.contains(scheme), "{name}: tiffinfo says\n{text}");
                let two_d = text.contains("2-d encoding");
                assert_eq!(
                    two_d,
                    matches!(compression, telefax::tiff::Compression::T4(o) if o.two_d),
                    "{name}: tiffinfo says\n{text}"
                );
                assert!(
                    text.contains(&format!("Resolution: 204, {y_dpi} pixels/inch")),
                    "{name}: {text}"
                );
            }
            _ => eprintln!("note: tiffinfo not available, TIFF checked with telefax-tiff only"),
        }
        let _ = std::fs::remove_file(&path);
    }

    fn g3(two_d: bool) -> telefax::tiff::Compression {
        telefax::tiff::Compression::T4(telefax::tiff::T4Options {
            two_d,
            ..Default::default()
        })
    }

    const G4: telefax::tiff::Compression = telefax::tiff::Compression::T6 {
        uncompressed: false,
    };

    fn check_pdf(name: &str, pdf: &[u8]) {
        assert!(pdf.starts_with(b"%PDF-"), "{name}");
        let text = String::from_utf8_lossy(pdf);
        assert!(text.contains("/CCITTFaxDecode"), "{name}");
        assert!(text.contains("/K -1"), "{name}: G4 embedded");
    }

    #[test]
    fn mh_fine_call_in_a_44k1_wav_gives_a_g3_1d_tiff() {
        let page = gen_page(1728, 60, 1);
        let chans = gen_call(T30Modem::V29_9600, T30Coding::Mh, false, 196.0, &page);
        let wav = hound_wav(&resample(&chans, 44_100), 44_100);
        let out = run_command("mh44k1", &wav, false);
        assert_eq!(out.code, ExitCode::from(EXIT_COMPLETE));
        assert_eq!(out.report["input"]["sample_rate"], 44_100);
        assert_eq!(out.report["pages"][0]["coding"], "MH");
        assert_eq!(out.report["pages"][0]["resolution"], "Fine");
        check_tiff("mh44k1", &out.tiff, &page, g3(false), 196);
        check_pdf("mh44k1", &out.pdf);
        // --mmr: the same page as T.6.
        let out = run_command("mh44k1-mmr", &wav, true);
        check_tiff("mh44k1-mmr", &out.tiff, &page, G4, 196);
    }

    #[test]
    fn mr_superfine_call_in_an_alaw_wav_gives_a_g3_2d_tiff() {
        let page = gen_page(1728, 90, 2);
        let chans = gen_call(T30Modem::V17_14400, T30Coding::Mr, false, 391.0, &page);
        let out = run_command("mralaw", &alaw_wav(&chans), false);
        assert_eq!(out.code, ExitCode::from(EXIT_COMPLETE));
        assert_eq!(out.report["pages"][0]["coding"], "MR");
        assert_eq!(out.report["pages"][0]["resolution"], "Superfine");
        check_tiff("mralaw", &out.tiff, &page, g3(true), 391);
        check_pdf("mralaw", &out.pdf);
    }

    #[test]
    fn mmr_ecm_call_gives_a_g4_tiff() {
        let page = gen_page(2048, 40, 3);
        let chans = gen_call(T30Modem::V27ter4800, T30Coding::Mmr, true, 98.0, &page);
        let f: Vec<Vec<f32>> = chans
            .iter()
            .map(|c| c.iter().map(|&s| f32::from(s) / 32768.0).collect())
            .collect();
        let out = run_command("mmr", &hound_wav(&f, 8000), false);
        assert_eq!(out.code, ExitCode::from(EXIT_COMPLETE));
        assert_eq!(out.report["pages"][0]["coding"], "MMR");
        assert_eq!(out.report["pages"][0]["ecm"], true);
        check_tiff("mmr", &out.tiff, &page, G4, 98);
        check_pdf("mmr", &out.pdf);
    }

    #[test]
    fn frame_fields_decode_identity_and_dcs() {
        let mut tsi = vec![0xFF, 0x03, 0x43];
        // Sent last character first (T.30 §5.3.6.2.4).
        tsi.extend(b"+55 1234        ".iter().rev());
        let f = FrameInfo {
            time_s: 0.0,
            channel: 0,
            bytes: tsi,
            fcs_ok: true,
        };
        assert_eq!(frame_fields(&f)["identity"], "+55 1234");
        let f = FrameInfo {
            time_s: 0.0,
            channel: 0,
            bytes: vec![0xFF, 0x13, 0x83, 0x00, 0xa2, 0x08],
            fcs_ok: true,
        };
        let v = frame_fields(&f);
        assert_eq!(v["modem"], "V.17");
        assert_eq!(v["rate"], 14400);
        assert_eq!(hex(&f.bytes), "ff 13 83 00 a2 08");
    }
}
