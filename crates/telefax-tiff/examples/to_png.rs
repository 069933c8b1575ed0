//! Decode one page of a fax TIFF to a PNG preview, printing the decode report.
//!
//! `cargo run -p telefax-tiff --example to_png -- IN.tif OUT.png [PAGE]`
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: to_png IN.tif OUT.png [PAGE (1-based)]".into());
    }
    let page: usize = args.get(3).map_or(Ok(1), |p| p.parse())?;
    let pages = telefax_tiff::read_document(&std::fs::read(&args[1])?)?;
    let p = pages.get(page.saturating_sub(1)).ok_or("no such page")?;
    let (bitmap, report) = p.decode()?;
    println!("{}x{} {:?}", bitmap.width, bitmap.height, report);
    std::fs::write(&args[2], telefax_tiff::png::write_png(&bitmap)?)?;
    Ok(())
}
