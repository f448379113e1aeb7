//! `orb-catalog build` on a small orb repository made here with `git`: releases are found at
//! their tags, each release's source is packed as `circleci orb pack` packs it, and the catalog
//! it writes reads back to the interfaces of the sources.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh, empty folder under the system's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("orb-catalog-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn finds_releases_at_tags_and_packs_each() {
    let root = scratch("build");
    let work = root.join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q"]);
    write(&work, "src/@orb.yml", "version: 2.1\ndescription: an orb\n");
    write(
        &work,
        "src/jobs/test.yml",
        "parameters:\n  pkg-manager:\n    type: enum\n    enum: [npm, yarn]\n    default: npm\n  app-dir:\n    type: string\nsteps:\n  - checkout\n",
    );
    write(
        &work,
        "src/commands/install.yml",
        "parameters:\n  with-cache:\n    type: boolean\n    default: yes\nsteps:\n  - run: echo\n",
    );
    write(&work, "src/examples/use.yml", "description: x\nusage: {}\n");
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "first"]);
    git(&work, &["tag", "v1.0.0"]);
    // 1.1.0 adds an executor from an `@` file and renames a command.
    std::fs::remove_file(work.join("src/commands/install.yml")).unwrap();
    write(
        &work,
        "src/commands/setup.yml",
        "parameters:\n  with-cache:\n    type: boolean\n    default: true\nsteps: []\n",
    );
    write(
        &work,
        "src/executors/@executors.yml",
        "default:\n  parameters:\n    tag:\n      type: string\n      default: '18.0'\n  docker: [{image: node}]\n",
    );
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "second"]);
    git(&work, &["tag", "v1.1.0"]);
    git(&work, &["tag", "integration-patch-main-abc1234"]);
    // The generator reads bare clones, named `owner+name`.
    let mirror = root.join("mirror");
    std::fs::create_dir_all(&mirror).unwrap();
    git(
        &root,
        &["clone", "-q", "--bare", "work", "mirror/example+tools-orb"],
    );
    write(
        &root,
        "orbs.tsv",
        "# orb\trepo\tpath\toptions\tnotes\nexample/tools\texample/tools-orb\t-\t-\t-\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_orb-catalog"))
        .current_dir(&root)
        .args(["build", "--orbs", "orbs.tsv", "--mirror", "mirror"])
        .args(["--out", "orbs.jsonl", "--report", "report.md"])
        .output()
        .expect("orb-catalog runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let catalog = std::fs::read_to_string(root.join("orbs.jsonl")).unwrap();
    assert_eq!(catalog.lines().count(), 1);
    let line: serde_json::Value = serde_json::from_str(catalog.trim()).unwrap();
    assert_eq!(line["orb"], "example/tools");
    assert_eq!(
        line["versions"],
        serde_json::json!([["1.0.0", 0], ["1.1.0", 1]])
    );
    // `test`'s parameter list is written once and used by both versions.
    assert_eq!(
        line["members"][0]["jobs"]["test"],
        line["members"][1]["jobs"]["test"]
    );

    let shown = |reference: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_orb-catalog"))
            .current_dir(&root)
            .args(["show", "--catalog", "orbs.jsonl", reference])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        shown("example/tools@1.0.0"),
        "example/tools@1.0.0\njob test\n    pkg-manager: enum = \"npm\" one of [\"npm\",\"yarn\"]\n    app-dir: string (required)\ncommand install\n    with-cache: boolean = true\n"
    );
    // A partial version: the newest release of 1.x.
    assert_eq!(
        shown("example/tools@1"),
        "example/tools@1.1.0\njob test\n    pkg-manager: enum = \"npm\" one of [\"npm\",\"yarn\"]\n    app-dir: string (required)\ncommand setup\n    with-cache: boolean = true\nexecutor default\n    tag: string = \"18.0\"\n"
    );
    let report = std::fs::read_to_string(root.join("report.md")).unwrap();
    assert!(
        report.contains("| example/tools | example/tools-orb | 2 | 1.0.0 – 1.1.0 | 2 tag | 0 |")
    );
    assert!(report.contains("tags that are not release versions: 1"));

    // Packed sources in the orb cache's layout: what the registry serves wins over a release
    // found in a repository, and an orb found only there is catalogued too.
    write(
        &root,
        "cache/example/tools@1.0.0.yml",
        "version: 2.1\ncommands:\n  install:\n    parameters:\n      version:\n        type: string\n    steps: []\n",
    );
    write(
        &root,
        "cache/example/other@0.1.0.yml",
        "version: 2.1\njobs:\n  run:\n    parameters:\n      n:\n        type: integer\n        default: 2\n    docker: [{image: x}]\n    steps: []\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_orb-catalog"))
        .current_dir(&root)
        .args(["build", "--orbs", "orbs.tsv", "--mirror", "mirror"])
        .args(["--cache", "cache", "--out", "orbs.jsonl"])
        .output()
        .expect("orb-catalog runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        shown("example/tools@1.0.0"),
        "example/tools@1.0.0\ncommand install\n    version: string (required)\n"
    );
    assert_eq!(
        shown("example/other@0.1.0"),
        "example/other@0.1.0\njob run\n    n: integer = 2\n"
    );
    assert!(shown("example/tools@1.1.0").contains("command setup\n"));
    let _ = std::fs::remove_dir_all(&root);
}
