//! Drivers shared by the cargo-fuzz targets, the bolero harness and the property tests.
//! Each one panics only when an invariant of this crate is broken, so any panic is a
//! finding.

use crate::capabilities::{Capabilities, FastModem, FieldKind};
use crate::fcf::Fcf;
use crate::frame::{Frame, Payload};
use crate::session::timing::{ms, SampleTime, T1};
use crate::session::{
    Carrier, Command, Config, Event, Job, ModemEvent, PageQuality, Role, SendJob, Session,
};

/// Parse arbitrary octets as a frame; a frame that parses must serialize back to exactly
/// the same octets and parse again to an equal frame, and describing it must not panic.
pub fn frame_round_trip(data: &[u8]) {
    if let Ok(f) = Frame::parse(data) {
        let bytes = f.to_bytes();
        assert_eq!(bytes, data, "round trip changed the octets of {f}");
        assert_eq!(Frame::parse(&bytes).as_ref(), Ok(&f));
        let _ = f.describe();
        if let Payload::Capabilities(c) = &f.payload {
            let _ = c.summary();
            let _ = c.describe();
        }
    }
}

/// A small reader over fuzz input.
struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> Option<u8> {
        let b = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    fn take(&mut self, n: usize) -> &[u8] {
        let end = (self.pos + n).min(self.data.len());
        let s = &self.data[self.pos..end];
        self.pos = end;
        s
    }
}

/// FCFs the session driver prefers, so that random input reaches deep states.
const USEFUL: [Fcf; 27] = [
    Fcf::Ppr,
    Fcf::Rnr,
    Fcf::Ctr,
    Fcf::Err,
    Fcf::Ctc,
    Fcf::Eor,
    Fcf::Rr,
    Fcf::Dis,
    Fcf::Dtc,
    Fcf::Dcs,
    Fcf::Cfr,
    Fcf::Ftt,
    Fcf::Mcf,
    Fcf::Rtn,
    Fcf::Rtp,
    Fcf::Mps,
    Fcf::Eop,
    Fcf::Eom,
    Fcf::Dcn,
    Fcf::Crp,
    Fcf::Tsi,
    Fcf::Csi,
    Fcf::PriEop,
    Fcf::Pip,
    Fcf::Pin,
    Fcf::Pps,
    Fcf::Nsf,
];

fn useful_frame(sel: u8, arg: u8, x: bool) -> Frame {
    let fcf = USEFUL[usize::from(sel) % USEFUL.len()];
    let payload = match fcf {
        Fcf::Dis | Fcf::Dtc => {
            let kind = if fcf == Fcf::Dis {
                FieldKind::Dis
            } else {
                FieldKind::Dtc
            };
            let mut c = crate::session::Policy::default().capabilities(kind, arg & 1 != 0);
            c.set_bit(10, arg & 2 == 0);
            Payload::Capabilities(c)
        }
        Fcf::Dcs => {
            let mut c = Capabilities::new(FieldKind::Dcs);
            c.set_modem(FastModem::FALLBACK_ORDER[usize::from(arg) % 8]);
            c.set_bit(16, arg & 0x10 != 0);
            c.set_bit(15, arg & 0x20 != 0);
            Payload::Capabilities(c)
        }
        Fcf::Tsi | Fcf::Csi => Payload::Identity(crate::ident::Identity::new("+1 555 0100")),
        Fcf::Pps => Payload::Pps(crate::frame::Pps {
            post_page_octet: [0, 0x4e, 0x2e, 0x8e][usize::from(arg >> 6)],
            page: arg & 1,
            block: (arg >> 1) & 1,
            frames_minus_one: arg & 0x0f,
        }),
        Fcf::Ppr => Payload::Ppr(crate::frame::Ppr::from_missing([arg & 0x0f, arg >> 4])),
        Fcf::Ctc => Payload::Ctc(crate::frame::Ctc::new(
            FastModem::FALLBACK_ORDER[usize::from(arg) % 8],
        )),
        Fcf::Eor => Payload::Eor([0, 0x4e, 0x2e, 0x8e][usize::from(arg >> 6)]),
        Fcf::Nsf => Payload::NonStandard(crate::frame::NonStandard {
            raw: vec![0xad, 0x00, arg],
        }),
        _ => Payload::None,
    };
    Frame::new(fcf, payload).with_x(x)
}

