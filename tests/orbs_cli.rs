//! `cilint orbs fetch`, `cilint orbs status` and `check --orb-cache` through the real binary.
//! The fetch talks to a GraphQL server on 127.0.0.1 that the test itself runs.

mod common;

use common::{cilint, run, snapshot};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

const FIXTURE: &str = "tests/fixtures/orbs/fetch.yml";
const PARTIAL: &str = "tests/fixtures/orbs/fetch-partial.yml";

const COVERAGE_ORB: &str = "version: 2.1\ncommands:\n  upload:\n    parameters:\n      file:\n        type: string\n    steps:\n      - run: ./upload.sh << parameters.file >>\n";

/// `cilint orbs SUBCOMMAND` on the fixture, with the orb cache `cache` and no settings file.
fn orbs(subcommand: &str, cache: &str) -> assert_cmd::Command {
    orbs_on(subcommand, FIXTURE, cache)
}

/// `cilint orbs SUBCOMMAND CONFIG`, with the orb cache `cache` and no settings file.
fn orbs_on(subcommand: &str, config: &str, cache: &str) -> assert_cmd::Command {
    let mut cmd = cilint();
    cmd.args([
        "orbs",
        subcommand,
        config,
        "--orb-cache",
        cache,
        "--no-config",
    ]);
    cmd
}

/// One request the server saw: the orb version asked for and the token sent.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    path: String,
    orb_version_ref: String,
    token: Option<String>,
    query_names_source: bool,
}

/// A GraphQL server on 127.0.0.1 knowing one orb version, 1.4.2 of `example/coverage`, which
/// it also answers for `@1.4` and `@1` (as CircleCI's registry resolves partial versions), and
/// answering `example/odd@2.1` with release 2.2.0 (not in the range asked for); returns its URL
/// and what it saw.
fn serve() -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/graphql-unstable", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("")
                .to_string();
            let mut length = 0usize;
            let mut token = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                let value = value.trim().to_string();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => length = value.parse().unwrap_or(0),
                    "circle-token" => token = Some(value),
                    _ => {}
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                continue;
            }
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
            let reference = json
                .pointer("/variables/orbVersionRef")
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            let query = json.get("query").and_then(|q| q.as_str()).unwrap_or("");
            log.lock().unwrap().push(Seen {
                path,
                orb_version_ref: reference.clone(),
                token,
                query_names_source: query.contains("orbVersion(orbVersionRef: $orbVersionRef)")
                    && query.contains("source"),
            });
            let found = |version: &str| {
                serde_json::json!({"data": {"orbVersion": {
                    "id": "1", "version": version, "orb": {"id": "2"}, "source": COVERAGE_ORB
                }}})
            };
            let answer = match reference.as_str() {
                "example/coverage@1.4.2" | "example/coverage@1.4" | "example/coverage@1" => {
                    found("1.4.2")
                }
                "example/odd@2.1" => found("2.2.0"),
                _ => serde_json::json!({"data": {"orbVersion": null}}),
            };
            let text = answer.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                text.len(),
                text
            );
        }
    });
    (url, seen)
}

