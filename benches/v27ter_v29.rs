//! Criterion benchmarks for the V.27ter and V.29 transmitters and receivers: throughput on
//! 10 s of signal (O.151 pattern after the training, 20 dB SNR for the receivers). Compare
//! with spandsp through `refmodem rx ... REPEAT` against `telefax modem rx ... --repeat`.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use telefax_dsp::line::{LineConfig, LineSim};
use telefax_modem::any::{AnyDemodulator, AnyModulator, ModemKind, RxOptions, TxOptions};
use telefax_modem::bert::Prbs;
use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};

const CASES: [(ModemKind, u32); 5] = [
    (ModemKind::V27ter, 2400),
    (ModemKind::V27ter, 4800),
    (ModemKind::V29, 4800),
    (ModemKind::V29, 7200),
    (ModemKind::V29, 9600),
];
const SECONDS: usize = 10;

struct Null(u64);
impl RxSink for Null {
    fn put_bit(&mut self, b: u8) {
        self.0 += u64::from(b);
    }
    fn status(&mut self, _s: RxStatus) {}
}

fn transmit(kind: ModemKind, rate: u32, out: &mut [i16]) {
    let opts = TxOptions {
        rate,
        ..TxOptions::default()
    };
    let mut tx = AnyModulator::new(kind, &opts).unwrap();
    let mut prbs = Prbs::o151_23();
    for b in out.chunks_mut(160) {
        tx.modulate(b, &mut prbs);
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("v27ter_v29_tx");
    g.throughput(Throughput::Elements((SECONDS * 8000) as u64));
    let mut buf = vec![0i16; SECONDS * 8000];
    for (kind, rate) in CASES {
        g.bench_with_input(BenchmarkId::new(kind.name(), rate), &rate, |b, &rate| {
            b.iter(|| transmit(kind, rate, &mut buf))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("v27ter_v29_rx");
    g.throughput(Throughput::Elements((SECONDS * 8000) as u64));
    for (kind, rate) in CASES {
        let mut sig = vec![0i16; SECONDS * 8000];
        transmit(kind, rate, &mut sig);
        let audio = LineSim::new(&LineConfig::with_snr_db(20.0))
            .unwrap()
            .process_to_vec(&sig);
        g.bench_with_input(BenchmarkId::new(kind.name(), rate), &audio, |b, audio| {
            b.iter(|| {
                let opts = RxOptions {
                    rate,
                    ..RxOptions::default()
                };
                let mut rx = AnyDemodulator::new(kind, &opts).unwrap();
                let mut sink = Null(0);
                for blk in audio.chunks(160) {
                    rx.demodulate(blk, &mut sink);
                }
                sink.0
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
