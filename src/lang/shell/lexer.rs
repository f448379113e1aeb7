//! Lexing: words, quoting, expansions, here-documents, arithmetic.

use super::*;
use crate::base::span::Span;

impl Lexer<'_> {
    pub(super) fn at(&self, p: usize) -> u8 {
        if p < self.limit { self.s[p] } else { 0 }
    }

    pub(super) fn is_ph(&self, p: usize) -> bool {
        self.ph.get(p).copied().unwrap_or(false)
    }

    pub(super) fn ident_end(&self, mut p: usize) -> usize {
        while p < self.limit && is_ident(self.s[p]) && !self.is_ph(p) {
            p += 1;
        }
        p
    }

    pub(super) fn text(&self, a: usize, b: usize) -> String {
        String::from_utf8_lossy(&self.s[a.min(b)..b]).into_owned()
    }

    pub(super) fn read(&mut self, name: String, span: Span, guarded: bool) {
        let guarded = guarded || self.extends_itself(&name, span.start as usize);
        self.facts.reads.push(VarRead {
            name,
            span,
            guarded,
            in_function: false,
        });
    }

    /// Whether the read at `at` extends the variable it reads, as text written for a later
    /// shell (`echo "export PATH=/opt/bin:$PATH" >> $BASH_ENV`): `NAME=` earlier in the same
    /// word, with nothing but a path list between it and the read. Empty or not, the value is
    /// only added to.
    fn extends_itself(&self, name: &str, at: usize) -> bool {
        let start = at.saturating_sub(512);
        let before = &self.s[start..at.min(self.s.len())];
        let key = format!("{name}=");
        let Some(i) = before.windows(key.len()).rposition(|w| w == key.as_bytes()) else {
            return false;
        };
        // The name starts a word (`export X=`, `"X=`), not the tail of a longer one.
        let whole = i == 0 || !is_ident(before[i - 1]);
        let between = &before[i + key.len()..];
        whole
            && between.iter().all(|&b| {
                !matches!(
                    b,
                    b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'"' | b'\'' | b'`'
                )
            })
    }

    pub(super) fn assign(&mut self, name: &str, span: Span) {
        self.facts.assignments.push(Assignment {
            name: name.to_string(),
            span,
        });
    }

    pub(super) fn finish(mut self) -> ShellFacts {
        let checked = std::mem::take(&mut self.checked);
        let functions = self.facts.functions.clone();
        for r in &mut self.facts.reads {
            if checked.contains(&r.name) {
                r.guarded = true;
            }
            r.in_function = functions.iter().any(|f| f.contains(r.span));
        }
        self.facts.reads.sort_by_key(|r| (r.span.start, r.span.end));
        self.facts.assignments.sort_by_key(|a| a.span.start);
        self.facts
    }

    /// Lex a command list from `p` (to the limit, or to the `)` closing a `$(`), analyse its
    /// commands, and return where it ends.
    pub(super) fn lex(&mut self, mut p: usize, stop_paren: bool) -> usize {
        let mut toks: Vec<Tok> = Vec::new();
        let mut lvl = Level::default();
        while p < self.limit {
            let c = self.s[p];
            if lvl.dbracket && !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b';') {
                p = self.word(p, true, &mut toks, &mut lvl);
                continue;
            }
            match c {
                b' ' | b'\t' | b'\r' => p += 1,
                b'\\' if self.at(p + 1) == b'\n' => p += 2,
                b'\n' => {
                    toks.push(Tok::Op("\n"));
                    p = self.read_heredocs(p + 1, &mut lvl);
                }
                b'#' => {
                    while p < self.limit && self.s[p] != b'\n' {
                        p += 1;
                    }
                }
                b';' => {
                    let (op, n) = match (self.at(p + 1), self.at(p + 2)) {
                        (b';', b'&') => (";;&", 3),
                        (b';', _) => (";;", 2),
                        (b'&', _) => (";&", 2),
                        _ => (";", 1),
                    };
                    toks.push(Tok::Op(op));
                    p += n;
                }
                b'&' => match self.at(p + 1) {
                    b'&' => {
                        toks.push(Tok::Op("&&"));
                        p += 2;
                    }
                    b'>' => {
                        if self.at(p + 2) == b'>' {
                            toks.push(Tok::Redir(">>"));
                            p += 3;
                        } else {
                            toks.push(Tok::Redir(">"));
                            p += 2;
                        }
                    }
                    _ => {
                        toks.push(Tok::Op("&"));
                        p += 1;
                    }
                },
                b'|' => match self.at(p + 1) {
                    b'|' => {
                        toks.push(Tok::Op("||"));
                        p += 2;
                    }
                    b'&' => {
                        toks.push(Tok::Op("|"));
                        p += 2;
                    }
                    _ => {
                        toks.push(Tok::Op("|"));
                        p += 1;
                    }
                },
                b'(' => {
                    if self.at(p + 1) == b'(' {
                        // An arithmetic command `(( ... ))` (also `for (( ... ))`).
                        p = self.arith(p + 2, ArithClose::DoubleParen);
                        toks.push(Tok::Op("(("));
                    } else {
                        toks.push(Tok::Op("("));
                        lvl.paren += 1;
                        p += 1;
                    }
                }
                b')' => {
                    if stop_paren && lvl.paren == 0 && lvl.case_depth == 0 {
                        self.commands(&toks);
                        return p + 1;
                    }
                    toks.push(Tok::Op(")"));
                    lvl.paren = lvl.paren.saturating_sub(1);
                    p += 1;
                }
                b'<' | b'>' => p = self.redirection(p, &mut toks, &mut lvl),
                _ => p = self.word(p, false, &mut toks, &mut lvl),
            }
        }
        self.commands(&toks);
        p
    }

    /// Lex one word at `p` and push it (unless it is a file descriptor number before a
    /// redirection); track `[[ ]]` and `case`.
    pub(super) fn word(
        &mut self,
        p: usize,
        dbr: bool,
        toks: &mut Vec<Tok>,
        lvl: &mut Level,
    ) -> usize {
        let w = self.lex_word(p, dbr);
        let end = w.end.max(p + 1);
        if !w.quoted
            && !w.cooked.is_empty()
            && w.cooked.bytes().all(|c| c.is_ascii_digit())
            && matches!(self.at(w.end), b'<' | b'>')
        {
            return end;
        }
        let cmd_pos = match toks.last() {
            None | Some(Tok::Op(..)) => true,
            Some(Tok::Word(prev)) => RESERVED.contains(&prev.cooked.as_str()) && !prev.quoted,
            _ => false,
        };
        if !w.quoted {
            match w.cooked.as_str() {
                "[[" if cmd_pos => lvl.dbracket = true,
                "]]" => lvl.dbracket = false,
                "case" if cmd_pos => lvl.case_depth += 1,
                "esac" if cmd_pos => lvl.case_depth = lvl.case_depth.saturating_sub(1),
                _ => {}
            }
        }
        toks.push(Tok::Word(w));
        end
    }

    pub(super) fn redirection(&mut self, p: usize, toks: &mut Vec<Tok>, lvl: &mut Level) -> usize {
        let c = self.s[p];
        let (n1, n2) = (self.at(p + 1), self.at(p + 2));
        if c == b'<' && n1 == b'<' && n2 == b'<' {
            toks.push(Tok::Redir("<<<"));
            return p + 3;
        }
        if c == b'<' && n1 == b'<' {
            let strip_tabs = n2 == b'-';
            let mut q = p + if strip_tabs { 3 } else { 2 };
            while matches!(self.at(q), b' ' | b'\t') {
                q += 1;
            }
            if q >= self.limit || is_meta(self.at(q)) {
                return q.max(p + 2);
            }
            let w = self.lex_word(q, false);
            let body = self.bodies.len();
            self.bodies.push(Vec::new());
            lvl.pending.push(PendingHeredoc {
                delim: w.cooked.clone().into_bytes(),
                quoted: w.quoted,
                strip_tabs,
                body,
            });
            toks.push(Tok::Heredoc(body));
            return w.end.max(q + 1);
        }
        if n1 == b'(' {
            // Process substitution `<(...)` / `>(...)`.
            return self.subst(p + 2);
        }
        let (op, n) = match (c, n1) {
            (b'>', b'>') => (">>", 2),
            (b'>', b'|') => (">", 2),
            (b'>', b'&') => (">&", 2),
            (b'<', b'&') => ("<&", 2),
            (b'<', b'>') => ("<>", 2),
            (b'>', _) => (">", 1),
            _ => ("<", 1),
        };
        toks.push(Tok::Redir(op));
        p + n
    }

    /// After a newline: read the bodies of the here-documents started on the line.
    pub(super) fn read_heredocs(&mut self, mut p: usize, lvl: &mut Level) -> usize {
        let pending = std::mem::take(&mut lvl.pending);
        for h in pending {
            let body_start = p;
            let mut q = p;
            let body_end;
            loop {
                if q >= self.limit {
                    body_end = self.limit;
                    p = self.limit;
                    break;
                }
                let eol = self.s[q..self.limit]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(self.limit, |i| q + i);
                let mut line = &self.s[q..eol];
                if h.strip_tabs {
                    while let [b'\t', rest @ ..] = line {
                        line = rest;
                    }
                }
                if let [rest @ .., b'\r'] = line {
                    line = rest;
                }
                if line == h.delim.as_slice() {
                    body_end = q;
                    p = (eol + 1).min(self.limit);
                    break;
                }
                q = eol + 1;
            }
            let body = if h.quoted {
                self.s[body_start..body_end].to_vec()
            } else {
                self.heredoc_expand(body_start, body_end)
            };
            self.bodies[h.body] = body;
        }
        p
    }

    /// Scan an unquoted here-document body for expansions; return its text.
    pub(super) fn heredoc_expand(&mut self, a: usize, b: usize) -> Vec<u8> {
        let saved = self.limit;
        self.limit = b;
        let mut out = Vec::new();
        let mut p = a;
        while p < b {
            match self.s[p] {
                b'\\' if matches!(self.at(p + 1), b'$' | b'`' | b'\\') => {
                    out.push(self.s[p + 1]);
                    p += 2;
                }
                b'\\' if self.at(p + 1) == b'\n' => p += 2,
                b'$' => p = self.dollar(p, &mut out),
                b'`' => p = self.backtick(p, &mut out),
                c => {
                    out.push(c);
                    p += 1;
                }
            }
        }
        self.limit = saved;
        out
    }

    pub(super) fn lex_word(&mut self, mut p: usize, dbr: bool) -> Word {
        let start = p;
        let r0 = self.facts.reads.len();
        let mut cooked = Vec::new();
        let mut quoted = false;
        while p < self.limit {
            let c = self.s[p];
            if dbr {
                if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b';') {
                    break;
                }
            } else if is_meta(c) {
                break;
            }
            match c {
                b'\\' => {
                    quoted = true;
                    let n = self.at(p + 1);
                    if n != b'\n' && p + 1 < self.limit {
                        cooked.push(n);
                    }
                    p = (p + 2).min(self.limit);
                }
                b'\'' => {
                    quoted = true;
                    let e = self.find(b'\'', p + 1);
                    cooked.extend_from_slice(&self.s[p + 1..e]);
                    p = (e + 1).min(self.limit);
                }
                b'"' => {
                    quoted = true;
                    p = self.dquote(p + 1, &mut cooked);
                }
                b'$' if self.at(p + 1) == b'\'' => {
                    quoted = true;
                    let mut q = p + 2;
                    while q < self.limit && self.s[q] != b'\'' {
                        if self.s[q] == b'\\' {
                            q += 1;
                        }
                        q += 1;
                    }
                    let q = q.min(self.limit);
                    cooked.extend_from_slice(&self.s[p + 2..q]);
                    p = (q + 1).min(self.limit);
                }
                b'$' if self.at(p + 1) == b'"' => {
                    quoted = true;
                    p = self.dquote(p + 2, &mut cooked);
                }
                b'$' => p = self.dollar(p, &mut cooked),
                b'`' => p = self.backtick(p, &mut cooked),
                b'=' if self.at(p + 1) == b'(' && is_assign_prefix(&self.s[start..p]) => {
                    cooked.push(b'=');
                    p = self.array_literal(p + 1, &mut cooked);
                }
                _ => {
                    cooked.push(c);
                    p += 1;
                }
            }
        }
        Word {
            start,
            end: p,
            cooked: String::from_utf8_lossy(&cooked).into_owned(),
            quoted,
            reads: (r0, self.facts.reads.len()),
        }
    }

    /// The position of the next `c` at or after `p` (or the limit).
    pub(super) fn find(&self, c: u8, p: usize) -> usize {
        if p >= self.limit {
            return self.limit;
        }
        self.s[p..self.limit]
            .iter()
            .position(|&x| x == c)
            .map_or(self.limit, |i| p + i)
    }

    /// `name=( ... )`: `p` at `(`.
    pub(super) fn array_literal(&mut self, p: usize, out: &mut Vec<u8>) -> usize {
        let mut depth = 0usize;
        let mut q = p;
        while q < self.limit {
            match self.s[q] {
                b'(' => {
                    depth += 1;
                    out.push(b'(');
                    q += 1;
                }
                b')' => {
                    out.push(b')');
                    q += 1;
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return q;
                    }
                }
                b'\\' => {
                    if q + 1 < self.limit {
                        out.push(self.s[q + 1]);
                    }
                    q += 2;
                }
                b'\'' => {
                    let e = self.find(b'\'', q + 1);
                    out.extend_from_slice(&self.s[q + 1..e]);
                    q = e + 1;
                }
                b'"' => q = self.dquote(q + 1, out),
                b'$' => q = self.dollar(q, out),
                b'`' => q = self.backtick(q, out),
                b'#' if matches!(self.s[q - 1], b' ' | b'\t' | b'\n') => {
                    q = self.find(b'\n', q);
                }
                c => {
                    out.push(c);
                    q += 1;
                }
            }
        }
        q.min(self.limit)
    }

    /// Inside double quotes from `p`; returns the position after the closing quote.
    pub(super) fn dquote(&mut self, mut p: usize, out: &mut Vec<u8>) -> usize {
        while p < self.limit {
            match self.s[p] {
                b'"' => return p + 1,
                b'\\' => {
                    let n = self.at(p + 1);
                    if matches!(n, b'$' | b'`' | b'"' | b'\\') {
                        out.push(n);
                        p += 2;
                    } else if n == b'\n' {
                        p += 2;
                    } else {
                        out.push(b'\\');
                        p += 1;
                    }
                }
                b'$' => p = self.dollar(p, out),
                b'`' => p = self.backtick(p, out),
                c => {
                    out.push(c);
                    p += 1;
                }
            }
        }
        self.limit
    }

    /// A `$` expansion at `p`; appends its raw text to `out`, returns its end.
    pub(super) fn dollar(&mut self, p: usize, out: &mut Vec<u8>) -> usize {
        if self.depth >= MAX_DEPTH {
            out.push(b'$');
            return p + 1;
        }
        self.depth += 1;
        let end = self.dollar_inner(p, out);
        self.depth -= 1;
        end
    }

    pub(super) fn dollar_inner(&mut self, p: usize, out: &mut Vec<u8>) -> usize {
        let n = self.at(p + 1);
        let end = match n {
            b'{' => self.braced(p),
            b'(' if self.at(p + 2) == b'(' => self.arith(p + 3, ArithClose::DoubleParen),
            b'(' => self.subst(p + 2),
            b'[' => self.arith(p + 2, ArithClose::Bracket),
            c if is_ident_start(c) && !self.is_ph(p + 1) => {
                let e = self.ident_end(p + 1);
                // `$_` is a special parameter (the last argument of the previous command).
                if !self.is_ph(e) && (e != p + 2 || c != b'_') {
                    let name = self.text(p + 1, e);
                    self.read(name, Span::new(p, e), false);
                }
                e
            }
            c if c.is_ascii_digit()
                || matches!(c, b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') =>
            {
                p + 2
            }
            _ => p + 1,
        };
        let end = end.clamp(p + 1, self.limit.max(p + 1));
        out.extend_from_slice(&self.s[p..end.min(self.s.len())]);
        end
    }

    /// `${...}` at `p` (the `$`).
    pub(super) fn braced(&mut self, p: usize) -> usize {
        let mut q = p + 2;
        let mut length = false;
        let mut indirect = false;
        if self.at(q) == b'#' && is_ident_start(self.at(q + 1)) {
            length = true;
            q += 1;
        } else if self.at(q) == b'!' && is_ident_start(self.at(q + 1)) {
            indirect = true;
            q += 1;
        }
        let mut name = None;
        let c = self.at(q);
        if is_ident_start(c) && !self.is_ph(q) {
            let e = self.ident_end(q);
            if self.is_ph(e) {
                q = e;
                while q < self.limit && (self.is_ph(q) || is_ident(self.s[q])) {
                    q += 1;
                }
            } else {
                name = Some(self.text(q, e));
                q = e;
            }
        } else if c.is_ascii_digit() {
            while self.at(q).is_ascii_digit() {
                q += 1;
            }
        } else if matches!(c, b'@' | b'*' | b'#' | b'?' | b'-' | b'$' | b'!') {
            q += 1;
        }
        if self.at(q) == b'[' {
            q = self.subscript(q);
        }
        let (guard, assign) = match (self.at(q), self.at(q + 1)) {
            (b':', b'-') | (b':', b'+') | (b'-', _) | (b'+', _) => (true, false),
            (b':', b'=') | (b'=', _) => (true, true),
            _ => (false, false),
        };
        if indirect && matches!(self.at(q), b'*' | b'@') && self.at(q + 1) == b'}' {
            name = None;
        }
        let end = self.operand(q);
        if let Some(name) = name {
            let span = Span::new(p, end);
            if guard || length {
                self.checked.insert(name.clone());
            }
            if assign {
                self.assign(&name, span);
            }
            self.read(name, span, guard || length);
        }
        end
    }

    /// `[...]` subscript at `p`; returns the position after `]`.
    pub(super) fn subscript(&mut self, p: usize) -> usize {
        let mut q = p + 1;
        let mut sink = Vec::new();
        while q < self.limit {
            match self.s[q] {
                b']' => return q + 1,
                b'$' => q = self.dollar(q, &mut sink),
                b'"' => q = self.dquote(q + 1, &mut sink),
                _ => q += 1,
            }
        }
        self.limit
    }

    /// The rest of a `${...}` from `q`: returns the position after the closing `}`.
    pub(super) fn operand(&mut self, mut q: usize) -> usize {
        let mut depth = 0usize;
        let mut sink = Vec::new();
        while q < self.limit {
            match self.s[q] {
                b'}' => {
                    if depth == 0 {
                        return q + 1;
                    }
                    depth -= 1;
                    q += 1;
                }
                b'{' => {
                    depth += 1;
                    q += 1;
                }
                b'\\' => q += 2,
                b'"' => q = self.dquote(q + 1, &mut sink),
                b'$' => q = self.dollar(q, &mut sink),
                b'`' => q = self.backtick(q, &mut sink),
                _ => q += 1,
            }
        }
        self.limit
    }

    /// `$(` ... `)`: `p` after the `(`.
    pub(super) fn subst(&mut self, p: usize) -> usize {
        if self.depth >= MAX_DEPTH {
            // Too deep: skip to the matching parenthesis without analysing.
            let mut depth = 1usize;
            let mut q = p;
            while q < self.limit {
                match self.s[q] {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            return q + 1;
                        }
                    }
                    _ => {}
                }
                q += 1;
            }
            return self.limit;
        }
        self.depth += 1;
        let end = self.lex(p, true);
        self.depth -= 1;
        end
    }

    /// A backquoted command substitution at `p`.
    pub(super) fn backtick(&mut self, p: usize, out: &mut Vec<u8>) -> usize {
        let mut q = p + 1;
        while q < self.limit && self.s[q] != b'`' {
            if self.s[q] == b'\\' {
                q += 1;
            }
            q += 1;
        }
        let close = q.min(self.limit);
        if self.depth < MAX_DEPTH {
            let saved = self.limit;
            self.limit = close;
            self.depth += 1;
            self.lex(p + 1, false);
            self.depth -= 1;
            self.limit = saved;
        }
        let end = (close + 1).min(self.limit);
        out.extend_from_slice(&self.s[p..end]);
        end
    }

    /// Arithmetic from `p` to its close; bare names are reads (or assignments).
    pub(super) fn arith(&mut self, p: usize, close: ArithClose) -> usize {
        let mut depth = 0usize;
        let mut q = p;
        let mut sink = Vec::new();
        while q < self.limit {
            let c = self.s[q];
            match c {
                b'(' => {
                    depth += 1;
                    q += 1;
                }
                b')' => {
                    if depth == 0 {
                        if close == ArithClose::DoubleParen && self.at(q + 1) == b')' {
                            return q + 2;
                        }
                        return q + 1;
                    }
                    depth -= 1;
                    q += 1;
                }
                b']' if close == ArithClose::Bracket && depth == 0 => return q + 1,
                b'$' => q = self.dollar(q, &mut sink),
                b'"' => q = self.dquote(q + 1, &mut sink),
                b'`' => q = self.backtick(q, &mut sink),
                b'\'' => q = self.find(b'\'', q + 1) + 1,
                c if c.is_ascii_digit() || self.is_ph(q) => {
                    while q < self.limit
                        && (is_ident(self.s[q])
                            || matches!(self.s[q], b'#' | b'@')
                            || self.is_ph(q))
                    {
                        q += 1;
                    }
                }
                c if is_ident_start(c) => {
                    let e = self.ident_end(q);
                    if self.is_ph(e) {
                        q = e;
                        continue;
                    }
                    let name = self.text(q, e);
                    let pre = q >= 2 && matches!(&self.s[q - 2..q], b"++" | b"--");
                    let mut r = e;
                    while matches!(self.at(r), b' ' | b'\t') {
                        r += 1;
                    }
                    let (a, b) = (self.at(r), self.at(r + 1));
                    let is_assign = pre
                        || (a == b'=' && b != b'=')
                        || (matches!(a, b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^')
                            && b == b'=')
                        || (a == b'+' && b == b'+' && r == e)
                        || (a == b'-' && b == b'-' && r == e)
                        || (matches!((a, b), (b'<', b'<') | (b'>', b'>'))
                            && self.at(r + 2) == b'=');
                    let span = Span::new(q, e);
                    if is_assign {
                        self.assign(&name, span);
                    } else {
                        self.read(name, span, false);
                    }
                    q = e;
                    if self.at(q) == b'[' {
                        q = self.subscript(q);
                    }
                }
                _ => q += 1,
            }
        }
        self.limit
    }

    // ---- commands ----
}
