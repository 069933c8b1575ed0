//! The interop matrix of our fax endpoint (`telefax::endpoint::Endpoint`) against spandsp
//! 0.0.6's fax terminal (`fax_state_t`), joined sample by sample in one process (issue 7,
//! "Proof"). Shared by `tests/endpoint_spandsp.rs` (one test per case) and
//! `examples/interop_matrix.rs` (prints the whole matrix as a markdown table).
//!
//! Every case runs one call on a clean line in 160-sample blocks and checks: both ends report
//! success, the negotiated rate, coding and ECM are the ones the case restricts both sides
//! to, and every page arrives pixel-identical to the page sent (spandsp's received TIFF is
//! read back with `telefax-tiff`; spandsp sends from a TIFF written with `telefax-tiff`).
//!
//! ECM cases (issue 8) also put a `telefax::simulate::FrameTap` on the sender's line: it
//! sees every ECM frame and, in the lossy cases, destroys frames at random while they wait in
//! a 200 ms line delay. spandsp's T.30 frame log (`t30_set_real_time_frame_handler`) then
//! has to show the PPR (and at 50% loss the CTC), the tap has to see exactly the destroyed
//! frames sent again, and the frames on the line must have the sender's frame size.
//! `TELEFAX_INTEROP_FRAMES=1` prints spandsp's frame log.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use telefax::endpoint::{Endpoint, EndpointConfig, Event, JobKind, Role};
use telefax::simulate::{FrameLoss, FrameStats, FrameTap, LINE_DELAY};
use telefax::t30::capabilities::{Coding, FastModem, Resolution, Width};
use telefax_interop::sp::{FaxCodings, FaxConfig, FaxModems, SpFax};
use telefax_t4::Bitmap;
use telefax_tiff::{read_document, write_document, Page, WriteOptions};

/// Samples per lockstep block (20 ms at 8 kHz).
pub const BLOCK: usize = 160;

/// The image modem both sides are restricted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modem {
    /// V.27ter (4800 expected).
    V27ter,
    /// V.29 (9600 expected).
    V29,
    /// V.17 (14400 expected).
    V17,
}

impl Modem {
    fn name(self) -> &'static str {
        match self {
            Modem::V27ter => "V.27ter",
            Modem::V29 => "V.29",
            Modem::V17 => "V.17",
        }
    }
    fn rate(self) -> i32 {
        match self {
            Modem::V27ter => 4800,
            Modem::V29 => 9600,
            Modem::V17 => 14400,
        }
    }
    fn ours(self) -> Vec<FastModem> {
        match self {
            Modem::V27ter => vec![FastModem::V27ter4800, FastModem::V27ter2400],
            Modem::V29 => vec![FastModem::V29_9600, FastModem::V29_7200],
            Modem::V17 => vec![
                FastModem::V17_14400,
                FastModem::V17_12000,
                FastModem::V17_9600,
                FastModem::V17_7200,
            ],
        }
    }
    fn sp(self) -> FaxModems {
        FaxModems {
            v27ter: self == Modem::V27ter,
            v29: self == Modem::V29,
            v17: self == Modem::V17,
        }
    }
}

/// The best coding both sides may use (MH is always allowed as well).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// T.4 1-D.
    Mh,
    /// T.4 2-D.
    Mr,
    /// T.6 (needs ECM).
    Mmr,
}

impl Code {
    fn name(self) -> &'static str {
        match self {
            Code::Mh => "MH",
            Code::Mr => "MR",
            Code::Mmr => "MMR",
        }
    }
    fn sp_name(self) -> &'static str {
        match self {
            Code::Mh => "T4-1D",
            Code::Mr => "T4-2D",
            Code::Mmr => "T6",
        }
    }
    fn ours(self) -> Vec<Coding> {
        match self {
            Code::Mh => vec![Coding::Mh],
            Code::Mr => vec![Coding::Mh, Coding::Mr],
            Code::Mmr => vec![Coding::Mh, Coding::Mr, Coding::Mmr],
        }
    }
    fn sp(self) -> FaxCodings {
        FaxCodings {
            t4_2d: self != Code::Mh,
            t6: self == Code::Mmr,
        }
    }
    fn our_coding(self) -> Coding {
        match self {
            Code::Mh => Coding::Mh,
            Code::Mr => Coding::Mr,
            Code::Mmr => Coding::Mmr,
        }
    }
}

