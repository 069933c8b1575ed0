//! Complete fax calls between two telefax endpoints through the line simulator: every modem,
//! coding, resolution and width, several pages, impairments, polling, ECM, and failures that
//! must end cleanly with the pages received so far kept.
use telefax::dsp::line::{Codec, Dropout, LineConfig};
use telefax::endpoint::{Endpoint, EndpointConfig, JobKind, Role};
use telefax::simulate::{Outcome, Pair, PairConfig};
use telefax::t30::capabilities::{Coding, FastModem, Resolution, Width};
use telefax::t30::session::FailReason;
use telefax::t4::Bitmap;

/// A page with text-like marks, different for each seed.
fn page(w: u32, h: u32, seed: u32) -> Bitmap {
    let mut b = Bitmap::new(w, h);
    for y in 0..h {
        if (y / 12 + seed) % 4 == 3 {
            continue;
        }
        for k in 0..(8 + seed % 5) {
            let x0 = (y / 12).wrapping_mul(131).wrapping_add(k * 211 + seed * 37) % w;
            for x in x0..(x0 + 3 + (k + y) % 9).min(w) {
                if (x + y + seed) % 5 != 0 {
                    b.set(x, y, true);
                }
            }
        }
    }
    b
}

struct Call {
    tx: EndpointConfig,
    rx: EndpointConfig,
    pages: Vec<Bitmap>,
    dpi: (f32, f32),
    line: PairConfig,
    seconds: f64,
}

impl Call {
    fn new(pages: Vec<Bitmap>) -> Self {
        Call {
            tx: EndpointConfig::sender(),
            rx: EndpointConfig::receiver(),
            pages,
            dpi: (204.0, 98.0),
            line: PairConfig::default(),
            seconds: 400.0,
        }
    }
    fn modems(mut self, m: &[FastModem]) -> Self {
        self.tx.modems = m.to_vec();
        self.rx.modems = m.to_vec();
        self
    }
    fn codings(mut self, c: &[Coding]) -> Self {
        self.tx.codings = c.to_vec();
        self.rx.codings = c.to_vec();
        self
    }
    fn line(mut self, l: LineConfig) -> Self {
        self.line.line_ab = l.clone();
        self.line.line_ba = LineConfig {
            seed: l.seed + 1,
            ..l
        };
        self
    }
    fn run(self) -> Outcome {
        let (sender, receiver) = (self.tx, self.rx);
        let mut s = Endpoint::new(sender.clone()).unwrap();
        for p in &self.pages {
            s.queue_page(p.clone(), self.dpi.0, self.dpi.1).unwrap();
        }
        s.finish_document().unwrap();
        let r = Endpoint::new(receiver.clone()).unwrap();
        // The caller is always side A.
        let (a, b) = if sender.role == Role::Calling {
            (s, r)
        } else {
            (r, s)
        };
        let mut pair = Pair::new(a, b, &self.line).unwrap();
        pair.run(self.seconds)
    }
}

fn assert_success(o: &Outcome, sent: &[Bitmap]) {
    assert!(
        matches!(o.caller, Some(Ok(_))) && matches!(o.answerer, Some(Ok(_))),
        "call failed: caller {:?} answerer {:?} after {:.1} s",
        o.caller,
        o.answerer,
        o.seconds
    );
    assert_eq!(o.pages.len(), sent.len(), "pages received");
    for (i, (got, want)) in o.pages.iter().zip(sent).enumerate() {
        assert_eq!(got.stats.bad_rows, 0, "page {i} bad rows");
        assert!(got.bitmap == *want, "page {i} differs from the page sent");
    }
}

fn negotiated(o: &Outcome) -> Option<FastModem> {
    o.pages.last().map(|p| p.mode.modem)
}

#[test]
fn v17_14400_one_page() {
    let p = vec![page(1728, 300, 1)];
    let o = Call::new(p.clone()).run();
    assert_success(&o, &p);
    assert_eq!(negotiated(&o), Some(FastModem::V17_14400));
}

