//! Round trips for every coding, bit order and framing option, on
//! generated and adversarial pages, plus proptest on random rows.

use proptest::prelude::*;
use telefax_t4::testpages::*;
use telefax_t4::*;

fn codings() -> Vec<Coding> {
    vec![
        Coding::Mh,
        Coding::Mr { k: 1 },
        Coding::Mr { k: 2 },
        Coding::Mr { k: 4 },
        Coding::Mr { k: 10000 },
        Coding::Mmr,
    ]
}

fn round_trip(page: &Bitmap, enc: &EncodeOptions) {
    let coded = encode_page(page, enc).unwrap();
    let dec = DecodeOptions {
        rows_byte_aligned: enc.rows_byte_aligned,
        ..DecodeOptions::new(enc.coding, page.width).bit_order(enc.bit_order)
    };
    let (back, stats) = decode_page(&coded, &dec).unwrap();
    assert_eq!(stats.bad_rows, 0, "{enc:?} width {}", page.width);
    assert_eq!(back.height, page.height, "{enc:?} width {}", page.width);
    for y in 0..page.height {
        assert_eq!(
            back.row(y),
            page.row(y),
            "{enc:?} width {} row {y}",
            page.width
        );
    }
    if enc.end_marker {
        let want = if enc.coding == Coding::Mmr {
            PageEnd::Eofb
        } else {
            PageEnd::Rtc
        };
        assert_eq!(stats.end, want);
        assert_eq!(stats.bytes, coded.len() as u64);
    }
    assert!(!stats.truncated);
}

fn all_options(coding: Coding) -> Vec<EncodeOptions> {
    let mut v = Vec::new();
    for order in [BitOrder::MsbFirst, BitOrder::LsbFirst] {
        for aligned in [false, true] {
            for min_bits in [0, 96, 400] {
                for end in [true, false] {
                    let mut o = EncodeOptions::new(coding).bit_order(order);
                    o.byte_aligned_eol = aligned;
                    o.min_row_bits = min_bits;
                    o.end_marker = end;
                    v.push(o);
                }
            }
        }
    }
    v
}

#[test]
fn generated_pages_all_options() {
    for coding in codings() {
        for width in [1728u32, 13, 2432] {
            let pages = [
                text_page(width, 60, 7),
                adversarial_page(width, 40, 3),
                lines_page(width, 30),
            ];
            for page in &pages {
                for o in all_options(coding) {
                    round_trip(page, &o);
                }
            }
        }
    }
}

#[test]
fn every_standard_width() {
    for width in [
        1u32, 2, 7, 8, 9, 63, 64, 65, 1215, 1728, 2048, 2432, 2560, 2561, 2623, 2624, 3456, 4864,
        5121, 9999, 65535,
    ] {
        let page = adversarial_page(width, 27, u64::from(width));
        for coding in codings() {
            round_trip(&page, &EncodeOptions::new(coding));
            round_trip(
                &page,
                &EncodeOptions::new(coding).bit_order(BitOrder::LsbFirst),
            );
        }
    }
}

#[test]
fn rle_framing_compression_2() {
    for width in [1u32, 100, 1728, 2049] {
        let page = adversarial_page(width, 30, 5);
        let mut o = EncodeOptions::new(Coding::Mh);
        o.eol = false;
        o.end_marker = false;
        o.rows_byte_aligned = true;
        round_trip(&page, &o);
    }
}

#[test]
fn mh_rows_without_eols() {
    let page = text_page(300, 40, 9);
    let mut o = EncodeOptions::new(Coding::Mh);
    o.eol = false;
    o.end_marker = false;
    round_trip(&page, &o);
}

#[test]
fn widths_1_to_300_all_codings() {
    for width in 1..=300u32 {
        let page = adversarial_page(width, 18, u64::from(width));
        for coding in codings() {
            round_trip(&page, &EncodeOptions::new(coding));
        }
    }
}

