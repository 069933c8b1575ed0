//! T.30 timers and transmission timing, in samples at 8000 Hz (T.30 §5.4.3, §5.3.1,
//! Chapter 5 notes on the 75 ms gap).

/// Time in samples at 8000 Hz since the embedder started (the sans-IO clock).
pub type SampleTime = u64;

/// Samples per second.
pub const SAMPLE_RATE: u64 = 8000;

/// Milliseconds to samples.
pub const fn ms(n: u64) -> SampleTime {
    n * SAMPLE_RATE / 1000
}

/// T1: time to identify the remote terminal as a fax machine, 35 ± 5 s (T.30 §5.4.3.1).
pub const T1: SampleTime = ms(35_000);
/// T2: time a station waits for a command, 6 ± 1 s (T.30 §5.4.3.2).
pub const T2: SampleTime = ms(6_000);
/// T3: time to alert the operator after a procedure interrupt, 10 ± 5 s (T.30 §5.4.3.3).
pub const T3: SampleTime = ms(10_000);
/// T4: time a station waits for a response, 3 s ± 15% (T.30 §5.4.3.4).
pub const T4: SampleTime = ms(3_000);
/// T4 for automatic (unattended) terminals, 4.5 s (T.30 §5.4.3.4 note).
pub const T4_AUTOMATIC: SampleTime = ms(4_500);
/// T5: ECM receive-not-ready wait, 60 ± 5 s (T.30 Annex A).
pub const T5: SampleTime = ms(60_000);
/// The gap between the end of a V.21 frame sequence and a high-speed carrier, and between
/// a high-speed carrier and the next V.21 signal: 75 ± 20 ms (T.30 §5.3.2 and Figure 3
/// notes).
pub const GAP_75MS: SampleTime = ms(75);
/// The V.21 flag preamble before a frame sequence: 1 s ± 15% (T.30 §5.3.1); 38 flags
/// at 300 bit/s.
pub const V21_PREAMBLE_FLAGS: u16 = 38;
/// TCF: 1.5 s ± 10% of zeros at the chosen rate (T.30 §5.3.6.2.9 note).
pub const TCF_MS: u64 = 1500;
/// CED duration for the answering terminal (T.30 §5.2.3: 2.6 to 4.0 s).
pub const CED_MS: u64 = 3000;
/// How long a receiver keeps listening for TCF after DCS before it returns to command
/// reception (long training plus 1.5 s TCF plus margin).
pub const TCF_WINDOW: SampleTime = ms(5_000);
/// Upper bound on any single transmission before the engine stops waiting for
/// `ModemEvent::TxDone` (a safety net; a 14400 bit/s page of 8 MiB lasts ~78 minutes, so
/// page transmissions use their own computed bound).
pub const TX_WATCHDOG: SampleTime = ms(20_000);

/// Octets of zeros in a TCF at `bit_rate` (1.5 s).
pub const fn tcf_octets(bit_rate: u32) -> u32 {
    bit_rate * 3 / 16
}
