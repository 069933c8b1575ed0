//! Fuzz the T.30 frame parser: anything that parses must serialize back bit-exactly.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    telefax_t30::fuzz::frame_round_trip(data);
});
