//! The passive call decoder: turns a recording of a fax call into its T.30 frames and pages.
//!
//! [`CallDecoder`] is sans-IO: it never reads a file or a clock. Push 8000 Hz linear samples
//! ([`CallDecoder::push`] for one channel, [`CallDecoder::push_stereo`] for a recording with
//! one direction per channel), then drain [`CallDecoder::poll_event`]; call
//! [`CallDecoder::finish`] at the end of the recording and drain again.
//!
//! On every channel it runs a V.21 channel 2 receiver with an HDLC deframer for the control
//! frames (T.30 §5.3), CNG/CED detectors (T.30 §4), and the high-speed receivers (V.17,
//! V.29, V.27ter). It follows the T.30 dialogue: DCS (T.30 §5.3.6.2.1) selects the modem, rate,
//! coding, resolution, width and ECM; the first high-speed burst after DCS is TCF, later ones
//! carry the page (non-ECM: the T.4 bit stream itself; ECM: FCD frames, T.4 Annex A); the
//! post-message commands (MPS/EOM/EOP) end pages; DCN ends the call. If no DCS was heard (the
//! recording starts late), every high-speed receiver runs and the page is decoded with each
//! plausible coding and width; the best decode wins.
//!
//! With two channels, each is decoded alone and the results are merged: a frame heard on both
//! (one side's echo in the other's channel) is reported once, and of two decodes of the same
//! page the better one is kept.
//!
//! ```
//! use telefax::decoder::{CallDecoder, DecoderConfig, DecoderEvent};
//!
//! let mut dec = CallDecoder::new(DecoderConfig::default());
//! let silence = vec![0i16; 8000];
//! dec.push(&silence).unwrap();
//! dec.finish();
//! let mut pages = 0;
//! while let Some(ev) = dec.poll_event() {
//!     if let DecoderEvent::Page(_) = ev {
//!         pages += 1;
//!     }
//! }
//! assert_eq!(pages, 0);
//! ```

mod dialogue;
pub mod ecm;
pub mod fcf;
mod frontend;
mod page;
pub mod params;
mod rx;

use std::collections::VecDeque;

use serde::Serialize;

pub use ecm::MissingFrame;
pub use params::{Coding, FastModem, Params, VerticalResolution};

/// The sample rate the decoder runs at; resample other rates before pushing.
pub const SAMPLE_RATE: u32 = 8000;

/// Samples processed per internal step (20 ms): the time resolution of reported events.
pub(crate) const STEP: usize = 160;

/// How the decoder runs its high-speed receivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReceiverMode {
    /// Run only the receiver DCS selected; run all of them while no DCS is known.
    #[default]
    FollowDcs,
    /// Keep every high-speed receiver available (for recordings whose DCS is damaged or
    /// lying, and for benchmarking the worst case): on each high-speed signal the receiver
    /// DCS selected tries first, and all the others try the same signal if it fails.
    All,
}

/// Decoder configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecoderConfig {
    /// Number of input channels: 1 (mono or mixed) or 2 (one direction per channel).
    pub channels: usize,
    /// Which high-speed receivers run.
    pub receivers: ReceiverMode,
    /// Upper bound on the coded bytes collected for one page (bounded memory on noise).
    pub max_page_bytes: usize,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        DecoderConfig {
            channels: 1,
            receivers: ReceiverMode::FollowDcs,
            max_page_bytes: 4 << 20,
        }
    }
}

impl DecoderConfig {
    /// A configuration for `channels` input channels (1 or 2), other fields default.
    pub fn with_channels(channels: usize) -> Self {
        DecoderConfig {
            channels,
            ..Self::default()
        }
    }
    /// Set the receiver mode.
    pub fn receivers(mut self, mode: ReceiverMode) -> Self {
        self.receivers = mode;
        self
    }
}

/// Errors of the decoder's API (usage errors; damaged audio is not an error).
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecoderError {
    /// The configuration asks for an unsupported number of channels.
    #[error("unsupported channel count {0} (the decoder takes 1 or 2 channels)")]
    Channels(usize),
    /// Samples were pushed for a channel layout other than the configured one.
    #[error("pushed {pushed}-channel audio to a decoder configured for {configured} channel(s)")]
    Layout {
        /// Channels in the push.
        pushed: usize,
        /// Channels in the configuration.
        configured: usize,
    },
}

/// A call tone (T.30 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Tone {
    /// Calling tone, 1100 Hz.
    Cng,
    /// Called station identification, 2100 Hz.
    Ced,
}

