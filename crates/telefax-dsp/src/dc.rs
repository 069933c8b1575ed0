//! DC blocking: a one-pole high-pass `y[n] = x[n] - x[n-1] + r·y[n-1]`.

/// A DC blocker.
///
/// ```
/// use telefax_dsp::dc::DcBlocker;
/// let mut d = DcBlocker::new(0.995);
/// let mut y = 0.0;
/// for _ in 0..5000 { y = d.filter(100.0); }
/// assert!(y.abs() < 0.01);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DcBlocker {
    r: f32,
    x1: f32,
    y1: f32,
}

impl DcBlocker {
    /// A blocker with pole radius `r` (0.99..0.9995 typical; closer to 1 = narrower notch).
    pub fn new(r: f32) -> Self {
        Self {
            r: r.clamp(0.0, 0.99999),
            x1: 0.0,
            y1: 0.0,
        }
    }
    /// Filter one sample.
    #[inline]
    pub fn filter(&mut self, x: f32) -> f32 {
        let y = x - self.x1 + self.r * self.y1;
        self.x1 = x;
        self.y1 = y;
        y
    }
    /// Clear the state.
    pub fn reset(&mut self) {
        self.x1 = 0.0;
        self.y1 = 0.0;
    }
}