/// One call of the matrix.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// Unique name (also the test name).
    pub name: &'static str,
    /// We send the document (else spandsp sends and we receive).
    pub we_send: bool,
    /// We are the calling terminal (else spandsp calls). When the calling terminal is the
    /// receiver, the call is a polling call (T.30 §5.3.6.1.2: DIS answered with DTC).
    pub we_call: bool,
    /// Image modem of both sides.
    pub modem: Modem,
    /// Coding of both sides.
    pub code: Code,
    /// ECM on both sides.
    pub ecm: bool,
    /// Vertical resolution in dpi: 98 (standard), 196 (fine), 391 (superfine).
    pub ydpi: u32,
    /// Page width: 1728 (A4) or 2048 (B4).
    pub width: u32,
    /// Full page length (A4 297 mm / B4 364 mm); else a 2-inch strip to keep calls short.
    pub full_length: bool,
    /// Number of pages.
    pub pages: u32,
    /// ECM frame size our endpoint uses when it sends (T.30 Table 2 bit 28: 256 or 64
    /// octets; spandsp 0.0.6 has no setting for it and always sends 256).
    pub frame_size: u16,
    /// Probability that the line destroys each ECM data frame (FCD) the sender sends
    /// (`telefax::simulate::FrameLoss`); above zero the receiver must ask for them with PPR.
    pub loss: f64,
}

/// The outcome of one case.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Everything checked out.
    pub pass: bool,
    /// Why not (empty on a pass).
    pub reason: String,
    /// Details: both ends' results, rate, coding, ECM, audio seconds.
    pub detail: String,
    /// Seconds of audio the call took.
    pub audio_s: f64,
    /// PPR frames the receiver sent (T.30 Annex A.4.4), from spandsp's own T.30 frame log.
    pub ppr: usize,
    /// What the frame tap on the sender's line saw (ECM cases), when it ran.
    pub frames: Option<FrameStats>,
}

