//! Many scripts, few shellcheck processes.
//!
//! Starting shellcheck costs more than checking a small script, and a project repeats the same
//! commands in many jobs, so a [`Checker`] is given every script of a run first
//! ([`Checker::prepare`]): each distinct (script, dialect) pair is looked up in the cache
//! ([`super::cache`]) and the rest are written to a private temporary folder and checked by a
//! few shellcheck processes at once, each given many files (`shellcheck -f json1 -s DIALECT
//! FILE...` reports per file), the work split across the cores. The folder is removed
//! afterwards. The answers are kept for the rest of the checker's life, so a script that
//! several files or jobs share is checked once.
//!
//! What shellcheck reports for a file is what it reports for the same text on standard input,
//! with one difference this module makes up for: the `.shellcheckrc` it reads. For standard
//! input shellcheck looks for one from the current folder up, then in the home folder; for a
//! file, from the file's folder up. So the rc file that standard input would get is found here
//! the same way and copied into the temporary folder (or, when there is none, `--norc` is
//! passed). When the rc file or `SHELLCHECK_OPTS` makes shellcheck follow sourced files (which
//! are found relative to where the script is), each script is checked on its own on standard
//! input as before, and nothing is cached.
//!
//! A batch that fails as a whole (a time limit, an exit status other than 0 or 1, output that is
//! not what was expected) is checked again one script at a time, so one bad script cannot take
//! the others' findings with it.

use super::Comment;
use super::cache::{Cache, Inputs};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// What shellcheck said about one script: its comments, or `None` when it could not check it
/// (it could not be started, it took too long, or it wrote something unexpected), which gives no
/// findings.
pub type Answer = Option<Arc<[Comment]>>;

/// How long one process checking many scripts may take.
const BATCH_TIME_LIMIT: Duration = Duration::from_secs(60);

/// How many scripts, and how many bytes of them, one process is given at most.
const BATCH_SCRIPTS: usize = 100;
const BATCH_BYTES: usize = 128 * 1024;

/// Checks `run` scripts with one shellcheck program, remembering every answer.
pub struct Checker {
    bin: PathBuf,
    cache_dir: Option<PathBuf>,
    setup: OnceLock<Setup>,
    /// dialect -> script as shellcheck reads it -> answer.
    known: Mutex<HashMap<&'static str, HashMap<Box<str>, Answer>>>,
    stats: Counters,
}

/// What a checker did, for tests.
#[cfg(test)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct (script, dialect) pairs asked about.
    pub scripts: u64,
    /// Of those, answered from the cache on disk.
    pub cached: u64,
    /// shellcheck processes started.
    pub processes: u64,
}

#[derive(Default)]
struct Counters {
    scripts: AtomicU64,
    cached: AtomicU64,
    processes: AtomicU64,
}

/// What is found out once, on first use.
struct Setup {
    /// One process per script on standard input (sourced files are followed).
    per_script: bool,
    /// The text of the rc file shellcheck would read for standard input.
    rc: Option<String>,
    cache: Option<(Cache, String, String)>,
}

impl Checker {
    /// A checker running `bin`, keeping answers in `cache_dir` when given.
    pub fn new(bin: &Path, cache_dir: Option<&Path>) -> Checker {
        Checker {
            bin: bin.to_path_buf(),
            cache_dir: cache_dir.map(Path::to_path_buf),
            setup: OnceLock::new(),
            known: Mutex::new(HashMap::new()),
            stats: Counters::default(),
        }
    }

