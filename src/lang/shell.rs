//! A small lexer for the shell text of `run` steps (bash and POSIX sh).
//!
//! It is not a full parser: it knows enough of the shell's quoting, expansion and command
//! structure to answer what the environment rules ask of a script:
//!
//! - which variables it **reads** (`$VAR`, `${VAR}`, `${VAR:-x}`..., in double quotes, in
//!   unquoted here-documents, in `$(...)` and backquotes, and bare names inside arithmetic
//!   `$(( ))`, `(( ))` and `$[ ]`, where bash reads them as variables too);
//! - which reads cope with an unset value (**guarded**): `${VAR:-x}`, `${VAR-x}`, `${VAR:=x}`,
//!   `${VAR=x}`, `${VAR:+x}`, `${VAR+x}`, `${#VAR}`, a test `[ -z "$VAR" ]`, `[ -n "$VAR" ]`,
//!   `[ "$VAR" ]`, `[[ -v VAR ]]`, `test -z ...`, string comparisons in tests and `case "$VAR"`.
//!   A variable tested for being set (`-z`, `-n`, `-v`, a lone operand, or given a default) is
//!   treated as checked in the whole script, so its other reads are guarded as well.
//!   `${VAR:?msg}` and `${VAR?msg}` are **not** guarded: they stop the script when the variable
//!   is unset, which is exactly the run-time failure the rules warn about;
//! - which variables it **assigns**, and where (`X=`, `X+=`, `export X=`, `declare`, `local`,
//!   `readonly`, `typeset`, `read`, `mapfile`/`readarray`, `getopts`, `printf -v`, `let`,
//!   `for X in`, `select X in`, arithmetic assignments, `${X:=y}`). `export X` without a value
//!   assigns nothing;
//! - which variables it writes to `$BASH_ENV` for later steps (`echo 'export X=1' >> $BASH_ENV`,
//!   `printf`, `cat <<EOF >> $BASH_ENV`, `... | tee -a $BASH_ENV`, `{ ...; } >> $BASH_ENV`): the
//!   written text is itself analysed and its assignments are the exported names.
//!
//! Not reads: single-quoted text, `\$`, `$$`, `$0`..`$9`, `$@`, `$*`, `$?`, `$!`, `$#`, `$-`,
//! `${!prefix*}`, quoted here-documents (`<<'EOF'`, `<<"EOF"`, `<<\EOF`) and comments.
//!
//! CircleCI's `<< parameters.x >>`, `<< pipeline.x >>`, `<< matrix.x >>` and `<<include(f)>>`
//! are replaced by opaque placeholders before lexing (never taken for here-documents); a name
//! that runs into a placeholder (`$FOO_<< parameters.x >>`) is not known and not reported.
//!
//! All spans are byte ranges relative to the script.

use crate::base::span::Span;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// One read of a variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRead {
    pub name: String,
    /// The whole reference: `$NAME`, `${NAME...}`, or the bare name in arithmetic.
    pub span: Span,
    /// The read copes with an unset value (a default, a test...).
    pub guarded: bool,
    /// The read is inside a function body (which may run after later assignments).
    pub in_function: bool,
}

/// One assignment (or a variable written to `$BASH_ENV`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    /// The assigning word (or command); the variable is set from the end of this span on.
    pub span: Span,
}

/// What a script reads and sets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShellFacts {
    /// In source order.
    pub reads: Vec<VarRead>,
    pub assignments: Vec<Assignment>,
    /// Names the script writes to `$BASH_ENV`: set in the job's later steps.
    pub bash_env_writes: Vec<Assignment>,
    /// The script writes text cilint cannot see to `$BASH_ENV` (`tool env >> $BASH_ENV`), so
    /// later steps may have any variable.
    pub opaque_bash_env: bool,
    /// From this offset on, the script may have set variables cilint cannot see (`eval`,
    /// `source` of a file): its later reads are not reported.
    pub opaque_from: Option<u32>,
    /// Function bodies.
    pub functions: Vec<Span>,
}

impl ShellFacts {
    /// Is `name` assigned by the script before byte offset `at`?
    pub fn is_set_before(&self, name: &str, at: u32) -> bool {
        self.assignments
            .iter()
            .any(|a| a.name == name && a.span.end <= at)
    }

    /// Is `name` assigned anywhere in the script?
    pub fn assigns(&self, name: &str) -> bool {
        self.assignments.iter().any(|a| a.name == name)
    }

