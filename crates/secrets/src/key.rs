//! The key: 256 random bits, in a file only its owner may read, never printed, wiped on drop.

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

/// How many bytes a key has.
pub const KEY_BYTES: usize = 32;

/// A key file is one line of this many hex digits (a trailing newline is allowed).
const HEX_CHARS: usize = KEY_BYTES * 2;

/// The key that seals partner secrets.
///
/// `Debug` prints `SecretKey([redacted])`; there is no `Display` and no `Clone`, and the bytes
/// are overwritten when the value is dropped (they live in a `Zeroizing` array).
pub struct SecretKey(Zeroizing<[u8; KEY_BYTES]>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// Why a key file could not be read or written. Never carries a byte of the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// There is no file at the path.
    #[error("no secret key file at {} (create one with `exsited admin gen-key PATH`)", path.display())]
    Missing {
        /// The path.
        path: PathBuf,
    },
    /// Group or other users may read or write the file.
    #[error(
        "the secret key file {} has mode {mode:04o}; it must be readable by its owner only (chmod 600)",
        path.display()
    )]
    Permissions {
        /// The path.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file belongs to another user than the one running this process.
    #[error(
        "the secret key file {} belongs to user id {owner}, not to the user running this process ({user})",
        path.display()
    )]
    Owner {
        /// The path.
        path: PathBuf,
        /// The file's owner.
        owner: u32,
        /// The effective user id of this process.
        user: u32,
    },
    /// The content is not one line of 64 hex digits.
    #[error("the secret key file {} is not a key: {reason}", path.display())]
    Malformed {
        /// The path.
        path: PathBuf,
        /// What is wrong, never the content.
        reason: &'static str,
    },
    /// A new key would overwrite an existing file.
    #[error("{} exists already; a key file is never overwritten", path.display())]
    Exists {
        /// The path.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error("cannot {action} the secret key file {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// `read` or `write`.
        action: &'static str,
        /// The failure.
        #[source]
        source: std::io::Error,
    },
}