    /// The shellcheck program.
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// The cache folder, if answers are kept on disk.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.cache_dir.as_deref()
    }

    /// What the checker did so far.
    #[cfg(test)]
    pub fn stats(&self) -> Stats {
        Stats {
            scripts: self.stats.scripts.load(Ordering::Relaxed),
            cached: self.stats.cached.load(Ordering::Relaxed),
            processes: self.stats.processes.load(Ordering::Relaxed),
        }
    }

    fn setup(&self) -> &Setup {
        self.setup.get_or_init(|| {
            let opts = std::env::var("SHELLCHECK_OPTS").unwrap_or_default();
            let (rc, rc_readable) = match rc_for_stdin() {
                Ok(rc) => (rc, true),
                Err(()) => (None, false),
            };
            let per_script = !rc_readable || follows_sources(rc.as_deref().unwrap_or(""), &opts);
            let cache = match &self.cache_dir {
                Some(dir) if !per_script => version(&self.bin).map(|v| {
                    let options = format!("rc:{}\nopts:{opts}", rc.as_deref().unwrap_or(""));
                    (Cache::new(dir), v, options)
                }),
                _ => None,
            };
            Setup {
                per_script,
                rc,
                cache,
            }
        })
    }

    /// The answer already known for a script (as shellcheck reads it) in a dialect.
    fn known(&self, script: &str, dialect: &str) -> Option<Answer> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.get(dialect)?.get(script).cloned()
    }

    /// Check every script not known yet (each given as shellcheck reads it, with its dialect):
    /// from the cache, else in a few processes across the cores.
    pub fn prepare(&self, scripts: &[(&str, &'static str)]) {
        let mut todo: Vec<(&str, &'static str)> = Vec::new();
        {
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
            let mut seen = HashSet::new();
            for &(script, dialect) in scripts {
                let have = known.get(dialect).is_some_and(|m| m.contains_key(script));
                if !have && seen.insert((script, dialect)) {
                    todo.push((script, dialect));
                }
            }
        }
        if todo.is_empty() {
            return;
        }
        self.stats
            .scripts
            .fetch_add(todo.len() as u64, Ordering::Relaxed);
        let setup = self.setup();
        let mut answers: Vec<Option<Answer>> = vec![None; todo.len()];
        if let Some((cache, version, options)) = &setup.cache {
            use rayon::prelude::*;
            let hits: Vec<Option<Vec<Comment>>> = todo
                .par_iter()
                .map(|&(script, dialect)| {
                    cache.get(&Inputs {
                        version,
                        dialect,
                        options,
                        script,
                    })
                })
                .collect();
            for (slot, hit) in answers.iter_mut().zip(hits) {
                if let Some(comments) = hit {
                    *slot = Some(Some(comments.into()));
                    self.stats.cached.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        let missing: Vec<usize> = (0..todo.len()).filter(|&i| answers[i].is_none()).collect();
        let checked = self.check(&missing.iter().map(|&i| todo[i]).collect::<Vec<_>>(), setup);
        let mut written = 0;
        for (&i, answer) in missing.iter().zip(checked) {
            if let (Some((cache, version, options)), Some(comments)) = (&setup.cache, &answer) {
                let (script, dialect) = todo[i];
                written += cache.put(
                    &Inputs {
                        version,
                        dialect,
                        options,
                        script,
                    },
                    comments,
                );
            }
            answers[i] = Some(answer);
        }
        if let Some((cache, ..)) = &setup.cache {
            cache.trim_after(written);
        }
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        for ((script, dialect), answer) in todo.into_iter().zip(answers) {
            known
                .entry(dialect)
                .or_default()
                .insert(script.into(), answer.flatten());
        }
    }

    /// shellcheck's comments on one script (as shellcheck reads it), checking it now when it
    /// was not prepared.
    pub fn answer(&self, script: &str, dialect: &'static str) -> Answer {
        if let Some(answer) = self.known(script, dialect) {
            return answer;
        }
        self.prepare(&[(script, dialect)]);
        self.known(script, dialect).flatten()
    }

    /// Run shellcheck on `scripts` (distinct), in batches across the cores.
    fn check(&self, scripts: &[(&str, &'static str)], setup: &Setup) -> Vec<Answer> {
        if scripts.is_empty() {
            return Vec::new();
        }
        // A script that names the files of a batch (it could `source` one of them, which
        // shellcheck would then follow) is checked on its own.
        let alone = |i: &usize| setup.per_script || scripts[*i].0.contains(FILE_PREFIX);
        let (single, batched): (Vec<usize>, Vec<usize>) = (0..scripts.len()).partition(alone);
        let mut jobs: Vec<(Vec<usize>, bool)> = batches(scripts, &batched)
            .into_iter()
            .map(|b| (b, false))
            .collect();
        jobs.extend(single.into_iter().map(|i| (vec![i], true)));
        let results: Vec<Mutex<Answer>> = scripts.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let workers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(jobs.len());
        std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    loop {
                        let j = next.fetch_add(1, Ordering::Relaxed);
                        let Some((job, one_by_one)) = jobs.get(j) else {
                            break;
                        };
                        let texts: Vec<&str> = job.iter().map(|&i| scripts[i].0).collect();
                        let dialect = scripts[job[0]].1;
                        let batch = if *one_by_one {
                            Err(String::new())
                        } else {
                            self.stats.processes.fetch_add(1, Ordering::Relaxed);
                            run_batch(&self.bin, setup.rc.as_deref(), dialect, &texts)
                        };
                        let answers: Vec<Answer> = match batch {
                            Ok(per_file) => per_file.into_iter().map(|c| Some(c.into())).collect(),
                            // One at a time on standard input, as shellcheck always could.
                            Err(_) => texts
                                .iter()
                                .map(|t| {
                                    self.stats.processes.fetch_add(1, Ordering::Relaxed);
                                    super::run(&self.bin, t, dialect).ok().map(Into::into)
                                })
                                .collect(),
                        };
                        for (&i, a) in job.iter().zip(answers) {
                            *results[i].lock().unwrap_or_else(|e| e.into_inner()) = a;
                        }
                    }
                });
            }
        });
        results
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
            .collect()
    }
}

/// Split scripts into batches of one dialect each, of about equal size (the largest first),
/// at least one per core when there are enough, none over [`BATCH_SCRIPTS`] scripts or (unless
/// a single script is larger) [`BATCH_BYTES`] bytes.
fn batches(scripts: &[(&str, &'static str)], which: &[usize]) -> Vec<Vec<usize>> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut by_dialect: Vec<(&str, Vec<usize>)> = Vec::new();
    for &i in which {
        let dialect = scripts[i].1;
        match by_dialect.iter_mut().find(|(d, _)| *d == dialect) {
            Some((_, list)) => list.push(i),
            None => by_dialect.push((dialect, vec![i])),
        }
    }
    let mut out = Vec::new();
    for (_, mut list) in by_dialect {
        let bytes: usize = list.iter().map(|&i| scripts[i].0.len()).sum();
        let count = cores
            .max(bytes.div_ceil(BATCH_BYTES))
            .max(list.len().div_ceil(BATCH_SCRIPTS))
            .min(list.len());
        // Largest first, each to the lightest batch.
        list.sort_by_key(|&i| std::cmp::Reverse(scripts[i].0.len()));
        let mut parts: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); count];
        for i in list {
            let lightest = parts
                .iter_mut()
                .min_by_key(|(b, l)| (*b, l.len()))
                .expect("at least one batch");
            lightest.0 += scripts[i].0.len() + 64;
            lightest.1.push(i);
        }
        for (_, mut part) in parts {
            part.sort_unstable();
            out.push(part);
        }
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.iter().map(|&i| scripts[i].0.len()).sum::<usize>()));
    out
}

/// One comment of shellcheck's output for several files.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileComment {
    file: String,
    line: usize,
    end_line: usize,
    column: usize,
    end_column: usize,
    level: String,
    code: u32,
    message: String,
}

