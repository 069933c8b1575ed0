//! Deterministic synthetic pages for tests, benchmarks and comparison
//! scripts (not part of the stable API).
//!
//! Every generator is a pure function of its arguments.

use crate::Bitmap;

/// A small xorshift generator, so pages are the same on every machine.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// Seeded generator (seed 0 is remapped).
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        (((self.next_u64() >> 32) * u64::from(n.max(1))) >> 32) as u32
    }
}

fn fill_rect(p: &mut Bitmap, x0: u32, y0: u32, w: u32, h: u32) {
    for y in y0..(y0 + h).min(p.height) {
        for x in x0..(x0 + w).min(p.width) {
            p.set(x, y, true);
        }
    }
}

/// A dense text-like page: lines of glyph blocks (random 5x7 glyphs scaled
/// to the resolution), word gaps, margins, like a typed letter.
pub fn text_page(width: u32, height: u32, seed: u64) -> Bitmap {
    let mut p = Bitmap::new(width, height);
    let mut rng = XorShift::new(seed);
    let glyphs: Vec<[u8; 7]> = (0..64)
        .map(|_| {
            let mut g = [0u8; 7];
            for r in &mut g {
                *r = (rng.next_u64() & 0x1F) as u8;
            }
            g
        })
        .collect();
    let sx = (width / 864).max(1);
    let sy = (height / 800).max(1) + 1;
    let cell_w = 6 * sx + 1;
    let line_h = 7 * sy + 3 * sy + 2;
    let margin = width / 12;
    let mut y = height / 20;
    while y + 7 * sy < height.saturating_sub(height / 20) {
        let line_end = width.saturating_sub(margin + rng.below(width / 4 + 1));
        let mut x = margin;
        while x + cell_w < line_end {
            if rng.below(7) == 0 {
                x += cell_w;
                continue;
            }
            let g = &glyphs[rng.below(64) as usize];
            for (gy, bits) in g.iter().enumerate() {
                for gx in 0..5 {
                    if bits & (0x10 >> gx) != 0 {
                        fill_rect(&mut p, x + gx * sx, y + gy as u32 * sy, sx, sy);
                    }
                }
            }
            x += cell_w;
        }
        y += line_h;
        if rng.below(8) == 0 {
            y += line_h; // paragraph gap
        }
    }
    p
}

/// A dithered page: a smooth grey picture (gradients and discs) rendered
/// with an 8x8 ordered dither, the hardest case for run-length codes.
pub fn dithered_page(width: u32, height: u32, seed: u64) -> Bitmap {
    const BAYER: [[u8; 8]; 8] = [
        [0, 32, 8, 40, 2, 34, 10, 42],
        [48, 16, 56, 24, 50, 18, 58, 26],
        [12, 44, 4, 36, 14, 46, 6, 38],
        [60, 28, 52, 20, 62, 30, 54, 22],
        [3, 35, 11, 43, 1, 33, 9, 41],
        [51, 19, 59, 27, 49, 17, 57, 25],
        [15, 47, 7, 39, 13, 45, 5, 37],
        [63, 31, 55, 23, 61, 29, 53, 21],
    ];
    let mut p = Bitmap::new(width, height);
    let mut rng = XorShift::new(seed);
    let discs: Vec<(i64, i64, i64)> = (0..6)
        .map(|_| {
            (
                i64::from(rng.below(width)),
                i64::from(rng.below(height)),
                i64::from(rng.below(width / 3 + 1) + 8),
            )
        })
        .collect();
    for y in 0..height {
        for x in 0..width {
            let mut g = (u64::from(x) * 64 / u64::from(width)) as i64;
            for &(cx, cy, r) in &discs {
                let dx = i64::from(x) - cx;
                let dy = i64::from(y) - cy;
                if dx * dx + dy * dy < r * r {
                    g = 63 - g / 2;
                }
            }
            if g > i64::from(BAYER[(y % 8) as usize][(x % 8) as usize]) {
                p.set(x, y, true);
            }
        }
    }
    p
}

/// An error-diffused page: the same kind of grey picture as
/// [`dithered_page`] (a gradient and discs, plus a gentle texture) rendered
/// with Floyd-Steinberg error diffusion, as scanners and fax drivers render
/// photographs. Unlike ordered dither, its rows have no repeating pattern,
/// so runs and 2-D codes follow each other irregularly.
pub fn diffused_page(width: u32, height: u32, seed: u64) -> Bitmap {
    let mut p = Bitmap::new(width, height);
    let mut rng = XorShift::new(seed);
    let discs: Vec<(i64, i64, i64)> = (0..8)
        .map(|_| {
            (
                i64::from(rng.below(width)),
                i64::from(rng.below(height)),
                i64::from(rng.below(width / 4 + 1) + 16),
            )
        })
        .collect();
    let w = width as usize;
    // Grey levels 0 (white) ..= 4096 (black) with the error carried to this
    // row (`cur`) and the next (`next`), one guard entry each side.
    let mut cur = vec![0i32; w + 2];
    let mut next = vec![0i32; w + 2];
    for y in 0..height {
        for x in 0..width {
            let mut g = (i64::from(x) * 3700 / i64::from(width)) + 200;
            for &(cx, cy, r) in &discs {
                let (dx, dy) = (i64::from(x) - cx, i64::from(y) - cy);
                if dx * dx + dy * dy < r * r {
                    g = 4096 - g * 7 / 10;
                }
            }
            // A texture of a few per cent, so flat areas are not flat.
            g += i64::from(rng.below(257)) - 128;
            let i = x as usize + 1;
            let v = g as i32 + cur[i];
            let black = v >= 2048;
            if black {
                p.set(x, y, true);
            }
            let e = v - if black { 4096 } else { 0 };
            cur[i + 1] += e * 7 / 16;
            next[i - 1] += e * 3 / 16;
            next[i] += e * 5 / 16;
            next[i + 1] += e / 16;
        }
        std::mem::swap(&mut cur, &mut next);
        next.iter_mut().for_each(|v| *v = 0);
    }
    p
}

