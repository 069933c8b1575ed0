//! Interop of our fax endpoint (`telefax::endpoint::Endpoint`) with spandsp 0.0.6's fax
//! terminal (`fax_state_t`), in process, sample by sample (issue 7, "Proof"): one test per
//! case of the matrix in `tests/matrix/mod.rs` (both directions, calling and answering,
//! V.17/V.29/V.27ter, MH/MR/MMR, ECM off and on, standard/fine/superfine, A4 and B4, 1 to 5
//! pages; every page pixel-identical), and for ECM (issue 8) lines that destroy 10% or 50% of
//! the ECM frames in either direction (spandsp's own T.30 frame log must show PPR, and CTC at
//! 50%; a tap on the line checks that exactly the destroyed frames were sent again) and
//! 64-octet frames from our side (spandsp 0.0.6 only sends 256-octet frames, which its DCS and
//! the frames on the line show). Each test prints its matrix row; the whole table:
//! `cargo run -p telefax-interop --release --example interop_matrix`, or
//! `cargo test -p telefax-interop --release --test endpoint_spandsp -- --ignored --nocapture matrix_table`.

#[cfg(have_spandsp)]
mod matrix;

#[cfg(have_spandsp)]
fn check(name: &str) {
    let case = matrix::case(name);
    let o = matrix::run(&case);
    eprintln!("{}", case.row(&o));
    eprintln!("  {}", o.detail);
    assert!(o.pass, "{name}: {}\n{}", o.reason, o.detail);
}

#[cfg(have_spandsp)]
macro_rules! cases {
    ($($(#[$attr:meta])* $name:ident),* $(,)?) => {
        $(
            #[test]
            $(#[$attr])*
            fn $name() {
                check(stringify!($name));
            }
        )*
        /// Every case of the matrix has a test of its own above.
        #[test]
        fn every_case_has_a_test() {
            let tests = [$(stringify!($name)),*];
            for c in matrix::cases() {
                assert!(tests.contains(&c.name), "case {} has no test", c.name);
            }
            assert_eq!(tests.len(), matrix::cases().len());
        }
    };
}

#[cfg(have_spandsp)]
cases!(
    tx_call_v17_mh_std_a4_1p,
    tx_call_v17_mr_fine_a4_3p,
    tx_call_v29_mh_fine_a4_1p,
    tx_call_v29_mr_std_b4_1p,
    tx_call_v27_mr_std_a4_1p,
    tx_call_v27_mh_sfine_b4_1p,
    tx_call_v17_mh_std_a4_5p,
    tx_call_v17_mr_fine_b4_full,
    rx_ans_v17_mh_std_a4_1p,
    rx_ans_v17_mr_fine_a4_3p,
    rx_ans_v29_mr_std_a4_1p,
    rx_ans_v29_mh_fine_b4_1p,
    rx_ans_v27_mh_std_a4_1p,
    rx_ans_v27_mr_sfine_a4_1p,
    rx_ans_v17_mr_std_a4_5p,
    rx_ans_v17_mh_fine_b4_full,
    tx_ans_poll_v17_mh_std_a4_1p,
    tx_ans_poll_v29_mr_fine_a4_3p,
    rx_call_poll_v17_mr_std_a4_1p,
    rx_call_poll_v27_mh_fine_a4_3p,
    tx_call_v17_mmr_ecm_std_a4_1p,
    tx_call_v29_mmr_ecm_fine_a4_3p,
    tx_call_v27_mr_ecm_std_b4_1p,
    rx_ans_v17_mmr_ecm_std_a4_1p,
    rx_ans_v29_mmr_ecm_fine_b4_3p,
    rx_ans_v27_mh_ecm_std_a4_1p,
    tx_call_v17_mmr_ecm_fine_a4_5p,
    rx_ans_v17_mmr_ecm_sfine_a4_5p,
    tx_ans_poll_v17_mmr_ecm_std_a4_1p,
    rx_call_poll_v29_mmr_ecm_fine_b4_3p,
    tx_call_v17_mmr_ecm_loss10_std_a4_2p,
    rx_ans_v17_mmr_ecm_loss10_std_a4_2p,
    tx_call_v29_mmr_ecm64_loss10_fine_a4_1p,
    rx_ans_v27_mmr_ecm_loss10_std_a4_1p,
    tx_call_v17_mmr_ecm_loss50_std_a4_1p,
    rx_ans_v17_mmr_ecm_loss50_std_a4_1p,
    tx_call_v17_mmr_ecm64_std_a4_1p,
    tx_ans_poll_v29_mr_ecm64_fine_a4_3p,
);

/// The whole matrix as a markdown table on stdout (for README): run with `--ignored
/// --nocapture`; fails if any case failed. Ignored by default because the per-case tests
/// above already run every call.
#[cfg(have_spandsp)]
#[test]
#[ignore = "prints the whole matrix; the per-case tests run the same calls"]
fn matrix_table() {
    println!("{}", matrix::Case::header());
    let mut failed = Vec::new();
    for case in matrix::cases() {
        let o = matrix::run(&case);
        println!("{}", case.row(&o));
        if !o.pass {
            failed.push(format!("{}: {} ({})", case.name, o.reason, o.detail));
        }
    }
    assert!(failed.is_empty(), "failed cases:\n{}", failed.join("\n"));
}

#[cfg(not(have_spandsp))]
#[test]
fn spandsp_absent() {
    telefax_interop::skip_note("endpoint_spandsp");
}

/// The matrix's page check sees a single wrong pixel and a wrong page size.
#[cfg(have_spandsp)]
#[test]
fn page_check_sees_one_wrong_pixel() {
    let a = matrix::synth_page(1728, 50, 3);
    let mut b = a.clone();
    assert_eq!(matrix::pixel_diff(&a, &b), Some(0));
    b.set(900, 25, !b.get(900, 25));
    assert_eq!(matrix::pixel_diff(&a, &b), Some(1));
    assert_eq!(
        matrix::pixel_diff(&a, &matrix::synth_page(1728, 51, 3)),
        None
    );
}
