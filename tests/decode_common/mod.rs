//! Helpers shared by the decoder tests (tests/decode_*.rs).
#![allow(dead_code)]
pub mod generate;

use std::path::PathBuf;

use telefax::decoder::{
    CallDecoder, Coding, DecoderConfig, DecoderEvent, FastModem, ReceivedPage, ReceiverMode,
};
use telefax::t4::Bitmap;

pub fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/calls")
        .join(path)
}

/// A minimal reader for the 16-bit PCM WAVs of the corpus: (channels, samples per channel).
pub fn read_wav16(path: &str) -> Vec<Vec<i16>> {
    let b = std::fs::read(data(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(&b[0..4], b"RIFF");
    let mut pos = 12;
    let mut channels = 0usize;
    while pos + 8 <= b.len() {
        let id = &b[pos..pos + 4];
        let len = u32::from_le_bytes(b[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body = &b[pos + 8..(pos + 8 + len).min(b.len())];
        if id == b"fmt " {
            assert_eq!(u16::from_le_bytes([body[0], body[1]]), 1, "PCM");
            channels = u16::from_le_bytes([body[2], body[3]]) as usize;
            assert_eq!(u16::from_le_bytes([body[14], body[15]]), 16);
        } else if id == b"data" {
            let mut out = vec![Vec::new(); channels];
            for (i, s) in body.chunks_exact(2).enumerate() {
                out[i % channels].push(i16::from_le_bytes([s[0], s[1]]));
            }
            return out;
        }
        pos += 8 + len + (len & 1);
    }
    panic!("{path}: no data chunk");
}

pub fn sent_page(case: &str) -> Bitmap {
    let bytes = std::fs::read(data(&format!("{case}/sent.tif"))).unwrap();
    let pages = telefax::tiff::read_document(&bytes).unwrap();
    assert_eq!(pages.len(), 1);
    pages[0].decode().unwrap().0
}

#[derive(Default)]
pub struct Outcome {
    pub pages: Vec<ReceivedPage>,
    pub frames: Vec<String>,
    pub confirmed: Vec<bool>,
    pub dcn: bool,
    pub frame_times: Vec<(String, f64)>,
}

pub fn run(chans: &[Vec<i16>], mode: ReceiverMode) -> Outcome {
    let mut dec = CallDecoder::new(DecoderConfig::with_channels(chans.len()).receivers(mode));
    let mut out = Outcome::default();
    let n = chans.iter().map(Vec::len).min().unwrap();
    // Push in odd-sized blocks to exercise the step buffering.
    let mut pos = 0;
    while pos < n {
        let end = (pos + 1237).min(n);
        if chans.len() == 1 {
            dec.push(&chans[0][pos..end]).unwrap();
        } else {
            dec.push_channels(&chans[0][pos..end], &chans[1][pos..end])
                .unwrap();
        }
        drain(&mut dec, &mut out);
        pos = end;
    }
    dec.finish();
    drain(&mut dec, &mut out);
    out
}

pub fn drain(dec: &mut CallDecoder, out: &mut Outcome) {
    while let Some(ev) = dec.poll_event() {
        match ev {
            DecoderEvent::Page(p) => out.pages.push(*p),
            DecoderEvent::Frame(f) if f.fcs_ok => {
                out.frames.push(f.name().to_string());
                out.frame_times.push((f.name().to_string(), f.time_s));
            }
            DecoderEvent::PageConfirmed { confirmed, .. } => out.confirmed.push(confirmed),
            DecoderEvent::CallEnded { dcn, .. } => out.dcn |= dcn,
            _ => {}
        }
    }
}

pub fn assert_page(out: &Outcome, case: &str, modem: FastModem, rate: u32, coding: Coding) {
    assert_eq!(
        out.pages.len(),
        1,
        "{case}: pages {:?}; frames {:?}",
        out.pages
            .iter()
            .map(|p| (
                p.bitmap.height,
                p.modem,
                p.rate,
                p.coding,
                p.bad_rows,
                p.time_s
            ))
            .collect::<Vec<_>>(),
        out.frames
    );
    let p = &out.pages[0];
    let sent = sent_page(case);
    let diff: Vec<u32> = (0..p.bitmap.height.min(sent.height))
        .filter(|&y| p.bitmap.row(y) != sent.row(y))
        .collect();
    assert_eq!(
        (p.bitmap.width, p.bitmap.height),
        (sent.width, sent.height),
        "{case}: size; rows differing {} {:?}",
        diff.len(),
        &diff[..diff.len().min(20)]
    );
    assert!(
        diff.is_empty(),
        "{case}: {} rows differ from sent.tif: {:?}",
        diff.len(),
        &diff[..diff.len().min(20)]
    );
    assert!(p.bitmap == sent, "{case}: pixels differ from sent.tif");
    assert_eq!(p.bad_rows, 0, "{case}");
    assert!(p.missing_frames.is_empty(), "{case}");
    assert_eq!((p.modem, p.rate, p.coding), (modem, rate, coding), "{case}");
}

pub const P01: &str = "p01_v17_ecm_t6_textshort_std";
pub const P02: &str = "p02_v29_noecm_2d_chartshort_std";
pub const P03: &str = "p03_v27ter_noecm_1d_blank_std";