/// Every case of the matrix.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    use Code::*;
    use Modem::*;
    let c = |name, we_send, we_call, modem, code, ecm, ydpi, width, full_length, pages| Case {
        name, we_send, we_call, modem, code, ecm, ydpi, width, full_length, pages,
        frame_size: 256, loss: 0.0,
    };
    vec![
        // We call and send, spandsp answers and receives.
        c("tx_call_v17_mh_std_a4_1p", true, true, V17, Mh, false, 98, 1728, true, 1),
        c("tx_call_v17_mr_fine_a4_3p", true, true, V17, Mr, false, 196, 1728, false, 3),
        c("tx_call_v29_mh_fine_a4_1p", true, true, V29, Mh, false, 196, 1728, false, 1),
        c("tx_call_v29_mr_std_b4_1p", true, true, V29, Mr, false, 98, 2048, false, 1),
        c("tx_call_v27_mr_std_a4_1p", true, true, V27ter, Mr, false, 98, 1728, false, 1),
        c("tx_call_v27_mh_sfine_b4_1p", true, true, V27ter, Mh, false, 391, 2048, false, 1),
        c("tx_call_v17_mh_std_a4_5p", true, true, V17, Mh, false, 98, 1728, false, 5),
        c("tx_call_v17_mr_fine_b4_full", true, true, V17, Mr, false, 196, 2048, true, 1),
        // spandsp calls and sends, we answer and receive.
        c("rx_ans_v17_mh_std_a4_1p", false, false, V17, Mh, false, 98, 1728, true, 1),
        c("rx_ans_v17_mr_fine_a4_3p", false, false, V17, Mr, false, 196, 1728, false, 3),
        c("rx_ans_v29_mr_std_a4_1p", false, false, V29, Mr, false, 98, 1728, false, 1),
        c("rx_ans_v29_mh_fine_b4_1p", false, false, V29, Mh, false, 196, 2048, false, 1),
        c("rx_ans_v27_mh_std_a4_1p", false, false, V27ter, Mh, false, 98, 1728, false, 1),
        c("rx_ans_v27_mr_sfine_a4_1p", false, false, V27ter, Mr, false, 391, 1728, false, 1),
        c("rx_ans_v17_mr_std_a4_5p", false, false, V17, Mr, false, 98, 1728, false, 5),
        c("rx_ans_v17_mh_fine_b4_full", false, false, V17, Mh, false, 196, 2048, true, 1),
        // Reversed roles: we answer and send (spandsp polls us), we call and receive (we poll).
        c("tx_ans_poll_v17_mh_std_a4_1p", true, false, V17, Mh, false, 98, 1728, false, 1),
        c("tx_ans_poll_v29_mr_fine_a4_3p", true, false, V29, Mr, false, 196, 1728, false, 3),
        c("rx_call_poll_v17_mr_std_a4_1p", false, true, V17, Mr, false, 98, 1728, false, 1),
        c("rx_call_poll_v27_mh_fine_a4_3p", false, true, V27ter, Mh, false, 196, 1728, false, 3),
        // ECM (T.30 Annex A).
        c("tx_call_v17_mmr_ecm_std_a4_1p", true, true, V17, Mmr, true, 98, 1728, true, 1),
        c("tx_call_v29_mmr_ecm_fine_a4_3p", true, true, V29, Mmr, true, 196, 1728, false, 3),
        c("tx_call_v27_mr_ecm_std_b4_1p", true, true, V27ter, Mr, true, 98, 2048, false, 1),
        c("rx_ans_v17_mmr_ecm_std_a4_1p", false, false, V17, Mmr, true, 98, 1728, true, 1),
        c("rx_ans_v29_mmr_ecm_fine_b4_3p", false, false, V29, Mmr, true, 196, 2048, false, 3),
        c("rx_ans_v27_mh_ecm_std_a4_1p", false, false, V27ter, Mh, true, 98, 1728, false, 1),
        c("tx_call_v17_mmr_ecm_fine_a4_5p", true, true, V17, Mmr, true, 196, 1728, false, 5),
        c("rx_ans_v17_mmr_ecm_sfine_a4_5p", false, false, V17, Mmr, true, 391, 1728, false, 5),
        c("tx_ans_poll_v17_mmr_ecm_std_a4_1p", true, false, V17, Mmr, true, 98, 1728, false, 1),
        c("rx_call_poll_v29_mmr_ecm_fine_b4_3p", false, true, V29, Mmr, true, 196, 2048, false, 3),
        // ECM over a line that destroys frames (issue 8): PPR in both directions.
        c("tx_call_v17_mmr_ecm_loss10_std_a4_2p", true, true, V17, Mmr, true, 98, 1728, true, 2).loss(0.1),
        c("rx_ans_v17_mmr_ecm_loss10_std_a4_2p", false, false, V17, Mmr, true, 98, 1728, true, 2).loss(0.1),
        c("tx_call_v29_mmr_ecm64_loss10_fine_a4_1p", true, true, V29, Mmr, true, 196, 1728, false, 1).frame_size(64).loss(0.1),
        c("rx_ans_v27_mmr_ecm_loss10_std_a4_1p", false, false, V27ter, Mmr, true, 98, 1728, false, 1).loss(0.1),
        // Half the frames lost: four PPRs for a block, then CTC/CTR (T.30 Annex A.4.5).
        c("tx_call_v17_mmr_ecm_loss50_std_a4_1p", true, true, V17, Mmr, true, 98, 1728, false, 1).loss(0.5),
        c("rx_ans_v17_mmr_ecm_loss50_std_a4_1p", false, false, V17, Mmr, true, 98, 1728, false, 1).loss(0.5),
        // 64-octet frames (T.30 Annex A.3.3): we send them; spandsp only sends 256.
        c("tx_call_v17_mmr_ecm64_std_a4_1p", true, true, V17, Mmr, true, 98, 1728, true, 1).frame_size(64),
        c("tx_ans_poll_v29_mr_ecm64_fine_a4_3p", true, false, V29, Mr, true, 196, 1728, false, 3).frame_size(64),
    ]
}

/// The case named `name`.
pub fn case(name: &str) -> Case {
    cases()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no interop case {name}"))
}

impl Case {
    /// The same case with ECM frames destroyed with probability `p` on the sender's line.
    pub fn loss(mut self, p: f64) -> Case {
        self.loss = p;
        self
    }

    /// The same case with our endpoint sending `octets`-octet ECM frames.
    pub fn frame_size(mut self, octets: u16) -> Case {
        self.frame_size = octets;
        self
    }

    fn ecm_text(&self) -> String {
        if !self.ecm {
            return "off".into();
        }
        let mut t = "on".to_string();
        if self.frame_size != 256 && self.we_send {
            t += &format!(", {}-octet frames", self.frame_size);
        }
        if self.loss > 0.0 {
            t += &format!(", {:.0}% of frames lost", self.loss * 100.0);
        }
        t
    }

