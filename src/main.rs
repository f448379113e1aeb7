#![forbid(unsafe_code)]
//! The `cilint` binary: parse the command line, call the library, write what it returns, exit.

mod cli;

/// mimalloc: the lint allocates and frees many small nodes and strings; glibc's malloc spent
/// about a fifth of the time of a large config on them (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
