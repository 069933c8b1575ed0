//! End-to-end tests of the passive decoder on the spandsp call recordings shipped in
//! tests/data/calls (see tests/data/README.md): every page must come out pixel-identical to the
//! page that was sent, from the stereo recording, from one channel and from the mono mix.
mod decode_common;

use decode_common::*;
use telefax::decoder::{Coding, FastModem, ReceiverMode};

#[test]
fn v29_non_ecm_stereo() {
    let out = run(
        &read_wav16(&format!("{P02}/line_stereo.wav")),
        ReceiverMode::FollowDcs,
    );
    assert_page(&out, P02, FastModem::V29, 9600, Coding::Mr);
    for name in ["DIS", "DCS", "CFR", "EOP", "MCF", "DCN"] {
        assert!(
            out.frames.iter().any(|f| f == name),
            "{name} in {:?}",
            out.frames
        );
    }
    assert_eq!(out.confirmed, vec![true]);
    assert!(out.dcn);
}

#[test]
fn v27ter_non_ecm_stereo() {
    let out = run(
        &read_wav16(&format!("{P03}/line_stereo.wav")),
        ReceiverMode::FollowDcs,
    );
    assert_page(&out, P03, FastModem::V27ter, 4800, Coding::Mh);
}

#[test]
fn v17_ecm_t6_stereo_and_mono_mix() {
    let out = run(
        &read_wav16(&format!("{P01}/line_stereo.wav")),
        ReceiverMode::FollowDcs,
    );
    assert_page(&out, P01, FastModem::V17, 14400, Coding::Mmr);
    assert!(out.pages[0].ecm);
    let out = run(
        &read_wav16(&format!("{P01}/line_mono.wav")),
        ReceiverMode::FollowDcs,
    );
    assert_page(&out, P01, FastModem::V17, 14400, Coding::Mmr);
}

#[test]
fn caller_channel_alone() {
    // The left channel carries TSI/DCS, TCF, the page and EOP; DIS and MCF are on the right.
    let st = read_wav16(&format!("{P02}/line_stereo.wav"));
    let out = run(&st[..1], ReceiverMode::FollowDcs);
    assert_page(&out, P02, FastModem::V29, 9600, Coding::Mr);
    assert!(!out.frames.iter().any(|f| f == "DIS"));
}

#[test]
fn all_receivers_running_gives_the_same_page() {
    let out = run(
        &read_wav16(&format!("{P02}/line_stereo.wav")),
        ReceiverMode::All,
    );
    assert_page(&out, P02, FastModem::V29, 9600, Coding::Mr);
}
