//! Error correction mode (T.30 Annex A) between two telefax endpoints over the line
//! simulator: 64- and 256-octet frames, MH/MR/MMR, several pages, and lines that destroy
//! frames so that PPR must recover them.
use telefax::dsp::line::{Dropout, LineConfig};
use telefax::endpoint::{Endpoint, EndpointConfig, Event};
use telefax::simulate::{Outcome, Pair, PairConfig};
use telefax::t30::capabilities::{Coding, FastModem};
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
}
