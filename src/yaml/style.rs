//! Which styles a YAML emitter may write a string in: the character analysis that libyaml,
//! PyYAML and SnakeYAML share (and gopkg.in/yaml.v3, a port of libyaml). Both of cilint's
//! emitters (`output::yaml_out`) decide with it, and packing needs it to know when yaml.v3
//! writes a literal block (which drops a leading line break).

/// What the characters of a string allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Analysis {
    pub empty: bool,
    /// Holds a line break.
    pub multiline: bool,
    /// Plain, outside flow collections.
    pub block_plain: bool,
    pub single_quoted: bool,
    /// A literal or folded block.
    pub block: bool,
}

/// Line breaks as the emitters count them.
pub fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_end(c: Option<char>) -> bool {
    matches!(
        c,
        None | Some('\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
    )
}

/// Printable as the emitters define it (with Unicode output allowed): a line feed, ASCII
/// 0x20-0x7E, and U+00A0 to U+FFFD without surrogates and U+FEFF; PyYAML and SnakeYAML also
/// count NEL and the characters beyond U+FFFF, libyaml and yaml.v3 do not.
pub fn printable(c: char, libyaml: bool) -> bool {
    let common = matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}';
    common || (!libyaml && (c == '\u{85}' || c >= '\u{10000}'))
}

/// Analyse `s` as PyYAML and SnakeYAML do.
pub fn analyze(s: &str) -> Analysis {
    analyze_as(s, false)
}

/// Analyse `s` as libyaml and yaml.v3 do.
pub fn analyze_libyaml(s: &str) -> Analysis {
    analyze_as(s, true)
}

fn analyze_as(s: &str, libyaml: bool) -> Analysis {
    if s.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            block_plain: true,
            single_quoted: true,
            block: false,
        };
    }
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let mut line_breaks = false;
    let mut special = false;
    let (mut leading_space, mut leading_break) = (false, false);
    let (mut trailing_space, mut trailing_break) = (false, false);
    let (mut break_space, mut space_break) = (false, false);
    let mut preceded_by_ws = true;
    let (mut previous_space, mut previous_break) = (false, false);
    let mut chars = s.chars().peekable();
    let mut first = true;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let followed_by_ws = is_blank_or_end(next);
        let last = next.is_none();
        if first {
            if "#,[]{}&*!|>'\"%@`".contains(c) || (c == '-' && followed_by_ws) {
                block_indicators = true;
            }
            if (c == '?' || c == ':') && followed_by_ws {
                block_indicators = true;
            }
        } else if (c == ':' && followed_by_ws) || (c == '#' && preceded_by_ws) {
            block_indicators = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if !printable(c, libyaml) {
            special = true;
        }
        if c == ' ' {
            leading_space |= first;
            trailing_space |= last;
            break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            leading_break |= first;
            trailing_break |= last;
            space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_ws = is_blank_or_end(Some(c));
        first = false;
    }
    let mut a = Analysis {
        empty: false,
        multiline: line_breaks,
        block_plain: true,
        single_quoted: true,
        block: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space {
        a.block_plain = false;
        a.single_quoted = false;
    }
    if space_break || special {
        a.block_plain = false;
        a.single_quoted = false;
        a.block = false;
    }
    if line_breaks || block_indicators {
        a.block_plain = false;
    }
    a
}

/// The indicators of a literal block header for `s` (`indent` is the emitter's indentation
/// step): the indentation digit when the text starts with a space or a line break, then `-`
/// (no final line break) or `+` (more than one, or the text is one line break).
pub fn block_hints(s: &str, indent: usize) -> String {
    let mut hints = String::new();
    let first = s.chars().next();
    if first.is_some_and(|c| c == ' ' || is_break(c)) {
        hints.push_str(&indent.to_string());
    }
    let mut rev = s.chars().rev();
    match (rev.next(), rev.next()) {
        (Some(l), _) if !is_break(l) => hints.push('-'),
        (Some(_), None) => hints.push('+'),
        (Some(_), Some(p)) if is_break(p) => hints.push('+'),
        _ => {}
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_allowed() {
        let plain = |s: &str| analyze(s).block_plain;
        assert!(plain("checkout") && plain("a:b:c") && plain("a#b") && plain("-x"));
        assert!(!plain("a: b") && !plain("a #b") && !plain("- x") && !plain("*x"));
        assert!(!plain(" lead") && !plain("trail ") && !plain("? ") && !plain("a\nb"));
        assert!(!analyze("a\tb").single_quoted && !analyze("a\tb").block);
        let script = analyze("set -x \necho\n");
        assert!(!script.block && !script.single_quoted);
        let ok = analyze("echo a\n\necho b\n");
        assert!(ok.block && ok.multiline);
        assert_eq!(block_hints("a\n", 2), "");
        assert_eq!(block_hints("a", 2), "-");
        assert_eq!(block_hints("a\n\n", 2), "+");
        assert_eq!(block_hints(" a\n", 4), "4");
    }
}
