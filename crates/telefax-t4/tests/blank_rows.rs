//! Blank parts of a page take fast paths in the decoder (runs of all-white
//! rows: EOL + one white-row code in MH/MR, T.4 §4.1.2 and §4.2.1.3; a
//! string of V0 codes against a white reference line in MMR, T.6 §2.2).
//! Whatever way the data arrives, those rows must come out exactly as the
//! general path gives them, with the same statistics, row limit and repair.

use telefax_t4::testpages::*;
use telefax_t4::*;

/// Pages mixing long white stretches with content rows.
fn pages(width: u32) -> Vec<Bitmap> {
    let mut mixed = Bitmap::new(width, 120);
    for y in [0u32, 1, 40, 41, 42, 90, 119] {
        mixed.set((y * 37) % width, y, true);
        mixed.set(width - 1, y, true);
    }
    for x in 0..width {
        mixed.set(x, 60, true);
    }
    vec![
        Bitmap::new(width, 150),
        mixed,
        blank_page(width, 200, 9),
        adversarial_page(width, 60, 3),
    ]
}

fn codings() -> [Coding; 4] {
    [
        Coding::Mh,
        Coding::Mr { k: 2 },
        Coding::Mr { k: 4 },
        Coding::Mmr,
    ]
}

/// Decode by pushing `chunk` bytes at a time; rows and stats.
fn streamed(coded: &[u8], opts: &DecodeOptions, chunk: usize) -> (Vec<Vec<u8>>, PageStats) {
    let mut dec = Decoder::new(opts.clone()).unwrap();
    let mut rows = Vec::new();
    for c in coded.chunks(chunk) {
        dec.push(c, |r| rows.push(r.to_vec())).unwrap();
    }
    let stats = dec.finish(|r| rows.push(r.to_vec())).unwrap();
    (rows, stats)
}

fn rows_of(page: &Bitmap) -> Vec<Vec<u8>> {
    (0..page.height).map(|y| page.row(y).to_vec()).collect()
}

#[test]
fn blank_rows_decode_exactly_in_any_chunking() {
    for width in [1728u32, 100, 2048] {
        for page in pages(width) {
            for coding in codings() {
                for aligned in [false, true] {
                    let mut eo = EncodeOptions::new(coding);
                    eo.byte_aligned_eol = aligned && coding != Coding::Mmr;
                    let coded = encode_page(&page, &eo).unwrap();
                    let opts = DecodeOptions::new(coding, width);
                    let (back, stats) = decode_page(&coded, &opts).unwrap();
                    assert_eq!(back, page, "{coding:?} width {width}");
                    assert_eq!(stats.bad_rows, 0);
                    for chunk in [1usize, 3, 13, 4096] {
                        let (rows, s) = streamed(&coded, &opts, chunk);
                        assert_eq!(rows, rows_of(&page), "{coding:?} chunk {chunk}");
                        assert_eq!(s, stats, "{coding:?} chunk {chunk}");
                    }
                    // Transcoding (rows as changing elements) agrees too.
                    let (mmr, _) =
                        transcode(&coded, &opts, &EncodeOptions::new(Coding::Mmr)).unwrap();
                    let (again, _) =
                        decode_page(&mmr, &DecodeOptions::new(Coding::Mmr, width)).unwrap();
                    assert_eq!(again, page, "{coding:?} transcoded");
                }
            }
        }
    }
}

#[test]
fn row_limit_holds_inside_blank_stretches() {
    let page = Bitmap::new(1728, 200);
    for coding in codings() {
        let coded = encode_page(&page, &EncodeOptions::new(coding)).unwrap();
        for limit in [1u32, 7, 50, 199] {
            let opts = DecodeOptions::new(coding, 1728).max_rows(limit);
            let r = decode_page(&coded, &opts);
            assert!(
                matches!(r, Err(T4Error::TooManyRows { limit: l, .. }) if l == limit),
                "{coding:?} limit {limit}: {r:?}"
            );
            let mut dec = Decoder::new(opts).unwrap();
            let mut n = 0u32;
            let mut err = None;
            for c in coded.chunks(5) {
                if let Err(e) = dec.push(c, |_| n += 1) {
                    err = Some(e);
                    break;
                }
            }
            assert!(matches!(err, Some(T4Error::TooManyRows { .. })));
            assert_eq!(n, limit, "{coding:?}: rows delivered before the limit");
        }
        // Exactly the page's rows is fine.
        let opts = DecodeOptions::new(coding, 1728).max_rows(200);
        assert_eq!(decode_page(&coded, &opts).unwrap().0, page);
    }
}

#[test]
fn damage_in_blank_stretches_is_repaired_the_same_way_streamed() {
    let page = blank_page(1728, 200, 4);
    for coding in [Coding::Mh, Coding::Mr { k: 2 }, Coding::Mr { k: 4 }] {
        let coded = encode_page(&page, &EncodeOptions::new(coding)).unwrap();
        let opts = DecodeOptions::new(coding, 1728);
        let mut rng = XorShift::new(11);
        let mut repaired = 0;
        for _ in 0..60 {
            let mut bad = coded.clone();
            let bit = 64 + rng.below((coded.len() * 8 - 200) as u32) as usize;
            bad[bit / 8] ^= 0x80 >> (bit % 8);
            let (back, stats) = decode_page(&bad, &opts).unwrap();
            assert!(back.height + 2 >= page.height && back.height <= page.height + 2);
            repaired += usize::from(stats.bad_rows > 0);
            for chunk in [1usize, 7] {
                let (rows, s) = streamed(&bad, &opts, chunk);
                assert_eq!(rows, rows_of(&back), "{coding:?} chunk {chunk}");
                assert_eq!(s.bad_rows, stats.bad_rows);
                assert_eq!(s.longest_bad_run, stats.longest_bad_run);
                assert_eq!(s.rows, stats.rows);
            }
        }
        assert!(repaired > 0, "{coding:?}: some flips must damage rows");
    }
}
