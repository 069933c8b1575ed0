//! Hostile and damaged TIFFs: the reader and decoder must return errors, never panic, and keep
//! memory bounded. The same harness runs under cargo-fuzz as `fuzz/fuzz_targets/tiff_read.rs`.
mod common;

use common::pages::{self, Rng};
use telefax_tiff::{
    read_document, write_document, Page, PageData, Resolution, Target, TargetCoding, TiffError,
    WriteOptions,
};

fn exercise(data: &[u8]) {
    if let Ok(pages) = read_document(data) {
        for page in pages.iter().take(4) {
            if let Ok((bitmap, report)) = page.decode() {
                assert_eq!(bitmap.height, page.rows);
                assert!(report.rows_decoded <= page.rows);
            }
        }
    }
}

#[test]
fn bolero_tiff_read_never_panics() {
    bolero::check!().for_each(exercise);
}

fn seeds() -> Vec<Vec<u8>> {
    let bitmap = pages::text(200, 60, 1, 1);
    let mut out = Vec::new();
    for coding in [
        TargetCoding::None,
        TargetCoding::Rle,
        TargetCoding::Mh,
        TargetCoding::Mr { k: 2 },
        TargetCoding::Mmr,
    ] {
        let page = Page::from_bitmap(bitmap.clone(), Some(Resolution::STANDARD))
            .encode(&Target::new(coding))
            .unwrap();
        out.push(write_document(&[page.clone(), page], &WriteOptions::default()).unwrap());
    }
    out
}

#[test]
fn mutated_documents_never_panic() {
    let mut rng = Rng::new(99);
    for seed in seeds() {
        exercise(&seed);
        for _ in 0..400 {
            let mut m = seed.clone();
            match rng.below(4) {
                0 => m.truncate(rng.below(m.len() as u32) as usize),
                1 => {
                    for _ in 0..1 + rng.below(8) {
                        let i = rng.below(m.len() as u32) as usize;
                        m[i] ^= 1 << rng.below(8);
                    }
                }
                2 => {
                    // Overwrite a directory-ish region with big values.
                    let i = rng.below(m.len() as u32) as usize;
                    for b in m.iter_mut().skip(i).take(4) {
                        *b = 0xff;
                    }
                }
                _ => {
                    let i = rng.below(m.len() as u32) as usize;
                    m[i] = rng.below(256) as u8;
                }
            }
            exercise(&m);
        }
    }
}

#[test]
fn huge_declared_page_is_refused_not_allocated() {
    let page = Page::from_bitmap(pages::blank(64, 8), None)
        .encode(&Target::new(TargetCoding::Mmr))
        .unwrap();
    let mut big = page.clone();
    big.rows = 30_000; // claims 30000 rows (60 MB) from a few bytes of data
    big.width = 16000;
    if let PageData::Coded(c) = &mut big.data {
        c.strips[0].rows = 30_000;
    }
    let bytes = write_document(&[big.clone()], &WriteOptions::default()).unwrap();
    let pages = read_document(&bytes).unwrap();
    assert!(pages[0].decode().is_err());
    let mut huge = big.clone();
    huge.rows = 200_000; // 400 MB: over MAX_BITMAP_BYTES, refused when read
    if let PageData::Coded(c) = &mut huge.data {
        c.strips[0].rows = 200_000;
    }
    let bytes = write_document(&[huge], &WriteOptions::default()).unwrap();
    assert!(matches!(
        read_document(&bytes),
        Err(TiffError::TooLarge { .. })
    ));
    let mut wide = page;
    wide.width = 1 << 20;
    let bytes = write_document(&[wide], &WriteOptions::default()).unwrap();
    assert!(read_document(&bytes).is_err());
}

#[test]
fn truncated_strip_is_an_error_or_repaired() {
    let page = Page::from_bitmap(pages::text(1728, 200, 1, 4), None);
    let bytes = write_document(&[page], &WriteOptions::default()).unwrap();
    // Uncompressed strip cut short: a typed error.
    let cut = &bytes[..bytes.len() / 2];
    assert!(read_document(cut).is_err());
    // Not a TIFF at all.
    assert!(read_document(b"GIF89a").is_err());
    assert!(read_document(b"").is_err());
}
