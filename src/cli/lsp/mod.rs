//! `cilint lsp`: a language server over stdin and stdout.
//!
//! One thread reads messages, one writes them; the server itself handles one message at a
//! time, in order. A document is linted when it is opened and after each batch of changes
//! (changes that arrive while a lint runs are applied together, then linted once), and its
//! findings are published with their rule ids, links to the rules' explanations and their
//! secondary labels. Requests (hover, definition, references, rename, completion, symbols,
//! folding, code actions) read the document's current text. Settings come from the nearest
//! `.cilint.toml` of each file. A setup config brings its continuation configs' findings, and
//! a file of an orb source folder is linted with the whole folder. A save, or a settings file
//! or config changed on disk (watched by the client when it can), lints the open documents
//! again. A handler that fails
//! answers with an error; nothing a client sends stops the server but `exit` or the end of
//! its input.

mod actions;
mod handlers;
mod text;
mod transport;

use crate::base::diagnostic::Severity;
use crate::base::file_report::FileReport;
use crate::config::settings::Settings;
use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use text::{Doc, Encoding};
use transport::Incoming;

/// Options a client may pass as `initializationOptions`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct InitOptions {
    /// Check `run` scripts with shellcheck from PATH (off by default: it runs a program per
    /// script on every change).
    shellcheck: bool,
}

pub(super) struct Server {
    out: Sender<Message>,
    docs: HashMap<String, Doc>,
    enc: Encoding,
    shellcheck: Option<PathBuf>,
    /// The findings of each document's current text (by URI), and of the files its lint
    /// published besides it (continuation configs, the other files of an orb folder).
    reports: HashMap<String, FileReport>,
    extra: HashMap<String, Vec<String>>,
    /// Where the rules' explanations are written, for the links of diagnostics.
    docs_dir: Option<PathBuf>,
    written: HashSet<&'static str>,
    shutdown: bool,
    /// Whether the client watches files for the server (it said it can register watchers).
    watch: bool,
}

/// Run the server on stdin and stdout until `exit` or the end of input.
pub(super) fn serve() -> Result<super::Exit, super::Failure> {
    let input = transport::reader(std::io::stdin());
    let (out, writer) = transport::writer(std::io::stdout());
    let mut server = Server {
        out,
        docs: HashMap::new(),
        enc: Encoding::Utf16,
        shellcheck: None,
        reports: HashMap::new(),
        extra: HashMap::new(),
        docs_dir: rule_docs_dir(),
        written: HashSet::new(),
        shutdown: false,
        watch: false,
    };
    let mut initialized = false;
    let mut code = super::Exit::Clean;
    'session: while let Ok(first) = input.recv() {
        let mut batch = vec![first];
        while let Ok(more) = input.try_recv() {
            batch.push(more);
        }
        let mut dirty: Vec<String> = Vec::new();
        for incoming in batch {
            let message = match incoming {
                Incoming::Message(m) => m,
                Incoming::Garbage(why) => {
                    eprintln!("cilint lsp: not a message, ignored: {why}");
                    continue;
                }
            };
            match message {
                Message::Request(req) if !initialized => {
                    if req.method == "initialize" {
                        initialized = true;
                        let result = server.initialize(req.params);
                        server.respond(Response::new_ok(req.id, result));
                    } else {
                        server.respond(Response::new_err(
                            req.id,
                            ErrorCode::ServerNotInitialized as i32,
                            "the server is not initialized".into(),
                        ));
                    }
                }
                Message::Notification(n) if n.method == "exit" => {
                    if !server.shutdown {
                        code = super::Exit::Findings;
                    }
                    break 'session;
                }
                Message::Notification(_) if !initialized => {}
                Message::Request(req) => {
                    // Lint what changed before answering, so the answer sees the new text.
                    server.lint_all(&mut dirty);
                    let id = req.id.clone();
                    let response = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        server.request(req)
                    }))
                    .unwrap_or_else(|_| {
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "internal error".into(),
                        )
                    });
                    server.respond(response);
                }
                Message::Notification(n) => {
                    let handled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        server.notification(n, &mut dirty)
                    }));
                    if handled.is_err() {
                        eprintln!("cilint lsp: a notification failed");
                    }
                }
                Message::Response(_) => {}
            }
        }
        server.lint_all(&mut dirty);
    }
    drop(server);
    let _ = writer.join();
    Ok(code)
}

