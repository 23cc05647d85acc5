//! The progress bar of a long delete: position, rate and ETA on stderr, drawn only when stderr
//! is a terminal (in a pipe or a CI log it would be noise).

use std::fmt::Write;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar over `total` ids, or a hidden one when stderr is not a terminal.
pub(crate) fn bar(total: u64, verb: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let template = format!("{{bar:40}} {{pos}}/{{len}} {verb}  {{rate}}  ETA {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        // Whole ids per second: the built-in `per_sec` prints four decimals.
        bar.set_style(
            style.with_key("rate", |state: &ProgressState, w: &mut dyn Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            }),
        );
    }
    bar
}

/// Prints a line without tearing the bar (a hidden bar just prints).
pub(crate) fn say(bar: &ProgressBar, line: impl FnOnce()) {
    bar.suspend(line);
}
