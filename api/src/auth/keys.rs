//! The Ed25519 key that signs access tokens, and the keys that verify them.
//!
//! In production the signing key comes from `ERP_JWT_PRIVATE_KEY_FILE` (PKCS#8 PEM), and is
//! refused when group or others may read it (whoever reads it can sign tokens for any user of
//! any tenant). In development it is generated on first start into
//! `<data dir>/keys/jwt-ed25519.pem` (file 0600, folder 0700) and reused afterwards, so tokens
//! survive a restart. The key id (`kid`) is the key's RFC 7638
//! thumbprint. Public keys are published as a JWK set at `/.well-known/jwks.json`.
//!
//! Rotation: make a new key the signing key and list the old one in
//! `ERP_JWT_VERIFY_KEY_FILES`; tokens signed by either are accepted until the old ones expire
//! (at most the access-token lifetime), then drop the old key.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, spki::der::pem::LineEnding,
};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

use crate::config::Settings;

/// Signing and verification keys.
pub struct Keys {
    /// Signs new tokens.
    pub(crate) signing: EncodingKey,
    /// `kid` of the signing key.
    pub(crate) signing_kid: String,
    /// `kid` → key, for every key whose tokens are still accepted.
    pub(crate) verifying: HashMap<String, DecodingKey>,
    jwks: serde_json::Value,
}

/// Why the keys could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key file could not be read or written.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What failed.
        source: std::io::Error,
    },
    /// The private key file may be read by group or others (refused in production).
    #[error(
        "key file {path} may be read by group or others (mode {mode:o}); a signing key must be \
         readable by its owner only: chmod 600 {path}"
    )]
    Exposed {
        /// The file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not an Ed25519 PEM key.
    #[error("key file {0} is not an Ed25519 key in PEM form (PKCS#8 private or SPKI public)")]
    Format(String),
}

impl Keys {
    /// Loads the configured key, or (development) the generated one, generating it if needed.
    pub fn load(settings: &Settings) -> Result<Self, KeyError> {
        let signing = match &settings.auth.private_key_file {
            Some(path) => {
                check_private(path, settings.is_development())?;
                read_key(path)?
            }
            None => {
                let path = settings.data_dir.join("keys").join("jwt-ed25519.pem");
                if path.exists() {
                    read_key(&path)?
                } else {
                    let key = SigningKey::generate(&mut rand_core::OsRng);
                    write_key(&path, &key)?;
                    tracing::info!(path = %path.display(), "generated a token signing key");
                    key
                }
            }
        };
        let mut keys = Self::from_signing_key(&signing)?;
        for path in &settings.auth.verify_key_files {
            keys.add_verifying_key(&read_public_key(path, settings.is_development())?)?;
        }
        Ok(keys)
    }

    /// Keys built around one signing key (also used by tests).
    pub fn from_signing_key(signing: &SigningKey) -> Result<Self, KeyError> {
        let der = signing
            .to_pkcs8_der()
            .map_err(|_| KeyError::Format("<in memory>".into()))?;
        let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes());
        let kid = thumbprint(&x);
        let decoding = DecodingKey::from_ed_components(&x)
            .map_err(|_| KeyError::Format("<in memory>".into()))?;
        let jwks = serde_json::json!({ "keys": [jwk(&x, &kid)] });
        Ok(Self {
            signing: EncodingKey::from_ed_der(der.as_bytes()),
            signing_kid: kid.clone(),
            verifying: HashMap::from([(kid, decoding)]),
            jwks,
        })
    }

    /// Also accepts tokens signed by `key` (and publishes it).
    pub fn add_verifying_key(&mut self, key: &VerifyingKey) -> Result<(), KeyError> {
        let x = URL_SAFE_NO_PAD.encode(key.as_bytes());
        let kid = thumbprint(&x);
        if self.verifying.contains_key(&kid) {
            return Ok(());
        }
        let decoding = DecodingKey::from_ed_components(&x)
            .map_err(|_| KeyError::Format("<in memory>".into()))?;
        self.verifying.insert(kid.clone(), decoding);
        if let Some(list) = self.jwks["keys"].as_array_mut() {
            list.push(jwk(&x, &kid));
        }
        Ok(())
    }

    /// The public keys as a JWK set.
    pub fn jwks(&self) -> &serde_json::Value {
        &self.jwks
    }
}

fn jwk(x: &str, kid: &str) -> serde_json::Value {
    serde_json::json!({ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" })
}

/// RFC 7638 thumbprint of an Ed25519 public key given as base64url `x`.
fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

/// Refuses (production) or warns about (development) a private key file that group or others
/// may read.
fn check_private(path: &Path, development: bool) -> Result<(), KeyError> {
    let mode = crate::files::loose_mode(path).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })?;
    match mode {
        None => Ok(()),
        Some(mode) if development => {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{mode:o}"),
                "the signing key may be read by group or others; production refuses this"
            );
            Ok(())
        }
        Some(mode) => Err(KeyError::Exposed {
            path: path.display().to_string(),
            mode,
        }),
    }
}

fn read_key(path: &Path) -> Result<SigningKey, KeyError> {
    let pem = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })?;
    SigningKey::from_pkcs8_pem(&pem).map_err(|_| KeyError::Format(path.display().to_string()))
}

/// A verification key from a PEM file holding a public key or a private key.
/// A private key (the previous signing key during a rotation) is held to the same rule as the
/// signing key: owner-only in production.
fn read_public_key(path: &Path, development: bool) -> Result<VerifyingKey, KeyError> {
    let pem = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
        path: path.display().to_string(),
        source,
    })?;
    if let Ok(public) = VerifyingKey::from_public_key_pem(&pem) {
        return Ok(public);
    }
    let private = SigningKey::from_pkcs8_pem(&pem)
        .map_err(|_| KeyError::Format(path.display().to_string()))?;
    check_private(path, development)?;
    Ok(private.verifying_key())
}

fn write_key(path: &Path, key: &SigningKey) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    if let Some(dir) = path.parent() {
        crate::files::ensure_private_dir(dir).map_err(io)?;
    }
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| KeyError::Format(path.display().to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    use std::io::Write;
    let mut file = options.open(path).map_err(io)?;
    file.write_all(pem.as_bytes()).map_err(io)
}
