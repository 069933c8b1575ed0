//! Print the interop matrix of our fax endpoint against spandsp 0.0.6 as a markdown table
//! (issue 7, "Proof"): `cargo run -p telefax-interop --release --example interop_matrix`.
//! An optional argument keeps only the cases whose name contains it. Exits 1 if any case
//! failed.

#[cfg(have_spandsp)]
#[path = "../tests/matrix/mod.rs"]
mod matrix;

#[cfg(have_spandsp)]
fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    println!("{}", matrix::Case::header());
    let mut failed = 0;
    for case in matrix::cases().iter().filter(|c| c.name.contains(&filter)) {
        let t = std::time::Instant::now();
        let o = matrix::run(case);
        eprintln!(
            "{}: {} in {:.2} s CPU-wall: {}",
            case.name,
            if o.pass { "pass" } else { "FAIL" },
            t.elapsed().as_secs_f64(),
            o.detail
        );
        println!("{}", case.row(&o));
        if !o.pass {
            failed += 1;
        }
    }
    if failed > 0 {
        eprintln!("{failed} case(s) failed");
        std::process::exit(1);
    }
}

#[cfg(not(have_spandsp))]
fn main() {
    eprintln!("interop_matrix: built without libspandsp (install libspandsp-dev and pkg-config)");
    std::process::exit(2);
}
