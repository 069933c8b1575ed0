//! `telefax peer` (not implemented yet).
use std::process::ExitCode;

/// Arguments of `telefax peer`.
#[derive(clap::Args)]
pub struct Args {}

/// Run `telefax peer`.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`telefax peer` is not implemented yet")
}
