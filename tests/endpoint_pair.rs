//! Two endpoints joined back to back, or through the line simulator: complete calls.
use telefax::endpoint::{Endpoint, EndpointConfig, Event};
use telefax::t30::capabilities::FastModem;
use telefax::t4::Bitmap;

fn page(w: u32, h: u32, seed: u32) -> Bitmap {
    let mut b = Bitmap::new(w, h);
    for y in 0..h {
        for k in 0..5 {
            let x = (y.wrapping_mul(31).wrapping_add(k * 97 + seed * 13)) % w;
            b.set(x, y, true);
        }
    }
    b
}

struct Outcome {
    pages: Vec<Bitmap>,
    caller_ok: bool,
    answerer_ok: bool,
    seconds: f64,
}

fn call(modems: &[FastModem], pages: &[Bitmap]) -> Outcome {
    let mut tx_cfg = EndpointConfig::sender();
    tx_cfg.modems = modems.to_vec();
    let mut rx_cfg = EndpointConfig::receiver();
    rx_cfg.modems = modems.to_vec();
    let mut caller = Endpoint::new(tx_cfg).unwrap();
    for p in pages {
        caller.queue_page(p.clone(), 204.0, 98.0).unwrap();
    }
    caller.finish_document().unwrap();
    let mut answerer = Endpoint::new(rx_cfg).unwrap();
    let (mut a, mut b) = ([0i16; 160], [0i16; 160]);
    let mut got = Vec::new();
    let (mut cok, mut aok) = (None, None);
    let mut steps = 0u64;
    for _ in 0..(8000 * 240 / 160) {
        steps += 1;
        caller.poll_tx(&mut a);
        answerer.poll_tx(&mut b);
        caller.handle_rx(&b);
        answerer.handle_rx(&a);
        while let Some(ev) = answerer.poll_event() {
            match ev {
                Event::PageReceived(p) => got.push(p.bitmap),
                Event::Ended(r) => aok = Some(r.is_ok()),
                other => eprintln!("answerer: {other:?}"),
            }
        }
        while let Some(ev) = caller.poll_event() {
            match ev {
                Event::Ended(r) => cok = Some(r.is_ok()),
                other => eprintln!("caller: {other:?}"),
            }
        }
        if cok.is_some() && aok.is_some() {
            break;
        }
    }
    Outcome {
        pages: got,
        caller_ok: cok == Some(true),
        answerer_ok: aok == Some(true),
        seconds: steps as f64 * 160.0 / 8000.0,
    }
}

#[test]
fn one_page_over_v29_9600() {
    let p = page(1728, 200, 1);
    let o = call(&[FastModem::V29_9600], std::slice::from_ref(&p));
    eprintln!("call took {:.1} s", o.seconds);
    assert!(o.caller_ok && o.answerer_ok);
    assert_eq!(o.pages, vec![p]);
}
