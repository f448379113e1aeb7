//! Paths, nodes and words: where a finding is, said in words.

use crate::yaml::{Node, ScalarKind, Value};

/// The child of `node` named by one pointer segment: a key of a mapping, an index of a list.
pub(super) fn child<'n>(node: &'n Node, seg: &str) -> Option<&'n Node> {
    match &node.value {
        Value::Map(_) => node.get(seg),
        Value::Seq(items) => items.get(seg.parse::<usize>().ok()?),
        Value::Scalar(_) => None,
    }
}

/// The (key, value) of the node at `path` (for a list item: the item twice).
pub(super) fn resolve_entry<'n>(root: &'n Node, path: &[String]) -> Option<(&'n Node, &'n Node)> {
    let (last, init) = path.split_last()?;
    let parent = root.lookup(init)?;
    match &parent.value {
        Value::Map(_) => parent.entry(last),
        Value::Seq(items) => {
            let item = items.get(last.parse::<usize>().ok()?)?;
            Some((item, item))
        }
        Value::Scalar(_) => None,
    }
}

pub(super) fn parent(path: &[String]) -> &[String] {
    &path[..path.len().saturating_sub(1)]
}

pub(super) fn is_index(seg: &str) -> bool {
    !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit())
}

/// What the value at `path` is called: "`parallelism`", "step 3", "item 1 of `docker`".
pub(super) fn subject(path: &[String]) -> String {
    match path {
        [] => "the config".to_string(),
        [.., list, idx] if is_index(idx) => {
            let n = idx.parse::<usize>().map_or(0, |n| n + 1);
            match list.as_str() {
                "steps" => format!("step {n}"),
                "pre-steps" => format!("pre-step {n}"),
                "post-steps" => format!("post-step {n}"),
                "docker" => format!("docker image {n}"),
                _ => format!("item {n} of `{list}`"),
            }
        }
        [.., key] => format!("`{key}`"),
    }
}

/// What the value at `path` is called, and the label that says where it is: ("`parallelism`",
/// "in job `build`"), ("step 2 of job `build`", "here").
pub(super) fn describe(root: &Node, path: &[String]) -> (String, String) {
    match path {
        [] => ("the config".to_string(), "the whole file".to_string()),
        [.., list, idx]
            if is_index(idx)
                && matches!(
                    list.as_str(),
                    "steps" | "pre-steps" | "post-steps" | "docker"
                ) =>
        {
            (place(root, path), "here".to_string())
        }
        [.., req, idx, name] if req == "requires" && is_index(idx) => (
            format!("the status required of `{name}`"),
            format!("in {}", place(root, &path[..path.len() - 2])),
        ),
        _ => (subject(path), format!("in {}", place(root, parent(path)))),
    }
}

/// "in job `build`" / "at the top level".
pub(super) fn place_in(root: &Node, path: &[String]) -> String {
    if path.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in {}", place(root, path))
    }
}

/// The place of the node at `path`, in words: "job `build`", "step 3 of job `build`",
/// "`auth` of docker image 1 of job `build`", "job `test` in workflow `main`".
pub(super) fn place(root: &Node, path: &[String]) -> String {
    if path.is_empty() {
        return "the top level".to_string();
    }
    let mut owner: String;
    let mut i;
    match (path[0].as_str(), path.get(1)) {
        ("jobs", Some(name)) => {
            owner = format!("job `{name}`");
            i = 2;
        }
        ("commands", Some(name)) => {
            owner = format!("command `{name}`");
            i = 2;
        }
        ("executors", Some(name)) => {
            owner = format!("executor `{name}`");
            i = 2;
        }
        ("orbs", Some(name)) => {
            owner = format!("orb `{name}`");
            i = 2;
        }
        ("parameters", Some(name)) => {
            owner = format!("pipeline parameter `{name}`");
            i = 2;
        }
        ("workflows", Some(name)) => {
            owner = format!("workflow `{name}`");
            i = 2;
            if path.get(2).map(String::as_str) == Some("jobs")
                && let Some(idx) = path.get(3)
            {
                let entry = root.lookup(&path[..4]);
                let job = entry.and_then(|e| {
                    e.as_str().map(str::to_string).or_else(|| {
                        e.as_map()
                            .and_then(|m| m.first())
                            .and_then(|(k, _)| k.scalar_text())
                            .map(str::to_string)
                    })
                });
                owner = match job {
                    Some(job) => format!("job `{job}` in workflow `{name}`"),
                    None => format!(
                        "entry {} of the jobs of workflow `{name}`",
                        idx.parse::<usize>().map_or(0, |n| n + 1)
                    ),
                };
                i = 4;
                // The job name key of a one-key entry is part of the same place.
                if path.len() > 4 && entry.is_some_and(|e| e.as_map().is_some()) {
                    i = 5;
                }
            }
        }
        _ => {
            owner = String::new();
            i = 0;
        }
    }
    let mut rest: Vec<String> = Vec::new();
    while i < path.len() {
        let seg = &path[i];
        let next = path.get(i + 1);
        if matches!(seg.as_str(), "steps" | "pre-steps" | "post-steps")
            && let Some(idx) = next.filter(|n| is_index(n))
        {
            let n = idx.parse::<usize>().map_or(0, |n| n + 1);
            let what = match seg.as_str() {
                "pre-steps" => "pre-step",
                "post-steps" => "post-step",
                _ => "step",
            };
            let base = with_rest(&owner, &rest);
            rest.clear();
            i += 2;
            // The step's own key (`run`, `save_cache`...) names it.
            let step = match path.get(i) {
                Some(step) => {
                    i += 1;
                    format!("{what} {n} (`{step}`)")
                }
                None => format!("{what} {n}"),
            };
            owner = if base.is_empty() {
                step
            } else {
                format!("{step} of {base}")
            };
            continue;
        }
        if seg == "docker"
            && let Some(idx) = next.filter(|n| is_index(n))
        {
            let n = idx.parse::<usize>().map_or(0, |n| n + 1);
            let base = with_rest(&owner, &rest);
            rest.clear();
            owner = format!("docker image {n} of {base}");
            i += 2;
            continue;
        }
        if is_index(seg) {
            let n = seg.parse::<usize>().map_or(0, |n| n + 1);
            if let Some(last) = rest.last_mut() {
                *last = format!("{last}[{n}]");
            } else {
                rest.push(format!("item {n}"));
            }
        } else {
            rest.push(seg.clone());
        }
        i += 1;
    }
    let text = with_rest(&owner, &rest);
    if text.is_empty() {
        "the top level".to_string()
    } else {
        text
    }
}

pub(super) fn with_rest(owner: &str, rest: &[String]) -> String {
    match (owner.is_empty(), rest.is_empty()) {
        (_, true) => owner.to_string(),
        (true, false) => format!("`{}`", rest.join(".")),
        (false, false) => format!("`{}` of {owner}", rest.join(".")),
    }
}

/// What was found instead: its kind, or (`quote`, for a short scalar) the value itself.
pub(super) fn found_text(node: &Node, quote: bool) -> String {
    match &node.value {
        Value::Scalar(s) => match s.kind {
            ScalarKind::Null => "no value".to_string(),
            _ if quote && !s.text.contains('\n') && s.text.chars().count() <= 40 => {
                format!("`{}`", s.text)
            }
            _ => node.type_name().to_string(),
        },
        _ => node.type_name().to_string(),
    }
}

pub(super) fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        line.to_string()
    }
}
