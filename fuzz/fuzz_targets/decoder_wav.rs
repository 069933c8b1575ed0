//! Fuzz the passive call decoder with arbitrary recordings: the input is taken as a WAV file
//! (RIFF chunks walked here; 16-bit PCM, A-law or µ-law, mono or stereo) when it starts with
//! "RIFF", and otherwise as raw audio whose first byte picks the encoding and channel count.
//! The decoder must never panic, and its memory stays bounded by its configuration.
#![no_main]
use libfuzzer_sys::fuzz_target;
use telefax::dsp::g711::{alaw_decode as alaw_to_linear, ulaw_decode as ulaw_to_linear};
use telefax::decoder::{CallDecoder, DecoderConfig, ReceiverMode};

/// (format tag, channels, sample bytes) of a WAV, if the chunks can be walked.
fn wav(data: &[u8]) -> Option<(u16, usize, &[u8])> {
    if data.len() < 12 || &data[0..4] != b"RIFF" || &data[8..12] != b"WAVE" {
        return None;
    }
    let mut pos = 12usize;
    let mut fmt = None;
    while pos.checked_add(8)? <= data.len() {
        let id = &data[pos..pos + 4];
        let len = u32::from_le_bytes(data[pos + 4..pos + 8].try_into().ok()?) as usize;
        let end = pos.checked_add(8)?.checked_add(len)?.min(data.len());
        let body = &data[pos + 8..end];
        if id == b"fmt " && body.len() >= 4 {
            fmt = Some((
                u16::from_le_bytes([body[0], body[1]]),
                usize::from(u16::from_le_bytes([body[2], body[3]])),
            ));
        } else if id == b"data" {
            let (tag, ch) = fmt?;
            return Some((tag, ch, body));
        }
        pos = end + (len & 1);
    }
    None
}

fn samples(tag: u16, body: &[u8]) -> Vec<i16> {
    match tag {
        6 => body.iter().map(|&b| alaw_to_linear(b)).collect(),
        7 => body.iter().map(|&b| ulaw_to_linear(b)).collect(),
        _ => body
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect(),
    }
}

fuzz_target!(|data: &[u8]| {
    let (tag, channels, body, mode) = match wav(data) {
        Some((tag, ch, body)) => (tag, ch, body, ReceiverMode::FollowDcs),
        None => {
            let Some((&sel, rest)) = data.split_first() else {
                return;
            };
            let tag = [1u16, 6, 7][usize::from(sel % 3)];
            let ch = 1 + usize::from(sel >> 2 & 1);
            let mode = if sel & 8 != 0 {
                ReceiverMode::All
            } else {
                ReceiverMode::FollowDcs
            };
            (tag, ch, rest, mode)
        }
    };
    let pcm = samples(tag, body);
    let Ok(mut dec) = CallDecoder::try_new(DecoderConfig::with_channels(channels).receivers(mode))
    else {
        return;
    };
    // Push in uneven blocks, polling as a real caller would.
    let block = 1 + body.len() % 777;
    for chunk in pcm.chunks(block * channels) {
        let _ = if channels == 1 {
            dec.push(chunk)
        } else {
            dec.push_stereo(chunk)
        };
        while dec.poll_event().is_some() {}
    }
    dec.finish();
    while dec.poll_event().is_some() {}
});
