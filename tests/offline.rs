//! `cilint check` neither needs the network nor writes files: it passes in a network namespace
//! without any interface (or, where one cannot be made, with every proxy variable pointing at a
//! closed port), and a run in a scratch directory leaves that directory as it was.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

const BIN: &str = env!("CARGO_BIN_EXE_cilint");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The configs a check is run on: a clean example and fixtures with findings.
fn configs() -> Vec<PathBuf> {
    [
        "examples/approval/config.yml",
        "examples/monorepo/config.yml",
        "tests/fixtures/duplicate-key.yml",
        "tests/fixtures/orb-step-misindented.yml",
    ]
    .iter()
    .map(|p| root().join(p))
    .collect()
}

fn check(cmd: &mut Command) -> Output {
    cmd.env("CILINT_NO_SHELLCHECK", "1")
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

/// `cilint check` over `configs()`, with the network unavailable, gives what it gives with it.
#[test]
fn check_passes_without_network() {
    let mut args: Vec<String> = vec!["check".into(), "--format".into(), "json".into()];
    args.extend(configs().iter().map(|p| p.display().to_string()));
    let normal = check(Command::new(BIN).args(&args));
    assert!(normal.status.code().is_some_and(|c| c <= 1), "{normal:?}");

    // A new network namespace has no interface but loopback (down): nothing can be reached.
    let isolated = Command::new("unshare")
        .arg("-n")
        .arg(BIN)
        .args(&args)
        .env("CILINT_NO_SHELLCHECK", "1")
        .env_remove("NO_COLOR")
        .output();
    let offline = match isolated {
        Ok(out) if !String::from_utf8_lossy(&out.stderr).contains("unshare:") => out,
        // No permission for namespaces (or no `unshare`): every proxy at a closed port.
        _ => {
            let closed = "http://127.0.0.1:9";
            let mut cmd = Command::new(BIN);
            cmd.args(&args);
            for var in [
                "HTTP_PROXY",
                "HTTPS_PROXY",
                "ALL_PROXY",
                "http_proxy",
                "https_proxy",
            ] {
                cmd.env(var, closed);
            }
            check(&mut cmd)
        }
    };
    assert_eq!(offline.status.code(), normal.status.code(), "{offline:?}");
    assert_eq!(offline.stdout, normal.stdout);
    assert_eq!(
        String::from_utf8_lossy(&offline.stderr),
        String::from_utf8_lossy(&normal.stderr)
    );
}

/// Every file under `dir` with its size and modification time.
fn listing(dir: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    fn walk(dir: &Path, out: &mut BTreeMap<PathBuf, (u64, SystemTime)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            out.insert(entry.path(), (meta.len(), meta.modified().unwrap()));
            if meta.is_dir() {
                walk(&entry.path(), out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &mut out);
    out
}

#[test]
fn check_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    std::fs::create_dir_all(work.join(".circleci")).unwrap();
    for (i, config) in configs().iter().enumerate() {
        std::fs::copy(config, work.join(format!("config-{i}.yml"))).unwrap();
    }
    std::fs::copy(configs()[0].clone(), work.join(".circleci/config.yml")).unwrap();
    std::fs::write(
        work.join(".cilint.toml"),
        "[rules]\nimage-unpinned = \"off\"\n\n[orbs]\ncache = \"orb-cache\"\n",
    )
    .unwrap();
    let before = listing(work);

    let home = work.join("home");
    let runs: &[&[&str]] = &[
        &["check"],
        &[
            "check",
            "config-0.yml",
            "config-1.yml",
            "config-2.yml",
            "config-3.yml",
        ],
        &["check", "--format", "sarif", "config-2.yml"],
        &["check", "--format", "junit", "config-3.yml"],
        &["check", "--format", "github", "."],
    ];
    for args in runs {
        let out = check(
            Command::new(BIN)
                .args(*args)
                .current_dir(work)
                // Where a cache or a home configuration would go: inside the watched folder.
                .env("HOME", &home)
                .env("XDG_CACHE_HOME", home.join(".cache"))
                .env("XDG_CONFIG_HOME", home.join(".config")),
        );
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {out:?}"
        );
        // (The `github` format prints nothing for a file without findings.)
        assert!(
            !out.stdout.is_empty() || args.contains(&"github"),
            "{args:?} printed nothing"
        );
    }
    assert_eq!(listing(work), before, "cilint check changed the directory");
}
