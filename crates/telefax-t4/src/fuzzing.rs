//! Fuzzing harnesses shared by `fuzz/fuzz_targets/t4_decode.rs` and the
//! bolero tests (not part of the stable API). They assert invariants and
//! panic when one breaks, which is what a fuzzer looks for.

use crate::{
    decode_page, encode_page, BitOrder, Bitmap, Coding, DecodeOptions, Decoder, EncodeOptions,
};

/// Decode arbitrary bytes. The first 4 bytes choose the coding (`force`
/// overrides it), width, bit order, framing and chunk size; the rest is
/// coded data. Checks: no panic, rows of the right stride, limits kept,
/// chunked and whole decoding agree, and the decoded page survives an
/// encode/decode round trip.
pub fn decode_harness(data: &[u8], force: Option<Coding>) {
    if data.len() < 4 {
        return;
    }
    let coding = force.unwrap_or(match data[0] % 3 {
        0 => Coding::Mh,
        1 => Coding::Mr {
            k: u32::from(data[0] >> 4) + 1,
        },
        _ => Coding::Mmr,
    });
    let width = match data[1] % 4 {
        0 => 1728,
        1 => u32::from(data[2]) + 1,
        2 => 2432,
        _ => u32::from(u16::from_le_bytes([data[2], data[1]]) >> 2).max(1),
    };
    let order = if data[3] & 1 == 0 {
        BitOrder::MsbFirst
    } else {
        BitOrder::LsbFirst
    };
    let chunk = usize::from(data[3] >> 1 & 0x3F) + 1;
    let mut opts = DecodeOptions::new(coding, width)
        .bit_order(order)
        .max_rows(2000);
    opts.rows_byte_aligned = data[3] & 0x80 != 0 && coding == Coding::Mh;
    let body = &data[4..];

    let stride = Bitmap::stride_for(width);
    let Ok(mut dec) = Decoder::new(opts.clone()) else {
        panic!("valid options rejected");
    };
    let mut page = Bitmap::with_width(width);
    for c in body.chunks(chunk) {
        let r = dec.push(c, |row| {
            assert_eq!(row.len(), stride);
            page.push_row(row);
        });
        if r.is_err() {
            return;
        }
    }
    let Ok(stats) = dec.finish(|row| page.push_row(row)) else {
        return;
    };
    assert_eq!(stats.rows, page.height);
    assert!(stats.rows <= 2000);
    assert!(stats.bad_rows <= stats.rows);
    assert!(stats.longest_bad_run <= stats.bad_rows);
    assert!(stats.bytes <= body.len() as u64);

    let Ok((whole, wstats)) = decode_page(body, &opts) else {
        panic!("whole-buffer decode failed where chunked did not");
    };
    assert_eq!(whole, page, "chunked and whole decoding differ");
    assert_eq!(wstats.bad_rows, stats.bad_rows);

    if page.height > 0 {
        let enc = EncodeOptions::new(coding).bit_order(order);
        let Ok(coded) = encode_page(&page, &enc) else {
            panic!("encode failed");
        };
        let Ok((again, s2)) =
            decode_page(&coded, &DecodeOptions::new(coding, width).bit_order(order))
        else {
            panic!("decode of own encoding failed");
        };
        assert_eq!(s2.bad_rows, 0);
        assert_eq!(again, page, "round trip differs");
    }
}

/// Encode arbitrary pixels (first 2 bytes: width and coding) and require
/// an exact round trip through the decoder, and through transcoding.
pub fn encode_harness(data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let width = u32::from(u16::from_le_bytes([data[0], data[1] & 0x1F])).max(1);
    let coding = match data[2] % 4 {
        0 => Coding::Mh,
        1 => Coding::Mr { k: 2 },
        2 => Coding::Mr { k: 5 },
        _ => Coding::Mmr,
    };
    let stride = Bitmap::stride_for(width);
    let mut page = Bitmap::with_width(width);
    for row in data[3..].chunks(stride).take(64) {
        page.push_row(row);
    }
    let mut enc = EncodeOptions::new(coding);
    enc.byte_aligned_eol = data[2] & 0x10 != 0;
    let Ok(coded) = encode_page(&page, &enc) else {
        panic!("encode failed");
    };
    let dopts = DecodeOptions::new(coding, width);
    let Ok((back, stats)) = decode_page(&coded, &dopts) else {
        panic!("decode failed");
    };
    assert_eq!(stats.bad_rows, 0);
    assert_eq!(back, page);
    let to = EncodeOptions::new(Coding::Mmr);
    let Ok((mmr, _)) = crate::transcode(&coded, &dopts, &to) else {
        panic!("transcode failed");
    };
    let Ok((back2, _)) = decode_page(&mmr, &DecodeOptions::new(Coding::Mmr, width)) else {
        panic!("decode of transcoded failed");
    };
    assert_eq!(back2, page);
}
