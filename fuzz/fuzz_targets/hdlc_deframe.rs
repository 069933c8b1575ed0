//! Fuzz the HDLC deframer with arbitrary bit streams (each input byte gives 8 bits, LSB
//! first). The first byte chooses the frame size limit. Checks: no panic, counts consistent,
//! good frames within the limit.
#![no_main]
use libfuzzer_sys::fuzz_target;
use telefax_modem::hdlc::{HdlcDeframer, HdlcEvent};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let limit = 1 + first as usize * 2;
    let mut rx = HdlcDeframer::new(limit);
    let mut events = 0u64;
    for &byte in rest {
        for i in 0..8 {
            if let Some(ev) = rx.put_bit(byte >> i) {
                events += 1;
                if let HdlcEvent::Frame(f) = ev {
                    assert!(!f.is_empty() && f.len() <= limit);
                }
            }
        }
    }
    let s = rx.stats();
    assert_eq!(s.good + s.bad_fcs + s.aborts + s.too_long, events);
});
