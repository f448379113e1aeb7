//! Environment variables that are set in every CircleCI job without the config setting them:
//! CircleCI's built-in variables, and the standard variables of the shell and the system
//! (the images CircleCI runs are Linux, macOS or Windows machines running bash or sh).

/// Variables CircleCI sets in every job (some only in some jobs: `CIRCLE_PR_*` on forked pull
/// requests, `CIRCLE_TAG` on tag builds, `CIRCLE_OIDC_TOKEN*` in jobs with a context; those are
/// still CircleCI's to set, not the project's). Includes the deprecated names that older images
/// and CircleCI 1.0-era configs still read.
pub const CIRCLECI: &[&str] = &[
    "BASH_ENV",
    "CI",
    "CIRCLECI",
    "CIRCLE_ARTIFACTS",
    "CIRCLE_BRANCH",
    "CIRCLE_BUILD_NUM",
    "CIRCLE_BUILD_URL",
    "CIRCLE_COMPARE_URL",
    "CIRCLE_INTERNAL_TASK_DATA",
    "CIRCLE_JOB",
    "CIRCLE_NODE_INDEX",
    "CIRCLE_NODE_TOTAL",
    "CIRCLE_OIDC_TOKEN",
    "CIRCLE_OIDC_TOKEN_V2",
    "CIRCLE_ORGANIZATION_ID",
    "CIRCLE_PIPELINE_ID",
    "CIRCLE_PIPELINE_NUMBER",
    "CIRCLE_PREVIOUS_BUILD_NUM",
    "CIRCLE_PROJECT_ID",
    "CIRCLE_PROJECT_REPONAME",
    "CIRCLE_PROJECT_USERNAME",
    "CIRCLE_PR_NUMBER",
    "CIRCLE_PR_REPONAME",
    "CIRCLE_PR_USERNAME",
    "CIRCLE_PULL_REQUEST",
    "CIRCLE_PULL_REQUESTS",
    "CIRCLE_REPOSITORY_URL",
    "CIRCLE_SHA1",
    "CIRCLE_SHELL_ENV",
    "CIRCLE_STAGE",
    "CIRCLE_TAG",
    "CIRCLE_TEST_REPORTS",
    "CIRCLE_USERNAME",
    "CIRCLE_WORKFLOW_ID",
    "CIRCLE_WORKFLOW_JOB_ID",
    "CIRCLE_WORKFLOW_WORKSPACE_ID",
    "CIRCLE_WORKING_DIRECTORY",
    "CI_PULL_REQUEST",
    "CI_PULL_REQUESTS",
];

/// Variables the shell itself sets (bash and POSIX sh).
pub const SHELL: &[&str] = &[
    "BASH",
    "BASHOPTS",
    "BASHPID",
    "BASH_ALIASES",
    "BASH_ARGC",
    "BASH_ARGV",
    "BASH_ARGV0",
    "BASH_CMDS",
    "BASH_COMMAND",
    "BASH_EXECUTION_STRING",
    "BASH_LINENO",
    "BASH_LOADABLES_PATH",
    "BASH_REMATCH",
    "BASH_SOURCE",
    "BASH_SUBSHELL",
    "BASH_VERSINFO",
    "BASH_VERSION",
    "COLUMNS",
    "COMP_CWORD",
    "COMP_LINE",
    "COMP_POINT",
    "COMP_WORDS",
    "COPROC",
    "DIRSTACK",
    "EPOCHREALTIME",
    "EPOCHSECONDS",
    "EUID",
    "FUNCNAME",
    "GROUPS",
    "HISTCMD",
    "HISTFILE",
    "HISTSIZE",
    "HOSTNAME",
    "HOSTTYPE",
    "IFS",
    "LINENO",
    "LINES",
    "MACHTYPE",
    "MAPFILE",
    "OLDPWD",
    "OPTARG",
    "OPTERR",
    "OPTIND",
    "OSTYPE",
    "PIPESTATUS",
    "PPID",
    "PS1",
    "PS2",
    "PS3",
    "PS4",
    "PWD",
    "RANDOM",
    "READLINE_LINE",
    "READLINE_POINT",
    "REPLY",
    "SECONDS",
    "SHELLOPTS",
    "SHLVL",
    "SRANDOM",
    "UID",
];

