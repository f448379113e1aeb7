//! The command line (clap derive).
//!
//! Each subcommand is a variant of [`Command`] with its own argument struct and a function that
//! returns an [`Exit`] or a [`Failure`]; [`main`] maps those to the process exit code (0: no
//! finding at `--fail-on`, 1: some finding at it, 2: a usage error or an unreadable file). To add
//! a subcommand: a variant, its args struct, its function, and its arm in [`run`]. Shared steps
//! (finding and reading config files, settings, colour) are functions here that every
//! subcommand can reuse.

use crate::base::diagnostic::Severity;
use crate::output::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod baseline;
mod check;
mod expand;
mod files;
mod graph;
mod lsp;
mod orbs;
mod pack;
mod plan;
mod rules_cmd;

use check::*;
use files::*;
use graph::*;
use plan::*;
use rules_cmd::*;

#[derive(Parser, Debug)]
#[command(
    name = "cilint",
    version = version_text(),
    about = "An offline linter and workflow visualizer for CircleCI configuration"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint CircleCI config files.
    Check(CheckArgs),
    /// List the rules: id, default severity, category (with its CWE for a security audit),
    /// summary.
    Rules {
        /// Only the rules of this category (`correctness`, `security`, `style`).
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
    },
    /// Print a rule's explanation (Markdown), with a bad and a good example.
    Explain {
        /// The rule id, as `cilint rules` lists it.
        id: String,
    },
    /// Draw the workflows as diagrams (SVG, Graphviz DOT or Mermaid), without Graphviz.
    Graph(GraphArgs),
    /// The orbs cilint knows: `list` and `show` the built-in catalog and the orb cache,
    /// `status` of a config's orbs, `fetch` orb sources into the cache (the only command that
    /// uses the network).
    Orbs {
        #[command(subcommand)]
        command: orbs::OrbsCommand,
    },
    /// Which workflows and jobs would run for a branch or tag push, parameters and trigger, and
    /// why the others would not.
    Plan(PlanArgs),
    /// Pack a folder of YAML files into one config, as `circleci config pack` does.
    Pack(PackArgs),
    /// The processed config, as `circleci config process` prints it: orbs, commands,
    /// executors, parameters and matrices expanded (offline; registry orbs from the orb cache).
    Expand(ExpandArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish) to stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print cilint's man page (roff) to stdout: `cilint man > cilint.1`.
    Man,
    /// Run the language server on stdin and stdout (for editors): findings as you type, fixes
    /// and suppressions as code actions, hover, definitions, references, rename, completion.
    Lsp,
}

#[derive(Args, Debug)]
pub struct ExpandArgs {
    /// The config file, or a folder to pack first (default: `.circleci/config/` when the
    /// repository packs its config, else `.circleci/config.yml`, found from the current folder
    /// up to the repository root).
    pub path: Option<PathBuf>,

    /// Instead of printing the processed config, show what changes in it from OLD to NEW (each
    /// a config file or a folder): jobs added or removed, steps changed, values resolved
    /// differently.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"], conflicts_with = "path")]
    pub diff: Option<Vec<PathBuf>>,

    /// Write to this file instead of stdout (nothing is written when the expansion fails).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The pipeline: branch or tag, `--param KEY=VALUE` (typed against the declared pipeline
    /// parameters; the defaults apply otherwise), trigger, as for `cilint plan`.
    #[command(flatten)]
    pub plan: PlanFlags,

    /// The format of the findings that stop the expansion (default: `human`, or `github` when
    /// `GITHUB_ACTIONS=true`).
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// The orb cache folder (default: `orbs.cache` in `.cilint.toml`, else
    /// `$XDG_CACHE_HOME/cilint/orbs` or `~/.cache/cilint/orbs`).
    #[arg(long, value_name = "DIR")]
    pub orb_cache: Option<PathBuf>,

    #[command(flatten)]
    pub report: OutputArgs,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Args, Debug)]
pub struct PackArgs {
    /// The folder to pack (default: `.circleci/config/`, found from the current folder up to
    /// the repository root).
    pub folder: Option<PathBuf>,

