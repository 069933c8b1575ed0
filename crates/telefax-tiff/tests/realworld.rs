//! Real-world fax TIFFs (tests/data/tiff, see tests/data/README.md for sources and licences):
//! telefax must read every page, and its decode must equal libtiff's (`tiffcp -c none`).
mod common;

use std::path::{Path, PathBuf};

use common::{assert_same, data_dir, have_tiffcp, scratch, tiffcp};
use telefax_t4::{decode_page, Bitmap, Coding, DecodeOptions};
use telefax_tiff::{read_document, Compression, Page, PageData, PageReader, TiffError};

const DAMAGED: &str = "G3_Premature_EOL.tif";
/// A 3-page file whose pages 2 and 3 are LZW palette images, not fax pages.
const MIXED: &str = "1.tif";

/// The fax pages of a file: all of them, except for [`MIXED`] whose non-fax pages must be
/// refused with `Unsupported`.
fn fax_pages(path: &Path, bytes: &[u8]) -> Vec<Page> {
    if !path.ends_with(MIXED) {
        return read_document(bytes).unwrap_or_else(|e| panic!("{}: {e}", name(path)));
    }
    let mut pages = Vec::new();
    for page in PageReader::new(bytes).unwrap() {
        match page {
            Ok(p) => pages.push(p),
            Err(TiffError::Unsupported { page, .. }) => {
                assert_eq!(page, 1);
                break;
            }
            Err(e) => panic!("{}: {e}", name(path)),
        }
    }
    assert_eq!(pages.len(), 1);
    pages
}

fn tiff_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![data_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("tif") || e.eq_ignore_ascii_case("tiff"))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn name(p: &Path) -> String {
    p.strip_prefix(data_dir())
        .unwrap_or(p)
        .display()
        .to_string()
}

#[test]
fn every_realworld_file_reads_and_decodes_cleanly() {
    let files = tiff_files();
    assert!(
        files.len() >= 60,
        "expected the real-world set, found {}",
        files.len()
    );
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let pages = fax_pages(&path, &bytes);
        for (i, page) in pages.iter().enumerate() {
            assert!(
                !matches!(page.data, PageData::Bitmap(_))
                    || page.compression() == Compression::None
            );
            let (bitmap, report) = page
                .decode()
                .unwrap_or_else(|e| panic!("{} page {i}: {e}", name(&path)));
            assert_eq!((bitmap.width, bitmap.height), (page.width, page.rows));
            if !path.ends_with(DAMAGED) {
                assert_eq!(report.bad_rows, 0, "{} page {i}: {report:?}", name(&path));
            }
        }
    }
}

#[test]
fn realworld_decode_equals_libtiff() {
    if !have_tiffcp("realworld_decode_equals_libtiff") {
        return;
    }
    let dir = scratch("realworld");
    let mut compared = 0;
    for path in tiff_files() {
        if path.ends_with(DAMAGED) {
            continue;
        }
        let out = dir.join("none.tif");
        tiffcp(&["-c", "none"], &path, &out)
            .unwrap_or_else(|e| panic!("libtiff cannot decode {}: {e}", name(&path)));
        let theirs = fax_pages(&path, &std::fs::read(&out).unwrap());
        let ours = fax_pages(&path, &std::fs::read(&path).unwrap());
        assert_eq!(theirs.len(), ours.len(), "{}", name(&path));
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            let (got, _) = a.decode().unwrap();
            let (want, _) = b.decode().unwrap();
            assert_same(&got, &want, &format!("{} page {i}", name(&path)));
            let (ra, rb) = (
                a.resolution.and_then(|r| r.dpi()),
                b.resolution.and_then(|r| r.dpi()),
            );
            match (ra, rb) {
                (Some((ax, ay)), Some((bx, by))) => {
                    assert!(
                        (ax - bx).abs() < 0.01 && (ay - by).abs() < 0.01,
                        "{}",
                        name(&path)
                    )
                }
                _ => assert_eq!(ra, rb, "{} page {i}", name(&path)),
            }
            compared += 1;
        }
    }
    assert!(compared >= 60, "only {compared} pages compared");
}

