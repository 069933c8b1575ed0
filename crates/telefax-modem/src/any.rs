//! Run-time choice of modem for the lab, the endpoint and the decoder: [`ModemKind`],
//! options, and [`AnyModulator`] / [`AnyDemodulator`] enums that delegate to the concrete
//! modems.
//!
//! ```
//! use telefax_modem::any::{AnyDemodulator, AnyModulator, ModemKind, RxOptions, TxOptions};
//! let kind: ModemKind = "v21".parse().unwrap();
//! let tx = AnyModulator::new(kind, &TxOptions::default()).unwrap();
//! let rx = AnyDemodulator::new(kind, &RxOptions::default()).unwrap();
//! assert_eq!(tx.kind(), ModemKind::V21);
//! assert_eq!(rx.kind(), ModemKind::V21);
//! ```
use crate::{v17, v21, v27ter, v29, BitSource, Demodulator, ModemError, Modulator, RxSink};
use core::fmt;
use core::str::FromStr;

/// The fax modems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModemKind {
    /// V.21 channel 2, 300 bit/s FSK (T.30 control).
    V21,
    /// V.27ter, 2400/4800 bit/s.
    V27ter,
    /// V.29, 4800/7200/9600 bit/s.
    V29,
    /// V.17, 7200/9600/12000/14400 bit/s.
    V17,
}

impl ModemKind {
    /// The lower-case name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ModemKind::V21 => "v21",
            ModemKind::V27ter => "v27ter",
            ModemKind::V29 => "v29",
            ModemKind::V17 => "v17",
        }
    }
    /// Bit rates of the modem (V.21 §1, V.27ter §1, V.29 §1, V.17 §1).
    pub fn rates(self) -> &'static [u32] {
        match self {
            ModemKind::V21 => &[300],
            ModemKind::V27ter => &[2400, 4800],
            ModemKind::V29 => &[4800, 7200, 9600],
            ModemKind::V17 => &[7200, 9600, 12000, 14400],
        }
    }
    /// The highest rate.
    pub fn default_rate(self) -> u32 {
        *self.rates().last().unwrap_or(&300)
    }
    /// Whether the receiver trains (and reports training ok/failed) before data.
    pub fn has_training(self) -> bool {
        !matches!(self, ModemKind::V21)
    }
    /// Check a rate, giving a typed error.
    pub fn check_rate(self, rate: u32) -> Result<(), ModemError> {
        if self.rates().contains(&rate) {
            Ok(())
        } else {
            Err(ModemError::UnsupportedRate {
                kind: self,
                rate,
                supported: self.rates(),
            })
        }
    }
}

impl fmt::Display for ModemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModemKind {
    type Err = ModemError;
    fn from_str(s: &str) -> Result<Self, ModemError> {
        match s.to_ascii_lowercase().as_str() {
            "v21" | "v.21" => Ok(ModemKind::V21),
            "v27ter" | "v.27ter" | "v27" => Ok(ModemKind::V27ter),
            "v29" | "v.29" => Ok(ModemKind::V29),
            "v17" | "v.17" => Ok(ModemKind::V17),
            _ => Err(ModemError::UnknownModem {
                name: s.to_string(),
            }),
        }
    }
}

/// Transmitter options.
#[derive(Debug, Clone, PartialEq)]
pub struct TxOptions {
    /// Bit rate; 0 picks the modem's highest rate.
    pub rate: u32,
    /// Transmit level in dBm0 (default -13, a usual fax level).
    pub level_dbm0: f32,
    /// Short (re)training, where the modem has one (V.17 §2.5 / T.30 ECM retraining;
    /// V.27ter Table 3, short sequence).
    pub short_train: bool,
}

impl Default for TxOptions {
    fn default() -> Self {
        Self {
            rate: 0,
            level_dbm0: -13.0,
            short_train: false,
        }
    }
}

/// Receiver options.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RxOptions {
    /// Bit rate; 0 picks the modem's highest rate.
    pub rate: u32,
    /// Expect a short training sequence (V.17: after a first long one; V.27ter: from the
    /// first signal on, keeping the equalizer from one signal to the next).
    pub short_train: bool,
}

fn resolve_rate(kind: ModemKind, rate: u32) -> Result<u32, ModemError> {
    let rate = if rate == 0 { kind.default_rate() } else { rate };
    kind.check_rate(rate)?;
    Ok(rate)
}

fn v27ter_rate(kind: ModemKind, rate: u32) -> Result<v27ter::V27terRate, ModemError> {
    v27ter::V27terRate::from_bps(rate).ok_or(ModemError::UnsupportedRate {
        kind,
        rate,
        supported: kind.rates(),
    })
}

fn v17_rate(kind: ModemKind, rate: u32) -> Result<v17::V17Rate, ModemError> {
    v17::V17Rate::from_bps(rate).ok_or(ModemError::UnsupportedRate {
        kind,
        rate,
        supported: kind.rates(),
    })
}

fn v29_rate(kind: ModemKind, rate: u32) -> Result<v29::V29Rate, ModemError> {
    v29::V29Rate::from_bps(rate).ok_or(ModemError::UnsupportedRate {
        kind,
        rate,
        supported: kind.rates(),
    })
}

/// A modulator of any kind.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // built once per transmission
pub enum AnyModulator {
    /// V.21 channel 2.
    V21(v21::V21Tx),
    /// V.27ter.
    V27ter(v27ter::V27terTx),
    /// V.29.
    V29(v29::V29Tx),
    /// V.17.
    V17(v17::V17Tx),
}

