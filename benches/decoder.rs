//! Criterion benchmarks of the passive call decoder on shipped recordings
//! (tests/data/calls/p02: V.29 9600, 27 s stereo; p01: V.17 14400 ECM, 27.6 s mono mix).
//!
//! Throughput is reported in samples per second of one channel: divide by 8000 for the
//! real-time factor (e.g. 2.4 Msamples/s = 300x real time).
//! Run: `cargo bench --bench decoder`.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use telefax::decoder::{CallDecoder, DecoderConfig, ReceiverMode};

/// Read a 16-bit PCM WAV into one vector per channel.
fn read_wav16(path: &str) -> Vec<Vec<i16>> {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut pos = 12;
    let mut channels = 1usize;
    while pos + 8 <= b.len() {
        let id = &b[pos..pos + 4];
        let len = u32::from_le_bytes([b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]]) as usize;
        let body = &b[pos + 8..(pos + 8 + len).min(b.len())];
        if id == b"fmt " {
            channels = usize::from(u16::from_le_bytes([body[2], body[3]]));
        } else if id == b"data" {
            let mut out = vec![Vec::new(); channels];
            for (i, s) in body.chunks_exact(2).enumerate() {
                out[i % channels].push(i16::from_le_bytes([s[0], s[1]]));
            }
            return out;
        }
        pos += 8 + len + (len & 1);
    }
    panic!("{path}: no data chunk");
}

fn decode(chans: &[Vec<i16>], mode: ReceiverMode) -> usize {
    let mut dec = CallDecoder::new(DecoderConfig::with_channels(chans.len()).receivers(mode));
    let mut events = 0;
    if chans.len() == 1 {
        for block in chans[0].chunks(4000) {
            dec.push(block).expect("mono");
            while dec.poll_event().is_some() {
                events += 1;
            }
        }
    }
    if chans.len() == 2 {
        for (l, r) in chans[0].chunks(4000).zip(chans[1].chunks(4000)) {
            dec.push_channels(l, r).expect("stereo");
            while dec.poll_event().is_some() {
                events += 1;
            }
        }
    }
    dec.finish();
    while dec.poll_event().is_some() {
        events += 1;
    }
    events
}

/// Bench the recording `case` (under tests/data/calls) in each of `modes`.
fn bench_case(c: &mut Criterion, case: &str, file: &str, modes: &[(&str, ReceiverMode)]) {
    let path = format!(
        "{}/tests/data/calls/{case}/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let chans = read_wav16(&path);
    let mut g = c.benchmark_group("decoder");
    g.sample_size(10);
    g.throughput(Throughput::Elements(chans[0].len() as u64));
    for &(name, mode) in modes {
        g.bench_function(name, |b| b.iter(|| decode(&chans, mode)));
    }
    g.finish();
}

fn bench(c: &mut Criterion) {
    bench_case(
        c,
        "p02_v29_noecm_2d_chartshort_std",
        "line_stereo.wav",
        &[
            ("p02_stereo_follow_dcs", ReceiverMode::FollowDcs),
            ("p02_stereo_all_receivers", ReceiverMode::All),
        ],
    );
    bench_case(
        c,
        "p01_v17_ecm_t6_textshort_std",
        "line_mono.wav",
        &[("p01_mono_all_receivers", ReceiverMode::All)],
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
