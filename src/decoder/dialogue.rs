//! Following the T.30 dialogue (T.30 §5, Annex A) from what the receivers heard: control
//! frames, training results and high-speed bursts, on one or two channels.
//!
//! This part sees no audio: the front end ([`super::frontend`]) reports observations, this
//! module turns them into [`DecoderEvent`]s. That keeps the procedure logic testable without
//! modems.

use std::collections::VecDeque;

use tracing::debug;

use super::ecm::{EcmAssembler, EcmPage};
use super::page::{self, Decoded, WIDTHS};
use super::params::{self, Coding, FastModem, Params, VerticalResolution};
use super::{
    fcf, secs, BurstKind, DecoderConfig, DecoderEvent, FrameInfo, ReceivedPage, ReceiverMode,
    TcfResult, Tone, Training,
};

/// Two copies of a frame on different channels closer than this are one frame and its echo.
const ECHO_WINDOW_S: f64 = 0.5;
/// High-speed bursts shorter than this carry no page (false trainings on noise, TCF remains).
const MIN_PAGE_BURST_S: f64 = 0.3;
/// TCF lasts 1.5 s (TCF, T.30 §5.3); a longer burst after DCS is a page.
const MAX_TCF_S: f64 = 2.6;

/// Which high-speed receivers the front end should run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RxHint {
    /// The receiver DCS selected, if a DCS was heard.
    pub selected: Option<(FastModem, u32)>,
    /// Run every receiver.
    pub all: bool,
    /// Deframe HDLC in high-speed bursts (ECM, or parameters unknown).
    pub deframe: bool,
    /// Counts the DCS frames heard (receivers go back to long training on a change).
    pub generation: u32,
}

/// A finished high-speed burst (carrier on, training, data, carrier off).
#[derive(Debug, Clone)]
pub(crate) struct Burst {
    pub channel: usize,
    pub modem: FastModem,
    pub rate: u32,
    pub kind: BurstKind,
    pub start: u64,
    pub end: u64,
    /// The bits, LSB-first octets.
    pub data: Vec<u8>,
    pub bits: u64,
    pub ones: u64,
    pub longest_zero_run: u64,
    /// Good-FCS HDLC frames deframed in the burst.
    pub hdlc_frames: usize,
}

/// A non-ECM page decode waiting for the post-message command.
#[derive(Debug)]
struct Candidate {
    burst: Burst,
    /// Parameters in force when it arrived (None: guess).
    params: Option<Params>,
}

#[derive(Debug)]
struct Recent {
    time_s: f64,
    channel: usize,
    bytes: Vec<u8>,
    fcs_ok: bool,
}

pub(crate) struct Dialogue {
    mode: ReceiverMode,
    params: Option<Params>,
    /// A DIS/DTC (or CSI/NSF) was heard and nothing since: the high-speed signal cannot start
    /// before a DCS, so the receivers may rest (T.30 §5.3: phase B). Cleared by any other frame
    /// or a damaged one (the DCS may have been lost).
    phase_b: bool,
    generation: u32,
    /// DCS was heard and its TCF has not been answered (CFR/FTT) yet.
    expect_tcf: bool,
    candidates: Vec<Candidate>,
    ecm: EcmAssembler,
    /// The modem of the last burst that carried ECM frames (for pages without DCS).
    ecm_modem: Option<(FastModem, u32, usize)>,
    pages: usize,
    unconfirmed: Option<usize>,
    recent: VecDeque<Recent>,
    ended: bool,
    out: VecDeque<DecoderEvent>,
}

impl Dialogue {
    pub fn new(config: &DecoderConfig) -> Self {
        Dialogue {
            mode: config.receivers,
            params: None,
            phase_b: false,
            generation: 0,
            expect_tcf: false,
            candidates: Vec::new(),
            ecm: EcmAssembler::new(),
            ecm_modem: None,
            pages: 0,
            unconfirmed: None,
            recent: VecDeque::with_capacity(16),
            ended: false,
            out: VecDeque::new(),
        }
    }

    pub fn receiver_hint(&self) -> RxHint {
        let selected = self.params.map(|p| (p.modem, p.rate));
        RxHint {
            selected,
            all: self.mode == ReceiverMode::All || (selected.is_none() && !self.phase_b),
            deframe: self.params.is_none_or(|p| p.ecm),
            generation: self.generation,
        }
    }

    /// Move the events found so far to `events`.
    pub fn drain(&mut self, _now: u64, events: &mut VecDeque<DecoderEvent>) {
        events.extend(self.out.drain(..));
    }

