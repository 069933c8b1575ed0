//! Write the benchmark pages (`telefax_t4::testpages::bench_pages`) as
//! uncompressed single-strip TIFFs into a directory, for measuring other
//! codecs (libtiff's `tiffcp`, a C driver) on exactly the same pixels.
//!
//! Run: `cargo run -p telefax-t4 --release --example bench_pages_tiff -- DIR`

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    for (name, page) in telefax_t4::testpages::bench_pages() {
        let path = std::path::Path::new(&dir).join(format!("{name}.tif"));
        let entries: [(u16, u16, u32); 9] = [
            (256, 4, page.width),
            (257, 4, page.height),
            (258, 3, 1),
            (259, 3, 1),
            (262, 3, 0),
            (273, 4, 8 + 2 + 9 * 12 + 4),
            (277, 3, 1),
            (278, 4, page.height),
            (279, 4, page.data.len() as u32),
        ];
        let mut f = Vec::new();
        f.extend_from_slice(b"II*\0");
        f.extend_from_slice(&8u32.to_le_bytes());
        f.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        for (tag, typ, val) in entries {
            f.extend_from_slice(&tag.to_le_bytes());
            f.extend_from_slice(&typ.to_le_bytes());
            f.extend_from_slice(&1u32.to_le_bytes());
            if typ == 3 {
                f.extend_from_slice(&(val as u16).to_le_bytes());
                f.extend_from_slice(&[0, 0]);
            } else {
                f.extend_from_slice(&val.to_le_bytes());
            }
        }
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(&page.data);
        if let Err(e) = std::fs::write(&path, f) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1);
        }
        println!("{}", path.display());
    }
}
