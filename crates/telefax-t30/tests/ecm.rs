//! ECM (T.30 Annex A) scenarios: two sessions through the simulated line with error
//! correction on, including HDLC frame loss on the high-speed channel.

mod common;

use common::*;
use telefax_t30::capabilities::{Coding, FastModem};
use telefax_t30::frame::Frame;
use telefax_t30::session::timing::T5;
use telefax_t30::session::{CallResult, Config, Event, FailReason, Summary};
use telefax_t30::Fcf;

fn ecm_configs(pages: u32, frame_size: u16) -> (Config, Config) {
    let (mut a, mut b) = send_configs(pages);
    for c in [&mut a, &mut b] {
        c.policy.ecm = true;
        c.policy.ecm_frame_size = frame_size;
        c.policy.codings = vec![Coding::Mh, Coding::Mr, Coding::Mmr];
    }
    (a, b)
}

fn ok(pages_sent: u32, pages_received: u32) -> CallResult {
    Ok(Summary {
        pages_sent,
        pages_received,
    })
}

fn with_page_sizes(p: &mut Pair, sizes: &[usize]) {
    p.a.pages = sizes
        .iter()
        .enumerate()
        .map(|(i, n)| page_bytes(i, *n))
        .collect();
}

fn assert_pages_exact(p: &Pair) {
    let got = p.b.received_pages();
    assert_eq!(got.len(), p.a.pages.len());
    for (i, g) in got.iter().enumerate() {
        assert_eq!(g.data, p.a.pages[i], "page {i}");
        assert_eq!(g.response, Some(Fcf::Mcf));
    }
}

fn negotiated_modems(ep: &Endpoint) -> Vec<FastModem> {
    ep.events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Negotiated(m) => Some(m.modem),
            _ => None,
        })
        .collect()
}

#[test]
fn ecm_256_octet_frames_one_page_arrives_exact() {
    let (a, b) = ecm_configs(1, 256);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(*p.b.result(), ok(0, 1));
    assert_pages_exact(&p);
    let m = p.b.received_pages()[0].mode;
    assert_eq!(m.ecm_frame_size, Some(256));
    assert_eq!(m.coding, Coding::Mmr);
    assert_eq!(m.min_scan_line_ms, 0);
    assert_eq!(p.a.count_sent(Fcf::Pps), 1);
}

#[test]
fn ecm_64_octet_frames_multi_block_pages_arrive_exact() {
    let (a, b) = ecm_configs(2, 64);
    let mut p = Pair::new(a, b, 2);
    // 40000 octets at 64 per frame: 625 frames, three partial pages each.
    with_page_sizes(&mut p, &[40_000, 20_000]);
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(2, 0));
    assert_pages_exact(&p);
    assert_eq!(p.a.count_sent(Fcf::Pps), 3 + 2);
}

#[test]
fn ecm_five_pages_256_octets() {
    let (a, b) = ecm_configs(5, 256);
    let mut p = Pair::new(a, b, 5);
    p.run(LIMIT);
    assert_eq!(*p.b.result(), ok(0, 5));
    assert_pages_exact(&p);
}

#[test]
fn mmr_only_with_ecm_mr_without() {
    let (mut a, mut b) = ecm_configs(1, 256);
    a.policy.ecm = false;
    b.policy.ecm = true;
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    let m = p.b.received_pages()[0].mode;
    assert_eq!(m.ecm_frame_size, None);
    assert_eq!(m.coding, Coding::Mr);
    assert_eq!(*p.b.result(), ok(0, 1));
}

#[test]
fn lost_fcd_frames_are_requested_with_ppr_and_the_page_is_exact() {
    let (a, b) = ecm_configs(1, 64);
    let mut p = Pair::new(a, b, 1);
    p.fast_frame_fault =
        Box::new(|c| c.burst == 0 && c.fcf == Fcf::Fcd && [3, 10].contains(&c.number));
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Ppr), 1);
    let ppr =
        p.b.sent_frames
            .iter()
            .find(|(_, f)| f.fcf == Fcf::Ppr)
            .unwrap();
    let telefax_t30::frame::Payload::Ppr(map) = &ppr.1.payload else {
        panic!()
    };
    assert_eq!(map.requested(), vec![3, 10]);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_pages_exact(&p);
}

#[test]
fn repeated_ppr_up_to_ctc_steps_the_rate_down() {
    let (a, b) = ecm_configs(1, 256);
    let mut p = Pair::new(a, b, 1);
    // Frame 0 is destroyed in the first four bursts: four PPRs, then CTC.
    p.fast_frame_fault = Box::new(|c| c.burst < 4 && c.fcf == Fcf::Fcd && c.number == 0);
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Ppr), 4);
    assert_eq!(p.a.count_sent(Fcf::Ctc), 1);
    assert_eq!(p.b.count_sent(Fcf::Ctr), 1);
    assert_eq!(
        negotiated_modems(&p.a),
        vec![FastModem::V17_14400, FastModem::V17_12000]
    );
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_pages_exact(&p);
}