impl SecretKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        getrandom::fill(bytes.as_mut_slice())
            .expect("the operating system's random generator is available");
        Self(bytes)
    }

    /// The key's bytes, for the cipher.
    pub(crate) fn bytes(&self) -> &[u8; KEY_BYTES] {
        &self.0
    }

    /// Reads a key file: one line of 64 hex digits (what `openssl rand -hex 32` prints), owned
    /// by the user running this process and readable by nobody else (mode `0600` or `0400`).
    /// The checks run before a byte is read.
    pub fn read_file(path: &Path) -> Result<Self, KeyFileError> {
        let io = |source| KeyFileError::Io {
            path: path.to_owned(),
            action: "read",
            source,
        };
        let meta = match fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(KeyFileError::Missing {
                    path: path.to_owned(),
                });
            }
            Err(e) => return Err(io(e)),
        };
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyFileError::Permissions {
                path: path.to_owned(),
                mode,
            });
        }
        let user = rustix::process::geteuid().as_raw();
        if meta.uid() != user {
            return Err(KeyFileError::Owner {
                path: path.to_owned(),
                owner: meta.uid(),
                user,
            });
        }
        let malformed = |reason| KeyFileError::Malformed {
            path: path.to_owned(),
            reason,
        };
        if !meta.is_file() {
            return Err(malformed("not a regular file"));
        }
        // A little more than a key and its newline, so that a huge file is not read whole.
        let mut text = Zeroizing::new(Vec::with_capacity(HEX_CHARS + 2));
        fs::File::open(path)
            .and_then(|f| f.take(HEX_CHARS as u64 + 64).read_to_end(&mut text))
            .map_err(io)?;
        let trimmed = text.trim_ascii_end();
        if trimmed.len() != HEX_CHARS {
            return Err(malformed("expected one line of 64 hex digits"));
        }
        let mut bytes = Zeroizing::new([0u8; KEY_BYTES]);
        for (byte, pair) in bytes.iter_mut().zip(trimmed.chunks_exact(2)) {
            let (Some(high), Some(low)) = (hex_value(pair[0]), hex_value(pair[1])) else {
                return Err(malformed("expected one line of 64 hex digits"));
            };
            *byte = high << 4 | low;
        }
        Ok(Self(bytes))
    }

    /// Writes this key to a new file at `path`, mode `0600`, and syncs it to disk. An existing
    /// file is never overwritten ([`KeyFileError::Exists`]).
    pub fn write_new_file(&self, path: &Path) -> Result<(), KeyFileError> {
        let io = |source| KeyFileError::Io {
            path: path.to_owned(),
            action: "write",
            source,
        };
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => KeyFileError::Exists {
                    path: path.to_owned(),
                },
                _ => io(e),
            })?;
        let mut text = Zeroizing::new(String::with_capacity(HEX_CHARS + 1));
        for byte in self.0.iter() {
            text.push(char::from(HEX[usize::from(byte >> 4)]));
            text.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        text.push('\n');
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        // The file's directory entry too, so that the key survives a power loss with the file.
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Ok(dir) = fs::File::open(dir.unwrap_or(Path::new("."))) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chmod(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_written_key_reads_back_and_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        let key = SecretKey::generate();
        key.write_new_file(&path).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(SecretKey::read_file(&path).unwrap().bytes(), key.bytes());
        let before = fs::read(&path).unwrap();
        assert!(matches!(
            SecretKey::generate().write_new_file(&path),
            Err(KeyFileError::Exists { .. })
        ));
        assert_eq!(fs::read(&path).unwrap(), before, "the old key is kept");
    }

    #[test]
    fn a_key_file_others_may_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        SecretKey::generate().write_new_file(&path).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o660] {
            chmod(&path, mode);
            match SecretKey::read_file(&path) {
                Err(KeyFileError::Permissions { mode: got, .. }) => assert_eq!(got, mode),
                other => panic!("mode {mode:o}: {other:?}"),
            }
        }
        chmod(&path, 0o400);
        assert!(SecretKey::read_file(&path).is_ok(), "read-only is fine");
    }

    #[test]
    fn a_key_file_of_another_user_is_refused() {
        if rustix::process::geteuid().as_raw() != 0 {
            // Only root can hand a file to another user; as anyone else the check is the
            // same comparison, exercised by every successful read above.
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key");
        SecretKey::generate().write_new_file(&path).unwrap();
        std::os::unix::fs::chown(&path, Some(65_534), None).unwrap();
        match SecretKey::read_file(&path) {
            Err(KeyFileError::Owner { owner, user, .. }) => assert_eq!((owner, user), (65_534, 0)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_and_malformed_files_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            SecretKey::read_file(&dir.path().join("nope")),
            Err(KeyFileError::Missing { .. })
        ));
        let path = dir.path().join("short");
        for content in ["abcd\n", &"zz".repeat(32), &"ab".repeat(40)] {
            let _ = fs::remove_file(&path);
            fs::write(&path, content).unwrap();
            chmod(&path, 0o600);
            match SecretKey::read_file(&path) {
                Err(err @ KeyFileError::Malformed { .. }) => {
                    assert!(!err.to_string().contains(content.trim()), "{err}");
                }
                other => panic!("{content:?}: {other:?}"),
            }
        }
        fs::write(&path, format!("{}\n", "aB".repeat(32))).unwrap();
        assert!(
            SecretKey::read_file(&path).is_ok(),
            "either case, one newline"
        );
    }

    #[test]
    fn debug_never_prints_the_key() {
        let key = SecretKey::generate();
        let shown = format!("{key:?} {key:#?}");
        let hex: String = key.bytes().iter().map(|b| format!("{b:02x}")).collect();
        assert!(!shown.contains(&hex[..8]), "{shown}");
        assert!(shown.contains("redacted"));
    }
}