#[test]
fn every_rate_of_every_modem_carries_a_page() {
    for m in [
        FastModem::V17_12000,
        FastModem::V17_9600,
        FastModem::V17_7200,
        FastModem::V29_9600,
        FastModem::V29_7200,
        FastModem::V27ter4800,
        FastModem::V27ter2400,
    ] {
        let p = vec![page(1728, 120, 2)];
        let o = Call::new(p.clone()).modems(&[m]).run();
        assert_success(&o, &p);
        assert_eq!(negotiated(&o), Some(m), "{m:?}");
    }
}

#[test]
fn five_pages_mh_only() {
    let p: Vec<_> = (0..5).map(|i| page(1728, 150, 10 + i)).collect();
    let o = Call::new(p.clone()).codings(&[Coding::Mh]).run();
    assert_success(&o, &p);
    assert!(o.pages.iter().all(|x| x.mode.coding == Coding::Mh));
}

#[test]
fn fine_resolution_is_kept() {
    let p = vec![page(1728, 400, 3)];
    let mut c = Call::new(p.clone());
    c.dpi = (204.0, 196.0);
    let o = c.run();
    assert_success(&o, &p);
    assert_eq!(o.pages[0].mode.resolution, Resolution::R8x7_7);
}

#[test]
fn superfine_page_over_v29() {
    let p = vec![page(1728, 300, 4)];
    let mut c = Call::new(p.clone()).modems(&[FastModem::V29_9600]);
    c.dpi = (204.0, 391.0);
    let o = c.run();
    assert_success(&o, &p);
    assert_eq!(o.pages[0].mode.resolution, Resolution::R8x15_4);
}

#[test]
fn b4_width_page() {
    let p = vec![page(2048, 200, 5)];
    let o = Call::new(p.clone()).run();
    assert_success(&o, &p);
    assert_eq!(o.pages[0].mode.width, Width::B4);
}

#[test]
fn b4_page_to_an_a4_receiver_is_scaled_to_fit() {
    let p = vec![page(2048, 100, 6)];
    let mut c = Call::new(p);
    c.rx.max_width = Width::A4;
    let o = c.run();
    assert!(matches!(o.caller, Some(Ok(_))), "{:?}", o.caller);
    assert_eq!(o.pages.len(), 1);
    assert_eq!(o.pages[0].bitmap.width, 1728);
}

#[test]
fn noisy_line_30db_v17() {
    let p = vec![page(1728, 200, 7)];
    let o = Call::new(p.clone())
        .line(LineConfig::with_snr_db(30.0))
        .run();
    assert_success(&o, &p);
}

#[test]
fn clock_drift_plus_and_minus_100ppm() {
    for ppm in [100.0, -100.0] {
        let p = vec![page(1728, 300, 8)];
        let l = LineConfig {
            clock_ppm: ppm,
            ..LineConfig::with_snr_db(35.0)
        };
        let o = Call::new(p.clone()).line(l).run();
        assert_success(&o, &p);
    }
}

#[test]
fn alaw_and_ulaw_lines() {
    for codec in [Codec::ALaw, Codec::ULaw] {
        let p = vec![page(1728, 150, 9)];
        let l = LineConfig {
            codec,
            ..LineConfig::default()
        };
        let o = Call::new(p.clone()).line(l).run();
        assert_success(&o, &p);
    }
}

#[test]
fn talker_echo_at_minus_20db() {
    let p = vec![page(1728, 150, 10)];
    let mut c = Call::new(p.clone());
    c.line.echo = Some((-20.0, 20.0));
    let o = c.run();
    assert_success(&o, &p);
}

#[test]
fn weak_line_at_minus_35_dbm0() {
    let p = vec![page(1728, 150, 11)];
    let l = LineConfig {
        atten_db: 25.0,
        ..LineConfig::default()
    };
    let o = Call::new(p.clone()).line(l).run();
    assert_success(&o, &p);
}

#[test]
fn polling_the_answerer_for_its_document() {
    let p = vec![page(1728, 120, 12)];
    let mut c = Call::new(p.clone());
    c.tx = EndpointConfig::new(Role::Answering, JobKind::Send);
    c.rx = EndpointConfig::new(Role::Calling, JobKind::Poll);
    let o = c.run();
    assert_success(&o, &p);
}

