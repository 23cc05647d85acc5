//! What an operation of the document is ([`Operation`]: method and path template) and where a
//! request to it goes ([`Path`]: the template filled in). The generated [`crate::paths`] holds
//! one constant and one path function per operation.

use std::fmt;

/// One operation of the document: what a router needs to serve it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The `operationId`, unique in the document.
    pub id: &'static str,
    /// The HTTP method, upper case (`GET`, `POST`, `PATCH`, `DELETE`).
    pub method: &'static str,
    /// The path template, exactly as in the document, with `{name}` placeholders
    /// (`/api/v3/integration/{uuid}`).
    pub template: &'static str,
}

/// An operation's path with its placeholders filled in by typed ids, and for a list the query
/// it was asked with: what a request is sent to, below the base URL.
///
/// Made only by the functions of [`crate::paths`], one per operation, which take each path
/// parameter as its own id type: a missing, extra or swapped id does not compile.
///
/// ```
/// use exsited_core::{AutomationId, ConnectionId};
/// use exsited_spec::paths;
///
/// let connection = ConnectionId::parse("3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10")?;
/// let automation = AutomationId::parse("0b7e2c1d-5a6f-4e3d-8c2b-1a0f9e8d7c6b")?;
/// let path = paths::get_automation(connection, automation);
/// assert_eq!(path.operation(), paths::GET_AUTOMATION);
/// assert_eq!(
///     path.as_str(),
///     "/api/v3/integration/3f0c8a52-9a4e-4d8e-9d53-6f3b2f5b8a10/automation/0b7e2c1d-5a6f-4e3d-8c2b-1a0f9e8d7c6b"
/// );
/// # Ok::<(), exsited_core::InvalidId>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Path {
    operation: Operation,
    path: String,
}

impl Path {
    /// The path of `operation`; the generated functions pass a `path` they filled from its
    /// template.
    pub(crate) fn new(operation: Operation, path: String) -> Self {
        Self { operation, path }
    }

    /// The operation this is a path of.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The path, with its query when it has one (`/api/v2/integration-connections?limit=20&...`).
    pub fn as_str(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)
    }
}

impl From<Path> for String {
    fn from(path: Path) -> Self {
        path.path
    }
}
