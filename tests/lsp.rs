//! `cilint lsp` at the protocol level: the binary is started and spoken to over its stdin and
//! stdout, message by message (`lsp_server::Message` framing). What an editor relies on:
//! findings on open and after full and incremental changes, settings from `.cilint.toml`,
//! the files a setup config continues with and the files of an orb source folder, code
//! actions, rename's refusals, completion's replaced range, the position encoding; and that
//! nothing a client sends (broken framing, JSON that is not a message, requests before
//! `initialize`, unknown methods, bad parameters, positions past the end, a garbage document)
//! stops the server.

mod common;

use lsp_server::{Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

/// No answer takes this long: a test that waits longer has found a hang.
const PATIENCE: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Message>,
    /// Notifications read while waiting for something else.
    pending: VecDeque<Notification>,
    next_id: i32,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("cilint"))
            .arg("lsp")
            .current_dir(common::root())
            .env(
                "XDG_CACHE_HOME",
                common::root().join("target/test-empty-cache"),
            )
            .env("CILINT_NO_SHELLCHECK", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cilint lsp starts");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut stdout = BufReader::new(stdout);
            while let Ok(Some(m)) = Message::read(&mut stdout) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            incoming,
            pending: VecDeque::new(),
            next_id: 0,
        }
    }

    /// A started server, initialized with `capabilities`.
    fn initialized(capabilities: Value) -> (Client, Value) {
        let mut c = Client::start();
        let result = c
            .request("initialize", json!({"capabilities": capabilities}))
            .expect("initialize succeeds");
        c.notify("initialized", json!({}));
        (c, result)
    }

    fn raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, m: Message) {
        let mut bytes = Vec::new();
        m.write(&mut bytes).expect("framed");
        self.raw(&bytes);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    fn next(&mut self) -> Message {
        match self.incoming.recv_timeout(PATIENCE) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Send a request and wait for its response: the result, or the error's code and message.
    fn request(&mut self, method: &str, params: Value) -> Result<Value, (i32, String)> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.send(Message::Request(Request::new(
            id.clone(),
            method.to_string(),
            params,
        )));
        self.response(id)
    }

    fn response(&mut self, id: RequestId) -> Result<Value, (i32, String)> {
        loop {
            match self.next() {
                Message::Response(Response {
                    id: got,
                    response_result,
                }) if got == id => {
                    return response_result.map_err(|e| (e.code, e.message));
                }
                Message::Notification(n) => self.pending.push_back(n),
                _ => {}
            }
        }
    }

    /// The next diagnostics published for `uri`: (version, diagnostics).
    fn diagnostics(&mut self, uri: &str) -> (Value, Vec<Value>) {
        loop {
            let n = match self.pending.pop_front() {
                Some(n) => n,
                None => match self.next() {
                    Message::Notification(n) => n,
                    _ => continue,
                },
            };
            if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri {
                let list = n.params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                return (n.params["version"].clone(), list);
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.diagnostics(uri).1
    }

    fn change(&mut self, uri: &str, version: i32, changes: Value) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
        let (v, list) = self.diagnostics(uri);
        assert_eq!(v, json!(version), "the published version is the document's");
        list
    }

    /// `shutdown`, `exit`, and the exit code.
    fn finish(mut self) -> i32 {
        self.request("shutdown", Value::Null).expect("shutdown");
        self.notify("exit", Value::Null);
        self.wait()
    }

    fn wait(&mut self) -> i32 {
        drop(self.stdin.take());
        let start = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().expect("exited normally (no signal)");
            }
            assert!(start.elapsed() < PATIENCE, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn codes(list: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = list
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    out.sort();
    out
}

fn pos(line: u32, character: u32) -> Value {
    json!({"line": line, "character": character})
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": pos(line, character)})
}

const FIXTURE: &str = include_str!("fixtures/lsp/config.yml");

#[test]
fn a_session_publishes_findings_and_follows_full_and_incremental_changes() {
    let dir = common::scratch(&[(".circleci/config.yml", FIXTURE)]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let (mut c, init) = Client::initialized(json!({}));
    let caps = &init["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
    assert_eq!(init["serverInfo"]["name"], "cilint");

    let found = c.open(&uri, FIXTURE);
    assert_eq!(
        codes(&found),
        ["redundant-requires", "step-shape", "unused-parameter"]
    );
    let step = found.iter().find(|d| d["code"] == "step-shape").unwrap();
    assert_eq!(step["severity"], 1);
    assert_eq!(step["range"]["start"], pos(49, 8));
    assert!(
        step["message"]
            .as_str()
            .unwrap()
            .contains("\nhelp: indent `event`")
    );
    let href = step["codeDescription"]["href"].as_str().unwrap();
    let doc = std::fs::read_to_string(href.trim_start_matches("file://")).unwrap();
    assert!(
        doc.starts_with("# step-shape\n"),
        "the link opens the rule's explanation"
    );
    assert_eq!(
        step["relatedInformation"][0]["location"]["range"]["start"],
        pos(50, 8)
    );
    assert_eq!(
        step["relatedInformation"][0]["message"],
        "belongs under `slack/notify`"
    );

    // Incremental: indent `event` two spaces; the finding goes.
    let after = c.change(
        &uri,
        2,
        json!([{"range": {"start": pos(50, 0), "end": pos(50, 0)}, "text": "  "}]),
    );
    assert_eq!(codes(&after), ["redundant-requires", "unused-parameter"]);
    // Several changes in one notification, applied in order.
    let after = c.change(
        &uri,
        3,
        json!([
            {"range": {"start": pos(66, 0), "end": pos(67, 0)}, "text": ""},
            {"range": {"start": pos(50, 0), "end": pos(50, 2)}, "text": ""},
        ]),
    );
    assert_eq!(codes(&after), ["step-shape", "unused-parameter"]);
    // Full text.
    let after = c.change(&uri, 4, json!([{"text": common::BROKEN}]));
    assert_eq!(codes(&after), ["unknown-job"]);
    assert_eq!(after[0]["range"]["start"], pos(11, 8));

    // Closing clears the findings.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(c.diagnostics(&uri).1.is_empty());
    assert_eq!(c.finish(), 0);
}

#[test]
fn settings_come_from_the_nearest_cilint_toml() {
    let dir = common::scratch(&[
        (".circleci/config.yml", FIXTURE),
        (
            ".cilint.toml",
            "[rules]\nunused-parameter = \"off\"\nstep-shape = \"warning\"\n",
        ),
    ]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let (mut c, _) = Client::initialized(json!({}));
    let found = c.open(&uri, FIXTURE);
    assert_eq!(codes(&found), ["redundant-requires", "step-shape"]);
    let step = found.iter().find(|d| d["code"] == "step-shape").unwrap();
    assert_eq!(step["severity"], 2);
    assert_eq!(c.finish(), 0);
}

#[test]
fn a_setup_config_publishes_the_findings_of_the_configs_it_continues_with() {
    let setup = "version: 2.1
setup: true
orbs:
  continuation: circleci/continuation@1.0.0
jobs:
  pick:
    docker:
      - image: cimg/base:2024.02
    steps:
      - checkout
      - continuation/continue:
          configuration_path: .circleci/next.yml
workflows:
  setup:
    jobs:
      - pick
";
    let dir = common::scratch(&[
        (".circleci/config.yml", setup),
        (".circleci/next.yml", common::BROKEN),
    ]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let next = uri_of(&dir.path().join(".circleci/next.yml"));
    let (mut c, _) = Client::initialized(json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": setup}}),
    );
    let (_, continued) = c.diagnostics(&next);
    assert_eq!(codes(&continued), ["unknown-job"]);
    // Open, the continuation config is linted from its editor text.
    let fixed = common::BROKEN.replace("      - deploy\n", "");
    assert!(c.open(&next, &fixed).is_empty());
    assert_eq!(c.finish(), 0);
}

#[test]
fn a_file_of_an_orb_source_folder_is_linted_with_the_folder() {
    let dir = common::scratch(&[
        ("src/@orb.yml", "version: 2.1\ndescription: An orb\n"),
        (
            "src/jobs/build.yml",
            "description: Build\ndocker:\n  - image: cimg/base:2024.02\nsteps:\n  - greet\n",
        ),
        (
            "src/commands/greet.yml",
            "description: Greet\nsteps:\n  - run: echo hi\n",
        ),
    ]);
    let uri = uri_of(&dir.path().join("src/jobs/build.yml"));
    let (mut c, _) = Client::initialized(json!({}));
    let text = std::fs::read_to_string(dir.path().join("src/jobs/build.yml")).unwrap();
    assert!(
        c.open(&uri, &text).is_empty(),
        "`greet` is the folder's command"
    );
    let broken = text.replace("- greet", "- greeet");
    let after = c.change(&uri, 2, json!([{"text": broken}]));
    assert!(
        codes(&after).contains(&"unknown-command".to_string()),
        "{after:?}"
    );
    assert_eq!(c.finish(), 0);
}

/// Apply `edits` (LSP `TextEdit`s over ASCII text) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let ch = p["character"].as_u64().unwrap() as usize;
        starts
            .get(line)
            .map_or(text.len(), |s| (s + ch).min(text.len()))
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, t) in edits {
        out.replace_range(s..e, t);
    }
    out
}

#[test]
fn code_actions_fix_ignore_and_fix_all() {
    let dir = common::scratch(&[(".circleci/config.yml", FIXTURE)]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let (mut c, _) = Client::initialized(json!({}));
    c.open(&uri, FIXTURE);
    let whole = json!({"start": pos(0, 0), "end": pos(80, 0)});
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}),
        )
        .unwrap();
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    for title in [
        "Ignore `step-shape` here",
        "Ignore `unused-parameter` here",
        "Ignore `redundant-requires` here",
    ] {
        assert!(titles.contains(&title), "{titles:?}");
    }
    let fix_all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll")
        .expect("a fix-all action");
    let fixed = apply(
        FIXTURE,
        fix_all["edit"]["changes"][&uri].as_array().unwrap(),
    );
    assert!(fixed.contains("      - slack/notify:\n          event: fail\n"));
    assert!(fixed.contains("          requires:\n            - test\n"));
    let after = c.change(&uri, 2, json!([{"text": fixed}]));
    assert_eq!(codes(&after), ["unused-parameter"]);

    // `only` filters the kinds.
    let only = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": whole,
                   "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
        )
        .unwrap();
    assert_eq!(only, json!([]), "nothing left to fix");
    assert_eq!(c.finish(), 0);
}

#[test]
fn ignoring_inside_a_block_scalar_suppresses_for_the_file() {
    let text = "version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:2024.02
    steps:
      - run:
          command: |
            echo << pipeline.parameters.nope >>
workflows:
  main:
    jobs:
      - build
";
    let dir = common::scratch(&[(".circleci/config.yml", text)]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let (mut c, _) = Client::initialized(json!({}));
    let found = c.open(&uri, text);
    assert!(!found.is_empty());
    let d = &found[0];
    let rule = d["code"].as_str().unwrap().to_string();
    assert_eq!(d["range"]["start"]["line"], 8);
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"],
                   "context": {"diagnostics": [d]}}),
        )
        .unwrap();
    let ignore = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == format!("Ignore `{rule}` in this file"))
        .expect("an ignore-file action");
    let edited = apply(text, ignore["edit"]["changes"][&uri].as_array().unwrap());
    assert!(edited.starts_with(&format!("# cilint: ignore-file[{rule}]\n")));
    let after = c.change(&uri, 2, json!([{"text": edited}]));
    assert!(!codes(&after).contains(&rule), "{after:?}");
    assert_eq!(c.finish(), 0);
}

