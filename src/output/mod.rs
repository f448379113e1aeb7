//! What users see: report formats and workflow diagrams. Imports every layer below the command
//! line.

pub mod expand_diff;
pub mod ide;
pub mod plan;
pub mod render;
pub mod report;
pub mod yaml_out;
