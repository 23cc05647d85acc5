//! The fixed label values of the metrics, and the index of each in the counter tables: every
//! series exists from the start, so that counting is an index and an atomic addition.
//!
//! No label value ever comes from a request: routes are the document's templates (an unmatched
//! path is `unmatched`), methods outside the standard ones are `other`, and so are statuses the
//! server does not send.

use exsited_server::{ErrorKind, GrantType};

/// The route of a request no route matched.
pub(crate) const UNMATCHED: &str = "unmatched";

/// The route label values: every template of the document, `*` (`OPTIONS *`), then
/// [`UNMATCHED`].
#[derive(Debug)]
pub(crate) struct Routes(Vec<&'static str>);

impl Routes {
    pub(crate) fn of_document() -> Self {
        let mut routes: Vec<&'static str> = Vec::new();
        for op in exsited_spec::paths::ALL {
            if !routes.contains(&op.template) {
                routes.push(op.template);
            }
        }
        routes.push("*");
        routes.push(UNMATCHED);
        Self(routes)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn name(&self, index: usize) -> &'static str {
        self.0[index]
    }

    /// The index of `route`; an unknown template counts as unmatched.
    pub(crate) fn index(&self, route: Option<&str>) -> usize {
        let unmatched = self.0.len() - 1;
        match route {
            Some(template) => self.0[..unmatched]
                .iter()
                .position(|known| *known == template)
                .unwrap_or(unmatched),
            None => unmatched,
        }
    }
}

pub(crate) const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
];

pub(crate) fn method_index(method: &str) -> usize {
    METHODS[..METHODS.len() - 1]
        .iter()
        .position(|known| *known == method)
        .unwrap_or(METHODS.len() - 1)
}

/// Every status the server sends, then `other`.
pub(crate) const STATUSES: [&str; 19] = [
    "200", "201", "204", "400", "401", "403", "404", "405", "408", "409", "413", "414", "415",
    "422", "429", "431", "500", "503", "other",
];

pub(crate) fn status_index(status: u16) -> usize {
    let codes: [u16; 18] = [
        200, 201, 204, 400, 401, 403, 404, 405, 408, 409, 413, 414, 415, 422, 429, 431, 500, 503,
    ];
    codes
        .iter()
        .position(|code| *code == status)
        .unwrap_or(codes.len())
}

pub(crate) const GRANTS: [&str; 2] = ["client_credentials", "refresh_token"];

pub(crate) fn grant_index(grant: GrantType) -> usize {
    match grant {
        GrantType::RefreshToken => 1,
        _ => 0,
    }
}

/// Every error kind the server reports, in the order of [`kind_index`].
pub(crate) const KINDS: [ErrorKind; 15] = [
    ErrorKind::BadRequest,
    ErrorKind::Unauthorized,
    ErrorKind::Forbidden,
    ErrorKind::NotFound,
    ErrorKind::MethodNotAllowed,
    ErrorKind::Timeout,
    ErrorKind::Conflict,
    ErrorKind::TooLarge,
    ErrorKind::UnsupportedMediaType,
    ErrorKind::Unprocessable,
    ErrorKind::RateLimited,
    ErrorKind::Unavailable,
    ErrorKind::Internal,
    ErrorKind::Panic,
    ErrorKind::Other,
];

pub(crate) fn kind_index(kind: ErrorKind) -> usize {
    KINDS
        .iter()
        .position(|known| *known == kind)
        .unwrap_or(KINDS.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_fold_into_the_last_slot() {
        let routes = Routes::of_document();
        assert_eq!(routes.name(routes.index(Some("/x/{secret}"))), UNMATCHED);
        assert_eq!(routes.name(routes.index(None)), UNMATCHED);
        let delete = exsited_spec::paths::DELETE_CONNECTION.template;
        assert_eq!(routes.name(routes.index(Some(delete))), delete);
        assert_eq!(METHODS[method_index("BREW")], "other");
        assert_eq!(STATUSES[status_index(204)], "204");
        assert_eq!(STATUSES[status_index(418)], "other");
        assert_eq!(
            GRANTS[grant_index(GrantType::RefreshToken)],
            "refresh_token"
        );
        assert_eq!(kind_index(ErrorKind::Other), KINDS.len() - 1);
    }
}
