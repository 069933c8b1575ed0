//! Scenario tests: two sessions through the simulated line (see `common::Pair`).

mod common;

use common::*;
#[allow(unused_imports)]
use telefax_t30::session::{Event, FailReason, Phase, Summary};
use telefax_t30::Fcf;

#[test]
fn caller_sends_one_page_answerer_receives_it() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(
        *p.a.result(),
        Ok(Summary {
            pages_sent: 1,
            pages_received: 0
        })
    );
    assert_eq!(
        *p.b.result(),
        Ok(Summary {
            pages_sent: 0,
            pages_received: 1
        })
    );
    let pages = p.b.received_pages();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].data, p.a.pages[0]);
    assert_eq!(pages[0].response, Some(Fcf::Mcf));
    assert_eq!(
        p.a.sent_fcfs(),
        vec![Fcf::Tsi, Fcf::Dcs, Fcf::Eop, Fcf::Dcn]
    );
    assert_eq!(
        p.b.sent_fcfs(),
        vec![Fcf::Csi, Fcf::Dis, Fcf::Cfr, Fcf::Mcf]
    );
}

use telefax_t30::capabilities::{Coding, FastModem, Resolution, Width};
use telefax_t30::frame::Frame;
use telefax_t30::session::timing::{ms, T1, T2, T4, T4_AUTOMATIC};
use telefax_t30::session::{
    CallResult, Command, Config, Job, PageQuality, Role, SendJob, TrainingOutcome, TxData,
};

fn reason(r: &CallResult) -> FailReason {
    r.as_ref().expect_err("call should have failed").reason
}

fn negotiated_modems(ep: &Endpoint) -> Vec<FastModem> {
    ep.events
        .iter()
        .filter_map(|(_, e)| match e {
            Event::Negotiated(m) => Some(m.modem),
            _ => None,
        })
        .collect()
}

fn negotiated(ep: &Endpoint) -> telefax_t30::session::Mode {
    ep.events
        .iter()
        .find_map(|(_, e)| match e {
            Event::Negotiated(m) => Some(*m),
            _ => None,
        })
        .expect("no mode negotiated")
}

fn bad_quality() -> PageQuality {
    PageQuality {
        rows: 1000,
        bad_rows: 400,
        longest_bad_run: 100,
    }
}

fn rtp_quality() -> PageQuality {
    PageQuality {
        rows: 1000,
        bad_rows: 50,
        longest_bad_run: 6,
    }
}

fn good_quality() -> PageQuality {
    PageQuality {
        rows: 1000,
        bad_rows: 0,
        longest_bad_run: 0,
    }
}

fn ok(pages_sent: u32, pages_received: u32) -> CallResult {
    Ok(Summary {
        pages_sent,
        pages_received,
    })
}

fn send_cfg(pages: u32, f: impl FnOnce(&mut SendJob)) -> Config {
    let mut j = SendJob::pages(pages);
    f(&mut j);
    let mut c = Config::new(Role::Calling, Job::Send(j));
    c.local_identity = "+1 555 0100".into();
    c
}

// --- complete calls --------------------------------------------------------------------

#[test]
fn multi_page_mps_sequence_five_pages_all_exact() {
    let (a, b) = send_configs(5);
    let mut p = Pair::new(a, b, 5);
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(5, 0));
    assert_eq!(*p.b.result(), ok(0, 5));
    let pages = p.b.received_pages();
    assert_eq!(pages.len(), 5);
    for (i, pg) in pages.iter().enumerate() {
        assert_eq!(pg.data, p.a.pages[i], "page {i}");
        assert!(pg.rtc);
    }
    assert_eq!(p.a.count_sent(Fcf::Mps), 4);
    assert_eq!(p.a.count_sent(Fcf::Eop), 1);
    assert_eq!(
        p.a.count_sent(Fcf::Dcs),
        1,
        "no retrain between MCF'd pages"
    );
}

#[test]
fn phases_progress_a_b_c_d_e_in_order() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    for ep in [&p.a, &p.b] {
        let phases: Vec<Phase> = ep
            .events
            .iter()
            .filter_map(|(_, e)| match e {
                Event::Phase(ph) => Some(*ph),
                _ => None,
            })
            .collect();
        assert_eq!(
            phases,
            vec![Phase::A, Phase::B, Phase::C, Phase::D, Phase::E]
        );
    }
}

