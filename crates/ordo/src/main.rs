#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    ordo::cli::main()
}
