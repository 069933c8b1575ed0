//! Damaged streams (T.4 §4.1 non-ECM line errors): random bit flips,
//! truncation, garbage. The decoder must resynchronise on the next EOL,
//! repair and count bad rows, keep the row count, and never panic.

use proptest::prelude::*;
use telefax_t4::testpages::*;
use telefax_t4::*;

fn flip(data: &mut [u8], bit: usize) {
    let n = data.len() * 8;
    let b = bit % n;
    data[b / 8] ^= 0x80 >> (b % 8);
}

#[test]
fn one_flip_damages_few_rows_and_keeps_the_rest() {
    let page = text_page(1728, 200, 5);
    for coding in [Coding::Mh, Coding::Mr { k: 2 }, Coding::Mr { k: 4 }] {
        let coded = encode_page(&page, &EncodeOptions::new(coding)).unwrap();
        let k = match coding {
            Coding::Mr { k } => k,
            _ => 1,
        };
        let mut rng = XorShift::new(77);
        let mut damaged_pages = 0;
        for _ in 0..200 {
            let mut bad = coded.clone();
            // Flip a bit well inside the page (not in the RTC).
            let bit = 64 + rng.below((coded.len() * 8 - 200) as u32) as usize;
            flip(&mut bad, bit);
            let (back, stats) = decode_page(&bad, &DecodeOptions::new(coding, 1728)).unwrap();
            // A flip can merge two rows (broken EOL) or split one (fake EOL).
            assert!(
                back.height + 2 >= page.height && back.height <= page.height + 2,
                "{coding:?}: {} rows",
                back.height
            );
            assert!(
                stats.bad_rows <= k + 2,
                "{coding:?}: {} bad rows from one flip",
                stats.bad_rows
            );
            assert!(stats.longest_bad_run <= stats.bad_rows);
            if stats.bad_rows > 0 {
                damaged_pages += 1;
            }
            // Rows far from the flip are intact: compare the first rows
            // up to the damaged area and the last rows.
            let good_rows = (0..back.height.min(page.height))
                .filter(|&y| back.row(y) == page.row(y))
                .count() as u32;
            if back.height == page.height {
                assert!(
                    good_rows + stats.bad_rows + 2 * k + 2 >= page.height,
                    "{coding:?}: only {good_rows} good"
                );
            }
        }
        // Most flips are detected (some only change a run length legally).
        assert!(
            damaged_pages > 100,
            "{coding:?}: only {damaged_pages} of 200 flips detected"
        );
    }
}

#[test]
fn bad_row_is_replaced_by_previous_good_row() {
    // Rows alternate between two patterns; garbage between two EOLs
    // replaces the row with its predecessor.
    let width = 64;
    let mut page = Bitmap::new(width, 6);
    for y in 0..6 {
        for x in 0..width {
            page.set(x, y, (x + y) % 5 == 0);
        }
    }
    let mut o = EncodeOptions::new(Coding::Mh);
    o.byte_aligned_eol = true;
    o.end_marker = false;
    let coded = encode_page(&page, &o).unwrap();
    // Find byte-aligned EOL ends (0x01 preceded by 0x?0) to locate row 3.
    let eol_ends: Vec<usize> = (1..coded.len())
        .filter(|&i| coded[i] == 0x01 && coded[i - 1] & 0x0F == 0)
        .collect();
    assert_eq!(eol_ends.len(), 6);
    let mut bad = coded.clone();
    // Row 3's data: replace its first byte with garbage that is an invalid code.
    bad[eol_ends[3] + 1] = 0x00;
    bad[eol_ends[3] + 2] = 0x08; // 12 zeros then 1 inside a row: invalid
    let (back, stats) = decode_page(&bad, &DecodeOptions::new(Coding::Mh, width)).unwrap();
    assert_eq!(stats.bad_rows, 1);
    assert_eq!(stats.longest_bad_run, 1);
    assert_eq!(back.height, 6);
    assert_eq!(back.row(3), page.row(2));
    for y in [0, 1, 2, 4, 5] {
        assert_eq!(back.row(y), page.row(y), "row {y}");
    }
}

