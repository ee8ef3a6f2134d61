//! CRM rules and transactions. No GraphQL types here.

pub mod activities;
pub mod conversion;
pub mod forecast;
pub mod leads;
pub mod opportunities;
pub mod stages;

use sea_orm::sea_query::IntoCondition;
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::authz::{Access, Scope};
use crate::error::AppError;

/// The row condition of `permission` for `access`: every row, or (scope `OWN`) rows where one of
/// `columns` is the caller. An API key owns nothing.
pub fn scope_condition<C: ColumnTrait>(
    access: &Access,
    permission: &str,
    columns: &[C],
) -> Result<Condition, AppError> {
    Ok(match access.require(permission)? {
        Scope::All => Condition::all(),
        Scope::Own => {
            let me = access.user_id().unwrap_or(Uuid::nil());
            columns.iter().fold(Condition::any(), |c, col| {
                c.add(col.eq(me).into_condition())
            })
        }
    })
}

/// Whether a row with these `people` (owner, assignee) is within `access`'s scope of
/// `permission`.
pub fn in_scope(access: &Access, permission: &str, people: &[Option<Uuid>]) -> bool {
    match access.scope(permission) {
        Some(Scope::All) => true,
        Some(Scope::Own) => access
            .user_id()
            .is_some_and(|me| people.contains(&Some(me))),
        None => false,
    }
}

/// The owner a new row gets: the one asked for, or the caller. With scope `OWN` nobody creates
/// rows for someone else.
pub fn new_owner(
    access: &Access,
    permission: &str,
    asked: Option<Uuid>,
) -> Result<Option<Uuid>, AppError> {
    let me = access.user_id();
    if access.require(permission)? == Scope::Own && asked.is_some() && asked != me {
        return Err(AppError::Forbidden {
            permission: permission.to_owned(),
        });
    }
    Ok(asked.or(me))
}
