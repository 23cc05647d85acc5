//! The properties the fuzz targets check: one function per parser the outside world feeds,
//! each taking the raw bytes a fuzzer (or a corpus file) supplies and panicking when a property
//! does not hold.
//!
//! Each target asserts more than "no panic":
//!
//! - a parse that succeeds round-trips (written back and read again, it gives the same value);
//! - an error never contains a secret: every input that can carry a secret is also read with a
//!   recognisable value planted wherever a secret can appear, and no error's
//!   `Display` or `Debug` may contain it;
//! - an error is bounded in length, whatever the size of the input;
//! - a body the validator accepts deserializes into its wire type, and the value the other side
//!   builds from the result is accepted in turn.
//!
//! The cargo-fuzz crate in `fuzz/` (outside the workspace, so that the normal build never needs
//! libFuzzer) has one target per entry of [`TARGETS`], each a call of the function here; `cargo
//! test -p exsited-fuzz` replays every file of `fuzz/corpus/<target>/` through it, and `cargo
//! xtask fuzz` runs the fuzzers for a bounded time. `docs/fuzzing.md` says what ran and what was
//! found.

#![deny(missing_docs)]

mod backup_line;
mod delete_ids;
mod error_body;
mod list_query;
mod path_id;
mod planted;
mod request_body;
mod token_request;

pub use backup_line::backup_line;
pub use delete_ids::delete_ids;
pub use error_body::error_body;
pub use list_query::list_query;
pub use path_id::path_id;
pub use request_body::{REQUEST_BODIES, request_body};
pub use token_request::token_request;

/// One fuzz target: its name (of its file in `fuzz/fuzz_targets/` and its corpus directory in
/// `fuzz/corpus/`) and the function that checks one input.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// Checks one input; panics when a property does not hold.
    pub run: fn(&[u8]),
}

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "error_body",
        run: error_body,
    },
    Target {
        name: "request_body",
        run: request_body,
    },
    Target {
        name: "token_request",
        run: token_request,
    },
    Target {
        name: "list_query",
        run: list_query,
    },
    Target {
        name: "path_id",
        run: path_id,
    },
    Target {
        name: "backup_line",
        run: backup_line,
    },
    Target {
        name: "delete_ids",
        run: delete_ids,
    },
];

/// The most bytes an error message (its `Display` or its `Debug`) may have, whatever the input:
/// enough for a field path, a reason and 64 echoed characters, each escaped.
pub const MAX_ERROR_BYTES: usize = 1024;