    /// Reads that may see an unset variable as far as the script itself goes: not guarded,
    /// and not assigned earlier in the script (for a read in a function body: nowhere in it).
    pub fn unset_reads(&self) -> impl Iterator<Item = &VarRead> {
        self.reads.iter().filter(move |r| {
            let after_opaque = self
                .opaque_from
                .is_some_and(|at| r.in_function || r.span.start >= at);
            !r.guarded
                && !after_opaque
                && if r.in_function {
                    !self.assigns(&r.name)
                } else {
                    !self.is_set_before(&r.name, r.span.start)
                }
        })
    }
}

/// Analyse a script.
pub fn analyze(script: &str) -> ShellFacts {
    analyze_depth(script, 0)
}

fn analyze_depth(script: &str, depth: usize) -> ShellFacts {
    let (buf, ph) = mask_placeholders(script);
    let mut lx = Lexer {
        s: &buf,
        ph: &ph,
        limit: buf.len(),
        depth,
        facts: ShellFacts::default(),
        checked: BTreeSet::new(),
        bodies: Vec::new(),
    };
    lx.lex(0, false);
    lx.finish()
}

/// The spans of CircleCI's `<< ... >>` parameter references in a text.
pub fn placeholder_spans(text: &str) -> Vec<Span> {
    mustache()
        .find_iter(text)
        .map(|m| Span::new(m.start(), m.end()))
        .collect()
}

fn mustache() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"<<\s*[#/^]?\s*(?:(?:parameters|pipeline|matrix)\.[A-Za-z0-9_.\-]+|include\([^)\n]*\))\s*>>",
        )
        .expect("valid regex")
    })
}

/// Replace `<< ... >>` references by `0`s of the same length (so offsets are kept and no
/// name or here-document can be made of them), with a mask of the replaced bytes.
fn mask_placeholders(script: &str) -> (Vec<u8>, Vec<bool>) {
    let mut buf = script.as_bytes().to_vec();
    let mut ph = vec![false; buf.len()];
    for m in mustache().find_iter(script) {
        for i in m.range() {
            buf[i] = b'0';
            ph[i] = true;
        }
    }
    (buf, ph)
}

const MAX_DEPTH: usize = 64;

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// A valid shell variable name.
pub fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && is_ident_start(b[0]) && b.iter().all(|&c| is_ident(c))
}

fn is_meta(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>'
    )
}

const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time",
    "esac", "function", "coproc",
];

#[derive(Debug)]
struct Word {
    start: usize,
    end: usize,
    cooked: String,
    quoted: bool,
    /// Indices into `facts.reads` of the reads made inside this word.
    reads: (usize, usize),
}

impl Word {
    fn span(&self) -> Span {
        Span::new(self.start, self.end)
    }

    fn is(&self, s: &str) -> bool {
        !self.quoted && self.cooked == s
    }
}