#[test]
fn remote_identity_reported_both_ways() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert!(p.a.has_event(|e| matches!(e, Event::RemoteIdentity { fcf: Fcf::Csi, identity } if identity == "+1 555 0199")));
    assert!(p.b.has_event(|e| matches!(e, Event::RemoteIdentity { fcf: Fcf::Tsi, identity } if identity == "+1 555 0100")));
}

#[test]
fn every_modem_completes_a_call_at_its_rate() {
    for m in FastModem::FALLBACK_ORDER {
        let (mut a, b) = send_configs(2);
        a.policy.modems = vec![m];
        let mut p = Pair::new(a, b, 2);
        p.run(LIMIT);
        assert_eq!(*p.a.result(), ok(2, 0), "{m}");
        assert_eq!(negotiated_modems(&p.b), vec![m]);
        assert_eq!(p.b.received_pages()[1].data, p.a.pages[1], "{m}");
    }
}

#[test]
fn receiver_without_v17_gets_v29_9600() {
    let (a, mut b) = send_configs(1);
    b.policy.modems = vec![
        FastModem::V29_9600,
        FastModem::V29_7200,
        FastModem::V27ter4800,
        FastModem::V27ter2400,
    ];
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.a).modem, FastModem::V29_9600);
    assert_eq!(*p.b.result(), ok(0, 1));
}

#[test]
fn caller_policy_restricts_to_v27ter_4800() {
    let (mut a, b) = send_configs(1);
    a.policy.modems = vec![FastModem::V27ter4800, FastModem::V27ter2400];
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.b).modem, FastModem::V27ter4800);
    assert_eq!(p.b.received_pages()[0].data, p.a.pages[0]);
}

#[test]
fn mr_negotiated_when_both_support_it() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.b).coding, Coding::Mr);
}

#[test]
fn mh_only_receiver_gets_mh() {
    let (a, mut b) = send_configs(1);
    b.policy.codings = vec![Coding::Mh];
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.a).coding, Coding::Mh);
    assert_eq!(*p.b.result(), ok(0, 1));
}

#[test]
fn mh_only_sender_sends_mh_to_mr_receiver() {
    let (mut a, b) = send_configs(1);
    a.policy.codings = vec![Coding::Mh];
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.b).coding, Coding::Mh);
}

#[test]
fn mmr_is_never_chosen_without_ecm() {
    let (mut a, mut b) = send_configs(1);
    a.policy.codings = vec![Coding::Mh, Coding::Mr, Coding::Mmr];
    b.policy.codings = vec![Coding::Mh, Coding::Mr, Coding::Mmr];
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.b).coding, Coding::Mr);
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn fine_document_to_standard_only_receiver_is_sent_standard() {
    let (a, mut b) = send_configs(1);
    b.policy.resolutions = vec![Resolution::R8x3_85];
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.b).resolution, Resolution::R8x3_85);
}

#[test]
fn superfine_document_negotiated_superfine() {
    let b = send_configs(1).1;
    let a = send_cfg(1, |j| j.format.resolution = Resolution::R8x15_4);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.b).resolution, Resolution::R8x15_4);
}

#[test]
fn b4_document_to_a4_receiver_is_sent_a4() {
    let b = send_configs(1).1;
    let mut a = send_cfg(1, |j| j.format.width = Width::B4);
    a.policy.max_width = Width::B4;
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(negotiated(&p.b).width, Width::A4);
}

#[test]
fn eom_returns_to_phase_b_and_renegotiates() {
    let b = send_configs(2).1;
    let a = send_cfg(2, |j| j.eom_after = vec![1]);
    let mut p = Pair::new(a, b, 2);
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(2, 0));
    assert_eq!(*p.b.result(), ok(0, 2));
    assert_eq!(
        p.a.sent_fcfs().iter().filter(|f| **f == Fcf::Eom).count(),
        1
    );
    assert_eq!(p.b.count_sent(Fcf::Dis), 2);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 2);
}

