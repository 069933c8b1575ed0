//! The call decoder (`telefax::decoder::CallDecoder`, issue 9) on fax calls generated in
//! process by two spandsp 0.0.6 endpoints: pages we synthesise are written as TIFF by
//! telefax-tiff, sent by spandsp's caller to spandsp's answerer, the line recorded in both
//! directions, and the recording decoded. Every decoded page must be pixel-identical to the
//! page sent, with no bad rows, in the coding/rate/ECM mode spandsp negotiated.
//!
//! Matrix: V.27ter/V.29/V.17 (their top rates, plus V.17 7200 and V.29 7200 after a noisy-line
//! fallback), ECM off and on, MH/MR/MMR, standard/fine/superfine, A4 (1728) and B4 (2048)
//! widths, one and three pages, stereo and mono recordings.

#[cfg(have_spandsp)]
mod common;

#[cfg(have_spandsp)]
mod with_spandsp {
    use crate::common::{pixel_diff, synth_page, tmp, write_tiff};
    use telefax::decoder::{CallDecoder, Coding, DecoderConfig, DecoderEvent, ReceivedPage};
    use telefax_interop::call::{run_call, CallConfig};
    use telefax_interop::sp::{FaxCodings, FaxModems};
    use telefax_t4::Bitmap;

    #[derive(Clone, Copy)]
    struct Case {
        name: &'static str,
        modems: &'static str,
        ecm: bool,
        codings: &'static str,
        /// Vertical dpi: 98, 196 or 391.
        ydpi: u32,
        width: u32,
        pages: u32,
        /// (attenuation dB, noise dBm0) to force a fallback, as the corpus case p05.
        line: Option<(f32, f32)>,
        mono: bool,
        want_rate: u32,
        want_coding: Coding,
    }

    fn run(case: Case) {
        let rows = case.ydpi * 2; // two inches of page keeps calls short
        let sent: Vec<Bitmap> = (0..case.pages)
            .map(|p| synth_page(case.width, rows, p + 7))
            .collect();
        assert!(
            sent.iter().all(|b| b.count_black() > 1000),
            "{}: synthetic page is blank",
            case.name
        );
        let tif = tmp(&format!("dec-{}-send.tif", case.name));
        let out = tmp(&format!("dec-{}-recv.tif", case.name));
        write_tiff(&tif, &sent, case.ydpi);

        let mut cfg = CallConfig::new(&tif, &out);
        cfg.modems = FaxModems::parse(case.modems).unwrap();
        cfg.ecm = case.ecm;
        cfg.codings = FaxCodings::parse(case.codings).unwrap();
        if let Some((atten, noise)) = case.line {
            cfg.atten_db = atten;
            cfg.noise_dbm0 = Some(noise);
        }
        cfg.record = true;
        let call = run_call(&cfg).unwrap();
        let _ = std::fs::remove_file(&tif);
        let _ = std::fs::remove_file(&out);
        // The spandsp call itself must have worked, or the case says nothing about us.
        assert!(
            call.ok() && call.bad_rows_total == 0,
            "{}: spandsp call: {}",
            case.name,
            call.line()
        );
        assert_eq!(
            call.rx_stats.pages_rx as u32,
            case.pages,
            "{}: {}",
            case.name,
            call.line()
        );
        assert_eq!(
            call.rx_stats.bit_rate as u32,
            case.want_rate,
            "{}: {}",
            case.name,
            call.line()
        );

        let mut dec = CallDecoder::new(DecoderConfig::with_channels(if case.mono { 1 } else { 2 }));
        if case.mono {
            let mix: Vec<i16> = call
                .left
                .iter()
                .zip(&call.right)
                .map(|(&a, &b)| a.saturating_add(b))
                .collect();
            dec.push(&mix).unwrap();
        } else {
            dec.push_channels(&call.left, &call.right).unwrap();
        }
        dec.finish();
        let mut pages: Vec<ReceivedPage> = Vec::new();
        let mut dcn = false;
        while let Some(ev) = dec.poll_event() {
            match ev {
                DecoderEvent::Page(p) => pages.push(*p),
                DecoderEvent::CallEnded { dcn: d, .. } => dcn |= d,
                _ => {}
            }
        }
        assert_eq!(
            pages.len(),
            case.pages as usize,
            "{}: pages decoded ({})",
            case.name,
            call.line()
        );
        for (i, (got, want)) in pages.iter().zip(&sent).enumerate() {
            assert_eq!(got.rate, case.want_rate, "{} page {i}", case.name);
            assert_eq!(got.ecm, case.ecm, "{} page {i}", case.name);
            assert_eq!(got.coding, case.want_coding, "{} page {i}", case.name);
            assert_eq!(got.bad_rows, 0, "{} page {i}: bad rows", case.name);
            assert_eq!(
                (got.bitmap.width, got.bitmap.height),
                (want.width, want.height),
                "{} page {i}: size",
                case.name
            );
            let diff = pixel_diff(&got.bitmap, want);
            assert_eq!(diff, 0, "{} page {i}: {diff} pixels differ", case.name);
        }
        assert!(dcn, "{}: DCN not reported", case.name);
    }

