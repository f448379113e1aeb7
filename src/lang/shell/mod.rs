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

mod commands;
mod lexer;
pub mod pipeline;

use crate::base::span::Span;
use commands::*;
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
    /// The variables of `for NAME in ...` and `select NAME in ...` loops (also assignments):
    /// each takes the words listed.
    pub loop_variables: Vec<String>,
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
            // `X="$X:more"` extends X, empty or not: not a read that needs X set.
            let extends = self
                .assignments
                .iter()
                .any(|a| a.name == r.name && a.span.contains(r.span));
            !r.guarded
                && !after_opaque
                && !extends
                && if r.in_function {
                    !self.assigns(&r.name)
                } else {
                    !self.is_set_before(&r.name, r.span.start)
                }
        })
    }
}

/// Whether a script is plainly PowerShell, whatever shell the job is thought to run: a line
/// that starts by assigning a `$variable` (`$dir = "$Env:TEMP"`, which no POSIX shell reads as
/// an assignment) or a use of `$Env:NAME` / `$env:NAME`. Steps of jobs whose executor is a
/// parameter can run on Windows without cilint knowing.
pub fn looks_like_powershell(script: &str) -> bool {
    script.contains("$env:")
        || script.contains("$Env:")
        || script.contains("$ENV:")
        || script.lines().any(|line| {
            let t = line.trim_start();
            let Some(rest) = t.strip_prefix('$') else {
                return false;
            };
            let name_len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            name_len > 0
                && rest[name_len..]
                    .trim_start()
                    .strip_prefix('=')
                    .is_some_and(|after| !after.starts_with('='))
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powershell_is_recognised() {
        assert!(looks_like_powershell(
            "$installer_dir = \"$Env:TEMP\"\necho hi"
        ));
        assert!(looks_like_powershell("Write-Host $env:PATH"));
        assert!(!looks_like_powershell(
            "X=1\necho $X\nif [ \"$A\" = b ]; then :; fi"
        ));
        assert!(!looks_like_powershell("$CMD == x"));
    }

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
        // Extending a variable (`PATH=$PATH:...`) reads it where it is set: not reported.
        assert!(unset("X=$X:more").is_empty());
        // The same written for a later step: an extension, not a read of an unset variable.
        assert_eq!(
            unset("echo \"export LD_LIBRARY_PATH=/opt/lib:$LD_LIBRARY_PATH\" >> $BASH_ENV"),
            vec!["BASH_ENV"]
        );
        assert!(unset("echo 'export P=/a'\"$P\"").len() == 1);
        assert_eq!(unset("echo MYX=1 $X"), vec!["X"]);
        assert_eq!(unset("echo X= $X"), vec!["X"]);
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
