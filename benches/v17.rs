//! Criterion benchmarks for the V.17 transmitter and receiver: throughput on 10 s of signal
//! (O.151 pattern after the long training; the receiver sees it at 25 dB SNR), per rate.
//! The receiver runs in 160-sample blocks and allocates nothing per block. Compare with
//! spandsp through `refmodem rx v17 RATE X.wav 20` against
//! `telefax modem rx --modem v17 --rate RATE X.wav --repeat 20`.
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use telefax_dsp::line::{LineConfig, LineSim};
use telefax_modem::bert::Prbs;
use telefax_modem::v17::{V17Rate, V17Rx, V17Tx};
use telefax_modem::{Demodulator, Modulator, RxSink, RxStatus};

const RATES: [V17Rate; 4] = [
    V17Rate::R7200,
    V17Rate::R9600,
    V17Rate::R12000,
    V17Rate::R14400,
];
const SECONDS: usize = 10;

struct Null(u64);
impl RxSink for Null {
    fn put_bit(&mut self, b: u8) {
        self.0 += u64::from(b);
    }
    fn status(&mut self, _s: RxStatus) {}
}

fn transmit(rate: V17Rate, out: &mut [i16]) {
    let mut tx = V17Tx::new(rate, false);
    let mut prbs = Prbs::o151_23();
    for b in out.chunks_mut(160) {
        tx.modulate(b, &mut prbs);
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("v17_tx");
    g.throughput(Throughput::Elements((SECONDS * 8000) as u64));
    let mut buf = vec![0i16; SECONDS * 8000];
    for rate in RATES {
        g.bench_with_input(
            BenchmarkId::from_parameter(rate.bps()),
            &rate,
            |b, &rate| b.iter(|| transmit(rate, &mut buf)),
        );
    }
    g.finish();

    let mut g = c.benchmark_group("v17_rx");
    g.throughput(Throughput::Elements((SECONDS * 8000) as u64));
    for rate in RATES {
        let mut sig = vec![0i16; SECONDS * 8000];
        transmit(rate, &mut sig);
        let mut line = LineConfig::with_snr_db(25.0);
        line.seed = 7;
        let sig = LineSim::new(&line).expect("line").process_to_vec(&sig);
        g.bench_with_input(BenchmarkId::from_parameter(rate.bps()), &sig, |b, sig| {
            b.iter(|| {
                let mut rx = V17Rx::new(rate);
                let mut sink = Null(0);
                for block in sig.chunks(160) {
                    rx.demodulate(block, &mut sink);
                }
                sink.0
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
