//! The `custody` binary: parse the command line, run, map the outcome to an exit code.
//! All of the work lives in the library (`custody::cli`).

fn main() -> std::process::ExitCode {
    custody::cli::run()
}
