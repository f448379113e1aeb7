//! A plan (`cilint plan`) as text for people, as JSON, and marked on a workflow diagram.

use crate::analysis::plan::{Plan, Spot, State, WorkflowPlan};
use crate::base::span::{LineIndex, Span};
use crate::lang::filters::GitRef;
use crate::lang::mustache::PipelineValue;
use crate::output::render::Diagram;

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn state_color(state: State) -> &'static str {
    match state {
        State::Runs => "32",
        State::Waits => "33",
        State::Skipped => "90",
        State::Unknown => "35",
    }
}

/// The plan for people: the input, then per workflow whether it runs and why, and one line per
/// job.
pub fn render_human(plan: &Plan, path: &str, color: bool) -> String {
    let mut out = String::new();
    let mut head = format!(
        "{path}: plan for {}, trigger `{}`",
        plan.input.ref_words(),
        plan.input.trigger.as_str()
    );
    if let Some(s) = &plan.input.schedule_name {
        head.push_str(&format!(", schedule `{s}`"));
    }
    out.push_str(&paint(color, "1", &head));
    out.push('\n');
    if !plan.parameters.is_empty() {
        let items: Vec<String> = plan
            .parameters
            .iter()
            .map(|(k, v, src)| match v {
                Some(v) => format!("{k} = {} ({})", v.describe(), src.as_str()),
                None => format!("{k} = unknown (no default)"),
            })
            .collect();
        out.push_str(&format!("parameters: {}\n", items.join(", ")));
    }
    if plan.workflows.is_empty() {
        out.push_str("\nno workflows\n");
    }
    for w in &plan.workflows {
        out.push('\n');
        let state = match w.state {
            State::Runs => "runs",
            State::Skipped => "does not run",
            _ => "unknown",
        };
        let mut line = format!(
            "workflow `{}`: {}",
            w.name,
            paint(color, state_color(w.state), state)
        );
        if let Some(r) = &w.reason {
            line.push_str(&format!(": {r}"));
        }
        out.push_str(&line);
        out.push('\n');
        if !w.jobs_evaluated {
            let n = w.jobs.len();
            out.push_str(&format!(
                "  ({n} job{} not run)\n",
                if n == 1 { "" } else { "s" }
            ));
            continue;
        }
        let width = w
            .jobs
            .iter()
            .map(|j| j.name.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for j in &w.jobs {
            let desc = j.describe();
            let (word, rest) = match j.state {
                State::Runs => ("runs", &desc[4..]),
                State::Waits => ("waits for approval", &desc["waits for approval".len()..]),
                State::Skipped => ("skipped", &desc["skipped".len()..]),
                State::Unknown => ("unknown", &desc["unknown".len()..]),
            };
            out.push_str(&format!(
                "  {:width$}  {}{rest}\n",
                j.name,
                paint(color, state_color(j.state), word),
            ));
        }
    }
    let s = plan.summary();
    out.push_str(&format!(
        "\n{} of {} workflow{} run{}; jobs: {} run, {} wait{} for approval, {} skipped, {} unknown\n",
        s.workflows_run,
        s.workflows,
        if s.workflows == 1 { "" } else { "s" },
        if s.workflows_run == 1 { "s" } else { "" },
        s.runs,
        s.waits,
        if s.waits == 1 { "s" } else { "" },
        s.skipped,
        s.unknown
    ));
    out
}

fn value_json(v: &PipelineValue) -> serde_json::Value {
    match v {
        PipelineValue::Null => serde_json::Value::Null,
        PipelineValue::Bool(b) => serde_json::Value::Bool(*b),
        PipelineValue::Int(i) => serde_json::Value::from(*i),
        PipelineValue::Str(s) => serde_json::Value::from(s.as_str()),
    }
}

fn span_json(span: Span, source: &str, lines: &LineIndex) -> serde_json::Value {
    let a = lines.line_col(source, span.start as usize);
    let b = lines.line_col(source, span.end as usize);
    serde_json::json!({
        "line": a.line,
        "column": a.column,
        "end_line": b.line,
        "end_column": b.column,
    })
}

fn spots_json(spots: &[Spot], source: &str, lines: &LineIndex) -> serde_json::Value {
    spots
        .iter()
        .map(|s| {
            let mut m = serde_json::Map::new();
            m.insert("role".into(), s.role.into());
            if let serde_json::Value::Object(pos) = span_json(s.span, source, lines) {
                m.extend(pos);
            }
            serde_json::Value::Object(m)
        })
        .collect()
}

/// The plan as JSON (the format is documented in the README, "cilint plan").
pub fn to_json(plan: &Plan, path: &str, source: &str, lines: &LineIndex) -> serde_json::Value {
    let (branch, tag) = match &plan.input.git_ref {
        GitRef::Branch(b) => (Some(b.as_str()), None),
        GitRef::Tag(t) => (None, Some(t.as_str())),
    };
    let parameters: Vec<serde_json::Value> = plan
        .parameters
        .iter()
        .map(|(k, v, src)| {
            serde_json::json!({
                "name": k,
                "value": v.as_ref().map_or(serde_json::Value::Null, value_json),
                "source": src.as_str(),
            })
        })
        .collect();
    let workflows: Vec<serde_json::Value> = plan
        .workflows
        .iter()
        .map(|w| {
            let jobs: Vec<serde_json::Value> = w
                .jobs
                .iter()
                .map(|j| {
                    let matrix: serde_json::Map<String, serde_json::Value> = j
                        .matrix
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                        .collect();
                    serde_json::json!({
                        "name": j.name,
                        "job": j.job,
                        "kind": if j.approval { "approval" } else { "job" },
                        "matrix": matrix,
                        "state": j.state.as_str(),
                        "reason": j.reason,
                        "after_approval": j.after_approval,
                        "notes": j.notes,
                        "description": j.describe(),
                        "span": span_json(j.span, source, lines),
                        "spans": spots_json(&j.spans, source, lines),
                    })
                })
                .collect();
            serde_json::json!({
                "name": w.name,
                "state": w.state.as_str(),
                "reason": w.reason,
                "span": span_json(w.span, source, lines),
                "spans": spots_json(&w.spans, source, lines),
                "jobs_evaluated": w.jobs_evaluated,
                "jobs": jobs,
            })
        })
        .collect();
    let s = plan.summary();
    serde_json::json!({
        "version": 1,
        "file": path,
        "input": {
            "branch": branch,
            "tag": tag,
            "trigger": plan.input.trigger.as_str(),
            "schedule_name": plan.input.schedule_name,
            "parameters": parameters,
        },
        "workflows": workflows,
        "summary": {
            "workflows": s.workflows,
            "workflows_run": s.workflows_run,
            "jobs": s.jobs,
            "runs": s.runs,
            "waits": s.waits,
            "skipped": s.skipped,
            "unknown": s.unknown,
        },
    })
}

/// Mark a workflow's diagram from its plan (for `cilint graph` with plan flags): jobs that do
/// not run (or may not) are faded with the reason as their tooltip, holds and the jobs after
/// them get their gate as a tooltip, and a workflow that does not run says so under its title.
/// Diagram nodes are matched to jobs by id, then by label.
pub fn mark_diagram(diagram: &mut Diagram, workflow: &WorkflowPlan) {
    if workflow.state != State::Runs {
        let word = if workflow.state == State::Skipped {
            "does not run"
        } else {
            "may not run"
        };
        let line = match &workflow.reason {
            Some(r) => format!("{word}: {r}"),
            None => word.to_string(),
        };
        diagram.trigger(line);
    }
    for j in &workflow.jobs {
        let idx = diagram
            .node_index(&j.name)
            .or_else(|| diagram.nodes.iter().position(|n| n.label == j.name));
        let Some(idx) = idx else { continue };
        let node = &mut diagram.nodes[idx];
        match j.state {
            State::Skipped | State::Unknown => {
                node.faded = true;
                node.tooltip = Some(j.describe());
            }
            State::Runs | State::Waits => {
                if j.state == State::Waits || !j.after_approval.is_empty() || j.reason.is_some() {
                    node.tooltip = Some(j.describe());
                }
            }
        }
    }
}
