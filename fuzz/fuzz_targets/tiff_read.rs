//! Fuzz the TIFF Class F reader and the page decoder with hostile files.
//! Run: `cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run tiff_read`
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(pages) = telefax_tiff::read_document(data) {
        for page in pages.iter().take(4) {
            if let Ok((bitmap, report)) = page.decode() {
                assert_eq!(bitmap.height, page.rows);
                assert!(report.rows_decoded <= page.rows);
            }
        }
    }
});
