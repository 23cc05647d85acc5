//! Partner secrets sealed at rest: the key file and the AEAD.
//!
//! A store that keeps partner secrets (client secrets, access and refresh tokens) in a database
//! it shares with other processes seals each value with a key the server holds *outside* that
//! database, so that the database's files, its write-ahead log and its backups never hold a
//! secret in clear.
//!
//! - [`SecretKey`]: 256 random bits, read from a key file that only its owner may read
//!   ([`SecretKey::read_file`]) and written by [`SecretKey::write_new_file`]. It never prints
//!   and is wiped from memory when dropped.
//! - [`Sealer`]: XChaCha20-Poly1305 under that key. Every value gets a fresh random 192-bit
//!   nonce, and is bound to the row and column it is stored in ([`Binding`]), so a ciphertext
//!   copied into another row or column does not open.
//! - A *key check value* ([`Sealer::check_value`]): a sealed constant the database keeps, so
//!   that a server started with another key refuses to start instead of failing on every read.
//!
//! ```
//! use exsited_core::SecretString;
//! use exsited_secrets::{Binding, SecretKey, Sealer};
//!
//! let sealer = Sealer::new(&SecretKey::generate());
//! let row = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
//! let here = Binding::new("connections", "client_secret", row);
//! let sealed = sealer.seal(&SecretString::new("s3cr3t"), &here);
//! assert_eq!(sealer.open(&sealed, &here)?.expose(), "s3cr3t");
//!
//! let elsewhere = Binding::new("connections", "access_token", row);
//! assert!(sealer.open(&sealed, &elsewhere).is_err());
//! # Ok::<(), exsited_secrets::UnsealError>(())
//! ```
//!
//! # Key rotation
//!
//! There is none in this version: one key seals every value for the life of a database. Rotating
//! means re-sealing every stored secret while servers keep serving, which needs a window in which
//! servers open values under either key and seal under the new one, and a job that re-seals the
//! rows; until that exists, a half-done rotation could leave values no running server can open.
//! `docs/scale-out.md` says what to do if a key leaks.

#![deny(missing_docs)]

mod credentials;
mod key;
mod seal;

pub use credentials::{SEALED_COLUMNS, open_credentials, seal_credentials};
pub use key::{KEY_BYTES, KeyFileError, SecretKey};
pub use seal::{Binding, Sealer, UnsealError};
