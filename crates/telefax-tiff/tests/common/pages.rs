//! Deterministic test pages (packed bits, 1 = black) shared by the tests and the speed example.
#![allow(dead_code)]
use telefax_t4::Bitmap;

/// A tiny deterministic PRNG (xorshift64*), so pages are the same on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next() >> 33) as u32 % n.max(1)
    }
}

pub fn blank(width: u32, height: u32) -> Bitmap {
    Bitmap {
        width,
        height,
        data: vec![0; (width as usize).div_ceil(8) * height as usize],
    }
}

pub fn set(b: &mut Bitmap, x: u32, y: u32) {
    if x < b.width && y < b.height {
        let stride = (b.width as usize).div_ceil(8);
        b.data[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
    }
}

pub fn get(b: &Bitmap, x: u32, y: u32) -> bool {
    let stride = (b.width as usize).div_ceil(8);
    b.data[y as usize * stride + x as usize / 8] & (0x80 >> (x % 8)) != 0
}

fn fill_rect(b: &mut Bitmap, x0: u32, y0: u32, w: u32, h: u32) {
    for y in y0..(y0 + h).min(b.height) {
        for x in x0..(x0 + w).min(b.width) {
            set(b, x, y);
        }
    }
}

/// Text-like page: lines of random 5x7 "glyphs" scaled by `scale`, with margins and paragraphs.
pub fn text(width: u32, height: u32, scale: u32, seed: u64) -> Bitmap {
    let mut b = blank(width, height);
    let mut rng = Rng::new(seed);
    let (gw, gh) = (6 * scale, 10 * scale);
    let margin = width / 12;
    let mut y = height / 20;
    while y + gh < height - height / 20 {
        if rng.below(8) == 0 {
            y += gh; // paragraph gap
            continue;
        }
        let line_end = width - margin - rng.below(width / 4 + 1);
        let mut x = margin;
        while x + gw < line_end {
            if rng.below(6) == 0 {
                x += gw; // word gap
                continue;
            }
            let glyph = rng.next();
            for gy in 0..7 {
                for gx in 0..5 {
                    if glyph >> (gy * 5 + gx) & 1 != 0 {
                        fill_rect(&mut b, x + gx * scale, y + gy * scale, scale, scale);
                    }
                }
            }
            x += gw;
        }
        y += gh;
    }
    b
}

/// Ordered-dither (Bayer 4x4) rendering of smooth shapes: the worst case for run-length codes.
pub fn dithered(width: u32, height: u32) -> Bitmap {
    telefax_t4::testpages::bayer_wave_page(width, height)
}

/// A nearly blank page: a letterhead line, a signature-like scribble, a page number.
pub fn near_blank(width: u32, height: u32, seed: u64) -> Bitmap {
    let mut b = blank(width, height);
    let mut rng = Rng::new(seed);
    fill_rect(&mut b, width / 10, height / 15, width * 8 / 10, 2);
    let (mut x, mut y) = (width / 2, height * 3 / 4);
    for _ in 0..400 {
        fill_rect(&mut b, x, y, 2, 2);
        x = (x + rng.below(5)).saturating_sub(2).min(width - 1);
        y = (y + rng.below(5)).saturating_sub(2).min(height - 1);
    }
    fill_rect(&mut b, width / 2, height - height / 20, 12, 16);
    b
}

/// Checkerboard with square cells of `cell` pixels.
pub fn checkerboard(width: u32, height: u32, cell: u32) -> Bitmap {
    let mut b = blank(width, height);
    for y in 0..height {
        for x in 0..width {
            if (x / cell + y / cell) % 2 == 0 {
                set(&mut b, x, y);
            }
        }
    }
    b
}

/// Thin lines (1 pixel), diagonals, blank and all-black rows, single pixels at both edges,
/// alternating pixels: the adversarial mix.
pub fn lines(width: u32, height: u32) -> Bitmap {
    let mut b = blank(width, height);
    for y in 0..height {
        match y % 16 {
            0 => fill_rect(&mut b, 0, y, width, 1), // all black row
            1..=3 => {}                             // blank rows
            4 => {
                set(&mut b, 0, y);
                set(&mut b, width - 1, y);
            }
            5 => {
                for x in (0..width).step_by(2) {
                    set(&mut b, x, y);
                }
            }
            6 => {
                for x in (1..width).step_by(2) {
                    set(&mut b, x, y);
                }
            }
            _ => {
                for x in (0..width).step_by(37) {
                    set(&mut b, x, y);
                }
                set(&mut b, (y * 7) % width, y);
                set(&mut b, width - 1 - (y * 3) % width, y);
            }
        }
    }
    b
}

/// Random noise with the given black density in 1/256ths.
pub fn noise(width: u32, height: u32, density: u32, seed: u64) -> Bitmap {
    let mut b = blank(width, height);
    let mut rng = Rng::new(seed);
    for y in 0..height {
        for x in 0..width {
            if rng.below(256) < density {
                set(&mut b, x, y);
            }
        }
    }
    b
}

/// A page mixing every pattern above in horizontal bands.
pub fn mixed(width: u32, height: u32, seed: u64) -> Bitmap {
    let parts = [
        text(width, height, 2, seed),
        lines(width, height),
        checkerboard(width, height, 3),
        dithered(width, height),
        noise(width, height, 40, seed),
    ];
    let stride = (width as usize).div_ceil(8);
    let mut b = blank(width, height);
    for y in 0..height as usize {
        let src = &parts[(y / 23) % parts.len()];
        b.data[y * stride..(y + 1) * stride]
            .copy_from_slice(&src.data[y * stride..(y + 1) * stride]);
    }
    b
}