    const BASE: Case = Case {
        name: "",
        modems: "v17",
        ecm: false,
        codings: "mh",
        ydpi: 98,
        width: 1728,
        pages: 1,
        line: None,
        mono: false,
        want_rate: 14400,
        want_coding: Coding::Mh,
    };

    #[test]
    fn v27ter_4800_mh_standard() {
        run(Case {
            name: "v27ter_mh",
            modems: "v27ter",
            want_rate: 4800,
            ..BASE
        });
    }

    #[test]
    fn v29_9600_mr_fine() {
        run(Case {
            name: "v29_mr_fine",
            modems: "v29",
            codings: "mr",
            ydpi: 196,
            want_rate: 9600,
            want_coding: Coding::Mr,
            ..BASE
        });
    }

    #[test]
    fn v17_14400_mh_standard_mono() {
        run(Case {
            name: "v17_mh_mono",
            mono: true,
            ..BASE
        });
    }

    #[test]
    fn v17_14400_ecm_mmr_superfine() {
        run(Case {
            name: "v17_ecm_mmr_sf",
            ecm: true,
            codings: "mmr",
            ydpi: 391,
            want_coding: Coding::Mmr,
            ..BASE
        });
    }

    #[test]
    fn v17_14400_ecm_mr_b4() {
        run(Case {
            name: "v17_ecm_mr_b4",
            ecm: true,
            codings: "mr",
            width: 2048,
            want_coding: Coding::Mr,
            ..BASE
        });
    }

    #[test]
    fn v29_9600_ecm_mh_three_pages() {
        run(Case {
            name: "v29_ecm_3p",
            modems: "v29",
            ecm: true,
            pages: 3,
            want_rate: 9600,
            ..BASE
        });
    }

    #[test]
    fn v17_mr_three_pages_fine_mono() {
        run(Case {
            name: "v17_mr_3p_mono",
            codings: "mr",
            pages: 3,
            ydpi: 196,
            mono: true,
            want_coding: Coding::Mr,
            ..BASE
        });
    }

    /// 25 dB attenuation and -56 dBm0 noise make spandsp fall back from V.17 14400 to 7200
    /// (the corpus case p05): the decoder must follow the second DCS.
    #[test]
    fn v17_fallback_7200_noisy() {
        run(Case {
            name: "v17_fallback",
            codings: "mr",
            line: Some((25.0, -56.0)),
            want_rate: 7200,
            want_coding: Coding::Mr,
            ..BASE
        });
    }
}

#[cfg(not(have_spandsp))]
#[test]
fn spandsp_absent() {
    telefax_interop::skip_note("decoder_calls");
}