#[test]
fn mr_damage_spoils_2d_rows_until_next_1d_row() {
    let page = text_page(1728, 40, 3);
    let coded = encode_page(&page, &EncodeOptions::new(Coding::Mr { k: 4 })).unwrap();
    let (_, clean) = decode_page(&coded, &DecodeOptions::new(Coding::Mr { k: 4 }, 1728)).unwrap();
    assert_eq!(clean.bad_rows, 0);
    // Garbage in the middle of the page: a long run of 1 bits.
    let mut bad = coded.clone();
    let mid = coded.len() / 2;
    for b in &mut bad[mid..mid + 3] {
        *b = 0xFF;
    }
    let (back, stats) = decode_page(&bad, &DecodeOptions::new(Coding::Mr { k: 4 }, 1728)).unwrap();
    assert!(stats.bad_rows >= 1 && stats.bad_rows <= 5, "{stats:?}");
    assert_eq!(stats.longest_bad_run, stats.bad_rows);
    assert_eq!(back.height, 40);
    // From the next 1-D row on (every 4th), rows are right again.
    let last_bad = (0..40).rev().find(|&y| back.row(y) != page.row(y)).unwrap();
    assert!(last_bad < 40 - 4);
    assert_eq!(back.row(39), page.row(39));
}

#[test]
fn longest_run_counts_consecutive_bad_rows() {
    let width = 500;
    let page = lines_page(width, 60);
    let mut o = EncodeOptions::new(Coding::Mh);
    o.byte_aligned_eol = true;
    let coded = encode_page(&page, &o).unwrap();
    // Byte-aligned EOL ends: a 0x01 byte after a byte with its low nibble 0.
    let eol_ends: Vec<usize> = (1..coded.len())
        .filter(|&i| coded[i] == 0x01 && coded[i - 1] & 0x0F == 0)
        .collect();
    assert_eq!(eol_ends.len(), 60 + 6);
    // Damage rows 10, 11, 12 and 40 without touching their EOLs: an
    // invalid code (12 zeros then a one) at the start of each row.
    let mut bad = coded.clone();
    for row in [10, 11, 12, 40] {
        bad[eol_ends[row] + 1] = 0x00;
        bad[eol_ends[row] + 2] = 0x08;
    }
    let (back, stats) = decode_page(&bad, &DecodeOptions::new(Coding::Mh, width)).unwrap();
    assert_eq!(stats.rows, 60);
    assert_eq!(stats.bad_rows, 4);
    assert_eq!(stats.longest_bad_run, 3);
    for y in [10, 11, 12] {
        assert_eq!(back.row(y), page.row(9));
    }
    assert_eq!(back.row(40), page.row(39));
    assert_eq!(back.row(13), page.row(13));
}

#[test]
fn mmr_bad_code_ends_page_with_rows_kept() {
    let page = text_page(1728, 100, 8);
    let coded = encode_page(&page, &EncodeOptions::new(Coding::Mmr)).unwrap();
    let mut bad = coded.clone();
    let mid = coded.len() / 2;
    bad[mid..mid + 4].fill(0);
    let (back, stats) = decode_page(&bad, &DecodeOptions::new(Coding::Mmr, 1728)).unwrap();
    assert!(matches!(stats.end, PageEnd::MmrError { .. }), "{stats:?}");
    assert!(back.height > 10 && back.height < 100);
    // All rows but possibly the last few before the error are right.
    for y in 0..back.height.saturating_sub(3) {
        assert_eq!(back.row(y), page.row(y), "row {y}");
    }
}

