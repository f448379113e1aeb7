//! The command line (clap derive).
//!
//! Each subcommand is a variant of [`Command`] with its own argument struct and a function that
//! returns an [`Exit`] or a [`Failure`]; [`main`] maps those to the process exit code (0: no
//! finding at `--fail-on`, 1: some finding at it, 2: a usage error or an unreadable file). To add
//! a subcommand: a variant, its args struct, its function, and its arm in [`run`]. Shared steps
//! (finding and reading config files, settings, colour) are functions here that every
//! subcommand can reuse.

use crate::base::diagnostic::Severity;
use crate::base::file_report::FileReport;
use crate::base::text::closest;
use crate::config::settings::Settings;
use crate::output::report::{self, Format};
use crate::pipeline::Input;
use crate::rules;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod baseline;
mod orbs;

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
    /// List every rule: id, default severity, summary.
    Rules,
    /// Print a rule's explanation (Markdown), with a bad and a good example.
    Explain {
        /// The rule id, as `cilint rules` lists it.
        id: String,
    },
    /// Draw the workflows as diagrams (SVG, Graphviz DOT or Mermaid), without Graphviz.
    Graph(GraphArgs),
    /// The orb cache: `fetch` downloads orb sources (the only command that uses the network),
    /// `list` shows what is cached.
    Orbs {
        #[command(subcommand)]
        command: orbs::OrbsCommand,
    },
    /// Which workflows and jobs would run for a branch or tag push, parameters and trigger, and
    /// why the others would not.
    Plan(PlanArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell or elvish) to stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print cilint's man page (roff) to stdout: `cilint man > cilint.1`.
    Man,
}

#[derive(Args, Debug)]
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
#[derive(Args, Debug, Default)]
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
    fn input(
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

#[derive(Args, Debug)]
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

#[derive(Args, Debug)]
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

    /// Only report these rules (comma-separated ids; repeatable).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub select: Vec<String>,

    /// Never report these rules (comma-separated ids; repeatable).
    #[arg(long, value_delimiter = ',', value_name = "ID,...")]
    pub ignore: Vec<String>,

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
    /// The orb cache folder (default: `orbs.cache` in `.cilint.toml`, else
    /// `$XDG_CACHE_HOME/cilint/orbs` or `~/.cache/cilint/orbs`).
    #[arg(long, value_name = "DIR")]
    pub orb_cache: Option<PathBuf>,

    /// Lint orb source folders instead of configs: each path is the `src/` folder that
    /// `circleci orb pack` packs (`@orb.yml`, `commands/`, `jobs/`, `executors/`, `examples/`,
    /// `scripts/`), or an orb project whose `src/` is one. Without a path: `src`.
    #[arg(long, conflicts_with_all = ["baseline", "stdin_filename"])]
    pub orb: bool,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Colour and verbosity, shared by subcommands that write reports.
#[derive(Args, Debug)]
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
#[derive(Args, Debug)]
pub struct ConfigArgs {
    /// Use this settings file instead of looking for `.cilint.toml`.
    #[arg(long, value_name = "PATH", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no settings file.
    #[arg(long)]
    pub no_config: bool,
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
        Command::Rules => list_rules(out),
        Command::Explain { id } => explain(&id, out),
        Command::Graph(args) => graph(&args, out),
        Command::Orbs { command } => orbs::run(&command, out),
        Command::Plan(args) => plan(&args, out),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "cilint", out);
            Ok(Exit::Clean)
        }
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

// ---------------------------------------------------------------------------------------------
// check

/// The format asked for; without `--format`, `github` inside GitHub Actions (`GITHUB_ACTIONS=true`,
/// as yamllint does) and `human` elsewhere.
fn output_format(asked: Option<Format>) -> Format {
    asked.unwrap_or_else(|| {
        if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        }
    })
}