    fn rows(&self) -> u32 {
        if !self.full_length {
            return self.ydpi * 2;
        }
        // A4 297 mm, B4 364 mm at 3.85/7.7/15.4 lines/mm.
        let mm = if self.width == 2048 { 364.0 } else { 297.0 };
        let per_mm = match self.ydpi {
            98 => 3.85,
            196 => 7.7,
            _ => 15.4,
        };
        (mm * per_mm) as u32
    }

    fn resolution_name(&self) -> &'static str {
        match self.ydpi {
            98 => "standard",
            196 => "fine",
            _ => "superfine",
        }
    }

    /// The markdown table header of [`Case::row`].
    pub fn header() -> &'static str {
        "| case | sender → receiver | calling | modem | coding | ECM | resolution | size | pages | PPR | audio s | result |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|"
    }

    /// One markdown table row for this case and its outcome.
    pub fn row(&self, o: &Outcome) -> String {
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {}{} | {} | {} | {:.1} | {} |",
            self.name,
            if self.we_send {
                "telefax → spandsp"
            } else {
                "spandsp → telefax"
            },
            if self.we_call { "telefax" } else { "spandsp" },
            self.modem.name(),
            self.code.name(),
            self.ecm_text(),
            self.resolution_name(),
            if self.width == 2048 { "B4" } else { "A4" },
            if self.full_length { "" } else { " strip" },
            self.pages,
            o.ppr,
            o.audio_s,
            if o.pass {
                "pass".to_string()
            } else {
                format!("FAIL: {}", o.reason.replace('|', "/"))
            }
        )
    }
}

/// A text-like page: lines of "characters" between blank margins, reproducible from `seed`.
pub fn synth_page(width: u32, rows: u32, seed: u32) -> Bitmap {
    let mut bm = Bitmap::new(width, rows);
    let mut x = seed.wrapping_mul(2_654_435_761) ^ 0x9e37_79b9;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        x
    };
    let line_h = 14;
    let mut y0 = 10;
    while y0 + line_h + 10 < rows {
        let mut cx = 60 + rnd() % 40;
        let end = width - 60 - rnd() % 300;
        while cx + 24 < end {
            let w = 5 + rnd() % 11;
            if rnd() % 6 != 0 {
                for y in y0..y0 + line_h - rnd() % 5 {
                    for xx in cx..cx + w {
                        if rnd() % 7 != 0 {
                            bm.set(xx, y, true);
                        }
                    }
                }
            }
            cx += w + 2 + rnd() % 9;
        }
        y0 += line_h + 8 + rnd() % 12;
    }
    // A frame so the edges of the page are checked as well.
    for xx in 0..width {
        bm.set(xx, 0, true);
        bm.set(xx, rows - 1, true);
    }
    for y in 0..rows {
        bm.set(0, y, true);
        bm.set(width - 1, y, true);
    }
    bm
}

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("telefax-epsp-{}-{name}", std::process::id()))
}

fn write_tiff(path: &Path, pages: &[Bitmap], ydpi: u32) -> Result<(), String> {
    let res = telefax_tiff::Resolution::dpi_const(204, ydpi);
    let doc: Vec<Page> = pages
        .iter()
        .map(|b| Page::from_bitmap(b.clone(), Some(res)))
        .collect();
    let bytes = write_document(&doc, &WriteOptions::default()).map_err(|e| e.to_string())?;
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn read_tiff(path: &Path) -> Result<Vec<(Bitmap, u32)>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc = read_document(&bytes).map_err(|e| format!("spandsp's TIFF: {e}"))?;
    doc.iter()
        .map(|p| {
            p.decode()
                .map(|(b, r)| (b, r.bad_rows))
                .map_err(|e| format!("spandsp's TIFF page: {e}"))
        })
        .collect()
}

#[path = "../support/pixels.rs"]
mod pixels;
pub use pixels::pixel_diff;

