//! telefax: a software fax modem and ITU-T T.30 fax library (sans-IO).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use telefax_dsp as dsp;
pub use telefax_modem as modem;
pub use telefax_t30 as t30;
pub use telefax_t4 as t4;
pub use telefax_tiff as tiff;

pub mod decoder;
pub mod endpoint;
pub mod simulate;
pub use decoder::{CallDecoder, DecoderConfig, DecoderEvent};
pub use endpoint::{Endpoint, EndpointConfig};