#[test]
fn rename_refuses_what_it_cannot_do() {
    let dir = common::scratch(&[(".circleci/config.yml", FIXTURE)]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let (mut c, _) = Client::initialized(json!({}));
    c.open(&uri, FIXTURE);
    let rename = |c: &mut Client, line, col, name: &str| {
        let mut params = at(&uri, line, col);
        params["newName"] = json!(name);
        c.request("textDocument/rename", params)
    };
    // A job to the name of another job.
    let err = rename(&mut c, 32, 3, "test").unwrap_err();
    assert!(err.1.contains("`test` is taken"), "{err:?}");
    // Not a name that can be written bare.
    assert!(rename(&mut c, 32, 3, "a b").is_err());
    assert!(rename(&mut c, 32, 3, "").is_err());
    // A pipeline parameter, an orb, a key: not offered.
    assert!(rename(&mut c, 6, 3, "x").is_err());
    assert!(rename(&mut c, 3, 3, "x").is_err());
    assert!(rename(&mut c, 34, 5, "x").is_err());
    assert_eq!(
        c.request("textDocument/prepareRename", at(&uri, 6, 3))
            .unwrap(),
        Value::Null
    );
    // A job: the definition and every `requires` and workflow entry.
    let edit = rename(&mut c, 32, 3, "compile").unwrap();
    let renamed = apply(FIXTURE, edit["changes"][&uri].as_array().unwrap());
    assert_eq!(renamed.matches("compile").count(), 4);
    assert_eq!(
        renamed.matches("build").count(),
        1,
        "only `builder`, a value, is left"
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn completion_replaces_what_is_written() {
    let text = FIXTURE.replace(
        "      - run: make << parameters.target >>\n",
        "      - run: make << param >>\n",
    );
    let dir = common::scratch(&[(".circleci/config.yml", text.as_str())]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let (mut c, _) = Client::initialized(json!({}));
    c.open(&uri, &text);
    let items = c
        .request("textDocument/completion", at(&uri, 43, 26))
        .unwrap();
    let item = &items[0];
    assert_eq!(item["label"], "parameters.target");
    assert_eq!(
        item["textEdit"]["range"],
        json!({"start": pos(43, 21), "end": pos(43, 26)})
    );
    // A pipeline value.
    let items = c
        .request("textDocument/completion", at(&uri, 54, 24))
        .unwrap();
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"pipeline.parameters.deploy-branch"),
        "{labels:?}"
    );
    assert!(labels.contains(&"pipeline.git.branch"), "{labels:?}");
    // An executor.
    let items = c
        .request("textDocument/completion", at(&uri, 45, 16))
        .unwrap();
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["label"] == "node")
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn utf8_positions_when_the_client_takes_them() {
    let text = "version: 2.1\n# é𝄞\njobs:\n  bü:\n    docker:\n      - image: cimg/base:2024.02\n    steps:\n      - checkout\nworkflows:\n  main:\n    jobs:\n      - bü\n      - nope\n";
    let dir = common::scratch(&[(".circleci/config.yml", text)]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let (mut c, init) =
        Client::initialized(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    c.open(&uri, text);
    // `bü` is 3 bytes: its definition ends at byte column 5.
    let def = c
        .request("textDocument/definition", at(&uri, 11, 9))
        .unwrap();
    assert_eq!(def["range"], json!({"start": pos(3, 2), "end": pos(3, 5)}));
    assert_eq!(c.finish(), 0);
}

#[test]
fn nothing_a_client_sends_stops_the_server() {
    let mut c = Client::start();
    // A request before `initialize`.
    assert_eq!(
        c.request("textDocument/hover", json!({})).unwrap_err().0,
        -32002
    );
    c.request("initialize", json!({"capabilities": {}}))
        .unwrap();
    c.notify("initialized", json!({}));
    // Broken framing, a body that is not JSON, JSON that is not a message.
    c.raw(b"this is not a header\r\n\r\n");
    c.raw(b"Content-Length: 5\r\n\r\n{{{{{");
    c.raw(b"Content-Length: 2\r\n\r\n[]");
    c.raw(b"Content-Length: nope\r\nContent-Type: x\r\n\r\n");
    // Unknown methods, bad parameters, unknown documents.
    assert_eq!(c.request("no/such", json!({})).unwrap_err().0, -32601);
    assert_eq!(
        c.request("textDocument/hover", json!({"nope": 1}))
            .unwrap_err()
            .0,
        -32602
    );
    assert_eq!(
        c.request("textDocument/hover", at("file:///nowhere.yml", 0, 0))
            .unwrap(),
        Value::Null
    );
    c.notify("textDocument/didChange", json!({"textDocument": 5}));
    c.notify("$/cancelRequest", json!({"id": 99}));
    // Garbage documents, and every request at positions in and past them.
    let uri = "untitled:garbage";
    let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let garbage = [
        "\u{0}\u{1}\t\t: : - ]] &a *a *b <<: *a\n\u{feff}%YAML 9\n---\n...\n",
        "a: &x [*x]\nb: *nope\n<<: [*x, 1]\njobs: {j: {steps: [{run: {command: '<< parameters.'}}]}}\n",
        nested.as_str(),
        "jobs:\n  j:\n    steps:\n      - run: |\n          << pipeline.\n",
        "",
    ];
    let mut version = 1;
    c.open(uri, "");
    for text in garbage {
        version += 1;
        c.change(uri, version, json!([{"text": text}]));
        for (line, col) in [(0, 0), (0, 3), (1, 2), (3, 12), (4, 20), (999, 999)] {
            let p = at(uri, line, col);
            for method in [
                "textDocument/hover",
                "textDocument/definition",
                "textDocument/prepareRename",
                "textDocument/completion",
            ] {
                let _ = c.request(method, p.clone());
            }
            let mut refs = p.clone();
            refs["context"] = json!({"includeDeclaration": true});
            let _ = c.request("textDocument/references", refs);
            let mut rename = p.clone();
            rename["newName"] = json!("x");
            let _ = c.request("textDocument/rename", rename);
        }
        for method in ["textDocument/documentSymbol", "textDocument/foldingRange"] {
            c.request(method, json!({"textDocument": {"uri": uri}}))
                .unwrap();
        }
        c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": pos(0, 0), "end": pos(999, 0)},
                   "context": {"diagnostics": []}}),
        )
        .unwrap();
        // An edit far past the end is clamped.
        version += 1;
        c.change(
            uri,
            version,
            json!([{"range": {"start": pos(900, 5), "end": pos(3, 0)}, "text": "x"}]),
        );
    }
    // Still answering.
    let result = c.request("textDocument/hover", at(uri, 0, 0));
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(c.finish(), 0);
}

#[test]
fn exit_without_shutdown_is_an_error_and_end_of_input_ends_the_server() {
    let (mut c, _) = Client::initialized(json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(c.wait(), 1);

    let (mut c, _) = Client::initialized(json!({}));
    drop(c.stdin.take());
    c.wait();
}

#[test]
fn hover_and_definition_anywhere_on_a_parameter_reference() {
    let dir = common::scratch(&[(".circleci/config.yml", FIXTURE)]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let (mut c, _) = Client::initialized(json!({}));
    c.open(&uri, FIXTURE);
    // `      - run: make << parameters.target >>`: on `parameters`, and on `target`.
    for col in [22, 34] {
        let hover = c.request("textDocument/hover", at(&uri, 43, col)).unwrap();
        let text = hover["contents"]["value"].as_str().unwrap();
        assert!(text.contains("`target`") && text.contains("dist"), "{text}");
        let def = c
            .request("textDocument/definition", at(&uri, 43, col))
            .unwrap();
        assert_eq!(def["range"]["start"], pos(36, 6));
    }
    // A job's hover says where it is defined and lists its parameters.
    let hover = c.request("textDocument/hover", at(&uri, 62, 15)).unwrap();
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**job** `build`, defined on line 33"),
        "{text}"
    );
    assert!(
        text.contains("| `target` | string | `\"dist\"` |"),
        "{text}"
    );
    assert_eq!(c.finish(), 0);
}

fn yaml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            out.push(p);
        }
    }
}

