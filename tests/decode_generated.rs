//! The passive decoder on calls generated in-process between two telefax endpoints (our own
//! modems, T.30 engine and T.4 coder, through the line simulator), recorded in stereo and
//! decoded with every high-speed receiver running: every page must come out pixel-identical
//! to the page sent, with the modem, rate, coding, resolution and ECM the call used.
//!
//! Coverage: every modem and rate (forced by allowing only that one on both sides), ECM on and
//! off, MH/MR/MMR, standard/fine/superfine, A4 and B4 widths, several pages, stereo and the
//! mono mix of both directions, A-law and µ-law recorders, a recording that starts after the
//! DCS (with and without ECM), and two calls in one recording. 44.1 kHz and A-law *files* go
//! through the CLI's WAV reader in `telefax-cli`'s `decode` tests.
mod decode_common;

use decode_common::generate::{page, record, through_g711, CallSpec, Recording};
use decode_common::{run, Outcome};
use telefax::decoder::{Coding, FastModem, ReceiverMode, VerticalResolution};
use telefax::t30::capabilities::{Coding as T30Coding, FastModem as T30Modem, Resolution};

/// The decoder's name for a T.30 modem and rate.
fn modem_rate(m: T30Modem) -> (FastModem, u32) {
    match m {
        T30Modem::V27ter2400 => (FastModem::V27ter, 2400),
        T30Modem::V27ter4800 => (FastModem::V27ter, 4800),
        T30Modem::V29_7200 => (FastModem::V29, 7200),
        T30Modem::V29_9600 => (FastModem::V29, 9600),
        T30Modem::V17_7200 => (FastModem::V17, 7200),
        T30Modem::V17_9600 => (FastModem::V17, 9600),
        T30Modem::V17_12000 => (FastModem::V17, 12000),
        T30Modem::V17_14400 => (FastModem::V17, 14400),
    }
}

fn coding(c: T30Coding) -> Coding {
    match c {
        T30Coding::Mh => Coding::Mh,
        T30Coding::Mr => Coding::Mr,
        T30Coding::Mmr => Coding::Mmr,
        other => panic!("not a T.4/T.6 coding: {other:?}"),
    }
}

fn resolution(r: Resolution) -> VerticalResolution {
    match r {
        Resolution::R8x3_85 => VerticalResolution::Standard,
        Resolution::R8x7_7 => VerticalResolution::Fine,
        Resolution::R8x15_4 => VerticalResolution::Superfine,
        other => panic!("not a resolution these tests send: {other:?}"),
    }
}

/// Decode `chans` with every receiver running and check every page against the call.
/// `from_dcs`: the DCS is in the recording, so the parameters must be the negotiated ones
/// (otherwise they were guessed: resolution unknown, `guessed` set).
fn check(rec: &Recording, chans: &[Vec<i16>], what: &str, from_dcs: bool) -> Outcome {
    let out = run(chans, ReceiverMode::All);
    let spec = &rec.spec;
    let summary: Vec<_> = out
        .pages
        .iter()
        .map(|p| {
            (
                p.bitmap.width,
                p.bitmap.height,
                p.modem,
                p.rate,
                p.coding,
                p.ecm,
                p.bad_rows,
                p.missing_frames.len(),
            )
        })
        .collect();
    assert_eq!(
        out.pages.len(),
        spec.pages.len(),
        "{what}: pages {summary:?}; frames {:?}",
        out.frames
    );
    for (i, (got, sent)) in out.pages.iter().zip(&spec.pages).enumerate() {
        let mode = &rec.modes[i];
        assert_eq!(
            (got.bitmap.width, got.bitmap.height),
            (sent.width, sent.height),
            "{what}: page {i} size"
        );
        let differing = (0..sent.height)
            .filter(|&y| got.bitmap.row(y) != sent.row(y))
            .count();
        assert_eq!(
            differing, 0,
            "{what}: page {i}: rows differing from the sent page"
        );
        assert!(got.bitmap == *sent, "{what}: page {i} pixels");
        assert_eq!(got.bad_rows, 0, "{what}: page {i}");
        assert!(got.missing_frames.is_empty(), "{what}: page {i}");
        assert_eq!(
            (got.modem, got.rate),
            modem_rate(spec.modem),
            "{what}: page {i}"
        );
        assert_eq!(got.coding, coding(mode.coding), "{what}: page {i}");
        assert_eq!(got.ecm, spec.ecm, "{what}: page {i}");
        if from_dcs {
            assert!(!got.guessed, "{what}: page {i}");
            assert_eq!(
                got.resolution,
                resolution(mode.resolution),
                "{what}: page {i}"
            );
        } else {
            assert!(got.guessed, "{what}: page {i}");
        }
    }
    if from_dcs {
        for name in ["DCS", "DCN"] {
            assert!(
                out.frames.iter().any(|f| f == name),
                "{what}: {name} in {:?}",
                out.frames
            );
        }
        assert_eq!(
            out.confirmed,
            vec![true; spec.pages.len()],
            "{what}: MCF for every page"
        );
        assert!(out.dcn, "{what}");
    }
    out
}

