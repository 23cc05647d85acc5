//! Listing: the query a caller sends and the page a backend returns.

use std::fmt;

use crate::error::Error;

/// The page size when the caller names none.
pub const DEFAULT_LIMIT: u32 = 20;
/// The largest page a caller may ask for.
pub const MAX_LIMIT: u32 = 100;

/// Which page of a list to return, in which order. Valid by construction.
///
/// ```
/// use exsited_core::{Direction, ListQuery, OrderBy};
///
/// let query = ListQuery::new(50, 100)?.ordered(OrderBy::CreatedOn, Direction::Desc);
/// assert_eq!(query.limit(), 50);
/// assert!(ListQuery::new(0, 0).is_err());
/// assert!(ListQuery::new(101, 0).is_err());
/// assert!(ListQuery::new(20, -1).is_err());
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ListQuery {
    limit: u32,
    offset: u64,
    order_by: OrderBy,
    direction: Direction,
}

impl Default for ListQuery {
    /// The first [`DEFAULT_LIMIT`] items in creation order.
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            offset: 0,
            order_by: OrderBy::CreatedOn,
            direction: Direction::Asc,
        }
    }
}

impl ListQuery {
    /// `limit` must be 1 to [`MAX_LIMIT`], `offset` zero or more. The types are signed so that
    /// a negative value from a query string is reported as such rather than wrapped.
    pub fn new(limit: i64, offset: i64) -> Result<Self, Error> {
        if !(1..=i64::from(MAX_LIMIT)).contains(&limit) {
            return Err(Error::invalid_input(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
            ));
        }
        if offset < 0 {
            return Err(Error::invalid_input(
                "offset",
                format!("must not be negative, got {offset}"),
            ));
        }
        Ok(Self {
            limit: limit as u32,
            offset: offset as u64,
            ..Self::default()
        })
    }

    /// The same query with another order.
    pub fn ordered(self, order_by: OrderBy, direction: Direction) -> Self {
        Self {
            order_by,
            direction,
            ..self
        }
    }

    /// The same query from another offset (for walking pages).
    pub fn at_offset(self, offset: u64) -> Self {
        Self { offset, ..self }
    }

    /// At most this many items.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Skip this many items first.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The sort key.
    pub fn order_by(&self) -> OrderBy {
        self.order_by
    }

    /// The sort direction.
    pub fn direction(&self) -> Direction {
        self.direction
    }
}

/// The sort keys the API supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum OrderBy {
    /// Creation order (the default). Ties cannot happen: backends order by a creation sequence.
    #[default]
    CreatedOn,
    /// By id, as lower-case text.
    Uuid,
}

impl OrderBy {
    /// Reads the API's field name: `created_on` or `uuid`.
    pub fn parse(value: &str) -> Result<Self, Error> {
        match value {
            "created_on" => Ok(Self::CreatedOn),
            "uuid" => Ok(Self::Uuid),
            _ => Err(Error::invalid_input(
                "order_by",
                "must be one of: created_on, uuid",
            )),
        }
    }

    /// The API's field name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::CreatedOn => "created_on",
            Self::Uuid => "uuid",
        }
    }
}

impl fmt::Display for OrderBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// Smallest first (the default).
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl Direction {
    /// Reads `asc` or `desc` (either case).
    pub fn parse(value: &str) -> Result<Self, Error> {
        match value.to_ascii_lowercase().as_str() {
            "asc" => Ok(Self::Asc),
            "desc" => Ok(Self::Desc),
            _ => Err(Error::invalid_input("direction", "must be asc or desc")),
        }
    }

    /// The API's spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, at most `limit` of them.
    pub items: Vec<T>,
    /// How many items the whole list has.
    pub total: u64,
    /// The limit the page was asked with.
    pub limit: u32,
    /// The offset the page was asked with.
    pub offset: u64,
}

impl<T> Page<T> {
    /// The offset of the next page, or `None` at the end.
    ///
    /// Computed as `offset + limit` rather than from links, which the API spells three ways.
    pub fn next_offset(&self) -> Option<u64> {
        let next = self.offset.checked_add(u64::from(self.limit))?;
        (!self.items.is_empty() && next < self.total).then_some(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds_are_inclusive() {
        assert_eq!(ListQuery::new(1, 0).unwrap().limit(), 1);
        assert_eq!(ListQuery::new(100, 0).unwrap().limit(), 100);
        for bad in [0, -1, 101, i64::MAX] {
            assert!(
                matches!(ListQuery::new(bad, 0), Err(Error::InvalidInput { ref field, .. }) if field == "limit")
            );
        }
        assert!(
            matches!(ListQuery::new(20, -5), Err(Error::InvalidInput { ref field, .. }) if field == "offset")
        );
    }

    #[test]
    fn order_and_direction_parse_api_spellings() {
        assert_eq!(OrderBy::parse("created_on").unwrap(), OrderBy::CreatedOn);
        assert_eq!(Direction::parse("DESC").unwrap(), Direction::Desc);
        assert!(matches!(
            OrderBy::parse("secret"),
            Err(Error::InvalidInput { .. })
        ));
        assert!(matches!(
            Direction::parse("up"),
            Err(Error::InvalidInput { .. })
        ));
    }

    #[test]
    fn next_offset_stops_at_the_total_and_on_empty_pages() {
        let page = |items: Vec<u8>, total, offset| Page {
            items,
            total,
            limit: 2,
            offset,
        };
        assert_eq!(page(vec![1, 2], 5, 0).next_offset(), Some(2));
        assert_eq!(page(vec![5], 5, 4).next_offset(), None);
        assert_eq!(page(vec![], 5, 2).next_offset(), None);
    }
}
