//! Who is calling: password hashing, signing keys, access tokens, and the opaque secrets of
//! refresh tokens and API keys.
//!
//! The tenant of a request comes only from a verified token's `tid` claim or an API key's
//! tenant, never from an argument, a header the client picks or a cookie (DESIGN.md §3).

pub mod keys;
pub mod password;
pub mod secrets;
pub mod tokens;

use uuid::Uuid;

/// Who acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A signed-in user.
    User(Uuid),
    /// An integrator's API key.
    ApiKey(Uuid),
}

/// The verified caller of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The tenant the credentials belong to.
    pub tenant_id: Uuid,
    /// The user or API key.
    pub actor: Actor,
    /// The refresh-token family (sign-in session) an access token belongs to.
    pub session_id: Option<Uuid>,
}
