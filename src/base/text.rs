//! Small text helpers every layer uses: lists in words, "did you mean", quoting.

/// `a`, `a and b`, `a, b and c` (empty for no items).
pub fn join_and<S: AsRef<str>>(items: &[S]) -> String {
    join_with(items, "and")
}

/// `a`, `a or b`, `a, b or c` (empty for no items).
pub fn join_or<S: AsRef<str>>(items: &[S]) -> String {
    join_with(items, "or")
}

fn join_with<S: AsRef<str>>(items: &[S], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_string(),
        [rest @ .., last] => {
            let rest: Vec<&str> = rest.iter().map(AsRef::as_ref).collect();
            format!("{} {word} {}", rest.join(", "), last.as_ref())
        }
    }
}

/// Each item between backticks: `` `x` ``.
pub fn quoted<S: AsRef<str>>(items: &[S]) -> Vec<String> {
    items.iter().map(|i| format!("`{}`", i.as_ref())).collect()
}

/// Closest names to `name` among `candidates` (edit distance), best first, at most three.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (name.chars().count() / 3).max(1) + usize::from(name.len() > 8);
    let lower = name.to_ascii_lowercase();
    let len = name.chars().count();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        // The distance is at least the difference in length: skip the far ones unmeasured.
        .filter(|c| c.chars().count().abs_diff(len) <= limit)
        .filter_map(|c| {
            let d = strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase());
            (d <= limit).then_some((d, c))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// "did you mean `x`?" / "did you mean `x` or `y`?" for the closest candidates, if any.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let best = closest(name, candidates);
    match best.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        many => {
            let quoted: Vec<String> = many.iter().map(|c| format!("`{c}`")).collect();
            let (last, rest) = quoted.split_last().expect("non-empty");
            Some(format!("did you mean {} or {last}?", rest.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(join_and::<&str>(&[]), "");
        assert_eq!(join_and(&["a"]), "a");
        assert_eq!(join_and(&["a", "b"]), "a and b");
        assert_eq!(join_or(&["a", "b", "c"]), "a, b or c");
        assert_eq!(join_and(&quoted(&["x", "y"])), "`x` and `y`");
    }
    #[test]
    fn suggestions() {
        assert_eq!(
            did_you_mean("steeps", ["steps", "docker"]).as_deref(),
            Some("did you mean `steps`?")
        );
        assert_eq!(did_you_mean("zzzzzz", ["steps", "docker"]), None);
        assert_eq!(
            closest("biuld", ["build", "built", "deploy"]),
            vec!["build"]
        );
        assert_eq!(
            closest("deplyo", ["deploy", "deploys", "test"]),
            vec!["deploy", "deploys"]
        );
    }
}
