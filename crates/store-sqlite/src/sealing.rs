//! Partner secrets sealed at rest: which key seals them, and the one-time sealing of a file that
//! kept them in clear (schema versions before 4).
//!
//! The key is read from a key file (`Options::secret_key_file`, default `PATH.key` beside the
//! database). For the default file only, a new store gets a new key, written (mode 0600) before
//! the database records the key's check value, so no secret is ever sealed under a key that was
//! not saved. The database keeps that check value; a store opened with another key is refused,
//! and so is a store whose secrets are sealed when its default key file has gone missing.

use std::path::{Path, PathBuf};

use exsited_core::{ConnectionId, PartnerCredentials, SecretString};
use exsited_secrets::{SEALED_COLUMNS, Sealer, SecretKey, seal_credentials};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::OpenError;

/// The key of the store at `path`, and whether it was generated now (its file new).
pub(crate) struct Key {
    pub(crate) key: SecretKey,
    pub(crate) file: PathBuf,
    pub(crate) generated: bool,
}

/// The default key file of the store at `path`: `PATH.key`.
pub(crate) fn default_key_file(path: &Path) -> PathBuf {
    let mut file = path.as_os_str().to_owned();
    file.push(".key");
    file.into()
}

/// Reads the key file, or (for the default file, when it does not exist) generates a key and
/// writes it first.
pub(crate) fn resolve(path: &Path, chosen: Option<&Path>) -> Result<Key, OpenError> {
    let refused = |reason: String| OpenError::Key {
        path: path.to_owned(),
        reason,
    };
    let file = chosen.map_or_else(|| default_key_file(path), Path::to_owned);
    if file.exists() || chosen.is_some() {
        let key = SecretKey::read_file(&file).map_err(|e| refused(e.to_string()))?;
        return Ok(Key {
            key,
            file,
            generated: false,
        });
    }
    let key = SecretKey::generate();
    key.write_new_file(&file)
        .map_err(|e| refused(e.to_string()))?;
    Ok(Key {
        key,
        file,
        generated: true,
    })
}

/// Inside the migration's transaction: records the key's check value in a store that has none,
/// refuses a key the store's check value does not accept, and seals every secret still kept in
/// clear (a file of schema version 3 or older). With `secure_delete`, the clear values are
/// overwritten in the file.
pub(crate) fn seal_at_rest(
    path: &Path,
    conn: &Connection,
    sealer: &Sealer,
    key: &Key,
) -> Result<(), OpenError> {
    let fail = |context: &str, e: rusqlite::Error| OpenError::Unavailable {
        path: path.to_owned(),
        message: format!("{context}: {e}"),
        source: Box::new(e),
    };
    let check: Option<Vec<u8>> = conn
        .query_row("SELECT key_check FROM sealing WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(|e| fail("read the key check value", e))?;
    match check {
        Some(check) if sealer.accepts(&check) => {}
        Some(_) if key.generated => {
            // The store's secrets are sealed under a key whose default file is gone: the key
            // just made is useless, and must not be mistaken for the store's later.
            let _ = std::fs::remove_file(&key.file);
            return Err(OpenError::Key {
                path: path.to_owned(),
                reason: format!(
                    "{} is missing, and this store's partner secrets are sealed with the key it held",
                    key.file.display()
                ),
            });
        }
        Some(_) => {
            return Err(OpenError::WrongKey {
                path: path.to_owned(),
                key: key.file.clone(),
            });
        }
        None => {
            conn.execute(
                "INSERT INTO sealing (id, key_check) VALUES (1, ?1)",
                [sealer.check_value()],
            )
            .map_err(|e| fail("record the key check value", e))?;
        }
    }
    seal_clear_rows(conn, sealer).map_err(|e| fail("seal the partner secrets", e))
}

/// Seals the secrets of every connection that still keeps them as text.
fn seal_clear_rows(conn: &Connection, sealer: &Sealer) -> rusqlite::Result<()> {
    let clear: Vec<(String, [String; 3])> = conn
        .prepare(&format!(
            "SELECT uuid, {} FROM connections WHERE typeof(client_secret) = 'text'",
            SEALED_COLUMNS.join(", ")
        ))?
        .query_map([], |r| Ok((r.get(0)?, [r.get(1)?, r.get(2)?, r.get(3)?])))?
        .collect::<rusqlite::Result<_>>()?;
    for (uuid, [client_secret, access_token, refresh_token]) in clear {
        let Ok(id) = ConnectionId::parse(&uuid) else {
            continue;
        };
        let credentials = PartnerCredentials {
            client_id: String::new(),
            client_secret: SecretString::new(client_secret),
            access_token: SecretString::new(access_token),
            refresh_token: SecretString::new(refresh_token),
        };
        let [a, b, c] = seal_credentials(sealer, id, &credentials);
        conn.execute(
            &format!(
                "UPDATE connections SET {} = ?1, {} = ?2, {} = ?3 WHERE uuid = ?4",
                SEALED_COLUMNS[0], SEALED_COLUMNS[1], SEALED_COLUMNS[2]
            ),
            params![a, b, c, uuid],
        )?;
    }
    Ok(())
}
