//! What a config means: the context rules read (built once per file), the workflow graphs, and
//! the plan of what a push runs. Imports `base`, `yaml`, `lang` and `config`.

pub mod context;
pub mod expand;
pub mod graph;
pub mod plan;
pub mod references;
pub mod symbols;