/// Check the call decodes from the stereo recording and from the mono mix.
fn check_stereo_and_mono(rec: &Recording, what: &str) {
    check(rec, &rec.stereo(), &format!("{what}, stereo"), true);
    check(rec, &rec.mono_mix(), &format!("{what}, mono mix"), true);
}

#[test]
fn v17_14400_mr_standard_stereo_mono_alaw_ulaw() {
    let rec = record(CallSpec::new(
        T30Modem::V17_14400,
        T30Coding::Mr,
        vec![page(1728, 60, 1)],
    ));
    assert_eq!(rec.modes[0].resolution, Resolution::R8x3_85);
    check_stereo_and_mono(&rec, "V.17 14400 MR");
    check(
        &rec,
        &through_g711(&rec.stereo(), true),
        "V.17 14400 MR, A-law stereo",
        true,
    );
    check(
        &rec,
        &through_g711(&rec.mono_mix(), false),
        "V.17 14400 MR, µ-law mono mix",
        true,
    );
}

#[test]
fn v17_12000_mh_fine() {
    let rec = record(
        CallSpec::new(T30Modem::V17_12000, T30Coding::Mh, vec![page(1728, 80, 2)])
            .lines_per_inch(196.0),
    );
    assert_eq!(rec.modes[0].resolution, Resolution::R8x7_7);
    check_stereo_and_mono(&rec, "V.17 12000 MH fine");
}

#[test]
fn v17_9600_ecm_mmr_superfine() {
    let rec = record(
        CallSpec::new(T30Modem::V17_9600, T30Coding::Mmr, vec![page(1728, 120, 3)])
            .ecm()
            .lines_per_inch(391.0),
    );
    assert_eq!(rec.modes[0].resolution, Resolution::R8x15_4);
    check_stereo_and_mono(&rec, "V.17 9600 ECM MMR superfine");
}

#[test]
fn v17_7200_ecm_mr_b4() {
    let rec =
        record(CallSpec::new(T30Modem::V17_7200, T30Coding::Mr, vec![page(2048, 60, 4)]).ecm());
    check_stereo_and_mono(&rec, "V.17 7200 ECM MR B4");
}

#[test]
fn v29_9600_mr_b4_three_pages() {
    let pages = (0..3).map(|i| page(2048, 40, 10 + i)).collect();
    let rec = record(CallSpec::new(T30Modem::V29_9600, T30Coding::Mr, pages));
    check_stereo_and_mono(&rec, "V.29 9600 MR B4, 3 pages");
}

#[test]
fn v29_7200_ecm_mh_fine() {
    let rec = record(
        CallSpec::new(T30Modem::V29_7200, T30Coding::Mh, vec![page(1728, 60, 5)])
            .ecm()
            .lines_per_inch(196.0),
    );
    check_stereo_and_mono(&rec, "V.29 7200 ECM MH fine");
}

