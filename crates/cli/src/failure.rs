//! How a command fails, and the exit code for it.

use std::process::ExitCode;

/// A failed command. Messages never carry a secret.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command line (or its environment) is wrong: exit 2, like clap's usage errors.
    Usage(String),
    /// The operation failed: exit 1.
    Failed(String),
}

impl Failure {
    /// Prints the message to stderr and returns the exit code.
    pub(crate) fn report(self) -> ExitCode {
        match self {
            Failure::Usage(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
            Failure::Failed(message) => {
                eprintln!("error: {message}");
                ExitCode::from(1)
            }
        }
    }
}

impl From<exsited_core::Error> for Failure {
    fn from(err: exsited_core::Error) -> Self {
        Failure::Failed(err.to_string())
    }
}