fn check(args: &CheckArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    let format = output_format(args.format);
    validate_ids("--select", &args.select)?;
    validate_ids("--ignore", &args.ignore)?;
    if args.orb {
        return check_orbs(args, format, out);
    }
    let mut sources = collect_sources(&args.paths, args.stdin_filename.as_deref())?;
    let shellcheck = shellcheck_binary(args)?;
    let mut settings =
        SettingsCache::new(&args.config, &args.select, &args.ignore, shellcheck.clone())?
            .with_orb_cache(args.orb_cache.clone());

    // Read everything first; an unreadable file is reported (exit 2) after the others are linted.
    // A setup config's continuation configs are linted after the files named (each file is
    // parsed once: their paths come from the model built for linting).
    let mut unreadable = Vec::new();
    let mut loaded = Vec::new();
    let mut loaded_sources = Vec::new();
    let mut reports = Vec::new();
    let mut first = 0;
    for round in 0..2 {
        for source in &sources[first..] {
            match source.read() {
                Ok(bytes) => {
                    let key = settings.key_for(&source.settings_dir())?;
                    loaded.push((source.display.clone(), bytes, key));
                    loaded_sources.push(source.clone());
                }
                Err(failure) => unreadable.push(failure),
            }
        }
        let inputs: Vec<Input> = loaded[reports.len()..]
            .iter()
            .map(|(path, bytes, key)| Input {
                path,
                bytes,
                settings: settings.get(key),
            })
            .collect();
        let results = crate::analyze_many(&inputs, |cx, _| {
            crate::rules::continuation::configuration_paths_of(cx.config)
        });
        let start = reports.len();
        let mut continued = Vec::new();
        for (report, paths) in results {
            continued.push(paths);
            reports.push(report);
        }
        if round == 0 {
            first = sources.len();
            add_continued_configs(
                &mut sources,
                &loaded_sources[start..],
                &loaded[start..],
                &continued,
            );
        }
    }
    if args.baseline {
        let targets: Vec<PathBuf> = loaded
            .iter()
            .zip(&loaded_sources)
            .map(|((_, _, key), source)| match (&args.config.config, key) {
                (Some(path), _) => path.clone(),
                (None, Some(path)) => path.clone(),
                (None, None) => source
                    .settings_dir()
                    .join(crate::config::settings::FILE_NAME),
            })
            .collect();
        let inputs: Vec<(&str, &[u8])> = loaded
            .iter()
            .map(|(path, bytes, _)| (path.as_str(), bytes.as_slice()))
            .collect();
        return write_baseline(&inputs, &reports, &targets, &settings, out);
    }
    let options = report_options(args, shellcheck.as_deref(), format);
    // When nothing could be read there is nothing to report, only the errors.
    if !reports.is_empty() || unreadable.is_empty() {
        report::write(format, &reports, &options, out).map_err(write_failed)?;
    }

    if let Some(failure) = unreadable
        .into_iter()
        .reduce(|a, b| Failure(format!("{}\nerror: {}", a.0, b.0)))
    {
        return Err(failure);
    }
    Ok(exit_for(&reports, args.fail_on))
}

/// How `check` reports; says on stderr (in the human format) when `run` scripts go without
/// shellcheck because it is not installed.
fn report_options(args: &CheckArgs, shellcheck: Option<&Path>, format: Format) -> report::Options {
    if shellcheck.is_none() && !args.no_shellcheck && format == Format::Human {
        eprintln!(
            "note: shellcheck is not installed, so `run` scripts were not checked with it (install it, pass --shellcheck PATH, or --no-shellcheck to turn this off)"
        );
    }
    report::Options {
        color: use_color(args.output.color),
        quiet: args.output.quiet,
    }
}

/// `check --orb`: lint each orb source folder as one orb, one report per file of it.
fn check_orbs(args: &CheckArgs, format: Format, out: &mut dyn Write) -> Result<Exit, Failure> {
    use crate::config::orb_source;
    let shellcheck = shellcheck_binary(args)?;
    let mut settings =
        SettingsCache::new(&args.config, &args.select, &args.ignore, shellcheck.clone())?
            .with_orb_cache(args.orb_cache.clone());
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("src")]
    } else {
        args.paths.clone()
    };
    let mut reports = Vec::new();
    for path in &paths {
        let Some(dir) = orb_source::source_folder(path) else {
            return Err(Failure(format!(
                "{} is not an orb source folder: it has no `@orb.yml` and no `commands/`, `jobs/`, `executors/` or `examples/` folder (nor has `{}`)",
                path.display(),
                path.join("src").display()
            )));
        };
        let display = dir.to_string_lossy().trim_end_matches('/').to_string();
        let folder =
            orb_source::read_folder(&dir, &display).map_err(|e| Failure::unreadable(&dir, &e))?;
        let abs = std::fs::canonicalize(&dir).unwrap_or(dir.clone());
        let key = settings.key_for(&abs)?;
        reports.extend(crate::pipeline::orb::lint_orb(&folder, settings.get(&key)));
    }
    let options = report_options(args, shellcheck.as_deref(), format);
    report::write(format, &reports, &options, out).map_err(write_failed)?;
    Ok(exit_for(&reports, args.fail_on))
}

