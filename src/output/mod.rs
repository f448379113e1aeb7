//! What users see: report formats and workflow diagrams. Imports every layer below the command
//! line.

pub mod ide;
pub mod plan;
pub mod render;
pub mod report;