#[test]
fn streaming_any_chunking_matches_whole() {
    let page = text_page(1728, 80, 11);
    for coding in codings() {
        let coded = encode_page(&page, &EncodeOptions::new(coding)).unwrap();
        for chunk in [1usize, 2, 3, 7, 64, 1000] {
            let mut dec = Decoder::new(DecodeOptions::new(coding, 1728)).unwrap();
            let mut got = Bitmap::with_width(1728);
            let mut complete = false;
            for c in coded.chunks(chunk) {
                if let Status::Complete { .. } = dec.push(c, |r| got.push_row(r)).unwrap() {
                    complete = true;
                }
            }
            let stats = dec.finish(|r| got.push_row(r)).unwrap();
            assert!(complete);
            assert_eq!(got, page, "{coding:?} chunk {chunk}");
            assert_eq!(stats.rows, 80);
        }
    }
}

#[test]
fn complete_reports_bytes_of_the_page() {
    let page = text_page(500, 20, 1);
    for coding in codings() {
        let mut coded = encode_page(&page, &EncodeOptions::new(coding)).unwrap();
        let n = coded.len();
        coded.extend_from_slice(&[0xAA; 17]);
        let mut dec = Decoder::new(DecodeOptions::new(coding, 500)).unwrap();
        let st = dec.push(&coded, |_| {}).unwrap();
        assert_eq!(st, Status::Complete { consumed: n }, "{coding:?}");
    }
}

#[test]
fn transcode_between_all_codings() {
    let page = text_page(1728, 50, 21);
    for from in codings() {
        let coded = encode_page(&page, &EncodeOptions::new(from)).unwrap();
        for to in codings() {
            for order in [BitOrder::MsbFirst, BitOrder::LsbFirst] {
                let (out, stats) = transcode(
                    &coded,
                    &DecodeOptions::new(from, 1728),
                    &EncodeOptions::new(to).bit_order(order),
                )
                .unwrap();
                assert_eq!(stats.rows, 50);
                let (back, _) =
                    decode_page(&out, &DecodeOptions::new(to, 1728).bit_order(order)).unwrap();
                assert_eq!(back, page, "{from:?} -> {to:?}");
            }
        }
    }
}

#[test]
fn errors_are_typed() {
    assert_eq!(
        Decoder::new(DecodeOptions::new(Coding::Mh, 0)).unwrap_err(),
        T4Error::InvalidWidth { width: 0 }
    );
    assert!(matches!(
        Encoder::new(65536, EncodeOptions::new(Coding::Mh)),
        Err(T4Error::InvalidWidth { width: 65536 })
    ));
    assert!(matches!(
        Encoder::new(100, EncodeOptions::new(Coding::Mr { k: 0 })),
        Err(T4Error::InvalidK { k: 0 })
    ));
    let mut e = Encoder::new(100, EncodeOptions::new(Coding::Mh)).unwrap();
    assert!(matches!(
        e.encode_row(&[0; 12], &mut Vec::new()),
        Err(T4Error::RowLength {
            expected: 13,
            got: 12,
            ..
        })
    ));
    let page = text_page(100, 50, 1);
    let coded = encode_page(&page, &EncodeOptions::new(Coding::Mh)).unwrap();
    let r = decode_page(&coded, &DecodeOptions::new(Coding::Mh, 100).max_rows(20));
    assert!(matches!(r, Err(T4Error::TooManyRows { limit: 20, .. })));
}

