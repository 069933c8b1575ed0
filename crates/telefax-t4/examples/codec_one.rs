//! One codec operation on one benchmark page, repeated: for counting CPU
//! cycles with `perf stat -e cycles:u` (independent of machine load),
//! against the same count for another codec, or for `perf record`. Prints
//! the best wall-clock time of one operation on stderr.
//!
//! Run: `codec_one PAGE CODING dec|enc ITERS` with PAGE one of
//! `telefax_t4::testpages::BENCH_PAGES` names or of the pages of
//! `scripts/compare_t4.sh` (`codec_compare gen`: `dense_text_std`,
//! `dithered_std`, `near_blank_std`, `a4_fine_text`) and CODING
//! mh|mr_k4|mmr.
use std::time::Instant;

// The generators of `codec_compare gen` (telefax-tiff's example), so that
// the pages of `scripts/compare_t4.sh` can be timed here too.
#[path = "../../telefax-tiff/tests/common/pages.rs"]
mod pages;
use telefax_t4::{
    decode_page_into, encode_page, testpages, Bitmap, Coding, DecodeOptions, EncodeOptions, Encoder,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: codec_one PAGE mh|mr_k4|mmr dec|enc ITERS");
        std::process::exit(2);
    }
    let compare_t4 = match args[1].as_str() {
        "dense_text_std" => Some(pages::text(1728, 1143, 1, 1)),
        "dithered_std" => Some(pages::dithered(1728, 1143)),
        "near_blank_std" => Some(pages::near_blank(1728, 1143, 2)),
        "a4_fine_text" => Some(pages::text(1728, 2287, 2, 3)),
        _ => None,
    };
    let Some(page) = compare_t4.or_else(|| testpages::bench_page(&args[1])) else {
        eprintln!("unknown page {}", args[1]);
        std::process::exit(2);
    };
    let coding = match args[2].as_str() {
        "mh" => Coding::Mh,
        "mr_k4" => Coding::Mr { k: 4 },
        _ => Coding::Mmr,
    };
    let iters: u32 = args[4].parse().unwrap_or(1);
    let mut best = f64::MAX;
    let coded = encode_page(&page, &EncodeOptions::new(coding)).expect("encode");
    if args[3] == "dec" {
        let opts = DecodeOptions::new(coding, page.width);
        let mut p = Bitmap::default();
        for _ in 0..iters {
            let t = Instant::now();
            decode_page_into(&coded, &opts, &mut p).expect("decode");
            best = best.min(t.elapsed().as_secs_f64());
        }
        if iters > 0 {
            assert_eq!(p, page);
        }
    } else {
        let mut enc = Encoder::new(page.width, EncodeOptions::new(coding)).expect("encoder");
        let mut out = Vec::with_capacity(coded.len());
        for _ in 0..iters {
            let t = Instant::now();
            out.clear();
            enc.reset();
            for row in page.data.chunks_exact(page.stride()) {
                enc.encode_row(row, &mut out).expect("row");
            }
            enc.finish(&mut out);
            best = best.min(t.elapsed().as_secs_f64());
        }
        if iters > 0 {
            assert_eq!(out, coded);
        }
    }
    if iters > 0 {
        let mp = f64::from(page.width) * f64::from(page.height) / 1e6;
        eprintln!(
            "{} {} {}: best {:.1} us, {:.1} MP/s",
            args[1],
            args[2],
            args[3],
            best * 1e6,
            mp / best
        );
    }
}
