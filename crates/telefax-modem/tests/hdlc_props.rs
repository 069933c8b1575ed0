//! Property tests (bolero) for HDLC: the deframer survives any bit stream with consistent
//! counts, damaged streams are handled, and framing round-trips any frames.
use bolero::check;
use telefax_modem::hdlc::{FramerConfig, HdlcDeframer, HdlcEvent, HdlcFramer};
use telefax_modem::BitSource;

#[test]
fn deframer_survives_arbitrary_bits() {
    check!().with_type::<Vec<u8>>().for_each(|bytes: &Vec<u8>| {
        let mut rx = HdlcDeframer::new(64);
        let mut events = 0u64;
        for &byte in bytes {
            for i in 0..8 {
                if let Some(ev) = rx.put_bit(byte >> i) {
                    events += 1;
                    if let HdlcEvent::Frame(f) = ev {
                        assert!(f.len() <= 64);
                        assert!(!f.is_empty());
                    }
                }
            }
        }
        let s = rx.stats();
        assert_eq!(s.good + s.bad_fcs + s.aborts + s.too_long, events);
        assert!(s.flags <= bytes.len() as u64 * 8 / 7 + 1);
    });
}

#[test]
fn damaged_streams_never_panic_and_clean_ones_round_trip() {
    // Framed data with random bit flips: no panic, consistent counts; without flips every
    // frame comes back, in order.
    check!().with_type::<(Vec<u8>, Vec<u16>)>().for_each(
        |(payload, flips): &(Vec<u8>, Vec<u16>)| {
            let mut tx = HdlcFramer::new(FramerConfig {
                preamble_flags: 2,
                ..FramerConfig::default()
            })
            .unwrap();
            let chunks: Vec<&[u8]> = payload.chunks(13).take(8).collect();
            for c in &chunks {
                tx.queue_frame(c).unwrap();
            }
            tx.finish();
            let mut bits: Vec<u8> = std::iter::from_fn(|| tx.next_bit()).collect();
            for &f in flips {
                let n = bits.len();
                if n > 0 {
                    bits[f as usize % n] ^= 1;
                }
            }
            let mut rx = HdlcDeframer::new(32);
            let mut good: Vec<Vec<u8>> = Vec::new();
            let mut events = 0u64;
            for b in bits {
                if let Some(ev) = rx.put_bit(b) {
                    events += 1;
                    if let HdlcEvent::Frame(f) = ev {
                        good.push(f.to_vec());
                    }
                }
            }
            let s = rx.stats();
            assert_eq!(s.good + s.bad_fcs + s.aborts + s.too_long, events);
            if flips.is_empty() {
                let want: Vec<Vec<u8>> = chunks.iter().map(|c| c.to_vec()).collect();
                assert_eq!(good, want);
            }
        },
    );
}

#[test]
fn framing_round_trips() {
    check!()
        .with_type::<Vec<Vec<u8>>>()
        .for_each(|frames: &Vec<Vec<u8>>| {
            let mut tx = HdlcFramer::new(FramerConfig {
                preamble_flags: 1,
                queue_frames: 64,
                ..FramerConfig::default()
            })
            .unwrap();
            let frames: Vec<&Vec<u8>> = frames
                .iter()
                .filter(|f| !f.is_empty() && f.len() <= 300)
                .take(16)
                .collect();
            for f in &frames {
                tx.queue_frame(f).unwrap();
            }
            tx.finish();
            let mut rx = HdlcDeframer::new(300);
            let mut got = Vec::new();
            let mut ones = 0;
            while let Some(b) = tx.next_bit() {
                ones = if b == 1 { ones + 1 } else { 0 };
                assert!(
                    ones <= 6,
                    "a data run of more than six ones reached the line"
                );
                if let Some(ev) = rx.put_bit(b) {
                    match ev {
                        HdlcEvent::Frame(f) => got.push(f.to_vec()),
                        other => panic!("unexpected {other:?}"),
                    }
                }
            }
            let want: Vec<Vec<u8>> = frames.iter().map(|f| f.to_vec()).collect();
            assert_eq!(got, want);
        });
}