#[test]
fn truncated_data_is_flagged() {
    let page = text_page(1728, 30, 8);
    for coding in [Coding::Mh, Coding::Mr { k: 4 }, Coding::Mmr] {
        let mut o = EncodeOptions::new(coding);
        o.end_marker = false;
        let coded = encode_page(&page, &o).unwrap();
        let cut = &coded[..coded.len() * 2 / 3];
        let (back, stats) = decode_page(cut, &DecodeOptions::new(coding, 1728)).unwrap();
        assert!(stats.truncated, "{coding:?}");
        assert!(back.height < 30 && back.height > 5);
        for y in 0..back.height {
            assert_eq!(back.row(y), page.row(y));
        }
    }
}

#[test]
fn garbage_never_exceeds_limits() {
    let mut rng = XorShift::new(1);
    for i in 0..300 {
        let len = rng.below(5000) as usize;
        let data: Vec<u8> = (0..len).map(|_| (rng.next_u64() >> 56) as u8).collect();
        let coding = [Coding::Mh, Coding::Mr { k: 2 }, Coding::Mmr][i % 3];
        let width = 1 + rng.below(3000);
        let opts = DecodeOptions::new(coding, width).max_rows(500);
        match decode_page(&data, &opts) {
            Ok((p, s)) => {
                assert_eq!(p.height, s.rows);
                assert!(s.rows <= 500);
                assert!(s.bad_rows <= s.rows);
            }
            Err(e) => assert!(matches!(e, T4Error::TooManyRows { limit: 500, .. })),
        }
    }
}

#[test]
fn endless_eols_and_fill_are_bounded() {
    // A stream of EOLs without RTC stop (stop_at_end_marker off) and zeros.
    let mut data = vec![0u8; 100_000];
    for i in (1..data.len()).step_by(3) {
        data[i] = 0x10; // EOLs spaced by fill
    }
    let mut opts = DecodeOptions::new(Coding::Mh, 1728);
    opts.stop_at_end_marker = false;
    let (p, s) = decode_page(&data, &opts).unwrap();
    assert_eq!(p.height, 0);
    assert_eq!(s.end, PageEnd::Rtc);
    let zeros = vec![0u8; 1 << 20];
    let mut dec = Decoder::new(DecodeOptions::new(Coding::Mr { k: 2 }, 1728)).unwrap();
    for _ in 0..8 {
        dec.push(&zeros, |_| panic!("no rows in zeros")).unwrap();
    }
    assert_eq!(dec.finish(|_| {}).unwrap().rows, 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn prop_bit_flips_recover(seed in any::<u64>(), flips in prop::collection::vec(any::<u32>(), 1..6), mr in any::<bool>(), aligned in any::<bool>()) {
        let width = 64 + (seed % 2000) as u32;
        let page = text_page(width, 60, seed);
        let coding = if mr { Coding::Mr { k: 2 } } else { Coding::Mh };
        let mut o = EncodeOptions::new(coding);
        o.byte_aligned_eol = aligned;
        let coded = encode_page(&page, &o).unwrap();
        let mut bad = coded.clone();
        for f in &flips {
            flip(&mut bad, *f as usize);
        }
        let (back, stats) = decode_page(&bad, &DecodeOptions::new(coding, width)).unwrap();
        prop_assert_eq!(back.height, stats.rows);
        prop_assert!(stats.bad_rows <= stats.rows);
        prop_assert!(stats.longest_bad_run <= stats.bad_rows);
        // Each flip can cost a few rows at most; the rest survive.
        prop_assert!(back.height + 2 * flips.len() as u32 >= 60);
        // A flip in an EOL merges two rows, shifting the rest up by one:
        // look for each row near its place.
        let slack = 2 * flips.len() as u32;
        let same = (0..back.height)
            .filter(|&y| (y.saturating_sub(slack)..(y + slack + 1).min(60)).any(|z| back.row(y) == page.row(z)))
            .count();
        prop_assert!(same + 6 * flips.len() >= 60, "only {} rows intact", same);
    }
}