    /// The recording ended.
    pub fn finish(&mut self, now: u64, events: &mut VecDeque<DecoderEvent>) {
        self.flush_candidates(now);
        if let Some(p) = self.ecm.flush() {
            self.ecm_page(p, now);
        }
        if !self.ended {
            self.out.push_back(DecoderEvent::CallEnded {
                time_s: secs(now),
                dcn: false,
            });
            self.ended = true;
        }
        self.drain(now, events);
    }

    pub fn tone(&mut self, time: u64, channel: usize, tone: Tone) {
        debug!(?tone, channel, t = secs(time), "tone");
        self.out.push_back(DecoderEvent::Tone {
            time_s: secs(time),
            channel,
            tone,
        });
    }

    /// A receiver trained (or failed): report it, and say what its burst will be.
    pub fn training(&mut self, t: Training) -> BurstKind {
        let matches = self
            .params
            .is_some_and(|p| (p.modem, p.rate) == (t.modem, t.rate));
        if t.ok || matches {
            debug!(?t, "training");
            self.out.push_back(DecoderEvent::Training(t));
        }
        if self.expect_tcf {
            BurstKind::Tcf
        } else {
            BurstKind::Page
        }
    }

    /// A high-speed burst ended.
    pub fn burst(&mut self, mut b: Burst) {
        if b.kind == BurstKind::Tcf {
            if secs(b.end - b.start) > MAX_TCF_S {
                // Too long for TCF: the TCF itself was missed, this is the page.
                b.kind = BurstKind::Page;
            } else {
                // TCF is over; whatever trains next is page data, even when CFR is not
                // heard (one channel of a stereo recording).
                self.expect_tcf = false;
            }
        }
        let selected = self.params.map(|p| (p.modem, p.rate));
        let is_selected = selected.is_none_or(|s| s == (b.modem, b.rate));
        match b.kind {
            BurstKind::Tcf => {
                if is_selected && b.bits > 0 {
                    self.out.push_back(DecoderEvent::Tcf(TcfResult {
                        time_s: secs(b.end),
                        channel: b.channel,
                        bits: b.bits as usize,
                        ones: b.ones as usize,
                        longest_zero_run: b.longest_zero_run as usize,
                    }));
                }
            }
            BurstKind::Page => {
                if b.hdlc_frames >= 2 {
                    // ECM frames: handled frame by frame (fast_frame).
                    return;
                }
                if self.params.is_some_and(|p| p.ecm) {
                    return;
                }
                if secs(b.end - b.start) < MIN_PAGE_BURST_S || b.data.len() < 16 {
                    return;
                }
                debug!(
                    channel = b.channel,
                    modem = b.modem.name(),
                    rate = b.rate,
                    bytes = b.data.len(),
                    "page burst"
                );
                self.candidates.push(Candidate {
                    burst: b,
                    params: self.params,
                });
            }
        }
    }

    /// A good-FCS HDLC frame from a high-speed burst (ECM: FCD, RCP).
    pub fn fast_frame(&mut self, channel: usize, modem: FastModem, rate: u32, bytes: &[u8]) {
        if bytes.len() >= 3 && bytes[2] == fcf::FCD {
            self.ecm_modem = Some((modem, rate, channel));
        }
        self.ecm.fast_frame(bytes);
    }

