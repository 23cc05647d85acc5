//! Sealing and opening one value: XChaCha20-Poly1305, a fresh nonce each time, the value bound to
//! where it is stored.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use exsited_core::SecretString;

use crate::key::SecretKey;

/// The first byte of every sealed value: the format, so that a later one can be told apart.
const FORMAT_V1: u8 = 1;
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;

/// What the key check value seals, and where it is bound.
const CHECK_TEXT: &str = "exsited-secrets key check value";
const CHECK_BINDING: Binding<'static> = Binding::new("exsited_schema", "key_check", "1");

/// Where a sealed value is stored: its table, its column and its row's id. Sealed under one
/// binding, a value opens under that binding only, so a ciphertext copied into another row or
/// column is rejected instead of being served as that row's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding<'a> {
    table: &'a str,
    column: &'a str,
    row: &'a str,
}

impl<'a> Binding<'a> {
    /// The value of `column` in the row `row` (its primary key as text) of `table`.
    pub const fn new(table: &'a str, column: &'a str, row: &'a str) -> Self {
        Self { table, column, row }
    }

    /// The associated data: a version tag and the three parts, each length-prefixed so that no
    /// two bindings produce the same bytes.
    fn associated_data(&self) -> Vec<u8> {
        let mut aad = b"exsited-secrets/v1".to_vec();
        for part in [self.table, self.column, self.row] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
        aad
    }
}

impl fmt::Display for Binding<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{} of row {}", self.table, self.column, self.row)
    }
}

/// Why a sealed value did not open. Never carries a byte of the value or the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UnsealError {
    /// The bytes are not a sealed value of a format this version knows.
    #[error("{binding}: not a sealed value ({reason})")]
    Malformed {
        /// Where the value was read.
        binding: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Authentication failed: the value was sealed under another key, for another row or
    /// column, or it was changed.
    #[error(
        "{binding}: the sealed value does not open: it was sealed under another key or for another row or column, or it was altered"
    )]
    Rejected {
        /// Where the value was read.
        binding: String,
    },
}

/// Seals and opens partner secrets under one [`SecretKey`]. `Debug` shows nothing of the key;
/// the cipher wipes its copy of the key when dropped.
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer")
            .field("cipher", &"XChaCha20-Poly1305 [key redacted]")
            .finish()
    }
}

impl Sealer {
    /// A sealer under `key`.
    pub fn new(key: &SecretKey) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(key.bytes().into()),
        }
    }

    /// Seals `value` for `binding`: the format byte, a fresh random nonce, then the ciphertext
    /// with its tag. Sealing the same value twice gives different bytes.
    pub fn seal(&self, value: &SecretString, binding: &Binding<'_>) -> Vec<u8> {
        self.seal_bytes(value.expose().as_bytes(), binding)
    }

    fn seal_bytes(&self, plaintext: &[u8], binding: &Binding<'_>) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).expect("the operating system's random generator is available");
        let aad = binding.associated_data();
        let ciphertext = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 seals any value shorter than 256 GiB");
        let mut sealed = Vec::with_capacity(1 + NONCE_BYTES + ciphertext.len());
        sealed.push(FORMAT_V1);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Opens a value sealed for `binding`.
    pub fn open(&self, sealed: &[u8], binding: &Binding<'_>) -> Result<SecretString, UnsealError> {
        let malformed = |reason| UnsealError::Malformed {
            binding: binding.to_string(),
            reason,
        };
        let Some((&format, rest)) = sealed.split_first() else {
            return Err(malformed("empty"));
        };
        if format != FORMAT_V1 {
            return Err(malformed("unknown format"));
        }
        if rest.len() < NONCE_BYTES + TAG_BYTES {
            return Err(malformed("too short"));
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
        let aad = binding.associated_data();
        let plaintext = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| UnsealError::Rejected {
                binding: binding.to_string(),
            })?;
        // Sealed values are seal()ed strings; anything else was not written by this code.
        String::from_utf8(plaintext)
            .map(SecretString::new)
            .map_err(|e| {
                let mut bytes = e.into_bytes();
                zeroize::Zeroize::zeroize(&mut bytes);
                malformed("not text")
            })
    }

    /// A value that proves which key sealed it: a constant, sealed. A database keeps the one its
    /// first server wrote; a server whose key does not [`accepts`](Self::accepts) it holds
    /// another key and must not start.
    pub fn check_value(&self) -> Vec<u8> {
        self.seal_bytes(CHECK_TEXT.as_bytes(), &CHECK_BINDING)
    }

    /// Whether `check` is a [`check_value`](Self::check_value) made under this sealer's key.
    pub fn accepts(&self, check: &[u8]) -> bool {
        self.open(check, &CHECK_BINDING)
            .is_ok_and(|text| text.expose() == CHECK_TEXT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW: &str = "6f9619ff-8b86-d011-b42d-00c04fc964ff";

    fn binding(column: &str) -> Binding<'_> {
        Binding::new("connections", column, ROW)
    }

    #[test]
    fn values_round_trip_with_fresh_nonces_and_no_plaintext() {
        let sealer = Sealer::new(&SecretKey::generate());
        let secret = SecretString::new("PLAINTEXT-PARTNER-SECRET");
        let (one, two) = (
            sealer.seal(&secret, &binding("c")),
            sealer.seal(&secret, &binding("c")),
        );
        assert_ne!(one, two, "a fresh nonce for every value");
        assert!(!one.windows(9).any(|w| w == b"PLAINTEXT"));
        assert_eq!(sealer.open(&one, &binding("c")).unwrap(), secret);
        assert_eq!(
            sealer
                .open(
                    &sealer.seal(&SecretString::default(), &binding("c")),
                    &binding("c")
                )
                .unwrap(),
            SecretString::default()
        );
    }

    #[test]
    fn a_value_opens_only_where_it_was_sealed_and_under_its_key() {
        let sealer = Sealer::new(&SecretKey::generate());
        let sealed = sealer.seal(&SecretString::new("s"), &binding("client_secret"));
        let other_row = Binding::new("connections", "client_secret", "another-row");
        let other_table = Binding::new("other", "client_secret", ROW);
        for wrong in [binding("access_token"), other_row, other_table] {
            assert!(matches!(
                sealer.open(&sealed, &wrong),
                Err(UnsealError::Rejected { .. })
            ));
        }
        let stranger = Sealer::new(&SecretKey::generate());
        assert!(matches!(
            stranger.open(&sealed, &binding("client_secret")),
            Err(UnsealError::Rejected { .. })
        ));
        let mut altered = sealed.clone();
        *altered.last_mut().unwrap() ^= 1;
        assert!(matches!(
            sealer.open(&altered, &binding("client_secret")),
            Err(UnsealError::Rejected { .. })
        ));
        for junk in [&[][..], &[1, 2, 3][..], &[9; 64][..]] {
            assert!(matches!(
                sealer.open(junk, &binding("client_secret")),
                Err(UnsealError::Malformed { .. })
            ));
        }
    }

    #[test]
    fn the_check_value_tells_keys_apart() {
        let sealer = Sealer::new(&SecretKey::generate());
        let check = sealer.check_value();
        assert!(sealer.accepts(&check));
        assert!(!Sealer::new(&SecretKey::generate()).accepts(&check));
        assert!(!sealer.accepts(b"not a check value"));
    }

    #[test]
    fn debug_shows_no_key() {
        let shown = format!("{:?}", Sealer::new(&SecretKey::generate()));
        assert!(shown.contains("redacted"), "{shown}");
    }
}
