//! Opaque secrets: refresh tokens and API keys.
//!
//! Both carry the tenant id in clear (the server must know which database to look in) and 256
//! random bits; only the SHA-256 of the random part is stored, and it is compared in constant
//! time. Forms: `erpr_<tenant>_<secret>` (refresh token) and `erpk_<tenant>_<key id>_<secret>`
//! (API key), ids as 32 hex digits, secrets as 43 base64url characters.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Prefix of refresh tokens.
pub const REFRESH_PREFIX: &str = "erpr_";
/// Prefix of API keys.
pub const API_KEY_PREFIX: &str = "erpk_";

/// 256 random bits, base64url.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256 of a secret: what is stored.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `secret` hashes to `stored`, in time independent of where they differ.
pub fn matches(secret: &str, stored: &str) -> bool {
    let computed = hash(secret);
    computed.len() == stored.len()
        && computed
            .bytes()
            .zip(stored.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A new refresh token for `tenant`: (token, secret part).
pub fn new_refresh_token(tenant: Uuid) -> (String, String) {
    let secret = random_secret();
    (
        format!("{REFRESH_PREFIX}{}_{secret}", tenant.simple()),
        secret,
    )
}

/// The tenant and secret of a refresh token.
pub fn parse_refresh_token(raw: &str) -> Option<(Uuid, &str)> {
    let (tenant, secret) = raw.strip_prefix(REFRESH_PREFIX)?.split_once('_')?;
    Some((Uuid::try_parse(tenant).ok()?, secret))
}

/// A new API key for `tenant` with id `key`: (key, secret part).
pub fn new_api_key(tenant: Uuid, key: Uuid) -> (String, String) {
    let secret = random_secret();
    (
        format!(
            "{API_KEY_PREFIX}{}_{}_{secret}",
            tenant.simple(),
            key.simple()
        ),
        secret,
    )
}

/// The tenant, key id and secret of an API key.
pub fn parse_api_key(raw: &str) -> Option<(Uuid, Uuid, &str)> {
    let rest = raw.strip_prefix(API_KEY_PREFIX)?;
    let (tenant, rest) = rest.split_once('_')?;
    let (key, secret) = rest.split_once('_')?;
    Some((
        Uuid::try_parse(tenant).ok()?,
        Uuid::try_parse(key).ok()?,
        secret,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_only_their_secret_matches() {
        let (tenant, id) = (Uuid::now_v7(), Uuid::now_v7());
        let (key, secret) = new_api_key(tenant, id);
        let (t, k, s) = parse_api_key(&key).unwrap();
        assert_eq!((t, k, s), (tenant, id, secret.as_str()));
        assert!(matches(s, &hash(&secret)));
        assert!(!matches("other", &hash(&secret)));
        let (token, secret) = new_refresh_token(tenant);
        assert_eq!(parse_refresh_token(&token), Some((tenant, secret.as_str())));
        assert_eq!(parse_api_key(&token), None);
        assert_eq!(parse_refresh_token("erpr_nothex_x"), None);
    }

    #[test]
    fn secrets_are_256_bit_and_distinct() {
        let a = random_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_secret());
    }
}
