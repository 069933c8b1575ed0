//! spmodem: spandsp 0.0.6's modems and O.151 BERT as a lab yardstick (our own equivalent of
//! `refmodem`, same output tokens).
//!
//! ```text
//! spmodem tx MODEM RATE SECONDS OUT.wav [LEVEL_DBM0]   O.151 2^23-1 PRBS after training
//! spmodem rx MODEM RATE IN.wav [REPEAT]                prints trained= bits= bad= ber= ... realtime_x=
//! spmodem noise IN.wav OUT.wav NOISE_DBM0 [SEED]       adds spandsp AWGN (default seed 1234567)
//! ```
//! MODEM: v21 (300), v27ter (2400|4800), v29 (4800|7200|9600), v17 (7200|9600|12000|14400).
//! `SPMODEM_LEAD_MS` sets the silence before the signal in `tx` (default 100 ms, as refmodem).
//! `SPMODEM_SHORT_TRAIN=1` (V.17 only): `tx` sends 3 s with the long training, 50 ms of
//! silence, then the rest as a new burst with the short training; `rx` restarts its receiver
//! for the short training after the first burst's carrier drops and checks only the second
//! burst (a fresh BERT).

#[cfg(not(have_spandsp))]
fn main() {
    eprintln!(
        "spmodem: built without libspandsp (install libspandsp-dev and pkg-config, then rebuild)"
    );
    std::process::exit(2);
}

#[cfg(have_spandsp)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => {}
        Err(e) => {
            eprintln!("spmodem: {e}");
            eprintln!(
                "usage: spmodem tx MODEM RATE SECONDS OUT.wav [LEVEL_DBM0]\n       spmodem rx MODEM RATE IN.wav [REPEAT]\n       spmodem noise IN.wav OUT.wav NOISE_DBM0 [SEED]"
            );
            std::process::exit(2);
        }
    }
}

#[cfg(have_spandsp)]
fn run(args: &[String]) -> Result<(), telefax_interop::Error> {
    use std::path::Path;
    use telefax_interop::sp::{Awgn, RxSinkKind, SpRx, SpTx, TxSource};
    use telefax_interop::{cputime::cpu_seconds, wav, Error, Modem};

    let bad = |s: &str| Error::BadArg(s.to_string());
    let num = |s: &str| {
        s.parse::<f64>()
            .map_err(|_| Error::BadArg(format!("not a number: {s}")))
    };
    let short = std::env::var("SPMODEM_SHORT_TRAIN").is_ok_and(|v| v == "1");
    match args.first().map(String::as_str) {
        Some("noise") if args.len() >= 4 => {
            let mut s = wav::read_mono(Path::new(&args[1]))?;
            let seed = if args.len() > 4 {
                num(&args[4])? as i32
            } else {
                1_234_567
            };
            Awgn::new(seed, num(&args[3])? as f32).add_to(&mut s);
            wav::write_mono(Path::new(&args[2]), &s)
        }
        Some("tx") if args.len() >= 5 => {
            let modem = Modem::parse(&args[1])?;
            let rate = num(&args[2])? as u32;
            let secs = num(&args[3])?;
            let level = if args.len() > 5 {
                num(&args[5])? as f32
            } else {
                -13.0
            };
            let n = (secs * 8000.0) as usize;
            let lead = std::env::var("SPMODEM_LEAD_MS")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(100)
                * 8;
            let mut s = vec![0i16; n];
            let mut tx = SpTx::new(modem, rate, level, TxSource::Bert)?;
            if short && modem == Modem::V17 {
                // First burst: 3 s with the long training, then a gap, then the short one.
                let first_end = (lead + 3 * 8000).min(n);
                tx.tx(&mut s[lead.min(n)..first_end]);
                let second = (first_end + 400).min(n);
                tx.restart_v17(true)?;
                tx.tx(&mut s[second..]);
            } else if short {
                return Err(bad("SPMODEM_SHORT_TRAIN is for v17 only"));
            } else {
                tx.tx(&mut s[lead.min(n)..]);
            }
            wav::write_mono(Path::new(&args[4]), &s)
        }
        Some("rx") if args.len() >= 4 => {
            let modem = Modem::parse(&args[1])?;
            let rate = num(&args[2])? as u32;
            let s = wav::read_mono(Path::new(&args[3]))?;
            let repeat = if args.len() > 4 {
                num(&args[4])?.max(1.0) as usize
            } else {
                1
            };
            let t0 = cpu_seconds();
            let mut last = None;
            for _ in 0..repeat {
                let mut rx = SpRx::new(modem, rate, RxSinkKind::Bert)?;
                let mut restarted = false;
                for block in s.chunks(160) {
                    rx.rx(block);
                    if short && !restarted && modem == Modem::V17 && rx.events().carrier_down > 0 {
                        rx.restart_v17(true)?;
                        rx.reset_bert();
                        restarted = true;
                    }
                }
                let ev = rx.events();
                last = Some((ev, rx.bert_results()));
            }
            let cpu = (cpu_seconds() - t0).max(1e-9);
            let (ev, r) = last.ok_or_else(|| bad("no run"))?;
            let trained = if modem == Modem::V21 {
                (ev.carrier_up > 0) as u32
            } else {
                ev.trained
            };
            let audio = s.len() as f64 / 8000.0 * repeat as f64;
            println!(
                "modem={} rate={rate} trained={trained} bits={} bad={} ber={} resyncs={} audio_s={audio:.1} cpu_s={cpu:.3} realtime_x={:.0}",
                modem.name(),
                r.total_bits,
                r.bad_bits,
                telefax_interop::fmt_g3(r.ber()),
                r.resyncs,
                audio / cpu
            );
            Ok(())
        }
        _ => Err(bad("bad arguments")),
    }
}
