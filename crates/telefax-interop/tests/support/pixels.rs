//! Comparing received pages with the pages sent (shared by the `common` and `matrix` test
//! modules).

use telefax_t4::Bitmap;

/// Number of pixels that differ between two pages, or `None` if their sizes differ.
pub fn pixel_diff(a: &Bitmap, b: &Bitmap) -> Option<u64> {
    if (a.width, a.height) != (b.width, b.height) {
        return None;
    }
    Some(
        (0..a.height)
            .map(|y| {
                a.row(y)
                    .iter()
                    .zip(b.row(y))
                    .map(|(x, y)| u64::from((x ^ y).count_ones()))
                    .sum::<u64>()
            })
            .sum(),
    )
}
