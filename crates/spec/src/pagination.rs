//! Hand-written helpers on the generated [`Pagination`].

use crate::Pagination;

/// Whether a `next_page` / `previous_page` value means "no page": the hosted API has been seen
/// to send the literal string `"NULL"`, an empty string and JSON `null` for it.
pub fn is_end_marker(link: Option<&str>) -> bool {
    matches!(link.map(str::trim), None | Some("" | "NULL" | "null"))
}

impl Pagination {
    /// The link to the next page, or `None` for any of the end-of-list markers.
    ///
    /// Clients should still compute the next offset as `offset + limit` rather than follow the
    /// link, and stop on a page that repeats; this tells whether the server claims there is one.
    pub fn next_link(&self) -> Option<&str> {
        let link = self.next_page.as_deref();
        if is_end_marker(link) { None } else { link }
    }

    /// The link to the previous page, or `None` for any of the end-of-list markers.
    pub fn previous_link(&self) -> Option<&str> {
        let link = self.previous_page.as_deref();
        if is_end_marker(link) { None } else { link }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_marker_means_no_page() {
        for marker in [None, Some(""), Some("NULL"), Some("null"), Some(" ")] {
            assert!(is_end_marker(marker), "{marker:?}");
            let page = Pagination {
                next_page: marker.map(str::to_owned),
                ..Pagination::default()
            };
            assert_eq!(page.next_link(), None);
        }
        let page = Pagination {
            previous_page: Some("/api/v2/integration-connections?offset=0".into()),
            ..Pagination::default()
        };
        assert_eq!(
            page.previous_link(),
            Some("/api/v2/integration-connections?offset=0")
        );
    }
}
