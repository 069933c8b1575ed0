//! Configuration of an [`Endpoint`](super::Endpoint).

use telefax_t30::capabilities::{Coding, FastModem, Length, Resolution, Width};
use telefax_t30::session::{
    self, Config, DocumentFormat, Job, Policy, QualityThresholds, Role, SendJob,
};

use super::page::OutgoingPage;
use super::EndpointError;

/// What the endpoint does in the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Send the queued document.
    Send,
    /// Receive a document.
    Receive,
    /// Call and receive the far end's document (polling, T.30 §5.3.6.1.2: the calling
    /// terminal answers DIS with DTC).
    Poll,
}

/// How an [`Endpoint`](super::Endpoint) behaves: role, job, identity, what it may use.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointConfig {
    /// Calling or answering terminal.
    pub role: Role,
    /// Send, receive or poll.
    pub job: JobKind,
    /// The local identity sent in TSI/CSI/CIG (T.30 §5.3.6.2.4: digits, `+` and space,
    /// 20 characters at most).
    pub identity: String,
    /// Allowed modems and rates (any order; the T.30 fallback order is used).
    pub modems: Vec<FastModem>,
    /// Allowed codings (MH is always allowed).
    pub codings: Vec<Coding>,
    /// Allowed resolutions (standard is always allowed).
    pub resolutions: Vec<Resolution>,
    /// The widest scan line accepted.
    pub max_width: Width,
    /// Error correction mode (T.30 Annex A): offer and accept it.
    pub ecm: bool,
    /// ECM frame size in octets: 256 or 64 (T.30 Annex A).
    pub ecm_frame_size: u16,
    /// Copy-quality thresholds for MCF/RTP/RTN (T.30 §5.3.6.1.6). Default
    /// [`QualityThresholds::exact`]: a page with a damaged row is answered RTN and the sender
    /// retrains one rate lower and sends it again; [`QualityThresholds::default`] is the
    /// classic tolerant rule (a few repaired rows still get MCF).
    pub quality: QualityThresholds,
    /// The training check's margin in dB over the signal quality at which our receiver is
    /// error-free at the rate being trained ([`super::line_quality`]): a TCF whose measured
    /// quality falls short is answered FTT (T.30 §5.3.6.2.9) and the sender steps down.
    /// `None` judges the TCF octets alone. Default 1 dB.
    pub tcf_quality_margin_db: Option<f32>,
    /// Use the 4.5 s automatic-terminal T4 timer instead of 3 s (T.30 §5.4.3.4).
    pub t4_automatic: bool,
    /// Transmit level in dBm0 (fax machines send between -6 and -15; default -10).
    pub tx_level_dbm0: f32,
    /// Received audio is ignored for this many samples after our own transmission ends,
    /// so that its echo is not taken as the far end (default 40 ms).
    pub echo_guard_samples: u32,
    /// V.21 carrier detector thresholds (on, off) in dBm0; `None` keeps the receiver's.
    pub v21_thresholds_dbm0: Option<(f32, f32)>,
    /// Send CED (answering) / CNG (calling) at call start (T.30 §5.2). Default true.
    pub tones: bool,
}

impl EndpointConfig {
    /// A calling terminal that sends a document.
    pub fn sender() -> Self {
        Self::new(Role::Calling, JobKind::Send)
    }

    /// An answering terminal that receives a document.
    pub fn receiver() -> Self {
        Self::new(Role::Answering, JobKind::Receive)
    }

    /// A configuration with defaults for everything but role and job.
    pub fn new(role: Role, job: JobKind) -> Self {
        let role = if job == JobKind::Poll {
            Role::Calling
        } else {
            role
        };
        EndpointConfig {
            role,
            job,
            identity: String::new(),
            modems: FastModem::FALLBACK_ORDER.to_vec(),
            codings: vec![Coding::Mh, Coding::Mr],
            resolutions: vec![Resolution::R8x3_85, Resolution::R8x7_7, Resolution::R8x15_4],
            max_width: Width::B4,
            ecm: false,
            ecm_frame_size: 256,
            quality: QualityThresholds::exact(),
            tcf_quality_margin_db: Some(1.0),
            t4_automatic: true,
            tx_level_dbm0: -10.0,
            echo_guard_samples: 320,
            v21_thresholds_dbm0: None,
            tones: true,
        }
    }

    pub(super) fn validate(&self) -> Result<(), EndpointError> {
        if self.modems.is_empty() {
            return Err(EndpointError::Config("no modem allowed".into()));
        }
        if self.ecm_frame_size != 256 && self.ecm_frame_size != 64 {
            return Err(EndpointError::Config(
                "ECM frame size must be 64 or 256".into(),
            ));
        }
        if self.identity.chars().count() > 20 {
            return Err(EndpointError::Config(
                "identity longer than 20 characters".into(),
            ));
        }
        if self
            .tcf_quality_margin_db
            .is_some_and(|m| !(-20.0..=20.0).contains(&m))
        {
            return Err(EndpointError::Config(
                "TCF quality margin must be within ±20 dB".into(),
            ));
        }
        if !(-60.0..=3.0).contains(&self.tx_level_dbm0) {
            return Err(EndpointError::Config(format!(
                "transmit level {} dBm0 out of range",
                self.tx_level_dbm0
            )));
        }
        Ok(())
    }

    /// The T.30 session configuration for `pages` pages in `format`, with a document
    /// ending (EOM) after each page number in `eom_after`.
    pub(super) fn session_config(
        &self,
        pages: u32,
        format: DocumentFormat,
        eom_after: &[u32],
    ) -> Config {
        let job = match self.job {
            JobKind::Send => Job::Send(SendJob {
                format,
                eom_after: eom_after.to_vec(),
                ..SendJob::pages(pages.max(1))
            }),
            JobKind::Receive | JobKind::Poll => Job::Receive,
        };
        let mut cfg = Config::new(self.role, job);
        cfg.local_identity = self.identity.clone();
        cfg.policy = Policy {
            modems: self.modems.clone(),
            codings: self.codings.clone(),
            resolutions: self.resolutions.clone(),
            max_width: self.max_width,
            ecm: self.ecm,
            ecm_frame_size: self.ecm_frame_size,
            ..Policy::default()
        };
        cfg.quality = self.quality;
        cfg.t4 = if self.t4_automatic {
            session::timing::T4_AUTOMATIC
        } else {
            session::timing::T4
        };
        cfg.send_ced = self.tones;
        cfg.send_cng = self.tones;
        cfg
    }
}

/// The format of a document: the resolution of its first page, the widest page, and the
/// longest.
pub(super) fn document_format(pages: &[OutgoingPage]) -> DocumentFormat {
    let first = pages.first();
    let resolution = first.map_or(Resolution::R8x3_85, |p| p.resolution());
    let widest_mm = pages
        .iter()
        .map(|p| p.bitmap.width as f32 / p.x_dpi.max(1.0) * 25.4)
        .fold(0.0f32, f32::max);
    let width = if widest_mm <= 216.0 {
        Width::A4
    } else if widest_mm <= 256.0 {
        Width::B4
    } else {
        Width::A3
    };
    let longest_mm = pages
        .iter()
        .map(|p| p.bitmap.height as f32 / p.y_dpi.max(1.0) * 25.4)
        .fold(0.0f32, f32::max);
    let length = if longest_mm <= 300.0 {
        Length::A4
    } else if longest_mm <= 365.0 {
        Length::B4
    } else {
        Length::Unlimited
    };
    DocumentFormat {
        resolution,
        width,
        length,
    }
}
