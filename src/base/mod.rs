//! The base layer: what every other layer speaks. Spans and line positions, diagnostics,
//! rule metadata, and small text helpers. It imports nothing else from the crate.

pub mod diagnostic;
pub mod file_report;
pub mod fix;
pub mod span;
pub mod text;
