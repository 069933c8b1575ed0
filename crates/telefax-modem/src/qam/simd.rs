//! Dot products written with independent lane accumulators so that the compiler can
//! vectorize them (floating-point sums are not reassociated otherwise). Lengths must be
//! multiples of [`LANES`]; callers pad their taps with zeros.

/// Accumulator lanes (and the length granularity of the slices).
pub const LANES: usize = 8;

/// Round `n` up to a multiple of [`LANES`].
pub const fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// `(sum h*a, sum h*b)` over equal-length slices (length a multiple of [`LANES`]).
#[inline]
pub fn dot_pair(h: &[f32], a: &[f32], b: &[f32]) -> (f32, f32) {
    let mut sa = [0f32; LANES];
    let mut sb = [0f32; LANES];
    for ((hc, ac), bc) in h
        .chunks_exact(LANES)
        .zip(a.chunks_exact(LANES))
        .zip(b.chunks_exact(LANES))
    {
        for l in 0..LANES {
            sa[l] += hc[l] * ac[l];
            sb[l] += hc[l] * bc[l];
        }
    }
    (sa.iter().sum(), sb.iter().sum())
}

/// Complex dot product `sum (wr + j wi)(xr + j xi)` over equal-length slices (length a
/// multiple of [`LANES`]); returns `(re, im)`.
#[inline]
pub fn cdot(wr: &[f32], wi: &[f32], xr: &[f32], xi: &[f32]) -> (f32, f32) {
    let mut re = [0f32; LANES];
    let mut im = [0f32; LANES];
    for (((a, b), c), d) in wr
        .chunks_exact(LANES)
        .zip(wi.chunks_exact(LANES))
        .zip(xr.chunks_exact(LANES))
        .zip(xi.chunks_exact(LANES))
    {
        for l in 0..LANES {
            re[l] += a[l] * c[l] - b[l] * d[l];
            im[l] += a[l] * d[l] + b[l] * c[l];
        }
    }
    (re.iter().sum(), im.iter().sum())
}
