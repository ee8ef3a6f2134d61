//! Who is calling: password hashing, signing keys and access tokens.
//!
//! The tenant of a request comes only from a verified token's `tid` claim, never from an
//! argument, a header the client picks or a cookie (DESIGN.md §3).

pub mod keys;
pub mod password;
pub mod tokens;

use uuid::Uuid;

/// The verified caller of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The tenant the token was issued for.
    pub tenant_id: Uuid,
    /// The signed-in user.
    pub user_id: Uuid,
}
