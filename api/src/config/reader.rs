//! Reading settings from the environment: one typed getter per kind of value, collecting
//! every error (so a bad configuration is reported whole, variable by variable).

use super::*;

pub(super) struct Reader<'a> {
    pub(super) lookup: &'a dyn Fn(&str) -> Option<String>,
    pub(super) errors: Vec<String>,
}

impl Reader<'_> {
    /// A set, non-empty value.
    pub(super) fn raw(&self, key: &str) -> Option<String> {
        (self.lookup)(key).filter(|v| !v.trim().is_empty())
    }

    pub(super) fn bad(&mut self, key: &str, given: &str, expected: &str) {
        self.errors.push(format!(
            "{key}: `{given}` is not valid; expected {expected}"
        ));
    }

    pub(super) fn parse<T: std::str::FromStr>(
        &mut self,
        key: &str,
        expected: &str,
        default: impl FnOnce() -> T,
    ) -> T {
        match self.raw(key) {
            None => default(),
            Some(raw) => raw.trim().parse().unwrap_or_else(|_| {
                self.bad(key, &raw, expected);
                default()
            }),
        }
    }

    pub(super) fn number(&mut self, key: &str, min: u64, max: u64, default: u64) -> u64 {
        let expected = format!("a whole number from {min} to {max}");
        let value = self.parse(key, &expected, || default);
        if !(min..=max).contains(&value) {
            self.bad(key, &value.to_string(), &expected);
            return default;
        }
        value
    }

    /// [`Self::number`] as milliseconds.
    pub(super) fn millis(&mut self, key: &str, min: u64, max: u64, default: u64) -> Duration {
        Duration::from_millis(self.number(key, min, max, default))
    }

    /// [`Self::number`] as seconds.
    pub(super) fn secs(&mut self, key: &str, min: u64, max: u64, default: u64) -> Duration {
        Duration::from_secs(self.number(key, min, max, default))
    }

    pub(super) fn flag(&mut self, key: &str, default: bool) -> bool {
        match self
            .raw(key)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None => default,
            Some("1" | "true" | "yes" | "on") => true,
            Some("0" | "false" | "no" | "off") => false,
            Some(other) => {
                let other = other.to_owned();
                self.bad(key, &other, "true or false");
                default
            }
        }
    }

    pub(super) fn postgres_settings(
        &mut self,
        raw: &str,
        prefix: String,
        production: bool,
    ) -> DatabaseSettings {
        let mut servers = BTreeMap::new();
        let control_url = self.postgres_url("DATABASE_URL", raw, production);
        if let Some(url) = &control_url {
            if url.path().trim_start_matches('/').is_empty() {
                self.errors.push(
                    "DATABASE_URL: names no database; expected postgres://user@host/erp_control"
                        .into(),
                );
            }
            servers.insert(DEFAULT_SERVER.to_owned(), url.clone());
        }
        if let Some(list) = self.raw("ERP_DB_SERVERS") {
            for entry in list.split(';').map(str::trim).filter(|e| !e.is_empty()) {
                let Some((name, url)) = entry.split_once('=') else {
                    self.bad(
                        "ERP_DB_SERVERS",
                        &redact_url(entry),
                        "`name=postgres://…` entries separated by `;`",
                    );
                    continue;
                };
                let name = name.trim();
                if !is_identifier(name, 64) || name == DEFAULT_SERVER {
                    self.bad(
                        "ERP_DB_SERVERS",
                        name,
                        "a server name of lowercase letters, digits and `_`, other than `default`",
                    );
                    continue;
                }
                if let Some(url) = self.postgres_url("ERP_DB_SERVERS", url.trim(), production) {
                    servers.insert(name.to_owned(), url);
                }
            }
        }
        match control_url {
            Some(control_url) => DatabaseSettings::Postgres {
                control_url,
                servers,
                prefix,
            },
            None => DatabaseSettings::Sqlite {
                dir: PathBuf::new(),
            },
        }
    }

    pub(super) fn postgres_url(&mut self, key: &str, raw: &str, production: bool) -> Option<Url> {
        let url = match Url::parse(raw) {
            Ok(url) if matches!(url.scheme(), "postgres" | "postgresql") => url,
            _ => {
                self.bad(
                    key,
                    &redact_url(raw),
                    "a postgres:// URL (leave DATABASE_URL unset for SQLite)",
                );
                return None;
            }
        };
        if production && !is_local_host(&url) && !requires_tls(&url) {
            self.errors.push(format!(
                "{key}: connects to `{}` without TLS; production needs sslmode=require, verify-ca \
                 or verify-full for a database that is not on this machine",
                url.host_str().unwrap_or_default()
            ));
        }
        Some(url)
    }
}

pub(super) fn is_identifier(value: &str, max: usize) -> bool {
    let mut chars = value.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && value.len() <= max
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub(super) fn is_local_host(url: &Url) -> bool {
    // For non-special schemes such as postgres:// the url crate keeps the host as an opaque
    // string, so IP addresses arrive as text.
    match url
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']'))
    {
        None | Some("") | Some("localhost") => true,
        Some(host) if host.starts_with('/') || host.starts_with("%2F") => true,
        Some(host) => host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
    }
}

pub(super) fn requires_tls(url: &Url) -> bool {
    url.query_pairs().any(|(k, v)| {
        k == "sslmode" && matches!(v.as_ref(), "require" | "verify-ca" | "verify-full")
    })
}

/// A URL with its password replaced, for messages and logs.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("***"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) if raw.contains('@') => "<unparsable URL>".into(),
        Err(_) => raw.to_owned(),
    }
}
