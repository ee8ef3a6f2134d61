//! Real time and background work of a tenant: the transactional outbox, notifications, jobs.

pub mod job;
pub mod notification;
pub mod outbox;
