//! `cilint expand --diff` as text: each job and workflow added (`+`), removed (`-`) or
//! changed (`~`, with every value that differs: `path: old -> new`; a multi-line value such as
//! a `run` command as the lines that change), then a summary line.

use crate::analysis::expand::diff::{Changes, Delta, Edit, Op, align};
use crate::yaml::Data;
use crate::yaml::data::java_float;

const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

/// Values are shown on one line, cut beyond this many characters.
const WIDTH: usize = 120;

struct Out {
    text: String,
    color: bool,
}

impl Out {
    fn line(&mut self, indent: usize, color: &str, text: &str) {
        self.text.extend(std::iter::repeat_n(' ', indent));
        if self.color && !color.is_empty() {
            self.text.push_str(color);
            self.text.push_str(text);
            self.text.push_str(RESET);
        } else {
            self.text.push_str(text);
        }
        self.text.push('\n');
    }
}

/// The changes from `old` to `new` (as reports name them).
pub fn render(changes: &Changes, old: &str, new: &str, color: bool) -> String {
    let mut out = Out {
        text: String::new(),
        color,
    };
    out.line(0, "", &format!("processed config: {old} -> {new}"));
    if changes.is_empty() {
        out.line(0, "", "no change");
        return out.text;
    }
    for (title, members) in [("jobs", &changes.jobs), ("workflows", &changes.workflows)] {
        if members.is_empty() {
            continue;
        }
        out.line(0, "", "");
        out.line(0, "", &format!("{title}:"));
        for (name, delta) in members {
            member(&mut out, name, delta);
        }
    }
    if !changes.other.is_empty() {
        out.line(0, "", "");
        for e in &changes.other {
            edit(&mut out, 2, e);
        }
    }
    out.line(0, "", "");
    out.line(0, "", &summary(changes));
    out.text
}

fn member(out: &mut Out, name: &str, delta: &Delta) {
    match delta {
        Delta::Added(d) => out.line(2, GREEN, &format!("+ {name} (added{})", steps_note(d))),
        Delta::Removed(d) => out.line(2, RED, &format!("- {name} (removed{})", steps_note(d))),
        Delta::Changed(edits) => {
            out.line(2, YELLOW, &format!("~ {name}"));
            for e in edits {
                edit(out, 6, e);
            }
        }
    }
}

/// ", 4 steps" for a job.
fn steps_note(d: &Data) -> String {
    match d.get("steps").and_then(Data::as_seq) {
        Some(s) if s.len() == 1 => ", 1 step".to_string(),
        Some(s) => format!(", {} steps", s.len()),
        None => String::new(),
    }
}

fn edit(out: &mut Out, indent: usize, e: &Edit) {
    match (&e.old, &e.new) {
        (None, Some(Data::Null)) => out.line(indent, GREEN, &format!("+ {}", e.path)),
        (Some(Data::Null), None) => out.line(indent, RED, &format!("- {}", e.path)),
        (None, Some(n)) => out.line(indent, GREEN, &format!("+ {}: {}", e.path, one_line(n))),
        (Some(o), None) => out.line(indent, RED, &format!("- {}: {}", e.path, one_line(o))),
        (Some(Data::Str(o)), Some(Data::Str(n))) if o.contains('\n') || n.contains('\n') => {
            out.line(indent, "", &format!("{}:", e.path));
            lines(out, indent + 2, o, n);
        }
        (Some(o), Some(n)) => out.line(
            indent,
            "",
            &format!("{}: {} -> {}", e.path, one_line(o), one_line(n)),
        ),
        (None, None) => {}
    }
}

/// The lines of a text that change, each after the unchanged line before it.
fn lines(out: &mut Out, indent: usize, old: &str, new: &str) {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let ops = align(&a, &b);
    for (k, op) in ops.iter().enumerate() {
        let next_changes = ops.get(k + 1).is_some_and(|o| !matches!(o, Op::Same(..)));
        match *op {
            Op::Same(i, _) if next_changes => out.line(indent, "", &format!("  {}", a[i])),
            Op::Same(..) => {}
            Op::Removed(i) => out.line(indent, RED, &format!("- {}", a[i])),
            Op::Added(j) => out.line(indent, GREEN, &format!("+ {}", b[j])),
        }
    }
}

/// A value on one line: a string as it is (`''` when empty), anything else in flow form.
fn one_line(d: &Data) -> String {
    let text = match d {
        Data::Str(s) if s.is_empty() => "''".to_string(),
        Data::Str(s) => s.replace('\n', "\\n"),
        other => other.flow(java_float),
    };
    if text.chars().count() > WIDTH {
        let cut: String = text.chars().take(WIDTH - 3).collect();
        format!("{cut}...")
    } else {
        text
    }
}

fn summary(c: &Changes) -> String {
    let count = |members: &[(String, Delta)], f: fn(&Delta) -> bool| {
        members.iter().filter(|(_, d)| f(d)).count()
    };
    let part = |what: &str, members: &[(String, Delta)]| {
        let added = count(members, |d| matches!(d, Delta::Added(_)));
        let removed = count(members, |d| matches!(d, Delta::Removed(_)));
        let changed = count(members, |d| matches!(d, Delta::Changed(_)));
        format!("{what}: {added} added, {removed} removed, {changed} changed")
    };
    format!(
        "{}; {}",
        part("jobs", &c.jobs),
        part("workflows", &c.workflows)
    )
}
