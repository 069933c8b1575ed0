//! Fuzz the T.4/T.6 decoders (MH, MR, MMR; the first input bytes choose
//! coding, width, bit order, framing and chunking). The harness lives in
//! `telefax_t4::fuzzing` so `cargo test` runs the same checks via bolero.
//!
//! Run: `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run t4_decode`
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    telefax_t4::fuzzing::decode_harness(data, None);
});
