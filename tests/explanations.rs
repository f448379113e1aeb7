//! Every rule's explanation: it has a `## Bad` and a `## Good` example, each a whole small config
//! in a fenced `yaml` block; linting the bad one gives a finding of that rule, the good one none.

use cilint::Settings;

fn block<'a>(id: &str, explanation: &'a str, heading: &str) -> &'a str {
    let rest = explanation
        .split(heading)
        .nth(1)
        .unwrap_or_else(|| panic!("{id}: the explanation has no `{heading}` section"));
    let start = rest
        .find("```yaml\n")
        .unwrap_or_else(|| panic!("{id}: no ```yaml block after `{heading}`"))
        + "```yaml\n".len();
    let end = rest[start..]
        .find("```")
        .unwrap_or_else(|| panic!("{id}: unclosed block after `{heading}`"))
        + start;
    &rest[start..end]
}

#[test]
fn every_explanation_has_examples_that_behave() {
    // The `shellcheck` rule runs an external program, used when it is installed.
    let settings = Settings {
        shellcheck: cilint::shellcheck::find_on_path(),
        ..Settings::default()
    };
    let mut problems = Vec::new();
    for rule in cilint::rules::registry() {
        let id = rule.id;
        assert!(
            rule.explanation.starts_with(&format!("# {id}\n")),
            "{id}: the explanation starts with its id as the title"
        );
        let bad = block(id, rule.explanation, "## Bad");
        let good = block(id, rule.explanation, "## Good");
        let fired = |text: &str| {
            cilint::lint(text.as_bytes(), "example.yml", &settings)
                .diagnostics
                .iter()
                .any(|d| d.rule == id)
        };
        let needs_program = id == "shellcheck" && settings.shellcheck.is_none();
        if !fired(bad) && !needs_program {
            problems.push(format!("{id}: the bad example does not fire the rule"));
        }
        if fired(good) {
            problems.push(format!("{id}: the good example fires the rule"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
