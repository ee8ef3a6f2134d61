//! Notifications: messages to one user of the tenant, stored in the tenant database
//! (`notification`), listed by `notifications`, counted by `unreadNotificationCount`, marked
//! read by `markNotificationRead` and `markAllNotificationsRead`, and delivered live by the
//! `notificationReceived` subscription.
//!
//! Who gets one ([`service`]):
//! - `ASSIGNED`: a lead, opportunity or activity was assigned to you by someone else (the
//!   kit sends it from any create or update that makes you an owner or assignee of a
//!   resource declaring `assign_notice`);
//! - `OPPORTUNITY_WON` / `OPPORTUNITY_LOST`: to the opportunity's owner and the tenant's
//!   managers (users with the `manager` role), except whoever closed it;
//! - `ACTIVITY_DUE`: a reminder when an activity falls due, to its assignee (or owner), once
//!   per activity and due time, whatever number of processes run the reminder job.
//!
//! A notification is written in the transaction of the change it is about, and its event
//! goes through the outbox like every other: it exists and is delivered if and only if the
//! change committed. Notifications need no permission: everyone reads only their own.

pub mod graphql;
pub mod service;
