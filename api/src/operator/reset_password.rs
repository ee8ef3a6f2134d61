//! `erp user reset-password --tenant <slug> --email <e>`: the way back in for an operator whose
//! tenant lost its admin password.
//!
//! The new password comes from a prompt (asked twice), from one line on standard input when
//! that is not a terminal (`printf '%s\n' "$PW" | erp user reset-password …`), or is generated
//! with `--generate` and printed once. Never from argv, which shows in `ps` and shell history.
//! In one transaction of the tenant database: the password hash changes, every session of
//! the user ends (refresh tokens revoked), the account's sign-in lock is lifted, and the audit
//! log records `reset_password` by actor type `operator`. The tenant's status is not checked:
//! recovering a suspended tenant's admin is part of bringing it back.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context as _, bail};
use chrono::Utc;
use entities::identity::user_account;
use sea_orm::{ActiveModelTrait, Set};

use crate::audit::{self, Changes};
use crate::auth::password::Passwords;
use crate::config::Secret;
use crate::error::AppError;
use crate::modules::identity::service::{session, throttle, users};
use crate::state::AppState;
use crate::tenancy::provision::normalize_email;
use crate::tenancy::registry;

/// What the reset did.
#[derive(Debug)]
pub struct Reset {
    /// The user's normalized email.
    pub email: String,
    /// Whether the account is active (a deactivated user still cannot sign in).
    pub active: bool,
}

/// Sets `password` as the password of `email` in tenant `slug`, ends the user's sessions and
/// lifts their sign-in lock; audited as done by the operator.
pub async fn reset_password(
    state: &AppState,
    slug: &str,
    email: &str,
    password: &Secret,
) -> Result<Reset, AppError> {
    let tenant = registry::find_by_slug(state.tenancy().control(), slug)
        .await?
        .ok_or(AppError::NotFound { entity: "tenant" })?;
    let email = normalize_email(email)?;
    Passwords::check_policy(password.expose(), "password")?;
    let db = state
        .tenancy()
        .backend()
        .connect_tenant(&tenant.db_server, &tenant.db_name, 1)
        .await?;
    let result = async {
        let user = users::find_by_email(&db, &email)
            .await?
            .ok_or(AppError::NotFound { entity: "user" })?;
        let hash = state.passwords().hash(password.expose()).await?;
        let txn = crate::db::begin_write(&db).await?;
        let mut row: user_account::ActiveModel = user.clone().into();
        row.password_hash = Set(hash);
        row.version = Set(user.version + 1);
        row.updated_at = Set(Utc::now());
        row.update(&txn).await?;
        session::revoke_user_sessions(&txn, user.id).await?;
        audit::record_operator(
            &txn,
            "user",
            user.id,
            "reset_password",
            Changes::new().secret("password"),
        )
        .await?;
        crate::db::commit(txn).await?;
        // A server in this process forgets the user's grants now; others within their cache TTL.
        state.tenancy().pools().cache(tenant.id).access_changed();
        Ok(Reset {
            email: email.clone(),
            active: user.is_active,
        })
    }
    .await;
    let _ = db.close().await;
    if result.is_ok() {
        throttle::reset_sign_in(state.tenancy().control(), slug, &email).await?;
    }
    result
}

/// The command: asks for (or generates) the password, resets it, reports.
pub async fn run(state: &AppState, slug: &str, email: &str, generate: bool) -> anyhow::Result<()> {
    let password = if generate {
        Secret::new(crate::demo::random_password())
    } else {
        read_password()?
    };
    let reset = reset_password(state, slug, email, &password)
        .await
        .with_context(|| format!("cannot reset the password of {email} in tenant {slug}"))?;
    println!(
        "password of {} in tenant {slug} reset; their sessions have ended",
        reset.email
    );
    if generate {
        println!(
            "  new password: {}\n  (shown once: only a hash is stored)",
            password.expose()
        );
    }
    if !reset.active {
        println!("  note: this user is deactivated and cannot sign in until reactivated");
    }
    Ok(())
}

/// The new password from a prompt (asked twice) or one line of standard input.
fn read_password() -> anyhow::Result<Secret> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("new password: ")?;
        let second = rpassword::prompt_password("again: ")?;
        if first != second {
            bail!("the passwords differ");
        }
        return Ok(Secret::new(first));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the new password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        bail!(
            "no new password: type it in a terminal, pipe it as one line on standard input, \
             or pass --generate"
        );
    }
    Ok(Secret::new(password))
}