/// The folder the rules' explanations are written to (`cilint/rules` under the user's cache
/// folder, or the temporary folder), for diagnostics to link to.
fn rule_docs_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    Some(
        base.join("cilint")
            .join("rules")
            .join(env!("CARGO_PKG_VERSION")),
    )
}

impl Server {
    fn respond(&self, response: Response) {
        let _ = self.out.send(Message::Response(response));
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        let _ = self.out.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn initialize(&mut self, params: serde_json::Value) -> serde_json::Value {
        let params: lsp::InitializeParams = serde_json::from_value(params).unwrap_or_default();
        self.watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&lsp::PositionEncodingKind::UTF8));
        self.enc = if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let options: InitOptions = params
            .initialization_options
            .and_then(|o| serde_json::from_value(o).ok())
            .unwrap_or_default();
        if options.shellcheck {
            self.shellcheck = crate::lang::shellcheck::find_on_path();
        }
        let capabilities = lsp::ServerCapabilities {
            position_encoding: Some(if utf8 {
                lsp::PositionEncodingKind::UTF8
            } else {
                lsp::PositionEncodingKind::UTF16
            }),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            definition_provider: Some(lsp::OneOf::Left(true)),
            references_provider: Some(lsp::OneOf::Left(true)),
            rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            completion_provider: Some(lsp::CompletionOptions {
                trigger_characters: Some(vec![".".into(), "/".into(), " ".into()]),
                ..Default::default()
            }),
            document_symbol_provider: Some(lsp::OneOf::Left(true)),
            folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![
                        lsp::CodeActionKind::QUICKFIX,
                        lsp::CodeActionKind::SOURCE_FIX_ALL,
                    ]),
                    ..Default::default()
                },
            )),
            ..Default::default()
        };
        serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": {"name": "cilint", "version": env!("CARGO_PKG_VERSION")},
        })
    }

    fn notification(&mut self, n: Notification, dirty: &mut Vec<String>) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                else {
                    return;
                };
                let d = p.text_document;
                let key = d.uri.as_str().to_string();
                self.docs
                    .insert(key.clone(), Doc::new(d.uri, d.text, d.version));
                dirty.push(key);
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                let enc = self.enc;
                let Some(doc) = self.docs.get_mut(&key) else {
                    return;
                };
                for change in p.content_changes {
                    doc.change(change, enc);
                }
                doc.version = p.text_document.version;
                dirty.push(key);
            }
            "initialized" if self.watch => self.register_watchers(),
            // A file saved or changed on disk (a `.cilint.toml`, a config another one continues
            // with, a file of an orb folder): every open document is linted again.
            "textDocument/didSave" | "workspace/didChangeWatchedFiles" => {
                dirty.extend(self.docs.keys().cloned());
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                else {
                    return;
                };
                let key = p.text_document.uri.as_str().to_string();
                self.docs.remove(&key);
                self.reports.remove(&key);
                dirty.retain(|k| *k != key);
                let mut uris = self.extra.remove(&key).unwrap_or_default();
                uris.push(key);
                for uri in uris {
                    if let Ok(uri) = uri.parse() {
                        self.publish_raw(uri, Vec::new(), None);
                    }
                }
            }
            _ => {}
        }
    }

    /// Ask the client to tell of changes to settings files and configs on disk.
    fn register_watchers(&self) {
        let watchers = ["**/.cilint.toml", "**/*.{yml,yaml}"]
            .into_iter()
            .map(|glob| lsp::FileSystemWatcher {
                glob_pattern: lsp::GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let params = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "cilint-watch".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(
                    lsp::DidChangeWatchedFilesRegistrationOptions { watchers },
                )
                .ok(),
            }],
        };
        let _ = self.out.send(Message::Request(Request::new(
            lsp_server::RequestId::from("cilint-watch".to_string()),
            "client/registerCapability".to_string(),
            params,
        )));
    }

    /// Lint every document in `dirty` (each once) and publish.
    fn lint_all(&mut self, dirty: &mut Vec<String>) {
        let mut done = HashSet::new();
        for key in std::mem::take(dirty) {
            if done.insert(key.clone()) {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.lint(&key)));
            }
        }
    }

    /// The settings of a document: its `.cilint.toml` (a broken one is said once on stderr
    /// and ignored), with the orbs a setup config provides to it.
    fn settings(&self, doc: &Doc) -> Settings {
        let mut settings = doc
            .path
            .as_deref()
            .and_then(Path::parent)
            .and_then(Settings::discover)
            .and_then(|file| match Settings::load(&file) {
                Ok(s) => Some(s),
                Err(e) => {
                    eprintln!("cilint lsp: {e}");
                    None
                }
            })
            .unwrap_or_default();
        settings.shellcheck = self.shellcheck.clone();
        if let Some(path) = &doc.path {
            settings.provided_orbs = crate::pipeline::provided_orbs(path);
        }
        settings
    }

    /// Lint one document and publish its findings (and those of the files it brings).
    fn lint(&mut self, key: &str) {
        let Some(doc) = self.docs.get(key) else {
            return;
        };
        let settings = self.settings(doc);
        let mut extra: Vec<(lsp::Uri, FileReport)> = Vec::new();
        let report = match doc.path.as_deref().and_then(orb_folder_of) {
            Some(dir) => {
                let reports = self.lint_orb_folder(&dir, &settings);
                let mut own = None;
                for r in reports {
                    let Some(uri) = text::file_uri(Path::new(&r.path)) else {
                        continue;
                    };
                    if uri.as_str() == key {
                        own = Some(r);
                    } else {
                        extra.push((uri, r));
                    }
                }
                own.unwrap_or_else(|| crate::lint(doc.text.as_bytes(), &doc.display, &settings))
            }
            None => {
                let (report, continued) =
                    crate::analyze(doc.text.as_bytes(), &doc.display, &settings, |cx, _| {
                        crate::rules::continuation::configuration_paths_of(cx.config)
                    });
                if let Some(path) = &doc.path {
                    extra.extend(self.lint_continued(path, &continued));
                }
                report
            }
        };
        let (uri, version) = (doc.uri.clone(), doc.version);
        self.publish(uri, &report, Some(version));
        let mut published = Vec::new();
        for (uri, r) in &extra {
            // An open document is published from its own text.
            if !self.docs.contains_key(uri.as_str()) {
                self.publish(uri.clone(), r, None);
                published.push(uri.as_str().to_string());
            }
        }
        // Files no longer brought by this one lose their findings.
        for old in self.extra.remove(key).unwrap_or_default() {
            if !published.contains(&old)
                && !self.docs.contains_key(&old)
                && let Ok(uri) = old.parse()
            {
                self.publish_raw(uri, Vec::new(), None);
            }
        }
        self.extra.insert(key.to_string(), published);
        self.reports.insert(key.to_string(), report);
    }

    /// The continuation configs of a setup config, linted from their open documents or disk.
    fn lint_continued(&self, file: &Path, paths: &[String]) -> Vec<(lsp::Uri, FileReport)> {
        let dir = file.parent().unwrap_or(Path::new(""));
        let root = if dir.file_name().is_some_and(|n| n == ".circleci") {
            dir.parent().unwrap_or(dir)
        } else {
            dir
        };
        let mut out = Vec::new();
        for path in paths {
            let candidate = root.join(path.trim_start_matches("./"));
            let Some(uri) = text::file_uri(&candidate) else {
                continue;
            };
            if uri.as_str()
                == text::file_uri(file)
                    .map(|u| u.as_str().to_string())
                    .unwrap_or_default()
            {
                continue;
            }
            let bytes = match self.docs.get(uri.as_str()) {
                Some(d) => d.text.clone().into_bytes(),
                None => match std::fs::read(&candidate) {
                    Ok(b) => b,
                    Err(_) => continue,
                },
            };
            let display = candidate.display().to_string();
            let doc = Doc::new(uri.clone(), String::new(), 0);
            let settings = self.settings(&doc);
            out.push((uri, crate::lint(&bytes, &display, &settings)));
        }
        out
    }

    /// Lint an orb source folder, with the open documents' texts in place of the files'.
    fn lint_orb_folder(&self, dir: &Path, settings: &Settings) -> Vec<FileReport> {
        match self.orb_folder(dir) {
            Some(folder) => crate::pipeline::orb::lint_orb(&folder, settings),
            None => Vec::new(),
        }
    }

    /// An orb source folder, with the open documents' texts in place of the files'.
    fn orb_folder(&self, dir: &Path) -> Option<crate::config::orb_source::OrbFolder> {
        let display = dir.display().to_string();
        let mut folder = crate::config::orb_source::read_folder(dir, &display).ok()?;
        for file in &mut folder.files {
            let path = dir.join(&file.rel);
            if let Some(uri) = text::file_uri(&path)
                && let Some(doc) = self.docs.get(uri.as_str())
            {
                file.bytes = doc.text.clone().into_bytes();
            }
        }
        Some(folder)
    }

    /// The orb source folder of a document, assembled, for questions about names across its
    /// files (`None` when the document is not one of its files, or the folder's text of it
    /// is not the document's).
    fn orb_view(&self, doc: &Doc) -> Option<handlers::OrbView> {
        let dir = orb_folder_of(doc.path.as_deref()?)?;
        let folder = self.orb_folder(&dir)?;
        let assembled = crate::config::orb_source::assemble(&folder);
        let docs: Vec<Doc> = assembled
            .parts
            .iter()
            .map(|p| {
                let uri = text::file_uri(&dir.join(&p.rel)).unwrap_or_else(|| doc.uri.clone());
                Doc::new(uri, p.text.clone(), 0)
            })
            .collect();
        let own = docs
            .iter()
            .position(|d| d.uri.as_str() == doc.uri.as_str() && d.text == doc.text)?;
        Some(handlers::OrbView {
            base: assembled.parts[own].base,
            display: folder.display.clone(),
            assembled,
            docs,
        })
    }

    fn publish(&mut self, uri: lsp::Uri, report: &FileReport, version: Option<i32>) {
        let doc = Doc::new(uri.clone(), report.source.clone(), 0);
        let diagnostics = report
            .diagnostics
            .iter()
            .map(|d| {
                let mut message = d.message.clone();
                if let Some(help) = &d.help {
                    message.push_str("\nhelp: ");
                    message.push_str(help);
                }
                let related: Vec<lsp::DiagnosticRelatedInformation> = d
                    .labels
                    .iter()
                    .map(|l| lsp::DiagnosticRelatedInformation {
                        location: lsp::Location::new(uri.clone(), doc.range(l.span, self.enc)),
                        message: if l.message.is_empty() {
                            "here".to_string()
                        } else {
                            l.message.clone()
                        },
                    })
                    .collect();
                lsp::Diagnostic {
                    range: doc.range(d.primary.span, self.enc),
                    severity: Some(match d.severity {
                        Severity::Error => lsp::DiagnosticSeverity::ERROR,
                        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
                    }),
                    code: Some(lsp::NumberOrString::String(d.rule.to_string())),
                    code_description: self
                        .rule_doc(d.rule)
                        .map(|href| lsp::CodeDescription { href }),
                    source: Some("cilint".to_string()),
                    message,
                    related_information: (!related.is_empty()).then_some(related),
                    tags: None,
                    data: None,
                }
            })
            .collect();
        self.publish_raw(uri, diagnostics, version);
    }

    fn publish_raw(&self, uri: lsp::Uri, diagnostics: Vec<lsp::Diagnostic>, version: Option<i32>) {
        self.notify::<lsp::notification::PublishDiagnostics>(lsp::PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }

    /// A `file:` link to the rule's explanation, written on first use.
    fn rule_doc(&mut self, id: &str) -> Option<lsp::Uri> {
        let rule = crate::rules::find(id)?;
        let dir = self.docs_dir.as_ref()?;
        let path = dir.join(format!("{}.md", rule.id));
        if self.written.insert(rule.id) {
            let text = format!("# {}\n\n{}", rule.id, rule.explanation);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                let _ = std::fs::create_dir_all(dir);
                if std::fs::write(&path, text).is_err() {
                    self.docs_dir = None;
                    return None;
                }
            }
        }
        text::file_uri(&path)
    }

    fn request(&mut self, req: Request) -> Response {
        if self.shutdown {
            return Response::new_err(
                req.id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            );
        }
        let id = req.id.clone();
        let result = match req.method.as_str() {
            "shutdown" => {
                self.shutdown = true;
                Ok(serde_json::Value::Null)
            }
            "textDocument/hover" => self.with(req, handlers::hover),
            "textDocument/definition" => self.with(req, handlers::definition),
            "textDocument/references" => self.with(req, handlers::references),
            "textDocument/prepareRename" => self.with(req, handlers::prepare_rename),
            "textDocument/rename" => self.with(req, handlers::rename),
            "textDocument/completion" => self.with(req, handlers::completion),
            "textDocument/documentSymbol" => self.with(req, handlers::document_symbols),
            "textDocument/foldingRange" => self.with(req, handlers::folding),
            "textDocument/codeAction" => self.with(req, actions::code_actions),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method `{}`", req.method),
            )),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    /// Run a handler on a request's parameters and its document.
    fn with<P: serde::de::DeserializeOwned + handlers::HasDocument, R: serde::Serialize>(
        &mut self,
        req: Request,
        f: fn(&Ctx, P) -> handlers::Answer<R>,
    ) -> Result<serde_json::Value, (ErrorCode, String)> {
        let params: P = serde_json::from_value(req.params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        let key = params.uri().as_str().to_string();
        let Some(doc) = self.docs.get(&key) else {
            return Ok(serde_json::Value::Null);
        };
        let cx = Ctx {
            settings: self.settings(doc),
            orb: self.orb_view(doc),
            doc,
            enc: self.enc,
            report: self.reports.get(&key),
        };
        let result = f(&cx, params)?;
        serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }
}

/// What a handler reads: the document, its settings and findings, and how columns count.
pub(super) struct Ctx<'s> {
    pub doc: &'s Doc,
    pub settings: Settings,
    pub enc: Encoding,
    pub report: Option<&'s FileReport>,
    /// For a file of an orb source folder, the whole folder.
    orb: Option<handlers::OrbView>,
}

/// The orb source folder a file belongs to: `@orb.yml`, or a file directly in `commands/`,
/// `jobs/`, `executors/` or `examples/` of a folder that is one.
fn orb_folder_of(file: &Path) -> Option<PathBuf> {
    let parent = file.parent()?;
    let candidates = if file.file_name().is_some_and(|n| n == "@orb.yml") {
        vec![parent]
    } else if parent.file_name().is_some_and(|n| {
        ["commands", "jobs", "executors", "examples"]
            .iter()
            .any(|m| n == *m)
    }) {
        vec![parent.parent()?]
    } else {
        Vec::new()
    };
    candidates
        .into_iter()
        .find(|dir| crate::config::orb_source::source_folder(dir).as_deref() == Some(*dir))
        .map(Path::to_path_buf)
}