#[test]
fn pri_eop_answered_like_eop_by_receiver() {
    let b = send_configs(2).1;
    let a = send_cfg(2, |j| j.procedure_interrupt = true);
    let mut p = Pair::new(a, b, 2);
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::PriMps), 1);
    assert_eq!(p.a.count_sent(Fcf::PriEop), 1);
    assert_eq!(*p.a.result(), ok(2, 0));
    assert_eq!(*p.b.result(), ok(0, 2));
}

// --- polling ---------------------------------------------------------------------------

#[test]
fn caller_polls_answerer_and_receives_its_document() {
    let mut a = Config::new(Role::Calling, Job::Receive);
    a.local_identity = "POLLER".into();
    let mut b = Config::new(Role::Answering, Job::Send(SendJob::pages(2)));
    b.local_identity = "POLLED".into();
    let mut p = Pair::new(a, b, 2);
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(0, 2));
    assert_eq!(*p.b.result(), ok(2, 0));
    assert_eq!(p.a.count_sent(Fcf::Dtc), 1);
    assert_eq!(p.a.count_sent(Fcf::Cig), 1);
    assert_eq!(p.b.count_sent(Fcf::Dcs), 1);
    let pages = p.a.received_pages();
    assert_eq!(pages[0].data, p.b.pages[0]);
    assert_eq!(pages[1].data, p.b.pages[1]);
    assert!(p.b.has_event(
        |e| matches!(e, Event::RemoteIdentity { fcf: Fcf::Cig, identity } if identity == "POLLER")
    ));
}

#[test]
fn polled_dis_advertises_document_and_no_reception() {
    let a = Config::new(Role::Calling, Job::Receive);
    let b = Config::new(Role::Answering, Job::Send(SendJob::pages(1)));
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    let dis =
        p.b.sent_frames
            .iter()
            .find(|(_, f)| f.fcf == Fcf::Dis)
            .unwrap();
    let caps = dis.1.capabilities_field().unwrap();
    assert!(caps.ready_to_transmit());
    assert!(!caps.receiver_fax_operation());
}

#[test]
fn caller_polls_but_answerer_has_nothing_ends_polling_mismatch() {
    let a = Config::new(Role::Calling, Job::Receive);
    let b = Config::new(Role::Answering, Job::Receive);
    let mut p = Pair::new(a, b, 0);
    p.run(LIMIT);
    assert_eq!(reason(p.a.result()), FailReason::PollingMismatch);
    assert_eq!(reason(p.b.result()), FailReason::RemoteDisconnect);
}

#[test]
fn sender_calling_a_polled_only_terminal_ends_polling_mismatch() {
    let (a, _) = send_configs(1);
    let b = Config::new(Role::Answering, Job::Send(SendJob::pages(1)));
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(reason(p.a.result()), FailReason::PollingMismatch);
}

#[test]
fn dtc_lost_once_poller_repeats_it() {
    let a = Config::new(Role::Calling, Job::Receive);
    let b = Config::new(Role::Answering, Job::Send(SendJob::pages(1)));
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Dtc && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(0, 1));
    assert!(p.a.count_sent(Fcf::Dtc) >= 2);
}

// --- training and fallback -------------------------------------------------------------

#[test]
fn receiver_answers_dcs_with_ftt_twice_sender_falls_back() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if c.tcf && c.nth < 2 {
            FastFate::Noisy(10)
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Ftt), 2);
    assert_eq!(
        negotiated_modems(&p.a),
        vec![
            FastModem::V17_14400,
            FastModem::V17_12000,
            FastModem::V17_9600
        ]
    );
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(p.b.received_pages()[0].mode.modem, FastModem::V17_9600);
}

#[test]
fn ftt_at_every_rate_ends_training_failed() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if c.tcf {
            FastFate::Noisy(5)
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(reason(p.a.result()), FailReason::TrainingFailed);
    assert_eq!(negotiated_modems(&p.a), FastModem::FALLBACK_ORDER.to_vec());
    assert_eq!(p.b.count_sent(Fcf::Ftt), 8);
    assert_eq!(reason(p.b.result()), FailReason::RemoteDisconnect);
}