    /// Write the packed config to this file instead of stdout (nothing is written when packing
    /// fails).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The format of the findings that stop packing (default: `human`, or `github` when
    /// `GITHUB_ACTIONS=true`).
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    #[command(flatten)]
    pub report: OutputArgs,
}

#[derive(Args, Clone, Debug)]
pub struct PlanArgs {
    /// The config file (`-` reads stdin). Without it: `.circleci/config.yml` found as `check`
    /// finds it.
    pub config_file: Option<PathBuf>,

    #[command(flatten)]
    pub plan: PlanFlags,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,

    /// Colour: `auto` uses colour when stdout is a terminal, unless `NO_COLOR` is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// What a pipeline is planned for (`cilint plan`, and `cilint graph` to fade what does not run).
#[derive(Args, Clone, Debug, Default)]
pub struct PlanFlags {
    /// Plan for a push to this branch (default: the current git branch of the config's
    /// repository, or `main` outside a repository).
    #[arg(long, value_name = "NAME", conflicts_with = "tag")]
    pub branch: Option<String>,

    /// Plan for a push of this tag.
    #[arg(long, value_name = "NAME")]
    pub tag: Option<String>,

    /// A pipeline parameter, typed against its declaration (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,

    /// What triggers the pipeline (`pipeline.trigger_source`; default `webhook`).
    #[arg(long, value_enum)]
    pub trigger: Option<TriggerArg>,

    /// `pipeline.schedule.name` (for `--trigger scheduled_pipeline`).
    #[arg(long, value_name = "NAME")]
    pub schedule_name: Option<String>,
}

impl PlanFlags {
    /// Whether any plan flag was given.
    fn any(&self) -> bool {
        self.branch.is_some()
            || self.tag.is_some()
            || !self.params.is_empty()
            || self.trigger.is_some()
            || self.schedule_name.is_some()
    }

    /// The plan input for `config` (read from `source`): parameters typed against its
    /// declarations, the branch defaulting to the repository's current one.
    pub(super) fn input(
        &self,
        config: &crate::config::model::Config<'_>,
        source: &Source,
    ) -> Result<crate::analysis::plan::PlanInput, Failure> {
        use crate::analysis::plan::{self as p, Trigger};
        use crate::lang::filters::GitRef;
        let git_ref = match (&self.tag, &self.branch) {
            (Some(t), _) => GitRef::Tag(t.clone()),
            (None, Some(b)) => GitRef::Branch(b.clone()),
            (None, None) => GitRef::Branch(
                p::current_branch(&source.settings_dir()).unwrap_or_else(|| "main".to_string()),
            ),
        };
        let params = self
            .params
            .iter()
            .map(|a| p::parse_param(config, a))
            .collect::<Result<Vec<_>, String>>()
            .map_err(Failure)?;
        Ok(p::PlanInput {
            git_ref,
            trigger: match self.trigger.unwrap_or(TriggerArg::Webhook) {
                TriggerArg::Webhook => Trigger::Webhook,
                TriggerArg::Api => Trigger::Api,
                TriggerArg::ScheduledPipeline => Trigger::ScheduledPipeline,
            },
            schedule_name: self.schedule_name.clone(),
            params,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TriggerArg {
    Webhook,
    Api,
    #[value(name = "scheduled_pipeline", alias = "scheduled-pipeline")]
    ScheduledPipeline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
}

/// `cilint --version`: the version and the date of the embedded CircleCI schema.
fn version_text() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        format!(
            "{} (CircleCI config schema of {})",
            env!("CARGO_PKG_VERSION"),
            crate::config::schema::SCHEMA_DATE
        )
    })
}

#[derive(Args, Clone, Debug)]
pub struct GraphArgs {
    /// The config file (`-` for stdin). Without it: `.circleci/config.yml` found as `check`
    /// finds it.
    pub path: Option<PathBuf>,

    /// Draw only this workflow.
    #[arg(long, value_name = "NAME", conflicts_with = "all")]
    pub workflow: Option<String>,

    /// Draw every workflow (the default); with `-o DIR`, one file per workflow (`NAME.svg`).
    #[arg(long)]
    pub all: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Svg)]
    pub format: GraphFormat,

    /// Write to this file (or, with `--all`, into this folder) instead of stdout.
    #[arg(short, long, value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,