/// Every fixture (valid, broken, not UTF-8, orb sources, ...) through one server: every
/// request on every third line (at its indentation and mid-line) answers, and never with an
/// internal error (a handler that panicked).
#[test]
fn every_request_on_every_fixture_answers() {
    let mut files = Vec::new();
    yaml_files(&common::root().join("tests/fixtures"), &mut files);
    files.sort();
    assert!(files.len() > 50);
    let (mut c, _) = Client::initialized(json!({}));
    let uri = "untitled:fixture.yml";
    c.open(uri, "");
    let mut internal = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let text = String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned();
        c.change(uri, n as i32 + 2, json!([{"text": text}]));
        for (line, l) in text.lines().enumerate().step_by(3) {
            let indent = l.len() - l.trim_start().len();
            for col in [indent, indent + (l.len() - indent) / 2] {
                let p = at(uri, line as u32, col as u32);
                let mut refs = p.clone();
                refs["context"] = json!({"includeDeclaration": true});
                let mut rename = p.clone();
                rename["newName"] = json!("renamed");
                for (method, params) in [
                    ("textDocument/hover", p.clone()),
                    ("textDocument/definition", p.clone()),
                    ("textDocument/references", refs),
                    ("textDocument/rename", rename),
                    ("textDocument/completion", p),
                ] {
                    if let Err((code, message)) = c.request(method, params)
                        && code == -32603
                    {
                        internal.push(format!(
                            "{} {line}:{col} {method}: {message}",
                            file.display()
                        ));
                    }
                }
            }
        }
        let doc = json!({"textDocument": {"uri": uri}});
        let mut actions = doc.clone();
        actions["range"] = json!({"start": pos(0, 0), "end": pos(u32::MAX, 0)});
        actions["context"] = json!({"diagnostics": []});
        for (method, params) in [
            ("textDocument/documentSymbol", doc.clone()),
            ("textDocument/foldingRange", doc),
            ("textDocument/codeAction", actions),
        ] {
            if let Err(e) = c.request(method, params) {
                internal.push(format!("{} {method}: {e:?}", file.display()));
            }
        }
    }
    assert!(internal.is_empty(), "{internal:#?}");
    assert_eq!(c.finish(), 0);
}

