//! `exsited completions SHELL`: the shell completion script, generated from the same clap
//! definition the parser uses, so that it completes every subcommand and flag of this build.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::Cli;
use crate::failure::Failure;

/// Options of `exsited completions`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The shell to write the script for.
    #[arg(value_enum)]
    shell: Shell,
}

/// Writes the script to standard output.
pub(crate) fn run(args: &Args) -> Result<(), Failure> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "exsited", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Failed(format!("cannot write the completion script: {e}")))
}
