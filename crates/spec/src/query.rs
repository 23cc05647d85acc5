//! The query string of the v2/v3 lists, both ways: [`ListParams::parse`] reads `limit`,
//! `offset`, `order_by`, `direction` and `fields` into core's [`ListQuery`] and a
//! [`Projection`] of the records; [`encode`] writes a `ListQuery` back.
//!
//! Reading follows the document. An unknown parameter is ignored, whatever its value (clients
//! add their own, cache busters among them), and so is one whose name does not decode, since it
//! cannot be a name of the document; a known one with a bad value, or a value that is not
//! percent-encoded UTF-8, is an [`Error::InvalidInput`] naming it; the last of a repeated
//! parameter wins. Names and values are percent-decoded, `+` as a space.
//!
//! The v4 lists will read a query of their own (`filter_status`, `sort`; an unknown parameter
//! is an error there): a sibling of [`ListParams`] that shares the percent-decoding and
//! [`Projection`].

mod percent;
mod projection;

use exsited_core::{DEFAULT_LIMIT, Direction, Error, ListQuery, MAX_ECHOED_CHARS, OrderBy};

use crate::parameters::{DIRECTION, FIELDS, LIMIT, OFFSET, ORDER_BY};
use crate::schema::Described;

pub use projection::{Projected, Projection};

/// A list's query, read: which page in which order ([`ListQuery`]), and which fields of each
/// record, a wire type `R` such as [`crate::Connection`].
///
/// ```
/// use exsited_core::{Error, OrderBy};
/// use exsited_spec::Connection;
/// use exsited_spec::query::ListParams;
///
/// let params = ListParams::<Connection>::parse("limit=5&order_by=uuid&fields=status&_=171")?;
/// assert_eq!(params.query().limit(), 5);
/// assert_eq!(params.query().order_by(), OrderBy::Uuid);
/// assert!(params.projection().keeps("status") && params.projection().keeps("uuid"));
/// assert!(!params.projection().keeps("client_secret"));
///
/// let unknown = ListParams::<Connection>::parse("fields=password").unwrap_err();
/// assert!(matches!(unknown, Error::InvalidInput { ref field, .. } if field == "fields"));
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams<R> {
    query: ListQuery,
    projection: Projection<R>,
}

impl<R: Described> ListParams<R> {
    /// Reads a raw query string, without its `?` (empty when the request had none).
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let (mut limit, mut offset) = (None, None);
        let (mut order_by, mut direction) = (OrderBy::default(), Direction::default());
        let mut projection = Projection::all();
        for pair in raw.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let Some(name) = percent::decode(name) else {
                continue;
            };
            let value = |parameter: &'static str| {
                percent::decode(value).ok_or_else(|| {
                    Error::invalid_input(parameter, "is not valid percent-encoded UTF-8")
                })
            };
            match name.as_str() {
                LIMIT => limit = Some(integer(LIMIT, &value(LIMIT)?)?),
                OFFSET => offset = Some(integer(OFFSET, &value(OFFSET)?)?),
                ORDER_BY => order_by = OrderBy::parse(&value(ORDER_BY)?)?,
                DIRECTION => direction = Direction::parse(&value(DIRECTION)?)?,
                FIELDS => projection = Projection::parse(&value(FIELDS)?)?,
                _ => {}
            }
        }
        let query = ListQuery::new(
            limit.unwrap_or(i64::from(DEFAULT_LIMIT)),
            offset.unwrap_or(0),
        )?
        .ordered(order_by, direction);
        Ok(Self { query, projection })
    }

    /// Which page, in which order.
    pub fn query(&self) -> &ListQuery {
        &self.query
    }

    /// Which fields of each record.
    pub fn projection(&self) -> &Projection<R> {
        &self.projection
    }

    /// The records, each projected: what a list envelope (`ConnectionList<Projected<'_, _>>`)
    /// holds.
    pub fn project(&self, records: impl IntoIterator<Item = R>) -> Vec<Projected<'_, R>> {
        records
            .into_iter()
            .map(|record| self.projection.apply(record))
            .collect()
    }
}

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

/// An integer parameter; its bounds are [`ListQuery::new`]'s. Signed, so that `-1` is reported
/// as negative rather than as not a number.
fn integer(parameter: &'static str, value: &str) -> Result<i64, Error> {
    value.trim().parse::<i64>().map_err(|_| {
        Error::invalid_input(
            parameter,
            format!("must be an integer, got {:?}", clip(value)),
        )
    })
}

/// At most [`MAX_ECHOED_CHARS`] characters of a rejected value, so that a huge query does not
/// make a huge error.
fn clip(value: &str) -> String {
    value.chars().take(MAX_ECHOED_CHARS).collect()
}

#[cfg(test)]
mod tests;