#[derive(Deserialize)]
struct BatchOutput {
    comments: Vec<FileComment>,
}

/// What the names of the files given to shellcheck start with.
const FILE_PREFIX: &str = "cilint-script-";

/// The file names given to shellcheck (no extension).
fn file_name(i: usize) -> String {
    format!("{FILE_PREFIX}{i}")
}

/// Check several scripts of one dialect in one shellcheck process: their comments, in order.
fn run_batch(
    bin: &Path,
    rc: Option<&str>,
    dialect: &str,
    scripts: &[&str],
) -> Result<Vec<Vec<Comment>>, String> {
    let dir = tempfile::Builder::new()
        .prefix("cilint-shellcheck-")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = (0..scripts.len()).map(file_name).collect();
    for (name, script) in names.iter().zip(scripts) {
        std::fs::write(dir.path().join(name), script).map_err(|e| e.to_string())?;
    }
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir.path())
        .args(["-f", "json1", "-s", dialect]);
    match rc {
        Some(text) => {
            std::fs::write(dir.path().join(".shellcheckrc"), text).map_err(|e| e.to_string())?
        }
        None => {
            cmd.arg("--norc");
        }
    }
    cmd.args(&names);
    let (status, out) = super::run_limited(cmd, None, BATCH_TIME_LIMIT)?;
    if !matches!(status, Some(0 | 1)) {
        return Err(format!("shellcheck exited with {status:?}"));
    }
    let parsed: BatchOutput =
        serde_json::from_slice(&out).map_err(|e| format!("bad output: {e}"))?;
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut per_file = vec![Vec::new(); scripts.len()];
    for c in parsed.comments {
        let &i = index
            .get(c.file.as_str())
            .ok_or_else(|| format!("a comment on an unknown file {}", c.file))?;
        per_file[i].push(Comment {
            line: c.line,
            end_line: c.end_line,
            column: c.column,
            end_column: c.end_column,
            level: c.level,
            code: c.code,
            message: c.message,
        });
    }
    Ok(per_file)
}

