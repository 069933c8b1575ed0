//! Round trips through telefax alone (no libtiff): every coding and fill order, multi-page,
//! several strips per page, metadata, damaged data, PDF and PNG output.
mod common;

use common::{assert_same, pages};
use telefax_t4::Bitmap;
use telefax_tiff::{
    read_document, write_document, CleanFaxData, CodedData, Compression, FaxTags, FillOrder, Page,
    PageData, Rational, Resolution, ResolutionUnit, Target, TargetCoding, WriteOptions,
};

fn all_targets() -> Vec<Target> {
    let mut v = Vec::new();
    for fill_order in [FillOrder::MsbFirst, FillOrder::LsbFirst] {
        for (coding, aligned) in [
            (TargetCoding::None, false),
            (TargetCoding::Rle, false),
            (TargetCoding::Mh, false),
            (TargetCoding::Mh, true),
            (TargetCoding::Mr { k: 2 }, false),
            (TargetCoding::Mr { k: 4 }, true),
            (TargetCoding::Mmr, false),
        ] {
            v.push(Target {
                coding,
                fill_order,
                byte_aligned_eol: aligned,
            });
        }
    }
    v
}

#[test]
fn every_coding_round_trips_multi_page_with_metadata() {
    let bitmaps = [
        pages::text(1728, 300, 1, 1),
        pages::lines(2432, 100),
        pages::checkerboard(13, 40, 2),
        pages::noise(1000, 50, 128, 3),
    ];
    let res = Resolution {
        x: Rational { num: 80, den: 1 },
        y: Rational { num: 77, den: 10 },
        unit: ResolutionUnit::Centimeter,
    };
    for target in all_targets() {
        let doc: Vec<Page> = bitmaps
            .iter()
            .map(|b| {
                let mut p = Page::from_bitmap(b.clone(), Some(res));
                p.fax = FaxTags {
                    bad_fax_lines: Some(3),
                    clean_fax_data: Some(CleanFaxData::Regenerated),
                    consecutive_bad_fax_lines: Some(2),
                };
                p.encode(&target).unwrap()
            })
            .collect();
        let bytes = write_document(&doc, &WriteOptions::default()).unwrap();
        let back = read_document(&bytes).unwrap();
        assert_eq!(back.len(), bitmaps.len());
        for (i, (page, want)) in back.iter().zip(&bitmaps).enumerate() {
            assert_eq!(page.resolution, Some(res));
            assert_eq!(page.page_number, Some((i as u16, bitmaps.len() as u16)));
            assert_eq!(page.fax.bad_fax_lines, Some(3));
            assert_eq!(page.fax.clean_fax_data, Some(CleanFaxData::Regenerated));
            assert_eq!(page.fax.consecutive_bad_fax_lines, Some(2));
            if target.coding != TargetCoding::None {
                assert_eq!(page.fill_order(), target.fill_order, "{target:?}");
            }
            let (got, report) = page.decode().unwrap();
            assert_same(&got, want, &format!("{target:?} page {i}"));
            assert_eq!(report.bad_rows, 0);
            assert_eq!(report.rows_decoded, want.height);
        }
    }
}

#[test]
fn pages_with_several_strips_decode_strip_by_strip() {
    let bitmap = pages::text(1728, 250, 1, 9);
    let stride = 1728 / 8;
    for coding in [
        TargetCoding::Mh,
        TargetCoding::Mr { k: 4 },
        TargetCoding::Mmr,
        TargetCoding::Rle,
    ] {
        // Code each 64-row band as its own strip, as libtiff does with -r 64.
        let mut strips = Vec::new();
        let mut compression = Compression::None;
        for (i, band) in bitmap.data.chunks(64 * stride).enumerate() {
            let rows = (band.len() / stride) as u32;
            let part = Bitmap {
                width: 1728,
                height: rows,
                data: band.to_vec(),
            };
            let coded = Page::from_bitmap(part, None)
                .encode(&Target::new(coding))
                .unwrap();
            let PageData::Coded(c) = coded.data else {
                panic!()
            };
            compression = c.compression;
            assert_eq!(c.strips.len(), 1, "strip {i}");
            strips.extend(c.strips);
        }
        let page = Page {
            data: PageData::Coded(CodedData {
                compression,
                fill_order: FillOrder::MsbFirst,
                min_is_black: false,
                strips,
            }),
            ..Page::from_bitmap(bitmap.clone(), None)
        };
        let bytes = write_document(&[page], &WriteOptions::default()).unwrap();
        let back = read_document(&bytes).unwrap();
        let PageData::Coded(c) = &back[0].data else {
            panic!()
        };
        assert_eq!(c.strips.len(), 4);
        let (got, _) = back[0].decode().unwrap();
        assert_same(&got, &bitmap, &format!("{coding:?} in 4 strips"));
    }
}

