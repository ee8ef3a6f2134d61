//! Provisioning a tenant: register it, create its database, migrate it, seed it, activate it.
//! With tenant templates on ([`super::template`]) the database is created as a copy of a
//! migrated and seeded template, and only the tenant's own rows are added.
//!
//! Every step is idempotent and the tenant row says how far it got (`provisioning` until the
//! last step), so running provisioning again after a crash at any point finishes the job
//! instead of failing or duplicating anything. Seeding runs in one transaction.

use chrono::Utc;
use entities::control::tenant::{self, TenantStatus};
use entities::identity::user_account;
use migration::MigratorTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::auth::password::Passwords;
use crate::config::Secret;
use crate::error::AppError;
use crate::tenancy::slug::Slug;
use crate::tenancy::{Tenancy, registry};

/// What a new tenant needs.
#[derive(Clone, Debug)]
pub struct NewTenant {
    /// Short name; names the database.
    pub slug: Slug,
    /// Company name.
    pub name: String,
    /// The first administrator's email.
    pub admin_email: String,
    /// The first administrator's display name.
    pub admin_name: String,
    /// The first administrator's password.
    pub admin_password: Secret,
    /// Database server to put the tenant on (`default` when absent).
    pub server: Option<String>,
}

/// The steps of provisioning, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// The tenant row exists, status `provisioning`.
    Registered,
    /// The tenant's database exists.
    DatabaseCreated,
    /// Tenant migrations are applied.
    Migrated,
    /// The first administrator (and later modules' seed data) exists.
    Seeded,
    /// The tenant is `active`.
    Activated,
}

/// Provisions `new` completely, resuming an earlier unfinished run.
pub async fn provision(
    tenancy: &Tenancy,
    passwords: &Passwords,
    new: &NewTenant,
) -> Result<tenant::Model, AppError> {
    provision_until(tenancy, passwords, new, Step::Activated).await
}

/// Provisions `new` up to and including `last`, then stops: what a crash after `last` leaves.
pub async fn provision_until(
    tenancy: &Tenancy,
    passwords: &Passwords,
    new: &NewTenant,
    last: Step,
) -> Result<tenant::Model, AppError> {
    let email = normalize_email(&new.admin_email)?;
    Passwords::check_policy(new.admin_password.expose(), "adminPassword")?;
    if new.name.trim().is_empty() || new.name.len() > 200 {
        return Err(AppError::validation(
            "name",
            "the tenant name needs 1 to 200 characters",
        ));
    }

    let control = tenancy.control();
    let tenant = match registry::find_by_slug(control, new.slug.as_str()).await? {
        Some(t) if t.status == TenantStatus::Provisioning => {
            tracing::info!(tenant = %t.slug, "resuming unfinished provisioning");
            t
        }
        Some(t) => {
            return Err(AppError::Conflict(format!(
                "tenant `{}` already exists (status {:?})",
                t.slug, t.status
            )));
        }
        None => {
            let (server, db_name) = tenancy
                .backend()
                .locate_new_tenant(&new.slug, new.server.as_deref())?;
            registry::insert_provisioning(control, &new.slug, new.name.trim(), &server, &db_name)
                .await?
        }
    };
    if last == Step::Registered {
        return Ok(tenant);
    }

    let from_template = tenancy
        .create_tenant_database(&tenant.db_server, &tenant.db_name)
        .await?;
    if last == Step::DatabaseCreated {
        return Ok(tenant);
    }

    let db = tenancy
        .backend()
        .connect_tenant(&tenant.db_server, &tenant.db_name, 1)
        .await?;
    let outcome = finish(&db, &tenant, passwords, new, &email, from_template, last).await;
    db.close().await?;
    let version = outcome?;
    if last < Step::Activated {
        return Ok(tenant);
    }
    registry::update_state(control, tenant.id, TenantStatus::Active, version).await
}

/// Steps after the database exists. Returns the schema version reached. A fresh copy of the
/// template (`from_template`) is migrated and holds the reference data already: the seed adds
/// the rows that carry ids (roles, stages) and the tenant's admin.
#[allow(clippy::too_many_arguments)]
async fn finish(
    db: &DatabaseConnection,
    tenant: &tenant::Model,
    passwords: &Passwords,
    new: &NewTenant,
    email: &str,
    from_template: bool,
    last: Step,
) -> Result<Option<String>, AppError> {
    let version = if from_template {
        latest_tenant_version()
    } else {
        super::migrate::upgrade_tenant_database(db).await?.version
    };
    if last == Step::Migrated {
        return Ok(version);
    }
    let hash = passwords.hash(new.admin_password.expose()).await?;
    let txn = crate::db::begin_write(db).await?;
    let existing = user_account::Entity::find()
        .filter(user_account::Column::Email.eq(email))
        .one(&txn)
        .await?;
    if existing.is_none() {
        let now = Utc::now();
        user_account::ActiveModel {
            id: Set(Uuid::now_v7()),
            email: Set(email.to_owned()),
            display_name: Set(new.admin_name.trim().to_owned()),
            phone: Set(None),
            password_hash: Set(hash),
            is_active: Set(true),
            last_login_at: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    // Every module's seed: system roles (the first admin, the only user now, becomes owner),
    // reference data, pipeline stages. On a copy of the template only the rows that carry
    // ids are missing (roles, stages: each tenant mints its own), so this is a few inserts.
    crate::modules::seed(&txn).await?;
    crate::db::commit(txn).await?;
    tracing::info!(tenant = %tenant.slug, "tenant seeded");
    Ok(version)
}

/// Trims and lower-cases an email, refusing what cannot be one.
pub fn normalize_email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 320
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(AppError::validation(
            "email",
            format!("`{raw}` is not an email address"),
        ))
    }
}

/// Name of the newest tenant migration: the schema version of a fully migrated tenant.
pub fn latest_tenant_version() -> Option<String> {
    migration::tenant::Migrator::migrations()
        .last()
        .map(|m| m.name().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            normalize_email("  Owner@Acme.Test ").unwrap(),
            "owner@acme.test"
        );
        for bad in [
            "",
            "owner",
            "@acme.test",
            "owner@acme",
            "own er@acme.test",
            "owner@.test",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
    }
}