/// A T.30 control frame (HDLC over V.21 channel 2, T.30 §5.3).
#[derive(Debug, Clone, PartialEq)]
pub struct FrameInfo {
    /// When the closing flag was heard, seconds from the start of the recording.
    pub time_s: f64,
    /// Input channel (0 = mono or left, 1 = right).
    pub channel: usize,
    /// Address, control, FCF and information field, without the FCS.
    pub bytes: Vec<u8>,
    /// Whether the frame check sequence was right (T.30 §5.3.7).
    pub fcs_ok: bool,
}

impl FrameInfo {
    /// The FCF octet, if the frame is long enough.
    pub fn fcf(&self) -> Option<u8> {
        self.bytes.get(2).copied()
    }
    /// The frame's T.30 name (`"DCS"`), or `"short"` for a frame too short to have one.
    pub fn name(&self) -> &'static str {
        self.fcf().map_or("short", fcf::name)
    }
    /// The information field (after the FCF).
    pub fn fif(&self) -> &[u8] {
        self.bytes.get(3..).unwrap_or(&[])
    }
}

/// What a high-speed burst was used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BurstKind {
    /// The training check after DCS (TCF, T.30 §5.3: 1.5 s of zeros).
    Tcf,
    /// Page data (non-ECM T.4 stream or ECM frames).
    Page,
}

/// A high-speed receiver's training result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Training {
    /// When training ended, seconds from the start.
    pub time_s: f64,
    /// Input channel.
    pub channel: usize,
    /// Modem.
    pub modem: FastModem,
    /// Bit rate.
    pub rate: u32,
    /// Whether the receiver trained.
    pub ok: bool,
}

/// The result of a TCF check (TCF, T.30 §5.3: 1.5 s of zeros after DCS).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TcfResult {
    /// When TCF ended.
    pub time_s: f64,
    /// Input channel.
    pub channel: usize,
    /// Bits received.
    pub bits: usize,
    /// Of these, how many were ones (errors; TCF is all zeros).
    pub ones: usize,
    /// The longest run of zeros, in bits.
    pub longest_zero_run: usize,
}

/// A received page.
#[derive(Debug, Clone)]
pub struct ReceivedPage {
    /// Page number in the call, from 0.
    pub index: usize,
    /// When the page data ended, seconds from the start.
    pub time_s: f64,
    /// The channel whose decode was kept.
    pub channel: usize,
    /// The page image, damaged rows repaired.
    pub bitmap: telefax_t4::Bitmap,
    /// The coding the page arrived in.
    pub coding: Coding,
    /// Vertical resolution (from DCS; `Standard` when guessed).
    pub resolution: VerticalResolution,
    /// The modem and rate that carried it.
    pub modem: FastModem,
    /// Bit rate.
    pub rate: u32,
    /// Whether it came in error correction mode.
    pub ecm: bool,
    /// Rows that could not be decoded and were repaired.
    pub bad_rows: usize,
    /// The longest run of consecutive bad rows.
    pub longest_bad_run: usize,
    /// ECM frames never received (block, frame).
    pub missing_frames: Vec<MissingFrame>,
    /// True when no DCS was heard and the modem/coding/width were found by trying.
    pub guessed: bool,
}

/// Something the decoder found.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DecoderEvent {
    /// A call tone started.
    Tone {
        /// When, seconds from the start.
        time_s: f64,
        /// Input channel.
        channel: usize,
        /// Which tone.
        tone: Tone,
    },
    /// A control frame (good or bad FCS). Echoes already reported from the other channel are
    /// left out.
    Frame(FrameInfo),
    /// DCS selected these parameters.
    Negotiated {
        /// When the DCS ended.
        time_s: f64,
        /// The parameters.
        params: Params,
    },
    /// A high-speed receiver trained or failed to.
    Training(Training),
    /// TCF was received.
    Tcf(TcfResult),
    /// A page was decoded.
    Page(Box<ReceivedPage>),
    /// The receiving side answered a page: `confirmed` is true for MCF/RTP/PIP, false for
    /// RTN/PIN (T.30 §5.3.6.1.7).
    PageConfirmed {
        /// The page's index.
        page: usize,
        /// Positive or negative confirmation.
        confirmed: bool,
        /// The response frame's name.
        response: &'static str,
    },
    /// DCN was heard, or the recording ended.
    CallEnded {
        /// When, seconds from the start.
        time_s: f64,
        /// Whether DCN was heard (false: the recording just ended).
        dcn: bool,
    },
}

/// The passive decoder of a recorded fax call. See the [module docs](self).
pub struct CallDecoder {
    config: DecoderConfig,
    channels: Vec<frontend::ChannelRx>,
    dialogue: dialogue::Dialogue,
    /// Samples pushed per channel.
    samples: u64,
    /// Leftover samples of a partial step (per channel, interleaving undone).
    pending: Vec<Vec<i16>>,
    events: VecDeque<DecoderEvent>,
    finished: bool,
}

