//! The V.17 receiver fed arbitrary samples never panics (bolero; runs as a quick property
//! test under `cargo test`, or as a fuzz target under `cargo bolero test`).

use telefax_modem::v17::{V17Rate, V17Rx};
use telefax_modem::{Demodulator, RxSink, RxStatus};

struct Count(usize);
impl RxSink for Count {
    fn put_bit(&mut self, _bit: u8) {
        self.0 += 1;
    }
    fn status(&mut self, _status: RxStatus) {}
}

#[test]
fn v17_rx_survives_arbitrary_samples() {
    bolero::check!()
        .with_type::<(u8, Vec<i16>)>()
        .for_each(|(sel, samples)| {
            let rate = [
                V17Rate::R7200,
                V17Rate::R9600,
                V17Rate::R12000,
                V17Rate::R14400,
            ][(*sel & 3) as usize];
            let mut rx = V17Rx::new(rate);
            rx.set_auto_short_train(sel & 4 != 0);
            let mut sink = Count(0);
            for chunk in samples.chunks(1 + (*sel as usize >> 3)) {
                rx.demodulate(chunk, &mut sink);
            }
            // Loud square-ish input, then the same after a reset.
            rx.reset();
            rx.demodulate(samples, &mut sink);
            assert!(sink.0 <= 6 * samples.len() * 2);
        });
}
