//! Output types of the identity module. Each wraps its entity row, so a column rename cannot
//! silently change `schema.graphql`.

use async_graphql::{Context, ContextSelectionSet, Json, Result, SimpleObject, Value};
use chrono::{DateTime, Utc};
use entities::identity::{api_key, audit_entry, role, role_grant, user_account};

use crate::authz::catalog::{ROLE_READ, USER_CONTACT_READ};
use crate::authz::{Scope, field_readable, require_field, self_readable_field_visible};
use crate::error::GqlResult;
use crate::graphql::context::{ContextExt, RequestContext};
use crate::graphql::fields::fields;
use crate::graphql::loaders::load_failed;

fn contact_visible(ctx: &Context<'_>) -> bool {
    self_readable_field_visible(ctx, USER_CONTACT_READ)
}

/// Whether the caller may read the contact fields of user `id` (`require_field`'s rule), for
/// the answers without a future.
fn contact(ctx: &ContextSelectionSet<'_>, id: uuid::Uuid) -> bool {
    ctx.data_opt::<RequestContext>()
        .is_some_and(|request| field_readable(request, USER_CONTACT_READ, Some(id)))
}

/// A person who can sign in to the tenant.
#[derive(Clone)]
pub struct User(pub user_account::Model);

fields! {
    /// A person who can sign in to the tenant.
    impl User(user_account::Model) {
        /// Stable id (UUID).
        id id;

        /// Email address, lower-case, unique in the tenant. Needs `identity.user.contact.read`,
        /// except on your own record.
        #[graphql(visible = "contact_visible")]
        async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
            require_field(ctx, USER_CONTACT_READ, Some(self.0.id))?;
            Ok(Some(&self.0.email))
        }
        => |ctx, _, m| contact(ctx, m.id).then(|| Value::String(m.email.clone()));

        /// Phone number. Needs `identity.user.contact.read`, except on your own record.
        #[graphql(visible = "contact_visible")]
        async fn phone(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
            require_field(ctx, USER_CONTACT_READ, Some(self.0.id))?;
            Ok(self.0.phone.as_deref())
        }
        => |ctx, _, m| contact(ctx, m.id)
            .then(|| m.phone.clone().map_or(Value::Null, Value::String));

        /// Name shown to other users.
        text display_name;

        /// Whether the user can sign in (users are deactivated, never deleted).
        value is_active: bool;

        /// Last successful sign-in.
        value last_login_at: Option<DateTime<Utc>>;

        /// Roles the user holds. Needs `identity.role.read`, except on your own record.
        async fn roles(&self, ctx: &Context<'_>) -> Result<Option<Vec<Role>>> {
            require_field(ctx, ROLE_READ, Some(self.0.id))?;
            let loaders = ctx.request()?.loaders().await.gql()?;
            let roles = loaders
                .identity
                .roles_by_user_id
                .load_one(self.0.id)
                .await
                .map_err(load_failed)?
                .unwrap_or_default();
            Ok(Some(roles.into_iter().map(Role).collect()))
        }

        /// Optimistic-locking version: pass it as `expectedVersion` when updating.
        value version: i32;

        /// When the user was created.
        value created_at: DateTime<Utc>;
    }
}

/// A named set of permissions.
#[derive(Clone)]
pub struct Role(pub role::Model);

fields! {
    /// A named set of permissions.
    impl Role(role::Model) {
        /// Stable id (UUID).
        id id;

        /// Unique name.
        text name;

        /// What the role is for.
        text description;

        /// Seeded by the system: its grants follow the code and cannot be changed.
        value is_system: bool;

        /// The role's permissions.
        async fn grants(&self, ctx: &Context<'_>) -> Result<Vec<Grant>> {
            let loaders = ctx.request()?.loaders().await.gql()?;
            let grants = loaders
                .identity
                .grants_by_role_id
                .load_one(self.0.id)
                .await
                .map_err(load_failed)?
                .unwrap_or_default();
            Ok(grants.iter().filter_map(Grant::from_row).collect())
        }

        /// Optimistic-locking version: pass it as `expectedVersion` when updating.
        value version: i32;
    }
}

/// One permission of a role.
#[derive(SimpleObject, Clone)]
pub struct Grant {
    /// The permission, e.g. `identity.user.read`.
    pub permission: String,
    /// `ALL` rows, or `OWN` rows only.
    pub scope: Scope,
}

impl Grant {
    fn from_row(row: &role_grant::Model) -> Option<Self> {
        Some(Self {
            permission: row.permission.clone(),
            scope: Scope::parse(&row.scope)?,
        })
    }
}

/// An integrator's API key (the secret is shown only when created).
pub struct ApiKey(pub api_key::Model);

fields! {
    /// An integrator's API key (the secret is shown only when created).
    impl ApiKey(api_key::Model) {
        /// Stable id (UUID).
        id id;

        /// Name, to tell keys apart.
        text name;

        /// The role whose permissions the key has.
        async fn role(&self, ctx: &Context<'_>) -> Result<Option<Role>> {
            let loaders = ctx.request()?.loaders().await.gql()?;
            Ok(loaders
                .identity
                .role_by_id
                .load_one(self.0.role_id)
                .await
                .map_err(load_failed)?
                .map(|role| Role(std::sync::Arc::unwrap_or_clone(role))))
        }

        /// Whether the key still works.
        async fn is_active(&self) -> bool {
            self.0.revoked_at.is_none()
        }

        /// When it was created.
        value created_at: DateTime<Utc>;

        /// Last use, to the minute.
        value last_used_at: Option<DateTime<Utc>>;

        /// When it was revoked.
        value revoked_at: Option<DateTime<Utc>>;
    }
}

/// One change of state in the audit trail.
pub struct AuditEntry(pub audit_entry::Model);

fields! {
    /// One change of state in the audit trail.
    impl AuditEntry(audit_entry::Model) {
        /// Stable id (UUID v7, ordered by time).
        id id;

        /// When it happened.
        value at: DateTime<Utc>;

        /// `user`, `api_key` or `system`.
        text actor_type;

        /// The acting user's or API key's id.
        opt_id actor_id;

        /// The request that made the change (the `x-request-id` header of its response).
        text request_id;

        /// Kind of record changed, e.g. `user`.
        text entity;

        /// The changed record's id.
        id entity_id;

        /// What happened, e.g. `update`.
        text action;

        /// Changed fields: `{ field: { before, after } }`, secrets shown as `[redacted]`. Fields
        /// that need a permission you lack (a user's email, a product's cost price) are left out.
        async fn changes(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
            let access = ctx.request()?.access().gql()?;
            let info = crate::modules::resource(&self.0.entity);
            let shown = crate::kit::audit::redact(access, info, &self.0.changes);
            Ok(Json(serde_json::from_str(&shown).unwrap_or_default()))
        }
    }
}

/// A permission of the catalog.
#[derive(SimpleObject)]
pub struct Permission {
    /// Its name, `module.entity.action` or `module.entity.field.read`.
    pub name: &'static str,
    /// What it allows.
    pub description: &'static str,
}
