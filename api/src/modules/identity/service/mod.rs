//! Identity rules and transactions. No GraphQL types here: functions take plain inputs and the
//! caller's [`crate::authz::Access`], check permissions and row scopes themselves (a second
//! line behind the resolvers' guards), and write audit entries in their transactions.

pub mod api_keys;
pub mod audit_log;
pub mod escalation;
pub mod references;
pub mod roles;
pub mod session;
pub mod throttle;
pub mod users;
