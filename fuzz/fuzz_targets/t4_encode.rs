//! Fuzz the T.4/T.6 encoders (MH, MR, MMR; the first input bytes choose
//! width, coding and EOL alignment, the rest are the rows): every page must
//! decode back to itself, directly and after transcoding to MMR. The
//! harness lives in `telefax_t4::fuzzing` so `cargo test` runs the same
//! checks via bolero.
//!
//! Run: `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run t4_encode`
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    telefax_t4::fuzzing::encode_harness(data);
});
