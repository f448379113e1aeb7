//! Write a generated CircleCI config to stdout: `cargo run --example gen-config -- --jobs 1000`.
//! Options: `--jobs N` (default 100), `--workflows N` (default 1), `--seed N` (default 1).

#[path = "../tests/support/generate.rs"]
mod generate;

fn main() {
    let mut opts = generate::GenOptions::default();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().and_then(|v| v.parse::<u64>().ok());
        match (flag.as_str(), value) {
            ("--jobs", Some(v)) => opts.jobs = v as usize,
            ("--workflows", Some(v)) => opts.workflows = v as usize,
            ("--seed", Some(v)) => opts.seed = v,
            _ => {
                eprintln!("usage: gen-config [--jobs N] [--workflows N] [--seed N]");
                std::process::exit(2);
            }
        }
    }
    print!("{}", generate::config(opts));
}