    /// Which way the edges run: `lr` (left to right) or `tb` (top to bottom).
    #[arg(long, default_value = "lr", value_parser = parse_direction)]
    pub direction: crate::output::render::Direction,

    /// The name to show for stdin (`-`).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// With any of these flags, jobs that would not run for that branch, tag, parameters or
    /// trigger (as `cilint plan` says) are drawn faded, the reason as their tooltip.
    #[command(flatten)]
    pub plan: PlanFlags,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Svg,
    Dot,
    Mermaid,
}

impl GraphFormat {
    fn extension(self) -> &'static str {
        match self {
            GraphFormat::Svg => "svg",
            GraphFormat::Dot => "dot",
            GraphFormat::Mermaid => "mmd",
        }
    }
}

fn parse_direction(s: &str) -> Result<crate::output::render::Direction, String> {
    s.parse()
}

#[derive(Args, Clone, Debug)]
pub struct CheckArgs {
    /// Config files or folders; `-` reads stdin. Without a path: `.circleci/config.yml` (or
    /// `.yaml`) in the current folder or a parent, up to the repository root. A folder means its
    /// `.circleci/config.yml` if it has one, else every `*.yml`/`*.yaml` directly inside it.
    pub paths: Vec<PathBuf>,

    /// The name to show for stdin (`-`) in reports; also where `.cilint.toml` is looked for.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Output format (default: `human`, or `github` when `GITHUB_ACTIONS=true`).
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Only report these rules: rule ids or categories (`correctness`, `security`, `style`),
    /// comma-separated; repeatable.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,

    /// Never report these rules: rule ids or categories, comma-separated; repeatable.
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ignore: Vec<String>,

    /// Drop findings cilint is less sure of than this (security audits rate each finding
    /// `high`, `medium` or `low`; other rules' findings are `high`).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_confidence: Option<ConfidenceArg>,

    /// The `shellcheck` program that checks `run` scripts (default: `shellcheck` on PATH).
    #[arg(long, value_name = "PATH", conflicts_with = "no_shellcheck")]
    pub shellcheck: Option<PathBuf>,

    /// Accept today's findings: write (or update) `.cilint.toml` so that they are no longer
    /// reported (variables into `[env] project`, other rules with findings `"off"`), then exit 0.
    /// The file is the one that applies to the config (`--config`, or the discovered one), else a
    /// new one next to the config.
    #[arg(long, conflicts_with = "no_config")]
    pub baseline: bool,

    /// Do not check `run` scripts with shellcheck.
    #[arg(long, env = "CILINT_NO_SHELLCHECK", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_shellcheck: bool,

    /// Neither read nor write the cache of shellcheck's answers (`shellcheck/` in cilint's
    /// cache folder: `$XDG_CACHE_HOME/cilint` or `~/.cache/cilint`); check every script afresh.
    #[arg(long, env = "CILINT_NO_CACHE", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_cache: bool,
    /// The orb cache folder (default: `orbs.cache` in `.cilint.toml`, else
    /// `$XDG_CACHE_HOME/cilint/orbs` or `~/.cache/cilint/orbs`).
    #[arg(long, value_name = "DIR")]
    pub orb_cache: Option<PathBuf>,

    /// Lint orb source folders instead of configs: each path is the `src/` folder that
    /// `circleci orb pack` packs (`@orb.yml`, `commands/`, `jobs/`, `executors/`, `examples/`,
    /// `scripts/`), or an orb project whose `src/` is one. Without a path: `src`.
    #[arg(long, conflicts_with_all = ["baseline", "stdin_filename"])]
    pub orb: bool,

    /// Lint packed config folders: each path is a folder that `circleci config pack` packs into
    /// one config (`config.yml`, `jobs/build.yml`, `workflows/main.yml`...); findings point into
    /// its files. Without a path: `.circleci/config/`. (Without `--pack`, a repository whose
    /// `.circleci/config/` holds YAML files is linted this way too.)
    #[arg(long, conflicts_with_all = ["baseline", "stdin_filename", "orb"])]
    pub pack: bool,