impl AnyModulator {
    /// A transmitter for `kind` with `opts`.
    pub fn new(kind: ModemKind, opts: &TxOptions) -> Result<Self, ModemError> {
        let _rate = resolve_rate(kind, opts.rate)?;
        match kind {
            ModemKind::V21 => Ok(Self::V21(v21::V21Tx::new(
                v21::Channel::Two,
                opts.level_dbm0,
            )?)),
            ModemKind::V27ter => Ok(Self::V27ter(
                v27ter::V27terTx::new(v27ter_rate(kind, _rate)?)
                    .with_level(opts.level_dbm0)
                    .with_short_train(opts.short_train),
            )),
            ModemKind::V29 => Ok(Self::V29(
                v29::V29Tx::new(v29_rate(kind, _rate)?).with_level(opts.level_dbm0),
            )),
            ModemKind::V17 => Ok(Self::V17(
                v17::V17Tx::new(v17_rate(kind, _rate)?, opts.short_train)
                    .with_level(opts.level_dbm0),
            )),
            #[allow(unreachable_patterns)]
            _ => Err(ModemError::NotImplemented { kind }),
        }
    }
    /// Which modem this is.
    pub fn kind(&self) -> ModemKind {
        match self {
            Self::V21(_) => ModemKind::V21,
            Self::V27ter(_) => ModemKind::V27ter,
            Self::V29(_) => ModemKind::V29,
            Self::V17(_) => ModemKind::V17,
        }
    }
}

impl Modulator for AnyModulator {
    fn modulate<S: BitSource + ?Sized>(&mut self, out: &mut [i16], bits: &mut S) -> usize {
        match self {
            Self::V21(m) => m.modulate(out, bits),
            Self::V27ter(m) => m.modulate(out, bits),
            Self::V29(m) => m.modulate(out, bits),
            Self::V17(m) => m.modulate(out, bits),
        }
    }
}

/// A demodulator of any kind.
#[derive(Debug, Clone)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)] // built once per reception
pub enum AnyDemodulator {
    /// V.21 channel 2.
    V21(v21::V21Rx),
    /// V.27ter.
    V27ter(v27ter::V27terRx),
    /// V.29.
    V29(v29::V29Rx),
    /// V.17.
    V17(v17::V17Rx),
}

impl AnyDemodulator {
    /// A receiver for `kind` with `opts`.
    pub fn new(kind: ModemKind, opts: &RxOptions) -> Result<Self, ModemError> {
        let _rate = resolve_rate(kind, opts.rate)?;
        match kind {
            ModemKind::V21 => Ok(Self::V21(v21::V21Rx::new(v21::Channel::Two))),
            ModemKind::V27ter => {
                let mut rx = v27ter::V27terRx::new(v27ter_rate(kind, _rate)?);
                rx.set_short_train(opts.short_train);
                rx.set_auto_short_train(opts.short_train);
                Ok(Self::V27ter(rx))
            }
            ModemKind::V29 => Ok(Self::V29(v29::V29Rx::new(v29_rate(kind, _rate)?))),
            ModemKind::V17 => {
                let mut rx = v17::V17Rx::new(v17_rate(kind, _rate)?);
                rx.set_auto_short_train(opts.short_train);
                Ok(Self::V17(rx))
            }
            #[allow(unreachable_patterns)]
            _ => Err(ModemError::NotImplemented { kind }),
        }
    }
    /// Which modem this is.
    pub fn kind(&self) -> ModemKind {
        match self {
            Self::V21(_) => ModemKind::V21,
            Self::V27ter(_) => ModemKind::V27ter,
            Self::V29(_) => ModemKind::V29,
            Self::V17(_) => ModemKind::V17,
        }
    }
}

impl Demodulator for AnyDemodulator {
    fn demodulate<K: RxSink + ?Sized>(&mut self, samples: &[i16], sink: &mut K) {
        match self {
            Self::V21(d) => d.demodulate(samples, sink),
            Self::V27ter(d) => d.demodulate(samples, sink),
            Self::V29(d) => d.demodulate(samples, sink),
            Self::V17(d) => d.demodulate(samples, sink),
        }
    }
    fn reset(&mut self) {
        match self {
            Self::V21(d) => d.reset(),
            Self::V27ter(d) => d.reset(),
            Self::V29(d) => d.reset(),
            Self::V17(d) => d.reset(),
        }
    }
    fn signal_quality_db(&self) -> Option<f32> {
        match self {
            Self::V21(d) => d.signal_quality_db(),
            Self::V27ter(d) => d.signal_quality_db(),
            Self::V29(d) => d.signal_quality_db(),
            Self::V17(d) => d.signal_quality_db(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parse_and_errors() {
        for k in [
            ModemKind::V21,
            ModemKind::V27ter,
            ModemKind::V29,
            ModemKind::V17,
        ] {
            assert_eq!(k.name().parse::<ModemKind>().unwrap(), k);
        }
        assert!(matches!(
            "v34".parse::<ModemKind>(),
            Err(ModemError::UnknownModem { .. })
        ));
        let bad = TxOptions {
            rate: 1200,
            ..TxOptions::default()
        };
        assert!(matches!(
            AnyModulator::new(ModemKind::V21, &bad),
            Err(ModemError::UnsupportedRate { rate: 1200, .. })
        ));
    }
}
