//! shellcheck's answers kept on disk between runs: most `run` scripts of a project do not change
//! from one lint to the next.
//!
//! One file per answer, `<folder>/v1/<2 hex>/<62 hex>.json`, named by the SHA-256 of what the
//! answer depends on: this cache's format, shellcheck's `--version` text, the dialect, the
//! options that change shellcheck's output (the `.shellcheckrc` that applies and
//! `SHELLCHECK_OPTS`), and the script as shellcheck reads it (placeholders in place). The
//! entry holds all of these again beside shellcheck's raw comments (not spans: mapping them back
//! into the YAML is done afresh each run), and a read compares them, so an entry can only ever
//! answer for exactly the input it was made for. An entry that cannot be read or parsed is a
//! miss (and is written anew).
//!
//! Two cilint processes may share the folder: an entry is written to a temporary file in its
//! folder and renamed into place (readers see the whole old entry, the whole new one or none),
//! and entries that disappear while being trimmed are misses.
//!
//! Bounded: after a run that wrote entries (at most every few minutes, or when it wrote much),
//! the folder is measured and, when over [`MAX_BYTES`], the entries used longest ago are
//! removed until it is under three quarters of that. An entry read is marked used (its
//! modification time) at most once a day, so a warm run writes nothing.

use super::Comment;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The format of the entries; a change makes every older entry a miss.
const FORMAT: u32 = 1;

/// The most the folder may hold (file sizes rounded up to 4 KiB blocks).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// How often (at most) the folder is measured after runs that wrote little.
const TRIM_EVERY: Duration = Duration::from_secs(10 * 60);

/// A run that wrote more than this measures the folder whenever it ends.
const TRIM_AFTER_BYTES: u64 = 4 * 1024 * 1024;

/// An entry read is marked used when its mark is older than this.
const TOUCH_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// What an answer depends on, besides the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inputs<'a> {
    /// shellcheck's `--version` text.
    pub version: &'a str,
    /// The dialect (`-s`).
    pub dialect: &'a str,
    /// The options that change the output (rc file text, `SHELLCHECK_OPTS`), as one text.
    pub options: &'a str,
    /// The script as shellcheck reads it.
    pub script: &'a str,
}

#[derive(Serialize, Deserialize)]
struct Entry<'a> {
    format: u32,
    // (Borrowed when the JSON string has no escape, else owned: a script has newlines.)
    #[serde(borrow)]
    shellcheck: Cow<'a, str>,
    #[serde(borrow)]
    dialect: Cow<'a, str>,
    #[serde(borrow)]
    options: Cow<'a, str>,
    #[serde(borrow)]
    script: Cow<'a, str>,
    comments: Vec<Comment>,
}

/// The cache folder (`<folder>/v1`).
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
    max_bytes: u64,
}

impl Cache {
    /// The cache in `folder` (made when the first entry is written).
    pub fn new(folder: &Path) -> Cache {
        Cache {
            dir: folder.join(format!("v{FORMAT}")),
            max_bytes: MAX_BYTES,
        }
    }

    /// The same cache with another size bound (tests).
    #[cfg(test)]
    pub fn with_max_bytes(mut self, max: u64) -> Cache {
        self.max_bytes = max;
        self
    }

    fn path(&self, key: &Inputs) -> PathBuf {
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        ctx.update(&FORMAT.to_le_bytes());
        for part in [key.version, key.dialect, key.options, key.script] {
            // Length-prefixed, so that no two different inputs hash the same bytes.
            ctx.update(&(part.len() as u64).to_le_bytes());
            ctx.update(part.as_bytes());
        }
        let hex: String = ctx
            .finish()
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.dir.join(&hex[..2]).join(format!("{}.json", &hex[2..]))
    }

    /// The comments shellcheck gave for exactly these inputs, if kept.
    pub fn get(&self, key: &Inputs) -> Option<Vec<Comment>> {
        let path = self.path(key);
        let bytes = std::fs::read(&path).ok()?;
        let entry: Entry = serde_json::from_slice(&bytes).ok()?;
        let same = entry.format == FORMAT
            && entry.shellcheck == key.version
            && entry.dialect == key.dialect
            && entry.options == key.options
            && entry.script == key.script;
        if !same {
            return None;
        }
        touch(&path);
        Some(entry.comments)
    }

    /// Keep the comments for these inputs; returns the bytes written (0 when it could not
    /// write: the cache is only ever a help).
    pub fn put(&self, key: &Inputs, comments: &[Comment]) -> u64 {
        let entry = Entry {
            format: FORMAT,
            shellcheck: Cow::Borrowed(key.version),
            dialect: Cow::Borrowed(key.dialect),
            options: Cow::Borrowed(key.options),
            script: Cow::Borrowed(key.script),
            comments: comments.to_vec(),
        };
        let Ok(text) = serde_json::to_vec(&entry) else {
            return 0;
        };
        let path = self.path(key);
        let Some(dir) = path.parent() else { return 0 };
        if std::fs::create_dir_all(dir).is_err() {
            return 0;
        }
        let Ok(mut tmp) = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir) else {
            return 0;
        };
        if tmp.write_all(&text).is_err() || tmp.persist(&path).is_err() {
            return 0;
        }
        text.len() as u64
    }

    /// After a run that wrote `written` bytes: measure the folder (when due) and remove the
    /// entries used longest ago while it is over the bound.
    pub fn trim_after(&self, written: u64) {
        if written == 0 {
            return;
        }
        let stamp = self.dir.join(".trimmed");
        let due = written > TRIM_AFTER_BYTES
            || std::fs::metadata(&stamp)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_none_or(|age| age > TRIM_EVERY);
        if !due {
            return;
        }
        let _ = std::fs::write(&stamp, b"");
        self.trim();
    }

    /// Remove the entries used longest ago while the folder holds more than the bound, down to
    /// three quarters of it. Entries (and temporary files) removed by another process meanwhile
    /// are skipped.
    pub fn trim(&self) {
        let mut entries: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
        let mut total = 0u64;
        let Ok(shards) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for shard in shards.flatten() {
            let Ok(files) = std::fs::read_dir(shard.path()) else {
                continue;
            };
            for file in files.flatten() {
                let Ok(meta) = file.metadata() else { continue };
                if !meta.is_file() {
                    continue;
                }
                let size = meta.len().div_ceil(4096).max(1) * 4096;
                // (A temporary file left by a process that was killed ages like an entry.)
                let used = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                total += size;
                entries.push((used, size, file.path()));
            }
        }
        if total <= self.max_bytes {
            return;
        }
        entries.sort();
        let goal = self.max_bytes / 4 * 3;
        for (_, size, path) in entries {
            if total <= goal {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= size;
            }
        }
    }
}

