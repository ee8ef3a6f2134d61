//! The chart of accounts: a tree of group accounts and the accounts under them that take
//! postings. An account keeps its parent's kind (an asset group holds asset accounts), codes
//! are unique, and accounts are archived rather than deleted: lines keep naming them, and an
//! archived account takes no new postings (`ledger.archived_account`).

use chrono::Utc;
use entities::finance::account::{self, AccountKind};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::ACCOUNT_WRITE;
use crate::error::AppError;
use crate::kit::resource::visible as scoped;
use crate::kit::{Write, write};
use crate::modules::common::text;
use crate::modules::finance::service::rule;

/// Filter of the account list.
#[derive(Debug, Default)]
pub struct AccountFilter {
    /// These kinds only.
    pub kind: Vec<AccountKind>,
    /// Group accounts (true) or posting accounts (false) only.
    pub is_group: Option<bool>,
    /// Active (true) or archived (false) only.
    pub is_active: Option<bool>,
    /// Direct children of one group.
    pub parent_id: Option<Uuid>,
}

/// Accounts `access` may see, filtered.
pub fn visible(
    access: &Access,
    filter: &AccountFilter,
) -> Result<Select<account::Entity>, AppError> {
    let mut query = scoped::<account::Entity>(access)?;
    if !filter.kind.is_empty() {
        query = query.filter(account::Column::Kind.is_in(filter.kind.iter().copied()));
    }
    if let Some(group) = filter.is_group {
        query = query.filter(account::Column::IsGroup.eq(group));
    }
    if let Some(active) = filter.is_active {
        query = query.filter(account::Column::IsActive.eq(active));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(account::Column::ParentId.eq(parent));
    }
    Ok(query)
}

/// A new account.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    /// Unique code, e.g. `6110`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Its kind; under a parent, the parent's (given or not).
    pub kind: Option<AccountKind>,
    /// The group it belongs to.
    pub parent_id: Option<Uuid>,
    /// A group takes no postings and holds other accounts.
    pub is_group: bool,
}

/// Adds an account to the chart (idempotent with a client-chosen `id`).
pub async fn create(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: NewAccount,
) -> Result<account::Model, AppError> {
    w.access().require(ACCOUNT_WRITE)?;
    let code = text(&input.code, "input.code", 20)?;
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err(AppError::validation(
            "input.code",
            "an account code is letters, digits, `.` and `-`",
        ));
    }
    let kind = match input.parent_id {
        Some(parent_id) => {
            let parent = account::Entity::find_by_id(parent_id)
                .one(w.tx().await?)
                .await?
                .ok_or_else(|| AppError::validation("input.parentId", "no such account"))?;
            if !parent.is_group {
                return Err(rule(
                    "ledger.parent_not_group",
                    format!(
                        "{} {} takes postings; accounts go under a group account",
                        parent.code, parent.name
                    ),
                ));
            }
            if input.kind.is_some_and(|k| k != parent.kind) {
                return Err(AppError::validation(
                    "input.kind",
                    format!("an account has its group's kind ({:?})", parent.kind),
                ));
            }
            parent.kind
        }
        None => input
            .kind
            .ok_or_else(|| AppError::validation("input.kind", "required without a parent"))?,
    };
    let now = Utc::now();
    let row = account::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        code: Set(code),
        name: Set(text(&input.name, "input.name", 200)?),
        kind: Set(kind),
        parent_id: Set(input.parent_id),
        role: Set(None),
        is_group: Set(input.is_group),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    write::insert::<account::Entity>(w, row, id.is_some()).await
}

/// Archives an account: it keeps its lines and takes no new ones. A control account (one
/// with a role other modules post to) stays.
pub async fn archive(w: &Write<'_>, id: Uuid) -> Result<account::Model, AppError> {
    let before = write::find_for_write::<account::Entity>(w, id).await?;
    if let Some(role) = &before.role {
        return Err(rule(
            "ledger.control_account",
            format!(
                "{} {} is the {role} account other documents post to; it stays active",
                before.code, before.name
            ),
        ));
    }
    write::archive::<account::Entity>(w, before).await
}

/// The account holding control `role` (`seed::role`), for modules posting to it.
pub async fn for_role(w: &Write<'_>, role: &str) -> Result<account::Model, AppError> {
    account::Entity::find()
        .filter(account::Column::Role.eq(role))
        .one(w.tx().await?)
        .await?
        .ok_or_else(|| {
            rule(
                "ledger.missing_control_account",
                format!("the chart of accounts has no {role} account"),
            )
        })
}
