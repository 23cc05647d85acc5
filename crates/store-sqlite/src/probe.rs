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

    async fn holds_secret(&self, secret: &str) -> bool {
        self.file_holds(secret.as_bytes())
            .await
            .expect("the probe scans the database files")
    }
}