#[test]
fn line_cut_mid_call_ends_cleanly_and_keeps_the_first_page() {
    let p: Vec<_> = (0..3).map(|i| page(1728, 200, 20 + i)).collect();
    // Cut both directions for good after the first page (found by timing a clean call).
    let clean = Call::new(p.clone()).modems(&[FastModem::V29_9600]).run();
    assert_success(&clean, &p);
    let first_page_at = clean
        .events
        .iter()
        .find(|(_, _, e)| matches!(e, telefax::endpoint::Event::PageSent { index: 0, .. }))
        .map(|(_, t, _)| *t)
        .expect("first page confirmed");
    let cut = Dropout {
        start: first_page_at + 8000,
        len: 8000 * 600,
    };
    let l = LineConfig {
        dropouts: vec![cut],
        ..LineConfig::default()
    };
    let o = Call::new(p.clone())
        .modems(&[FastModem::V29_9600])
        .line(l)
        .run();
    let caller = o.caller.expect("caller ended");
    let answerer = o.answerer.expect("answerer ended");
    assert!(
        caller.is_err() && answerer.is_err(),
        "{caller:?} {answerer:?}"
    );
    assert!(
        !o.pages.is_empty(),
        "the page received before the cut is kept"
    );
    assert!(o.pages[0].bitmap == p[0]);
    let e = caller.unwrap_err();
    assert!(
        matches!(e.reason, FailReason::NoResponse(_) | FailReason::T2Expired),
        "{e:?}"
    );
}

#[test]
fn incompatible_modems_fail_cleanly() {
    let p = vec![page(1728, 50, 30)];
    let mut c = Call::new(p);
    c.tx.modems = vec![FastModem::V17_14400];
    c.rx.modems = vec![FastModem::V27ter4800];
    c.seconds = 120.0;
    let o = c.run();
    assert!(matches!(o.caller, Some(Err(_))), "{:?}", o.caller);
    assert!(o.pages.is_empty());
}

#[test]
fn noisy_line_22db_stays_on_v17_14400() {
    // V.17 14400 is error-free at 22 dB: the training check must not fail on the way in
    // (the receiver must not stay deaf while the V.21 detector flickers on the carrier).
    let p = vec![page(1728, 150, 40)];
    let o = Call::new(p.clone())
        .line(LineConfig::with_snr_db(22.0))
        .run();
    assert_success(&o, &p);
    assert_eq!(negotiated(&o), Some(FastModem::V17_14400));
}

#[test]
fn dropout_mid_page_receiver_waits_for_the_rest_of_the_page() {
    // A 20 ms hole in the middle of a long non-ECM page cuts the receiver's carrier; the
    // sender goes on for seconds. The receiver must wait for the post-message command
    // instead of timing out T2 and hanging up, and answer it.
    let p = vec![page(1728, 1200, 41)];
    let clean = Call::new(p.clone()).modems(&[FastModem::V29_9600]).run();
    assert_success(&clean, &p);
    let start = clean
        .events
        .iter()
        .find(|(s, _, e)| {
            *s == telefax::simulate::Side::A
                && matches!(
                    e,
                    telefax::endpoint::Event::Phase(telefax::t30::session::Phase::C)
                )
        })
        .map(|(_, t, _)| *t)
        .unwrap();
    let end = clean
        .events
        .iter()
        .find(|(s, _, e)| {
            *s == telefax::simulate::Side::A
                && matches!(
                    e,
                    telefax::endpoint::Event::Phase(telefax::t30::session::Phase::D)
                )
        })
        .map(|(_, t, _)| *t)
        .unwrap();
    assert!(
        end - start > 8 * 8000,
        "the page must outlast T2 after the hole"
    );
    let hole = Dropout {
        start: start + 8000 + 1600,
        len: 160,
    };
    let l = LineConfig {
        dropouts: vec![hole],
        ..LineConfig::default()
    };
    let o = Call::new(p.clone())
        .modems(&[FastModem::V29_9600])
        .line(l)
        .run();
    assert!(
        matches!(o.caller, Some(Ok(_))) && matches!(o.answerer, Some(Ok(_))),
        "caller {:?} answerer {:?}",
        o.caller,
        o.answerer
    );
    assert_eq!(o.pages.len(), 1);
}
