//! A whole fax call between two spandsp endpoints in one process, as `refharness/ref_call`
//! does: the caller sends a TIFF, the answerer receives into a TIFF; each is fed the other's
//! transmit audio in 160-sample blocks, optionally through a fixed attenuation plus AWGN, and
//! both line directions can be kept for a stereo recording.

use crate::sp::{Awgn, FaxCodings, FaxConfig, FaxModems, FaxStats, SpFax};
use crate::Error;
use std::path::PathBuf;

/// Samples per lockstep block (20 ms at 8 kHz).
pub const BLOCK: usize = 160;

/// Options of a back-to-back spandsp call.
#[derive(Debug, Clone)]
pub struct CallConfig {
    /// TIFF the caller sends.
    pub send: PathBuf,
    /// TIFF the answerer writes.
    pub receive: PathBuf,
    /// Modems both ends allow.
    pub modems: FaxModems,
    /// ECM on both ends.
    pub ecm: bool,
    /// Codings both ends allow.
    pub codings: FaxCodings,
    /// AWGN level in dBm0 added to both directions (after attenuation).
    pub noise_dbm0: Option<f32>,
    /// Attenuation in dB applied to both directions.
    pub atten_db: f32,
    /// Noise seed (the answerer-to-caller direction uses `seed + 7919`, as ref_call).
    pub seed: i32,
    /// Give up after this much audio, in seconds.
    pub timeout_s: f64,
    /// Keep both line directions in [`CallResult::left`] / [`CallResult::right`].
    pub record: bool,
    /// spandsp protocol logging to stderr.
    pub verbose: bool,
    /// The caller's TSI.
    pub caller_ident: String,
    /// The answerer's CSI.
    pub answerer_ident: String,
}

impl CallConfig {
    /// Defaults of ref_call: all modems, ECM on, all codings, clean line, 600 s limit, and
    /// ref_call's identities, so the same options reproduce ref_call's recordings sample for
    /// sample.
    pub fn new(send: impl Into<PathBuf>, receive: impl Into<PathBuf>) -> Self {
        CallConfig {
            send: send.into(),
            receive: receive.into(),
            modems: FaxModems::ALL,
            ecm: true,
            codings: FaxCodings::ALL,
            noise_dbm0: None,
            atten_db: 0.0,
            seed: 1234,
            timeout_s: 600.0,
            record: false,
            verbose: false,
            caller_ident: "REFHARNESS CALLER".into(),
            answerer_ident: "REFHARNESS ANSWER".into(),
        }
    }
}

/// Outcome of a back-to-back call.
#[derive(Debug, Clone)]
pub struct CallResult {
    /// Caller's phase E code (-1: none).
    pub caller_code: i32,
    /// Answerer's phase E code (-1: none).
    pub answerer_code: i32,
    /// Text of the reported code (the answerer's unless the caller failed).
    pub text: String,
    /// The caller's statistics.
    pub tx_stats: FaxStats,
    /// The answerer's statistics.
    pub rx_stats: FaxStats,
    /// Sum of bad rows the answerer saw over all pages.
    pub bad_rows_total: i64,
    /// Identity the answerer received (TSI).
    pub answerer_saw_ident: String,
    /// Audio length of the call in seconds.
    pub seconds: f64,
    /// Caller-to-answerer line, as the answerer heard it (when recorded).
    pub left: Vec<i16>,
    /// Answerer-to-caller line, as the caller heard it (when recorded).
    pub right: Vec<i16>,
}

impl CallResult {
    /// Both ends reached phase E with OK and at least one page arrived.
    pub fn ok(&self) -> bool {
        self.caller_code == 0 && self.answerer_code == 0 && self.rx_stats.pages_rx > 0
    }

