//! Constellations: small point sets with nearest-point slicing.

use super::Complex32;

/// A constellation of at most 16 points.
#[derive(Debug, Clone, PartialEq)]
pub struct Constellation {
    points: [Complex32; 16],
    len: usize,
    mean_energy: f32,
}

impl Constellation {
    /// A constellation from `points` (1 to 16 of them; extra points are ignored).
    pub fn new(points: &[Complex32]) -> Self {
        let len = points.len().clamp(1, 16);
        let mut p = [Complex32::ZERO; 16];
        p[..len].copy_from_slice(&points[..len]);
        let mean_energy = p[..len].iter().map(|x| x.norm_sqr()).sum::<f32>() / len as f32;
        Constellation {
            points: p,
            len,
            mean_energy,
        }
    }

    /// The points.
    pub fn points(&self) -> &[Complex32] {
        &self.points[..self.len]
    }

    /// Mean energy of the points (all equally likely).
    pub fn mean_energy(&self) -> f32 {
        self.mean_energy
    }

    /// Index of the point nearest to `q`.
    #[inline]
    pub fn slice(&self, q: Complex32) -> usize {
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

    /// Point `i`.
    #[inline]
    pub fn point(&self, i: usize) -> Complex32 {
        self.points[i]
    }
}
