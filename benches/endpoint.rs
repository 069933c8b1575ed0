//! The CPU cost of fax calls through `telefax::Endpoint`: a whole one-page V.17 call between
//! two endpoints over the line simulator, and one receiving endpoint fed a recorded call
//! (its real-time factor says how many receiving channels one core sustains).
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use telefax::endpoint::{Endpoint, EndpointConfig};
use telefax::simulate::{Pair, PairConfig};
use telefax::t4::testpages;

fn caller() -> Endpoint {
    let mut c = Endpoint::new(EndpointConfig::sender()).unwrap();
    c.queue_page(testpages::text_page(1728, 1143, 7), 204.0, 98.0)
        .unwrap();
    c.finish_document().unwrap();
    c
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("endpoint");
    g.sample_size(10);
    // One A4 text page at V.17 14400: both endpoints and both line directions.
    let mut probe = Pair::new(
        caller(),
        Endpoint::new(EndpointConfig::receiver()).unwrap(),
        &PairConfig {
            record: true,
            ..PairConfig::default()
        },
    )
    .unwrap();
    let outcome = probe.run(300.0);
    assert_eq!(outcome.pages.len(), 1, "the reference call must succeed");
    let (to_answerer, _) = probe.recording().unwrap();
    let to_answerer = to_answerer.to_vec();
    g.throughput(Throughput::Elements(to_answerer.len() as u64));
    g.bench_function("one_page_v17_call_both_sides", |b| {
        b.iter(|| {
            let mut pair = Pair::new(
                caller(),
                Endpoint::new(EndpointConfig::receiver()).unwrap(),
                &PairConfig::default(),
            )
            .unwrap();
            pair.run(300.0).pages.len()
        })
    });
    // The receiving side alone, fed what it heard in the reference call.
    g.bench_function("receiving_endpoint_one_page_v17", |b| {
        let mut out = [0i16; 160];
        b.iter(|| {
            let mut rx = Endpoint::new(EndpointConfig::receiver()).unwrap();
            let mut pages = 0;
            for block in to_answerer.chunks(160) {
                rx.poll_tx(&mut out);
                rx.handle_rx(block);
                while let Some(ev) = rx.poll_event() {
                    if matches!(ev, telefax::endpoint::Event::PageReceived(_)) {
                        pages += 1;
                    }
                }
            }
            pages
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
