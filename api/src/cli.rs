//! The `erp` command line: `serve`, `migrate`, `tenant create|list|suspend|resume|close`,
//! `schema`.
//!
//! Commands print what they do for an operator; failures print `error: …` and exit non-zero.
//! Passwords never come from argv (it shows in `ps` and shell history): `ERP_ADMIN_PASSWORD`
//! or an interactive prompt.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Parser, Subcommand};
use sea_orm::ActiveEnum;

use crate::config::{Secret, Settings};
use crate::state::AppState;
use crate::tenancy::lifecycle::{StatusChange, change_status};
use crate::tenancy::migrate::upgrade_all_tenants;
use crate::tenancy::provision::{NewTenant, provision};
use crate::tenancy::registry;
use crate::tenancy::slug::Slug;
use crate::{demo, graphql, operator, server};

/// The multi-tenant ERP server.
#[derive(Parser)]
#[command(
    name = "erp",
    version,
    about,
    after_help = "Configuration comes from environment variables (and ./.env); `erp --help` lists them.",
    after_long_help = operator::environment::help()
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the GraphQL API, the playground and the health endpoints (and run background
    /// jobs, unless ERP_JOBS=off).
    Serve,
    /// Run background jobs only (activity reminders, the outbox sweep), for every tenant,
    /// until stopped (SIGTERM or Ctrl-C).
    Worker,
    /// Upgrade the control database, then every tenant database.
    Migrate,
    /// Manage tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Manage users of a tenant.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Set a new password for a user who lost theirs (the admin, say): ends their sessions,
    /// lifts their sign-in lock, and is audited as done by the operator. The password is asked
    /// on the terminal, read as one line from standard input, or generated (--generate).
    ResetPassword {
        /// Slug of the tenant.
        #[arg(long)]
        tenant: String,
        /// Email of the user.
        #[arg(long)]
        email: String,
        /// Generate a random password and print it once.
        #[arg(long)]
        generate: bool,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant: its database, schema and first admin. Running it again after an
    /// interruption finishes the job. The admin password comes from ERP_ADMIN_PASSWORD or a
    /// prompt.
    Create {
        /// Short name: 2-32 of a-z, 0-9 and -, starting with a letter.
        #[arg(long)]
        slug: String,
        /// Company name.
        #[arg(long)]
        name: String,
        /// Email of the first administrator.
        #[arg(long)]
        admin_email: String,
        /// Display name of the first administrator.
        #[arg(long, default_value = "Administrator")]
        admin_name: String,
        /// Database server (a name from ERP_DB_SERVERS); default: the DATABASE_URL server.
        #[arg(long)]
        server: Option<String>,
    },
    /// List tenants.
    List,
    /// Suspend a tenant: sign-in, every session and every API key stop working (running
    /// servers notice within ERP_TENANT_STATUS_TTL_MS); the data stays. Recorded with the reason.
    Suspend {
        /// The tenant's slug.
        slug: String,
        /// Why, for the control database's audit trail.
        #[arg(long)]
        reason: String,
    },
    /// Resume a suspended tenant in the status it had (trial or active). Sessions from before
    /// the suspension stay ended: users sign in again. Recorded with the reason.
    Resume {
        /// The tenant's slug.
        slug: String,
        /// Why, for the control database's audit trail.
        #[arg(long)]
        reason: String,
    },
    /// Close a tenant for good, like suspend but final; the database is kept for export.
    /// Recorded with the reason.
    Close {
        /// The tenant's slug.
        slug: String,
        /// Why, for the control database's audit trail.
        #[arg(long)]
        reason: String,
    },
}

/// Runs the command line; the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Schema = cli.command {
        print!("{}", graphql::sdl());
        return ExitCode::SUCCESS;
    }
    let sources = match operator::environment::Sources::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let settings = match Settings::from_lookup(|key| sources.get(key)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(
        matches!(cli.command, Command::Serve | Command::Worker),
        sources.get("RUST_LOG"),
    );
    // 8 MiB per worker (Tokio's default is 2): an unoptimised build resolves a deep document
    // in large stack frames; untouched stack costs no memory.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(8 << 20)
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli.command, settings));
    // Log lines still queued are written before anything else is said or the process ends.
    crate::logging::flush();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", operator::describe(&e));
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(serving: bool, rust_log: Option<String>) {
    let default = if serving {
        "info,sqlx=warn,sea_orm_migration=warn"
    } else {
        "warn"
    };
    let filter = rust_log
        .and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::logging::Stderr::start())
        // Colour codes only for a terminal: in a file, a pipe or a log collector they are noise.
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