#[test]
fn damaged_mh_and_mr_pages_are_repaired_and_counted() {
    let bitmap = pages::text(1728, 400, 1, 2);
    let mut rng = pages::Rng::new(5);
    for coding in [TargetCoding::Mh, TargetCoding::Mr { k: 4 }] {
        let page = Page::from_bitmap(bitmap.clone(), None)
            .encode(&Target::new(coding))
            .unwrap();
        let mut damaged = page.clone();
        let PageData::Coded(c) = &mut damaged.data else {
            panic!()
        };
        let data = &mut c.strips[0].data;
        for _ in 0..10 {
            let i = data.len() / 4 + rng.below(data.len() as u32 / 2) as usize;
            data[i] ^= 0x5a;
        }
        let (got, report) = damaged.decode().unwrap();
        assert_eq!(got.height, 400);
        assert!(report.bad_rows > 0, "{coding:?}: {report:?}");
        assert!(report.bad_rows < 200, "{coding:?}: {report:?}");
        // The undamaged first quarter is intact.
        let stride = 1728 / 8;
        let rows = data_rows_before_damage(&bitmap, &got, stride);
        assert!(rows >= 50, "{coding:?}: only {rows} rows intact");
    }
}

fn data_rows_before_damage(a: &Bitmap, b: &Bitmap, stride: usize) -> usize {
    a.data
        .chunks(stride)
        .zip(b.data.chunks(stride))
        .take_while(|(x, y)| x == y)
        .count()
}

#[test]
fn pdf_embeds_g4_unchanged_and_sizes_the_page() {
    let bitmap = pages::text(1728, 2200, 1, 3);
    let page = Page::from_bitmap(bitmap, Some(Resolution::FINE))
        .encode(&Target::new(TargetCoding::Mmr))
        .unwrap();
    let PageData::Coded(c) = &page.data else {
        panic!()
    };
    let g4 = c.strips[0].data.clone();
    let mh = page
        .encode(&Target {
            coding: TargetCoding::Mh,
            fill_order: FillOrder::LsbFirst,
            byte_aligned_eol: false,
        })
        .unwrap();
    let pdf = telefax_tiff::pdf::write_pdf(&[page, mh]).unwrap();
    let text = String::from_utf8_lossy(&pdf);
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(text.matches("/CCITTFaxDecode").count(), 2);
    assert!(text.contains("/K -1"));
    assert!(text.contains("/Columns 1728"));
    assert!(text.contains("/Rows 2200"));
    // 1728 px at 204 dpi = 609.9 pt wide; 2200 rows at 196 dpi = 808.2 pt high.
    assert!(
        text.contains("/MediaBox [0 0 609.88"),
        "{}",
        &text[..600.min(text.len())]
    );
    // The first page's G4 data is embedded byte for byte; the MH page was re-coded to the same.
    let found = pdf.windows(g4.len()).filter(|w| *w == &g4[..]).count();
    assert_eq!(found, 2);
}

#[test]
fn png_preview_is_one_bit_gray() {
    let bitmap = pages::checkerboard(17, 5, 1);
    let png = telefax_tiff::png::write_png(&bitmap).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (17, 5));
    assert_eq!(info.bit_depth, png::BitDepth::One);
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    // PNG gray: 0 = black. Pixel (0,0) is black in the checkerboard, (1,0) white.
    assert_eq!(buf[0] & 0x80, 0);
    assert_eq!(buf[0] & 0x40, 0x40);
}
