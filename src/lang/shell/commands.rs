//! Commands: what each simple command reads, assigns or writes to `$BASH_ENV`.

use super::*;
use crate::base::span::Span;

impl Lexer<'_> {
    pub(super) fn commands(&mut self, toks: &[Tok]) {
        self.find_functions(toks);
        let mut seg: Vec<&Tok> = Vec::new();
        let mut pipe_in: Option<Vec<u8>> = None;
        // Output of the commands inside `{ ... }` groups, innermost last.
        let mut groups: Vec<Vec<u8>> = Vec::new();
        for t in toks {
            if let Tok::Op(op) = t {
                let input = pipe_in.take();
                let out = self.simple_command(&seg, input, &mut groups);
                if *op == "|" {
                    pipe_in = out;
                }
                seg.clear();
            } else {
                seg.push(t);
            }
        }
        let input = pipe_in.take();
        self.simple_command(&seg, input, &mut groups);
    }

    pub(super) fn find_functions(&mut self, toks: &[Tok]) {
        let word = |i: usize| match toks.get(i) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        };
        let op = |i: usize, o: &str| matches!(toks.get(i), Some(Tok::Op(x)) if *x == o);
        let mut i = 0;
        while i < toks.len() {
            let mut body_from = None;
            if let Some(w) = word(i) {
                if w.is("function") && word(i + 1).is_some() {
                    let mut j = i + 2;
                    if op(j, "(") && op(j + 1, ")") {
                        j += 2;
                    }
                    body_from = Some(j);
                } else if !w.quoted && op(i + 1, "(") && op(i + 2, ")") {
                    body_from = Some(i + 3);
                }
            }
            let Some(mut j) = body_from else {
                i += 1;
                continue;
            };
            while op(j, "\n") {
                j += 1;
            }
            if let Some(open) = word(j).filter(|w| w.is("{")) {
                let mut depth = 0usize;
                let mut k = j;
                while k < toks.len() {
                    if let Some(w) = word(k) {
                        if w.is("{") {
                            depth += 1;
                        } else if w.is("}") {
                            depth -= 1;
                            if depth == 0 {
                                self.facts.functions.push(Span::new(open.start, w.end));
                                break;
                            }
                        }
                    }
                    k += 1;
                }
            }
            i = j.max(i + 1);
        }
    }

    /// Analyse one simple command; return the text it prints, when it is `echo`, `printf` or
    /// `cat` of a here-document or here-string (for `| tee $BASH_ENV` and `{ } >> $BASH_ENV`).
    pub(super) fn simple_command(
        &mut self,
        seg: &[&Tok],
        pipe_in: Option<Vec<u8>>,
        groups: &mut Vec<Vec<u8>>,
    ) -> Option<Vec<u8>> {
        let mut words: Vec<&Word> = Vec::new();
        let mut redirs: Vec<(&str, Option<&Word>, Option<usize>)> = Vec::new();
        let mut i = 0;
        while i < seg.len() {
            match seg[i] {
                Tok::Word(w) => words.push(w),
                Tok::Redir(op) => {
                    let target = match seg.get(i + 1) {
                        Some(Tok::Word(w)) => {
                            i += 1;
                            Some(w)
                        }
                        _ => None,
                    };
                    redirs.push((op, target, None));
                }
                Tok::Heredoc(b) => redirs.push(("<<", None, Some(*b))),
                Tok::Op(..) => {}
            }
            i += 1;
        }
        let to_bash_env = redirs.iter().any(|(op, t, _)| {
            matches!(*op, ">" | ">>") && t.is_some_and(|t| t.cooked.contains("BASH_ENV"))
        });
        let span = match (words.first(), words.last()) {
            (Some(a), Some(b)) => Span::new(a.start, b.end),
            _ => Span::default(),
        };

        // Reserved words; `{ ... }` groups.
        let mut k = 0;
        while k < words.len() && RESERVED.contains(&words[k].cooked.as_str()) && !words[k].quoted {
            match words[k].cooked.as_str() {
                "{" => groups.push(Vec::new()),
                "}" => {
                    let text = groups.pop();
                    if to_bash_env && let Some(text) = text {
                        self.bash_env_text(&text, span);
                    }
                }
                "function" => k += 1,
                _ => {}
            }
            k += 1;
        }
        let ws = &words[k.min(words.len())..];
        let first = ws.first()?;
        if first.is("for") || first.is("select") {
            if let Some(w) = ws.get(1).filter(|w| is_name(&w.cooked) && !w.quoted) {
                self.assign(&w.cooked, w.span());
                self.facts.loop_variables.push(w.cooked.clone());
            }
            return None;
        }
        if first.is("case") {
            if let Some(w) = ws.get(1) {
                self.guard_word(w, false);
            }
            return None;
        }

        // Leading assignments.
        let mut j = 0;
        let mut leading = Vec::new();
        while let Some(w) = ws.get(j) {
            match assignment_name(&self.s[w.start..w.end]) {
                Some(name) => leading.push((name, w.span())),
                None => break,
            }
            j += 1;
        }
        if j == ws.len() {
            for (name, span) in leading {
                self.assign(&name, span);
            }
            return None;
        }
        let cmd = ws[j];
        let args = &ws[j + 1..];
        let name = cmd.cooked.as_str();
        match name {
            "export" | "declare" | "typeset" | "local" | "readonly" => {
                for a in args {
                    let c = a.cooked.as_str();
                    if c.starts_with('-') || c.starts_with('+') {
                        continue;
                    }
                    let (nm, has_value) = match c.find('=') {
                        Some(e) => (c[..e].trim_end_matches('+'), true),
                        None => (c, false),
                    };
                    let nm = nm.split('[').next().unwrap_or(nm);
                    if is_name(nm) && (has_value || name != "export") {
                        self.assign(nm, a.span());
                    }
                }
            }
            "read" => self.read_builtin(args),
            "mapfile" | "readarray" => {
                let mut it = args.iter();
                let mut target = None;
                while let Some(a) = it.next() {
                    let c = a.cooked.as_str();
                    if c.len() > 1 && c.starts_with('-') {
                        if c[1..].ends_with(['d', 'n', 'O', 's', 'u', 'C', 'c']) {
                            it.next();
                        }
                        continue;
                    }
                    target = Some(*a);
                    break;
                }
                if let Some(a) = target.filter(|a| is_name(&a.cooked)) {
                    self.assign(&a.cooked, a.span());
                }
            }
            "getopts" => {
                if let Some(a) = args.get(1).filter(|a| is_name(&a.cooked)) {
                    self.assign(&a.cooked, a.span());
                }
            }
            "printf" => {
                if args.first().is_some_and(|a| a.cooked == "-v")
                    && let Some(a) = args.get(1)
                {
                    let nm = a.cooked.split('[').next().unwrap_or("");
                    if is_name(nm) {
                        self.assign(nm, a.span());
                    }
                }
            }
            "let" => {
                for a in args {
                    let c = a.cooked.as_bytes();
                    let e = c.iter().position(|&x| !is_ident(x)).unwrap_or(c.len());
                    let nm = &a.cooked[..e];
                    let rest = &c[e..];
                    let assigns = rest.first() == Some(&b'=') && rest.get(1) != Some(&b'=')
                        || rest.starts_with(b"++")
                        || rest.starts_with(b"--")
                        || (rest.len() >= 2 && rest[1] == b'=' && b"+-*/%&|^".contains(&rest[0]));
                    if is_name(nm) && assigns {
                        self.assign(nm, a.span());
                    }
                }
            }
            "[" | "test" | "[[" => {
                let mut operands: Vec<&Word> = args.to_vec();
                if operands.last().is_some_and(|w| w.is("]") || w.is("]]")) {
                    operands.pop();
                }
                self.test_guards(&operands);
            }
            "eval" => self.opaque_from(cmd.span()),
            "source" | "." if !args.iter().any(|a| a.cooked.contains("BASH_ENV")) => {
                self.opaque_from(cmd.span());
            }
            "source" | "." if args.iter().any(|a| a.cooked.contains("BASH_ENV")) => {
                let written: Vec<String> = self
                    .facts
                    .bash_env_writes
                    .iter()
                    .map(|a| a.name.clone())
                    .collect();
                for n in written {
                    self.assign(&n, cmd.span());
                }
            }
            _ => {}
        }

        let out: Option<Vec<u8>> = match name {
            "echo" => {
                let rest: Vec<&str> = args
                    .iter()
                    .map(|a| a.cooked.as_str())
                    .skip_while(|a| {
                        a.len() > 1
                            && a.starts_with('-')
                            && a[1..].bytes().all(|c| b"neE".contains(&c))
                    })
                    .collect();
                Some(rest.join(" ").into_bytes())
            }
            "printf" if args.first().is_some_and(|a| a.cooked != "-v") => Some(printf_text(args)),
            "cat" => redirs.iter().find_map(|(op, t, body)| match (op, t, body) {
                (_, _, Some(b)) => self.bodies.get(*b).cloned(),
                (&"<<<", Some(t), _) => Some(t.cooked.clone().into_bytes()),
                _ => None,
            }),
            _ => None,
        };
        if out.is_none() && to_bash_env && groups.is_empty() {
            // A program's output (`tool env >> $BASH_ENV`): names cilint cannot see.
            self.facts.opaque_bash_env = true;
        }
        if let Some(text) = &out {
            if to_bash_env {
                self.bash_env_text(text, span);
            }
            for g in groups.iter_mut() {
                g.extend_from_slice(text);
                g.push(b'\n');
            }
        }
        if name == "tee" && args.iter().any(|a| a.cooked.contains("BASH_ENV")) {
            match pipe_in {
                Some(text) => self.bash_env_text(&text, span),
                None => self.facts.opaque_bash_env = true,
            }
        }
        out
    }

    /// The script may set unknown variables from the start of `span` on.
    pub(super) fn opaque_from(&mut self, span: Span) {
        if self.facts.opaque_from.is_none_or(|at| span.start < at) {
            self.facts.opaque_from = Some(span.start);
        }
    }

    pub(super) fn read_builtin(&mut self, args: &[&Word]) {
        let mut k = 0;
        while k < args.len() {
            let a = args[k];
            let c = a.cooked.as_str();
            if c.len() > 1 && c.starts_with('-') {
                let letters = &c[1..];
                for (idx, ch) in letters.char_indices() {
                    if "adinNptu".contains(ch) {
                        let rest = &letters[idx + 1..];
                        let value = if rest.is_empty() {
                            k += 1;
                            args.get(k).map(|w| (w.cooked.clone(), w.span()))
                        } else {
                            Some((rest.to_string(), a.span()))
                        };
                        if ch == 'a'
                            && let Some((v, sp)) = value
                            && is_name(&v)
                        {
                            self.assign(&v, sp);
                        }
                        break;
                    }
                }
            } else if is_name(c) {
                self.assign(c, a.span());
            }
            k += 1;
        }
    }

    pub(super) fn test_guards(&mut self, operands: &[&Word]) {
        let sep = |w: &Word| {
            !w.quoted
                && matches!(
                    w.cooked.as_str(),
                    "&&" | "||" | "-a" | "-o" | "(" | ")" | "!"
                )
        };
        for prim in operands.split(|w| sep(w)) {
            match prim {
                [one] => self.guard_word(one, true),
                [op, w] if op.is("-z") || op.is("-n") => self.guard_word(w, true),
                [op, w] if op.is("-v") => {
                    let nm = w.cooked.split('[').next().unwrap_or("").to_string();
                    if is_name(&nm) {
                        self.checked.insert(nm);
                    }
                    self.guard_word(w, true);
                }
                [a, op, b]
                    if !op.quoted
                        && matches!(op.cooked.as_str(), "=" | "==" | "!=" | "=~" | "<" | ">") =>
                {
                    self.guard_word(a, false);
                    self.guard_word(b, false);
                }
                _ => {}
            }
        }
    }

    pub(super) fn guard_word(&mut self, w: &Word, check: bool) {
        for i in w.reads.0..w.reads.1 {
            if let Some(r) = self.facts.reads.get_mut(i) {
                r.guarded = true;
                if check {
                    self.checked.insert(r.name.clone());
                }
            }
        }
    }

    /// Text written to `$BASH_ENV`: its assignments are set in later steps.
    pub(super) fn bash_env_text(&mut self, text: &[u8], span: Span) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        let text = String::from_utf8_lossy(text);
        let inner = analyze_depth(&text, self.depth + 1);
        for a in inner.assignments {
            if !self.facts.bash_env_writes.iter().any(|b| b.name == a.name) {
                self.facts
                    .bash_env_writes
                    .push(Assignment { name: a.name, span });
            }
        }
    }
}

