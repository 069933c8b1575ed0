//! Our fax endpoint (`telefax::Endpoint`, issue 7) against a spandsp 0.0.6 fax endpoint
//! (`fax_state_t`), joined sample by sample in one process (160-sample blocks, clean line):
//! we send and spandsp receives, spandsp sends and we receive, over V.17, V.29 and V.27ter,
//! MH and MR, standard/fine/superfine, A4 and B4, one and five pages. Every page must arrive
//! pixel-identical to the page sent, and both ends must report success.
//!
//! ECM: our endpoint does not implement it yet (its configuration refuses `ecm: true`), so
//! every case runs with ECM off on both sides.

#[cfg(have_spandsp)]
mod common;

#[cfg(have_spandsp)]
mod with_spandsp {
    use crate::common::{pixel_diff, read_tiff, synth_page, tmp, write_tiff};
    use telefax::endpoint::{Endpoint, EndpointConfig, Event, JobKind, Role};
    use telefax::t30::capabilities::{Coding, FastModem, Resolution, Width};
    use telefax_interop::sp::{FaxCodings, FaxConfig, FaxModems, SpFax};
    use telefax_t4::Bitmap;

    const BLOCK: usize = 160;

    #[derive(Clone, Copy, Debug)]
    enum Modems {
        V27ter,
        V29,
        V17,
    }

    #[derive(Clone, Copy)]
    struct Case {
        name: &'static str,
        we_send: bool,
        modems: Modems,
        mr: bool,
        /// Vertical dpi: 98, 196 or 391.
        ydpi: u32,
        width: u32,
        pages: u32,
        want_rate: i32,
    }

    struct Outcome {
        ours_ok: bool,
        ours_end: String,
        received: Vec<Bitmap>,
        sp: SpFax,
        seconds: f64,
    }

    fn our_config(case: &Case) -> EndpointConfig {
        let (role, job) = if case.we_send {
            (Role::Calling, JobKind::Send)
        } else {
            (Role::Answering, JobKind::Receive)
        };
        let mut cfg = EndpointConfig::new(role, job);
        cfg.identity = if case.we_send {
            "+49 231 1"
        } else {
            "+49 231 2"
        }
        .into();
        cfg.modems = match case.modems {
            Modems::V27ter => vec![FastModem::V27ter4800, FastModem::V27ter2400],
            Modems::V29 => vec![FastModem::V29_9600, FastModem::V29_7200],
            Modems::V17 => vec![
                FastModem::V17_14400,
                FastModem::V17_12000,
                FastModem::V17_9600,
                FastModem::V17_7200,
            ],
        };
        cfg.codings = if case.mr {
            vec![Coding::Mh, Coding::Mr]
        } else {
            vec![Coding::Mh]
        };
        cfg.resolutions = vec![Resolution::R8x3_85, Resolution::R8x7_7, Resolution::R8x15_4];
        cfg.max_width = Width::B4;
        cfg
    }

