//! Write the benchmark pages (`telefax_t4::testpages::bench_pages`) as
//! uncompressed single-strip TIFFs into a directory, for measuring other
//! codecs (libtiff's `tiffcp`, a C driver) on exactly the same pixels.
//!
//! The pages are tagged 204 × 196 dpi (fine resolution) whatever their
//! height: libtiff's 2-D encoder picks K from YResolution (K = 4 above
//! 150 lines per inch, else K = 2, also when the tag is missing), and the
//! telefax side of the comparison codes MR with K = 4.
//!
//! Run: `cargo run -p telefax-t4 --release --example bench_pages_tiff -- DIR`

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    for (name, page) in telefax_t4::testpages::bench_pages() {
        let path = std::path::Path::new(&dir).join(format!("{name}.tif"));
        const N: u32 = 12;
        // Header, entry count, entries, next-IFD offset; then the two
        // resolutions (RATIONAL, 8 bytes each); then the pixels.
        let rationals = 8 + 2 + N * 12 + 4;
        let pixels = rationals + 16;
        let entries: [(u16, u16, u32); N as usize] = [
            (256, 4, page.width),
            (257, 4, page.height),
            (258, 3, 1),
            (259, 3, 1),
            (262, 3, 0),
            (273, 4, pixels),
            (277, 3, 1),
            (278, 4, page.height),
            (279, 4, page.data.len() as u32),
            (282, 5, rationals),
            (283, 5, rationals + 8),
            (296, 3, 2),
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
        for dpi in [204u32, 196] {
            f.extend_from_slice(&dpi.to_le_bytes());
            f.extend_from_slice(&1u32.to_le_bytes());
        }
        debug_assert_eq!(f.len(), pixels as usize);
        f.extend_from_slice(&page.data);
        if let Err(e) = std::fs::write(&path, f) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1);
        }
        println!("{}", path.display());
    }
}
