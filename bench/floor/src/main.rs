//! bench/floor: the floor of W1 (one opportunity by id with its amount).
//!
//! `POST /graphql` ignores the GraphQL text, reads `variables.id`, runs through a sqlx pool the
//! statement our server runs per W1 request (text copied from pg_stat_statements: the
//! opportunity by id; our server keeps sessions, grants and the currency table in memory, so
//! this keeps the currencies' decimals in memory too, read once at start) and answers the same
//! JSON shape as our server's W1 document (bench/graphql/ours/w1.graphql). `GET /health` is
//! 200. What is left between this and our server is the GraphQL layer, authentication and the
//! rest of the framework: the distance to the floor. bench/run checks that both run the same
//! statements per request and says so under the results table; when our server's SQL for W1
//! changes, change OPPORTUNITY (and bench/pgbench/w1.sql) to match.
//!
//! Environment: DATABASE_URL (the tenant database), BIND (default 127.0.0.1:18083),
//! POOL_SIZE (default 5, our server's default connections per tenant pool).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{Row, query};
use uuid::Uuid;

/// Our server's W1 statement, as pg_stat_statements shows it.
const OPPORTUNITY: &str = r#"SELECT "opportunity"."id", "opportunity"."title", "opportunity"."customer_id", "opportunity"."amount_minor", "opportunity"."currency", "opportunity"."stage_id", "opportunity"."owner_id", "opportunity"."expected_close_date", "opportunity"."status", "opportunity"."lost_reason", "opportunity"."closed_at", "opportunity"."lead_id", "opportunity"."is_active", "opportunity"."version", "opportunity"."created_at", "opportunity"."updated_at" FROM "opportunity" WHERE "opportunity"."id" = $1 LIMIT $2"#;
/// Read once at start: currency code → decimals of its minor unit.
const CURRENCIES: &str = r#"SELECT "code", "minor_digits" FROM "currency""#;

struct App {
    pool: PgPool,
    digits: HashMap<String, i32>,
}

fn error(message: String) -> (StatusCode, Json<Value>) {
    (StatusCode::OK, Json(json!({ "errors": [{ "message": message }] })))
}

/// `amount_minor` with `digits` decimals, as our server prints a Money amount.
fn decimal(minor: i64, digits: i32) -> String {
    if digits <= 0 {
        return minor.to_string();
    }
    let scale = 10u64.pow(digits as u32);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = digits as usize)
}

async fn graphql(State(app): State<Arc<App>>, Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
    let Some(id) = body["variables"]["id"].as_str().and_then(|s| Uuid::parse_str(s).ok()) else {
        return error("variables.id: not a UUID".into());
    };
    match w1(&app, id).await {
        Ok(v) => (StatusCode::OK, Json(v)),
        Err(e) => error(e.to_string()),
    }
}

async fn w1(app: &App, id: Uuid) -> Result<Value, sqlx::Error> {
    let Some(row) = query(OPPORTUNITY).bind(id).bind(1i64).fetch_optional(&app.pool).await? else {
        return Ok(json!({ "data": { "opportunity": null } }));
    };
    let currency: String = row.try_get("currency")?;
    let digits = app.digits.get(&currency).copied().unwrap_or(2);
    let close: Option<chrono::NaiveDate> = row.try_get("expected_close_date")?;
    Ok(json!({ "data": { "opportunity": {
        "id": row.try_get::<Uuid, _>("id")?.to_string(),
        "title": row.try_get::<String, _>("title")?,
        "amount": { "amount": decimal(row.try_get("amount_minor")?, digits), "currency": currency },
        "status": row.try_get::<String, _>("status")?,
        "expectedCloseDate": close.map(|d| d.to_string()),
        "version": row.try_get::<i32, _>("version")?,
    } } }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")?;
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:18083".into());
    let size: u32 = std::env::var("POOL_SIZE").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let pool = PgPoolOptions::new().max_connections(size).connect(&url).await?;
    let mut digits = HashMap::new();
    for row in query(CURRENCIES).fetch_all(&pool).await? {
        digits.insert(row.try_get::<String, _>("code")?, row.try_get::<i32, _>("minor_digits")?);
    }
    let app = Arc::new(App { pool, digits });
    let router = Router::new()
        .route("/graphql", post(graphql))
        .route("/health", get(|| async { "ok" }))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind(&bind).await?;
    eprintln!("bench-floor listening on {bind} (pool {size})");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