    fn run(case: Case) {
        let rows = case.ydpi * 2; // two inches of page keeps the calls short
        let pages: Vec<Bitmap> = (0..case.pages)
            .map(|p| synth_page(case.width, rows, 100 + p))
            .collect();
        let send_tif = tmp(&format!("ep-{}-send.tif", case.name));
        let recv_tif = tmp(&format!("ep-{}-recv.tif", case.name));
        let _ = std::fs::remove_file(&recv_tif);

        let mut ours = Endpoint::new(our_config(&case)).unwrap();
        if case.we_send {
            for p in &pages {
                ours.queue_page(p.clone(), 204.0, case.ydpi as f32).unwrap();
            }
            ours.finish_document().unwrap();
        } else {
            write_tiff(&send_tif, &pages, case.ydpi);
        }
        let sp_cfg = FaxConfig {
            calling: !case.we_send,
            tx_file: (!case.we_send).then(|| send_tif.clone()),
            rx_file: case.we_send.then(|| recv_tif.clone()),
            ident: "SPANDSP PEER".into(),
            modems: match case.modems {
                Modems::V27ter => FaxModems::parse("v27ter").unwrap(),
                Modems::V29 => FaxModems::parse("v29").unwrap(),
                Modems::V17 => FaxModems::parse("v17").unwrap(),
            },
            ecm: false,
            codings: FaxCodings::parse(if case.mr { "mh,mr" } else { "mh" }).unwrap(),
            verbose: std::env::var("TELEFAX_INTEROP_VERBOSE").is_ok(),
        };
        let mut sp = SpFax::new(&sp_cfg).unwrap();

        let (mut a, mut b) = ([0i16; BLOCK], [0i16; BLOCK]);
        let mut received = Vec::new();
        let mut ours_end = String::from("no end event");
        let mut ours_ok = false;
        let mut samples = 0u64;
        let mut first_end: Option<u64> = None;
        loop {
            ours.poll_tx(&mut a);
            sp.tx(&mut b);
            ours.handle_rx(&b);
            sp.rx(&a);
            samples += BLOCK as u64;
            while let Some(ev) = ours.poll_event() {
                match ev {
                    Event::PageReceived(p) => received.push(p.bitmap),
                    Event::Ended(r) => {
                        ours_ok = r.is_ok();
                        ours_end = format!("{r:?}");
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
            if first_end.is_some_and(|t| samples - t > 10 * 8000) || samples > 300 * 8000 {
                break;
            }
        }
        if !sp.done() {
            sp.terminate();
        }
        let o = Outcome {
            ours_ok,
            ours_end,
            received,
            sp,
            seconds: samples as f64 / 8000.0,
        };
        check(&case, &pages, o, &recv_tif);
        let _ = std::fs::remove_file(&send_tif);
        let _ = std::fs::remove_file(&recv_tif);
    }

    fn check(case: &Case, pages: &[Bitmap], o: Outcome, recv_tif: &std::path::Path) {
        let st = o.sp.stats();
        let ctx = format!(
            "{}: ours: {} | spandsp: code {} \"{}\" rate {} pages_tx {} pages_rx {} bad_rows {} | {:.1} s",
            case.name,
            o.ours_end,
            o.sp.completion(),
            o.sp.completion_text(),
            st.bit_rate,
            st.pages_tx,
            st.pages_rx,
            o.sp.bad_rows_total(),
            o.seconds
        );
        assert!(o.ours_ok, "our endpoint failed: {ctx}");
        assert!(o.sp.ok(), "spandsp failed: {ctx}");
        assert_eq!(st.bit_rate, case.want_rate, "rate: {ctx}");
        let got: Vec<Bitmap> = if case.we_send {
            assert_eq!(st.pages_rx as u32, case.pages, "pages: {ctx}");
            assert_eq!(o.sp.bad_rows_total(), 0, "spandsp saw bad rows: {ctx}");
            let tif = read_tiff(recv_tif);
            assert!(
                tif.iter().all(|(_, bad)| *bad == 0),
                "bad rows in spandsp's TIFF: {ctx}"
            );
            tif.into_iter().map(|(b, _)| b).collect()
        } else {
            assert_eq!(st.pages_tx as u32, case.pages, "pages: {ctx}");
            o.received
        };
        assert_eq!(got.len(), pages.len(), "pages received: {ctx}");
        for (i, (g, w)) in got.iter().zip(pages).enumerate() {
            let d = pixel_diff(g, w);
            assert_eq!(
                d, 0,
                "page {i}: {}x{} vs {}x{} sent, {d} pixels differ: {ctx}",
                g.width, g.height, w.width, w.height
            );
        }
        eprintln!("{ctx}");
    }

    const BASE: Case = Case {
        name: "",
        we_send: true,
        modems: Modems::V17,
        mr: false,
        ydpi: 98,
        width: 1728,
        pages: 1,
        want_rate: 14400,
    };

    #[test]
    fn we_send_v17_mh_standard() {
        run(Case {
            name: "tx_v17_mh",
            ..BASE
        });
    }

    #[test]
    fn we_send_v29_mr_fine() {
        run(Case {
            name: "tx_v29_mr_fine",
            modems: Modems::V29,
            mr: true,
            ydpi: 196,
            want_rate: 9600,
            ..BASE
        });
    }

    #[test]
    fn we_send_v27ter_mh_superfine_b4() {
        run(Case {
            name: "tx_v27_sf_b4",
            modems: Modems::V27ter,
            ydpi: 391,
            width: 2048,
            want_rate: 4800,
            ..BASE
        });
    }

    #[test]
    fn we_send_v17_mr_five_pages() {
        run(Case {
            name: "tx_v17_mr_5p",
            mr: true,
            pages: 5,
            ..BASE
        });
    }

    #[test]
    fn we_receive_v17_mr_standard() {
        run(Case {
            name: "rx_v17_mr",
            we_send: false,
            mr: true,
            ..BASE
        });
    }

    #[test]
    fn we_receive_v29_mh_superfine() {
        run(Case {
            name: "rx_v29_sf",
            we_send: false,
            modems: Modems::V29,
            ydpi: 391,
            want_rate: 9600,
            ..BASE
        });
    }

    #[test]
    fn we_receive_v27ter_mr_fine_b4() {
        run(Case {
            name: "rx_v27_fine_b4",
            we_send: false,
            modems: Modems::V27ter,
            mr: true,
            ydpi: 196,
            width: 2048,
            want_rate: 4800,
            ..BASE
        });
    }

    #[test]
    fn we_receive_v17_mh_five_pages() {
        run(Case {
            name: "rx_v17_5p",
            we_send: false,
            pages: 5,
            ..BASE
        });
    }
}

#[cfg(not(have_spandsp))]
#[test]
fn spandsp_absent() {
    telefax_interop::skip_note("endpoint_interop");
}