#[test]
fn damaged_g3_file_decodes_what_it_can() {
    // libtiff refuses this file ("Premature EOL at line 0": its rows have no EOLs although
    // T4Options asks for none of the TIFF RLE framing). We decode the whole page; looked at as
    // a PNG it is a clean one-page order form, so no row is reported bad.
    let path = data_dir().join("libtiff.net").join(DAMAGED);
    let pages = read_document(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(pages.len(), 1);
    let (bitmap, report) = pages[0].decode().unwrap();
    assert_eq!((bitmap.width, bitmap.height), (1728, 2320));
    eprintln!(
        "{DAMAGED}: {report:?}, {} black pixels",
        bitmap.count_black()
    );
    assert_eq!(report.rows_decoded, 2320, "{report:?}");
    assert_eq!(report.rows_missing, 0, "{report:?}");
    let black = bitmap.count_black() as f64 / (1728.0 * 2320.0);
    assert!(
        (0.03..0.4).contains(&black),
        "implausible black share {black}"
    );
    // Its first rows are white margin, as on any printed page.
    assert!(bitmap.data[..1728 / 8 * 20].iter().all(|&b| b == 0));
}

fn read_pbm(path: &Path) -> Bitmap {
    let bytes = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut pos = 0;
    while fields.len() < 3 {
        while bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if bytes[pos] == b'#' {
            while bytes[pos] != b'\n' {
                pos += 1;
            }
            continue;
        }
        let start = pos;
        while !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..pos]).into_owned());
    }
    assert_eq!(fields[0], "P4");
    let (w, h): (u32, u32) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    let data = bytes[pos + 1..].to_vec();
    assert_eq!(data.len(), (w as usize).div_ceil(8) * h as usize);
    Bitmap {
        width: w,
        height: h,
        data,
    }
}

#[test]
fn pdf_rs_raw_g4_streams_match_their_reference_bitmaps() {
    let dir = data_dir().join("pdf-rs-fax");
    for n in ["4", "6"] {
        let want = read_pbm(&dir.join(format!("{n}.pbm")));
        let raw = std::fs::read(dir.join(format!("{n}.fax"))).unwrap();
        let opts = DecodeOptions::new(Coding::Mmr, want.width).max_rows(want.height);
        let (mut got, _) = decode_page(&raw, &opts).unwrap();
        // These streams end one or two rows early; the reference has those rows white.
        assert!(got.height + 2 >= want.height, "{n}: {} rows", got.height);
        got.data.resize(want.data.len(), 0);
        got.height = want.height;
        assert_same(&got, &want, &format!("pdf-rs-fax {n}.fax"));
    }
    let tiff = read_document(&std::fs::read(dir.join("fax4.tiff")).unwrap()).unwrap();
    let (got, _) = tiff[0].decode().unwrap();
    assert_same(
        &got,
        &read_pbm(&dir.join("fax4.pbm")),
        "pdf-rs-fax fax4.tiff",
    );
}

fn read_png_gray(path: &Path) -> Bitmap {
    let mut decoder =
        png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let mut b = Bitmap::new(info.width, info.height);
    for y in 0..info.height {
        for x in 0..info.width {
            let i = (y as usize * info.width as usize + x as usize) * channels;
            b.set(x, y, buf[i] < 128);
        }
    }
    b
}

#[test]
fn go_ccitt_raw_streams_match_their_reference_png() {
    let dir = data_dir().join("go-ccitt");
    let want = read_png_gray(&dir.join("bw-gopher.png"));
    assert_eq!((want.width, want.height), (153, 55));
    let decode = |file: &str, coding: Coding| {
        let raw = std::fs::read(dir.join(file)).unwrap();
        // (Exactly `height` as max_rows makes telefax-t4 report TooManyRows at the EOFB/RTC.)
        let opts = DecodeOptions::new(coding, want.width).max_rows(want.height + 8);
        decode_page(&raw, &opts).unwrap()
    };
    for (file, coding) in [
        ("bw-gopher.ccitt_group3", Coding::Mh),
        ("bw-gopher.ccitt_group4", Coding::Mmr),
    ] {
        let (got, stats) = decode(file, coding);
        assert_same(&got, &want, file);
        assert_eq!(stats.bad_rows, 0, "{file}");
    }
    // BlackIs1 variants are the negative image.
    let (inv, _) = decode("bw-gopher-inverted.ccitt_group4", Coding::Mmr);
    let stride = want.stride();
    for (a, b) in inv.data.chunks(stride).zip(want.data.chunks(stride)) {
        for x in 0..want.width as usize {
            let bit = 0x80 >> (x % 8);
            assert_ne!(a[x / 8] & bit, b[x / 8] & bit);
        }
    }
    // Streams cut short: no panic, and every delivered row is right.
    for file in [
        "bw-gopher-truncated0.ccitt_group4",
        "bw-gopher-truncated1.ccitt_group4",
    ] {
        let (got, _) = decode(file, Coding::Mmr);
        let n = got.data.len().min(want.data.len());
        assert!(got.height >= 50, "{file}: {} rows", got.height);
        assert_eq!(got.data[..n], want.data[..n], "{file}");
    }
}
