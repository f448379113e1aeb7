//! placeholder
use crate::analysis::expand::diff::Changes;
pub fn render(_c: &Changes, _old: &str, _new: &str, _color: bool) -> String {
    String::new()
}