/// `NAME=`, `NAME+=`, `NAME[...]=` at the start of a raw word: the name.
pub(super) fn assignment_name(raw: &[u8]) -> Option<String> {
    let e = raw.iter().position(|&c| !is_ident(c)).unwrap_or(raw.len());
    if e == 0 || !is_ident_start(raw[0]) {
        return None;
    }
    let rest = &raw[e..];
    let ok = match rest.first() {
        Some(b'=') => true,
        Some(b'+') => rest.get(1) == Some(&b'='),
        Some(b'[') => {
            let close = rest.iter().position(|&c| c == b']')?;
            let after = &rest[close + 1..];
            after.starts_with(b"=") || after.starts_with(b"+=")
        }
        _ => false,
    };
    ok.then(|| String::from_utf8_lossy(&raw[..e]).into_owned())
}

pub(super) fn is_assign_prefix(raw: &[u8]) -> bool {
    let raw = raw.strip_suffix(b"+").unwrap_or(raw);
    !raw.is_empty() && is_ident_start(raw[0]) && raw.iter().all(|&c| is_ident(c))
}

/// The text `printf FORMAT ARGS...` prints (approximately: `%s`-like conversions take the
/// arguments in order, `\n` is a newline).
pub(super) fn printf_text(args: &[&Word]) -> Vec<u8> {
    let Some(fmt) = args.first() else {
        return Vec::new();
    };
    let mut rest = args[1..].iter();
    let f = fmt.cooked.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < f.len() {
        match f[i] {
            b'\\' if f.get(i + 1) == Some(&b'n') => {
                out.push(b'\n');
                i += 2;
            }
            b'%' if f.get(i + 1) == Some(&b'%') => {
                out.push(b'%');
                i += 2;
            }
            b'%' => {
                let mut j = i + 1;
                while j < f.len() && !f[j].is_ascii_alphabetic() {
                    j += 1;
                }
                if let Some(a) = rest.next() {
                    out.extend_from_slice(a.cooked.as_bytes());
                }
                i = j + 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    for a in rest {
        out.push(b' ');
        out.extend_from_slice(a.cooked.as_bytes());
    }
    out
}
