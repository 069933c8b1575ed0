//! Dev-only interop harness against spandsp 0.0.6 (FFI). Never published.
//!
//! This is the only crate of the workspace that contains `unsafe` code: hand-written
//! declarations of spandsp 0.0.6's C API ([`ffi`]) and safe wrappers around them ([`sp`]),
//! used by the interop tests in `tests/` and by three lab programs:
//!
//! - `spmodem`: spandsp's modems and BERT as a command line yardstick (the same tokens as our
//!   `telefax modem` lab: `trained= bits= bad= ber= realtime_x=`);
//! - `spcall`: two spandsp fax endpoints back to back, recording the call as a stereo WAV
//!   (left = caller to answerer, right = answerer to caller), used to make decoder test
//!   recordings;
//! - `sppeer`: one spandsp fax endpoint on stdin/stdout speaking the `telefax peer` pipe
//!   protocol, for calls between processes.
//!
//! [`sp`] wraps spandsp's O.151 BERT, AWGN, the V.21/V.27ter/V.29/V.17 modems (V.17 short
//! training included), HDLC, the CNG/CED tone generators and detectors, and whole fax
//! endpoints; [`call`] runs two endpoints back to back as `refharness/ref_call` does.
//!
//! Everything that touches spandsp is compiled only when `build.rs` found `spandsp` through
//! `pkg-config` (cfg `have_spandsp`); without it the crate still builds, the programs explain
//! why they cannot run, and the tests print a note and pass.

pub mod cputime;
pub mod wav;

#[cfg(have_spandsp)]
pub mod call;
#[cfg(have_spandsp)]
pub mod ffi;
#[cfg(have_spandsp)]
pub mod sp;

/// Whether this build links libspandsp.
pub const HAVE_SPANDSP: bool = cfg!(have_spandsp);

/// Print the note a test prints when spandsp is absent and it skips. When the environment
/// sets `TELEFAX_REQUIRE_SPANDSP=1` (as `.ci/run` does) a missing spandsp is a failure instead,
/// so CI cannot pass by skipping the interop tests.
pub fn skip_note(test: &str) {
    let msg = format!("{test}: telefax-interop was built without libspandsp (install libspandsp-dev and pkg-config)");
    if std::env::var("TELEFAX_REQUIRE_SPANDSP").is_ok_and(|v| v == "1") {
        panic!("{msg}, but TELEFAX_REQUIRE_SPANDSP=1");
    }
    eprintln!("note: {msg}: skipped");
}

/// Format like C's `%.3g` (what refmodem prints for `ber=`), so scripts parse both alike.
pub fn fmt_g3(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let e = x.abs().log10().floor() as i32;
    if !(-5..3).contains(&e) {
        let s = format!("{x:.2e}");
        // Rust prints 2.00e-5; C prints 2e-05. Trim zeros of the mantissa and pad the exponent.
        let (m, ex) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        let exn: i32 = ex.parse().unwrap_or(0);
        format!("{m}e{}{:02}", if exn < 0 { '-' } else { '+' }, exn.abs())
    } else {
        let decimals = (2 - e).max(0) as usize;
        let s = format!("{x:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// Errors of the interop harness.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A spandsp `*_init` call returned NULL.
    #[error("spandsp {0} initialisation failed")]
    Init(&'static str),
    /// The operation does not exist for this modem.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// A bad command line argument or option.
    #[error("{0}")]
    BadArg(String),
    /// Reading or writing a WAV file failed.
    #[error("{path}: {source}")]
    Wav {
        /// The file.
        path: String,
        /// What went wrong.
        source: hound::Error,
    },
    /// The WAV file is not in a format the harness reads.
    #[error("{path}: {what}")]
    WavFormat {
        /// The file.
        path: String,
        /// What is wrong with it.
        what: String,
    },
}

/// The modems spandsp and telefax both implement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modem {
    /// V.21 channel 2, 300 bit/s FSK (T.30 control channel).
    V21,
    /// V.27ter, 2400/4800 bit/s.
    V27ter,
    /// V.29, 4800/7200/9600 bit/s.
    V29,
    /// V.17, 7200/9600/12000/14400 bit/s.
    V17,
}

impl Modem {
    /// Every modem.
    pub const ALL: [Modem; 4] = [Modem::V21, Modem::V27ter, Modem::V29, Modem::V17];

    /// Parse `v21`, `v27ter`, `v29`, `v17`.
    pub fn parse(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "v21" => Ok(Modem::V21),
            "v27ter" | "v27" => Ok(Modem::V27ter),
            "v29" => Ok(Modem::V29),
            "v17" => Ok(Modem::V17),
            _ => Err(Error::BadArg(format!(
                "unknown modem '{s}' (v21, v27ter, v29, v17)"
            ))),
        }
    }

    /// Lower-case name as used on command lines.
    pub fn name(self) -> &'static str {
        match self {
            Modem::V21 => "v21",
            Modem::V27ter => "v27ter",
            Modem::V29 => "v29",
            Modem::V17 => "v17",
        }
    }

    /// The bit rates spandsp 0.0.6 implements for this modem.
    pub fn rates(self) -> &'static [u32] {
        match self {
            Modem::V21 => &[300],
            Modem::V27ter => &[2400, 4800],
            Modem::V29 => &[4800, 7200, 9600],
            Modem::V17 => &[7200, 9600, 12000, 14400],
        }
    }

    /// `Ok` if `rate` is one of [`Modem::rates`].
    pub fn check_rate(self, rate: u32) -> Result<(), Error> {
        if self.rates().contains(&rate) {
            Ok(())
        } else {
            Err(Error::BadArg(format!(
                "{} has no rate {rate} (rates: {:?})",
                self.name(),
                self.rates()
            )))
        }
    }
}

impl std::fmt::Display for Modem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
