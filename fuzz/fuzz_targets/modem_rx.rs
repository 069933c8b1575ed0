//! Every modem receiver, chosen through `telefax_modem::any`, fed arbitrary samples in
//! arbitrary block sizes: no panic, no unbounded growth.
//!
//! Input layout: byte 0 picks the modem and rate, byte 1 the block size, the rest are
//! little-endian `i16` samples.
#![no_main]
use libfuzzer_sys::fuzz_target;
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

const CHOICES: [(ModemKind, u32); 10] = [
    (ModemKind::V21, 300),
    (ModemKind::V27ter, 2400),
    (ModemKind::V27ter, 4800),
    (ModemKind::V29, 4800),
    (ModemKind::V29, 7200),
    (ModemKind::V29, 9600),
    (ModemKind::V17, 7200),
    (ModemKind::V17, 9600),
    (ModemKind::V17, 12000),
    (ModemKind::V17, 14400),
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let (kind, rate) = CHOICES[data[0] as usize % CHOICES.len()];
    let block = 1 + data[1] as usize;
    let samples: Vec<i16> = data[2..]
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    let Ok(mut rx) = AnyDemodulator::new(
        kind,
        &RxOptions {
            rate,
            ..RxOptions::default()
        },
    ) else {
        return; // not implemented yet in this build
    };
    let mut sink = Count(0);
    for b in samples.chunks(block) {
        rx.demodulate(b, &mut sink);
    }
    // Never more bits than the highest rate could carry.
    assert!(sink.0 <= samples.len() as u64 * 2 + 16);
    let _ = rx.signal_quality_db();
    rx.reset();
});
