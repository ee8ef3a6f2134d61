//! `AppError`: the one error type of services and resolvers, and its GraphQL form.
//!
//! Each variant names the `extensions.code` clients see (API_CONVENTIONS.md, Errors). `Db` and
//! `Internal` are logged with the request id and shown only as a generic `INTERNAL` message with
//! `extensions.requestId`: async-graphql would otherwise turn any `Display` error, SQL included,
//! into a client message. Resolvers therefore convert explicitly with [`GqlResult::gql`].

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;

tokio::task_local! {
    /// The id of the HTTP request being served, set by the GraphQL handler around execution so
    /// an internal error can name it without threading it through every call.
    pub static REQUEST_ID: String;
}

/// The id of the request this task serves, or `-` outside a request.
pub fn current_request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| "-".to_owned())
}

/// Everything a service or resolver can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// `UNAUTHENTICATED`: no, bad or expired credentials.
    #[error("not signed in, or the credentials are invalid or expired")]
    Unauthenticated,
    /// `FORBIDDEN`: signed in, but the named permission is missing.
    #[error("missing permission `{permission}`")]
    Forbidden {
        /// The permission that would allow the call.
        permission: String,
    },
    /// `NOT_FOUND`: the id does not exist or is not visible to the caller.
    #[error("{entity} not found")]
    NotFound {
        /// What was looked for, e.g. `customer`.
        entity: &'static str,
    },
    /// `VALIDATION`: bad input; `extensions.field` is the input path.
    #[error("{message}")]
    Validation {
        /// Input path, e.g. `input.slug`.
        field: String,
        /// What is wrong, for a person.
        message: String,
    },
    /// `CONFLICT`: stale version, duplicate unique value, replayed id with other content.
    #[error("{0}")]
    Conflict(String),
    /// `BUSINESS_RULE`: valid input that the rules forbid; `extensions.rule` names the rule.
    #[error("{message}")]
    BusinessRule {
        /// Rule name, e.g. `stock.negative`.
        rule: &'static str,
        /// What is wrong, for a person.
        message: String,
    },
    /// `LIMIT_EXCEEDED`: a plan limit of the tenant.
    #[error("{0}")]
    LimitExceeded(String),
    /// `RATE_LIMITED`: too many requests; `extensions.retryAfter` is in seconds.
    #[error("too many attempts; retry in {retry_after} s")]
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after: u64,
    },
    /// `INTERNAL`: a database failure; logged, never shown.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// `INTERNAL`: anything else that is our fault; logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// A validation error on one input field.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden { .. } => "FORBIDDEN",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Validation { .. } => "VALIDATION",
            Self::Conflict(_) => "CONFLICT",
            Self::BusinessRule { .. } => "BUSINESS_RULE",
            Self::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::Db(_) | Self::Internal(_) => "INTERNAL",
        }
    }

    /// The error as clients see it. Internal details go to the log only.
    /// This error as a whole-request error: no position in the document (a `ServerError`
    /// made from a position-less error would claim line 0, column 0).
    pub fn to_server_error(&self) -> async_graphql::ServerError {
        let mut error = self.to_gql().into_server_error(Default::default());
        error.locations.clear();
        error
    }

    pub fn to_gql(&self) -> async_graphql::Error {
        let code = self.code();
        match self {
            Self::Db(_) | Self::Internal(_) => {
                let request_id = current_request_id();
                tracing::error!(request_id = %request_id, error = %self, "internal error");
                async_graphql::Error::new("internal error; the request id is in the server log")
                    .extend_with(|_, e| {
                        e.set("code", code);
                        e.set("requestId", request_id.clone());
                    })
            }
            _ => async_graphql::Error::new(self.to_string()).extend_with(|_, e| {
                e.set("code", code);
                match self {
                    Self::Forbidden { permission } => e.set("permission", permission.as_str()),
                    Self::Validation { field, .. } => e.set("field", field.as_str()),
                    Self::BusinessRule { rule, .. } => e.set("rule", *rule),
                    Self::RateLimited { retry_after } => e.set("retryAfter", *retry_after),
                    _ => {}
                }
            }),
        }
    }
}

/// Explicit conversion of service results into GraphQL results.
pub trait GqlResult<T> {
    /// Converts the error with [`AppError::to_gql`].
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T, E: Into<AppError>> GqlResult<T> for Result<T, E> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| e.into().to_gql())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_error_shows_no_driver_text() {
        let err = AppError::Db(DbErr::Custom(
            "relation \"user_account\" does not exist".into(),
        ));
        let gql = err.to_gql();
        assert!(!gql.message.contains("user_account"));
        let ext = format!("{:?}", gql.extensions);
        assert!(
            ext.contains("INTERNAL") && ext.contains("requestId"),
            "{ext}"
        );
        assert!(!ext.contains("user_account"), "{ext}");
    }

    #[test]
    fn a_validation_error_names_its_field() {
        let gql = AppError::validation("input.slug", "too short").to_gql();
        let ext = format!("{:?}", gql.extensions);
        assert!(
            ext.contains("VALIDATION") && ext.contains("input.slug"),
            "{ext}"
        );
    }
}
