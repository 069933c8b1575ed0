//! `telefax convert`: re-code every page of a fax TIFF (MH, MR, MMR or uncompressed), keeping
//! the resolution; or write the pages as PDF.
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use telefax_tiff::{
    read_document, write_document, FillOrder, Page, Target, TargetCoding, WriteOptions,
};

/// The coding of the output pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CodingArg {
    /// T.4 one-dimensional Modified Huffman (TIFF Compression 3).
    Mh,
    /// T.4 two-dimensional Modified READ (TIFF Compression 3, T4Options 2-D).
    Mr,
    /// T.6 Modified Modified READ (TIFF Compression 4, "G4").
    Mmr,
    /// Uncompressed, 1 bit per pixel (TIFF Compression 1).
    None,
    /// CCITT modified Huffman RLE, no EOLs (TIFF Compression 2).
    Rle,
}

/// Bit order of the coded bytes (TIFF FillOrder).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FillOrderArg {
    /// FillOrder 1: most significant bit first (the TIFF default).
    Msb,
    /// FillOrder 2: least significant bit first (the order on the fax line).
    Lsb,
}

/// Arguments of `telefax convert`.
#[derive(clap::Args)]
pub struct Args {
    /// Input fax TIFF.
    input: PathBuf,
    /// Output file: a TIFF, or a PDF when the name ends in `.pdf`.
    #[arg(short, long)]
    output: PathBuf,
    /// Coding of the output pages (TIFF output only).
    #[arg(long, value_enum, default_value = "mmr")]
    coding: CodingArg,
    /// MR parameter K (T.4 §4.2.1): at most K-1 2-D rows after each 1-D row. Default: 2 for
    /// standard resolution, 4 for fine and above.
    #[arg(long)]
    k: Option<u32>,
    /// Bit order of the output bytes.
    #[arg(long, value_enum, default_value = "msb")]
    fill_order: FillOrderArg,
    /// Pad with fill bits so every EOL ends on a byte boundary (T.4 §4.1.3; MH/MR only).
    #[arg(long)]
    byte_aligned_eol: bool,
}

fn default_k(page: &Page) -> u32 {
    // T.4 §4.2.1: K = 2 at standard vertical resolution, 4 at the higher resolutions.
    match page.resolution.and_then(|r| r.dpi()) {
        Some((_, y)) if y < 150.0 => 2,
        _ => 4,
    }
}

/// Run `telefax convert`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.k == Some(0) {
        anyhow::bail!("--k must be at least 1 (T.4 §4.2.1)");
    }
    let bytes = std::fs::read(&args.input)
        .with_context(|| format!("cannot read {}", args.input.display()))?;
    let pages = read_document(&bytes).with_context(|| format!("{}", args.input.display()))?;
    let is_pdf = args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let out = if is_pdf {
        telefax_tiff::pdf::write_pdf(&pages)?
    } else {
        let fill_order = match args.fill_order {
            FillOrderArg::Msb => FillOrder::MsbFirst,
            FillOrderArg::Lsb => FillOrder::LsbFirst,
        };
        let converted = pages
            .iter()
            .enumerate()
            .map(|(i, page)| {
                let coding = match args.coding {
                    CodingArg::Mh => TargetCoding::Mh,
                    CodingArg::Mr => TargetCoding::Mr {
                        k: args.k.unwrap_or_else(|| default_k(page)),
                    },
                    CodingArg::Mmr => TargetCoding::Mmr,
                    CodingArg::None => TargetCoding::None,
                    CodingArg::Rle => TargetCoding::Rle,
                };
                let target = Target {
                    coding,
                    fill_order,
                    byte_aligned_eol: args.byte_aligned_eol,
                };
                page.encode(&target)
                    .map_err(|e| e.with_page(i))
                    .with_context(|| args.input.display().to_string())
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        write_document(&converted, &WriteOptions::default())?
    };
    std::fs::write(&args.output, out)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}