#[test]
fn min_row_bits_are_respected() {
    // Between consecutive EOLs there must be at least min_row_bits - 12 bits.
    let page = blank_page(1728, 100, 2);
    let mut o = EncodeOptions::new(Coding::Mh);
    o.min_row_bits = min_row_bits(20, 9600);
    o.end_marker = false;
    let coded = encode_page(&page, &o).unwrap();
    let bits: Vec<bool> = coded
        .iter()
        .flat_map(|b| (0..8).map(move |i| b & (0x80 >> i) != 0))
        .collect();
    // Find EOL ends: 11+ zeros then a one.
    let mut eol_ends = Vec::new();
    let mut zeros = 0;
    for (i, &b) in bits.iter().enumerate() {
        if b {
            if zeros >= 11 {
                eol_ends.push(i);
            }
            zeros = 0;
        } else {
            zeros += 1;
        }
    }
    assert_eq!(eol_ends.len(), 100);
    for w in eol_ends.windows(2) {
        assert!(w[1] - w[0] >= 192, "row of {} bits", w[1] - w[0]);
    }
    let (back, _) = decode_page(&coded, &DecodeOptions::new(Coding::Mh, 1728)).unwrap();
    assert_eq!(back, page);
}

#[test]
fn byte_aligned_eols_end_on_byte_boundaries() {
    let page = text_page(1728, 30, 2);
    for coding in [Coding::Mh, Coding::Mr { k: 2 }] {
        let mut o = EncodeOptions::new(coding);
        o.byte_aligned_eol = true;
        let coded = encode_page(&page, &o).unwrap();
        let mut zeros = 0;
        let mut n = 0;
        for (i, bit) in coded
            .iter()
            .flat_map(|b| (0..8).map(move |i| b & (0x80 >> i) != 0))
            .enumerate()
        {
            if bit {
                if zeros >= 11 {
                    assert_eq!(i % 8, 7, "{coding:?}: EOL ends at bit {i}");
                    n += 1;
                }
                zeros = 0;
            } else {
                zeros += 1;
            }
        }
        assert_eq!(n, 30 + 6);
    }
}

fn arb_page() -> impl Strategy<Value = Bitmap> {
    (1u32..600, 1u32..12).prop_flat_map(|(w, h)| {
        let stride = w.div_ceil(8) as usize;
        prop::collection::vec(
            prop_oneof![
                prop::collection::vec(any::<u8>(), stride),
                prop::collection::vec(
                    prop_oneof![
                        Just(0u8),
                        Just(0xFF),
                        Just(0x55),
                        Just(0xAA),
                        Just(0x80),
                        Just(0x01)
                    ],
                    stride
                ),
                (0..stride, any::<u8>()).prop_map(move |(i, b)| {
                    let mut v = vec![0u8; stride];
                    v[i] = b;
                    v
                }),
            ],
            h as usize,
        )
        .prop_map(move |rows| {
            let mut p = Bitmap::with_width(w);
            for r in &rows {
                p.push_row(r);
            }
            p
        })
    })
}

fn arb_coding() -> impl Strategy<Value = Coding> {
    prop_oneof![
        Just(Coding::Mh),
        (1u32..6).prop_map(|k| Coding::Mr { k }),
        Just(Coding::Mr { k: u32::MAX }),
        Just(Coding::Mmr)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn prop_round_trip(page in arb_page(), coding in arb_coding(), lsb in any::<bool>(), aligned in any::<bool>(), min in 0u32..300, end in any::<bool>()) {
        let mut o = EncodeOptions::new(coding).bit_order(if lsb { BitOrder::LsbFirst } else { BitOrder::MsbFirst });
        o.byte_aligned_eol = aligned;
        o.min_row_bits = min;
        o.end_marker = end;
        round_trip(&page, &o);
    }

    #[test]
    fn prop_chunked_decode(page in arb_page(), coding in arb_coding(), cut in prop::collection::vec(1usize..40, 1..20)) {
        let coded = encode_page(&page, &EncodeOptions::new(coding)).unwrap();
        let mut dec = Decoder::new(DecodeOptions::new(coding, page.width)).unwrap();
        let mut got = Bitmap::with_width(page.width);
        let mut rest = &coded[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = cut[i % cut.len()].min(rest.len());
            dec.push(&rest[..n], |r| got.push_row(r)).unwrap();
            rest = &rest[n..];
            i += 1;
        }
        dec.finish(|r| got.push_row(r)).unwrap();
        prop_assert_eq!(got, page);
    }
}
