//! One module per subcommand.
pub mod call;
pub mod convert;
pub mod decode;
pub mod info;
pub mod modem;
pub mod peer;
pub mod simulate;
