//! The `erp` binary. All logic lives in the library; see `api::cli`.

fn main() -> std::process::ExitCode {
    api::cli::main()
}