    /// Apply the safe fixes (the config means the same, plus the fix) to the files in place,
    /// then report what is left. With `-`, write the fixed config to stdout instead.
    #[arg(long, conflicts_with_all = ["baseline", "orb", "pack"])]
    pub fix: bool,

    /// Apply the unsafe fixes as well (likely what was meant, but they may change what the
    /// config does); implies `--fix`.
    #[arg(long, conflicts_with_all = ["baseline", "orb", "pack"])]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them (with `--unsafe-fixes`, those
    /// too); the exit code is 1 when there is something to fix.
    #[arg(long, conflicts_with_all = ["baseline", "orb", "pack"])]
    pub diff: bool,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Colour and verbosity, shared by subcommands that write reports.
#[derive(Args, Clone, Debug)]
pub struct OutputArgs {
    /// Colour: `auto` uses colour when stdout is a terminal, unless `NO_COLOR` is set;
    /// `FORCE_COLOR` turns it on (`FORCE_COLOR=0` off).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// No summary line.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Which `.cilint.toml` applies, shared by subcommands that lint.
#[derive(Args, Clone, Debug)]
pub struct ConfigArgs {
    /// Use this settings file instead of looking for `.cilint.toml`.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no settings file.
    #[arg(long)]
    pub no_config: bool,
}

/// `--min-confidence`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ConfidenceArg {
    Low,
    Medium,
    High,
}

impl ConfidenceArg {
    pub(crate) fn level(self) -> crate::base::diagnostic::Confidence {
        use crate::base::diagnostic::Confidence;
        match self {
            ConfidenceArg::Low => Confidence::Low,
            ConfidenceArg::Medium => Confidence::Medium,
            ConfidenceArg::High => Confidence::High,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How a command ended, when it could do its work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Nothing reached the failure threshold.
    Clean,
    /// Some finding reached it.
    Findings,
}

/// Why a command could not do (all of) its work: exit code 2.
#[derive(Debug)]
pub struct Failure(pub String);

impl Failure {
    fn unreadable(path: &Path, err: &io::Error) -> Failure {
        Failure(format!(
            "cannot read {}: {}",
            path.display(),
            os_reason(err)
        ))
    }
}

/// The operating system's reason, without Rust's `(os error N)` suffix.
fn os_reason(err: &io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The language server writes stdout from a thread of its own: stdout must not be locked.
    if matches!(cli.command, Command::Lsp) {
        return match lsp::serve() {
            Ok(Exit::Clean) => ExitCode::SUCCESS,
            Ok(Exit::Findings) => ExitCode::from(1),
            Err(Failure(message)) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        };
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(cli, &mut out);
    let flushed = out.flush();
    match (result, flushed) {
        (Ok(_), Err(e)) if e.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the report: {e}");
            ExitCode::from(2)
        }
        (Ok(Exit::Clean), _) => ExitCode::SUCCESS,
        (Ok(Exit::Findings), _) => ExitCode::from(1),
        (Err(Failure(message)), _) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// Run a parsed command line, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<Exit, Failure> {
    match cli.command {
        Command::Check(args) => check(&args, out),
        Command::Rules { category } => list_rules(category.as_deref(), out),
        Command::Explain { id } => explain(&id, out),
        Command::Graph(args) => graph(&args, out),
        Command::Orbs { command } => orbs::run(&command, out),
        Command::Plan(args) => plan(&args, out),
        Command::Pack(args) => pack::pack(&args, out),
        Command::Expand(args) => expand::expand(&args, out),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "cilint", out);
            Ok(Exit::Clean)
        }
        // `main` runs it before locking stdout; a caller of `run` gets the same server.
        Command::Lsp => lsp::serve(),
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(cmd)
                .render(out)
                .map_err(write_failed)?;
            Ok(Exit::Clean)
        }
    }
}

fn write_failed(e: io::Error) -> Failure {
    Failure(format!("cannot write the report: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn unknown_ids_get_suggestions() {
        let msg = unknown_rule("duplicate-keys", " in --select");
        assert_eq!(
            msg,
            "unknown rule `duplicate-keys` in --select; did you mean `duplicate-key`?"
        );
        assert!(unknown_rule("zzzzzzzzzz", "").contains("cilint rules"));
    }
}
