//! spcall: two spandsp 0.0.6 fax endpoints back to back (like refharness `ref_call`), writing
//! the received TIFF and optionally the call as a stereo WAV (left = caller to answerer,
//! right = answerer to caller, each as the far receiver heard it) and a mono mix.
//!
//! ```text
//! spcall -i send.tif -o recv.tif [-m v27ter,v29,v17|all] [-e 0|1] [-c mh,mr,mmr|all]
//!        [-n NOISE_DBM0] [-a ATTEN_DB] [-S SEED] [-w stereo.wav] [-W mono.wav] [-t SECONDS] [-v]
//!        [-I CALLER_TSI] [-J ANSWERER_CSI]
//! ```
//! Prints one `result=OK code=0 ...` line; exit status 0 only when the call succeeded.

#[cfg(not(have_spandsp))]
fn main() {
    eprintln!(
        "spcall: built without libspandsp (install libspandsp-dev and pkg-config, then rebuild)"
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
            eprintln!("spcall: {e}");
            eprintln!(
                "usage: spcall -i send.tif -o recv.tif [-m v27ter,v29,v17|all] [-e 0|1] [-c mh,mr,mmr|all]\n              [-n NOISE_DBM0] [-a ATTEN_DB] [-S SEED] [-w stereo.wav] [-W mono.wav] [-t SECONDS] [-v]\n              [-I CALLER_TSI] [-J ANSWERER_CSI]"
            );
            std::process::exit(2);
        }
    }
}

#[cfg(have_spandsp)]
fn run(args: &[String]) -> Result<bool, telefax_interop::Error> {
    use std::path::PathBuf;
    use telefax_interop::call::{run_call, CallConfig};
    use telefax_interop::sp::{FaxCodings, FaxModems};
    use telefax_interop::{wav, Error};

    let mut send = None;
    let mut recv = None;
    let mut cfg = CallConfig::new("", "");
    let (mut stereo, mut mono): (Option<PathBuf>, Option<PathBuf>) = (None, None);
    let num = |s: &str| {
        s.parse::<f64>()
            .map_err(|_| Error::BadArg(format!("not a number: {s}")))
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-v" {
            cfg.verbose = true;
            continue;
        }
        let v = it
            .next()
            .ok_or_else(|| Error::BadArg(format!("{a} needs a value")))?;
        match a.as_str() {
            "-i" => send = Some(PathBuf::from(v)),
            "-o" => recv = Some(PathBuf::from(v)),
            "-m" => cfg.modems = FaxModems::parse(v)?,
            "-e" => cfg.ecm = num(v)? != 0.0,
            "-c" => cfg.codings = FaxCodings::parse(v)?,
            "-n" => cfg.noise_dbm0 = Some(num(v)? as f32),
            "-a" => cfg.atten_db = num(v)? as f32,
            "-S" => cfg.seed = num(v)? as i32,
            "-w" => stereo = Some(PathBuf::from(v)),
            "-W" => mono = Some(PathBuf::from(v)),
            "-t" => cfg.timeout_s = num(v)?,
            "-I" => cfg.caller_ident = v.clone(),
            "-J" => cfg.answerer_ident = v.clone(),
            _ => return Err(Error::BadArg(format!("unknown option {a}"))),
        }
    }
    cfg.send = send.ok_or_else(|| Error::BadArg("-i send.tif is required".into()))?;
    cfg.receive = recv.ok_or_else(|| Error::BadArg("-o recv.tif is required".into()))?;
    if std::fs::metadata(&cfg.send).is_err() {
        return Err(Error::BadArg(format!("cannot read {}", cfg.send.display())));
    }
    cfg.record = stereo.is_some() || mono.is_some();
    let r = run_call(&cfg)?;
    if let Some(p) = &stereo {
        wav::write_stereo(p, &r.left, &r.right)?;
    }
    if let Some(p) = &mono {
        let mix: Vec<i16> = r
            .left
            .iter()
            .zip(&r.right)
            .map(|(&a, &b)| a.saturating_add(b))
            .collect();
        wav::write_mono(p, &mix)?;
    }
    println!("{}", r.line());
    Ok(r.ok())
}
