//! Measure what one fax channel costs: the receiving endpoint's real-time factor on a
//! recorded one-page V.17 call (how many receiving channels one core sustains), and the
//! endpoint's memory at rest.
//!
//! `cargo run --release --example endpoint_cost [REPEAT]`
use std::time::Instant;

use telefax::endpoint::{Endpoint, EndpointConfig, Event};
use telefax::simulate::{Pair, PairConfig};
use telefax::t4::testpages;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    let repeat: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let mut caller = Endpoint::new(EndpointConfig::sender()).unwrap();
    caller
        .queue_page(testpages::text_page(1728, 1143, 7), 204.0, 98.0)
        .unwrap();
    caller.finish_document().unwrap();
    let _profiler = dhat::Profiler::builder().testing().build();
    let before = dhat::HeapStats::get();
    let fresh = Endpoint::new(EndpointConfig::receiver()).unwrap();
    let at_rest = dhat::HeapStats::get();
    println!(
        "receiving endpoint at rest: {} bytes (size_of {} + {} heap bytes in {} blocks, measured by dhat)",
        std::mem::size_of::<Endpoint>() + at_rest.curr_bytes - before.curr_bytes,
        std::mem::size_of::<Endpoint>(),
        at_rest.curr_bytes - before.curr_bytes,
        at_rest.curr_blocks - before.curr_blocks,
    );
    let mut pair = Pair::new(
        caller,
        fresh,
        &PairConfig {
            record: true,
            ..PairConfig::default()
        },
    )
    .unwrap();
    let o = pair.run(300.0);
    let peak = dhat::HeapStats::get();
    println!(
        "peak heap during the simulated call (both endpoints, line simulator, recording): {} bytes",
        peak.max_bytes
    );
    assert_eq!(o.pages.len(), 1, "reference call failed");
    let audio = pair.recording().unwrap().0.to_vec();
    let mut times = Vec::with_capacity(repeat);
    let mut out = [0i16; 160];
    for _ in 0..repeat {
        let t0 = Instant::now();
        let mut rx = Endpoint::new(EndpointConfig::receiver()).unwrap();
        let mut pages = 0;
        for block in audio.chunks(160) {
            rx.poll_tx(&mut out);
            rx.handle_rx(block);
            while let Some(ev) = rx.poll_event() {
                pages += usize::from(matches!(ev, Event::PageReceived(_)));
            }
        }
        assert_eq!(pages, 1);
        times.push(t0.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let seconds = audio.len() as f64 / 8000.0;
    println!(
        "receiving endpoint, one-page V.17 14400 call of {seconds:.1} s: median {:.1} ms CPU over {repeat} runs = {:.0}x real time (channels per core)",
        median * 1000.0,
        seconds / median
    );
}
