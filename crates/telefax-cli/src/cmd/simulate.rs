//! `telefax simulate` (not implemented yet).
use std::process::ExitCode;

/// Arguments of `telefax simulate`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `telefax simulate`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`telefax simulate` is not implemented yet")
}
