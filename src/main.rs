#![forbid(unsafe_code)]
//! The `cilint` binary: the command line lives in the library (`cli`), which it calls.

/// mimalloc: the lint allocates and frees many small nodes and strings; glibc's malloc spent
/// about a fifth of the time of a large config on them (BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cilint::run_cli()
}