#[test]
fn fourth_ppr_at_the_lowest_rate_ends_with_eor_err_and_page_rejected() {
    let (mut a, b) = ecm_configs(1, 256);
    a.policy.modems = vec![FastModem::V27ter2400];
    let mut p = Pair::new(a, b, 1);
    p.fast_frame_fault = Box::new(|c| c.fcf == Fcf::Fcd && c.number == 1);
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Ppr), 4);
    assert_eq!(p.a.count_sent(Fcf::Eor), 1);
    assert_eq!(p.b.count_sent(Fcf::Err), 1);
    assert_eq!(p.a.result().unwrap_err().reason, FailReason::PageRejected);
    // The receiver still hands over what it got, marked with ERR.
    let pages = p.b.received_pages();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].response, Some(Fcf::Err));
}

#[test]
fn lost_pps_is_repeated_and_the_page_is_not_duplicated() {
    let (a, b) = ecm_configs(2, 256);
    let mut p = Pair::new(a, b, 2);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Pps && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Pps), 3);
    assert_eq!(*p.b.result(), ok(0, 2));
    assert_pages_exact(&p);
}

#[test]
fn lost_mcf_to_pps_is_repeated_without_duplicating_the_page() {
    let (a, b) = ecm_configs(2, 256);
    let mut p = Pair::new(a, b, 2);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Mcf && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(2, 0));
    assert_eq!(*p.b.result(), ok(0, 2));
    assert_pages_exact(&p);
}

#[test]
fn random_frame_loss_still_gives_exact_pages() {
    for (seed, loss_permille) in [(1u32, 50u32), (7, 100), (99, 200)] {
        let (a, b) = ecm_configs(2, 64);
        let mut p = Pair::new(a, b, 2);
        with_page_sizes(&mut p, &[9000, 17000]);
        let mut x = seed.wrapping_mul(2_654_435_761).max(1);
        p.fast_frame_fault = Box::new(move |_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x % 1000 < loss_permille
        });
        p.run(LIMIT);
        assert_eq!(*p.b.result(), ok(0, 2), "loss {loss_permille}");
        assert!(p.b.count_sent(Fcf::Ppr) > 0, "loss {loss_permille}: no PPR");
        assert_pages_exact(&p);
    }
}

#[test]
fn receiver_not_ready_forever_ends_sender_with_t5() {
    let (a, b) = ecm_configs(1, 256);
    let mut p = Pair::new(a, b, 1);
    // A receiver that answers every PPS/RR with RNR.
    p.frame_map = Box::new(|c, f| {
        if c.from == Side::B && matches!(f.fcf, Fcf::Mcf | Fcf::Ppr) {
            Frame::simple(Fcf::Rnr)
        } else {
            f
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.result().unwrap_err().reason, FailReason::T5Expired);
    assert!(p.a.count_sent(Fcf::Rr) >= 5);
    let first_rnr =
        p.b.sent_frames
            .iter()
            .find(|(_, f)| f.fcf == Fcf::Mcf)
            .unwrap()
            .0;
    assert!(p.a.end_time() >= first_rnr + T5);
}

#[test]
fn receiver_not_ready_once_then_ready_continues() {
    let (a, b) = ecm_configs(1, 256);
    let mut p = Pair::new(a, b, 1);
    p.frame_map = Box::new(|c, f| {
        if c.from == Side::B && f.fcf == Fcf::Mcf && c.nth == 0 {
            Frame::simple(Fcf::Rnr)
        } else {
            f
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Rr), 1);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_pages_exact(&p);
}

#[test]
fn polled_document_is_sent_with_ecm() {
    use telefax_t30::session::{Job, Role, SendJob};
    let mut a = Config::new(Role::Calling, Job::Receive);
    let mut b = Config::new(Role::Answering, Job::Send(SendJob::pages(2)));
    for c in [&mut a, &mut b] {
        c.policy.ecm = true;
    }
    let mut p = Pair::new(a, b, 2);
    p.fast_frame_fault = Box::new(|c| c.burst == 0 && c.number == 2);
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(0, 2));
    assert_eq!(*p.b.result(), ok(2, 0));
    assert_eq!(p.a.count_sent(Fcf::Ppr), 1);
    let got = p.a.received_pages();
    assert_eq!(got[0].data, p.b.pages[0]);
    assert_eq!(got[1].data, p.b.pages[1]);
}