    /// A control frame from V.21.
    pub fn frame(&mut self, time: u64, channel: usize, bytes: Vec<u8>, fcs_ok: bool) {
        let time_s = secs(time);
        if self.is_echo(time_s, channel, &bytes, fcs_ok) {
            return;
        }
        if self.recent.len() == 16 {
            self.recent.pop_front();
        }
        self.recent.push_back(Recent {
            time_s,
            channel,
            bytes: bytes.clone(),
            fcs_ok,
        });
        let info = FrameInfo {
            time_s,
            channel,
            bytes,
            fcs_ok,
        };
        debug!(
            name = info.name(),
            channel,
            t = time_s,
            fcs_ok,
            "frame {:02x?}",
            info.bytes
        );
        let fcf_octet = info.fcf();
        let fif = info.fif().to_vec();
        self.out.push_back(DecoderEvent::Frame(info));
        if !fcs_ok {
            self.phase_b = false;
            return;
        }
        let Some(octet) = fcf_octet else { return };
        let code = fcf::strip_x(octet);
        self.phase_b = matches!(code, fcf::DIS | fcf::CSI | fcf::NSF);
        match code {
            fcf::DCS => {
                if let Some(p) = params::parse_dcs(&fif) {
                    self.flush_candidates(time);
                    self.ecm.new_document();
                    self.params = Some(p);
                    self.generation = self.generation.wrapping_add(1);
                    self.expect_tcf = true;
                    self.out
                        .push_back(DecoderEvent::Negotiated { time_s, params: p });
                }
            }
            fcf::CFR | fcf::FTT => self.expect_tcf = false,
            fcf::MPS | fcf::EOM | fcf::EOP | fcf::PRI_MPS | fcf::PRI_EOM | fcf::PRI_EOP => {
                self.expect_tcf = false;
                self.flush_candidates(time);
            }
            fcf::PPS => {
                self.expect_tcf = false;
                if let Some(p) = self.ecm.pps(&fif) {
                    self.ecm_page(p, time);
                }
            }
            fcf::EOR => {
                if let Some(p) = self.ecm.eor(&fif) {
                    self.ecm_page(p, time);
                }
            }
            fcf::MCF | fcf::RTP | fcf::PIP | fcf::RTN | fcf::PIN => {
                if let Some(page) = self.unconfirmed.take() {
                    let confirmed = matches!(code, fcf::MCF | fcf::RTP | fcf::PIP);
                    self.out.push_back(DecoderEvent::PageConfirmed {
                        page,
                        confirmed,
                        response: fcf::name(octet),
                    });
                }
            }
            fcf::DCN => {
                self.flush_candidates(time);
                if let Some(p) = self.ecm.flush() {
                    self.ecm_page(p, time);
                }
                self.out
                    .push_back(DecoderEvent::CallEnded { time_s, dcn: true });
                self.ended = true;
            }
            _ => {}
        }
    }

    /// Whether this frame repeats one just reported from the other channel (echo).
    fn is_echo(&self, time_s: f64, channel: usize, bytes: &[u8], fcs_ok: bool) -> bool {
        self.recent.iter().any(|r| {
            r.channel != channel
                && (r.time_s - time_s).abs() < ECHO_WINDOW_S
                && (r.bytes == bytes || (r.fcs_ok && !fcs_ok))
        })
    }

    /// Decode the pending non-ECM page bursts and report the best as one page.
    fn flush_candidates(&mut self, now: u64) {
        if self.candidates.is_empty() {
            return;
        }
        let cands = std::mem::take(&mut self.candidates);
        // Bursts that overlap in time are decodes of the same page (two channels, or several
        // receivers on one channel); separate pages do not overlap.
        let mut groups: Vec<Vec<Candidate>> = Vec::new();
        for c in cands {
            let g = groups.iter_mut().find(|g| {
                g.iter()
                    .any(|o| c.burst.start < o.burst.end && o.burst.start < c.burst.end)
            });
            match g {
                Some(g) => g.push(c),
                None => groups.push(vec![c]),
            }
        }
        groups.sort_by_key(|g| g[0].burst.start);
        for g in groups {
            let mut best: Option<(Decoded, &Candidate)> = None;
            for c in &g {
                if c.params.is_none() && c.burst.ones * 50 < c.burst.bits {
                    // Nearly all zeros: a TCF heard without its DCS, not a page.
                    continue;
                }
                let Some(data) = page::skip_to_first_eol(&c.burst.data) else {
                    continue;
                };
                let d = match c.params {
                    Some(p) => page::decode_best(&data, &[p.coding], &[p.width], p.resolution),
                    None => page::decode_best(
                        &data,
                        &[Coding::Mr, Coding::Mh],
                        &WIDTHS,
                        VerticalResolution::Standard,
                    ),
                };
                // A guess needs a few good rows to count as a page.
                let d = d.filter(|d| c.params.is_some() || d.score().0 >= 8);
                if let Some(d) = d {
                    if best.as_ref().is_none_or(|(b, _)| d.score() > b.score()) {
                        best = Some((d, c));
                    }
                }
            }
            if let Some((d, c)) = best {
                let res = c
                    .params
                    .map_or(VerticalResolution::Standard, |p| p.resolution);
                let page = ReceivedPage {
                    index: self.pages,
                    time_s: secs(c.burst.end.min(now)),
                    channel: c.burst.channel,
                    coding: d.coding,
                    resolution: res,
                    modem: c.burst.modem,
                    rate: c.burst.rate,
                    ecm: false,
                    bad_rows: d.stats.bad_rows as usize,
                    longest_bad_run: d.stats.longest_bad_run as usize,
                    missing_frames: Vec::new(),
                    guessed: c.params.is_none(),
                    bitmap: d.bitmap,
                };
                self.emit_page(page);
            }
        }
    }

