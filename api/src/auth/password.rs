//! Password hashing with argon2id (the crate's defaults: 19 MiB, t=2, p=1, OWASP's minimum).
//!
//! Hashing is CPU-heavy, so it runs on the blocking pool under a semaphore: a burst of logins
//! cannot starve the async threads or use unbounded memory. Verifying a login for an unknown
//! account checks against a dummy hash, so both answers cost the same time.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use tokio::sync::{OnceCell, Semaphore};

use crate::error::AppError;

/// Shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// Longest password accepted (hashing cost grows with length).
pub const MAX_LENGTH: usize = 256;

/// Well-known passwords long enough to pass the length rule (lower-case), from the public
/// lists of leaked passwords. Shorter common passwords already fail [`MIN_LENGTH`].
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "0987654321",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwertyuiop",
    "qwertyuiop123",
    "asdfghjkl1",
    "zxcvbnm123",
    "password12",
    "password123",
    "password1234",
    "password!1",
    "passw0rd123",
    "p@ssw0rd123",
    "p@ssword123",
    "iloveyou12",
    "iloveyou123",
    "letmein123",
    "welcome123",
    "welcome1234",
    "admin12345",
    "admin123456",
    "administrator",
    "administrator1",
    "qwerty1234",
    "qwerty12345",
    "qwerty123456",
    "abcdefghij",
    "abcd123456",
    "abc1234567",
    "1234qwerty",
    "123qweasdzxc",
    "1234567890q",
    "football123",
    "baseball123",
    "superman123",
    "princess123",
    "sunshine123",
    "monkey1234",
    "dragon1234",
    "changeme123",
    "changeme1234",
    "trustno1234",
    "starwars123",
    "whatever123",
    "computer123",
    "internet123",
    "michael123",
    "jennifer123",
    "1111111111",
    "0000000000",
    "1212121212",
    "1122334455",
    "9876543210",
    "123123123123",
    "12341234",
    "q1w2e3r4t5y6",
    "zaq12wsxcde3",
    "passwordpassword",
    "loveyou1234",
    "secret1234",
    "master12345",
    "summer2024!",
    "summer2025!",
    "summer2026!",
    "winter2025!",
    "winter2026!",
    "spring2026!",
    "autumn2026!",
    "company123",
    "welcome2026",
    "password2026",
    "password2025",
    "test123456",
    "testtest123",
    "guest12345",
    "user123456",
    "login12345",
    "default123",
    "demo123456",
];

fn is_one_repeated_char(password: &str) -> bool {
    let mut chars = password.chars();
    chars.next().is_some_and(|first| chars.all(|c| c == first))
}

/// Hashes and verifies passwords.
pub struct Passwords {
    permits: Arc<Semaphore>,
    dummy_hash: OnceCell<String>,
    verifications: std::sync::atomic::AtomicU64,
}

impl Passwords {
    /// At most `concurrency` hashes run at once.
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: OnceCell::new(),
            verifications: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Checks the password rules (length, not a well-known password); `field` names the
    /// input in the error.
    pub fn check_policy(password: &str, field: &str) -> Result<(), AppError> {
        let lowered = password.trim().to_lowercase();
        if COMMON_PASSWORDS.contains(&lowered.as_str()) || is_one_repeated_char(&lowered) {
            return Err(AppError::validation(
                field,
                "this password is among the most common ones; choose another",
            ));
        }
        let chars = password.chars().count();
        if chars < MIN_LENGTH {
            return Err(AppError::validation(
                field,
                format!("the password needs at least {MIN_LENGTH} characters"),
            ));
        }
        if chars > MAX_LENGTH {
            return Err(AppError::validation(
                field,
                format!("the password may have at most {MAX_LENGTH} characters"),
            ));
        }
        Ok(())
    }

    /// The argon2id PHC string of `password`.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("argon2 hash failed: {e}")))
        })
        .await
    }

    /// Whether `password` matches `hash`. With no hash (unknown account) it checks a dummy
    /// hash and answers `false`, taking the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AppError> {
        self.verifications
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (hash, known) = match hash {
            Some(h) => (h.to_owned(), true),
            None => (self.dummy().await?.to_owned(), false),
        };
        let password = password.to_owned();
        let matches = self
            .blocking(move || {
                let parsed = PasswordHash::new(&hash).map_err(|e| {
                    AppError::Internal(format!("stored password hash unreadable: {e}"))
                })?;
                Ok(Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok())
            })
            .await?;
        Ok(known && matches)
    }

    /// Password verifications run since start (each one costs a hash).
    pub fn verifications(&self) -> u64 {
        self.verifications
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn dummy(&self) -> Result<&str, AppError> {
        self.dummy_hash
            .get_or_try_init(|| self.hash("dummy password for unknown accounts"))
            .await
            .map(String::as_str)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal("password semaphore closed".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(format!("password task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let p = Passwords::new(2);
        let hash = p.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(
            p.verify("correct horse battery", Some(&hash))
                .await
                .unwrap()
        );
        assert!(!p.verify("wrong horse battery", Some(&hash)).await.unwrap());
        assert!(!p.verify("correct horse battery", None).await.unwrap());
    }

    #[test]
    fn short_passwords_are_refused_with_the_field_named() {
        let err = Passwords::check_policy("short", "input.password").unwrap_err();
        assert!(matches!(err, AppError::Validation { ref field, .. } if field == "input.password"));
        assert!(Passwords::check_policy("long enough pass", "p").is_ok());
        for common in ["Password123", "qwertyuiop", "aaaaaaaaaaaa", " 1234567890 "] {
            assert!(Passwords::check_policy(common, "p").is_err(), "{common}");
        }
    }
}