#[test]
fn fetch_list_and_check_with_the_cache() {
    let cache = tempfile::tempdir().expect("temp dir");
    let dir = cache.path().to_str().expect("utf-8 path").to_string();
    let (url, seen) = serve();
    let replace = [(dir.as_str(), "[CACHE]"), (url.as_str(), "[API]")];

    // Before: nothing cached.
    let before = run(&mut orbs("status", &dir));
    assert_eq!(before.code, 0);
    snapshot("orbs_cli__status_before", &before.transcript(), &replace);

    let fetched = run(orbs("fetch", &dir)
        .args(["--api-url", &url])
        .env("CIRCLECI_TOKEN", "secret-token"));
    snapshot("orbs_cli__fetch", &fetched.transcript(), &replace);
    assert_eq!(fetched.code, 2, "one orb version is unknown to the API");
    let written = std::fs::read_to_string(cache.path().join("example/coverage@1.4.2.yml"))
        .expect("the source is cached");
    assert_eq!(written, COVERAGE_ORB);
    let requests = seen.lock().unwrap().clone();
    let refs: Vec<&str> = requests
        .iter()
        .map(|s| s.orb_version_ref.as_str())
        .collect();
    assert_eq!(refs, ["example/coverage@1.4.2", "example/removed@0.1.0"]);
    assert!(requests.iter().all(|s| s.path == "/graphql-unstable"));
    assert!(requests.iter().all(|s| s.query_names_source));
    assert!(
        requests
            .iter()
            .all(|s| s.token.as_deref() == Some("secret-token"))
    );

    // A second fetch finds the source cached and does not ask again for it.
    let again = run(orbs("fetch", &dir).args(["--api-url", &url]));
    assert!(again.stdout.contains("cached   example/coverage@1.4.2"));
    let asked: usize = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.orb_version_ref == "example/coverage@1.4.2")
        .count();
    assert_eq!(asked, 1);

    let after = run(&mut orbs("status", &dir));
    snapshot("orbs_cli__status_after", &after.transcript(), &replace);

    // Linting with the cache: the orb's command used as a job is an error, and its arguments
    // are checked.
    let checked = run(cilint().args([
        "check",
        "--format",
        "short",
        "--no-config",
        "--orb-cache",
        &dir,
        FIXTURE,
    ]));
    snapshot(
        "orbs_cli__check_with_cache",
        &checked.transcript(),
        &replace,
    );
    assert_eq!(checked.code, 1);
    assert!(checked.stdout.contains("unknown-orb-member"));
    assert!(checked.stdout.contains("missing-argument"));
}

#[test]
fn fetch_reports_an_unreachable_api() {
    // A port nobody listens on: bind, note the port, close.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cache = tempfile::tempdir().expect("temp dir");
    let dir = cache.path().to_str().unwrap().to_string();
    let url = format!("http://127.0.0.1:{port}/graphql-unstable");
    let r = run(orbs("fetch", &dir).args(["--api-url", &url]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("could not fetch 2 orb source(s)"),
        "{}",
        r.stderr
    );
    assert!(
        !cache.path().join("example").exists()
            || std::fs::read_dir(cache.path().join("example"))
                .unwrap()
                .count()
                == 0
    );
}

#[test]
fn fetch_resolves_partial_versions() {
    let cache = tempfile::tempdir().expect("temp dir");
    let dir = cache.path().to_str().expect("utf-8 path").to_string();
    let (url, seen) = serve();
    let replace = [(dir.as_str(), "[CACHE]"), (url.as_str(), "[API]")];

    // `@1.4` and `@1` are resolved by the API to release 1.4.2, which is cached once; `@2.1`
    // answered with 2.2.0 is refused.
    let fetched = run(orbs_on("fetch", PARTIAL, &dir).args(["--api-url", &url]));
    snapshot("orbs_cli__fetch_partial", &fetched.transcript(), &replace);
    assert_eq!(fetched.code, 2);
    let written = std::fs::read_to_string(cache.path().join("example/coverage@1.4.2.yml"))
        .expect("the release is cached under its exact version");
    assert_eq!(written, COVERAGE_ORB);
    assert!(!cache.path().join("example/coverage@1.4.yml").exists());
    assert!(!cache.path().join("example/odd").exists());
    let refs: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.orb_version_ref.clone())
        .collect();
    assert_eq!(
        refs,
        [
            "example/coverage@1",
            "example/coverage@1.4",
            "example/odd@2.1"
        ]
    );

    // Linting with the cache: both references resolve to the cached 1.4.2, the newest release
    // the cache knows in their ranges; no newer one is known, so findings are warnings.
    let status = run(&mut orbs_on("status", PARTIAL, &dir));
    snapshot("orbs_cli__status_partial", &status.transcript(), &replace);
    let checked = run(cilint().args([
        "check",
        "--format",
        "short",
        "--no-config",
        "--orb-cache",
        &dir,
        PARTIAL,
    ]));
    snapshot("orbs_cli__check_partial", &checked.transcript(), &replace);
    assert_eq!(checked.code, 0, "warnings only");
}