/// `check --baseline`: for each settings file, add what its configs' findings need, check that
/// the configs then lint clean (turning off what still reports), and write it.
fn write_baseline(
    inputs: &[(&str, &[u8])],
    reports: &[FileReport],
    targets: &[PathBuf],
    settings: &SettingsCache,
    out: &mut dyn Write,
) -> Result<Exit, Failure> {
    use crate::cli::baseline::{Plan, edit};
    let mut files: Vec<&PathBuf> = targets.iter().collect();
    files.sort();
    files.dedup();
    for file in files {
        let mine: Vec<usize> = (0..targets.len())
            .filter(|&i| &targets[i] == file)
            .collect();
        let original = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(Failure::unreadable(file, &e)),
        };
        let fail = |m: String| Failure(format!("{}: {m}", file.display()));
        let mut plan = Plan::default();
        plan.add(&mine.iter().map(|&i| &reports[i]).collect::<Vec<_>>(), true);
        // Re-lint with the edited settings: whatever still reports (a variable the rule does
        // not let the project settings cover) is turned off as well.
        let mut text = edit(&original, &plan).map_err(fail)?;
        for _ in 0..3 {
            let new = Settings::from_toml(&text, file).map_err(|e| Failure(e.to_string()))?;
            let new = settings.with_flags(new);
            let again: Vec<FileReport> = mine
                .iter()
                .map(|&i| crate::lint(inputs[i].1, inputs[i].0, &new))
                .collect();
            let before = plan.clone();
            plan.add(&again.iter().collect::<Vec<_>>(), false);
            if plan == before {
                break;
            }
            text = edit(&original, &plan).map_err(fail)?;
        }
        if text != original {
            std::fs::write(file, &text).map_err(|e| {
                Failure(format!(
                    "cannot write {}: {}",
                    file.display(),
                    os_reason(&e)
                ))
            })?;
        }
        let mut parts = vec![if plan.is_empty() {
            "nothing to accept".to_string()
        } else if text == original {
            "already accepts every finding".to_string()
        } else {
            "updated".to_string()
        }];
        if !plan.env.is_empty() {
            let names: Vec<&str> = plan.env.iter().map(String::as_str).collect();
            parts.push(format!("[env] project gets {}", names.join(", ")));
        }
        if !plan.rules_off.is_empty() {
            let ids: Vec<&str> = plan.rules_off.iter().map(String::as_str).collect();
            parts.push(format!("[rules] turns off {}", ids.join(", ")));
        }
        writeln!(out, "{}: {}", file.display(), parts.join("; ")).map_err(write_failed)?;
    }
    Ok(Exit::Clean)
}

/// A setup config's continuation config (`configuration_path`, relative to the repository root:
/// the folder above `.circleci/`, else the config's own folder), when that file exists and is
/// not linted already, is linted too, as one more file of the report.
fn add_continued_configs(
    sources: &mut Vec<Source>,
    linted: &[Source],
    loaded: &[(String, Vec<u8>, Option<PathBuf>)],
    paths: &[Vec<String>],
) {
    let mut extra = Vec::new();
    for ((source, (_, bytes, _)), paths) in linted.iter().zip(loaded).zip(paths) {
        let Some(file) = &source.file else { continue };
        if paths.is_empty() || std::str::from_utf8(bytes).is_err() {
            continue;
        }
        let dir = file.parent().unwrap_or(Path::new(""));
        let root = if dir.file_name().is_some_and(|n| n == ".circleci") {
            dir.parent().unwrap_or(Path::new(""))
        } else {
            dir
        };
        for path in paths {
            let candidate = root.join(path);
            let candidate = candidate
                .strip_prefix("./")
                .map(Path::to_path_buf)
                .unwrap_or(candidate);
            if candidate.is_file() {
                extra.push(Source::file(candidate));
            }
        }
    }
    for source in extra {
        let same = |s: &Source| {
            s.file.as_ref().is_some_and(|f| {
                f == source.file.as_ref().unwrap()
                    || std::fs::canonicalize(f).ok()
                        == std::fs::canonicalize(source.file.as_ref().unwrap()).ok()
            })
        };
        if !sources.iter().any(same) {
            sources.push(source);
        }
    }
}

