//! The conformance suite's look inside the store (feature `conformance`): the orphan count
//! across all tenants, and a scan of the files on disk for a secret's bytes.

use async_trait::async_trait;
use exsited_core::conformance::Probe;

use crate::SqliteStore;

impl SqliteStore {
    /// Whether `secret`'s bytes appear anywhere in the database files on disk (the main file
    /// and the WAL), after a checkpoint has moved every committed page into the main file.
    ///
    /// A test helper: it reads the whole files into memory.
    pub async fn file_holds(&self, secret: &[u8]) -> exsited_core::Result<bool> {
        self.checkpoint().await?;
        let mut wal = self.path().as_os_str().to_owned();
        wal.push("-wal");
        for file in [self.path().to_owned(), wal.into()] {
            let bytes = match std::fs::read(&file) {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(exsited_core::Error::Unavailable {
                        message: format!("cannot read {}: {e}", file.display()),
                        maybe_processed: false,
                        source: Some(Box::new(e)),
                    });
                }
            };
            if contains(&bytes, secret) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl SqliteStore {
    /// Whether any stored connection's sealed secrets open to `secret`. A test helper: it opens
    /// every stored secret.
    pub async fn stored_secrets_contain(&self, secret: &str) -> exsited_core::Result<bool> {
        let sealer = std::sync::Arc::clone(&self.shared.sealer);
        let secret = exsited_core::SecretString::new(secret);
        self.shared
            .read(move |db| {
                let fail = |e| crate::error::db_error("scan the stored secrets", e, false);
                let mut statement = db
                    .prepare(
                        "SELECT uuid, client_secret, access_token, refresh_token FROM connections",
                    )
                    .map_err(fail)?;
                let rows = statement
                    .query_map([], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            [r.get::<_, Vec<u8>>(1)?, r.get(2)?, r.get(3)?],
                        ))
                    })
                    .map_err(fail)?;
                for row in rows {
                    let (uuid, sealed) = row.map_err(fail)?;
                    let Ok(id) = exsited_core::ConnectionId::parse(&uuid) else {
                        continue;
                    };
                    let opened = exsited_secrets::open_credentials(
                        &sealer,
                        id,
                        [&sealed[0], &sealed[1], &sealed[2]],
                    )
                    .map_err(|e| crate::error::store_error(e.to_string(), false))?;
                    if opened.iter().any(|s| s.expose() == secret.expose()) {
                        return Ok(true);
                    }
                }
                Ok(false)
            })
            .await
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[async_trait]
impl Probe for SqliteStore {
    async fn sync_configuration_count(&self) -> u64 {
        SqliteStore::sync_configuration_count(self)
            .await
            .expect("the probe counts sync configurations")
    }

    /// In clear in the files (which must never happen: secrets are sealed), or sealed in a row
    /// that still opens to it.
    async fn holds_secret(&self, secret: &str) -> bool {
        if self
            .file_holds(secret.as_bytes())
            .await
            .expect("the probe scans the database files")
        {
            return true;
        }
        self.stored_secrets_contain(secret)
            .await
            .expect("the probe opens the stored secrets")
    }
}