fn our_config(case: &Case) -> EndpointConfig {
    let role = if case.we_call {
        Role::Calling
    } else {
        Role::Answering
    };
    let job = match (case.we_send, case.we_call) {
        (true, _) => JobKind::Send,
        (false, true) => JobKind::Poll,
        (false, false) => JobKind::Receive,
    };
    let mut cfg = EndpointConfig::new(role, job);
    cfg.identity = "+49 231 555 0100".into();
    cfg.modems = case.modem.ours();
    cfg.codings = case.code.ours();
    cfg.resolutions = vec![Resolution::R8x3_85, Resolution::R8x7_7, Resolution::R8x15_4];
    cfg.max_width = Width::B4;
    cfg.ecm = case.ecm;
    cfg.ecm_frame_size = case.frame_size;
    cfg
}

/// T.30 FCF octet of PPR (`X011 1101` in transmission order, X bit cleared: T.30 §5.3.6.1.5,
/// Annex A.4.4), as spandsp's frame log and `telefax::t30::Fcf::Ppr` both write it.
pub const FCF_PPR: u8 = 0xBC;

/// T.30 FCF octet of CTC (`X100 1000`, Annex A.4.5).
pub const FCF_CTC: u8 = 0x12;

/// Run one case: build both ends, join them, check everything.
pub fn run(case: &Case) -> Outcome {
    let rows = case.rows();
    let pages: Vec<Bitmap> = (0..case.pages)
        .map(|p| synth_page(case.width, rows, 7 + 31 * p + case.ydpi))
        .collect();
    let send_tif = tmp(&format!("{}-send.tif", case.name));
    let recv_tif = tmp(&format!("{}-recv.tif", case.name));
    let _ = std::fs::remove_file(&recv_tif);
    let out = run_inner(case, &pages, &send_tif, &recv_tif);
    let _ = std::fs::remove_file(&send_tif);
    let _ = std::fs::remove_file(&recv_tif);
    out
}

fn fail(reason: impl Into<String>, detail: &str, audio_s: f64) -> Outcome {
    Outcome {
        pass: false,
        reason: reason.into(),
        detail: detail.to_string(),
        audio_s,
        ppr: 0,
        frames: None,
    }
}

