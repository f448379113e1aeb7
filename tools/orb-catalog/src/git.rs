//! Reading a (bare) git repository through the `git` command: tags, first-parent history,
//! trees and blobs. Nothing is ever written to the repository.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

pub struct Repo {
    pub dir: PathBuf,
    cat: Option<(Child, ChildStdin, BufReader<ChildStdout>)>,
}

/// One blob of a tree: its path (relative to the repository root) and object id.
#[derive(Clone, Debug)]
pub struct Entry {
    pub path: String,
    pub id: String,
}

impl Repo {
    pub fn open(dir: &Path) -> Result<Repo, String> {
        let repo = Repo {
            dir: dir.to_path_buf(),
            cat: None,
        };
        repo.run(&["rev-parse", "--git-dir"])?;
        Ok(repo)
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(&self.dir)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Every tag with the commit it points at (annotated tags peeled), sorted by name.
    pub fn tags(&self) -> Result<Vec<(String, String)>, String> {
        let out = self.run(&[
            "for-each-ref",
            "--format=%(refname:strip=2)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)",
            "refs/tags",
        ])?;
        let mut tags = Vec::new();
        for line in out.lines() {
            let f: Vec<&str> = line.split('\0').collect();
            if f.len() < 5 {
                continue;
            }
            let commit = if f[2] == "commit" {
                f[1]
            } else if f[4] == "commit" {
                f[3]
            } else {
                continue;
            };
            tags.push((f[0].to_string(), commit.to_string()));
        }
        tags.sort();
        Ok(tags)
    }

    /// The commit a revision names.
    pub fn resolve(&self, rev: &str) -> Result<String, String> {
        Ok(self
            .run(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ])?
            .trim()
            .to_string())
    }

    /// First-parent history of HEAD, oldest first: (commit, subject).
    pub fn first_parent_log(&self, paths: &[&str]) -> Result<Vec<(String, String)>, String> {
        let mut args = vec![
            "log",
            "--first-parent",
            "--reverse",
            "--format=%H%x00%s",
            "HEAD",
        ];
        if !paths.is_empty() {
            args.push("--");
            args.extend_from_slice(paths);
        }
        let out = self.run(&args)?;
        Ok(out
            .lines()
            .filter_map(|l| l.split_once('\0'))
            .map(|(h, s)| (h.to_string(), s.to_string()))
            .collect())
    }

    /// The blobs of `commit`'s tree (all depths).
    pub fn ls_tree(&self, commit: &str) -> Result<Vec<Entry>, String> {
        let out = self.run(&["ls-tree", "-r", "-z", "--full-tree", commit])?;
        let mut entries = Vec::new();
        for rec in out.split('\0') {
            // "<mode> <type> <id>\t<path>"
            let Some((meta, path)) = rec.split_once('\t') else {
                continue;
            };
            let mut parts = meta.split(' ');
            let (_mode, ty, id) = (parts.next(), parts.next(), parts.next());
            if ty != Some("blob") {
                continue;
            }
            if let Some(id) = id {
                entries.push(Entry {
                    path: path.to_string(),
                    id: id.to_string(),
                });
            }
        }
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(entries)
    }

    /// The contents of blob `id` (through one long-running `git cat-file --batch`).
    pub fn blob(&mut self, id: &str) -> Result<Vec<u8>, String> {
        if self.cat.is_none() {
            let mut child = Command::new("git")
                .arg("--git-dir")
                .arg(&self.dir)
                .args(["cat-file", "--batch"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot run git cat-file: {e}"))?;
            let stdin = child.stdin.take().ok_or("no stdin")?;
            let stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
            self.cat = Some((child, stdin, stdout));
        }
        let (_, stdin, stdout) = self.cat.as_mut().expect("started above");
        writeln!(stdin, "{id}").map_err(|e| e.to_string())?;
        stdin.flush().map_err(|e| e.to_string())?;
        let mut header = String::new();
        stdout.read_line(&mut header).map_err(|e| e.to_string())?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        if fields.len() != 3 {
            return Err(format!("cat-file: {}", header.trim()));
        }
        let size: usize = fields[2]
            .parse()
            .map_err(|_| "cat-file: bad size".to_string())?;
        let mut buf = vec![0u8; size + 1];
        stdout.read_exact(&mut buf).map_err(|e| e.to_string())?;
        buf.pop();
        Ok(buf)
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        if let Some((mut child, stdin, _)) = self.cat.take() {
            drop(stdin);
            let _ = child.wait();
        }
    }
}
