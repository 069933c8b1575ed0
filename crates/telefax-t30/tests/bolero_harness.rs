//! Bolero harnesses: under `cargo test` they run a quick randomized pass; under
//! `cargo bolero test` they fuzz (the cargo-fuzz targets in fuzz/ run the same drivers).

#[test]
fn frame_parser_round_trip() {
    bolero::check!().for_each(|data: &[u8]| telefax_t30::fuzz::frame_round_trip(data));
}

#[test]
fn session_engine_under_arbitrary_input() {
    bolero::check!().for_each(|data: &[u8]| telefax_t30::fuzz::session(data));
}
