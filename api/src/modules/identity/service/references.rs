//! References to users from other modules' inputs (`ownerId`, `assigneeId`, …): the one check
//! every service runs before it stores such a reference, so no module accepts a UUID that
//! names nobody, or a deactivated user, as an owner or assignee.

use entities::identity::user_account;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::Write;

/// `VALIDATION` naming `field` unless `id` (when given) is an active user of this tenant's
/// database, checked in the write's transaction. The caller is one without a lookup: their
/// grants, loaded for this request, exist only for an active user.
pub async fn require_active_user(
    w: &Write<'_>,
    id: Option<Uuid>,
    field: &str,
) -> Result<(), AppError> {
    let Some(id) = id else {
        return Ok(());
    };
    if Some(id) == w.access().user_id() {
        return Ok(());
    }
    let db = w.tx().await?;
    let found = user_account::Entity::find()
        .select_only()
        .column(user_account::Column::Id)
        .filter(user_account::Column::Id.eq(id))
        .filter(user_account::Column::IsActive.eq(true))
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(AppError::validation(field, "no active user has this id")),
    }
}
