//! T.4/T.6 codec throughput: decode and encode MH, MR (K = 2, 4) and MMR
//! on deterministic generated pages (dense text at fine resolution,
//! dithered, near-blank, text at standard resolution). Throughput is in
//! pixels, so criterion's "Melem/s" reads as megapixels per second.
//!
//! Run: `cargo bench --bench t4_codec`
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use telefax_t4::{
    decode_page, encode_page, testpages, Coding, DecodeOptions, EncodeOptions, Encoder,
};

fn codings() -> [(&'static str, Coding); 4] {
    [
        ("mh", Coding::Mh),
        ("mr_k2", Coding::Mr { k: 2 }),
        ("mr_k4", Coding::Mr { k: 4 }),
        ("mmr", Coding::Mmr),
    ]
}

fn bench(c: &mut Criterion) {
    let pages = testpages::bench_pages();
    let mut dec_group = c.benchmark_group("t4_decode");
    dec_group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for (name, page) in &pages {
        let pixels = u64::from(page.width) * u64::from(page.height);
        dec_group.throughput(Throughput::Elements(pixels));
        for (cname, coding) in codings() {
            let coded = encode_page(page, &EncodeOptions::new(coding)).unwrap();
            let opts = DecodeOptions::new(coding, page.width);
            dec_group.bench_with_input(BenchmarkId::new(cname, name), &coded, |b, coded| {
                b.iter(|| {
                    let (p, s) = decode_page(black_box(coded), &opts).unwrap();
                    assert_eq!(s.rows, p.height);
                    p
                })
            });
        }
    }
    dec_group.finish();

    let mut enc_group = c.benchmark_group("t4_encode");
    enc_group
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    for (name, page) in &pages {
        let pixels = u64::from(page.width) * u64::from(page.height);
        enc_group.throughput(Throughput::Elements(pixels));
        for (cname, coding) in codings() {
            let mut out = Vec::with_capacity(page.data.len());
            let mut enc = Encoder::new(page.width, EncodeOptions::new(coding)).unwrap();
            enc_group.bench_with_input(BenchmarkId::new(cname, name), page, |b, page| {
                b.iter(|| {
                    out.clear();
                    enc.reset();
                    for row in page.data.chunks_exact(page.stride()) {
                        enc.encode_row(black_box(row), &mut out).unwrap();
                    }
                    enc.finish(&mut out);
                    out.len()
                })
            });
        }
    }
    enc_group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
