//! The small languages inside a config: `<< >>` templates ([`mustache`]), logic statements and
//! expressions ([`logic`]), job filters and CircleCI's regexes ([`filters`]), shell scripts
//! ([`shell`], [`shellcheck`]), and what shell text reveals (secrets, built-in variables).
//! Imports `base` and `yaml` only.

pub mod env_builtins;
pub mod filters;
pub mod logic;
pub mod mustache;
pub mod secrets;
pub mod shell;
pub mod shellcheck;