/// Mark an entry used now, when its mark is older than [`TOUCH_AFTER`].
fn touch(path: &Path) {
    let stale = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > TOUCH_AFTER);
    if stale && let Ok(file) = std::fs::OpenOptions::new().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(code: u32) -> Comment {
        Comment {
            line: 1,
            end_line: 1,
            column: 1,
            end_column: 2,
            level: "info".into(),
            code,
            message: "m".into(),
        }
    }

    fn key(script: &str) -> Inputs<'_> {
        Inputs {
            version: "version: 0.9.0",
            dialect: "bash",
            options: "",
            script,
        }
    }

    #[test]
    fn entries_answer_only_for_their_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        assert_eq!(cache.get(&key("echo $1")), None);
        assert!(cache.put(&key("echo $1"), &[comment(2086)]) > 0);
        assert_eq!(cache.get(&key("echo $1")), Some(vec![comment(2086)]));
        assert_eq!(cache.get(&key("echo $2")), None);
        let other = Inputs {
            dialect: "sh",
            ..key("echo $1")
        };
        assert_eq!(cache.get(&other), None);
        let newer = Inputs {
            version: "version: 0.10.0",
            ..key("echo $1")
        };
        assert_eq!(cache.get(&newer), None);
        let rc = Inputs {
            options: "disable=SC2086",
            ..key("echo $1")
        };
        assert_eq!(cache.get(&rc), None);
        // Texts that JSON escapes (newlines, quotes, tabs, non-ASCII), as real ones have.
        let real = Inputs {
            version: "ShellCheck - shell script analysis tool\nversion: 0.9.0\n",
            dialect: "bash",
            options: "rc:disable=SC2086\n\topts:",
            script: "cd \"$dir\"\n\techo caf\u{e9}\n",
        };
        assert!(cache.put(&real, &[comment(2164)]) > 0);
        assert_eq!(cache.get(&real), Some(vec![comment(2164)]));
    }

    #[test]
    fn a_corrupted_or_foreign_entry_is_a_miss_and_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let k = key("cd /tmp");
        cache.put(&k, &[comment(2164)]);
        let path = cache.path(&k);
        std::fs::write(&path, b"{\"format\":1,").unwrap();
        assert_eq!(cache.get(&k), None);
        // An entry for other inputs under this name (a hash collision) is no answer either.
        let other = key("cd /var");
        cache.put(&other, &[]);
        std::fs::copy(cache.path(&other), &path).unwrap();
        assert_eq!(cache.get(&k), None);
        cache.put(&k, &[comment(2164)]);
        assert_eq!(cache.get(&k), Some(vec![comment(2164)]));
    }

    #[test]
    fn trimming_keeps_the_folder_bounded_and_the_newest_entries() {
        let dir = tempfile::tempdir().unwrap();
        // Each entry takes one 4 KiB block: room for 10.
        let cache = Cache::new(dir.path()).with_max_bytes(10 * 4096);
        let scripts: Vec<String> = (0..30).map(|i| format!("echo {i}")).collect();
        for (i, s) in scripts.iter().enumerate() {
            cache.put(&key(s), &[]);
            let path = cache.path(&key(s));
            let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000 + i as u64);
            std::fs::File::options()
                .append(true)
                .open(&path)
                .unwrap()
                .set_modified(when)
                .unwrap();
        }
        cache.trim();
        let kept: Vec<bool> = scripts
            .iter()
            .map(|s| cache.path(&key(s)).exists())
            .collect();
        assert_eq!(kept.iter().filter(|k| **k).count(), 7, "{kept:?}");
        assert!(kept[23..].iter().all(|k| *k), "the newest stay: {kept:?}");
        // Reading an entry marked long ago marks it used now, so that it outlives newer ones
        // that nobody reads.
        assert!(cache.get(&key(&scripts[23])).is_some());
        let used = std::fs::metadata(cache.path(&key(&scripts[23])))
            .unwrap()
            .modified()
            .unwrap();
        assert!(used.elapsed().unwrap() < Duration::from_secs(3600));
    }

    #[test]
    fn two_writers_of_one_entry_leave_a_whole_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let k = key("make test");
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..50 {
                        cache.put(&k, &[comment(1)]);
                        if let Some(c) = cache.get(&k) {
                            assert_eq!(c, vec![comment(1)]);
                        }
                    }
                });
            }
        });
        assert_eq!(cache.get(&k), Some(vec![comment(1)]));
        let shard = cache.path(&k).parent().unwrap().to_path_buf();
        let names: Vec<_> = std::fs::read_dir(shard).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }
}