/// A grey wave (rings times a slow horizontal cosine) under a 4x4 ordered
/// dither: the grey level changes every few pixels, so the 2-D codes form
/// short repeating cycles (T.4 §4.2.1.3.2) broken every few dozen codes,
/// the hardest ordered-dither case for a 2-D decoder.
pub fn bayer_wave_page(width: u32, height: u32) -> Bitmap {
    const BAYER: [[u32; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];
    let mut p = Bitmap::new(width, height);
    let (cx, cy) = (f64::from(width) / 2.0, f64::from(height) / 2.0);
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
            let r = (dx * dx + dy * dy).sqrt();
            let v = 0.5 + 0.5 * (r / 37.0).sin() * (f64::from(x) / 211.0).cos();
            let level = (v * 16.0) as u32;
            if level > BAYER[(y % 4) as usize][(x % 4) as usize] {
                p.set(x, y, true);
            }
        }
    }
    p
}

/// A near-blank page: a letterhead line, a signature scribble and a rule.
pub fn blank_page(width: u32, height: u32, seed: u64) -> Bitmap {
    let mut p = Bitmap::new(width, height);
    let head = text_page(width, (height / 25).max(1), seed);
    p.data[..head.data.len()].copy_from_slice(&head.data);
    let y = height * 2 / 3;
    fill_rect(&mut p, width / 10, y, width * 8 / 10, 2);
    let mut rng = XorShift::new(seed ^ 0x5151);
    let (mut sx, mut sy) = (width / 2, y.saturating_sub(40));
    for _ in 0..300 {
        fill_rect(&mut p, sx, sy, 3, 3);
        sx = (sx + rng.below(5)).saturating_sub(1).min(width - 1);
        sy = (sy + rng.below(5)).saturating_sub(2).min(height - 1);
    }
    p
}

/// A checkerboard of `cell`-pixel squares.
pub fn checkerboard(width: u32, height: u32, cell: u32) -> Bitmap {
    let cell = cell.max(1);
    let mut p = Bitmap::new(width, height);
    for y in 0..height {
        for x in 0..width {
            if (x / cell + y / cell) % 2 == 1 {
                p.set(x, y, true);
            }
        }
    }
    p
}

/// Thin lines: verticals, horizontals and diagonals, 1 pixel wide.
pub fn lines_page(width: u32, height: u32) -> Bitmap {
    let mut p = Bitmap::new(width, height);
    for y in 0..height {
        for x in 0..width {
            let on = x % 37 == 0
                || y % 29 == 0
                || (x + y) % 53 == 0
                || (x + 2 * y) % 101 == 0
                || x == width - 1;
            p.set(x, y, on);
        }
    }
    p
}

/// Uniform random pixels with black probability `black_per_256 / 256`.
pub fn noise_page(width: u32, height: u32, black_per_256: u32, seed: u64) -> Bitmap {
    let mut p = Bitmap::new(width, height);
    let mut rng = XorShift::new(seed);
    for y in 0..height {
        for x in 0..width {
            if rng.below(256) < black_per_256 {
                p.set(x, y, true);
            }
        }
    }
    p
}

/// A mix of adversarial rows, cycling: all white, all black, alternating
/// pixels, single pixels at either edge, runs longer than 2560, random.
pub fn adversarial_page(width: u32, height: u32, seed: u64) -> Bitmap {
    let mut p = Bitmap::new(width, height);
    let mut rng = XorShift::new(seed);
    for y in 0..height {
        match y % 9 {
            0 => {}
            1 => fill_rect(&mut p, 0, y, width, 1),
            2 => (0..width).step_by(2).for_each(|x| p.set(x, y, true)),
            3 => (1..width).step_by(2).for_each(|x| p.set(x, y, true)),
            4 => p.set(0, y, true),
            5 => p.set(width - 1, y, true),
            6 => {
                p.set(0, y, true);
                p.set(width - 1, y, true);
            }
            7 => {
                let a = rng.below(width);
                fill_rect(&mut p, a, y, width, 1);
            }
            _ => (0..width).for_each(|x| p.set(x, y, rng.below(2) == 0)),
        }
    }
    p
}

/// The names of the benchmark pages ([`bench_pages`]).
pub const BENCH_PAGES: [&str; 6] = [
    "text_fine",
    "dithered",
    "near_blank",
    "text_std",
    "diffused",
    "bayer_wave",
];

/// One benchmark page by name (see [`BENCH_PAGES`]), or `None`.
pub fn bench_page(name: &str) -> Option<Bitmap> {
    Some(match name {
        "text_fine" => text_page(1728, 2287, 1),
        "dithered" => dithered_page(1728, 1143, 2),
        "near_blank" => blank_page(1728, 1143, 3),
        "text_std" => text_page(1728, 1143, 4),
        "diffused" => diffused_page(1728, 1143, 5),
        "bayer_wave" => bayer_wave_page(1728, 1143),
        _ => return None,
    })
}

/// The benchmark set: (name, page). A4 at 1728 pixels wide; the
/// "fine" pages are 1728x2287 (A4 at 7.7 lines/mm).
pub fn bench_pages() -> Vec<(&'static str, Bitmap)> {
    BENCH_PAGES
        .iter()
        .filter_map(|&n| bench_page(n).map(|p| (n, p)))
        .collect()
}
