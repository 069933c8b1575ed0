//! Shared helpers of the telefax-tiff integration tests.
#![allow(dead_code)]
pub mod pages;

use std::path::{Path, PathBuf};
use std::process::Command;

use telefax_t4::Bitmap;

/// `true` when libtiff's `tiffcp` can be run; otherwise prints a skip note.
pub fn have_tiffcp(test: &str) -> bool {
    match Command::new("tiffcp").output() {
        Ok(_) => true,
        Err(_) => {
            eprintln!("{test}: skipped, libtiff's tiffcp is not installed (apt-get install libtiff-tools)");
            false
        }
    }
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("telefax-tiff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run `tiffcp ARGS IN OUT`; returns stderr on failure.
pub fn tiffcp(args: &[&str], input: &Path, output: &Path) -> Result<(), String> {
    let out = Command::new("tiffcp")
        .args(args)
        .arg(input)
        .arg(output)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Panic with the first differing row when two bitmaps differ.
pub fn assert_same(got: &Bitmap, want: &Bitmap, what: &str) {
    assert_eq!(
        (got.width, got.height),
        (want.width, want.height),
        "{what}: size differs"
    );
    if got.data != want.data {
        let stride = (want.width as usize).div_ceil(8);
        let row = got
            .data
            .chunks(stride)
            .zip(want.data.chunks(stride))
            .position(|(a, b)| a != b)
            .unwrap();
        let bad = got
            .data
            .chunks(stride)
            .zip(want.data.chunks(stride))
            .filter(|(a, b)| a != b)
            .count();
        panic!("{what}: {bad} rows differ, first at row {row}");
    }
}

/// The repository's tests/data directory.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/tiff")
}