#[test]
fn tcf_is_1500ms_of_zeros_at_each_rate() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if c.tcf {
            FastFate::Noisy(5)
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    let mut n = 0;
    for (_, c) in &p.a.commands {
        if let Command::StartTx {
            modem,
            data: TxData::Tcf { octets },
            ..
        } = c
        {
            n += 1;
            let ms_len = u64::from(*octets) * 8 * 1000 / u64::from(modem.bit_rate());
            assert_eq!(ms_len, 1500, "{modem}");
        }
    }
    assert_eq!(n, 8);
}

#[test]
fn fallback_skips_modems_the_remote_lacks() {
    let (a, mut b) = send_configs(1);
    b.policy.modems = vec![
        FastModem::V29_9600,
        FastModem::V29_7200,
        FastModem::V27ter2400,
    ];
    b.policy.codings = vec![Coding::Mh];
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if c.tcf && c.nth < 2 {
            FastFate::Noisy(10)
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(
        negotiated_modems(&p.a),
        vec![
            FastModem::V29_9600,
            FastModem::V29_7200,
            FastModem::V27ter4800
        ]
    );
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn training_failure_at_the_modem_is_answered_ftt() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if c.tcf && c.nth == 0 {
            FastFate::FailTraining
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Ftt), 1);
    assert!(p.a.has_event(|e| matches!(
        e,
        Event::Training {
            outcome: TrainingOutcome::Failed,
            modem: FastModem::V17_14400
        }
    )));
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn tcf_with_sparse_errors_still_passes_the_rule() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    // One hit every 2000 octets: long zero runs, 0.05% errors.
    p.fast_fault = Box::new(|c| {
        if c.tcf {
            FastFate::Noisy(2000)
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Ftt), 0);
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn missing_tcf_receiver_stays_silent_sender_repeats_dcs() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if c.tcf && c.nth == 0 {
            FastFate::Drop
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Ftt), 0);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 2);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(*p.b.result(), ok(0, 1));
}

// --- page quality: RTN / RTP -----------------------------------------------------------

#[test]
fn rtn_makes_sender_retrain_and_resend_the_page() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.b.quality = Box::new(|n| {
        if n == 0 {
            bad_quality()
        } else {
            good_quality()
        }
    });
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(*p.b.result(), ok(0, 1));
    assert_eq!(p.a.count_sent(Fcf::Dcs), 2, "retrain after RTN");
    assert_eq!(p.a.count_sent(Fcf::Eop), 2);
    let pages = p.b.received_pages();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].response, Some(Fcf::Rtn));
    assert_eq!(pages[1].response, Some(Fcf::Mcf));
}

#[test]
fn rtn_beyond_retry_limit_on_last_page_ends_page_rejected() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.b.quality = Box::new(|_| bad_quality());
    p.run(LIMIT);
    assert_eq!(reason(p.a.result()), FailReason::PageRejected);
    assert_eq!(reason(p.b.result()), FailReason::PageRejected);
    assert_eq!(p.a.count_sent(Fcf::Eop), 3, "first try plus two retries");
    assert_eq!(
        p.b.received_pages().len(),
        3,
        "every copy delivered with its verdict"
    );
}

#[test]
fn rtn_on_middle_page_past_limit_moves_on_to_next_page() {
    let (mut a, b) = send_configs(2);
    a.max_page_retries = 0;
    let mut p = Pair::new(a, b, 2);
    p.b.quality = Box::new(|n| {
        if n == 0 {
            bad_quality()
        } else {
            good_quality()
        }
    });
    p.run(LIMIT);
    // The procedure completes (EOP, MCF, DCN) but the sender reports the lost page.
    let e = p.a.result().unwrap_err();
    assert_eq!(e.reason, FailReason::PageRejected);
    assert_eq!(e.summary.pages_sent, 1);
    assert_eq!(p.a.count_sent(Fcf::Dcn), 1);
    assert_eq!(*p.b.result(), ok(0, 1));
    let pages = p.b.received_pages();
    assert_eq!(pages[1].data, p.a.pages[1]);
}