/// `shellcheck --version`'s text (what the cache keys answers by); `None` when it cannot run.
fn version(bin: &Path) -> Option<String> {
    let mut cmd = Command::new(bin);
    cmd.arg("--version");
    let (status, out) = super::run_limited(cmd, None, Duration::from_secs(10)).ok()?;
    (status == Some(0))
        .then(|| String::from_utf8(out).ok())
        .flatten()
        .filter(|v| !v.trim().is_empty())
}

/// The rc file shellcheck reads when checking standard input: `.shellcheckrc` or
/// `shellcheckrc` in the current folder or the nearest parent that has one, else
/// `~/.shellcheckrc`, else `shellcheckrc` in `$XDG_CONFIG_HOME` (`~/.config`). `Err` when the
/// one found cannot be read.
fn rc_for_stdin() -> Result<Option<String>, ()> {
    let nonempty = |v: std::ffi::OsString| (!v.is_empty()).then(|| PathBuf::from(v));
    let home = std::env::var_os("HOME").and_then(nonempty);
    let mut candidates = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            candidates.push(dir.join(".shellcheckrc"));
            candidates.push(dir.join("shellcheckrc"));
        }
    }
    if let Some(home) = &home {
        candidates.push(home.join(".shellcheckrc"));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .and_then(nonempty)
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    if let Some(config) = config {
        candidates.push(config.join("shellcheckrc"));
    }
    match candidates.into_iter().find(|c| c.is_file()) {
        Some(path) => std::fs::read_to_string(path).map(Some).map_err(|_| ()),
        None => Ok(None),
    }
}

