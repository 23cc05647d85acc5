//! One API call as an operation describes it: the endpoint's path (with its query, for a
//! list) as `exsited_spec::paths` builds it, an optional JSON body, the idempotency key, and
//! what a 404 from it names.

use std::fmt::Display;

use bytes::Bytes;
use exsited_core::{Error, Resource};
use exsited_spec::paths::Path;

use crate::exchange::Request;
use crate::response::Target;

/// A call, ready for the [`Engine`](crate::engine::Engine) to run.
pub(crate) struct Call {
    pub(crate) request: Request,
    pub(crate) not_found: Option<Target>,
}

impl Call {
    /// A call to `path`, its operation's path filled in (`exsited_spec::paths::get_connection`).
    pub(crate) fn new(path: Path) -> Self {
        Self {
            request: Request::new(path),
            not_found: None,
        }
    }

    /// `value` as the JSON body.
    ///
    /// Create bodies carry partner secrets: the buffer is wiped when the last reference to it
    /// is dropped (after the last attempt), like a `SecretString`. Copies that hyper or rustls
    /// make into their own write buffers are beyond reach. Encoding our own wire types cannot
    /// fail; the error path exists for form.
    pub(crate) fn json(mut self, value: &impl serde::Serialize) -> Result<Self, Error> {
        let body =
            serde_json::to_vec(value).map_err(|e| Error::invalid_input("body", e.to_string()))?;
        self.request.body = Some(Bytes::from_owner(WipedOnDrop(body)));
        Ok(self)
    }

    /// Sends `key` as `X-Idempotency-Key` instead of a fresh one.
    pub(crate) fn idempotency_key(mut self, key: &str) -> Self {
        self.request.idempotency_key = Some(key.to_owned());
        self
    }

    /// A 404 means this resource, by this id, does not exist.
    pub(crate) fn not_found(mut self, resource: Resource, id: impl Display) -> Self {
        self.not_found = Some(Target {
            resource,
            id: id.to_string(),
        });
        self
    }
}

/// A buffer zeroized when dropped.
struct WipedOnDrop(Vec<u8>);

impl AsRef<[u8]> for WipedOnDrop {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for WipedOnDrop {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}