/// Variables the system, the login or the usual CI images set.
pub const SYSTEM: &[&str] = &[
    "HOME",
    "PATH",
    "USER",
    "LOGNAME",
    "SHELL",
    "TERM",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_COLLATE",
    "LC_MESSAGES",
    "LC_MONETARY",
    "LC_NUMERIC",
    "LC_TIME",
    "TMPDIR",
    "TMP",
    "TEMP",
    "TZ",
    "MAIL",
    "HOSTTYPE",
    "DISPLAY",
    "EDITOR",
    "PAGER",
    "XDG_RUNTIME_DIR",
    "XDG_CONFIG_HOME",
    "XDG_CACHE_HOME",
    "XDG_DATA_HOME",
    "SSH_AUTH_SOCK",
    "SSH_AGENT_PID",
    // Docker executors with `setup_remote_docker`.
    "DOCKER_HOST",
    "DOCKER_CERT_PATH",
    "DOCKER_TLS_VERIFY",
    "DOCKER_MACHINE_NAME",
    // Windows executors.
    "APPDATA",
    "LOCALAPPDATA",
    "USERPROFILE",
    "USERNAME",
    "PROGRAMFILES",
    "ProgramFiles",
    "SystemRoot",
    "SYSTEMROOT",
    "COMPUTERNAME",
    "TEMP",
    "windir",
    // macOS executors.
    "__CF_USER_TEXT_ENCODING",
];

/// Is `name` set in every job without the config setting it?
pub fn is_builtin(name: &str) -> bool {
    CIRCLECI.contains(&name) || SHELL.contains(&name) || SYSTEM.contains(&name)
}

/// Variables a well-known image sets with `ENV` in its Dockerfile, by image repository (the
/// Docker official images, CircleCI's `cimg/*` and legacy `circleci/*` images built on them):
/// a job whose primary container is one of them reads these without the config setting them.
const IMAGE_ENV: &[(&[&str], &[&str])] = &[
    (
        &["golang", "cimg/go", "circleci/golang"],
        &["GOPATH", "GOLANG_VERSION"],
    ),
    (
        &["cimg/android", "circleci/android"],
        &["ANDROID_HOME", "ANDROID_SDK_ROOT"],
    ),
    (
        &[
            "openjdk",
            "eclipse-temurin",
            "cimg/openjdk",
            "circleci/openjdk",
        ],
        &["JAVA_HOME", "JAVA_VERSION"],
    ),
    (
        &["python", "cimg/python", "circleci/python"],
        &["PYTHON_VERSION"],
    ),
    (
        &["node", "cimg/node", "circleci/node"],
        &["NODE_VERSION", "YARN_VERSION"],
    ),
    (
        &["ruby", "cimg/ruby", "circleci/ruby"],
        &["GEM_HOME", "BUNDLE_APP_CONFIG", "RUBY_VERSION"],
    ),
    (
        &["rust", "cimg/rust", "circleci/rust"],
        &["CARGO_HOME", "RUSTUP_HOME", "RUST_VERSION"],
    ),
];

/// The variables the image `image` (as written: `golang:1.18`, `cimg/go:1.21`,
/// `docker.io/library/golang@sha256:...`) sets for the job; empty for any other image.
pub fn from_image(image: &str) -> &'static [&'static str] {
    let name = image.split(['@', ':']).next().unwrap_or(image);
    // A registry host is the first part when it has a dot or a port (`docker.io/`).
    let name = match name.split_once('/') {
        Some((host, rest)) if host.contains('.') => rest,
        _ => name,
    };
    let name = name.strip_prefix("library/").unwrap_or(name);
    IMAGE_ENV
        .iter()
        .find(|(repos, _)| repos.contains(&name))
        .map_or(&[], |(_, vars)| vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_set_their_own_variables() {
        assert!(from_image("golang:1.18").contains(&"GOPATH"));
        assert!(from_image("docker.io/library/golang@sha256:abc").contains(&"GOPATH"));
        assert!(from_image("circleci/android:api-29").contains(&"ANDROID_HOME"));
        assert!(from_image("cimg/go:1.21").contains(&"GOPATH"));
        assert!(from_image("cimg/base:2024.01").is_empty());
        assert!(from_image("myorg/golang:1").is_empty());
    }

    #[test]
    fn known_and_unknown() {
        for n in [
            "CIRCLE_BRANCH",
            "CIRCLE_SHA1",
            "CIRCLE_TAG",
            "CIRCLE_PR_NUMBER",
            "CIRCLE_NODE_INDEX",
            "CIRCLE_WORKING_DIRECTORY",
            "CIRCLE_OIDC_TOKEN",
            "CI",
            "HOME",
            "PATH",
            "PWD",
            "RANDOM",
            "LINENO",
            "HOSTNAME",
            "BASH_ENV",
            "BASH_REMATCH",
        ] {
            assert!(is_builtin(n), "{n}");
        }
        for n in [
            "HEROKU_API_KEY",
            "AWS_ACCESS_KEY_ID",
            "circle_branch",
            "GITHUB_TOKEN",
        ] {
            assert!(!is_builtin(n), "{n}");
        }
    }

    #[test]
    fn lists_are_names() {
        for n in CIRCLECI.iter().chain(SHELL).chain(SYSTEM) {
            assert!(crate::lang::shell::is_name(n), "{n}");
        }
    }
}
