//! What the rules read: everything known about one file, built once.

use crate::settings::Settings;
use crate::span::LineIndex;
use crate::yaml::Document;

pub struct Context<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub lines: &'a LineIndex,
    pub doc: &'a Document,
    pub settings: &'a Settings,
}
