//! What `telefax peer` and `telefax simulate` share: the call options, loading the document
//! to send from a TIFF, writing received pages to a TIFF, and a one-line outcome.

use std::path::Path;

use anyhow::{bail, Context};
use telefax::endpoint::{EndpointConfig, JobKind, ReceivedPage, Role};
use telefax::t30::capabilities::{Coding, FastModem, Modem};
use telefax::t30::session::CallResult;
use telefax::t4::Bitmap;
use telefax::tiff::{
    read_document, write_document, Page, Resolution, Target, TargetCoding, WriteOptions,
};

/// Options of a fax call.
#[derive(clap::Args, Debug, Clone)]
pub struct CallOptions {
    /// Error correction mode (T.30 Annex A).
    #[arg(long, value_parser = ["on", "off"], default_value = "off")]
    pub ecm: String,
    /// ECM frame size in octets.
    #[arg(long, value_parser = ["64", "256"], default_value = "256")]
    pub ecm_frame_size: String,
    /// Allowed modems, comma separated: v17, v29, v27ter.
    #[arg(long, default_value = "v17,v29,v27ter")]
    pub modems: String,
    /// Allowed codings, comma separated: mh, mr, mmr (MMR needs ECM).
    #[arg(long, default_value = "mh,mr,mmr")]
    pub codings: String,
    /// Local identity (TSI/CSI), up to 20 characters.
    #[arg(long, default_value = "")]
    pub ident: String,
    /// Transmit level in dBm0.
    #[arg(long, default_value_t = -10.0, allow_negative_numbers = true)]
    pub tx_level_dbm0: f32,
}

impl CallOptions {
    /// The endpoint configuration for this role and job.
    pub fn endpoint(&self, role: Role, job: JobKind) -> anyhow::Result<EndpointConfig> {
        let mut cfg = EndpointConfig::new(role, job);
        cfg.modems = parse_modems(&self.modems)?;
        cfg.ecm = self.ecm == "on";
        cfg.ecm_frame_size = self.ecm_frame_size.parse().unwrap_or(256);
        let mut codings = parse_codings(&self.codings)?;
        if !cfg.ecm {
            codings.retain(|c| *c != Coding::Mmr);
        }
        cfg.codings = codings;
        cfg.identity = self.ident.clone();
        cfg.tx_level_dbm0 = self.tx_level_dbm0;
        Ok(cfg)
    }
}

/// `v17,v29,v27ter` to the rates of those modems, fastest first.
pub fn parse_modems(s: &str) -> anyhow::Result<Vec<FastModem>> {
    let mut want = Vec::new();
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        want.push(match name.to_ascii_lowercase().as_str() {
            "v17" | "v.17" => Modem::V17,
            "v29" | "v.29" => Modem::V29,
            "v27ter" | "v27" | "v.27ter" => Modem::V27ter,
            other => bail!("unknown modem {other:?} (use v17, v29, v27ter)"),
        });
    }
    let modems: Vec<FastModem> = FastModem::FALLBACK_ORDER
        .into_iter()
        .filter(|m| want.contains(&m.modem()))
        .collect();
    if modems.is_empty() {
        bail!("no modem given");
    }
    Ok(modems)
}

/// `mh,mr,mmr` to codings.
pub fn parse_codings(s: &str) -> anyhow::Result<Vec<Coding>> {
    let mut out = Vec::new();
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        out.push(match name.to_ascii_lowercase().as_str() {
            "mh" | "1d" => Coding::Mh,
            "mr" | "2d" => Coding::Mr,
            "mmr" | "t6" => Coding::Mmr,
            other => bail!("unknown coding {other:?} (use mh, mr, mmr)"),
        });
    }
    if !out.contains(&Coding::Mh) {
        out.insert(0, Coding::Mh);
    }
    Ok(out)
}

/// The pages of a TIFF as bitmaps with their resolution in dpi (204 × 98 when absent).
pub fn load_document(path: &Path) -> anyhow::Result<Vec<(Bitmap, f32, f32)>> {
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    let pages = read_document(&bytes).with_context(|| format!("{}", path.display()))?;
    if pages.is_empty() {
        bail!("{}: no pages", path.display());
    }
    let mut out = Vec::with_capacity(pages.len());
    for (i, p) in pages.iter().enumerate() {
        let (bitmap, report) = p
            .decode()
            .with_context(|| format!("{}: page {}", path.display(), i + 1))?;
        if report.bad_rows > 0 {
            tracing::warn!(
                page = i + 1,
                bad_rows = report.bad_rows,
                "damaged rows in the document"
            );
        }
        let (x, y) = p.resolution.and_then(|r| r.dpi()).unwrap_or((204.0, 98.0));
        out.push((bitmap, x as f32, y as f32));
    }
    Ok(out)
}

/// Write received pages as a multi-page TIFF Class F (T.6 coded, resolution kept).
pub fn save_pages(path: &Path, pages: &[ReceivedPage]) -> anyhow::Result<()> {
    let mut out = Vec::with_capacity(pages.len());
    for p in pages {
        let (x, y) = p.dpi;
        let res = Resolution::dpi_const(x.round() as u32, y.round() as u32);
        let page = Page::from_bitmap(p.bitmap.clone(), Some(res));
        out.push(page.encode(&Target::new(TargetCoding::Mmr))?);
    }
    let opts = WriteOptions {
        software: Some(format!("telefax {}", env!("CARGO_PKG_VERSION"))),
        number_pages: true,
    };
    let bytes = write_document(&out, &opts)?;
    std::fs::write(path, bytes).with_context(|| format!("{}", path.display()))?;
    Ok(())
}

/// One line describing how a call ended.
pub fn outcome_line(result: Option<&CallResult>, pages: &[ReceivedPage]) -> String {
    let bad: u32 = pages.iter().map(|p| p.stats.bad_rows).sum();
    let mode = pages
        .last()
        .map(|p| {
            format!(
                " modem={} coding={:?} resolution={:?} width={}",
                p.mode.modem.name(),
                p.mode.coding,
                p.mode.resolution,
                p.bitmap.width
            )
        })
        .unwrap_or_default();
    match result {
        Some(Ok(s)) => format!(
            "result=OK pages_sent={} pages_received={} bad_rows={bad}{mode}",
            s.pages_sent, s.pages_received
        ),
        Some(Err(e)) => format!(
            "result=FAILED reason={:?} phase={:?} pages_sent={} pages_received={} bad_rows={bad}{mode}",
            e.reason, e.phase, e.summary.pages_sent, e.summary.pages_received
        ),
        None => format!("result=UNFINISHED pages_received={} bad_rows={bad}{mode}", pages.len()),
    }
}

/// Write a stereo 16-bit 8 kHz WAV (left, right).
pub fn write_stereo_wav(path: &Path, left: &[i16], right: &[i16]) -> anyhow::Result<()> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w =
        hound::WavWriter::create(path, spec).with_context(|| format!("{}", path.display()))?;
    for i in 0..left.len().max(right.len()) {
        w.write_sample(left.get(i).copied().unwrap_or(0))?;
        w.write_sample(right.get(i).copied().unwrap_or(0))?;
    }
    w.finalize()?;
    Ok(())
}
