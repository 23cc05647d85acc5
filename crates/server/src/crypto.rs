//! Randomness and hashing: tokens, client secrets, salts and the hashes stored in their place.
//!
//! Tokens and secrets are 256-bit values from the operating system's generator, so a plain
//! SHA-256 is enough to store them (nobody can brute-force 2^256 guesses); the salt on client
//! secrets keeps two clients that were given the same secret by hand from sharing a hash.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The prefix of a stored client-secret hash; a different prefix is a format this version does
/// not know, and never verifies.
const SECRET_HASH_SCHEME: &str = "sha256";

/// `bytes` random bytes as lower-case hex.
///
/// # Panics
///
/// When the operating system has no random source, where nothing secure can be done.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).expect("the operating system's random generator is available");
    hex(&buf)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
    out
}

/// SHA-256 of `data` as lower-case hex: how tokens, request bodies and idempotency fingerprints
/// are stored.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn salted_digest(salt: &str, secret: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b":");
    hasher.update(secret.as_bytes());
    hasher.finalize().to_vec()
}

/// The stored form of a client secret: `sha256:<salt>:<digest>`.
pub(crate) fn hash_secret(secret: &str) -> String {
    let salt = random_hex(16);
    let digest = hex(&salted_digest(&salt, secret));
    format!("{SECRET_HASH_SCHEME}:{salt}:{digest}")
}

/// Whether `secret` matches a stored hash, comparing digests in constant time so that the
/// response time says nothing about how much of a guess was right.
pub(crate) fn verify_secret(stored: &str, secret: &str) -> bool {
    let mut parts = stored.splitn(3, ':');
    let (Some(SECRET_HASH_SCHEME), Some(salt), Some(expected)) =
        (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let actual = hex(&salted_digest(salt, secret));
    actual.as_bytes().ct_eq(expected.as_bytes()).into()
}

/// A hash of the right shape that no secret matches, verified against when a client id is
/// unknown so that "no such client" and "wrong secret" take the same time.
pub(crate) fn decoy_hash() -> &'static str {
    "sha256:00000000000000000000000000000000:0000000000000000000000000000000000000000000000000000000000000000"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_verify_and_salts_differ() {
        let a = hash_secret("s3cret");
        let b = hash_secret("s3cret");
        assert_ne!(a, b, "salted");
        assert!(verify_secret(&a, "s3cret"));
        assert!(verify_secret(&b, "s3cret"));
        assert!(!verify_secret(&a, "s3cret2"));
        assert!(!verify_secret("md5:x:y", "s3cret"));
        assert!(!verify_secret("garbage", "s3cret"));
        assert!(!verify_secret(decoy_hash(), ""));
        assert!(!a.contains("s3cret"));
    }

    #[test]
    fn random_values_have_the_asked_length_and_differ() {
        let a = random_hex(32);
        assert_eq!(a.len(), 64);
        assert_ne!(a, random_hex(32));
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
