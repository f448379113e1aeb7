#![forbid(unsafe_code)]
//! The `cilint` binary: parse the command line, call the library, write what it returns, exit.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
