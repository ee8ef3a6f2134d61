//! The demo tenant: `erp serve` on an empty data directory (development only) provisions
//! tenant `demo` with an admin account and prints its credentials once. The password is
//! `ERP_ADMIN_PASSWORD` when set, otherwise random; only its hash is stored. The new tenant
//! is then filled with a deterministic demo data set ([`crate::demo_data`]).

use base64::Engine;
use rand_core::RngCore;

use crate::config::Secret;
use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::provision::{NewTenant, provision};
use crate::tenancy::registry;
use crate::tenancy::slug::Slug;

/// Slug of the demo tenant.
pub const DEMO_SLUG: &str = "demo";
/// Email of the demo tenant's admin.
pub const DEMO_EMAIL: &str = "admin@demo.test";

/// Credentials of a freshly provisioned demo tenant.
pub struct DemoLogin {
    /// The admin's password.
    pub password: Secret,
    /// Whether it was generated (shown once) rather than chosen by the operator
    /// (`ERP_ADMIN_PASSWORD`, never printed).
    pub generated: bool,
}

/// Provisions the demo tenant when the registry is empty (or holds only an unfinished demo).
/// Returns the credentials when it did.
pub async fn ensure_demo(state: &AppState) -> Result<Option<DemoLogin>, AppError> {
    if !state.settings().is_development() {
        return Ok(None);
    }
    let tenants = registry::list(state.tenancy().control()).await?;
    // A demo whose provisioning was interrupted is finished, with a new password.
    let unfinished_demo_only = tenants.len() == 1
        && tenants[0].slug == DEMO_SLUG
        && tenants[0].status == entities::control::tenant::TenantStatus::Provisioning;
    if !tenants.is_empty() && !unfinished_demo_only {
        return Ok(None);
    }
    let (password, generated) = match &state.settings().admin_password {
        Some(p) => (p.clone(), false),
        None => (Secret::new(random_password()), true),
    };
    let new = NewTenant {
        slug: Slug::parse(DEMO_SLUG)?,
        name: "Demo Company".into(),
        admin_email: DEMO_EMAIL.into(),
        admin_name: "Demo Admin".into(),
        admin_password: password.clone(),
        server: None,
    };
    let tenant = provision(state.tenancy(), state.passwords(), &new).await?;
    let counts = crate::demo_data::seed(state, tenant.id).await?;
    // The demo's writes stored their events in the outbox; publish them now.
    state.events().committed(tenant.id);
    tracing::info!(?counts, "demo data seeded");
    Ok(Some(DemoLogin {
        password,
        generated,
    }))
}

/// 24 characters from 144 random bits.
pub fn random_password() -> String {
    let mut bytes = [0u8; 18];
    rand_core::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}
