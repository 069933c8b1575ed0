//! Error correction mode (T.30 Annex A) between two telefax endpoints over the line
//! simulator: 64- and 256-octet frames, MH/MR/MMR, several pages, and lines that destroy
//! frames so that PPR must recover them.
use telefax::dsp::line::{Dropout, LineConfig};
use telefax::endpoint::{Endpoint, EndpointConfig, Event};
use telefax::simulate::{FrameLoss, Outcome, Pair, PairConfig};
use telefax::t30::capabilities::{Coding, FastModem};
use telefax::t30::Fcf;
use telefax::t4::Bitmap;

fn page(w: u32, h: u32, seed: u32) -> Bitmap {
    let mut b = Bitmap::new(w, h);
    let mut x = seed.wrapping_mul(2654435761) | 1;
    for y in 0..h {
        for _ in 0..12 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let x0 = x % w;
            for dx in 0..(1 + x % 7) {
                if x0 + dx < w {
                    b.set(x0 + dx, y, true);
                }
            }
        }
    }
    b
}

pub fn ecm_call(
    pages: &[Bitmap],
    coding: Coding,
    frame_size: u16,
    modems: &[FastModem],
    line: LineConfig,
) -> Outcome {
    ecm_call_lossy(pages, coding, frame_size, modems, line, None)
}

/// An ECM call whose sender-to-receiver line destroys frames as `loss` says.
pub fn ecm_call_lossy(
    pages: &[Bitmap],
    coding: Coding,
    frame_size: u16,
    modems: &[FastModem],
    line: LineConfig,
    loss: Option<FrameLoss>,
) -> Outcome {
    let cfg = |mut c: EndpointConfig| {
        c.ecm = true;
        c.ecm_frame_size = frame_size;
        c.codings = vec![Coding::Mh, coding];
        c.modems = modems.to_vec();
        c
    };
    let mut s = Endpoint::new(cfg(EndpointConfig::sender())).unwrap();
    for p in pages {
        s.queue_page(p.clone(), 204.0, 98.0).unwrap();
    }
    s.finish_document().unwrap();
    let r = Endpoint::new(cfg(EndpointConfig::receiver())).unwrap();
    let pc = PairConfig {
        line_ab: line.clone(),
        line_ba: LineConfig {
            dropouts: Vec::new(),
            ..line
        },
        // A tap on each line counts the frames (and destroys those `loss` picks).
        frame_loss_ab: Some(loss.unwrap_or_default()),
        frame_loss_ba: Some(FrameLoss::default()),
        ..PairConfig::default()
    };
    Pair::new(s, r, &pc).unwrap().run(900.0)
}

fn assert_exact(o: &Outcome, sent: &[Bitmap]) {
    assert!(
        matches!(o.caller, Some(Ok(_))) && matches!(o.answerer, Some(Ok(_))),
        "caller {:?} answerer {:?}",
        o.caller,
        o.answerer
    );
    assert_eq!(o.pages.len(), sent.len());
    for (got, want) in o.pages.iter().zip(sent) {
        assert!(got.mode.ecm_frame_size.is_some(), "ECM was not used");
        assert!(got.bitmap == *want, "page differs");
    }
}

#[test]
fn ecm_mmr_256_octet_frames_v17() {
    let p = vec![page(1728, 400, 1)];
    let o = ecm_call(
        &p,
        Coding::Mmr,
        256,
        &FastModem::FALLBACK_ORDER,
        LineConfig::default(),
    );
    assert_exact(&o, &p);
    assert_eq!(o.pages[0].mode.coding, Coding::Mmr);
}

#[test]
fn ecm_mmr_64_octet_frames_v29() {
    let p = vec![page(1728, 200, 2)];
    let o = ecm_call(
        &p,
        Coding::Mmr,
        64,
        &[FastModem::V29_9600],
        LineConfig::default(),
    );
    assert_exact(&o, &p);
    assert_eq!(o.pages[0].mode.ecm_frame_size, Some(64));
}

#[test]
fn ecm_mh_and_mr_five_pages() {
    let p: Vec<_> = (0..5).map(|i| page(1728, 150, 10 + i)).collect();
    for coding in [Coding::Mh, Coding::Mr] {
        let o = ecm_call(
            &p,
            coding,
            256,
            &FastModem::FALLBACK_ORDER,
            LineConfig::default(),
        );
        assert_exact(&o, &p);
    }
}

#[test]
fn ecm_recovers_frames_lost_to_line_dropouts() {
    // A page of many frames; short dropouts during phase C destroy some of them.
    let p = vec![page(1728, 1200, 3)];
    let clean = ecm_call(
        &p,
        Coding::Mmr,
        256,
        &[FastModem::V29_9600],
        LineConfig::default(),
    );
    assert_exact(&clean, &p);
    let c_at = clean
        .events
        .iter()
        .find(|(s, _, e)| {
            *s == telefax::simulate::Side::A
                && matches!(e, Event::Phase(telefax::t30::session::Phase::C))
        })
        .map(|(_, t, _)| *t)
        .unwrap();
    // 15 ms holes every 0.7 s through the first block.
    let dropouts = (0..12)
        .map(|i| Dropout {
            start: c_at + 2400 + 1600 + i * 5600,
            len: 120,
        })
        .collect();
    let line = LineConfig {
        dropouts,
        ..LineConfig::default()
    };
    let o = ecm_call(&p, Coding::Mmr, 256, &[FastModem::V29_9600], line);
    assert_exact(&o, &p);
    // The holes did cost frames, and they were sent again after PPR.
    assert!(o.frames_ab.fcd_resent > 0, "{:?}", o.frames_ab);
    assert!(o.frames_ba.count(Fcf::Ppr) > 0, "{:?}", o.frames_ba);
}

