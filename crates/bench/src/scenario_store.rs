//! Figure 4: the SQLite store alone, in-process through the trait (no HTTP): durable deletes per
//! second at concurrency 64 and deletes per commit, which shows what group commit does and what
//! the server figure loses to HTTP and to sharing two cores.

use exsited_core::{ConnectionRepository, NewConnection, Partner, TenantId};
use exsited_store_sqlite::SqliteStore;
use futures_util::{StreamExt, stream};

use crate::stats::Figure;
use crate::{Plan, Tools};

/// The concurrency of the in-process deletes.
pub(crate) const CONCURRENCY: usize = 64;

pub(crate) struct StoreFigures {
    pub(crate) deletes: usize,
    pub(crate) per_second: Figure,
    pub(crate) per_commit: Figure,
}

pub(crate) async fn run(plan: &Plan, tools: &Tools) -> Result<StoreFigures, String> {
    let count = plan.server_requests(CONCURRENCY);
    let (mut rates, mut batches) = (Vec::new(), Vec::new());
    for _ in 0..plan.runs {
        let (rate, per_commit) = one_run(tools, count).await?;
        rates.push(rate);
        batches.push(per_commit);
    }
    let figures = StoreFigures {
        deletes: count,
        per_second: Figure::of(&rates),
        per_commit: Figure::of(&batches),
    };
    eprintln!(
        "store   c={CONCURRENCY:<3} SQLite in-process       {:>9.0} deletes/s  {:.1} deletes per commit",
        figures.per_second.median, figures.per_commit.median
    );
    Ok(figures)
}

async fn one_run(tools: &Tools, count: usize) -> Result<(f64, f64), String> {
    let db = tools
        .scratch
        .join(format!("store-{}.db", uuid::Uuid::new_v4()));
    let result = async {
        let store = SqliteStore::open(&db).map_err(|e| e.to_string())?;
        let repo = store.repository(TenantId::new("bench").map_err(|e| e.to_string())?);
        let partner = Partner::new("xero").map_err(|e| e.to_string())?;
        let ids: Vec<Result<_, String>> = stream::iter(0..count)
            .map(|i| {
                let (repo, partner) = (&repo, partner.clone());
                async move {
                    let new = NewConnection::new(partner, &format!("store-{i}"))
                        .map_err(|e| e.to_string())?;
                    repo.create(new)
                        .await
                        .map(|c| c.id)
                        .map_err(|e| e.to_string())
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let ids = ids.into_iter().collect::<Result<Vec<_>, String>>()?;
        let before = store.stats();
        let started = std::time::Instant::now();
        let deleted: Vec<Result<_, String>> = stream::iter(ids)
            .map(|id| {
                let repo = &repo;
                async move { repo.delete(id).await.map_err(|e| e.to_string()) }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let elapsed = started.elapsed();
        deleted.into_iter().collect::<Result<Vec<_>, String>>()?;
        let after = store.stats();
        let commits = (after.commits - before.commits).max(1);
        Ok((
            count as f64 / elapsed.as_secs_f64(),
            (after.writes - before.writes) as f64 / commits as f64,
        ))
    }
    .await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    result
}
