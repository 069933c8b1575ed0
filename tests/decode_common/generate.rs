//! Calls generated in-process between two telefax endpoints (our own modems, T.30 engine and
//! T.4 coder) through the line simulator, recorded in stereo for the decoder tests.
use telefax::dsp::g711;
use telefax::endpoint::{Endpoint, EndpointConfig};
use telefax::simulate::{Pair, PairConfig};
use telefax::t30::capabilities::{Coding, FastModem, Resolution};
use telefax::t4::Bitmap;

/// A page with text-like marks (short runs on most rows, blank bands), different per seed.
pub fn page(width: u32, height: u32, seed: u32) -> Bitmap {
    let mut b = Bitmap::new(width, height);
    let mut x = seed.wrapping_mul(2654435761) | 1;
    for y in 0..height {
        if (y / 6 + seed) % 5 == 4 {
            continue;
        }
        for _ in 0..6 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let x0 = x % width;
            for dx in 0..(1 + x % 9) {
                if x0 + dx < width {
                    b.set(x0 + dx, y, true);
                }
            }
        }
    }
    b
}

/// One call to generate: what the two endpoints may use and what is sent.
#[derive(Debug, Clone)]
pub struct CallSpec {
    /// The only modem and rate both sides allow (forces the rate: no fallback is possible).
    pub modem: FastModem,
    /// The coding both sides allow besides MH (MH alone when `Mh`).
    pub coding: Coding,
    /// Error correction mode on both sides.
    pub ecm: bool,
    /// ECM frame size (64 or 256).
    pub ecm_frame_size: u16,
    /// The pages' resolution in dots per inch (204 × 98, 196 or 391).
    pub dpi: (f32, f32),
    /// The pages sent.
    pub pages: Vec<Bitmap>,
    /// The line (both directions get the same configuration, with different noise seeds).
    pub line: PairConfig,
    /// Page counts (1-based) after which a document ends with EOM and the next begins.
    pub eom_after: Vec<usize>,
}

impl CallSpec {
    /// A non-ECM call at standard resolution on `modem` with `coding`, sending `pages`.
    pub fn new(modem: FastModem, coding: Coding, pages: Vec<Bitmap>) -> Self {
        CallSpec {
            modem,
            coding,
            ecm: false,
            ecm_frame_size: 256,
            dpi: (204.0, 98.0),
            pages,
            line: PairConfig::default(),
            eom_after: Vec::new(),
        }
    }
    /// End a document (EOM, T.30 §5.3.6.1.3) after each of these page counts.
    pub fn documents_after(mut self, pages: &[usize]) -> Self {
        self.eom_after = pages.to_vec();
        self
    }
    /// With error correction mode on.
    pub fn ecm(mut self) -> Self {
        self.ecm = true;
        self
    }
    /// At this vertical resolution (lines per inch: 98, 196 or 391).
    pub fn lines_per_inch(mut self, y: f32) -> Self {
        self.dpi.1 = y;
        self
    }
}

/// A recorded call: the pages the receiving endpoint got, and the two directions of the line
/// as each side heard them (left: caller to answerer; right: answerer to caller).
pub struct Recording {
    /// The spec the call was made from.
    pub spec: CallSpec,
    /// Pages the receiving endpoint decoded (the reference the decoder must match).
    pub received: Vec<Bitmap>,
    /// The negotiated T.30 modes, per received page.
    pub modes: Vec<telefax::t30::session::Mode>,
    /// Caller to answerer.
    pub left: Vec<i16>,
    /// Answerer to caller.
    pub right: Vec<i16>,
}

impl Recording {
    /// Both channels, for a stereo decode.
    pub fn stereo(&self) -> Vec<Vec<i16>> {
        vec![self.left.clone(), self.right.clone()]
    }
    /// The two directions summed into one channel (a recorder on a 2-wire line).
    pub fn mono_mix(&self) -> Vec<Vec<i16>> {
        vec![self
            .left
            .iter()
            .zip(&self.right)
            .map(|(&a, &b)| (i32::from(a) + i32::from(b)).clamp(-32768, 32767) as i16)
            .collect()]
    }
}

/// Run the call between two endpoints (the caller sends), recording both directions. Panics
/// if the endpoints themselves fail: the decoder is only judged on calls that worked.
pub fn record(spec: CallSpec) -> Recording {
    let cfg = |mut c: EndpointConfig| {
        c.modems = vec![spec.modem];
        c.codings = if spec.coding == Coding::Mh {
            vec![Coding::Mh]
        } else {
            vec![Coding::Mh, spec.coding]
        };
        c.resolutions = vec![Resolution::R8x3_85, Resolution::R8x7_7, Resolution::R8x15_4];
        c.ecm = spec.ecm;
        c.ecm_frame_size = spec.ecm_frame_size;
        c
    };
    let mut sender = Endpoint::new(cfg(EndpointConfig::sender())).unwrap();
    for (i, p) in spec.pages.iter().enumerate() {
        sender
            .queue_page(p.clone(), spec.dpi.0, spec.dpi.1)
            .unwrap();
        if spec.eom_after.contains(&(i + 1)) {
            sender.next_document().unwrap();
        }
    }
    sender.finish_document().unwrap();
    let receiver = Endpoint::new(cfg(EndpointConfig::receiver())).unwrap();
    let line = PairConfig {
        record: true,
        ..spec.line.clone()
    };
    let mut pair = Pair::new(sender, receiver, &line).unwrap();
    let out = pair.run(600.0);
    assert!(
        matches!(out.caller, Some(Ok(_))) && matches!(out.answerer, Some(Ok(_))),
        "{spec:?}: the endpoints' own call failed: caller {:?}, answerer {:?}",
        out.caller,
        out.answerer
    );
    assert_eq!(
        out.pages.len(),
        spec.pages.len(),
        "{spec:?}: pages received"
    );
    for (got, sent) in out.pages.iter().zip(&spec.pages) {
        assert!(
            got.bitmap == *sent,
            "{spec:?}: the endpoint got another page"
        );
        // The call used what the spec forces (else the coverage claimed would be wrong).
        assert_eq!(
            (got.mode.modem, got.mode.coding),
            (spec.modem, spec.coding),
            "{spec:?}: negotiated mode"
        );
    }
    let (left, right) = pair.recording().expect("recording asked for");
    Recording {
        received: out.pages.iter().map(|p| p.bitmap.clone()).collect(),
        modes: out.pages.iter().map(|p| p.mode).collect(),
        left: left.to_vec(),
        right: right.to_vec(),
        spec,
    }
}

/// The audio as a G.711 recorder stores it: each sample compressed to a code and expanded.
pub fn through_g711(chans: &[Vec<i16>], alaw: bool) -> Vec<Vec<i16>> {
    chans
        .iter()
        .map(|c| {
            c.iter()
                .map(|&s| {
                    if alaw {
                        g711::alaw_decode(g711::alaw_encode(s))
                    } else {
                        g711::ulaw_decode(g711::ulaw_encode(s))
                    }
                })
                .collect()
        })
        .collect()
}