/// Whether the rc file or `SHELLCHECK_OPTS` makes shellcheck follow sourced files.
fn follows_sources(rc: &str, opts: &str) -> bool {
    let rc = rc.to_ascii_lowercase();
    rc.contains("external-sources") && rc.contains("true")
        || rc.contains("source-path")
        || opts.split_whitespace().any(|w| {
            w == "-x"
                || w == "-a"
                || (w.starts_with('-')
                    && !w.starts_with("--")
                    && (w.contains('x') || w.contains('a') || w.contains('P')))
                || w.starts_with("--external-sources")
                || w.starts_with("--source-path")
                || w.starts_with("--check-sourced")
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn batches_are_balanced_and_of_one_dialect() {
        let texts: Vec<String> = (0..450).map(|i| "x".repeat(10 + i % 37)).collect();
        let scripts: Vec<(&str, &'static str)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (t.as_str(), if i % 3 == 0 { "sh" } else { "bash" }))
            .collect();
        let parts = batches(&scripts, &(0..scripts.len()).collect::<Vec<_>>());
        let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..450).collect::<Vec<_>>());
        for p in &parts {
            assert!(p.len() <= BATCH_SCRIPTS);
            assert!(p.iter().all(|&i| scripts[i].1 == scripts[p[0]].1));
            assert!(
                p.windows(2).all(|w| w[0] < w[1]),
                "input order within a batch"
            );
        }
        // 300 bash scripts: at least 3 batches of at most 100.
        assert!(parts.len() >= 5);
    }

    /// A test that needs shellcheck: skipped without it, except under `CI=true`.
    pub(crate) fn shellcheck_or_skip() -> Option<PathBuf> {
        let found = super::super::find_on_path();
        if found.is_none() {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("shellcheck is missing, and CI=true requires every test to run");
            }
            eprintln!("skipped: shellcheck is missing");
        }
        found
    }

    #[test]
    fn many_scripts_few_processes_the_same_answers_as_one_by_one() {
        let Some(bin) = shellcheck_or_skip() else {
            return;
        };
        let scripts = [
            "echo $1",
            "cd /tmp\necho ok",
            "x=1",
            "echo \"caf\u{e9} $HOME\"\tcd -",
            "if [ $a = b ]; then echo; fi",
            "cat <<EOF\n$x\nEOF\n",
            "echo ${foo",
            "",
            "#!/bin/sh\necho $((1+1)) `date`",
            "source ./cilint-script-1\necho $shared",
        ];
        let mut asked: Vec<(&str, &'static str)> = scripts.iter().map(|s| (*s, "bash")).collect();
        asked.extend(scripts.iter().map(|s| (*s, "bash")));
        asked.extend(scripts.iter().map(|s| (*s, "sh")));
        let checker = Checker::new(&bin, None);
        checker.prepare(&asked);
        let stats = checker.stats();
        assert_eq!(stats.scripts, 2 * scripts.len() as u64, "each pair once");
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        // A batch per core and dialect, and the script that names a batch's files on its own
        // (in both dialects).
        assert!(stats.processes <= 2 * cores + 2, "{stats:?}");
        for dialect in ["bash", "sh"] {
            for s in scripts {
                let batched = checker.answer(s, dialect).expect("an answer");
                let alone = super::super::run(&bin, s, dialect).expect("shellcheck runs");
                assert_eq!(batched.to_vec(), alone, "{s:?} in {dialect}");
            }
        }
        // Asking again starts nothing.
        checker.prepare(&asked);
        assert_eq!(checker.stats().processes, stats.processes);
    }

    #[test]
    fn the_cache_answers_a_second_checker() {
        let Some(bin) = shellcheck_or_skip() else {
            return;
        };
        let dir = tempfile::tempdir().unwrap();
        let scripts = [("echo $1", "bash"), ("cd /tmp", "sh")];
        let first = Checker::new(&bin, Some(dir.path()));
        first.prepare(&scripts);
        assert_eq!(first.stats().cached, 0);
        let second = Checker::new(&bin, Some(dir.path()));
        second.prepare(&scripts);
        let stats = second.stats();
        assert_eq!((stats.cached, stats.processes), (2, 0), "{stats:?}");
        for (s, d) in scripts {
            assert_eq!(first.answer(s, d), second.answer(s, d));
        }
    }

    #[test]
    fn options_that_follow_sourced_files() {
        assert!(!follows_sources("", ""));
        assert!(!follows_sources("disable=SC2086\n", "--severity=warning"));
        assert!(follows_sources("external-sources=true\n", ""));
        assert!(follows_sources("source-path=SCRIPTDIR\n", ""));
        assert!(follows_sources("", "-x"));
        assert!(follows_sources("", "-xa"));
        assert!(follows_sources("", "--external-sources"));
        assert!(follows_sources("", "-P lib"));
        assert!(!follows_sources("", "-e SC2086"));
    }
}
