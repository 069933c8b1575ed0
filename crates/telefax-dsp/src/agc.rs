//! Automatic gain control: scales a signal towards a target RMS level.
use crate::Complex32;

/// A feed-forward AGC with separate attack (gain falling) and decay (gain rising) speeds.
///
/// ```
/// use telefax_dsp::agc::Agc;
/// let mut agc = Agc::new(1.0, 0.01, 0.001);
/// let mut y = 0.0;
/// for i in 0..20_000 { y = agc.process(0.01 * (i as f32 * 0.5).sin()); }
/// assert!(agc.gain() > 50.0 && y.abs() < 2.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agc {
    target_power: f32,
    attack: f32,
    decay: f32,
    power: f32,
    gain: f32,
    max_gain: f32,
    frozen: bool,
}

impl Agc {
    /// An AGC aiming at RMS `target_rms`; `attack` and `decay` are the one-pole averaging
    /// coefficients (0..1) used when the level rises and falls.
    pub fn new(target_rms: f32, attack: f32, decay: f32) -> Self {
        Self {
            target_power: target_rms * target_rms,
            attack: attack.clamp(1e-6, 1.0),
            decay: decay.clamp(1e-6, 1.0),
            power: target_rms * target_rms,
            gain: 1.0,
            max_gain: 1e6,
            frozen: false,
        }
    }
    /// Limit the gain (default 10⁶).
    pub fn set_max_gain(&mut self, g: f32) {
        self.max_gain = g;
    }
    /// Freeze or release the gain (modems freeze it after training).
    pub fn freeze(&mut self, frozen: bool) {
        self.frozen = frozen;
    }
    /// Set the gain directly (e.g. from a power measured during training).
    pub fn set_gain(&mut self, g: f32) {
        self.gain = g.min(self.max_gain);
        self.power = self.target_power / (self.gain * self.gain).max(1e-30);
    }
    /// The current gain.
    pub fn gain(&self) -> f32 {
        self.gain
    }
    #[inline]
    fn track(&mut self, p: f32) {
        if self.frozen {
            return;
        }
        let a = if p > self.power {
            self.attack
        } else {
            self.decay
        };
        self.power += a * (p - self.power);
        self.gain = (self.target_power / self.power.max(1e-30))
            .sqrt()
            .min(self.max_gain);
    }
    /// Scale one real sample and update the level estimate.
    #[inline]
    pub fn process(&mut self, x: f32) -> f32 {
        self.track(x * x);
        x * self.gain
    }
    /// Scale one complex sample (power = |z|²).
    #[inline]
    pub fn process_complex(&mut self, z: Complex32) -> Complex32 {
        self.track(z.norm_sqr());
        z * self.gain
    }
}
