//! Root-raised-cosine pulse shaping of the 2400 baud line signal (V.17 §3.1).

/// Roll-off of the root-raised-cosine pulse.
pub(crate) const ROLL_OFF: f32 = 0.5;

/// The root-raised-cosine impulse response at `t` symbol periods from its centre (unit
/// value scale: h(0) = 1 - β + 4β/π).
pub(crate) fn rrc(t: f32, beta: f32) -> f32 {
    use core::f32::consts::PI;
    let t = t as f64;
    let b = beta as f64;
    let pi = PI as f64;
    if t.abs() < 1e-9 {
        return (1.0 - b + 4.0 * b / pi) as f32;
    }
    let x = 4.0 * b * t;
    if (x.abs() - 1.0).abs() < 1e-9 {
        let v = b / 2f64.sqrt()
            * ((1.0 + 2.0 / pi) * (pi / (4.0 * b)).sin()
                + (1.0 - 2.0 / pi) * (pi / (4.0 * b)).cos());
        return v as f32;
    }
    let num = (pi * t * (1.0 - b)).sin() + x * (pi * t * (1.0 + b)).cos();
    let den = pi * t * (1.0 - x * x);
    (num / den) as f32
}