#[derive(Debug)]
enum Tok {
    Word(Word),
    Op(&'static str),
    Redir(&'static str),
    /// A here-document: index into `bodies`.
    Heredoc(usize),
}

struct PendingHeredoc {
    delim: Vec<u8>,
    quoted: bool,
    strip_tabs: bool,
    body: usize,
}

#[derive(Default)]
struct Level {
    pending: Vec<PendingHeredoc>,
    dbracket: bool,
    case_depth: usize,
    paren: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ArithClose {
    DoubleParen,
    Bracket,
}

struct Lexer<'a> {
    s: &'a [u8],
    ph: &'a [bool],
    limit: usize,
    depth: usize,
    facts: ShellFacts,
    checked: BTreeSet<String>,
    bodies: Vec<Vec<u8>>,
}

impl Lexer<'_> {
    fn at(&self, p: usize) -> u8 {
        if p < self.limit { self.s[p] } else { 0 }
    }

    fn is_ph(&self, p: usize) -> bool {
        self.ph.get(p).copied().unwrap_or(false)
    }

    fn ident_end(&self, mut p: usize) -> usize {
        while p < self.limit && is_ident(self.s[p]) && !self.is_ph(p) {
            p += 1;
        }
        p
    }

    fn text(&self, a: usize, b: usize) -> String {
        String::from_utf8_lossy(&self.s[a.min(b)..b]).into_owned()
    }

    fn read(&mut self, name: String, span: Span, guarded: bool) {
        self.facts.reads.push(VarRead {
            name,
            span,
            guarded,
            in_function: false,
        });
    }

    fn assign(&mut self, name: &str, span: Span) {
        self.facts.assignments.push(Assignment {
            name: name.to_string(),
            span,
        });
    }

    fn finish(mut self) -> ShellFacts {
        let checked = std::mem::take(&mut self.checked);
        let functions = self.facts.functions.clone();
        for r in &mut self.facts.reads {
            if checked.contains(&r.name) {
                r.guarded = true;
            }
            r.in_function = functions
                .iter()
                .any(|f| f.start <= r.span.start && r.span.end <= f.end);
        }
        self.facts.reads.sort_by_key(|r| (r.span.start, r.span.end));
        self.facts.assignments.sort_by_key(|a| a.span.start);
        self.facts
    }

    /// Lex a command list from `p` (to the limit, or to the `)` closing a `$(`), analyse its
    /// commands, and return where it ends.
    fn lex(&mut self, mut p: usize, stop_paren: bool) -> usize {
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
    fn word(&mut self, p: usize, dbr: bool, toks: &mut Vec<Tok>, lvl: &mut Level) -> usize {
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

    fn redirection(&mut self, p: usize, toks: &mut Vec<Tok>, lvl: &mut Level) -> usize {
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
    fn read_heredocs(&mut self, mut p: usize, lvl: &mut Level) -> usize {
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
    fn heredoc_expand(&mut self, a: usize, b: usize) -> Vec<u8> {
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

    fn lex_word(&mut self, mut p: usize, dbr: bool) -> Word {
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
    fn find(&self, c: u8, p: usize) -> usize {
        if p >= self.limit {
            return self.limit;
        }
        self.s[p..self.limit]
            .iter()
            .position(|&x| x == c)
            .map_or(self.limit, |i| p + i)
    }

    /// `name=( ... )`: `p` at `(`.
    fn array_literal(&mut self, p: usize, out: &mut Vec<u8>) -> usize {
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
    fn dquote(&mut self, mut p: usize, out: &mut Vec<u8>) -> usize {
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
    fn dollar(&mut self, p: usize, out: &mut Vec<u8>) -> usize {
        if self.depth >= MAX_DEPTH {
            out.push(b'$');
            return p + 1;
        }
        self.depth += 1;
        let end = self.dollar_inner(p, out);
        self.depth -= 1;
        end
    }

    fn dollar_inner(&mut self, p: usize, out: &mut Vec<u8>) -> usize {
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
    fn braced(&mut self, p: usize) -> usize {
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
    fn subscript(&mut self, p: usize) -> usize {
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
    fn operand(&mut self, mut q: usize) -> usize {
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
    fn subst(&mut self, p: usize) -> usize {
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
    fn backtick(&mut self, p: usize, out: &mut Vec<u8>) -> usize {
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
    fn arith(&mut self, p: usize, close: ArithClose) -> usize {
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

    fn commands(&mut self, toks: &[Tok]) {
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

    fn find_functions(&mut self, toks: &[Tok]) {
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
    fn simple_command(
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
    fn opaque_from(&mut self, span: Span) {
        if self.facts.opaque_from.is_none_or(|at| span.start < at) {
            self.facts.opaque_from = Some(span.start);
        }
    }

    fn read_builtin(&mut self, args: &[&Word]) {
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

    fn test_guards(&mut self, operands: &[&Word]) {
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

    fn guard_word(&mut self, w: &Word, check: bool) {
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
    fn bash_env_text(&mut self, text: &[u8], span: Span) {
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
fn assignment_name(raw: &[u8]) -> Option<String> {
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

fn is_assign_prefix(raw: &[u8]) -> bool {
    let raw = raw.strip_suffix(b"+").unwrap_or(raw);
    !raw.is_empty() && is_ident_start(raw[0]) && raw.iter().all(|&c| is_ident(c))
}

/// The text `printf FORMAT ARGS...` prints (approximately: `%s`-like conversions take the
/// arguments in order, `\n` is a newline).
fn printf_text(args: &[&Word]) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(s: &str) -> Vec<(String, bool)> {
        analyze(s)
            .reads
            .into_iter()
            .map(|r| (r.name, r.guarded))
            .collect()
    }

    fn names(s: &str) -> Vec<String> {
        analyze(s).reads.into_iter().map(|r| r.name).collect()
    }

    fn unset(s: &str) -> Vec<String> {
        let f = analyze(s);
        f.unset_reads().map(|r| r.name.clone()).collect()
    }

    fn assigned(s: &str) -> Vec<String> {
        analyze(s).assignments.into_iter().map(|a| a.name).collect()
    }

    fn bash_env(s: &str) -> Vec<String> {
        analyze(s)
            .bash_env_writes
            .into_iter()
            .map(|a| a.name)
            .collect()
    }

    #[test]
    fn simple_reads_with_spans() {
        let s = "echo $FOO ${BAR} \"$BAZ\" x${QUX}y";
        let f = analyze(s);
        let got: Vec<(&str, &str)> = f
            .reads
            .iter()
            .map(|r| (r.name.as_str(), r.span.slice(s)))
            .collect();
        assert_eq!(
            got,
            vec![
                ("FOO", "$FOO"),
                ("BAR", "${BAR}"),
                ("BAZ", "$BAZ"),
                ("QUX", "${QUX}")
            ]
        );
        assert!(f.reads.iter().all(|r| !r.guarded));
    }

    #[test]
    fn not_reads() {
        assert!(names("echo '$FOO' \\$BAR $$ $1 $9 $@ $* $? $! $# $- $0").is_empty());
        assert!(names("# echo $FOO\necho hi # $BAR").is_empty());
        assert!(names("echo ${1} ${10} ${#} ${@} ${!prefix*} ${!prefix@}").is_empty());
        assert!(names("mkdir x && cd $_").is_empty());
        assert_eq!(names("echo $_X $X_"), vec!["_X", "X_"]);
        assert!(names("echo \"\\$X\" 'a'\"\"").is_empty());
        assert!(names("echo $'it\\'s $X'").is_empty());
        assert!(names("echo $((1 + 2)) $[3*4] $((0x1f + 16#ff))").is_empty());
        assert!(names("echo a#$b").contains(&"b".to_string()));
    }

    #[test]
    fn defaults_and_tests_are_guarded() {
        assert_eq!(
            reads("echo ${A:-x} ${B-x} ${C:=x} ${D=x} ${E:+x} ${F+x} ${#G}"),
            ["A", "B", "C", "D", "E", "F", "G"]
                .iter()
                .map(|n| (n.to_string(), true))
                .collect::<Vec<_>>()
        );
        // `:?` fails the script when unset: not guarded.
        assert_eq!(
            reads("echo ${A:?missing} ${B?x}"),
            vec![("A".into(), false), ("B".into(), false)]
        );
        assert!(unset("if [ -z \"$TOKEN\" ]; then exit 1; fi; curl -H \"$TOKEN\"").is_empty());
        assert!(unset("[ -n \"${X}\" ] && echo $X").is_empty());
        assert!(unset("if [ \"$X\" ]; then echo $X; fi").is_empty());
        assert!(unset("if [[ -v X ]]; then echo $X; fi").is_empty());
        assert!(unset("if [[ -z $A && -n $B ]]; then :; fi").is_empty());
        assert!(unset("test -z \"$X\" || echo $X").is_empty());
        assert!(unset("if [ ! -z \"$X\" ]; then echo $X; fi").is_empty());
        assert!(unset("if [ \"$BR\" = \"main\" ]; then :; fi").is_empty());
        assert!(unset("[[ $BR == main ]] && echo ok").is_empty());
        assert!(unset("case \"$MODE\" in a) echo a;; *) echo b;; esac").is_empty());
        assert!(unset(": ${X:=default}; echo $X").is_empty());
        // A default in one place makes the variable known to be optional.
        assert!(unset("echo ${X:-}; echo $X").is_empty());
        // A numeric comparison still needs the value.
        assert_eq!(unset("[ $N -gt 3 ]"), vec!["N"]);
        assert_eq!(unset("[ -f \"$CFG\" ]"), vec!["CFG"]);
    }

    #[test]
    fn parameter_operators_are_reads() {
        assert_eq!(
            reads("echo ${A#x} ${B%y} ${C/a/b} ${D^^} ${E:0:3} ${F[@]} ${!G}"),
            ["A", "B", "C", "D", "E", "F", "G"]
                .iter()
                .map(|n| (n.to_string(), false))
                .collect::<Vec<_>>()
        );
        // Reads inside operands.
        assert_eq!(names("echo ${A:-$B}"), vec!["A", "B"]);
        assert_eq!(names("echo \"${A:-${B}}\""), vec!["A", "B"]);
    }

    #[test]
    fn arithmetic() {
        assert_eq!(names("echo $((COUNT + 1))"), vec!["COUNT"]);
        assert_eq!(names("echo $[N*2]"), vec!["N"]);
        assert_eq!(names("echo $(( $X + Y ))"), vec!["X", "Y"]);
        assert!(unset("for ((i=0; i<3; i++)); do echo $i; done").is_empty());
        assert!(unset("(( n += 1 )); echo $n").is_empty());
        assert!(unset("let k=3; echo $k").is_empty());
        assert_eq!(
            unset("echo $(( CIRCLE_NODE_INDEX + 1 ))"),
            vec!["CIRCLE_NODE_INDEX"]
        );
    }

    #[test]
    fn command_substitution_and_backticks() {
        assert_eq!(names("X=$(curl \"$URL\" | jq .a)"), vec!["URL"]);
        assert_eq!(names("X=`echo $A`"), vec!["A"]);
        assert_eq!(names("echo \"$(echo \"$B\")\""), vec!["B"]);
        assert_eq!(
            names("echo $(case $Q in a) echo $R;; esac) $S"),
            vec!["Q", "R", "S"]
        );
        assert_eq!(names("diff <(echo $P) >(cat)"), vec!["P"]);
    }

    #[test]
    fn heredocs() {
        let s = "cat <<EOF\nhello $NAME \\$NOT\nEOF\necho $AFTER";
        assert_eq!(names(s), vec!["NAME", "AFTER"]);
        assert_eq!(names("cat <<'EOF'\n$NO\nEOF\necho $YES"), vec!["YES"]);
        assert_eq!(names("cat <<\"EOF\"\n$NO\nEOF\n"), Vec::<String>::new());
        assert_eq!(names("cat <<\\EOF\n$NO\nEOF\n"), Vec::<String>::new());
        assert_eq!(names("cat <<-EOF\n\t$A\n\tEOF\necho $B"), vec!["A", "B"]);
        // Two here-documents on one line.
        assert_eq!(
            names("cat <<A <<'B'\n$X\nA\n$Y\nB\necho $Z"),
            vec!["X", "Z"]
        );
        // Quotes are literal in a here-document body.
        assert_eq!(names("cat <<EOF\nit's $V\nEOF"), vec!["V"]);
    }

    #[test]
    fn circleci_placeholders_are_not_heredocs() {
        let s = "echo << parameters.msg >> $A\nX=<<pipeline.git.branch>>\necho $X $B";
        assert_eq!(unset(s), vec!["A", "B"]);
        assert!(names("echo $<< parameters.var >> ${<< parameters.v >>}").is_empty());
        // A name running into a placeholder is unknown.
        assert!(names("echo $FOO_<< parameters.suffix >> ${BAR<< matrix.x >>}").is_empty());
        assert_eq!(names("echo \"$HOME/<< parameters.dir >>\""), vec!["HOME"]);
        assert_eq!(
            placeholder_spans("a << parameters.x >> b <<include(s.sh)>>").len(),
            2
        );
        // Sections: `<<# parameters.x >>...<</ parameters.x >>`.
        assert_eq!(
            placeholder_spans("a <<#parameters.on>> --on <</parameters.on>> <<^ parameters.y >>")
                .len(),
            3
        );
    }

    #[test]
    fn assignments() {
        assert_eq!(
            assigned("A=1; B+=2; C[0]=x; export D=1; export E; declare F; local G=1; readonly H=2"),
            vec!["A", "B", "C", "D", "F", "G", "H"]
        );
        assert_eq!(
            assigned("read X; read -r Y Z; read -p 'prompt' W; read -a ARR; mapfile -t LINES < f"),
            vec!["X", "Y", "Z", "W", "ARR", "LINES"]
        );
        assert_eq!(
            assigned(
                "for f in *; do :; done; select s in a b; do :; done; getopts ab opt; printf -v P '%s' x; typeset -i T=1; arr=(a $B c)"
            ),
            vec!["f", "s", "opt", "P", "T", "arr"]
        );
        // A prefix assignment is for that command only.
        assert!(assigned("FOO=bar make build").is_empty());
        assert!(assigned("echo X=1; \"Y\"=2").is_empty());
    }

    #[test]
    fn order_matters() {
        assert_eq!(unset("echo $X; X=1; echo $X"), vec!["X"]);
        assert_eq!(unset("X=$X:more"), vec!["X"]);
        assert!(unset("export VERSION=$(cat v)\necho \"$VERSION\"").is_empty());
        assert!(unset("while read -r line; do echo \"$line\"; done < f").is_empty());
        // Function bodies run when called: an assignment anywhere counts.
        assert!(unset("f() {\n  echo $LATER\n}\nLATER=1\nf").is_empty());
        assert!(unset("function g {\n echo $L2; }\nL2=1; g").is_empty());
        assert_eq!(unset("f() { echo $NEVER; }\nf"), vec!["NEVER"]);
        assert!(unset("f() { echo \"$1\"; }").is_empty());
    }

    #[test]
    fn bash_env_writes() {
        assert_eq!(bash_env("echo 'export A=1' >> $BASH_ENV"), vec!["A"]);
        assert_eq!(bash_env("echo \"export B=$X\" >> \"$BASH_ENV\""), vec!["B"]);
        assert_eq!(bash_env("echo export C=1 >> ${BASH_ENV}"), vec!["C"]);
        assert_eq!(bash_env("echo 'D=1' >> $BASH_ENV"), vec!["D"]);
        assert_eq!(
            bash_env("printf 'export E=%s\\n' \"$V\" >> \"$BASH_ENV\""),
            vec!["E"]
        );
        assert_eq!(
            bash_env("cat >> $BASH_ENV <<EOF\nexport F=1\nexport G=\"$H\"\nEOF\n"),
            vec!["F", "G"]
        );
        assert_eq!(
            bash_env("cat <<'EOF' >> $BASH_ENV\nexport PATH=$PATH:/x\nexport I=2\nEOF"),
            vec!["PATH", "I"]
        );
        assert_eq!(bash_env("echo 'export J=1' | tee -a $BASH_ENV"), vec!["J"]);
        assert_eq!(
            bash_env("{\n  echo 'export K=1'\n  echo \"export L=2\"\n} >> \"$BASH_ENV\""),
            vec!["K", "L"]
        );
        assert_eq!(
            bash_env("echo \"export M=$(git rev-parse HEAD)\" >> $BASH_ENV"),
            vec!["M"]
        );
        assert!(bash_env("echo 'export N=1' >> other.env").is_empty());
        // Not set in the same step, unless BASH_ENV is sourced again.
        assert_eq!(
            unset("echo 'export O=1' >> $BASH_ENV; echo $O"),
            vec!["BASH_ENV", "O"]
        );
        assert_eq!(
            unset("echo 'export O=1' >> $BASH_ENV; source $BASH_ENV; echo $O"),
            vec!["BASH_ENV", "BASH_ENV"]
        );
    }

    #[test]
    fn bracket_tests_are_not_command_separators() {
        assert!(unset("[[ -n \"$A\" || -n \"$B\" ]] && echo $A $B").is_empty());
        assert_eq!(unset("[[ $X =~ ^(a|b)$ ]]; echo $Y"), vec!["Y"]);
    }

    #[test]
    fn redirections_and_fds() {
        assert_eq!(names("cmd 2>&1 >$OUT <<<\"$IN\""), vec!["OUT", "IN"]);
        assert!(assigned("cmd 2>/dev/null").is_empty());
    }

    #[test]
    fn messy_input_never_panics() {
        for s in [
            "",
            "$",
            "${",
            "$(",
            "$((",
            "`",
            "'",
            "\"",
            "<<",
            "<<EOF",
            "${A:-",
            "$[",
            "((",
            "a=(",
            "echo \"$(",
            "cat <<EOF\n$(",
            "${!",
            "${#",
            "\\",
            "x=\\",
            "case",
            "[[",
            "f() {",
            "echo ${A[",
            "$'",
            "$\"",
            "((a",
            "$((a++",
            "{ echo 'export A' ; } >> $BASH_ENV",
        ] {
            let _ = analyze(s);
        }
        let deep = "$(".repeat(500);
        let _ = analyze(&deep);
        let deep = "`echo $(".repeat(200);
        let _ = analyze(&deep);
        let deep = "${A:-".repeat(500);
        let _ = analyze(&deep);
    }

    #[test]
    fn utf8_text() {
        let s = "echo \"héllo $NAME ✓\" ${ÉTÉ}";
        let f = analyze(s);
        assert_eq!(f.reads[0].span.slice(s), "$NAME");
    }
}
