//! Property tests: frame round trips and engine robustness under arbitrary input.

use proptest::prelude::*;
use telefax_t30::fcf::Fcf;
use telefax_t30::frame::Frame;

fn frame_bytes() -> impl Strategy<Value = Vec<u8>> {
    let fcf = prop_oneof![
        proptest::sample::select(Fcf::ALL.to_vec())
            .prop_flat_map(|f| prop_oneof![Just(f.to_octet(false)), Just(f.to_octet(true))]),
        any::<u8>(),
    ];
    let fif_len = prop_oneof![
        Just(0usize),
        Just(1),
        Just(3),
        Just(4),
        Just(20),
        Just(32),
        Just(65),
        Just(257),
        0usize..300
    ];
    (
        prop_oneof![Just(0x03u8), Just(0x13u8), any::<u8>()],
        fcf,
        fif_len,
    )
        .prop_flat_map(|(ctrl, fcf, n)| {
            proptest::collection::vec(any::<u8>(), n).prop_map(move |fif| {
                let mut v = vec![0xff, ctrl, fcf];
                v.extend(fif);
                v
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn parsed_frames_serialize_back_bit_exactly(bytes in frame_bytes()) {
        if let Ok(f) = Frame::parse(&bytes) {
            prop_assert_eq!(f.to_bytes(), bytes.clone());
            prop_assert_eq!(Frame::parse(&f.to_bytes()), Ok(f));
        }
    }

    #[test]
    fn known_fcfs_with_valid_fields_always_parse(
        fcf in proptest::sample::select(Fcf::ALL.to_vec()),
        x in any::<bool>(),
        fin in any::<bool>(),
        fif in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let fif: Vec<u8> = match fcf {
            Fcf::Pps => fif.iter().copied().chain([0; 4]).take(4).collect(),
            Fcf::Ppr => fif.iter().copied().chain([0; 32]).take(32).collect(),
            Fcf::Eor => vec![fif.first().copied().unwrap_or(0)],
            Fcf::Dis | Fcf::Dtc | Fcf::Dcs | Fcf::Fcd => fif.iter().copied().chain([0; 2]).collect(),
            _ => fif,
        };
        let mut bytes = vec![0xff, if fin { 0x13 } else { 0x03 }, fcf.to_octet(x)];
        bytes.extend(&fif);
        let f = Frame::parse(&bytes).unwrap();
        prop_assert_eq!(f.fcf, fcf);
        prop_assert_eq!(f.x, x && fcf.has_x_bit());
        prop_assert_eq!(f.is_final(), fin);
        prop_assert_eq!(f.to_bytes(), bytes);
    }

    #[test]
    fn any_input_sequence_reaches_phase_e_within_the_timers(
        data in proptest::collection::vec(any::<u8>(), 0..400)
    ) {
        telefax_t30::fuzz::session(&data);
    }
}

/// Every role/job combination, fed only silence, ends by its own timers.
#[test]
fn silence_in_every_configuration_ends_by_timer() {
    for cfg in 0u8..8 {
        telefax_t30::fuzz::session(&[cfg]);
    }
}

/// Protocol-shaped streams: many seeds of valid frames in arbitrary order.
#[test]
fn valid_frames_in_random_order_never_wedge_the_engine() {
    let mut seed = 0x1234_5678u32;
    for _ in 0..3000 {
        let mut data = Vec::new();
        for _ in 0..60 {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            data.extend_from_slice(&seed.to_le_bytes());
        }
        telefax_t30::fuzz::session(&data);
    }
}

mod common;
use common::*;

/// A small deterministic generator giving values in 0..1000.
fn xorshift(seed: u32) -> impl FnMut() -> u32 {
    let mut x = seed.max(1);
    move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x % 1000
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    /// Whole calls over a line that randomly drops, corrupts and delays V.21 frames and
    /// spoils training: both ends always finish within the simulated time, and every
    /// page the receiver confirmed is byte-exact.
    #[test]
    fn random_line_faults_always_end_both_sides_with_exact_confirmed_pages(
        seed in 1u32..u32::MAX,
        frame_loss in 0u32..300,
        fast_loss in 0u32..300,
        ecm in any::<bool>(),
        pages in 1u32..4,
    ) {
        let (mut a, mut b) = send_configs(pages);
        a.policy.ecm = ecm;
        b.policy.ecm = ecm;
        let mut p = Pair::new(a, b, pages as usize);
        let mut rnd = xorshift(seed);
        let mut r2 = xorshift(seed ^ 0x9e37_79b9);
        let mut r3 = xorshift(seed.rotate_left(7) | 1);
        p.frame_fault = Box::new(move |_| match rnd() {
            v if v < frame_loss / 2 => FrameFate::Drop,
            v if v < frame_loss => FrameFate::Corrupt,
            v if v < frame_loss + 20 => FrameFate::Delay(v as u64 * 40),
            _ => FrameFate::Deliver,
        });
        // Spoiled TCFs, and pages whose training fails (the harness's page quality reports
        // know nothing of corrupted data, so pages fail rather than arrive damaged). A page
        // lost without any carrier at all is not used here: in non-ECM it cannot be told
        // from a lost MCF (the receiver repeats MCF), a T.30 ambiguity that ECM removes.
        p.fast_fault = Box::new(move |c| match (r2() < fast_loss, c.tcf) {
            (true, true) => FastFate::Noisy(7),
            (true, false) => FastFate::FailTraining,
            _ => FastFate::Deliver,
        });
        p.fast_frame_fault = Box::new(move |_| r3() < fast_loss / 2);
        p.run(LIMIT);
        prop_assert!(p.a.ended.is_some(), "caller did not end");
        prop_assert!(p.b.ended.is_some(), "answerer did not end");
        for pg in p.b.received_pages() {
            if pg.response == Some(Fcf::Mcf) || pg.response == Some(Fcf::Rtp) {
                prop_assert!(p.a.pages.contains(&pg.data), "confirmed page differs");
            }
        }
        let sent = match p.a.result() { Ok(s) => s.pages_sent, Err(e) => e.summary.pages_sent };
        let got = match p.b.result() { Ok(s) => s.pages_received, Err(e) => e.summary.pages_received };
        prop_assert!(sent <= got, "sender counts {sent} confirmed, receiver accepted {got}");
        if p.a.result().is_ok() {
            prop_assert_eq!(sent, pages);
        }
    }
}
