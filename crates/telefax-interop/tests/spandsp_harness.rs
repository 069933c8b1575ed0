//! Checks of the harness itself against spandsp 0.0.6: its modems talk to themselves through
//! our FFI wrappers, short training works, and `spcall` regenerates the team's recorded calls
//! in `tests/data/calls/` sample for sample. If these fail, the interop results are void.

#[cfg(have_spandsp)]
mod with_spandsp {
    use std::path::PathBuf;
    use telefax_interop::call::{run_call, CallConfig};
    use telefax_interop::sp::{
        Awgn, Bert, FaxCodings, FaxModems, RxSinkKind, SpRx, SpTx, TxSource,
    };
    use telefax_interop::{wav, Modem};

    fn data(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data")
            .join(rel)
    }

    /// spandsp -> spandsp over a clean line, every modem and rate: trained, error-free, and the
    /// number of checked bits close to rate x (seconds - training).
    #[test]
    fn spandsp_loopback_every_modem_and_rate() {
        for modem in Modem::ALL {
            for &rate in modem.rates() {
                let secs = 4.0;
                let mut sig = vec![0i16; (secs * 8000.0) as usize];
                let mut tx = SpTx::new(modem, rate, -13.0, TxSource::Bert).unwrap();
                assert_eq!(tx.tx(&mut sig[800..]), sig.len() - 800);
                let mut rx = SpRx::new(modem, rate, RxSinkKind::Bert).unwrap();
                rx.rx_blocks(&sig, 160);
                let ev = rx.events();
                let r = rx.bert_results();
                let need_train = modem != Modem::V21;
                assert!(!need_train || ev.trained == 1, "{modem} {rate}: {ev:?}");
                // Long training is at most ~1.6 s (V.17); allow for it and the BERT sync.
                let min_bits = (rate as f64 * (secs - 2.0)) as u64;
                assert!(
                    r.total_bits >= min_bits,
                    "{modem} {rate}: {r:?} < {min_bits}"
                );
                assert_eq!(r.bad_bits, 0, "{modem} {rate}: {r:?}");
            }
        }
    }

    /// A BERT fed its own generator's output in step reports no errors; fed inverted bits it
    /// reports (nearly) all bits bad or never syncs, so the checker really checks.
    #[test]
    fn bert_checks_its_pattern() {
        let mut g = Bert::new();
        let mut c = Bert::new();
        for _ in 0..50_000 {
            c.put_bit(g.get_bit());
        }
        let r = c.results();
        assert!(r.total_bits > 40_000 && r.bad_bits == 0, "{r:?}");
        let mut g = Bert::new();
        let mut c = Bert::new();
        for _ in 0..50_000 {
            c.put_bit(g.get_bit() ^ 1);
        }
        let r = c.results();
        assert!(r.total_bits == 0 || r.bad_bits * 10 > r.total_bits, "{r:?}");
    }

    /// The AWGN generator's power matches its dBm0 setting (0 dBm0 = 3.14 dBov, G.711).
    #[test]
    fn awgn_level() {
        let mut a = Awgn::new(1234567, -20.0);
        let n = 80_000;
        let p: f64 = (0..n).map(|_| (a.sample() as f64).powi(2)).sum::<f64>() / n as f64;
        let dbov = 10.0 * (p / (32768.0f64 * 32768.0)).log10() + 3.01;
        // 0 dBm0 sits 3.14 dB below a full-scale sine (G.711 / G.168 convention, as spandsp).
        #[allow(clippy::approx_constant)]
        const DBM0_IN_DBOV: f64 = -3.14;
        let dbm0 = dbov - DBM0_IN_DBOV;
        assert!((dbm0 + 20.0).abs() < 0.5, "{dbm0} dBm0");
    }

