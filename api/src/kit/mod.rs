//! The module kit: what every module gets right by construction instead of by convention.
//!
//! - [`resource`]: one declaration per entity ([`Resource`]): permissions, owner columns for
//!   scope `OWN`, sensitive and secret fields; and the one `visible` every read starts from.
//! - [`read`]: by id and relation fields through lazily created per-request loaders, with the
//!   same row rules as lists.
//! - [`children`]: nested lists (`Customer.contacts`) as connections, one page for many
//!   parents per SQL statement, through the same `visible`.
//! - [`write`]: the write context ([`Write`]) and generic insert (idempotent, unique values as
//!   `CONFLICT`), versioned update and archive, each writing its own audit entry.
//! - [`edit`]: resources written from patches ([`edit::Editable`]): a new row's bookkeeping
//!   columns, create, versioned update and archive by id.
//! - [`audit`]: audit entries as row diffs; audit reads without fields the reader may not read.
//! - [`events`]: domain events, stored in the outbox with the write and published after it.
//! - [`changes`]: change streams (`leadChanged`) checked against the subscriber's grants.
//!
//! `docs/MODULES.md` shows how a module uses it.

pub mod audit;
pub mod changes;
pub mod children;
pub mod edit;
pub mod events;
pub mod read;
pub mod resource;
pub mod write;

pub use resource::{Resource, ResourceInfo};
pub use write::Write;
