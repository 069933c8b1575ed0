//! A small `f32` complex number type for baseband processing.
use core::ops::{Add, AddAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A complex number with `f32` parts (real = in-phase, imaginary = quadrature).
///
/// ```
/// use telefax_dsp::Complex32;
/// let a = Complex32::new(1.0, 2.0);
/// assert_eq!(a * a.conj(), Complex32::new(5.0, 0.0));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Complex32 {
    /// Real (in-phase) part.
    pub re: f32,
    /// Imaginary (quadrature) part.
    pub im: f32,
}

impl Complex32 {
    /// Zero.
    pub const ZERO: Self = Self { re: 0.0, im: 0.0 };
    /// One.
    pub const ONE: Self = Self { re: 1.0, im: 0.0 };

    /// A complex number from its parts.
    #[inline]
    pub const fn new(re: f32, im: f32) -> Self {
        Self { re, im }
    }
    /// `r·e^{jθ}`.
    #[inline]
    pub fn from_polar(r: f32, theta: f32) -> Self {
        let (s, c) = theta.sin_cos();
        Self::new(r * c, r * s)
    }
    /// Complex conjugate.
    #[inline]
    pub fn conj(self) -> Self {
        Self::new(self.re, -self.im)
    }
    /// Squared magnitude `re² + im²` (power).
    #[inline]
    pub fn norm_sqr(self) -> f32 {
        self.re * self.re + self.im * self.im
    }
    /// Magnitude.
    #[inline]
    pub fn abs(self) -> f32 {
        self.norm_sqr().sqrt()
    }
    /// Phase angle in radians, in (-π, π].
    #[inline]
    pub fn arg(self) -> f32 {
        self.im.atan2(self.re)
    }
    /// Multiply by a real scale factor.
    #[inline]
    pub fn scale(self, k: f32) -> Self {
        Self::new(self.re * k, self.im * k)
    }
}

impl Add for Complex32 {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        Self::new(self.re + o.re, self.im + o.im)
    }
}
impl Sub for Complex32 {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        Self::new(self.re - o.re, self.im - o.im)
    }
}
impl Mul for Complex32 {
    type Output = Self;
    #[inline]
    fn mul(self, o: Self) -> Self {
        Self::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
        )
    }
}
impl Mul<f32> for Complex32 {
    type Output = Self;
    #[inline]
    fn mul(self, k: f32) -> Self {
        self.scale(k)
    }
}
impl Neg for Complex32 {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::new(-self.re, -self.im)
    }
}
impl AddAssign for Complex32 {
    #[inline]
    fn add_assign(&mut self, o: Self) {
        *self = *self + o;
    }
}
impl SubAssign for Complex32 {
    #[inline]
    fn sub_assign(&mut self, o: Self) {
        *self = *self - o;
    }
}
impl MulAssign for Complex32 {
    #[inline]
    fn mul_assign(&mut self, o: Self) {
        *self = *self * o;
    }
}
impl MulAssign<f32> for Complex32 {
    #[inline]
    fn mul_assign(&mut self, k: f32) {
        *self = *self * k;
    }
}