    /// V.17 short training (V.17 §3.2, as T.30 uses it between pages): a second burst with
    /// the short training after a long-trained first burst trains again and is error-free.
    #[test]
    fn spandsp_v17_short_training() {
        for &rate in Modem::V17.rates() {
            let mut sig = vec![0i16; 6 * 8000];
            let mut tx = SpTx::new(Modem::V17, rate, -13.0, TxSource::Bert).unwrap();
            tx.tx(&mut sig[800..3 * 8000]);
            tx.restart_v17(true).unwrap();
            tx.tx(&mut sig[3 * 8000 + 400..]);
            let mut rx = SpRx::new(Modem::V17, rate, RxSinkKind::Bert).unwrap();
            let mut restarted = false;
            for b in sig.chunks(160) {
                rx.rx(b);
                if !restarted && rx.events().carrier_down > 0 {
                    rx.restart_v17(true).unwrap();
                    rx.reset_bert();
                    restarted = true;
                }
            }
            let r = rx.bert_results();
            assert!(
                restarted,
                "{rate}: carrier never dropped between the bursts"
            );
            assert_eq!(rx.events().trained, 2, "{rate}: {:?}", rx.events());
            // The short training is ~0.12 s: most of the 2.95 s burst carries data.
            assert!(r.total_bits as f64 >= rate as f64 * 2.5, "{rate}: {r:?}");
            assert_eq!(r.bad_bits, 0, "{rate}: {r:?}");
        }
    }

    /// Send `frames` with spandsp's HDLC over spandsp's V.21 channel 2 into spandsp's receiver,
    /// optionally flipping the line bit number `flip`; returns (frame, FCS ok) as received.
    fn hdlc_v21_run(frames: &[Vec<u8>], flip: Option<u64>) -> Vec<(Vec<u8>, bool)> {
        use std::{cell::RefCell, rc::Rc};
        use telefax_interop::sp::{SpHdlcRx, SpHdlcTx};
        let mut htx = SpHdlcTx::new(2);
        htx.flags(38); // ~1 s of preamble at 300 bit/s, as T.30 asks
                       // spandsp's HDLC transmitter holds one frame at a time: offer the next when it takes it.
        let mut queue: std::collections::VecDeque<Vec<u8>> = frames.iter().cloned().collect();
        let mut n = 0u64;
        let src = move || {
            n += 1;
            if let Some(f) = queue.front() {
                if htx.frame(f).is_ok() {
                    queue.pop_front();
                }
            }
            let b = htx.get_bit();
            Some(if Some(n) == flip { b ^ 1 } else { b })
        };
        let mut sig = vec![0i16; 20 * 8000]; // 515 octets + preamble at 300 bit/s: ~16 s
        SpTx::new(Modem::V21, 300, -13.0, TxSource::Func(Box::new(src)))
            .unwrap()
            .tx(&mut sig);
        let hrx = Rc::new(RefCell::new(SpHdlcRx::new()));
        let h2 = hrx.clone();
        let sink = RxSinkKind::Func(Box::new(move |b| h2.borrow_mut().put_bit(b)));
        let mut rx = SpRx::new(Modem::V21, 300, sink).unwrap();
        rx.rx_blocks(&sig, 160);
        let frames = hrx.borrow().frames().to_vec();
        frames
    }

    fn t30_sized_frames() -> Vec<Vec<u8>> {
        (0..5u8)
            .map(|k| {
                (0..(3 + 50 * k as usize))
                    .map(|i| (i as u8).wrapping_mul(37).wrapping_add(k))
                    .collect()
            })
            .collect()
    }

    /// spandsp's HDLC over spandsp's V.21 channel 2 delivers T.30-sized frames intact.
    #[test]
    fn spandsp_hdlc_over_v21() {
        let frames = t30_sized_frames();
        let got = hdlc_v21_run(&frames, None);
        let good: Vec<&Vec<u8>> = got.iter().filter(|(_, ok)| *ok).map(|(f, _)| f).collect();
        assert_eq!(good.len(), frames.len(), "{got:?}");
        for (a, b) in good.iter().zip(&frames) {
            assert_eq!(*a, b);
        }
    }

    /// One flipped line bit inside a frame costs exactly that frame (reported bad or lost),
    /// never a wrong frame delivered as good: the HDLC harness can fail.
    #[test]
    fn spandsp_hdlc_over_v21_damaged() {
        let frames = t30_sized_frames();
        // Preamble 38 flags = 304 bits; frame 0 is 3+2 octets; flip inside frame 2's payload.
        let got = hdlc_v21_run(&frames, Some(304 + 8 * 5 + 16 + 8 * 55 + 16 + 8 * 20));
        let good: Vec<&Vec<u8>> = got.iter().filter(|(_, ok)| *ok).map(|(f, _)| f).collect();
        assert_eq!(good.len(), frames.len() - 1, "{got:?}");
        assert!(good.iter().all(|g| frames.contains(g)));
        assert!(!good.contains(&&frames[2]));
    }