/// The shellcheck program to use: `--shellcheck PATH` (which must exist), else `shellcheck` on
/// PATH; none with `--no-shellcheck`.
fn shellcheck_binary(args: &CheckArgs) -> Result<Option<PathBuf>, Failure> {
    if args.no_shellcheck {
        return Ok(None);
    }
    match &args.shellcheck {
        Some(path) if path.is_file() => Ok(Some(path.clone())),
        Some(path) => Err(Failure(format!(
            "--shellcheck {}: no such file",
            path.display()
        ))),
        None => Ok(crate::lang::shellcheck::find_on_path()),
    }
}

fn exit_for(reports: &[FileReport], fail_on: FailOn) -> Exit {
    let failing = fail_on.threshold().is_some_and(|threshold| {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .any(|d| d.severity >= threshold)
    });
    if failing { Exit::Findings } else { Exit::Clean }
}

/// Reject unknown rule ids in `--select`/`--ignore`, suggesting the closest ones.
fn validate_ids(flag: &str, ids: &[String]) -> Result<(), Failure> {
    for id in ids {
        if rules::find(id).is_none() {
            return Err(Failure(unknown_rule(id, &format!(" in {flag}"))));
        }
    }
    Ok(())
}

fn unknown_rule(id: &str, place: &str) -> String {
    let ids = || rules::registry().iter().map(|r| r.id);
    let mut near = closest(id, ids());
    // A fragment of an id (`explain dupl`) suggests the ids that contain it.
    if near.is_empty() && id.len() >= 3 {
        near = ids().filter(|r| r.contains(id)).take(3).collect();
    }
    let hint = match near.as_slice() {
        [] => "`cilint rules` lists the rule ids".to_string(),
        ids => format!(
            "did you mean {}?",
            ids.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    format!("unknown rule `{id}`{place}; {hint}")
}

/// Colour decision for `--color`.
pub fn use_color(choice: ColorChoice) -> bool {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if let Some(force) = env("FORCE_COLOR") {
                return force != "0" && force != "false";
            }
            if env("NO_COLOR").is_some() {
                return false;
            }
            io::stdout().is_terminal()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Finding and reading config files (shared by every subcommand that reads configs).

/// A config to read: a file or stdin, and the name reports show.
#[derive(Clone, Debug)]
pub struct Source {
    /// `None` for stdin.
    pub file: Option<PathBuf>,
    /// The name reports show.
    pub display: String,
}

impl Source {
    fn file(path: PathBuf) -> Source {
        Source {
            display: path.display().to_string(),
            file: Some(path),
        }
    }

    pub fn read(&self) -> Result<Vec<u8>, Failure> {
        match &self.file {
            Some(path) => std::fs::read(path).map_err(|e| Failure::unreadable(path, &e)),
            None => {
                let mut bytes = Vec::new();
                io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| Failure(format!("cannot read stdin: {}", os_reason(&e))))?;
                Ok(bytes)
            }
        }
    }

    /// The folder where this file's `.cilint.toml` search starts (absolute).
    pub fn settings_dir(&self) -> PathBuf {
        let cwd = std::env::current_dir().unwrap_or_default();
        let path = match &self.file {
            Some(path) => cwd.join(path),
            None => cwd.join(&self.display),
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or(cwd);
        std::fs::canonicalize(&dir).unwrap_or(dir)
    }
}

/// The configs named on the command line, in order, each once.
pub fn collect_sources(
    paths: &[PathBuf],
    stdin_name: Option<&str>,
) -> Result<Vec<Source>, Failure> {
    let mut sources = Vec::new();
    if paths.is_empty() {
        sources.push(discover_config()?);
    }
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(Source {
                file: None,
                display: stdin_name.unwrap_or("<stdin>").to_string(),
            });
        } else if path.is_dir() {
            sources.extend(configs_in_folder(path)?);
        } else {
            // A missing or unreadable file is reported when it is read.
            sources.push(Source::file(path.clone()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    sources.retain(|s| s.file.is_none() || seen.insert(s.file.clone()));
    Ok(sources)
}

/// `.circleci/config.yml` (or `.yaml`) in `dir`, if there is one.
fn circleci_config(dir: &Path) -> Option<PathBuf> {
    ["config.yml", "config.yaml"]
        .iter()
        .map(|name| dir.join(".circleci").join(name))
        .find(|p| p.is_file())
}

/// A folder on the command line: its `.circleci/config.yml`, else its YAML files.
fn configs_in_folder(dir: &Path) -> Result<Vec<Source>, Failure> {
    if let Some(config) = circleci_config(dir) {
        return Ok(vec![Source::file(config)]);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Failure::unreadable(dir, &e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .is_some_and(|ext| ext == "yml" || ext == "yaml")
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Failure(format!(
            "no .circleci/config.yml and no *.yml or *.yaml files in {}",
            dir.display()
        )));
    }
    Ok(files.into_iter().map(Source::file).collect())
}

/// No path given: `.circleci/config.yml` from the current folder upwards to the repository root.
fn discover_config() -> Result<Source, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot read the current folder: {}", os_reason(&e))))?;
    for (depth, dir) in cwd.ancestors().enumerate() {
        if let Some(config) = circleci_config(dir) {
            let mut relative = PathBuf::new();
            for _ in 0..depth {
                relative.push("..");
            }
            relative.push(config.strip_prefix(dir).unwrap_or(&config));
            return Ok(Source::file(relative));
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    Err(Failure(format!(
        "no .circleci/config.yml found in {} or its parent folders up to the repository root; name a file or folder",
        cwd.display()
    )))
}

/// The settings for each config, read once per `.cilint.toml`.
struct SettingsCache {
    /// `--config`/`--no-config`: one fixed settings for every file.
    fixed: Option<Settings>,
    by_file: BTreeMap<Option<PathBuf>, Settings>,
    select: Vec<String>,
    ignore: Vec<String>,
    shellcheck: Option<PathBuf>,
    /// `--orb-cache`: overrides `orbs.cache` of every settings file.
    orb_cache: Option<PathBuf>,
}

impl SettingsCache {
    fn new(
        args: &ConfigArgs,
        select: &[String],
        ignore: &[String],
        shellcheck: Option<PathBuf>,
    ) -> Result<SettingsCache, Failure> {
        let fixed = if args.no_config {
            Some(Settings::default())
        } else if let Some(path) = &args.config {
            Some(Settings::load(path).map_err(|e| Failure(e.to_string()))?)
        } else {
            None
        };
        let mut cache = SettingsCache {
            fixed,
            by_file: BTreeMap::new(),
            select: select.to_vec(),
            ignore: ignore.to_vec(),
            shellcheck,
            orb_cache: None,
        };
        if let Some(s) = cache.fixed.take() {
            cache.fixed = Some(cache.with_flags(s));
        }
        Ok(cache)
    }

    /// `--orb-cache` for every file.
    fn with_orb_cache(mut self, dir: Option<PathBuf>) -> SettingsCache {
        if let (Some(fixed), Some(d)) = (self.fixed.as_mut(), &dir) {
            fixed.orb_cache = Some(d.clone());
        }
        self.orb_cache = dir;
        self
    }

    fn with_flags(&self, mut s: Settings) -> Settings {
        s.select = self.select.clone();
        s.ignore = self.ignore.clone();
        s.shellcheck = self.shellcheck.clone();
        if self.orb_cache.is_some() {
            s.orb_cache = self.orb_cache.clone();
        }
        s
    }

    /// Load (once) the settings for configs in `dir`; returns the key for [`Self::get`].
    fn key_for(&mut self, dir: &Path) -> Result<Option<PathBuf>, Failure> {
        if self.fixed.is_some() {
            return Ok(None);
        }
        let file = Settings::discover(dir);
        if !self.by_file.contains_key(&file) {
            let settings = match &file {
                Some(path) => Settings::load(path).map_err(|e| Failure(e.to_string()))?,
                None => Settings::default(),
            };
            let settings = self.with_flags(settings);
            self.by_file.insert(file.clone(), settings);
        }
        Ok(file)
    }

    fn get(&self, key: &Option<PathBuf>) -> &Settings {
        match &self.fixed {
            Some(s) => s,
            None => &self.by_file[key],
        }
    }
}

// ---------------------------------------------------------------------------------------------
// graph

/// One config for a command that reads a single file (`graph`, `plan`): the path given or the
/// discovered one, its bytes and its settings.
pub fn read_one_config(
    path: Option<&PathBuf>,
    stdin_name: Option<&str>,
    config: &ConfigArgs,
) -> Result<(Source, Vec<u8>, Settings), Failure> {
    let paths: Vec<PathBuf> = path.into_iter().cloned().collect();
    let mut sources = collect_sources(&paths, stdin_name)?;
    if sources.len() != 1 {
        return Err(Failure(format!(
            "{} holds {} config files; name one of them",
            paths
                .first()
                .map_or(String::new(), |p| p.display().to_string()),
            sources.len()
        )));
    }
    let source = sources.remove(0);
    let bytes = source.read()?;
    let mut cache = SettingsCache::new(config, &[], &[], None)?;
    let key = cache.key_for(&source.settings_dir())?;
    let settings = cache.get(&key).clone();
    Ok((source, bytes, settings))
}

fn graph(args: &GraphArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    use crate::output::render::{self, from_graph};
    let (source, bytes, settings) = read_one_config(
        args.path.as_ref(),
        args.stdin_filename.as_deref(),
        &args.config,
    )?;
    let (report, diagrams) = crate::analyze(&bytes, &source.display, &settings, |cx, findings| {
        let mut diagrams = from_graph::diagrams(cx.graphs, findings);
        if args.plan.any() {
            let input = args.plan.input(cx.config, &source)?;
            let plan = crate::analysis::plan::plan(cx.config, cx.graphs, &input);
            for (d, w) in diagrams.iter_mut().zip(&plan.workflows) {
                crate::output::plan::mark_diagram(d, w);
            }
        }
        Ok(diagrams)
    });
    let mut diagrams = diagrams?;
    if let Some(name) = &args.workflow {
        let names: Vec<String> = diagrams.iter().map(|d| format!("`{}`", d.title)).collect();
        diagrams.retain(|d| &d.title == name);
        if diagrams.is_empty() {
            return Err(Failure(if names.is_empty() {
                format!("{} has no workflows", source.display)
            } else {
                format!(
                    "no workflow `{name}` in {}; its workflows are {}",
                    source.display,
                    names.join(", ")
                )
            }));
        }
    }
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if diagrams.is_empty() {
        return Err(Failure(if errors > 0 {
            format!(
                "nothing to draw: {} has {errors} error{} and no readable workflow; run `cilint check {}`",
                source.display,
                if errors == 1 { "" } else { "s" },
                source.display
            )
        } else {
            format!("{} has no workflows to draw", source.display)
        }));
    }
    if errors > 0 {
        eprintln!(
            "note: {} has {errors} error{}; the diagram outlines the jobs they point at in red (`cilint check` lists them)",
            source.display,
            if errors == 1 { "" } else { "s" }
        );
    }
    let opts = render::Options {
        direction: args.direction,
        ..render::Options::default()
    };
    let draw_one = |d: &render::Diagram| match args.format {
        GraphFormat::Svg => render::svg::render(d, &opts),
        GraphFormat::Dot => render::dot::render(d, &opts),
        GraphFormat::Mermaid => render::mermaid::render(d, &opts),
    };
    let draw_all = |ds: &[render::Diagram]| match args.format {
        GraphFormat::Svg => render::svg::render_all(ds, &opts),
        GraphFormat::Dot => render::dot::render_all(ds, &opts),
        GraphFormat::Mermaid => render::mermaid::render_all(ds, &opts),
    };
    match &args.output {
        Some(dir) if args.all => {
            std::fs::create_dir_all(dir).map_err(|e| {
                Failure(format!(
                    "cannot create {}: {}",
                    dir.display(),
                    os_reason(&e)
                ))
            })?;
            for d in &diagrams {
                let file = dir.join(format!(
                    "{}.{}",
                    file_stem(&d.title),
                    args.format.extension()
                ));
                std::fs::write(&file, draw_one(d)).map_err(|e| {
                    Failure(format!(
                        "cannot write {}: {}",
                        file.display(),
                        os_reason(&e)
                    ))
                })?;
            }
        }
        Some(file) => {
            let text = if diagrams.len() == 1 {
                draw_one(&diagrams[0])
            } else {
                draw_all(&diagrams)
            };
            std::fs::write(file, text).map_err(|e| {
                Failure(format!(
                    "cannot write {}: {}",
                    file.display(),
                    os_reason(&e)
                ))
            })?;
        }
        None => {
            let text = if diagrams.len() == 1 {
                draw_one(&diagrams[0])
            } else {
                draw_all(&diagrams)
            };
            out.write_all(text.as_bytes()).map_err(write_failed)?;
        }
    }
    Ok(Exit::Clean)
}

/// A workflow name as a file name: path separators and other awkward characters become `_`.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        format!("workflow{stem}")
    } else {
        stem
    }
}

// ---------------------------------------------------------------------------------------------
// rules, explain

fn list_rules(out: &mut dyn Write) -> Result<Exit, Failure> {
    let registry = rules::registry();
    let width = registry.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    text.push_str(&format!("{:width$}  {:8}  SUMMARY\n", "ID", "SEVERITY"));
    for r in registry {
        text.push_str(&format!(
            "{:width$}  {:8}  {}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    out.write_all(text.as_bytes()).map_err(write_failed)?;
    Ok(Exit::Clean)
}

fn explain(id: &str, out: &mut dyn Write) -> Result<Exit, Failure> {
    let rule = rules::find(id).ok_or_else(|| Failure(unknown_rule(id, "")))?;
    let text = rule.explanation;
    out.write_all(text.as_bytes()).map_err(write_failed)?;
    if !text.ends_with('\n') {
        writeln!(out).map_err(write_failed)?;
    }
    Ok(Exit::Clean)
}

// ---------------------------------------------------------------------------------------------
// plan

fn plan(args: &PlanArgs, out: &mut dyn Write) -> Result<Exit, Failure> {
    use crate::analysis::plan as p;
    let paths: Vec<PathBuf> = args.config_file.iter().cloned().collect();
    let sources = collect_sources(&paths, None)?;
    let [source] = sources.as_slice() else {
        return Err(Failure(format!(
            "`cilint plan` takes one config file; {} were found",
            sources.len()
        )));
    };
    let bytes = source.read()?;
    let text = crate::yaml::decode(&bytes)
        .map_err(|d| Failure(format!("cannot plan {}: {}", source.display, d.message)))?;
    let doc = crate::yaml::parse(&text);
    let lines = crate::LineIndex::new(&text);
    if let Some(d) = doc.findings.iter().find(|d| {
        matches!(
            d.kind,
            crate::yaml::Problem::Syntax | crate::yaml::Problem::Limit
        )
    }) {
        let at = lines.line_col(&text, d.primary.span.start as usize);
        return Err(Failure(format!(
            "cannot plan {}:{}:{}: {}",
            source.display, at.line, at.column, d.message
        )));
    }
    let config = crate::analysis::context::model(&doc);
    let graphs = crate::analysis::graph::Graphs::build(&config);

    let input = args.plan.input(&config, source)?;
    let result = p::plan(&config, &graphs, &input);
    let rendered = match args.format {
        PlanFormat::Human => {
            crate::output::plan::render_human(&result, &source.display, use_color(args.color))
        }
        PlanFormat::Json => {
            let v = crate::output::plan::to_json(&result, &source.display, &text, &lines);
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            s
        }
    };
    out.write_all(rendered.as_bytes()).map_err(write_failed)?;
    Ok(Exit::Clean)
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
