//! Resources written from patches: a new row's bookkeeping columns, and the create, versioned
//! update and archive every such resource does the same way through [`crate::kit::write`].
//!
//! A service implements [`Editable`] (how a patch is validated and set on a row) and its
//! mutations call [`create`], [`update`] and [`archive`] with the entity as the type.

use std::future::Future;

use chrono::Utc;
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, IntoActiveModel, Value};
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::resource::{Resource, column, id_column};
use crate::kit::write::{self, Write};

/// A resource changed by patches (`None`: a field unchanged).
pub trait Editable:
    Resource<
        ActiveModel: ActiveModelTrait<Entity = Self> + ActiveModelBehavior + Send,
        Model: IntoActiveModel<Self::ActiveModel>,
    >
{
    /// The change a client asks for.
    type Patch: Send;

    /// Validates the fields `patch` gives and sets them on `row`; `stored` is the row before
    /// (none: a new row).
    fn apply(
        w: &Write<'_>,
        patch: Self::Patch,
        stored: Option<&Self::Model>,
        row: &mut Self::ActiveModel,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// A new row of `R` with its bookkeeping columns: the id (`id`, the client's, else a new
/// time-ordered one), active, version 1, created and updated now.
pub fn fresh<R>(id: Option<Uuid>) -> R::ActiveModel
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R>,
{
    let now = Utc::now();
    let mut row = <R::ActiveModel as ActiveModelTrait>::default();
    row.set(
        id_column::<R>(),
        Value::from(id.unwrap_or_else(Uuid::now_v7)),
    );
    row.set(column::<R>("is_active"), Value::from(true));
    row.set(column::<R>("version"), Value::from(1i32));
    row.set(column::<R>("created_at"), Value::from(now));
    row.set(column::<R>("updated_at"), Value::from(now));
    row
}

/// Creates a row of `R` from `patch` (idempotent with a client-chosen `id`), if the caller
/// holds the resource's write permission.
pub async fn create<R: Editable>(
    w: &Write<'_>,
    id: Option<Uuid>,
    patch: R::Patch,
) -> Result<R::Model, AppError> {
    w.access().require(R::INFO.write)?;
    let mut row = fresh::<R>(id);
    R::apply(w, patch, None, &mut row).await?;
    write::insert::<R>(w, row, id.is_some()).await
}

/// Changes the fields `patch` gives of the row `id` of `R` if `expected_version` is current.
pub async fn update<R: Editable>(
    w: &Write<'_>,
    id: Uuid,
    patch: R::Patch,
    expected_version: i32,
) -> Result<R::Model, AppError> {
    let before = write::find_for_write::<R>(w, id).await?;
    let mut row = <R::ActiveModel as ActiveModelTrait>::default();
    R::apply(w, patch, Some(&before), &mut row).await?;
    write::update::<R>(w, &before, row, expected_version, "update").await
}

/// Archives the row `id` of `R` (see [`write::archive`]).
pub async fn archive<R: Editable>(w: &Write<'_>, id: Uuid) -> Result<R::Model, AppError> {
    let before = write::find_for_write::<R>(w, id).await?;
    write::archive::<R>(w, before).await
}
