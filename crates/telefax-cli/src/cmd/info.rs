//! `telefax info`: the pages of a fax TIFF (size, resolution, coding, fill order) and, by
//! decoding each page, its damaged rows.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use telefax_tiff::{read_document, CleanFaxData, PageData};

/// Arguments of `telefax info`.
#[derive(clap::Args)]
pub struct Args {
    /// The fax TIFF to describe.
    file: PathBuf,
    /// Only read the directories; do not decode the pages (no bad-row counts).
    #[arg(long)]
    no_decode: bool,
}

/// Run `telefax info`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let pages = read_document(&bytes).with_context(|| format!("{}", args.file.display()))?;
    outln!(
        "{}: {} page(s), {} bytes",
        args.file.display(),
        pages.len(),
        bytes.len()
    );
    let mut damaged = 0usize;
    for (i, page) in pages.iter().enumerate() {
        let res = match page.resolution.and_then(|r| r.dpi()) {
            Some((x, y)) => format!("{x:.0}x{y:.0} dpi"),
            None => "no resolution".to_string(),
        };
        let (strips, coded) = match &page.data {
            PageData::Coded(c) => (c.strips.len(), c.strips.iter().map(|s| s.data.len()).sum()),
            PageData::Bitmap(b) => (1, b.data.len()),
        };
        let size_mm = page.resolution.and_then(|r| r.dpi()).map(|(x, y)| {
            format!(
                " ({:.0}x{:.0} mm)",
                f64::from(page.width) / x * 25.4,
                f64::from(page.rows) / y * 25.4
            )
        });
        outln!(
            "page {}: {}x{} pixels{}, {}, {}, fill order {}, {} strip(s), {} bytes",
            i + 1,
            page.width,
            page.rows,
            size_mm.unwrap_or_default(),
            res,
            page.compression().name(),
            match page.fill_order() {
                telefax_tiff::FillOrder::MsbFirst => "msb-first",
                telefax_tiff::FillOrder::LsbFirst => "lsb-first",
            },
            strips,
            coded
        );
        let fax = &page.fax;
        if fax.bad_fax_lines.is_some() || fax.clean_fax_data.is_some() {
            outln!(
                "  fax tags: BadFaxLines {}, CleanFaxData {}, ConsecutiveBadFaxLines {}",
                fax.bad_fax_lines.map_or("-".into(), |n| n.to_string()),
                match fax.clean_fax_data {
                    Some(CleanFaxData::Clean) => "clean",
                    Some(CleanFaxData::Regenerated) => "regenerated",
                    Some(CleanFaxData::Unclean) => "unclean",
                    None => "-",
                },
                fax.consecutive_bad_fax_lines
                    .map_or("-".into(), |n| n.to_string()),
            );
        }
        if args.no_decode {
            continue;
        }
        match page.decode().map_err(|e| e.with_page(i)) {
            Ok((_, report)) => {
                if report.bad_rows > 0 || report.rows_missing > 0 {
                    damaged += 1;
                }
                outln!(
                    "  decoded: {} rows, {} bad rows (longest run {}), {} rows missing",
                    report.rows_decoded,
                    report.bad_rows,
                    report.longest_bad_run,
                    report.rows_missing
                );
            }
            Err(e) => {
                damaged += 1;
                outln!("  decode failed: {e}");
            }
        }
    }
    if damaged > 0 {
        outln!("{damaged} damaged page(s)");
    }
    Ok(ExitCode::SUCCESS)
}
