//! `cilint pack` and `cilint check --pack`: a config split over a folder, packed as
//! `circleci config pack` packs it, and linted with every finding in the source file it is
//! about. Snapshots in `snapshots/` (names start `pack__`).

mod common;

use common::{cilint, run, scratch, snapshot};

/// The packed config, as `circleci config pack` prints it (keys sorted, 4-space indentation,
/// an empty line at the end).
#[test]
fn packs_like_circleci() {
    let r = run(cilint().args(["pack", "tests/fixtures/pack/app"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.ends_with("version: 2.1\nworkflows:\n    main:\n        jobs:\n            - build\n            - test:\n                context: go-builds\n                filters:\n                    branches:\n                        ignore: /^docs-.*/\n                name: test-race\n                race: true\n                requires:\n                    - build\n\n"));
    snapshot("pack__app", &r.stdout, &[]);
}

/// The walk: dot files and folders and files that are not YAML are skipped, `@` files merge
/// at their own level, an empty folder is `{}`, a folder's name is a key, values are re-typed
/// as yaml.v3 reads them.
#[test]
fn walk_and_typing() {
    let dir = scratch(&[
        (
            "config.yml",
            "version: 2.1\nwhen: yes\nmode: 0755\nratio: 1.50\n",
        ),
        ("jobs/a.yml", "docker: [{image: x}]\nsteps: [checkout]\n"),
        ("jobs/.hidden.yml", "nope: 1\n"),
        ("jobs/notes.md", "not YAML\n"),
        (".git/config.yml", "nope: 1\n"),
        (
            "orbs/my/@orb.yml",
            "commands:\n  hi:\n    steps: [checkout]\n",
        ),
        ("scripts/x.sh", "echo\n"),
    ]);
    let r = run(cilint().arg("pack").arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "jobs:\n    a:\n        docker:\n            - image: x\n        steps:\n            - checkout\nmode: 493\norbs:\n    my:\n        commands:\n            hi:\n                steps:\n                    - checkout\nratio: 1.5\nscripts: {}\nversion: 2.1\nwhen: \"yes\"\n\n"
    );
}

/// Two files giving one key: an error with both places, nothing packed.
#[test]
fn conflicts_stop_packing() {
    let dir = scratch(&[
        (
            "config.yml",
            "version: 2.1\njobs:\n  build:\n    docker: [{image: x}]\n    steps: [checkout]\n",
        ),
        (
            "jobs/build.yml",
            "docker: [{image: y}]\nsteps: [checkout]\n",
        ),
        ("jobs/list.yml", "- not\n- a mapping\n"),
    ]);
    let r = run(cilint()
        .current_dir(dir.path())
        .args(["pack", "--color", "never", "."]));
    assert_eq!(r.code, 1);
    snapshot("pack__conflict", &r.transcript(), &[]);
}

/// `check --pack`: findings point into the file and line they come from, in every format;
/// suppression comments work in the source files.
#[test]
fn check_points_into_the_source_files() {
    let check = |format: &str| {
        run(cilint().args([
            "check",
            "--pack",
            "--no-config",
            "--format",
            format,
            "tests/fixtures/pack/broken",
        ]))
    };
    let short = check("short");
    assert_eq!(short.code, 1);
    assert_eq!(
        short.stdout,
        "tests/fixtures/pack/broken/jobs/build.yml:7:9: error[unknown-command]: step `instal-deps` in job `build` is not a built-in step or a known command\ntests/fixtures/pack/broken/workflows/main.yml:10:16: info[context-overexposed]: `test-race` runs with context `go-builds` on any branch, with no branch filter that keeps it to some and no approval before it: anyone who can push a branch gets the context's secrets\n1 error, 1 info in 5 files\n"
    );
    snapshot("pack__check_human", &check("human").transcript(), &[]);
    let json: serde_json::Value = serde_json::from_str(&check("json").stdout).expect("JSON");
    let files = json["files"].as_array().expect("files");
    let build = files
        .iter()
        .find(|f| f["path"] == "tests/fixtures/pack/broken/jobs/build.yml")
        .expect("a report for jobs/build.yml");
    assert_eq!(build["diagnostics"][0]["line"], 7);
    assert_eq!(build["diagnostics"][0]["column"], 9);
    let github = check("github").stdout;
    assert!(
        github.starts_with("::error file=tests/fixtures/pack/broken/jobs/build.yml,line=7,col=9,"),
        "{github}"
    );
    let sarif: serde_json::Value = serde_json::from_str(&check("sarif").stdout).expect("SARIF");
    let loc = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "tests/fixtures/pack/broken/jobs/build.yml"
    );
    assert_eq!(loc["region"]["startLine"], 7);
    let junit = check("junit").stdout;
    assert!(junit.contains("jobs/build.yml") && junit.contains("unknown-command at 7:9"));

    // Without its suppression comment, `jobs/test.yml` reports the unpinned image.
    let text = std::fs::read_to_string("tests/fixtures/pack/app/jobs/test.yml").expect("fixture");
    let unsuppressed = text.replace(
        " # cilint: ignore[image-unpinned] the latest Go on purpose",
        "",
    );
    let mut files: Vec<(String, String)> = Vec::new();
    for rel in [
        "config.yml",
        "commands/install-deps.yml",
        "jobs/build.yml",
        "workflows/main.yml",
    ] {
        files.push((
            rel.to_string(),
            std::fs::read_to_string(format!("tests/fixtures/pack/app/{rel}")).expect("fixture"),
        ));
    }
    files.push(("jobs/test.yml".into(), unsuppressed));
    let dir = scratch(&files);
    let r = run(cilint().current_dir(dir.path()).args([
        "check",
        "--pack",
        "--no-config",
        "--format",
        "short",
        ".",
    ]));
    assert_eq!(
        r.stdout,
        "./jobs/test.yml:2:12: warning[image-unpinned]: image `golang` has no tag, so it is `latest` and changes under the job\n./workflows/main.yml:10:16: info[context-overexposed]: `test-race` runs with context `go-builds` on any branch, with no branch filter that keeps it to some and no approval before it: anyone who can push a branch gets the context's secrets\n1 warning, 1 info in 5 files\n"
    );
}

/// A repository whose `.circleci/config/` holds YAML files packs its config: `check` and
/// `expand` without a path read that folder (not the generated `.circleci/config.yml`).
#[test]
fn a_repository_that_packs_is_found() {
    let mut files: Vec<(String, String)> = Vec::new();
    for rel in [
        "config.yml",
        "commands/install-deps.yml",
        "jobs/build.yml",
        "jobs/test.yml",
        "workflows/main.yml",
    ] {
        files.push((
            format!(".circleci/config/{rel}"),
            std::fs::read_to_string(format!("tests/fixtures/pack/broken/{rel}")).expect("fixture"),
        ));
    }
    files.push((
        ".circleci/config.yml".into(),
        "# generated by `circleci config pack`\nversion: 2\n".into(),
    ));
    let dir = scratch(&files);
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    let r = common::check_in(dir.path(), &["--no-config", "--format", "short"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        ".circleci/config/jobs/build.yml:7:9: error[unknown-command]: step `instal-deps` in job `build` is not a built-in step or a known command\n.circleci/config/workflows/main.yml:10:16: info[context-overexposed]: `test-race` runs with context `go-builds` on any branch, with no branch filter that keeps it to some and no approval before it: anyone who can push a branch gets the context's secrets\n1 error, 1 info in 5 files\n"
    );
    let e = run(cilint().current_dir(dir.path().join(".circleci")).args([
        "expand",
        "--no-config",
        "--format",
        "short",
    ]));
    assert_eq!(e.code, 1);
    assert!(
        e.stdout
            .starts_with("../.circleci/config/jobs/build.yml:7:9: error[unknown-command]"),
        "{}",
        e.stdout
    );
}

/// A `.circleci/config/` folder of whole configs side by side (the configs a setup workflow
/// continues with) is not a packed config's source: `check` reads `.circleci/config.yml`.
#[test]
fn a_folder_of_whole_configs_is_not_a_pack() {
    let dir = scratch(&[
        (".circleci/config.yml", common::CLEAN),
        (".circleci/config/a.yml", common::CLEAN),
        (".circleci/config/b.yml", common::CLEAN),
    ]);
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    let r = common::check_in(dir.path(), &["--no-config", "--format", "short"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(r.stdout, "no problems in 1 file\n");
}