#[test]
fn a_settings_file_changed_on_disk_relints_the_open_documents() {
    let dir = common::scratch(&[(".circleci/config.yml", FIXTURE)]);
    let uri = uri_of(&dir.path().join(".circleci/config.yml"));
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}}}),
    )
    .unwrap();
    c.notify("initialized", json!({}));
    // The server asks to watch settings files and configs.
    let registration = loop {
        match c.next() {
            Message::Request(r) if r.method == "client/registerCapability" => break r,
            Message::Notification(n) => c.pending.push_back(n),
            _ => {}
        }
    };
    let globs: Vec<&str> = registration.params["registrations"][0]["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(globs, ["**/.cilint.toml", "**/*.{yml,yaml}"]);
    c.send(Message::Response(Response::new_ok(
        registration.id,
        Value::Null,
    )));

    assert!(codes(&c.open(&uri, FIXTURE)).contains(&"unused-parameter".to_string()));
    let toml = dir.path().join(".cilint.toml");
    std::fs::write(&toml, "[rules]\nunused-parameter = \"off\"\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri_of(&toml), "type": 1}]}),
    );
    let (version, after) = c.diagnostics(&uri);
    assert_eq!(version, json!(1));
    assert_eq!(codes(&after), ["redundant-requires", "step-shape"]);
    // A save does the same.
    std::fs::remove_file(&toml).unwrap();
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(
        codes(&c.diagnostics(&uri).1),
        ["redundant-requires", "step-shape", "unused-parameter"]
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn names_across_the_files_of_an_orb_source_folder() {
    let dir = common::scratch(&[
        ("src/@orb.yml", "version: 2.1\ndescription: An orb\n"),
        (
            "src/jobs/build.yml",
            "description: Build\nexecutor: default\nsteps:\n  - greet:\n      who: you\n",
        ),
        (
            "src/commands/greet.yml",
            "description: Greet\nparameters:\n  who:\n    type: string\n    default: world\nsteps:\n  - run: echo << parameters.who >>\n",
        ),
        (
            "src/executors/default.yml",
            "docker:\n  - image: cimg/base:2024.02\n",
        ),
    ]);
    let build = uri_of(&dir.path().join("src/jobs/build.yml"));
    let greet = uri_of(&dir.path().join("src/commands/greet.yml"));
    let text = std::fs::read_to_string(dir.path().join("src/jobs/build.yml")).unwrap();
    let (mut c, _) = Client::initialized(json!({}));
    c.open(&build, &text);
    // The argument `who:` leads to the parameter in the command's file.
    let def = c
        .request("textDocument/definition", at(&build, 4, 7))
        .unwrap();
    assert_eq!(def["uri"], greet);
    assert_eq!(def["range"]["start"], pos(2, 2));
    // Its references are in both files.
    let mut params = at(&build, 4, 7);
    params["context"] = json!({"includeDeclaration": true});
    let refs = c.request("textDocument/references", params).unwrap();
    let mut found: Vec<(String, Value)> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().unwrap().to_string(),
                l["range"]["start"].clone(),
            )
        })
        .collect();
    found.sort_by_key(|(u, p)| (u.clone(), p.to_string()));
    let mut expected = vec![
        (build.clone(), pos(4, 6)),
        (greet.clone(), pos(2, 2)),
        (greet.clone(), pos(6, 28)),
    ];
    expected.sort_by_key(|(u, p)| (u.clone(), p.to_string()));
    assert_eq!(found, expected);
    // Renaming the parameter edits both files.
    let mut params = at(&build, 4, 7);
    params["newName"] = json!("whom");
    let edit = c.request("textDocument/rename", params).unwrap();
    assert_eq!(edit["changes"][&build].as_array().unwrap().len(), 1);
    assert_eq!(edit["changes"][&greet].as_array().unwrap().len(), 2);
    // A member named by its file is not renamed (that would be renaming the file).
    // Hover says in which file the parameter is declared.
    let hover = c.request("textDocument/hover", at(&build, 4, 7)).unwrap();
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**parameter** `who` of command `greet`"),
        "{text}"
    );
    assert!(
        text.contains("defined on line 3 of `commands/greet.yml`"),
        "{text}"
    );
    assert_eq!(hover["range"]["start"], pos(4, 6));
    // In the command's own file, it is a line of that file.
    let greet_text = std::fs::read_to_string(dir.path().join("src/commands/greet.yml")).unwrap();
    c.open(&greet, &greet_text);
    let hover = c.request("textDocument/hover", at(&greet, 6, 30)).unwrap();
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("`who` of command `greet`") && text.ends_with("defined on line 3"),
        "{text}"
    );
    // A command's definition is its file.
    let step = c.request("textDocument/definition", at(&build, 3, 5));
    assert_eq!(step.as_ref().unwrap()["uri"], greet, "{step:?}");
    let mut params = at(&build, 3, 5);
    params["newName"] = json!("hello");
    let r = c.request("textDocument/rename", params);
    assert!(r.is_err(), "{r:?} {step:?}");
    assert_eq!(c.finish(), 0);
}
