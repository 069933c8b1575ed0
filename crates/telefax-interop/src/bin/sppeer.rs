//! sppeer: one spandsp 0.0.6 fax endpoint over stdin/stdout, speaking the pipe protocol of
//! `telefax peer` (raw signed 16-bit little-endian mono PCM at 8000 Hz, lockstep blocks of 160
//! samples: write one block, then read one block; EOF on stdin means the far end hung up;
//! after its own call ends the peer keeps exchanging blocks for 1 s, then exits).
//!
//! ```text
//! sppeer (-C | -A) (-s send.tif | -r recv.tif) [-m v27ter,v29,v17|all] [-e 0|1]
//!        [-c mh,mr,mmr|all] [-t SECONDS] [-l BLOCKS] [-I IDENT] [-v] <rx_audio >tx_audio
//! ```
//! The one-line result goes to stderr; exit status 0 only for a successful call (for a
//! receiver: at least one page received; for a sender: at least one page sent), 2 for usage
//! errors, 3 for the wall-clock limit (timeout + 30 s).

#[cfg(not(have_spandsp))]
fn main() {
    eprintln!(
        "sppeer: built without libspandsp (install libspandsp-dev and pkg-config, then rebuild)"
    );
    std::process::exit(2);
}

#[cfg(have_spandsp)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("sppeer: {e}");
            eprintln!(
                "usage: sppeer (-C | -A) (-s send.tif | -r recv.tif) [-m v27ter,v29,v17|all] [-e 0|1]\n              [-c mh,mr,mmr|all] [-t SECONDS] [-l BLOCKS] [-I IDENT] [-v] <rx_audio >tx_audio"
            );
            std::process::exit(2);
        }
    }
}

#[cfg(have_spandsp)]
fn run(args: &[String]) -> Result<bool, telefax_interop::Error> {
    use std::io::{Read, Write};
    use std::path::PathBuf;
    use telefax_interop::call::BLOCK;
    use telefax_interop::sp::{FaxCodings, FaxConfig, FaxModems, SpFax};
    use telefax_interop::Error;

    let mut calling = None;
    let mut cfg = FaxConfig {
        calling: false,
        tx_file: None,
        rx_file: None,
        ident: String::new(),
        modems: FaxModems::ALL,
        ecm: true,
        codings: FaxCodings::ALL,
        verbose: false,
    };
    let mut ident = None;
    let mut timeout_s = 300.0f64;
    let mut linger = 50u64;
    let num = |s: &str| {
        s.parse::<f64>()
            .map_err(|_| Error::BadArg(format!("not a number: {s}")))
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-C" => calling = Some(true),
            "-A" => calling = Some(false),
            "-v" => cfg.verbose = true,
            _ => {
                let v = it
                    .next()
                    .ok_or_else(|| Error::BadArg(format!("{a} needs a value")))?;
                match a.as_str() {
                    "-s" => cfg.tx_file = Some(PathBuf::from(v)),
                    "-r" => cfg.rx_file = Some(PathBuf::from(v)),
                    "-m" => cfg.modems = FaxModems::parse(v)?,
                    "-e" => cfg.ecm = num(v)? != 0.0,
                    "-c" => cfg.codings = FaxCodings::parse(v)?,
                    "-t" => timeout_s = num(v)?,
                    "-l" => linger = num(v)?.max(0.0) as u64,
                    "-I" => ident = Some(v.clone()),
                    _ => return Err(Error::BadArg(format!("unknown option {a}"))),
                }
            }
        }
    }
    cfg.calling = calling.ok_or_else(|| Error::BadArg("-C or -A is required".into()))?;
    if cfg.tx_file.is_some() == cfg.rx_file.is_some() {
        return Err(Error::BadArg("exactly one of -s and -r is required".into()));
    }
    if let Some(f) = &cfg.tx_file {
        if std::fs::File::open(f).is_err() {
            return Err(Error::BadArg(format!("cannot read {}", f.display())));
        }
    }
    let sending = cfg.tx_file.is_some();
    cfg.ident = ident.unwrap_or_else(|| {
        if cfg.calling {
            "SPPEER CALLING"
        } else {
            "SPPEER ANSWERING"
        }
        .into()
    });

    // Wall-clock limit, as ref_peer's alarm(): never hang a test or a CI run.
    let wall = std::time::Duration::from_secs_f64(timeout_s.max(0.0) + 30.0);
    std::thread::spawn(move || {
        std::thread::sleep(wall);
        eprintln!("sppeer: wall-clock timeout");
        std::process::exit(3);
    });

    let mut ep = SpFax::new(&cfg)?;
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let (mut tx, mut rx) = ([0i16; BLOCK], [0i16; BLOCK]);
    let (mut txb, mut rxb) = ([0u8; 2 * BLOCK], [0u8; 2 * BLOCK]);
    let mut samples: u64 = 0;
    let mut done_at: Option<u64> = None;
    let mut why = "call ended";
    loop {
        ep.tx(&mut tx);
        for (b, s) in txb.chunks_exact_mut(2).zip(&tx) {
            b.copy_from_slice(&s.to_le_bytes());
        }
        if stdout.write_all(&txb).and_then(|_| stdout.flush()).is_err() {
            why = "write failed (peer gone)";
            break;
        }
        if stdin.read_exact(&mut rxb).is_err() {
            why = "EOF on stdin (peer hung up)";
            break;
        }
        for (s, b) in rx.iter_mut().zip(rxb.chunks_exact(2)) {
            *s = i16::from_le_bytes([b[0], b[1]]);
        }
        ep.rx(&rx);
        samples += BLOCK as u64;
        if ep.done() && done_at.is_none() {
            done_at = Some(samples);
        }
        if done_at.is_some_and(|t| samples - t >= linger * BLOCK as u64) {
            break;
        }
        if samples as f64 > timeout_s * 8000.0 {
            why = "timeout";
            break;
        }
    }
    if !ep.done() {
        ep.terminate();
    }
    let st = ep.stats();
    let pages = if sending { st.pages_tx } else { st.pages_rx };
    let ok = ep.ok() && pages > 0;
    eprintln!(
        "result={} code={} text=\"{}\" pages_tx={} pages_rx={} rate={} compression={} ecm={} bad_rows={} remote=\"{}\" audio_s={:.2} end=\"{why}\"",
        if !ok {
            "FAIL"
        } else if ep.bad_rows_total() > 0 {
            "OK_WITH_BAD_ROWS"
        } else {
            "OK"
        },
        ep.completion(),
        ep.completion_text(),
        st.pages_tx,
        st.pages_rx,
        st.bit_rate,
        st.coding,
        if st.ecm { "on" } else { "off" },
        ep.bad_rows_total(),
        ep.remote_ident(),
        samples as f64 / 8000.0
    );
    Ok(ok)
}
