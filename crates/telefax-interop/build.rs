fn main() {
    println!("cargo::rustc-check-cfg=cfg(have_spandsp)");
    if pkg_config::Config::new()
        .atleast_version("0.0.6")
        .probe("spandsp")
        .is_ok()
    {
        println!("cargo::rustc-cfg=have_spandsp");
    }
}
