//! Conformance against libtiff's CCITT codec, through `tiffcp`:
//! libtiff encodes our generated pages (G3 1-D/2-D, with and without fill
//! bits, G4, FillOrder 1 and 2) and we must decode them pixel-identically;
//! libtiff must decode our encodings pixel-identically.
//!
//! Skips (with a note) when `tiffcp` is not installed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use telefax_t4::testpages::*;
use telefax_t4::*;

/// A minimal little-endian TIFF writer: one strip, the given compression.
fn write_tiff(
    path: &Path,
    width: u32,
    height: u32,
    compression: u16,
    fill_order: u16,
    t4_options: Option<u32>,
    data: &[u8],
) {
    let mut entries: Vec<(u16, u16, u32)> = vec![
        (256, 4, width),
        (257, 4, height),
        (258, 3, 1),
        (259, 3, u32::from(compression)),
        (262, 3, 0), // WhiteIsZero: 1 = black
        (266, 3, u32::from(fill_order)),
        (273, 4, 0), // strip offset, patched below
        (277, 3, 1),
        (278, 4, height),
        (279, 4, data.len() as u32),
    ];
    if let Some(o) = t4_options {
        entries.push((if compression == 4 { 293 } else { 292 }, 4, o));
    }
    let ifd_len = 2 + entries.len() * 12 + 4;
    let data_off = (8 + ifd_len) as u32;
    for e in &mut entries {
        if e.0 == 273 {
            e.2 = data_off;
        }
    }
    let mut f = Vec::new();
    f.extend_from_slice(b"II*\0");
    f.extend_from_slice(&8u32.to_le_bytes());
    f.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, typ, val) in entries {
        f.extend_from_slice(&tag.to_le_bytes());
        f.extend_from_slice(&typ.to_le_bytes());
        f.extend_from_slice(&1u32.to_le_bytes());
        if typ == 3 {
            f.extend_from_slice(&(val as u16).to_le_bytes());
            f.extend_from_slice(&[0, 0]);
        } else {
            f.extend_from_slice(&val.to_le_bytes());
        }
    }
    f.extend_from_slice(&0u32.to_le_bytes());
    f.extend_from_slice(data);
    std::fs::write(path, f).unwrap();
}

/// What the minimal reader extracts from the first IFD.
#[derive(Debug)]
struct Tiff {
    width: u32,
    height: u32,
    compression: u32,
    photometric: u32,
    fill_order: u32,
    t4_options: u32,
    strips: Vec<Vec<u8>>,
}