impl CallDecoder {
    /// A decoder for `config`. Panics never; an unsupported channel count is clamped to 2
    /// (use [`CallDecoder::try_new`] to get an error instead).
    pub fn new(config: DecoderConfig) -> Self {
        let mut config = config;
        config.channels = config.channels.clamp(1, 2);
        Self::build(config)
    }

    /// A decoder for `config`, or an error for an unsupported channel count.
    pub fn try_new(config: DecoderConfig) -> Result<Self, DecoderError> {
        if !(1..=2).contains(&config.channels) {
            return Err(DecoderError::Channels(config.channels));
        }
        Ok(Self::build(config))
    }

    fn build(config: DecoderConfig) -> Self {
        let channels = (0..config.channels)
            .map(|i| frontend::ChannelRx::new(i, &config))
            .collect();
        CallDecoder {
            dialogue: dialogue::Dialogue::new(&config),
            pending: vec![Vec::with_capacity(STEP); config.channels],
            config,
            channels,
            samples: 0,
            events: VecDeque::new(),
            finished: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// Seconds of audio pushed so far (per channel).
    pub fn time_s(&self) -> f64 {
        self.samples as f64 / f64::from(SAMPLE_RATE)
    }

    /// Push mono samples (8000 Hz). With a two-channel configuration this is an error.
    pub fn push(&mut self, samples: &[i16]) -> Result<(), DecoderError> {
        if self.config.channels != 1 {
            return Err(DecoderError::Layout {
                pushed: 1,
                configured: self.config.channels,
            });
        }
        let mut rest = samples;
        while !rest.is_empty() {
            let need = STEP - self.pending[0].len();
            let take = need.min(rest.len());
            self.pending[0].extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending[0].len() == STEP {
                self.step();
            }
        }
        Ok(())
    }

    /// Push interleaved stereo samples (left, right, left, ...; 8000 Hz). With a one-channel
    /// configuration this is an error. A trailing odd sample is ignored.
    pub fn push_stereo(&mut self, interleaved: &[i16]) -> Result<(), DecoderError> {
        if self.config.channels != 2 {
            return Err(DecoderError::Layout {
                pushed: 2,
                configured: self.config.channels,
            });
        }
        for frame in interleaved.chunks_exact(2) {
            self.pending[0].push(frame[0]);
            self.pending[1].push(frame[1]);
            if self.pending[0].len() == STEP {
                self.step();
            }
        }
        Ok(())
    }

    /// Push two separate channel buffers of equal length (the shorter length is used).
    pub fn push_channels(&mut self, left: &[i16], right: &[i16]) -> Result<(), DecoderError> {
        if self.config.channels != 2 {
            return Err(DecoderError::Layout {
                pushed: 2,
                configured: self.config.channels,
            });
        }
        let n = left.len().min(right.len());
        let (mut l, mut r) = (&left[..n], &right[..n]);
        while !l.is_empty() {
            let take = (STEP - self.pending[0].len()).min(l.len());
            self.pending[0].extend_from_slice(&l[..take]);
            self.pending[1].extend_from_slice(&r[..take]);
            l = &l[take..];
            r = &r[take..];
            if self.pending[0].len() == STEP {
                self.step();
            }
        }
        Ok(())
    }

    /// The recording has ended: flush partial pages (ECM pages with missing frames, a page
    /// whose post-message command was not heard) and report the end of the call. Further
    /// pushes are ignored.
    pub fn finish(&mut self) {
        if self.finished {
            return;
        }
        if !self.pending[0].is_empty() {
            self.step();
        }
        for ch in &mut self.channels {
            ch.finish(self.samples, &mut self.dialogue);
        }
        self.dialogue.finish(self.samples, &mut self.events);
        self.finished = true;
    }

    /// The next event, if any. Call after every push and after [`CallDecoder::finish`] until
    /// it returns `None`.
    pub fn poll_event(&mut self) -> Option<DecoderEvent> {
        self.events.pop_front()
    }

    /// Process the samples gathered in `pending` (one step, or fewer at the end).
    fn step(&mut self) {
        if self.finished {
            for p in &mut self.pending {
                p.clear();
            }
            return;
        }
        let n = self.pending[0].len();
        let hint = self.dialogue.receiver_hint();
        for (ch, buf) in self.channels.iter_mut().zip(&self.pending) {
            ch.process(buf, self.samples, hint, &mut self.dialogue);
        }
        self.samples += n as u64;
        for p in &mut self.pending {
            p.clear();
        }
        self.dialogue.drain(self.samples, &mut self.events);
    }
}

/// Seconds for a sample count at 8000 Hz.
pub(crate) fn secs(samples: u64) -> f64 {
    samples as f64 / f64::from(SAMPLE_RATE)
}