    /// spandsp's CNG and CED generators and detectors agree, and do not cross-detect.
    #[test]
    fn spandsp_call_tones() {
        use telefax_interop::sp::{FaxTone, SpToneRx, SpToneTx};
        for tone in [FaxTone::Cng, FaxTone::Ced] {
            let mut sig = vec![0i16; 5 * 8000];
            let n = SpToneTx::new(tone).tx(&mut sig[800..]);
            assert!(n >= 2 * 8000, "{tone:?}: only {n} samples");
            for probe in [FaxTone::Cng, FaxTone::Ced] {
                let mut rx = SpToneRx::new(probe);
                rx.rx(&sig);
                assert_eq!(
                    rx.detected(),
                    probe == tone,
                    "{tone:?} probed for {probe:?}"
                );
            }
        }
    }

    fn regenerate(case: &str, modems: &str, ecm: bool, codings: &str, has_mono: bool) {
        let dir = data(&format!("calls/{case}"));
        let out =
            std::env::temp_dir().join(format!("telefax-interop-{case}-{}.tif", std::process::id()));
        let mut cfg = CallConfig::new(dir.join("sent.tif"), &out);
        cfg.modems = FaxModems::parse(modems).unwrap();
        cfg.ecm = ecm;
        cfg.codings = FaxCodings::parse(codings).unwrap();
        cfg.record = true;
        let r = run_call(&cfg).unwrap();
        let _ = std::fs::remove_file(&out);
        assert!(r.ok(), "{case}: {}", r.line());
        assert_eq!(r.bad_rows_total, 0, "{case}: {}", r.line());
        assert_eq!(r.answerer_saw_ident, "REFHARNESS CALLER");
        let rec = wav::read_channels(&dir.join("line_stereo.wav")).unwrap();
        assert_eq!(rec.len(), 2);
        assert_eq!(rec[0].len(), r.left.len(), "{case}: length differs");
        assert!(
            rec[0] == r.left,
            "{case}: caller->answerer channel differs from the recording"
        );
        assert!(
            rec[1] == r.right,
            "{case}: answerer->caller channel differs from the recording"
        );
        if has_mono {
            let mono = wav::read_mono(&dir.join("line_mono.wav")).unwrap();
            let mix: Vec<i16> = r
                .left
                .iter()
                .zip(&r.right)
                .map(|(&a, &b)| a.saturating_add(b))
                .collect();
            assert!(mono == mix, "{case}: mono mix differs");
        }
    }

    /// The recordings in tests/data/calls are exactly what two spandsp endpoints produce with
    /// the recorded options: `spcall` regenerates them sample for sample.
    #[test]
    fn spcall_regenerates_recorded_calls() {
        regenerate("p01_v17_ecm_t6_textshort_std", "v17", true, "mmr", true);
        regenerate("p02_v29_noecm_2d_chartshort_std", "v29", false, "mr", false);
        regenerate(
            "p03_v27ter_noecm_1d_blank_std",
            "v27ter",
            false,
            "mh",
            false,
        );
    }

    /// A call with a modem set the far end cannot train on noise this loud fails cleanly with
    /// a T.30 code instead of hanging (the harness reports failures, not only successes).
    #[test]
    fn spcall_reports_failure() {
        let dir = data("calls/p03_v27ter_noecm_1d_blank_std");
        let out =
            std::env::temp_dir().join(format!("telefax-interop-fail-{}.tif", std::process::id()));
        let mut cfg = CallConfig::new(dir.join("sent.tif"), &out);
        cfg.modems = FaxModems::parse("v27ter").unwrap();
        cfg.ecm = false;
        cfg.noise_dbm0 = Some(-20.0);
        cfg.timeout_s = 200.0;
        assert!(cfg.send.is_file());
        let r = run_call(&cfg).unwrap();
        let _ = std::fs::remove_file(&out);
        eprintln!("{}", r.line());
        assert!(!r.ok(), "{}", r.line());
        assert!(r.line().starts_with("result=FAIL"), "{}", r.line());
        // A real T.30 completion code, not a missing-file error (T30_ERR_FILEERROR = 41..).
        let code = if r.answerer_code > 0 {
            r.answerer_code
        } else {
            r.caller_code
        };
        assert!((1..41).contains(&code), "{}", r.line());
    }
}

#[cfg(not(have_spandsp))]
#[test]
fn spandsp_absent() {
    telefax_interop::skip_note("spandsp_harness");
}
