//! Fuzz the T.30 session engine: arbitrary frames, modem events, data and time never
//! panic, and the session always reaches phase E by its own timers once input stops.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    telefax_t30::fuzz::session(data);
});