#[test]
fn rtp_after_mps_sender_retrains_then_continues() {
    let (a, b) = send_configs(2);
    let mut p = Pair::new(a, b, 2);
    p.b.quality = Box::new(|n| {
        if n == 0 {
            rtp_quality()
        } else {
            good_quality()
        }
    });
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(2, 0));
    assert_eq!(*p.b.result(), ok(0, 2));
    assert_eq!(p.b.count_sent(Fcf::Rtp), 1);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 2);
    assert_eq!(p.b.received_pages()[1].data, p.a.pages[1]);
}

#[test]
fn rtp_after_eop_completes_the_call() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.b.quality = Box::new(|_| rtp_quality());
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(*p.b.result(), ok(0, 1));
    assert_eq!(p.a.count_sent(Fcf::Dcs), 1);
}

#[test]
fn page_lost_on_the_line_is_answered_rtn_and_resent() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if !c.tcf && c.nth == 0 {
            FastFate::Drop
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Rtn), 1);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(p.b.received_pages().len(), 1);
}

// --- lost, corrupted and delayed frames ------------------------------------------------

#[test]
fn dcs_lost_once_sender_repeats_after_t4() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Dcs && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 2);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(*p.b.result(), ok(0, 1));
}

#[test]
fn dcs_lost_three_times_sender_gives_up_no_response() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Dcs {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 3);
    assert_eq!(reason(p.a.result()), FailReason::NoResponse(Fcf::Dcs));
    assert_eq!(reason(p.b.result()), FailReason::RemoteDisconnect);
}

#[test]
fn dis_lost_twice_answerer_repeats_dis_until_caller_hears() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Dis && c.nth < 2 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Dis), 3);
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn silent_answerer_caller_ends_with_t1() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(reason(p.a.result()), FailReason::T1Expired);
    let end = p.a.end_time();
    assert!(end >= T1 && end <= T1 + ms(3000), "ended at {end}");
    assert_eq!(reason(p.b.result()), FailReason::T1Expired);
}

#[test]
fn answerer_hearing_nothing_ends_with_t1() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(reason(p.b.result()), FailReason::T1Expired);
    let end = p.b.end_time();
    assert!(end >= T1 && end <= T1 + ms(3000), "ended at {end}");
    assert_eq!(reason(p.a.result()), FailReason::NoResponse(Fcf::Dcs));
}

#[test]
fn cfr_lost_sender_repeats_dcs_and_receiver_retrains() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Cfr && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 2);
    assert_eq!(p.b.count_sent(Fcf::Cfr), 2);
    assert_eq!(*p.b.result(), ok(0, 1));
}

#[test]
fn mcf_lost_sender_repeats_mps_receiver_repeats_mcf_without_duplicate_page() {
    let (a, b) = send_configs(2);
    let mut p = Pair::new(a, b, 2);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Mcf && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Mps), 2);
    assert_eq!(p.b.count_sent(Fcf::Mcf), 3);
    assert_eq!(p.b.received_pages().len(), 2);
    assert_eq!(*p.b.result(), ok(0, 2));
    assert_eq!(*p.a.result(), ok(2, 0));
}

#[test]
fn mcf_to_eop_lost_sender_repeats_eop_and_gets_mcf_again() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Mcf && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Eop), 2);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(*p.b.result(), ok(0, 1));
}

#[test]
fn eop_lost_three_times_sender_disconnects_no_response() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| match (c.from, c.fcf) {
        (Side::A, Fcf::Eop) | (Side::B, Fcf::Dcn) => FrameFate::Drop,
        _ => FrameFate::Deliver,
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Eop), 3);
    assert_eq!(reason(p.a.result()), FailReason::NoResponse(Fcf::Eop));
}

#[test]
fn sender_never_sends_eop_receiver_times_out_t2_and_keeps_the_page() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Eop {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(reason(p.b.result()), FailReason::T2Expired);
    let pages = p.b.received_pages();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].data, p.a.pages[0]);
    assert_eq!(pages[0].response, None);
    // Ended T2 after the page carrier dropped (plus the DCN transmission).
    let page_end = p
        .line
        .iter()
        .find(|t| t.from == Side::A && t.what.starts_with("page"))
        .unwrap()
        .end;
    let end = p.b.end_time();
    assert!(
        end >= page_end + T2 && end <= page_end + T2 + ms(2000),
        "ended {end}, page {page_end}"
    );
}

