//! Identity: signing in (`login`) and the signed-in caller (`me`).
//!
//! Login answers the same `UNAUTHENTICATED` error, after the same password-hashing work, for an
//! unknown tenant, an unknown or inactive user and a wrong password, so the answer tells an
//! attacker nothing about which accounts exist.

pub mod graphql;
pub mod service;
