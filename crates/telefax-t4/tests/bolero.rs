//! The fuzz harnesses, run on random inputs by bolero under `cargo test`
//! (the same checks as `fuzz/fuzz_targets/t4_decode.rs`).

use telefax_t4::fuzzing::{decode_harness, encode_harness};
use telefax_t4::Coding;

#[test]
fn fuzz_decode_mh() {
    bolero::check!().for_each(|data: &[u8]| decode_harness(data, Some(Coding::Mh)));
}

#[test]
fn fuzz_decode_mr() {
    bolero::check!().for_each(|data: &[u8]| decode_harness(data, Some(Coding::Mr { k: 4 })));
}

#[test]
fn fuzz_decode_mmr() {
    bolero::check!().for_each(|data: &[u8]| decode_harness(data, Some(Coding::Mmr)));
}

#[test]
fn fuzz_decode_any() {
    bolero::check!().for_each(|data: &[u8]| decode_harness(data, None));
}

/// Valid pages with random bit flips: mostly-valid input reaches deeper
/// decoder states than random bytes.
#[test]
fn fuzz_decode_flipped_pages() {
    let pages: Vec<(Coding, Vec<u8>)> = [Coding::Mh, Coding::Mr { k: 2 }, Coding::Mmr]
        .into_iter()
        .map(|c| {
            let page = telefax_t4::testpages::text_page(1728, 40, 3);
            let coded = telefax_t4::encode_page(&page, &telefax_t4::EncodeOptions::new(c)).unwrap();
            (c, coded)
        })
        .collect();
    bolero::check!()
        .with_type::<(u8, Vec<u32>)>()
        .for_each(|(which, flips)| {
            let (coding, coded) = &pages[usize::from(*which) % pages.len()];
            let mut data = vec![0u8, 0, 0, 0];
            data.extend_from_slice(coded);
            for f in flips.iter().take(8) {
                let bit = *f as usize % (coded.len() * 8);
                data[4 + bit / 8] ^= 0x80 >> (bit % 8);
            }
            decode_harness(&data, Some(*coding));
        });
}

#[test]
fn fuzz_encode_round_trip() {
    bolero::check!().for_each(|data: &[u8]| encode_harness(data));
}
