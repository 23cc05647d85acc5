//! The query string of the v2/v3 lists: `limit`, `offset`, `order_by` and `direction`, written
//! from core's [`ListQuery`].

use exsited_core::ListQuery;

use crate::parameters::{DIRECTION, LIMIT, OFFSET, ORDER_BY};

/// The query string (without `?`) that asks for `query`: every parameter, defaults included,
/// so that what a client asked for does not depend on the server's defaults. Every value is a
/// number or a fixed ASCII word, so nothing needs escaping.
///
/// ```
/// use exsited_core::{Direction, ListQuery, OrderBy};
///
/// let query = ListQuery::new(5, 10)?.ordered(OrderBy::Uuid, Direction::Desc);
/// assert_eq!(
///     exsited_spec::query::encode(&query),
///     "limit=5&offset=10&order_by=uuid&direction=desc"
/// );
/// # Ok::<(), exsited_core::Error>(())
/// ```
pub fn encode(query: &ListQuery) -> String {
    format!(
        "{LIMIT}={}&{OFFSET}={}&{ORDER_BY}={}&{DIRECTION}={}",
        query.limit(),
        query.offset(),
        query.order_by(),
        query.direction()
    )
}