fn read_tiff(path: &Path) -> Tiff {
    let f = std::fs::read(path).unwrap();
    let le = &f[0..2] == b"II";
    let u16_at = |o: usize| {
        let b = [f[o], f[o + 1]];
        if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    let u32_at = |o: usize| {
        let b = [f[o], f[o + 1], f[o + 2], f[o + 3]];
        if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    let ifd = u32_at(4) as usize;
    let n = u16_at(ifd) as usize;
    let mut t = Tiff {
        width: 0,
        height: 0,
        compression: 1,
        photometric: 0,
        fill_order: 1,
        t4_options: 0,
        strips: vec![],
    };
    let (mut offs, mut counts) = (vec![], vec![]);
    for i in 0..n {
        let e = ifd + 2 + i * 12;
        let (tag, typ, count) = (u16_at(e), u16_at(e + 2), u32_at(e + 4) as usize);
        let size = if typ == 3 { 2 } else { 4 };
        let base = if count * size > 4 {
            u32_at(e + 8) as usize
        } else {
            e + 8
        };
        let vals: Vec<u32> = (0..count)
            .map(|k| {
                if typ == 3 {
                    u32::from(u16_at(base + 2 * k))
                } else {
                    u32_at(base + 4 * k)
                }
            })
            .collect();
        match tag {
            256 => t.width = vals[0],
            257 => t.height = vals[0],
            259 => t.compression = vals[0],
            262 => t.photometric = vals[0],
            266 => t.fill_order = vals[0],
            273 => offs = vals,
            279 => counts = vals,
            292 | 293 => t.t4_options = vals[0],
            _ => {}
        }
    }
    for (o, c) in offs.iter().zip(&counts) {
        t.strips.push(f[*o as usize..(*o + *c) as usize].to_vec());
    }
    t
}

fn tiffcp_available() -> bool {
    Command::new("tiffcp").arg("-h").output().is_ok()
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn tmp(name: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("telefax-t4-{}-{n}-{name}.tif", std::process::id()))
}

fn tiffcp(args: &[&str], input: &Path, output: &Path) {
    let out = Command::new("tiffcp")
        .args(args)
        .arg(input)
        .arg(output)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tiffcp {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Uncompressed pixels of a tiffcp output, normalised to 1 = black, FillOrder 1.
fn raw_pixels(t: &Tiff) -> Bitmap {
    assert_eq!(t.compression, 1);
    let mut data: Vec<u8> = t.strips.concat();
    if t.fill_order == 2 {
        data.iter_mut().for_each(|b| *b = b.reverse_bits());
    }
    if t.photometric == 1 {
        data.iter_mut().for_each(|b| *b = !*b);
    }
    let mut p = Bitmap::with_width(t.width);
    let s = p.stride();
    for y in 0..t.height as usize {
        p.push_row(&data[y * s..(y + 1) * s]);
    }
    p
}

fn pages() -> Vec<(String, Bitmap)> {
    let mut v = Vec::new();
    for width in [1u32, 5, 13, 255, 1728, 2048, 2432, 3456, 4864] {
        let h = if width > 2000 { 40 } else { 70 };
        v.push((
            format!("text{width}"),
            text_page(width, h, u64::from(width)),
        ));
        v.push((
            format!("adv{width}"),
            adversarial_page(width, 45, u64::from(width) + 1),
        ));
        if width >= 13 {
            v.push((format!("dither{width}"), dithered_page(width, 24, 3)));
            v.push((format!("diffused{width}"), diffused_page(width, 24, 4)));
            v.push((format!("lines{width}"), lines_page(width, 30)));
            v.push((format!("check{width}"), checkerboard(width, 24, 3)));
        }
    }
    v.push(("a4fine".into(), text_page(1728, 2287, 42)));
    v.push(("blank".into(), blank_page(1728, 1100, 5)));
    v
}

fn assert_same(a: &Bitmap, b: &Bitmap, what: &str) {
    assert_eq!((a.width, a.height), (b.width, b.height), "{what}: size");
    for y in 0..a.height {
        assert_eq!(a.row(y), b.row(y), "{what}: row {y} differs");
    }
}

/// libtiff 4.5's 1-D decoder holds at most `roundup(width, 32)` runs per
/// row, but a row of alternating pixels starting with black needs
/// `width + 1` (T.4 §4.1.1: every row starts with a white run, here of
/// length 0), so libtiff rejects such rows ("Buffer overflow") when the
/// width is a multiple of 32, even in data it encoded itself. For the
/// libtiff-decodes direction, whiten pixel 0 of such rows.
fn libtiff_1d_safe(mut page: Bitmap) -> Bitmap {
    for y in 0..page.height {
        let mut runs = 1;
        for x in 1..page.width {
            if page.get(x, y) != page.get(x - 1, y) {
                runs += 1;
            }
        }
        if page.get(0, y) {
            runs += 1;
        }
        if runs > page.width.next_multiple_of(32) {
            page.set(0, y, false);
        }
    }
    page
}

const MODES: [(&str, u32); 5] = [
    ("g3:1d", 3),
    ("g3:2d", 3),
    ("g3:1d:fill", 3),
    ("g3:2d:fill", 3),
    ("g4", 4),
];

#[test]
fn we_decode_what_libtiff_encodes() {
    if !tiffcp_available() {
        eprintln!("note: tiffcp not installed; skipping libtiff conformance");
        return;
    }
    let mut checked = 0;
    for (name, page) in pages() {
        let src = tmp(&format!("{name}-src"));
        write_tiff(&src, page.width, page.height, 1, 1, None, &page.data);
        for (mode, _) in MODES {
            for lsb in [false, true] {
                let dst = tmp(&format!("{name}-lt"));
                let rows = page.height.to_string();
                let mut args = vec!["-c", mode, "-r", rows.as_str()];
                if lsb {
                    args.extend(["-f", "lsb2msb"]);
                }
                tiffcp(&args, &src, &dst);
                let t = read_tiff(&dst);
                std::fs::remove_file(&dst).ok();
                assert_eq!(t.strips.len(), 1);
                let coding = match t.compression {
                    4 => Coding::Mmr,
                    3 if t.t4_options & 1 != 0 => Coding::Mr { k: 4 },
                    3 => Coding::Mh,
                    c => panic!("unexpected compression {c}"),
                };
                let order = if t.fill_order == 2 {
                    BitOrder::LsbFirst
                } else {
                    BitOrder::MsbFirst
                };
                assert_eq!(order == BitOrder::LsbFirst, lsb);
                let (back, stats) = decode_page(
                    &t.strips[0],
                    &DecodeOptions::new(coding, t.width).bit_order(order),
                )
                .unwrap();
                let what = format!("{name} {mode} lsb={lsb}");
                assert_eq!(stats.bad_rows, 0, "{what}");
                assert_same(&back, &page, &what);
                checked += 1;
            }
        }
        std::fs::remove_file(&src).ok();
    }
    assert!(checked > 100);
}

#[test]
fn libtiff_decodes_what_we_encode() {
    if !tiffcp_available() {
        eprintln!("note: tiffcp not installed; skipping libtiff conformance");
        return;
    }
    let variants: Vec<(Coding, bool, bool)> = vec![
        (Coding::Mh, false, false),
        (Coding::Mh, true, true),
        (Coding::Mr { k: 2 }, false, false),
        (Coding::Mr { k: 4 }, true, false),
        (Coding::Mr { k: 1000 }, false, true),
        (Coding::Mmr, false, false),
        (Coding::Mmr, false, true),
    ];
    for (name, page) in pages() {
        let page = libtiff_1d_safe(page);
        for &(coding, aligned, end_marker) in &variants {
            for order in [BitOrder::MsbFirst, BitOrder::LsbFirst] {
                let mut o = EncodeOptions::new(coding).bit_order(order);
                o.byte_aligned_eol = aligned;
                o.end_marker = end_marker;
                let coded = encode_page(&page, &o).unwrap();
                let (comp, t4) = match coding {
                    Coding::Mh => (3, u32::from(aligned) << 2),
                    Coding::Mr { .. } => (3, 1 | u32::from(aligned) << 2),
                    Coding::Mmr => (4, 0),
                };
                let fo = if order == BitOrder::LsbFirst { 2 } else { 1 };
                let src = tmp(&format!("{name}-ours"));
                let dst = tmp(&format!("{name}-raw"));
                write_tiff(&src, page.width, page.height, comp, fo, Some(t4), &coded);
                tiffcp(&["-c", "none"], &src, &dst);
                let back = raw_pixels(&read_tiff(&dst));
                std::fs::remove_file(&src).ok();
                std::fs::remove_file(&dst).ok();
                assert_same(&back, &page, &format!("{name} {o:?}"));
            }
        }
    }
}

#[test]
fn libtiff_decodes_our_compression_2() {
    if !tiffcp_available() {
        eprintln!("note: tiffcp not installed; skipping libtiff conformance");
        return;
    }
    for (name, page) in pages().into_iter().take(12) {
        let page = libtiff_1d_safe(page);
        let mut o = EncodeOptions::new(Coding::Mh);
        o.eol = false;
        o.end_marker = false;
        o.rows_byte_aligned = true;
        let coded = encode_page(&page, &o).unwrap();
        let src = tmp(&format!("{name}-rle"));
        let dst = tmp(&format!("{name}-rleraw"));
        write_tiff(&src, page.width, page.height, 2, 1, None, &coded);
        tiffcp(&["-c", "none"], &src, &dst);
        let back = raw_pixels(&read_tiff(&dst));
        std::fs::remove_file(&src).ok();
        std::fs::remove_file(&dst).ok();
        assert_same(&back, &page, &name);
    }
}
