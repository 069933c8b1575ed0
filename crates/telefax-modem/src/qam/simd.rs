//! Dot products written with independent lane accumulators so that the compiler can
//! vectorize them (floating-point sums are not reassociated otherwise). Lengths must be
//! multiples of [`LANES`]; callers pad their taps with zeros.
//!
//! Each loop carries a single four-lane accumulator, which the compiler turns into packed
//! multiplies and adds on the baseline x86-64 target (SSE2).

/// Accumulator lanes (and the length granularity of the slices).
pub const LANES: usize = 8;

/// Round `n` up to a multiple of [`LANES`].
pub const fn padded(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// `sum a*b` with one four-lane accumulator: the shape the loop vectorizer turns into packed
/// multiplies and adds (several accumulators in one loop end up scalarized).
#[inline(always)]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 4];
    for (x, y) in a.chunks_exact(4).zip(b.chunks_exact(4)) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    (acc[0] + acc[2]) + (acc[1] + acc[3])
}

/// `(sum h*a, sum h*b)` over equal-length slices (length a multiple of [`LANES`]).
#[inline]
pub fn dot_pair(h: &[f32], a: &[f32], b: &[f32]) -> (f32, f32) {
    (dot(h, a), dot(h, b))
}

/// Complex dot product `sum (wr + j wi)(xr + j xi)` over equal-length slices (length a
/// multiple of [`LANES`]); returns `(re, im)`.
#[inline]
pub fn cdot(wr: &[f32], wi: &[f32], xr: &[f32], xi: &[f32]) -> (f32, f32) {
    (dot(wr, xr) - dot(wi, xi), dot(wr, xi) + dot(wi, xr))
}

/// `w += (er * xr + ei * xi, ei * xr - er * xi)` over equal-length slices: the LMS update
/// `w += err * conj(x)` with `err = er + j ei`, in split real/imaginary storage.
#[inline]
pub fn cmac_conj(wr: &mut [f32], wi: &mut [f32], xr: &[f32], xi: &[f32], er: f32, ei: f32) {
    let n = wr.len().min(wi.len()).min(xr.len()).min(xi.len());
    let (wr, wi, xr, xi) = (&mut wr[..n], &mut wi[..n], &xr[..n], &xi[..n]);
    for j in 0..n {
        wr[j] += er * xr[j] + ei * xi[j];
    }
    for j in 0..n {
        wi[j] += ei * xr[j] - er * xi[j];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_products_match_plain_sums() {
        let v: Vec<f32> = (0..32).map(|i| (i as f32 * 0.37).sin()).collect();
        let u: Vec<f32> = (0..32).map(|i| (i as f32 * 0.11).cos()).collect();
        let w: Vec<f32> = (0..32).map(|i| i as f32 * 0.01 - 0.1).collect();
        let (a, b) = dot_pair(&v, &u, &w);
        let ea: f32 = v.iter().zip(&u).map(|(x, y)| x * y).sum();
        let eb: f32 = v.iter().zip(&w).map(|(x, y)| x * y).sum();
        assert!((a - ea).abs() < 1e-4 && (b - eb).abs() < 1e-4);
        let (re, im) = cdot(&v, &u, &w, &v);
        let ere: f32 = (0..32).map(|i| v[i] * w[i] - u[i] * v[i]).sum();
        let eim: f32 = (0..32).map(|i| v[i] * v[i] + u[i] * w[i]).sum();
        assert!((re - ere).abs() < 1e-4 && (im - eim).abs() < 1e-4);
        let (mut wr, mut wi) = (u.clone(), w.clone());
        cmac_conj(&mut wr, &mut wi, &v, &u, 0.5, -0.25);
        for j in 0..32 {
            assert!((wr[j] - (u[j] + 0.5 * v[j] - 0.25 * u[j])).abs() < 1e-6);
            assert!((wi[j] - (w[j] - 0.25 * v[j] - 0.5 * u[j])).abs() < 1e-6);
        }
    }
}
