//! Shared helpers of the interop tests: synthetic pages, TIFF in and out, temp paths.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use telefax_t4::Bitmap;
use telefax_tiff::{read_document, write_document, Page, Resolution, WriteOptions};

/// A text-like page: lines of "characters" (short black runs a few rows high) between blank
/// margins, reproducible from `seed`.
pub fn synth_page(width: u32, rows: u32, seed: u32) -> Bitmap {
    let mut bm = Bitmap::new(width, rows);
    let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(12345);
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x
    };
    let line_h = 12;
    for y0 in (8..rows.saturating_sub(line_h)).step_by(line_h as usize + 6) {
        let mut cx = 40 + rnd() % 20;
        while cx + 20 < width - 40 {
            let w = 4 + rnd() % 12;
            if rnd() % 5 != 0 {
                for y in y0..y0 + line_h - (rnd() % 4) {
                    for xx in cx..cx + w {
                        if rnd() % 9 != 0 {
                            bm.set(xx, y, true);
                        }
                    }
                }
            }
            cx += w + 2 + rnd() % 8;
        }
    }
    bm
}

/// A path in the temp directory unique to this process and `name`.
pub fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("telefax-interop-{}-{name}", std::process::id()))
}

/// Write `pages` as an uncompressed TIFF Class F file at 204 x `ydpi` dpi.
pub fn write_tiff(path: &Path, pages: &[Bitmap], ydpi: u32) {
    let res = Resolution::dpi_const(204, ydpi);
    let doc: Vec<Page> = pages
        .iter()
        .map(|b| Page::from_bitmap(b.clone(), Some(res)))
        .collect();
    std::fs::write(
        path,
        write_document(&doc, &WriteOptions::default()).unwrap(),
    )
    .unwrap();
}

/// Every page of a TIFF file decoded (telefax-tiff), with its bad-row count.
pub fn read_tiff(path: &Path) -> Vec<(Bitmap, u32)> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    read_document(&bytes)
        .unwrap()
        .iter()
        .map(|p| {
            let (b, r) = p.decode().unwrap();
            (b, r.bad_rows)
        })
        .collect()
}

/// Number of differing pixels (`u64::MAX` if the sizes differ).
pub fn pixel_diff(a: &Bitmap, b: &Bitmap) -> u64 {
    pixels::pixel_diff(a, b).unwrap_or(u64::MAX)
}

#[path = "../support/pixels.rs"]
mod pixels;
