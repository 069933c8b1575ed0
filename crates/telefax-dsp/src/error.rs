//! The error type of this crate.

/// Errors from constructing DSP blocks or the line simulator with bad parameters.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DspError {
    /// A parameter is outside the range the block supports.
    #[error("invalid parameter {name} = {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// What range is accepted.
        reason: &'static str,
    },
}

pub(crate) fn check(
    ok: bool,
    name: &'static str,
    value: f64,
    reason: &'static str,
) -> Result<(), DspError> {
    if ok {
        Ok(())
    } else {
        Err(DspError::InvalidParameter {
            name,
            value,
            reason,
        })
    }
}
