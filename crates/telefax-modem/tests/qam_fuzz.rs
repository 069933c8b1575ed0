//! Bolero harness: the V.27ter and V.29 receivers fed arbitrary samples (and a real signal
//! with arbitrary corruption) never panic, and deliver only 0/1 bits at a bounded rate.
//! `cargo test` runs a few thousand random inputs; `cargo bolero test` can run it longer.

use telefax_modem::any::{AnyDemodulator, ModemKind, RxOptions};
use telefax_modem::{Demodulator, RxSink, RxStatus};

struct Count(u64);
impl RxSink for Count {
    fn put_bit(&mut self, bit: u8) {
        assert!(bit <= 1);
        self.0 += 1;
    }
    fn status(&mut self, _s: RxStatus) {}
}

const CHOICES: [(ModemKind, u32); 5] = [
    (ModemKind::V27ter, 2400),
    (ModemKind::V27ter, 4800),
    (ModemKind::V29, 4800),
    (ModemKind::V29, 7200),
    (ModemKind::V29, 9600),
];

fn run(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let (kind, rate) = CHOICES[data[0] as usize % CHOICES.len()];
    let block = 1 + data[1] as usize;
    let samples: Vec<i16> = data[2..]
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let mut rx = AnyDemodulator::new(
        kind,
        &RxOptions {
            rate,
            ..RxOptions::default()
        },
    )
    .unwrap();
    let mut sink = Count(0);
    for b in samples.chunks(block) {
        rx.demodulate(b, &mut sink);
    }
    assert!(sink.0 <= samples.len() as u64 * 2);
    if let Some(q) = rx.signal_quality_db() {
        assert!(!q.is_nan());
    }
}

#[test]
fn receivers_survive_arbitrary_samples() {
    bolero::check!().for_each(run);
}

#[test]
fn receivers_survive_extreme_signals() {
    // Full-scale square waves, DC, alternating extremes, impulses.
    let mut cases: Vec<Vec<i16>> = vec![
        vec![i16::MAX; 20_000],
        vec![i16::MIN; 20_000],
        (0..20_000)
            .map(|i| if i % 2 == 0 { i16::MAX } else { i16::MIN })
            .collect(),
        (0..20_000)
            .map(|i| if i % 3 == 0 { i16::MAX } else { 0 })
            .collect(),
        (0..20_000)
            .map(|i| if i % 1000 == 0 { i16::MIN } else { 0 })
            .collect(),
    ];
    // A tone at each carrier (unmodulated): must not train.
    for f in [1700.0f32, 1800.0, 2100.0, 1100.0] {
        cases.push(
            (0..40_000)
                .map(|i| {
                    (8000.0 * (2.0 * std::f32::consts::PI * f * i as f32 / 8000.0).sin()) as i16
                })
                .collect(),
        );
    }
    for samples in &cases {
        for (kind, rate) in CHOICES {
            let mut rx = AnyDemodulator::new(
                kind,
                &RxOptions {
                    rate,
                    ..RxOptions::default()
                },
            )
            .unwrap();
            struct Ev(Vec<RxStatus>, u64);
            impl RxSink for Ev {
                fn put_bit(&mut self, _b: u8) {
                    self.1 += 1;
                }
                fn status(&mut self, s: RxStatus) {
                    self.0.push(s);
                }
            }
            let mut ev = Ev(Vec::new(), 0);
            rx.demodulate(samples, &mut ev);
            assert!(
                !ev.0.contains(&RxStatus::TrainingSucceeded),
                "{kind} {rate} trained on a non-modem signal: {:?}",
                ev.0
            );
            assert_eq!(ev.1, 0);
        }
    }
}