    fn ecm_page(&mut self, p: EcmPage, now: u64) {
        let (modem, rate, channel) = match (self.params, self.ecm_modem) {
            (_, Some(m)) => m,
            (Some(p), None) => (p.modem, p.rate, 0),
            (None, None) => (FastModem::V17, 14400, 0),
        };
        let d = match self.params {
            Some(pa) => page::decode_best(&p.data, &[pa.coding], &[pa.width], pa.resolution)
                .or_else(|| {
                    page::decode_best(
                        &p.data,
                        &[Coding::Mmr, Coding::Mr, Coding::Mh],
                        &WIDTHS,
                        pa.resolution,
                    )
                }),
            None => page::decode_best(
                &p.data,
                &[Coding::Mmr, Coding::Mr, Coding::Mh],
                &WIDTHS,
                VerticalResolution::Standard,
            ),
        };
        debug!(
            bytes = p.data.len(),
            missing = p.missing.len(),
            decoded = d.is_some(),
            "ECM page"
        );
        let Some(d) = d else { return };
        let page = ReceivedPage {
            index: self.pages,
            time_s: secs(now),
            channel,
            coding: d.coding,
            resolution: self
                .params
                .map_or(VerticalResolution::Standard, |p| p.resolution),
            modem,
            rate,
            ecm: true,
            bad_rows: d.stats.bad_rows as usize,
            longest_bad_run: d.stats.longest_bad_run as usize,
            missing_frames: p.missing,
            guessed: self.params.is_none(),
            bitmap: d.bitmap,
        };
        self.emit_page(page);
    }

