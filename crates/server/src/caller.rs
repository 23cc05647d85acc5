//! Who is calling: what authentication (`auth`) establishes and the rest of a request relies on.

use exsited_core::Principal;
use exsited_core::access::Scope;

/// An authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The client and its tenant.
    pub(crate) principal: Principal,
    pub(crate) scope: Scope,
}
