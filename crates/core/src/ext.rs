//! Conveniences every repository gets for free.

use async_trait::async_trait;
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::id::ConnectionId;
use crate::query::ListQuery;
use crate::repository::{ConnectionRepository, DeleteOutcome};

/// How [`RepositoryExt::ensure_deleted`] reached its goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ensured {
    /// This call removed the connection (confirmed).
    Removed,
    /// The connection is gone; a lost response means this call cannot prove it removed it.
    RemovedUnconfirmed,
    /// There was nothing to remove (unknown id, or already deleted).
    AlreadyAbsent,
}

/// Conveniences built only on [`ConnectionRepository`], implemented for every repository.
///
/// ```
/// use exsited_core::{ConnectionRepository, Ensured, MemoryStore, NewConnection, Partner, RepositoryExt, TenantId};
///
/// # tokio_test_block(async {
/// let repo = MemoryStore::new().repository(TenantId::new("acme")?);
/// let conn = repo.create(NewConnection::new(Partner::new("xero")?, "tenant-1")?).await?;
/// assert_eq!(repo.ensure_deleted(conn.id).await?, Ensured::Removed);
/// assert_eq!(repo.ensure_deleted(conn.id).await?, Ensured::AlreadyAbsent);
/// # Ok::<(), exsited_core::Error>(())
/// # });
/// # fn tokio_test_block<F: std::future::Future<Output = Result<(), exsited_core::Error>>>(f: F) {
/// #     futures_util::FutureExt::now_or_never(f).expect("memory store never waits").unwrap();
/// # }
/// ```
#[async_trait]
pub trait RepositoryExt: ConnectionRepository {
    /// Deletes the connection if it exists. Not finding it counts as success, reported as
    /// [`Ensured::AlreadyAbsent`]; every other error is returned.
    async fn ensure_deleted(&self, id: ConnectionId) -> Result<Ensured> {
        match self.delete(id).await {
            Ok(DeleteOutcome::Removed) => Ok(Ensured::Removed),
            Ok(DeleteOutcome::RemovedUnconfirmed) => Ok(Ensured::RemovedUnconfirmed),
            Err(Error::NotFound { .. }) => Ok(Ensured::AlreadyAbsent),
            Err(other) => Err(other),
        }
    }

    /// Every connection, page after page, starting at `query`'s offset.
    ///
    /// The next page is asked at `offset + limit`; the walk stops at the end of the total, on
    /// an empty page, and on a page that repeats the previous one (a server that ignores
    /// `offset` would otherwise loop forever). An error ends the stream after it is yielded.
    fn list_all(&self, query: ListQuery) -> BoxStream<'_, Result<Connection>> {
        struct Walk {
            next: Option<ListQuery>,
            previous: Vec<ConnectionId>,
        }
        let start = Walk {
            next: Some(query),
            previous: Vec::new(),
        };
        stream::unfold(start, move |mut walk| async move {
            let query = walk.next.take()?;
            match self.list(&query).await {
                Err(error) => Some((vec![Err(error)], walk)),
                Ok(page) => {
                    let ids: Vec<ConnectionId> = page.items.iter().map(|c| c.id).collect();
                    if ids.is_empty() || ids == walk.previous {
                        return None;
                    }
                    walk.next = page.next_offset().map(|offset| query.at_offset(offset));
                    walk.previous = ids;
                    Some((page.items.into_iter().map(Ok).collect(), walk))
                }
            }
        })
        .flat_map(stream::iter)
        .boxed()
    }

    /// Deletes many connections, at most `concurrency` at a time (at least one), yielding a
    /// result per id as each finishes (not in input order).
    ///
    /// `ids` is consumed lazily, so an iterator over a huge file keeps memory flat.
    fn delete_many<'a, I>(
        &'a self,
        ids: I,
        concurrency: usize,
    ) -> BoxStream<'a, (ConnectionId, Result<DeleteOutcome>)>
    where
        I: IntoIterator<Item = ConnectionId>,
        I::IntoIter: Send + 'a,
    {
        stream::iter(ids)
            .map(move |id| async move { (id, self.delete(id).await) })
            .buffer_unordered(concurrency.max(1))
            .boxed()
    }
}

impl<R: ConnectionRepository + ?Sized> RepositoryExt for R {}