#[test]
fn corrupted_dcs_makes_receiver_send_crp_and_the_call_recovers() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Dcs && c.nth == 0 {
            FrameFate::Corrupt
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert!(p.b.count_sent(Fcf::Crp) >= 1);
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn crp_from_receiver_makes_sender_repeat_post_message_command() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Eop && c.nth == 0 {
            FrameFate::Corrupt
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.b.count_sent(Fcf::Crp), 1);
    assert_eq!(p.a.count_sent(Fcf::Eop), 2);
    assert_eq!(*p.a.result(), ok(1, 0));
    assert_eq!(*p.b.result(), ok(0, 1));
}

#[test]
fn corrupted_mcf_makes_sender_repeat_eop_without_duplicate_page() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Mcf && c.nth == 0 {
            FrameFate::Corrupt
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Eop), 2);
    assert_eq!(p.b.received_pages().len(), 1);
    assert_eq!(*p.b.result(), ok(0, 1));
}

#[test]
fn delayed_cfr_within_t4_is_accepted() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Cfr {
            FrameFate::Delay(ms(1500))
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 1);
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn delayed_cfr_beyond_t4_sender_repeats_dcs() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Cfr && c.nth == 0 {
            FrameFate::Delay(ms(3500))
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 2);
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn t4_automatic_option_waits_4500ms_before_repeating() {
    let (mut a, b) = send_configs(1);
    a.t4 = T4_AUTOMATIC;
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Cfr && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    let a_tx: Vec<_> = p.line.iter().filter(|t| t.from == Side::A).collect();
    let tcf = a_tx.iter().position(|t| t.what.starts_with("TCF")).unwrap();
    let gap = a_tx[tcf + 1].start - a_tx[tcf].end;
    assert_eq!(gap, T4_AUTOMATIC + ms(75));
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn t4_default_is_3s_before_repeating_dcs() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::B && c.fcf == Fcf::Cfr && c.nth == 0 {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    let a_tx: Vec<_> = p.line.iter().filter(|t| t.from == Side::A).collect();
    let tcf = a_tx.iter().position(|t| t.what.starts_with("TCF")).unwrap();
    assert_eq!(a_tx[tcf + 1].start - a_tx[tcf].end, T4 + ms(75));
}

// --- disconnects -----------------------------------------------------------------------

#[test]
fn receiver_dcn_after_first_page_ends_sender_with_remote_disconnect() {
    let (a, b) = send_configs(2);
    let mut p = Pair::new(a, b, 2);
    p.abort_when = Some((Side::B, Box::new(|e| matches!(e, Event::PageReceived(_)))));
    p.run(LIMIT);
    assert_eq!(reason(p.a.result()), FailReason::RemoteDisconnect);
    assert_eq!(reason(p.b.result()), FailReason::Aborted);
    assert_eq!(p.b.received_pages().len(), 1);
    assert_eq!(p.b.received_pages()[0].data, p.a.pages[0]);
}

#[test]
fn sender_dcn_after_first_page_receiver_keeps_completed_pages() {
    let (a, b) = send_configs(3);
    let mut p = Pair::new(a, b, 3);
    p.abort_when = Some((Side::A, Box::new(|e| matches!(e, Event::PageSent { .. }))));
    p.run(LIMIT);
    assert_eq!(reason(p.a.result()), FailReason::Aborted);
    let r = p.b.result().as_ref().unwrap_err();
    assert_eq!(r.reason, FailReason::RemoteDisconnect);
    assert_eq!(r.summary.pages_received, 1);
    assert_eq!(p.b.received_pages().len(), 1);
}

#[test]
fn caller_aborting_on_dis_sends_dcn_instead_of_dcs() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.abort_when = Some((
        Side::A,
        Box::new(|e| matches!(e, Event::RemoteCapabilities(_))),
    ));
    p.run(LIMIT);
    assert_eq!(p.a.sent_fcfs(), vec![Fcf::Dcn]);
    assert_eq!(reason(p.a.result()), FailReason::Aborted);
    assert_eq!(reason(p.b.result()), FailReason::RemoteDisconnect);
}

