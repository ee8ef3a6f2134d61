//! What the command line does for an operator besides running a command: the environment
//! (`.env` file, the variable listing in `erp --help`), start-up checks that fail fast with
//! one clear line, error messages without repetition, and account recovery
//! (`erp user reset-password`).

pub mod environment;
pub mod reset_password;
pub mod startup;

/// An error and its causes on one line, each cause only when it adds something: wrapped
/// errors (sqlx → sea-orm → `AppError` → anyhow) each repeat their source's text in their own,
/// and printing the whole chain would say the same thing three times.
pub fn describe(error: &anyhow::Error) -> String {
    let mut line = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let wrapped = anyhow::Error::new(io).context("cannot reach it: refused");
        assert_eq!(describe(&wrapped), "cannot reach it: refused");
        let plain: anyhow::Result<()> = Err(anyhow::anyhow!("refused")).context("cannot reach it");
        assert_eq!(describe(&plain.unwrap_err()), "cannot reach it: refused");
    }
}