/// Issue 8: a line that destroys each ECM frame with probability 0.1. The pages still
/// arrive exact, and the frames sent again are exactly the ones the line destroyed (the
/// tap on the line counts both), after PPR from the receiver.
#[test]
fn ecm_recovers_random_frame_loss_exactly() {
    let p: Vec<_> = (0..2).map(|i| page(1728, 500, 40 + i)).collect();
    for (frame_size, modem, seed) in [(256, FastModem::V17_14400, 3), (64, FastModem::V29_9600, 4)]
    {
        let loss = FrameLoss {
            ecm_p: 0.1,
            seed,
            ..FrameLoss::default()
        };
        let o = ecm_call_lossy(
            &p,
            Coding::Mmr,
            frame_size,
            &[modem],
            LineConfig::default(),
            Some(loss),
        );
        let (tx, rx) = (&o.frames_ab, &o.frames_ba);
        eprintln!("{frame_size}: sender {tx:?}\nreceiver {rx:?}");
        assert_exact(&o, &p);
        assert_eq!(o.pages[0].mode.ecm_frame_size, Some(frame_size));
        assert!(tx.fcd_destroyed > 0, "the line destroyed no frame: {tx:?}");
        assert_eq!(tx.fcd_resent, tx.fcd_destroyed, "{tx:?}");
        assert_eq!(tx.fcd_resent_unneeded, 0, "{tx:?}");
        assert_eq!(tx.fcd_never_resent, 0, "{tx:?}");
        assert!(rx.count(Fcf::Ppr) > 0, "the receiver sent no PPR: {rx:?}");
    }
}

/// Issue 8: half the frames lost. A block needs more than four PPRs, so the sender sends
/// CTC (T.30 Annex A.4.5), the receiver answers CTR, and the block is finished; the page
/// still arrives exact.
#[test]
fn ecm_heavy_frame_loss_goes_through_ctc() {
    let p = vec![page(1728, 300, 50)];
    let loss = FrameLoss {
        ecm_p: 0.5,
        seed: 11,
        ..FrameLoss::default()
    };
    let o = ecm_call_lossy(
        &p,
        Coding::Mmr,
        256,
        &FastModem::FALLBACK_ORDER,
        LineConfig::default(),
        Some(loss),
    );
    let (tx, rx) = (&o.frames_ab, &o.frames_ba);
    eprintln!("sender {tx:?}\nreceiver {rx:?}");
    assert_exact(&o, &p);
    assert!(rx.count(Fcf::Ppr) >= 4, "{rx:?}");
    assert!(tx.count(Fcf::Ctc) >= 1, "no CTC: {tx:?}");
    assert_eq!(rx.count(Fcf::Ctr), tx.count(Fcf::Ctc), "{rx:?}");
    assert_eq!(tx.fcd_resent, tx.fcd_destroyed, "{tx:?}");
}

/// A frame that was still in the receiver's HDLC deframer when a partial page ended (the
/// RCP frames after the first, T.30 Annex A.3.4) must not be taken for a frame of the next
/// high-speed transmission: each transmission starts afresh with flags after its training.
/// A stale RCP once ended the next burst right after its training, so that the receiver
/// dropped all its frames and asked for the whole block again with PPR. Over several loss
/// patterns, the sender sends again only the frames the line destroyed.
#[test]
fn ecm_frame_loss_never_resends_frames_that_arrived() {
    let p: Vec<_> = (0..2).map(|i| page(1728, 300, 60 + i)).collect();
    let mut failures = Vec::new();
    for seed in 1..=8u64 {
        let loss = FrameLoss {
            ecm_p: 0.15,
            seed,
            ..FrameLoss::default()
        };
        let o = ecm_call_lossy(
            &p,
            Coding::Mmr,
            256,
            &[FastModem::V17_14400],
            LineConfig::default(),
            Some(loss),
        );
        let tx = &o.frames_ab;
        assert_exact(&o, &p);
        assert!(
            tx.fcd_destroyed > 0,
            "seed {seed}: no frame destroyed: {tx:?}"
        );
        if tx.fcd_resent_unneeded != 0 || tx.fcd_resent != tx.fcd_destroyed {
            failures.push((seed, tx.clone()));
        }
    }
    assert!(
        failures.is_empty(),
        "frames sent again without need: {failures:#?}"
    );
}

/// T.30 Annex A.4.4: with no lower rate to fall back to, the sender ends a block it cannot
/// complete with EOR; after ERR to EOR-MPS it goes on with the next page in phase C, so the
/// receiver must be listening to the high-speed modem then (not waiting for a command),
/// or it misses that whole transmission and asks for every frame again.
#[test]
fn ecm_after_err_to_eor_mps_the_next_page_is_received() {
    let p: Vec<_> = (0..3).map(|i| page(1728, 60, 70 + i)).collect();
    let mut eors = 0;
    for seed in 1..=4u64 {
        let loss = FrameLoss {
            ecm_p: 0.5,
            seed,
            ..FrameLoss::default()
        };
        let o = ecm_call_lossy(
            &p,
            Coding::Mmr,
            64,
            &[FastModem::V27ter4800],
            LineConfig::default(),
            Some(loss),
        );
        let tx = &o.frames_ab;
        let rx = &o.frames_ba;
        eprintln!("seed {seed}: sender {tx:?}\nreceiver {rx:?}");
        eors += tx.count(Fcf::Eor);
        assert_eq!(rx.count(Fcf::Err), tx.count(Fcf::Eor), "{rx:?}");
        // Every page's transmission reached the receiver.
        assert_eq!(o.pages.len(), p.len(), "seed {seed}");
        assert_eq!(tx.fcd_resent_unneeded, 0, "seed {seed}: {tx:?}");
    }
    assert!(eors > 0, "no block ended with EOR: the test shows nothing");
}