#[test]
fn v27ter_4800_mh_superfine() {
    let rec = record(
        CallSpec::new(T30Modem::V27ter4800, T30Coding::Mh, vec![page(1728, 60, 6)])
            .lines_per_inch(391.0),
    );
    check_stereo_and_mono(&rec, "V.27ter 4800 MH superfine");
}

#[test]
fn v27ter_2400_ecm_mmr_two_pages() {
    let pages = (0..2).map(|i| page(1728, 30, 20 + i)).collect();
    let rec = record(CallSpec::new(T30Modem::V27ter2400, T30Coding::Mmr, pages).ecm());
    check_stereo_and_mono(&rec, "V.27ter 2400 ECM MMR, 2 pages");
}

/// Cut the recording 0.1 s after the end of the DCS: no DIS, no DCS; TCF and the pages remain.
fn cut_after_dcs(rec: &Recording, what: &str) -> Vec<Vec<i16>> {
    let full = run(&rec.stereo(), ReceiverMode::All);
    let dcs = full
        .frame_times
        .iter()
        .find(|(n, _)| n == "DCS")
        .unwrap_or_else(|| panic!("{what}: DCS in the full recording"))
        .1;
    let cut = ((dcs + 0.1) * 8000.0) as usize;
    rec.stereo().iter().map(|c| c[cut..].to_vec()).collect()
}

#[test]
fn recording_starts_after_the_dcs() {
    let rec = record(CallSpec::new(
        T30Modem::V29_9600,
        T30Coding::Mr,
        vec![page(1728, 60, 7)],
    ));
    let late = cut_after_dcs(&rec, "V.29 MR");
    let out = check(&rec, &late, "V.29 MR, cut after DCS", false);
    assert!(!out.frames.iter().any(|f| f == "DCS"), "{:?}", out.frames);
}

#[test]
fn recording_starts_after_the_dcs_ecm() {
    let rec =
        record(CallSpec::new(T30Modem::V17_14400, T30Coding::Mmr, vec![page(1728, 60, 8)]).ecm());
    let late = cut_after_dcs(&rec, "V.17 ECM MMR");
    let out = check(&rec, &late, "V.17 ECM MMR, cut after DCS", false);
    assert!(!out.frames.iter().any(|f| f == "DCS"), "{:?}", out.frames);
}

/// Two calls one after the other in one recording (a call recorder's file of a busy line).
///
/// Not the same as two documents in one call (EOM, back to phase B): `Endpoint` sends exactly
/// one document per call (`finish_document` once), so no generated call here has an EOM.
#[test]
fn two_calls_in_one_recording() {
    let first = record(CallSpec::new(
        T30Modem::V27ter4800,
        T30Coding::Mh,
        vec![page(1728, 40, 30)],
    ));
    let second = record(
        CallSpec::new(
            T30Modem::V17_14400,
            T30Coding::Mmr,
            vec![page(2048, 40, 31)],
        )
        .ecm(),
    );
    let gap = vec![0i16; 3 * 8000];
    let both: Vec<Vec<i16>> = first
        .stereo()
        .iter()
        .zip(second.stereo())
        .map(|(a, b)| [a.as_slice(), &gap, &b].concat())
        .collect();
    let out = run(&both, ReceiverMode::All);
    let got: Vec<_> = out
        .pages
        .iter()
        .map(|p| (p.modem, p.rate, p.coding, p.ecm, p.bad_rows))
        .collect();
    assert_eq!(
        got,
        vec![
            (FastModem::V27ter, 4800, Coding::Mh, false, 0),
            (FastModem::V17, 14400, Coding::Mmr, true, 0)
        ],
        "frames {:?}",
        out.frames
    );
    assert!(out.pages[0].bitmap == first.spec.pages[0]);
    assert!(out.pages[1].bitmap == second.spec.pages[0]);
    assert_eq!(out.frames.iter().filter(|f| *f == "DCS").count(), 2);
    assert_eq!(out.confirmed, vec![true, true]);
}

