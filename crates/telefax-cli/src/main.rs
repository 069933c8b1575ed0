//! The `telefax` command-line tool: decode recordings, convert and inspect fax pages, the modem
//! lab, and real or simulated calls.
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Print a line on stdout. A closed pipe (`telefax info X | head`) ends the program quietly
/// with success instead of panicking, as command-line tools do.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            panic!("failed printing to stdout: {e}");
        }
    }};
}

mod audio;
mod cmd;

/// telefax: a software fax modem and ITU-T T.30 fax tool.
#[derive(Parser)]
#[command(name = "telefax", version, about)]
struct Cli {
    /// More log output on stderr (-v: debug, -vv: trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode a recording of a fax call (WAV or raw audio) into pages.
    Decode(cmd::decode::Args),
    /// Convert the pages of a fax TIFF to another coding.
    Convert(cmd::convert::Args),
    /// Show the pages of a fax TIFF: size, resolution, coding, damaged rows.
    Info(cmd::info::Args),
    /// The modem lab: transmit or check a test pattern through one modem.
    Modem(cmd::modem::Args),
    /// One fax endpoint speaking raw audio on stdin/stdout (the pipe protocol).
    Peer(cmd::peer::Args),
    /// Two fax endpoints joined through the line simulator.
    Simulate(cmd::simulate::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let level = match cli.verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Decode(a) => cmd::decode::run(a),
        Command::Convert(a) => cmd::convert::run(a),
        Command::Info(a) => cmd::info::run(a),
        Command::Modem(a) => cmd::modem::run(a),
        Command::Peer(a) => cmd::peer::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("telefax: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
