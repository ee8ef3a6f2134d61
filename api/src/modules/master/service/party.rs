//! What customers and suppliers share: the fields of a trading party (name, tax id, e-mail,
//! phone, owner, payment terms) and their rules, written once for both.

use sea_orm::{ActiveModelTrait, ColumnTrait, QueryFilter, QueryTrait, Select, Value};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::kit::Write;
use crate::kit::resource::{Resource, column, new_owner, visible as scoped};
use crate::modules::common::{contains, optional_email, optional_text, text};
use crate::modules::identity::service::references::require_active_user;

/// A change of a party's shared fields: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PartyPatch {
    /// Legal name.
    pub name: Option<String>,
    /// Tax id.
    pub tax_id: Option<Option<String>>,
    /// Email.
    pub email: Option<Option<String>>,
    /// Phone.
    pub phone: Option<Option<String>>,
    /// Responsible user (`None` inside: the caller).
    pub owner_id: Option<Option<Uuid>>,
    /// Payment terms.
    pub payment_term_id: Option<Option<Uuid>>,
}

/// Validates the shared fields `patch` gives and sets them on `row` of party resource `R`
/// (its columns `name`, `tax_id`, `email`, `phone`, `owner_id`, `payment_term_id`).
pub async fn apply<R>(
    w: &Write<'_>,
    patch: &PartyPatch,
    row: &mut R::ActiveModel,
) -> Result<(), AppError>
where
    R: Resource,
    R::ActiveModel: ActiveModelTrait<Entity = R> + Send,
{
    let mut set = |name: &str, value: Value| row.set(column::<R>(name), value);
    if let Some(name) = &patch.name {
        set("name", text(name, "input.name", 200)?.into());
    }
    if let Some(v) = &patch.tax_id {
        set(
            "tax_id",
            optional_text(v.as_deref(), "input.taxId", 50)?.into(),
        );
    }
    if let Some(v) = &patch.email {
        set("email", optional_email(v.as_deref(), "input.email")?.into());
    }
    if let Some(v) = &patch.phone {
        set(
            "phone",
            optional_text(v.as_deref(), "input.phone", 40)?.into(),
        );
    }
    if let Some(owner) = patch.owner_id {
        let owner = new_owner::<R>(w.access(), owner)?;
        require_active_user(w, owner, "input.ownerId").await?;
        set("owner_id", owner.into());
    }
    // The foreign key checks the payment term (the kit answers "no such payment term").
    if let Some(term) = patch.payment_term_id {
        set("payment_term_id", term.into());
    }
    Ok(())
}

/// Rows of party resource `R` that `access` may see, active (`Some(true)`) or archived only;
/// `search` matches the name, email or tax id, any case.
pub fn visible<R: Resource>(
    access: &Access,
    search: Option<&str>,
    is_active: Option<bool>,
) -> Result<Select<R>, AppError> {
    let mut query = scoped::<R>(access)?;
    if let Some(active) = is_active {
        query = query.filter(column::<R>("is_active").eq(active));
    }
    let searched = ["name", "email", "tax_id"].map(column::<R>);
    Ok(query.apply_if(contains(search, &searched), QueryFilter::filter))
}
