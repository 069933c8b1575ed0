//! Quick best-of-N throughput of our codec on the benchmark pages, in
//! megapixels per second (the criterion bench `benches/t4_codec.rs` is the
//! careful measurement; this is for side-by-side runs with a C driver).
//!
//! Run: `cargo run -p telefax-t4 --release --example codec_speed [ITERS]`
use std::time::Instant;
use telefax_t4::{
    decode_page_into, testpages, Bitmap, Coding, DecodeOptions, EncodeOptions, Encoder,
};

fn main() {
    let iters: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let pages = testpages::bench_pages();
    let mut results = std::collections::BTreeMap::new();
    // Two passes (the best of both counts), so a busy moment on a shared
    // machine does not decide a result.
    for _pass in 0..2 {
        for (name, page) in &pages {
            let mp = f64::from(page.width) * f64::from(page.height) / 1e6;
            for (cname, coding) in [
                ("mh", Coding::Mh),
                ("mr_k4", Coding::Mr { k: 4 }),
                ("mmr", Coding::Mmr),
            ] {
                let mut enc =
                    Encoder::new(page.width, EncodeOptions::new(coding)).expect("encoder");
                let mut out = Vec::new();
                let mut best_enc = f64::MAX;
                for _ in 0..iters {
                    out.clear();
                    enc.reset();
                    let t = Instant::now();
                    for row in page.data.chunks_exact(page.stride()) {
                        enc.encode_row(row, &mut out).expect("row");
                    }
                    enc.finish(&mut out);
                    best_enc = best_enc.min(t.elapsed().as_secs_f64());
                }
                let opts = DecodeOptions::new(coding, page.width);
                let mut best_dec = f64::MAX;
                let mut p = Bitmap::default();
                for _ in 0..iters {
                    let t = Instant::now();
                    decode_page_into(&out, &opts, &mut p).expect("decode");
                    best_dec = best_dec.min(t.elapsed().as_secs_f64());
                }
                assert_eq!(&p, page);
                let e = results
                    .entry((*name, cname))
                    .or_insert((0f64, 0f64, 0usize));
                e.0 = e.0.max(mp / best_dec);
                e.1 = e.1.max(mp / best_enc);
                e.2 = out.len();
            }
        }
    }
    for ((name, cname), (dec, enc, bytes)) in results {
        println!(
            "{name:>10} {cname:>6}: decode {dec:8.1} MP/s  encode {enc:8.1} MP/s  ({bytes} bytes)"
        );
    }
}
