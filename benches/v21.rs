//! V.21 channel 2 receive and transmit throughput (criterion). One second of signal per
//! iteration; the reported time divided into 1 s gives the real-time factor.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use telefax_dsp::line::{LineConfig, LineSim};
use telefax_modem::bert::{BertChecker, Prbs};
use telefax_modem::v21::{Channel, V21Rx, V21Tx};
use telefax_modem::{Demodulator, Modulator};

fn signal(seconds: usize, snr_db: Option<f32>) -> Vec<i16> {
    let mut tx = V21Tx::new(Channel::Two, -13.0).unwrap();
    let mut out = vec![0i16; 8000 * seconds];
    tx.modulate(&mut out, &mut Prbs::o151_23());
    match snr_db {
        Some(s) => LineSim::new(&LineConfig::with_snr_db(s))
            .unwrap()
            .process_to_vec(&out),
        None => out,
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("v21");
    g.throughput(Throughput::Elements(8000));
    let clean = signal(1, None);
    let noisy = signal(1, Some(6.0));
    g.bench_function("rx_1s_clean", |b| {
        b.iter(|| {
            let mut rx = V21Rx::new(Channel::Two);
            let mut bert = BertChecker::o151_23();
            for blk in clean.chunks(160) {
                rx.demodulate(blk, &mut bert);
            }
            bert.report().bits
        })
    });
    g.bench_function("rx_1s_6db", |b| {
        b.iter(|| {
            let mut rx = V21Rx::new(Channel::Two);
            let mut bert = BertChecker::o151_23();
            for blk in noisy.chunks(160) {
                rx.demodulate(blk, &mut bert);
            }
            bert.report().bits
        })
    });
    g.bench_function("tx_1s", |b| {
        let mut out = vec![0i16; 8000];
        b.iter(|| {
            let mut tx = V21Tx::new(Channel::Two, -13.0).unwrap();
            let mut p = Prbs::o151_23();
            for blk in out.chunks_mut(160) {
                tx.modulate(blk, &mut p);
            }
            out[7999]
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