/// A mono recording where one side is 30 dB quieter than the other (a recorder near one end
/// of the line): both directions' frames and the page must still come out.
#[test]
fn one_side_30db_quieter_in_the_mono_mix() {
    let rec = record(
        CallSpec::new(
            T30Modem::V17_14400,
            T30Coding::Mmr,
            vec![page(1728, 60, 40)],
        )
        .ecm(),
    );
    for quiet_left in [false, true] {
        let gain = 10f32.powf(-30.0 / 20.0);
        let scale = |c: &[i16], g: f32| -> Vec<i16> {
            c.iter().map(|&s| (f32::from(s) * g) as i16).collect()
        };
        let (l, r) = if quiet_left {
            (scale(&rec.left, gain), rec.right.clone())
        } else {
            (rec.left.clone(), scale(&rec.right, gain))
        };
        let mix: Vec<i16> = l
            .iter()
            .zip(&r)
            .map(|(&a, &b)| a.saturating_add(b))
            .collect();
        let what = format!(
            "V.17 ECM MMR, mono mix, quiet {}",
            if quiet_left { "caller" } else { "answerer" }
        );
        check(&rec, &[mix], &what, true);
    }
}

/// Several documents in one call: EOM after the first document returns the call to phase B,
/// a second DCS and training follow, and the decoder must carry on into the next document.
#[test]
fn several_documents_in_one_call() {
    for ecm in [false, true] {
        let mut spec = CallSpec::new(
            T30Modem::V17_14400,
            if ecm { T30Coding::Mmr } else { T30Coding::Mr },
            vec![page(1728, 40, 50), page(1728, 40, 51), page(1728, 40, 52)],
        )
        .documents_after(&[1]);
        if ecm {
            spec = spec.ecm();
        }
        let rec = record(spec);
        for chans in [rec.stereo(), rec.mono_mix()] {
            let out = run(&chans, ReceiverMode::All);
            assert_eq!(out.pages.len(), 3, "ecm {ecm}: frames {:?}", out.frames);
            for (i, (got, sent)) in out.pages.iter().zip(&rec.spec.pages).enumerate() {
                assert!(got.bitmap == *sent, "ecm {ecm}: page {i} differs");
                assert_eq!(got.bad_rows, 0, "ecm {ecm}: page {i}");
            }
            let names = |n: &str| out.frames.iter().filter(|f| *f == n).count();
            // With ECM the EOM travels inside PPS (T.30 Annex A).
            if !ecm {
                assert_eq!(names("EOM"), 1, "frames {:?}", out.frames);
            }
            assert_eq!(names("DCS"), 2, "ecm {ecm}: frames {:?}", out.frames);
            assert_eq!(out.confirmed, vec![true, true, true], "ecm {ecm}");
        }
    }
}

/// An ECM call over a line that destroys 15 % of the data frames (T.30 Annex A): the
/// receiver asks for them again with PPR, and the decoder must merge the retransmitted
/// frames into the partial pages it collected from the first transmission.
#[test]
fn ecm_call_with_lost_frames_merges_the_retransmissions() {
    use telefax::simulate::FrameLoss;
    let mut spec = CallSpec::new(
        T30Modem::V17_14400,
        T30Coding::Mmr,
        vec![page(1728, 300, 60), page(1728, 300, 61)],
    )
    .ecm();
    spec.line.frame_loss_ab = Some(FrameLoss {
        ecm_p: 0.15,
        control_p: 0.0,
        seed: 7,
    });
    let rec = record(spec);
    let out = run(&rec.stereo(), ReceiverMode::All);
    let ppr = out.frames.iter().filter(|f| *f == "PPR").count();
    assert!(ppr >= 1, "no PPR on the line: frames {:?}", out.frames);
    let summary: Vec<_> = out
        .pages
        .iter()
        .map(|p| (p.bitmap.height, p.bad_rows, p.missing_frames.len()))
        .collect();
    assert_eq!(
        out.pages.len(),
        2,
        "pages {summary:?}, frames {:?}",
        out.frames
    );
    for (i, (got, sent)) in out.pages.iter().zip(&rec.spec.pages).enumerate() {
        assert!(got.bitmap == *sent, "page {i} differs");
        assert!(got.missing_frames.is_empty(), "page {i}");
    }
}