#[test]
fn injected_dcn_while_waiting_for_dis_ends_caller() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.injections
        .push((ms(1000), Side::A, Frame::simple(Fcf::Dcn)));
    p.run(LIMIT);
    let e = p.a.result().as_ref().unwrap_err();
    assert_eq!(e.reason, FailReason::RemoteDisconnect);
    assert_eq!(p.a.end_time(), ms(1000), "no DCN is sent in reply to DCN");
    assert!(p.a.sent_frames.is_empty());
}

#[test]
fn missing_dcn_after_mcf_to_eop_receiver_ends_ok_after_t2() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Dcn {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(*p.b.result(), ok(0, 1));
    let mcf_end = p.line.iter().rfind(|t| t.from == Side::B).unwrap().end;
    assert_eq!(p.b.end_time(), mcf_end + T2);
}

#[test]
fn page_carrier_never_arrives_receiver_times_out_t2() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if c.tcf {
            FastFate::Deliver
        } else {
            FastFate::Drop
        }
    });
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A && c.fcf == Fcf::Eop {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    p.run(LIMIT);
    assert_eq!(reason(p.b.result()), FailReason::T2Expired);
    assert!(p.b.received_pages().is_empty());
    let cfr_end = p.line.iter().find(|t| t.what == "CFR").unwrap().end;
    // T2 from the CFR, held open while the (lost) EOP's flags were on the line, plus the
    // DCN transmission.
    let end = p.b.end_time();
    assert!(
        end >= cfr_end + T2 && end <= cfr_end + T2 + ms(3500),
        "ended {end}, CFR {cfr_end}"
    );
}

#[test]
fn incompatible_dcs_makes_receiver_disconnect() {
    let (a, mut b) = send_configs(1);
    b.policy.modems = vec![FastModem::V27ter4800, FastModem::V27ter2400];
    let mut p = Pair::new(a, b, 1);
    p.frame_fault = Box::new(|c| {
        if c.from == Side::A {
            FrameFate::Drop
        } else {
            FrameFate::Deliver
        }
    });
    let mut dcs = telefax_t30::capabilities::Capabilities::new(telefax_t30::FieldKind::Dcs);
    dcs.set_modem(FastModem::V17_14400);
    p.injections
        .push((ms(6000), Side::B, Frame::capabilities(dcs).with_x(true)));
    p.run(LIMIT);
    assert_eq!(reason(p.b.result()), FailReason::Incompatible);
    assert!(p.b.end_time() < ms(9000));
}

#[test]
fn unexpected_cfr_before_dis_is_ignored() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.injections
        .push((ms(1000), Side::A, Frame::simple(Fcf::Cfr)));
    p.injections
        .push((ms(1500), Side::A, Frame::simple(Fcf::Unknown(0x77))));
    p.run(LIMIT);
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn ended_call_ignores_further_input() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    let s = &mut p.a.session;
    assert!(s.is_ended());
    let now = p.now + 100;
    s.handle_frame(now, Frame::simple(Fcf::Mcf));
    s.handle_bad_frame(now);
    s.handle_timeout(now + T2);
    assert_eq!(s.poll_command(), None);
    assert_eq!(s.poll_event(), None);
    assert_eq!(s.poll_timeout(), None);
}

// --- timing and framing rules ----------------------------------------------------------

#[test]
fn tcf_and_page_start_75ms_after_v21() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    let a_tx: Vec<_> = p.line.iter().filter(|t| t.from == Side::A).collect();
    let dcs = a_tx.iter().position(|t| t.what.ends_with("DCS")).unwrap();
    assert!(a_tx[dcs + 1].what.starts_with("TCF"));
    assert_eq!(a_tx[dcs + 1].start - a_tx[dcs].end, ms(75));
    let cfr = p.line.iter().find(|t| t.what == "CFR").unwrap();
    let page = a_tx.iter().find(|t| t.what.starts_with("page")).unwrap();
    // 75 ms from the end of the received V.21 signal (its closing flag).
    assert_eq!(page.start - (cfr.end + p.delay), ms(75));
    let eop = a_tx.iter().find(|t| t.what == "EOP").unwrap();
    assert_eq!(eop.start - page.end, ms(75));
}