    /// One-line summary in ref_call's format.
    pub fn line(&self) -> String {
        let code = if self.answerer_code > 0 {
            self.answerer_code
        } else if self.caller_code != 0 {
            self.caller_code
        } else {
            self.answerer_code
        };
        let res = if self.ok() && self.bad_rows_total == 0 {
            "OK"
        } else if self.ok() {
            "OK_WITH_BAD_ROWS"
        } else {
            "FAIL"
        };
        let st = &self.rx_stats;
        format!(
            "result={res} code={code} text=\"{}\" pages_tx={} pages_rx={} rate={} compression={} ecm={} bad_rows={} longest_bad_run={} ecm_retries={} width={} length={} res={}x{} audio_s={:.2}",
            self.text,
            self.tx_stats.pages_tx,
            st.pages_rx,
            st.bit_rate,
            st.coding,
            if st.ecm { "on" } else { "off" },
            self.bad_rows_total,
            st.longest_bad_run,
            st.ecm_retries,
            st.width,
            st.length,
            st.x_resolution,
            st.y_resolution,
            self.seconds
        )
    }
}

/// Run one call to completion (or timeout).
pub fn run_call(cfg: &CallConfig) -> Result<CallResult, Error> {
    let mk = |calling: bool| FaxConfig {
        calling,
        tx_file: calling.then(|| cfg.send.clone()),
        rx_file: (!calling).then(|| cfg.receive.clone()),
        ident: if calling {
            cfg.caller_ident.clone()
        } else {
            cfg.answerer_ident.clone()
        },
        modems: cfg.modems,
        ecm: cfg.ecm,
        codings: cfg.codings,
        verbose: cfg.verbose,
    };
    let mut caller = SpFax::new(&mk(true))?;
    let mut answerer = SpFax::new(&mk(false))?;
    let mut noise = cfg
        .noise_dbm0
        .map(|l| (Awgn::new(cfg.seed, l), Awgn::new(cfg.seed + 7919, l)));
    let gain = 10f64.powf(-(cfg.atten_db as f64) / 20.0);
    let (mut c_tx, mut a_tx) = ([0i16; BLOCK], [0i16; BLOCK]);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let mut samples: u64 = 0;
    let mut first_done_at: Option<u64> = None;
    let limit = (cfg.timeout_s * 8000.0) as u64;
    loop {
        caller.tx(&mut c_tx);
        answerer.tx(&mut a_tx);
        let (mut c2a, mut a2c) = ([0i16; BLOCK], [0i16; BLOCK]);
        for i in 0..BLOCK {
            let mut c = c_tx[i] as f64 * gain;
            let mut a = a_tx[i] as f64 * gain;
            if let Some((nc, na)) = noise.as_mut() {
                c += nc.sample() as f64;
                a += na.sample() as f64;
            }
            c2a[i] = c.round().clamp(-32768.0, 32767.0) as i16;
            a2c[i] = a.round().clamp(-32768.0, 32767.0) as i16;
        }
        if cfg.record {
            left.extend_from_slice(&c2a);
            right.extend_from_slice(&a2c);
        }
        answerer.rx(&c2a);
        caller.rx(&a2c);
        samples += BLOCK as u64;
        if caller.done() && answerer.done() {
            break;
        }
        if (caller.done() || answerer.done()) && first_done_at.is_none() {
            first_done_at = Some(samples);
        }
        if first_done_at.is_some_and(|t| samples - t > 10 * 8000) || samples > limit {
            break;
        }
    }
    if !caller.done() {
        caller.terminate();
    }
    if !answerer.done() {
        answerer.terminate();
    }
    let text = if answerer.completion() > 0 {
        answerer.completion_text()
    } else if caller.completion() != 0 {
        caller.completion_text()
    } else {
        answerer.completion_text()
    };
    Ok(CallResult {
        caller_code: caller.completion(),
        answerer_code: answerer.completion(),
        text,
        tx_stats: caller.stats(),
        rx_stats: answerer.stats(),
        bad_rows_total: answerer.bad_rows_total(),
        answerer_saw_ident: answerer.remote_ident(),
        seconds: samples as f64 / 8000.0,
        left,
        right,
    })
}
