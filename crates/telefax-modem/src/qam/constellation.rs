//! Constellations: small point sets with nearest-point slicing.
//!
//! Slicing uses a coarse lookup grid over the constellation: a grid cell whose four corners
//! share one nearest point lies wholly inside that point's (convex) decision region, so its
//! answer is exact; only cells crossed by a decision boundary, and inputs off the grid, fall
//! back to comparing distances to every point.

use super::Complex32;

/// Cells per side of the slicing grid.
const GRID: usize = 32;
/// Grid entry for "ask every point".
const AMBIGUOUS: u8 = u8::MAX;

/// A constellation of at most 16 points.
#[derive(Debug, Clone, PartialEq)]
pub struct Constellation {
    points: [Complex32; 16],
    len: usize,
    mean_energy: f32,
    /// Lower-left corner of the grid and its inverse cell size.
    origin: f32,
    inv_cell: f32,
    grid: [u8; GRID * GRID],
}

impl Constellation {
    /// A constellation from `points` (1 to 16 of them; extra points are ignored).
    pub fn new(points: &[Complex32]) -> Self {
        let n = points.len().min(16);
        let mut p = [Complex32::ZERO; 16];
        p[..n].copy_from_slice(&points[..n]);
        let len = n.max(1);
        let mean_energy = p[..len].iter().map(|x| x.norm_sqr()).sum::<f32>() / len as f32;
        let reach = p[..len]
            .iter()
            .map(|x| x.re.abs().max(x.im.abs()))
            .fold(0.0f32, f32::max)
            .max(1e-3)
            * 1.3;
        let cell = 2.0 * reach / GRID as f32;
        let mut c = Constellation {
            points: p,
            len,
            mean_energy,
            origin: -reach,
            inv_cell: 1.0 / cell,
            grid: [AMBIGUOUS; GRID * GRID],
        };
        // The nearest point at every grid corner, computed once (a cell shares its corners
        // with its neighbours).
        let mut corners = [0u8; (GRID + 1) * (GRID + 1)];
        for (i, k) in corners.iter_mut().enumerate() {
            let (gx, gy) = (i % (GRID + 1), i / (GRID + 1));
            *k = c.nearest(Complex32::new(
                -reach + gx as f32 * cell,
                -reach + gy as f32 * cell,
            )) as u8;
        }
        for gy in 0..GRID {
            for gx in 0..GRID {
                let corner = |dx: usize, dy: usize| corners[(gy + dy) * (GRID + 1) + gx + dx];
                let n = corner(0, 0);
                if corner(1, 0) == n && corner(0, 1) == n && corner(1, 1) == n {
                    c.grid[gy * GRID + gx] = n;
                }
            }
        }
        c
    }

    /// The points.
    pub fn points(&self) -> &[Complex32] {
        &self.points[..self.len]
    }

    /// Mean energy of the points (all equally likely).
    pub fn mean_energy(&self) -> f32 {
        self.mean_energy
    }

    /// Index of the point nearest to `q` by comparing every distance.
    fn nearest(&self, q: Complex32) -> usize {
        let mut best = 0;
        let mut bd = f32::INFINITY;
        for (i, p) in self.points[..self.len].iter().enumerate() {
            let d = (q - *p).norm_sqr();
            if d < bd {
                bd = d;
                best = i;
            }
        }
        best
    }

    /// Index of the point nearest to `q`.
    #[inline]
    pub fn slice(&self, q: Complex32) -> usize {
        let fx = (q.re - self.origin) * self.inv_cell;
        let fy = (q.im - self.origin) * self.inv_cell;
        // Written so that NaN fails the test; the conversions go through i32 (one
        // instruction on x86-64, where f32 to usize is several).
        if fx >= 0.0 && fy >= 0.0 && fx < GRID as f32 && fy < GRID as f32 {
            // Both coordinates are in 0..GRID here, so the mask changes nothing (it only
            // spares the bounds check).
            let cell = ((fy as i32 as usize) * GRID + fx as i32 as usize) & (GRID * GRID - 1);
            let g = self.grid[cell];
            if g != AMBIGUOUS {
                return usize::from(g);
            }
        }
        self.nearest(q)
    }

    /// Point `i`.
    #[inline]
    pub fn point(&self, i: usize) -> Complex32 {
        self.points[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_slicing_equals_exhaustive_search() {
        let v29: Vec<Complex32> = [(-3, 0), (3, 0), (0, 3), (0, -3), (1, 1), (-1, 1), (5, 0)]
            .iter()
            .map(|&(a, b)| Complex32::new(a as f32, b as f32))
            .chain([Complex32::new(3.0, 3.0), Complex32::new(-3.0, -3.0)])
            .collect();
        let psk: Vec<Complex32> = (0..8)
            .map(|k| Complex32::from_polar(1.0, k as f32 * std::f32::consts::FRAC_PI_4))
            .collect();
        for pts in [v29, psk] {
            let c = Constellation::new(&pts);
            let mut seed = 7u32;
            let mut resolved = 0;
            for _ in 0..20000 {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let a = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let b = (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                let q = Complex32::new(a * 16.0, b * 16.0);
                let i = c.slice(q);
                let d = (q - c.point(i)).norm_sqr();
                assert!(pts.iter().all(|p| (q - *p).norm_sqr() >= d), "{q:?}");
                resolved += usize::from(c.nearest(q) == i);
            }
            assert_eq!(resolved, 20000);
            assert!(c.grid.iter().filter(|&&g| g != AMBIGUOUS).count() > GRID * GRID / 2);
        }
        assert_eq!(Constellation::new(&[]).len, 1);
        let c = Constellation::new(&[Complex32::ONE, -Complex32::ONE]);
        assert_eq!(c.slice(Complex32::new(f32::NAN, 0.0)), 0);
    }
}
