//! The endpoint allocates nothing per audio block in steady state: while a page streams in,
//! both endpoints and the line run without touching the heap.
use telefax::endpoint::{Endpoint, EndpointConfig, Event};
use telefax::simulate::{Pair, PairConfig};
use telefax::t30::capabilities::FastModem;
use telefax::t30::session::Phase;
use telefax::t4::Bitmap;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[test]
fn no_allocation_per_block_while_a_page_streams() {
    let _profiler = dhat::Profiler::builder().testing().build();
    // A long, sparse page at 2400 bit/s: phase C lasts many seconds.
    let mut page = Bitmap::new(1728, 2000);
    for y in (0..2000).step_by(7) {
        page.set((y * 13) % 1728, y, true);
    }
    let mut cfg = EndpointConfig::sender();
    cfg.modems = vec![FastModem::V27ter2400];
    let mut caller = Endpoint::new(cfg).unwrap();
    caller.queue_page(page, 204.0, 98.0).unwrap();
    caller.finish_document().unwrap();
    let mut rcfg = EndpointConfig::receiver();
    rcfg.modems = vec![FastModem::V27ter2400];
    let answerer = Endpoint::new(rcfg).unwrap();
    let mut pair = Pair::new(caller, answerer, &PairConfig::default()).unwrap();
    // Run until the receiver is in phase C and has trained on the page carrier.
    let (mut in_c, mut trained) = (false, false);
    for _ in 0..(8000 * 60 / 160) {
        pair.step();
        while let Some(ev) = pair.b.poll_event() {
            in_c |= ev == Event::Phase(Phase::C);
            trained |= in_c && matches!(ev, Event::ReceiverTrained { .. });
        }
        while pair.a.poll_event().is_some() {}
        if trained {
            break;
        }
    }
    assert!(trained, "the page never started");
    for _ in 0..25 {
        pair.step();
    }
    let before = dhat::HeapStats::get();
    let blocks = 150; // 3 s of audio in the middle of the page
    for _ in 0..blocks {
        pair.step();
        assert!(pair.b.poll_event().is_none(), "the page ended too early");
    }
    let after = dhat::HeapStats::get();
    assert_eq!(
        after.total_blocks - before.total_blocks,
        0,
        "heap allocations during {blocks} blocks of steady-state page reception"
    );
}