#[test]
fn v21_transmissions_have_one_second_preamble() {
    let (a, b) = send_configs(2);
    let mut p = Pair::new(a, b, 2);
    p.run(LIMIT);
    let mut n = 0;
    for (_, c) in p.a.commands.iter().chain(p.b.commands.iter()) {
        if let Command::SendFrames { preamble_flags, .. } = c {
            n += 1;
            let ms_len = u32::from(*preamble_flags) * 8 * 1000 / 300;
            assert!((850..=1150).contains(&ms_len), "{ms_len} ms");
        }
    }
    assert!(n >= 6);
}

#[test]
fn x_bit_set_by_caller_and_clear_by_answerer() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    for (_, f) in &p.a.sent_frames {
        assert_eq!(f.x, f.fcf.has_x_bit(), "{f}");
    }
    for (_, f) in &p.b.sent_frames {
        assert!(!f.x, "{f}");
    }
}

#[test]
fn last_frame_of_each_transmission_is_final_and_only_it() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    for (_, c) in p.a.commands.iter().chain(p.b.commands.iter()) {
        if let Command::SendFrames { frames, .. } = c {
            let (last, rest) = frames.split_last().unwrap();
            assert!(last.is_final());
            assert!(rest.iter().all(|f| !f.is_final()));
        }
    }
}

#[test]
fn v17_pages_use_short_training_tcf_long() {
    let (a, b) = send_configs(2);
    let mut p = Pair::new(a, b, 2);
    p.run(LIMIT);
    use telefax_t30::session::Training;
    for (_, c) in &p.a.commands {
        if let Command::StartTx { training, data, .. } = c {
            match data {
                TxData::Tcf { .. } => assert_eq!(*training, Training::Long),
                TxData::Page { .. } => assert_eq!(*training, Training::Short),
                TxData::Frames(_) => panic!("no ECM in this call"),
            }
        }
    }
}

#[test]
fn hang_up_is_the_last_command_of_both_sides() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(p.a.commands.last().unwrap().1, Command::HangUp);
    assert_eq!(p.b.commands.last().unwrap().1, Command::HangUp);
    assert!(matches!(p.a.events.last().unwrap().1, Event::Ended(_)));
}

#[test]
fn response_flags_detected_before_t4_hold_the_timer() {
    let (mut a, b) = send_configs(1);
    // A T4 shorter than the 1 s V.21 preamble: only the carrier hold keeps the call alive.
    a.t4 = ms(500);
    let mut p = Pair::new(a, b, 1);
    p.run(LIMIT);
    assert_eq!(p.a.count_sent(Fcf::Dcs), 1);
    assert_eq!(*p.a.result(), ok(1, 0));
}

#[test]
fn ftt_waits_for_the_end_of_the_tcf_carrier() {
    let (a, b) = send_configs(1);
    let mut p = Pair::new(a, b, 1);
    p.fast_fault = Box::new(|c| {
        if c.tcf && c.nth == 0 {
            FastFate::FailTraining
        } else {
            FastFate::Deliver
        }
    });
    p.run(LIMIT);
    let tcf = p
        .line
        .iter()
        .find(|t| t.what.starts_with("TCF"))
        .unwrap()
        .end;
    let ftt = p.line.iter().find(|t| t.what == "FTT").unwrap().start;
    assert!(ftt >= tcf + ms(75), "FTT at {ftt}, TCF ended {tcf}");
}

#[test]
fn page_ends_at_rtc_when_the_carrier_end_is_never_reported() {
    let (a, b) = send_configs(2);
    let mut p = Pair::new(a, b, 2);
    p.no_carrier_down = true;
    p.fast_fault = Box::new(|_| FastFate::Deliver);
    p.run(LIMIT);
    assert_eq!(*p.b.result(), ok(0, 2));
    assert!(p.b.received_pages().iter().all(|pg| pg.rtc));
}