async fn run(command: Command, settings: Settings) -> anyhow::Result<ExitCode> {
    operator::startup::check_control_database(&settings).await?;
    match command {
        Command::Serve => serve(settings).await,
        Command::Worker => worker(settings).await,
        Command::Migrate => migrate(settings).await,
        Command::Tenant(TenantCommand::List) => list_tenants(settings).await,
        Command::Tenant(TenantCommand::Suspend { slug, reason }) => {
            change_tenant_status(settings, &slug, StatusChange::Suspend, &reason).await
        }
        Command::Tenant(TenantCommand::Resume { slug, reason }) => {
            change_tenant_status(settings, &slug, StatusChange::Resume, &reason).await
        }
        Command::Tenant(TenantCommand::Close { slug, reason }) => {
            change_tenant_status(settings, &slug, StatusChange::Close, &reason).await
        }
        Command::Tenant(TenantCommand::Create {
            slug,
            name,
            admin_email,
            admin_name,
            server,
        }) => {
            let slug = Slug::parse(&slug)?;
            let password = admin_password(&settings)?;
            let state = AppState::build(settings).await?;
            let new = NewTenant {
                slug,
                name,
                admin_email,
                admin_name,
                admin_password: password,
                server,
            };
            let tenant = provision(state.tenancy(), state.passwords(), &new).await?;
            println!(
                "tenant {} created: database {} on server {}, schema {}",
                tenant.slug,
                tenant.db_name,
                tenant.db_server,
                tenant.schema_version.as_deref().unwrap_or("-")
            );
            state.tenancy().close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => Ok(ExitCode::SUCCESS),
        Command::User(UserCommand::ResetPassword {
            tenant,
            email,
            generate,
        }) => {
            let state = AppState::build(settings).await?;
            let result = operator::reset_password::run(&state, &tenant, &email, generate).await;
            state.tenancy().close().await;
            result.map(|()| ExitCode::SUCCESS)
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    let bind = settings.bind;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind} (ERP_BIND)"))?;
    let state = AppState::build(settings).await?;
    if state.settings().is_development() {
        // The embedded default keeps tenant schemas current without a separate step.
        let outcomes = upgrade_all_tenants(
            state.tenancy(),
            state.settings().migrate_concurrency,
            |line| tracing::info!("migrate {line}"),
        )
        .await?;
        for failed in outcomes.iter().filter(|o| o.result.is_err()) {
            tracing::error!(tenant = %failed.slug, "tenant database could not be upgraded; run `erp migrate`");
        }
    }
    let demo = demo::ensure_demo(&state).await?;
    let addr = listener.local_addr()?;
    let host = if addr.ip().is_unspecified() {
        format!("localhost:{}", addr.port())
    } else {
        addr.to_string()
    };
    tracing::info!(%addr, env = ?state.settings().env, "listening");
    println!("ERP server listening on http://{host}");
    println!("  playground: http://{host}/playground");
    if let Some(login) = demo {
        println!(
            "  demo tenant created; sign in with the login mutation:\n    tenant: {}\n    email: {}",
            demo::DEMO_SLUG,
            demo::DEMO_EMAIL,
        );
        // A password the operator chose is theirs already: printing it would copy it into
        // logs and terminal scroll-back. Only a generated one is shown, once.
        if login.generated {
            println!(
                "    password: {}\n  (shown once: only a hash is stored)",
                login.password.expose()
            );
        } else {
            println!("    password: the one in ERP_ADMIN_PASSWORD");
        }
    }
    server::start_background(&state);
    server::serve(listener, state, server::shutdown_signal()).await;
    Ok(ExitCode::SUCCESS)
}

async fn worker(settings: Settings) -> anyhow::Result<ExitCode> {
    let state = AppState::build(settings).await?;
    let tick = state.settings().jobs.tick;
    state.events().run();
    crate::jobs::start(state.clone());
    println!(
        "ERP worker running background jobs every {} ms",
        tick.as_millis()
    );
    server::shutdown_signal().await;
    state.tenancy().close().await;
    Ok(ExitCode::SUCCESS)
}

async fn migrate(settings: Settings) -> anyhow::Result<ExitCode> {
    let concurrency = settings.migrate_concurrency;
    let state = AppState::build(settings).await?;
    println!("control database: schema current");
    let outcomes =
        upgrade_all_tenants(state.tenancy(), concurrency, |line| println!("{line}")).await?;
    let failed: Vec<_> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    println!(
        "tenants: {} upgraded or current, {} failed",
        outcomes.len() - failed.len(),
        failed.len()
    );
    for f in &failed {
        if let Err(e) = &f.result {
            eprintln!("error: tenant {}: {e}", f.slug);
        }
    }
    state.tenancy().close().await;
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

async fn list_tenants(settings: Settings) -> anyhow::Result<ExitCode> {
    let state = AppState::build(settings).await?;
    let tenants = registry::list(state.tenancy().control()).await?;
    println!(
        "{:<24} {:<12} {:<10} {:<32} {:<40} NAME",
        "SLUG", "STATUS", "SERVER", "DATABASE", "SCHEMA"
    );
    for t in &tenants {
        println!(
            "{:<24} {:<12} {:<10} {:<32} {:<40} {}",
            t.slug,
            format!("{:?}", t.status).to_lowercase(),
            t.db_server,
            t.db_name,
            t.schema_version.as_deref().unwrap_or("-"),
            t.name
        );
    }
    println!("{} tenant(s)", tenants.len());
    state.tenancy().close().await;
    Ok(ExitCode::SUCCESS)
}

/// `erp tenant suspend|resume|close`: the operator named in the audit trail is `cli`, with the
/// OS user when the environment names one.
async fn change_tenant_status(
    settings: Settings,
    slug: &str,
    change: StatusChange,
    reason: &str,
) -> anyhow::Result<ExitCode> {
    let ttl = settings.pools.tenant_status_ttl;
    let state = AppState::build(settings).await?;
    let operator = match std::env::var("USER").or_else(|_| std::env::var("LOGNAME")) {
        Ok(user) if !user.is_empty() => format!("cli:{user}"),
        _ => "cli".to_owned(),
    };
    let outcome = change_status(state.tenancy(), slug, change, &operator, reason).await;
    state.tenancy().close().await;
    let outcome = outcome?;
    let status = outcome.tenant.status.to_value();
    if outcome.changed {
        println!(
            "tenant {} {status} (was {}); {} session(s) ended",
            outcome.tenant.slug,
            outcome.before.to_value(),
            outcome.sessions_ended
        );
        if change != StatusChange::Resume {
            println!(
                "  running servers refuse its API keys within {} ms",
                ttl.as_millis()
            );
        }
    } else {
        println!(
            "tenant {} was already {status}; {} session(s) ended",
            outcome.tenant.slug, outcome.sessions_ended
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The first admin's password: `ERP_ADMIN_PASSWORD`, or asked twice on the terminal.
fn admin_password(settings: &Settings) -> anyhow::Result<Secret> {
    if let Some(p) = &settings.admin_password {
        return Ok(p.clone());
    }
    if !std::io::stdin().is_terminal() {
        bail!("no admin password: set ERP_ADMIN_PASSWORD or run the command in a terminal");
    }
    let first = rpassword::prompt_password("admin password: ")?;
    let second = rpassword::prompt_password("again: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(Secret::new(first))
}