fn run_inner(case: &Case, pages: &[Bitmap], send_tif: &Path, recv_tif: &Path) -> Outcome {
    let mut ours = match Endpoint::new(our_config(case)) {
        Ok(e) => e,
        Err(e) => return fail(format!("Endpoint::new: {e}"), "", 0.0),
    };
    if case.we_send {
        for p in pages {
            if let Err(e) = ours.queue_page(p.clone(), 204.0, case.ydpi as f32) {
                return fail(format!("queue_page: {e}"), "", 0.0);
            }
        }
        if let Err(e) = ours.finish_document() {
            return fail(format!("finish_document: {e}"), "", 0.0);
        }
    } else if let Err(e) = write_tiff(send_tif, pages, case.ydpi) {
        return fail(format!("writing the TIFF: {e}"), "", 0.0);
    }
    let sp_cfg = FaxConfig {
        calling: !case.we_call,
        tx_file: (!case.we_send).then(|| send_tif.to_path_buf()),
        rx_file: case.we_send.then(|| recv_tif.to_path_buf()),
        ident: "SPANDSP 0.0.6".into(),
        modems: case.modem.sp(),
        ecm: case.ecm,
        codings: case.code.sp(),
        verbose: std::env::var("TELEFAX_INTEROP_VERBOSE").is_ok(),
    };
    let mut sp = match SpFax::new(&sp_cfg) {
        Ok(s) => s,
        Err(e) => return fail(format!("spandsp: {e}"), "", 0.0),
    };

    let (mut a, mut b) = ([0i16; BLOCK], [0i16; BLOCK]);
    let mut received = Vec::new();
    let mut ours_end: Option<Result<String, String>> = None;
    let mut modes = Vec::new();
    let mut samples = 0u64;
    let mut first_end: Option<u64> = None;
    // ECM: a tap on the sender's line sees its frames and destroys the ones the loss model
    // picks while they wait in the line's delay (only lossy cases have a delay).
    let mut tap = case.ecm.then(|| {
        FrameTap::new(FrameLoss {
            ecm_p: case.loss,
            seed: 1 + case.ydpi as u64,
            ..FrameLoss::default()
        })
    });
    let delay = if case.loss > 0.0 { LINE_DELAY } else { 0 };
    let mut line: VecDeque<i16> = VecDeque::from(vec![0i16; delay]);
    loop {
        ours.poll_tx(&mut a);
        sp.tx(&mut b);
        // The sender's direction goes through the tap and the delay line.
        let sent = if case.we_send { &mut a } else { &mut b };
        line.extend(sent.iter().copied());
        if let Some(t) = tap.as_mut() {
            t.watch(sent);
            t.damage(&mut line);
        }
        for s in sent.iter_mut() {
            *s = line.pop_front().unwrap_or(0);
        }
        ours.handle_rx(&b);
        sp.rx(&a);
        samples += BLOCK as u64;
        while let Some(ev) = ours.poll_event() {
            match ev {
                Event::PageReceived(p) => {
                    modes.push(p.mode);
                    received.push((p.bitmap, p.stats.bad_rows));
                }
                Event::Negotiated(m) => modes.push(m),
                Event::Ended(r) => {
                    ours_end = Some(r.map(|s| format!("{s:?}")).map_err(|e| format!("{e:?}")))
                }
                _ => {}
            }
        }
        if ours.is_ended() && sp.done() {
            break;
        }
        if (ours.is_ended() || sp.done()) && first_end.is_none() {
            first_end = Some(samples);
        }
        if first_end.is_some_and(|t| samples - t > 10 * 8000) || samples > 600 * 8000 {
            break;
        }
    }
    if !sp.done() {
        sp.terminate();
    }
    let audio_s = samples as f64 / 8000.0;
    let st = sp.stats();
    // spandsp logs every T.30 frame: as receiver it sends PPR, as sender it receives them.
    let ppr = sp.count_frames(FCF_PPR, !case.we_send);
    // ... and the sender's CTC travels the other way.
    let ctc = sp.count_frames(FCF_CTC, case.we_send);
    let frames = tap.as_ref().map(|t| t.stats().clone());
    if std::env::var("TELEFAX_INTEROP_FRAMES").is_ok() {
        for f in sp.frame_log() {
            let parsed = telefax::t30::Frame::parse(&f.bytes);
            eprintln!(
                "spandsp {} {}",
                if f.incoming { "<-" } else { "->" },
                match parsed {
                    Ok(fr) => match &fr.payload {
                        telefax::t30::Payload::Ppr(p) => format!("PPR {:?}", p.requested()),
                        telefax::t30::Payload::Pps(p) => format!("{p:?}"),
                        _ => fr.fcf.to_string(),
                    },
                    Err(e) => format!("{e}"),
                }
            );
        }
    }
    let detail = format!(
        "telefax: {} | spandsp: code {} \"{}\" rate {} {} ecm={} pages_tx {} pages_rx {} bad_rows {} ecm_retries {} | PPR {} CTC {} | tap: {} | {:.1} s audio",
        match &ours_end {
            None => "no end".to_string(),
            Some(Ok(s)) => format!("ok {s}"),
            Some(Err(e)) => format!("failed {e}"),
        },
        sp.completion(),
        sp.completion_text(),
        st.bit_rate,
        st.coding,
        st.ecm,
        st.pages_tx,
        st.pages_rx,
        sp.bad_rows_total(),
        st.ecm_retries,
        ppr,
        ctc,
        frames.as_ref().map_or("-".to_string(), |f| format!(
            "FCD sent {} (largest {} octets) destroyed {} resent {} (unneeded {}, never {}) missed {}",
            f.fcd_sent, f.fcd_largest, f.fcd_destroyed, f.fcd_resent, f.fcd_resent_unneeded,
            f.fcd_never_resent, f.missed
        )),
        audio_s
    );
    match &ours_end {
        None => return fail("telefax did not end the call", &detail, audio_s),
        Some(Err(e)) => return fail(format!("telefax: {e}"), &detail, audio_s),
        Some(Ok(_)) => {}
    }
    if !sp.ok() {
        return fail(
            format!("spandsp: {} ({})", sp.completion_text(), sp.completion()),
            &detail,
            audio_s,
        );
    }
    // After four PPRs for a block the sender may step the rate down with CTC (T.30 Annex
    // A.4.5): a lossy case may end below the rate it started at.
    let rate_ok = if case.loss > 0.0 {
        st.bit_rate > 0 && st.bit_rate <= case.modem.rate()
    } else {
        st.bit_rate == case.modem.rate()
    };
    if !rate_ok {
        return fail(
            format!("rate {} (want {})", st.bit_rate, case.modem.rate()),
            &detail,
            audio_s,
        );
    }
    if st.coding != case.code.sp_name() {
        return fail(
            format!("coding {} (want {})", st.coding, case.code.sp_name()),
            &detail,
            audio_s,
        );
    }
    if st.ecm != case.ecm {
        return fail(format!("spandsp ecm={}", st.ecm), &detail, audio_s);
    }
    let got = if case.we_send {
        if st.pages_rx as u32 != case.pages {
            return fail(
                format!("spandsp received {} pages", st.pages_rx),
                &detail,
                audio_s,
            );
        }
        if sp.bad_rows_total() != 0 {
            return fail(
                format!("spandsp saw {} bad rows", sp.bad_rows_total()),
                &detail,
                audio_s,
            );
        }
        match read_tiff(recv_tif) {
            Ok(g) => g,
            Err(e) => return fail(e, &detail, audio_s),
        }
    } else {
        if st.pages_tx as u32 != case.pages {
            return fail(
                format!("spandsp sent {} pages", st.pages_tx),
                &detail,
                audio_s,
            );
        }
        if let Some(m) = modes
            .iter()
            .find(|m| m.coding != case.code.our_coding() || m.ecm_frame_size.is_some() != case.ecm)
        {
            return fail(
                format!(
                    "telefax received in {:?} ecm={:?}",
                    m.coding, m.ecm_frame_size
                ),
                &detail,
                audio_s,
            );
        }
        received
    };
    if got.len() != pages.len() {
        return fail(
            format!("{} pages arrived, {} sent", got.len(), pages.len()),
            &detail,
            audio_s,
        );
    }
    for (i, ((g, bad), w)) in got.iter().zip(pages).enumerate() {
        if *bad != 0 {
            return fail(format!("page {}: {bad} bad rows", i + 1), &detail, audio_s);
        }
        match pixel_diff(g, w) {
            Some(0) => {}
            Some(d) => {
                return fail(
                    format!("page {}: {d} pixels differ", i + 1),
                    &detail,
                    audio_s,
                )
            }
            None => {
                return fail(
                    format!(
                        "page {}: {}x{} arrived, {}x{} sent",
                        i + 1,
                        g.width,
                        g.height,
                        w.width,
                        w.height
                    ),
                    &detail,
                    audio_s,
                )
            }
        }
    }
    if case.ecm && !case.we_send {
        // spandsp's own DCS says which frame size it sends (T.30 Table 2 bit 28): 256 is all
        // libspandsp 0.0.6 offers (no API selects 64-octet frames).
        let dcs = sp.frame_log().iter().filter(|f| !f.incoming).find_map(|f| {
            match telefax::t30::Frame::parse(&f.bytes).ok()?.payload {
                telefax::t30::Payload::Capabilities(c) if f.fcf() == Some(0x82) => Some(c),
                _ => None,
            }
        });
        match dcs.map(|c| c.frame_size()) {
            Some(Some(256)) => {}
            other => {
                return fail(
                    format!("spandsp's DCS frame size {other:?}"),
                    &detail,
                    audio_s,
                )
            }
        }
    }
    if let Some(f) = &frames {
        // Frames on the line have the size the sender chose (T.30 Annex A.3.3): ours as
        // configured, spandsp's always 256.
        let want = if case.we_send { case.frame_size } else { 256 };
        if f.fcd_largest != usize::from(want) {
            return fail(
                format!(
                    "FCD frames of {} octets on the line (want {want})",
                    f.fcd_largest
                ),
                &detail,
                audio_s,
            );
        }
        if case.loss > 0.0 {
            if f.fcd_destroyed == 0 {
                return fail("the line destroyed no frame", &detail, audio_s);
            }
            if ppr == 0 {
                return fail("no PPR in spandsp's frame log", &detail, audio_s);
            }
            // Half the frames lost: a block needs more than four PPRs, so CTC must come.
            if case.loss >= 0.5 && ctc == 0 {
                return fail("no CTC in spandsp's frame log", &detail, audio_s);
            }
            // Exactly the destroyed frames were sent again, once each.
            if f.fcd_resent != f.fcd_destroyed
                || f.fcd_resent_unneeded != 0
                || f.fcd_never_resent != 0
            {
                return fail(
                    "retransmitted frames differ from the destroyed ones",
                    &detail,
                    audio_s,
                );
            }
        }
    }
    Outcome {
        pass: true,
        reason: String::new(),
        detail,
        audio_s,
        ppr,
        frames,
    }
}