    fn emit_page(&mut self, page: ReceivedPage) {
        debug!(
            index = page.index,
            width = page.bitmap.width,
            rows = page.bitmap.height,
            bad = page.bad_rows,
            "page"
        );
        self.unconfirmed = Some(page.index);
        self.pages += 1;
        self.out.push_back(DecoderEvent::Page(Box::new(page)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telefax_t4::{BitOrder, EncodeOptions};

    const S: u64 = 8000;

    fn frame(fcf: u8, fif: &[u8]) -> Vec<u8> {
        let mut f = vec![0xFF, 0x13, fcf];
        f.extend_from_slice(fif);
        f
    }

    /// DCS FIF: V.29 9600, MR, standard, A4, no ECM.
    const DCS_V29_MR: [u8; 3] = [0x00, 0x86, 0x00];

    fn burst(channel: usize, kind: BurstKind, start: u64, end: u64, data: Vec<u8>) -> Burst {
        Burst {
            channel,
            modem: FastModem::V29,
            rate: 9600,
            kind,
            start,
            end,
            bits: data.len() as u64 * 8,
            ones: data.iter().map(|b| u64::from(b.count_ones())).sum(),
            longest_zero_run: 0,
            hdlc_frames: 0,
            data,
        }
    }

    fn events(d: &mut Dialogue, now: u64) -> Vec<DecoderEvent> {
        let mut q = VecDeque::new();
        d.drain(now, &mut q);
        q.into_iter().collect()
    }

    fn page_data(seed: u64) -> (telefax_t4::Bitmap, Vec<u8>) {
        let bm = telefax_t4::testpages::text_page(1728, 120, seed);
        let opts =
            EncodeOptions::new(telefax_t4::Coding::Mr { k: 2 }).bit_order(BitOrder::LsbFirst);
        let mut data = vec![0xFF, 0x3C]; // training tail / fill before the first EOL
        data.extend(telefax_t4::encode_page(&bm, &opts).unwrap());
        (bm, data)
    }

    #[test]
    fn non_ecm_page_follows_dcs_tcf_and_is_confirmed() {
        let mut d = Dialogue::new(&DecoderConfig::with_channels(2));
        d.frame(6 * S, 0, frame(0x83, &DCS_V29_MR), true);
        assert!(d.receiver_hint().selected == Some((FastModem::V29, 9600)));
        assert!(!d.receiver_hint().all);
        let kind = d.training(Training {
            time_s: 7.0,
            channel: 0,
            modem: FastModem::V29,
            rate: 9600,
            ok: true,
        });
        assert_eq!(kind, BurstKind::Tcf);
        d.burst(burst(0, kind, 7 * S, 8 * S + S / 2, vec![0; 1800]));
        // CFR is on the other channel; even without it the next burst is the page.
        let kind = d.training(Training {
            time_s: 9.0,
            channel: 0,
            modem: FastModem::V29,
            rate: 9600,
            ok: true,
        });
        assert_eq!(kind, BurstKind::Page);
        let (bm, data) = page_data(1);
        d.burst(burst(0, kind, 9 * S, 20 * S, data.clone()));
        // The same page heard as an echo on the other channel, damaged.
        let mut echo = data;
        for b in echo.iter_mut().skip(200).step_by(50) {
            *b ^= 0x10;
        }
        d.burst(burst(1, BurstKind::Page, 9 * S + 10, 20 * S + 10, echo));
        d.frame(21 * S, 0, frame(0x2F, &[]), true);
        // The echo of EOP on channel 1 is left out.
        d.frame(21 * S + 40, 1, frame(0x2F, &[]), true);
        d.frame(22 * S, 1, frame(0x8C, &[]), true);
        d.frame(23 * S, 0, frame(0xFB, &[]), true);
        let ev = events(&mut d, 23 * S);
        let pages: Vec<&ReceivedPage> = ev
            .iter()
            .filter_map(|e| match e {
                DecoderEvent::Page(p) => Some(&**p),
                _ => None,
            })
            .collect();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].channel, 0, "the clean copy wins");
        assert!(pages[0].bitmap == bm);
        assert_eq!(pages[0].bad_rows, 0);
        assert!(!pages[0].guessed);
        let eops = ev
            .iter()
            .filter(|e| matches!(e, DecoderEvent::Frame(f) if f.name() == "EOP"))
            .count();
        assert_eq!(eops, 1);
        assert!(ev.iter().any(|e| matches!(
            e,
            DecoderEvent::PageConfirmed {
                page: 0,
                confirmed: true,
                response: "MCF"
            }
        )));
        assert!(ev
            .iter()
            .any(|e| matches!(e, DecoderEvent::CallEnded { dcn: true, .. })));
        assert!(ev
            .iter()
            .any(|e| matches!(e, DecoderEvent::Tcf(t) if t.ones == 0)));
    }

    #[test]
    fn page_without_dcs_is_guessed() {
        let mut d = Dialogue::new(&DecoderConfig::default());
        assert!(d.receiver_hint().all);
        let (bm, data) = page_data(2);
        d.burst(burst(0, BurstKind::Page, S, 10 * S, data));
        let mut q = VecDeque::new();
        d.finish(11 * S, &mut q);
        let page = q
            .iter()
            .find_map(|e| match e {
                DecoderEvent::Page(p) => Some(p),
                _ => None,
            })
            .expect("page");
        assert!(page.guessed);
        assert_eq!(page.coding, Coding::Mr);
        assert!(page.bitmap == bm);
        assert!(q
            .iter()
            .any(|e| matches!(e, DecoderEvent::CallEnded { dcn: false, .. })));
    }

    #[test]
    fn ecm_page_from_fcd_frames_and_pps() {
        let mut d = Dialogue::new(&DecoderConfig::default());
        // DCS: V.17 14400, ECM, T.6 (bits 10, 14, 24, 27, 31 as in params tests).
        let mut fif = [0u8; 4];
        for b in [10usize, 14, 24, 27, 31] {
            fif[(b - 1) / 8] |= 1 << ((b - 1) % 8);
        }
        d.frame(S, 0, frame(0x83, &fif), true);
        assert!(d.receiver_hint().deframe);
        let bm = telefax_t4::testpages::text_page(1728, 60, 3);
        let opts = EncodeOptions::new(telefax_t4::Coding::Mmr).bit_order(BitOrder::LsbFirst);
        let coded = telefax_t4::encode_page(&bm, &opts).unwrap();
        let chunks: Vec<&[u8]> = coded.chunks(64).collect();
        assert!(chunks.len() > 2);
        for (i, c) in chunks.iter().enumerate() {
            if i == 1 {
                continue; // lost: comes back after PPR
            }
            let mut f = vec![0xFF, 0x03, fcf::FCD, i as u8];
            f.extend_from_slice(c);
            d.fast_frame(0, FastModem::V17, 14400, &f);
        }
        let n = chunks.len() as u8;
        d.frame(5 * S, 0, frame(0xBF, &[0x2E, 0, 0, n - 1]), true);
        assert!(events(&mut d, 5 * S)
            .iter()
            .all(|e| !matches!(e, DecoderEvent::Page(_))));
        let mut f = vec![0xFF, 0x03, fcf::FCD, 1];
        f.extend_from_slice(chunks[1]);
        d.fast_frame(0, FastModem::V17, 14400, &f);
        d.frame(7 * S, 0, frame(0xBF, &[0x2E, 0, 0, n - 1]), true);
        let ev = events(&mut d, 7 * S);
        let page = ev
            .iter()
            .find_map(|e| match e {
                DecoderEvent::Page(p) => Some(p),
                _ => None,
            })
            .expect("page after the retransmission");
        assert!(page.ecm);
        assert_eq!(page.coding, Coding::Mmr);
        assert!(page.missing_frames.is_empty());
        assert!(page.bitmap == bm);
    }
}