/// Drive one session with inputs decoded from `data`, then let time run with no further
/// input. Invariants: no panic, bounded outputs, and the session reaches phase E (emits
/// `Ended` and `HangUp`) within a bounded simulated time once input stops.
pub fn session(data: &[u8]) {
    let mut r = Bytes { data, pos: 0 };
    let cfg_sel = r.u8().unwrap_or(0);
    let role = if cfg_sel & 1 == 0 {
        Role::Calling
    } else {
        Role::Answering
    };
    let job = if cfg_sel & 2 == 0 {
        Job::Send(SendJob::pages(1 + u32::from(cfg_sel >> 5)))
    } else {
        Job::Receive
    };
    let mut cfg = Config::new(role, job);
    cfg.send_ced = cfg_sel & 4 != 0;
    cfg.policy.ecm = cfg_sel & 8 != 0;
    cfg.policy.ecm_frame_size = if cfg_sel & 16 != 0 { 64 } else { 256 };
    cfg.local_identity = "FUZZ".into();
    let mut s = Session::new(cfg);
    let mut now: SampleTime = 0;
    s.set_page_data(0, vec![0x55; 700]);
    s.set_page_data(1, Vec::new());
    s.start(now).expect("first start succeeds");
    let mut ended = false;
    let mut outputs = 0usize;
    let drain = |s: &mut Session, ended: &mut bool, outputs: &mut usize| {
        while let Some(c) = s.poll_command() {
            *outputs += 1;
            if let Command::SendFrames { frames, .. } = &c {
                for f in frames {
                    // Everything the engine sends must survive its own parser.
                    assert_eq!(Frame::parse(&f.to_bytes()).as_ref(), Ok(f));
                }
            }
        }
        while let Some(e) = s.poll_event() {
            *outputs += 1;
            if matches!(e, Event::Ended(_)) {
                assert!(!*ended, "Ended emitted twice");
                *ended = true;
            }
        }
        assert!(*outputs < 1_000_000, "unbounded output");
    };
    drain(&mut s, &mut ended, &mut outputs);
    while let Some(op) = r.u8() {
        let arg = r.u8().unwrap_or(0);
        match op % 14 {
            12 => {
                let f = Frame::new(
                    Fcf::Fcd,
                    Payload::Fcd(crate::frame::Fcd {
                        number: arg & 0x1f,
                        data: vec![op; 64],
                    }),
                );
                s.handle_fast_frame(now, f);
            }
            13 => s.handle_fast_frame(now, Frame::simple(Fcf::Rcp)),
            0 => {
                let x = arg & 0x80 != 0;
                let f = useful_frame(op / 12, arg, x);
                s.handle_frame(now, f);
            }
            1 => {
                let n = usize::from(arg % 40);
                let raw = r.take(n).to_vec();
                s.handle_frame_bytes(now, &raw);
            }
            2 => s.handle_bad_frame(now),
            3 => s.handle_modem(now, ModemEvent::TxDone),
            4 => s.handle_modem(now, ModemEvent::CarrierUp(Carrier::Fast)),
            5 => s.handle_modem(now, ModemEvent::CarrierDown(Carrier::Fast)),
            6 => s.handle_modem(now, ModemEvent::TrainingSucceeded { quality_db: None }),
            7 => s.handle_modem(now, ModemEvent::TrainingFailed),
            8 => {
                let n = usize::from(arg) * 8;
                let chunk = vec![if op & 0x80 != 0 { 0 } else { arg }; n];
                s.handle_rx_data(now, &chunk);
            }
            9 => s.handle_page_quality(
                now,
                PageQuality {
                    rows: u32::from(arg) * 4,
                    bad_rows: u32::from(op),
                    longest_bad_run: u32::from(arg & 0x0f),
                },
            ),
            10 => {
                now += ms(u64::from(arg) * 50);
                if s.poll_timeout().is_some_and(|t| t <= now) {
                    s.handle_timeout(now);
                }
            }
            _ => {
                let v21 = if arg & 1 == 0 {
                    ModemEvent::CarrierUp(Carrier::V21)
                } else {
                    ModemEvent::CarrierDown(Carrier::V21)
                };
                s.handle_modem(now, v21);
            }
        }
        drain(&mut s, &mut ended, &mut outputs);
    }
    // Input has stopped: only time (and completed transmissions) from now on.
    let limit = now + T1 + ms(10 * 60_000);
    let mut steps = 0;
    while !ended {
        steps += 1;
        assert!(steps < 10_000, "no progress to phase E");
        s.handle_modem(now, ModemEvent::TxDone);
        s.handle_modem(now, ModemEvent::CarrierDown(Carrier::V21));
        s.handle_modem(now, ModemEvent::CarrierDown(Carrier::Fast));
        drain(&mut s, &mut ended, &mut outputs);
        if ended {
            break;
        }
        let t = s.poll_timeout().expect("a live session always has a timer");
        assert!(t <= limit, "timer beyond the bound: {t} > {limit}");
        now = now.max(t);
        s.handle_timeout(now);
        drain(&mut s, &mut ended, &mut outputs);
    }
    assert!(s.is_ended());
    assert_eq!(s.poll_timeout(), None);
}
