use super::*;
use crate::base::span::LineIndex;
use std::time::{Duration, Instant};

fn text(src: &str, span: Span) -> &str {
    span.slice(src)
}

fn root(src: &str) -> Node {
    let doc = parse(src);
    assert!(
        doc.findings.is_empty(),
        "unexpected diagnostics: {:#?}",
        doc.findings
    );
    doc.root.expect("a root")
}

/// (line, column, rule, message) of every diagnostic.
fn findings(src: &str) -> Vec<(usize, usize, &'static str, String)> {
    let doc = parse(src);
    let idx = LineIndex::new(src);
    doc.findings
        .iter()
        .map(|d| {
            let lc = idx.line_col(src, d.span().start as usize);
            let rule = match d.kind {
                Problem::Syntax => "yaml-syntax",
                Problem::Limit => "yaml-limits",
                Problem::DuplicateKey => "duplicate-key",
            };
            (lc.line, lc.column, rule, d.message.clone())
        })
        .collect()
}

/// The only diagnostic of a source that must fail with `yaml-syntax`.
fn syntax_error(src: &str) -> (usize, usize, YamlFinding) {
    let doc = parse(src);
    assert!(doc.root.is_none(), "a failed load has no root");
    assert_eq!(doc.findings.len(), 1, "{:#?}", doc.findings);
    let d = doc.findings.into_iter().next().expect("one");
    assert_eq!(d.kind, Problem::Syntax);
    assert_eq!(d.severity, None, "the rule\'s default severity");
    assert!(d.help.is_some(), "every syntax error has a help");
    let idx = LineIndex::new(src);
    let lc = idx.line_col(src, d.span().start as usize);
    (lc.line, lc.column, d)
}

// ---------------------------------------------------------------- spans

#[test]
fn spans_of_keys_values_and_collections() {
    let src = "version: 2.1\njobs:\n  build:\n    steps: [checkout, {run: make}]\n    shell: \"bash -e\" # c\n";
    let r = root(src);
    assert_eq!(
        text(src, r.span),
        src.trim_end_matches('\n').replace(" # c", "")
    );
    let (k, v) = r.entry("version").unwrap();
    assert_eq!(text(src, k.span), "version");
    assert_eq!(text(src, v.span), "2.1");
    let (k, jobs) = r.entry("jobs").unwrap();
    assert_eq!(text(src, k.span), "jobs");
    assert_eq!(
        text(src, jobs.span),
        "build:\n    steps: [checkout, {run: make}]\n    shell: \"bash -e\""
    );
    let build = jobs.get("build").unwrap();
    assert_eq!(
        text(src, build.span),
        "steps: [checkout, {run: make}]\n    shell: \"bash -e\""
    );
    let steps = build.get("steps").unwrap();
    assert_eq!(text(src, steps.span), "[checkout, {run: make}]");
    let items = steps.as_seq().unwrap();
    assert_eq!(text(src, items[0].span), "checkout");
    assert_eq!(text(src, items[1].span), "{run: make}");
    let (k, v) = items[1].entry("run").unwrap();
    assert_eq!((text(src, k.span), text(src, v.span)), ("run", "make"));
    let shell = build.get("shell").unwrap();
    assert_eq!(text(src, shell.span), "\"bash -e\"");
    assert_eq!(shell.as_str(), Some("bash -e"));
    assert_eq!(shell.as_scalar().unwrap().style, ScalarStyle::DoubleQuoted);
}

#[test]
fn spans_of_block_sequences_and_nested_mappings() {
    let src = "steps:\n  - checkout\n  - run:\n      name: x\n      command: y\nafter: 1\n";
    let r = root(src);
    let steps = r.get("steps").unwrap();
    assert_eq!(
        text(src, steps.span),
        "- checkout\n  - run:\n      name: x\n      command: y"
    );
    let step = &steps.as_seq().unwrap()[1];
    assert_eq!(
        text(src, step.span),
        "run:\n      name: x\n      command: y"
    );
    assert_eq!(
        text(src, step.get("run").unwrap().span),
        "name: x\n      command: y"
    );
}

#[test]
fn spans_of_block_scalars_start_at_the_header() {
    let src = "a: |\n  one\n  two\nb: >-\n  f\n  g\n\nc: 1\n";
    let r = root(src);
    let a = r.get("a").unwrap();
    assert_eq!(text(src, a.span), "|\n  one\n  two");
    assert_eq!(a.as_str(), Some("one\ntwo\n"));
    assert_eq!(a.as_scalar().unwrap().style, ScalarStyle::Literal);
    let b = r.get("b").unwrap();
    assert_eq!(text(src, b.span), ">-\n  f\n  g");
    assert_eq!(b.as_str(), Some("f g"));
    assert_eq!(b.as_scalar().unwrap().style, ScalarStyle::Folded);
    // A header on its own line, after a comment that contains `>`.
    let src = "a: # x > y\n  |\n    text\n";
    let r = root(src);
    assert_eq!(text(src, r.get("a").unwrap().span), "|\n    text");
}

#[test]
fn empty_values_are_null_with_an_empty_text() {
    let src = "a:\nb: ~\nc: null\nd: ''\n";
    let r = root(src);
    let a = r.get("a").unwrap();
    assert!(a.is_null());
    assert_eq!(a.scalar_text(), Some(""));
    assert_eq!(a.span, Span::empty(2), "just after the colon");
    let src = "m:\n  x: 1\n  y:\n";
    let m = root(src);
    assert_eq!(text(src, m.get("m").unwrap().span), "x: 1\n  y:");
    assert!(r.get("b").unwrap().is_null());
    assert!(r.get("c").unwrap().is_null());
    assert_eq!(r.get("d").unwrap().as_str(), Some(""));
}

#[test]
fn spans_are_byte_offsets_with_multibyte_characters() {
    let src = "名前: \"ünï\"\nkey: 日本語 テキスト\nlist: [é, 🎉]\n";
    let r = root(src);
    let (k, v) = r.entry("名前").unwrap();
    assert_eq!(k.span, Span::new(0, "名前".len()));
    assert_eq!(text(src, v.span), "\"ünï\"");
    assert_eq!(v.as_str(), Some("ünï"));
    let (k, v) = r.entry("key").unwrap();
    assert_eq!(text(src, k.span), "key");
    assert_eq!(text(src, v.span), "日本語 テキスト");
    let list = r.get("list").unwrap().as_seq().unwrap();
    assert_eq!(text(src, list[1].span), "🎉");
    // Reports count columns in characters.
    let idx = LineIndex::new(src);
    let lc = idx.line_col(src, list[1].span.start as usize);
    assert_eq!((lc.line, lc.column), (3, 11));
}

#[test]
fn crlf_line_ends_give_clean_values_and_columns() {
    let src = "a: 1\r\nb: |\r\n  x\r\n  y\r\nc: \"p\r\n  q\"\r\nd:\r\n  - e  \r\n";
    let r = root(src);
    assert_eq!(r.get("a").unwrap().as_i64(), Some(1));
    assert_eq!(r.get("b").unwrap().as_str(), Some("x\ny\n"));
    assert_eq!(r.get("c").unwrap().as_str(), Some("p q"));
    let e = &r.get("d").unwrap().as_seq().unwrap()[0];
    assert_eq!(e.as_str(), Some("e"));
    let idx = LineIndex::new(src);
    let lc = idx.line_col(src, e.span.start as usize);
    assert_eq!((lc.line, lc.column), (8, 5));
    let (c, _) = r.entry("c").unwrap();
    let lc = idx.line_col(src, c.span.start as usize);
    assert_eq!((lc.line, lc.column), (5, 1));
    assert!(!text(src, r.get("b").unwrap().span).ends_with('\r'));
}

// ---------------------------------------------------------------- decoding

#[test]
fn decode_strips_the_byte_order_mark() {
    let bytes = b"\xEF\xBB\xBFversion: 2.1\njobs: {}\n";
    let src = decode(bytes).unwrap();
    assert_eq!(src, "version: 2.1\njobs: {}\n");
    let r = root(&src);
    let (k, _) = r.entry("version").unwrap();
    assert_eq!(k.span, Span::new(0, 7));
    let idx = LineIndex::new(&src);
    assert_eq!(idx.line_col(&src, k.span.start as usize).column, 1);
}

#[test]
fn decode_refuses_nul_bytes() {
    let d = decode(b"a: 1\nb: x\0y\n").unwrap_err();
    assert_eq!(d.kind, Problem::Syntax);
    assert_eq!(d.severity, None, "the rule\'s default severity");
    assert_eq!(d.span(), Span::new(9, 10));
    assert!(d.message.contains("line 2, column 5"), "{}", d.message);
    assert!(d.help.as_deref().unwrap().contains("UTF-8"));
}

#[test]
fn decode_refuses_invalid_utf8_and_points_at_the_first_bad_byte() {
    let bytes = b"a: 1\nname: caf\xE9 au lait\n\xFF\n";
    let d = decode(bytes).unwrap_err();
    assert_eq!(d.kind, Problem::Syntax);
    assert_eq!(d.severity, None, "the rule\'s default severity");
    assert!(
        d.message.contains("line 2, column 10") && d.message.contains("0xE9"),
        "{}",
        d.message
    );
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("save the file as UTF-8")
    );
    let lossy = lossy_text(bytes);
    assert_eq!(text(&lossy, d.span()), "\u{FFFD}");
    assert_eq!(d.span().start, 14);
}

#[test]
fn decode_names_utf16() {
    let d = decode(b"\xFF\xFEa\0:\0").unwrap_err();
    assert!(d.message.contains("UTF-16"), "{}", d.message);
}

// ---------------------------------------------------------------- documents, comments

#[test]
fn empty_file_and_comment_only_file_have_no_root() {
    for src in ["", "\n\n", "# only a comment\n# and another\n", "   "] {
        let doc = parse(src);
        assert!(doc.root.is_none(), "{src:?}");
        assert!(doc.findings.is_empty(), "{src:?}: {:?}", doc.findings);
    }
    assert_eq!(parse("# a\n# b\n").comments.len(), 2);
    // An explicit empty document is a null.
    let doc = parse("---\n");
    assert!(doc.findings.is_empty());
    assert!(doc.root.unwrap().is_null());
}

#[test]
fn a_leading_document_marker_is_fine() {
    let r = root("---\nversion: 2.1\n...\n");
    assert_eq!(
        r.get("version").unwrap().as_scalar().unwrap().text.as_ref(),
        "2.1"
    );
}

/// CircleCI loads a config with SnakeYAML (its parse errors have SnakeYAML's wording, "mapping
/// values are not allowed here ... in 'string', line 33, column 15"), whose single-document
/// load rejects a stream with another document ("expected a single document in the stream but
/// found another document"). So a second document is an error, on its `---`.
#[test]
fn a_second_document_is_an_error_because_circleci_rejects_it() {
    let src = "version: 2.1\njobs: {}\n---\nother: 1\n";
    let found = findings(src);
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, col, rule, msg) = &found[0];
    assert_eq!((*line, *col, *rule), (3, 1, "yaml-syntax"));
    assert!(msg.contains("second YAML document"), "{msg}");
    let doc = parse(src);
    assert_eq!(
        doc.findings[0].severity, None,
        "the rule\'s default severity"
    );
    assert_eq!(text(src, doc.findings[0].span()), "---");
    // Even an empty second document.
    assert_eq!(findings("a: 1\n---\n").len(), 1);
    // After an end marker, without `---`.
    let src = "a: 1\n...\né: 2\n";
    let doc = parse(src);
    assert_eq!(doc.findings.len(), 1);
    assert_eq!(text(src, doc.findings[0].span()), "é");
}

#[test]
fn comments_are_collected_with_spans_and_text() {
    let src =
        "# top\nversion: 2.1 # cilint: ignore[some-rule]\njobs:\n  # inside\n  a: {} #tight\n";
    let doc = parse(src);
    assert!(doc.root.is_some());
    let got: Vec<(&str, &str)> = doc
        .comments
        .iter()
        .map(|c| (text(src, c.span), c.text.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("# top", " top"),
            ("# cilint: ignore[some-rule]", " cilint: ignore[some-rule]"),
            ("# inside", " inside"),
            ("#tight", "tight"),
        ]
    );
}

#[test]
fn comments_after_the_first_document_are_collected_too() {
    let doc = parse("a: 1\n# trailing\n");
    assert_eq!(doc.comments.len(), 1);
    assert!(doc.root.is_some());
}

// ---------------------------------------------------------------- scalars

/// CircleCI's config compiler reads YAML with SnakeYAML (YAML 1.1): `on`/`yes` are booleans
/// (CircleCI-Public/circleci-cli#1675: a boolean parameter with `default: on` is valid), `y`
/// and `n` are not, `010` is octal, `1_000` is 1000, `1:30` is 90.
#[test]
fn plain_scalars_resolve_as_circleci_reads_them() {
    let cases: &[(&str, ScalarKind)] = &[
        ("~", ScalarKind::Null),
        ("null", ScalarKind::Null),
        ("NULL", ScalarKind::Null),
        ("true", ScalarKind::Bool(true)),
        ("True", ScalarKind::Bool(true)),
        ("TRUE", ScalarKind::Bool(true)),
        ("false", ScalarKind::Bool(false)),
        ("False", ScalarKind::Bool(false)),
        ("yes", ScalarKind::Bool(true)),
        ("on", ScalarKind::Bool(true)),
        ("ON", ScalarKind::Bool(true)),
        ("no", ScalarKind::Bool(false)),
        ("Off", ScalarKind::Bool(false)),
        ("y", ScalarKind::Str),
        ("n", ScalarKind::Str),
        ("tRue", ScalarKind::Str),
        ("0", ScalarKind::Int(0)),
        ("-17", ScalarKind::Int(-17)),
        ("+3", ScalarKind::Int(3)),
        ("1_000", ScalarKind::Int(1000)),
        ("0x1F", ScalarKind::Int(31)),
        ("-0x10", ScalarKind::Int(-16)),
        ("017", ScalarKind::Int(15)),
        ("0b101", ScalarKind::Int(5)),
        ("1:30", ScalarKind::Int(90)),
        ("1:30.5", ScalarKind::Float(90.5)),
        ("2.1", ScalarKind::Float(2.1)),
        ("3.10", ScalarKind::Float(3.1)),
        ("-.5", ScalarKind::Float(-0.5)),
        ("1e3", ScalarKind::Float(1000.0)),
        ("1.", ScalarKind::Float(1.0)),
        ("08", ScalarKind::Float(8.0)),
        (".inf", ScalarKind::Float(f64::INFINITY)),
        ("-.Inf", ScalarKind::Float(f64::NEG_INFINITY)),
        ("0o17", ScalarKind::Str),
        ("0x", ScalarKind::Str),
        ("1.2.3", ScalarKind::Str),
        ("1:70", ScalarKind::Str),
        (".", ScalarKind::Str),
        ("_", ScalarKind::Str),
        ("e3", ScalarKind::Str),
        ("2024-01-01", ScalarKind::Str),
        ("cimg/base:stable", ScalarKind::Str),
        ("cimg/node:16.13", ScalarKind::Str),
    ];
    for (plain, kind) in cases {
        let src = format!("v: {plain}\n");
        let r = root(&src);
        let s = r.get("v").unwrap().as_scalar().unwrap().clone();
        assert_eq!(s.kind, *kind, "{plain}");
        assert_eq!(&*s.text, *plain, "text keeps the written value");
    }
    let nan = root("v: .nan\n");
    assert!(
        matches!(nan.get("v").unwrap().as_scalar().unwrap().kind, ScalarKind::Float(f) if f.is_nan())
    );
    // Too large for i64: a float.
    let big = root("v: 123456789012345678901234567890\n");
    assert!(matches!(
        big.get("v").unwrap().as_scalar().unwrap().kind,
        ScalarKind::Float(_)
    ));
}

#[test]
fn quoted_and_block_scalars_are_always_strings() {
    let r = root("a: \"true\"\nb: '1'\nc: |\n  2\nd: \"\"\n");
    for k in ["a", "b", "c", "d"] {
        assert_eq!(r.get(k).unwrap().type_name(), "a string", "{k}");
    }
    assert_eq!(r.get("b").unwrap().as_str(), Some("1"));
}

#[test]
fn core_tags_override_resolution() {
    let r = root("a: !!str 1\nb: !!int \"2\"\nc: !!float 3\nd: !custom 4\n");
    assert_eq!(r.get("a").unwrap().as_str(), Some("1"));
    assert_eq!(r.get("b").unwrap().as_i64(), Some(2));
    assert!(
        matches!(r.get("c").unwrap().as_scalar().unwrap().kind, ScalarKind::Float(f) if f == 3.0)
    );
    assert_eq!(r.get("d").unwrap().as_i64(), Some(4));
}

#[test]
fn to_json_keeps_order_and_types() {
    let r = root("z: 1\na: [true, ~, 2.5, .inf, -.inf, .nan, \"x\"]\n1: {b: c}\nq: 0x10\n");
    let j = to_json(&r);
    assert_eq!(
        j.to_string(),
        r#"{"z":1,"a":[true,null,2.5,".inf","-.inf",".nan","x"],"1":{"b":"c"},"q":16}"#
    );
}

// ---------------------------------------------------------------- anchors, aliases, merges

#[test]
fn aliases_clone_the_anchored_node_and_record_the_alias_span() {
    let src = "defaults: &img\n  image: cimg/base\n  env: {A: 1}\njob:\n  docker: *img\n";
    let r = root(src);
    let def = r.get("defaults").unwrap();
    assert_eq!(def.alias, None);
    let used = r.get("job").unwrap().get("docker").unwrap();
    let alias_span = used.alias.expect("reached through an alias");
    assert_eq!(text(src, alias_span), "*img");
    assert_eq!(used.span, def.span, "the clone keeps the definition span");
    assert_eq!(used.use_span(), alias_span);
    assert_eq!(to_json(used), to_json(def));
    // Every descendant, keys included, knows the alias.
    let (k, v) = used.entry("env").unwrap();
    assert_eq!(k.alias, Some(alias_span));
    assert_eq!(v.get("A").unwrap().alias, Some(alias_span));
    assert_eq!(text(src, v.get("A").unwrap().span), "1");
}

#[test]
fn scalar_aliases_and_alias_keys() {
    let src = "a: &v hello\nb: *v\n&k key: 1\nc: {*k : 2}\n";
    let r = root(src);
    let b = r.get("b").unwrap();
    assert_eq!(b.as_str(), Some("hello"));
    assert_eq!(text(src, b.span), "hello");
    assert_eq!(text(src, b.alias.unwrap()), "*v");
    let (k, v) = &r.get("c").unwrap().as_map().unwrap()[0];
    assert_eq!(k.scalar_text(), Some("key"));
    assert_eq!(text(src, k.alias.unwrap()), "*k");
    assert_eq!(v.as_i64(), Some(2));
}

#[test]
fn nested_alias_marks_with_the_outermost_alias() {
    let src = "a: &a {x: 1}\nb: &b {y: *a}\nc: *b\n";
    let r = root(src);
    let c = r.get("c").unwrap();
    let c_alias = c.alias.unwrap();
    assert_eq!(text(src, c_alias), "*b");
    assert_eq!(c.get("y").unwrap().alias, Some(c_alias));
    assert_eq!(c.get("y").unwrap().get("x").unwrap().alias, Some(c_alias));
    // Inside the definition of b, y came through *a.
    let by = r.get("b").unwrap().get("y").unwrap();
    assert_eq!(text(src, by.alias.unwrap()), "*a");
}

#[test]
fn merge_key_with_one_alias() {
    let src = "base: &base\n  image: a\n  shell: sh\njob:\n  <<: *base\n  image: b\n";
    let r = root(src);
    let job = r.get("job").unwrap();
    let keys: Vec<&str> = job
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, _)| k.scalar_text().unwrap())
        .collect();
    assert_eq!(keys, ["image", "shell"]);
    // The explicit key wins, even though it comes after the merge.
    let (ik, iv) = job.entry("image").unwrap();
    assert_eq!(iv.as_str(), Some("b"));
    assert_eq!(ik.alias, None);
    // The merged entry keeps its definition span and records the merge's alias.
    let (sk, sv) = job.entry("shell").unwrap();
    assert_eq!(sv.as_str(), Some("sh"));
    assert_eq!(text(src, sk.span), "shell");
    assert_eq!(sk.span.start as usize, src.find("shell").unwrap());
    assert_eq!(text(src, sv.alias.unwrap()), "*base");
    assert_eq!(sv.alias.unwrap().start as usize, src.find("*base").unwrap());
}

#[test]
fn merge_key_with_a_list_earlier_sources_win() {
    let src = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nm:\n  <<: [*a, *b]\n  z: 3\n";
    let r = root(src);
    let m = r.get("m").unwrap();
    assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
    assert_eq!(m.get("y").unwrap().as_i64(), Some(1), "earlier source wins");
    assert_eq!(m.get("z").unwrap().as_i64(), Some(3), "explicit key wins");
    assert_eq!(m.as_map().unwrap().len(), 3);
    let y = m.get("y").unwrap();
    assert_eq!(text(src, y.alias.unwrap()), "*a");
}

#[test]
fn several_merge_keys_in_one_mapping_all_apply_in_order() {
    let src = "a: &a {x: 1, y: 1}\nb: &b {y: 2, w: 2}\nm:\n  <<: *a\n  k: 0\n  <<: *b\n";
    let doc = parse(src);
    assert!(
        doc.findings.is_empty(),
        "several << keys are accepted: {:?}",
        doc.findings
    );
    let r = doc.root.unwrap();
    let m = r.get("m").unwrap();
    let got: Vec<(&str, i64)> = m
        .as_map()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.scalar_text().unwrap(), v.as_i64().unwrap()))
        .collect();
    assert_eq!(got, [("x", 1), ("y", 1), ("k", 0), ("w", 2)]);
    assert_eq!(text(src, m.get("w").unwrap().alias.unwrap()), "*b");
}

#[test]
fn merge_of_an_inline_mapping() {
    let r = root("m:\n  <<: {a: 1}\n  b: 2\n");
    let m = r.get("m").unwrap();
    assert_eq!(m.get("a").unwrap().as_i64(), Some(1));
    assert_eq!(m.get("a").unwrap().alias, None);
    assert_eq!(m.get("b").unwrap().as_i64(), Some(2));
}

#[test]
fn a_quoted_merge_key_is_an_ordinary_key() {
    let r = root("a: &a {x: 1}\nm:\n  \"<<\": *a\n");
    let m = r.get("m").unwrap();
    assert!(m.get("<<").is_some());
    assert!(m.get("x").is_none());
}

#[test]
fn merging_a_scalar_is_an_error() {
    let (line, col, d) = syntax_error("a: &a 1\nm:\n  <<: *a\n");
    assert_eq!((line, col), (3, 7));
    assert!(d.message.contains("`<<`"), "{}", d.message);
}

#[test]
fn alias_used_before_its_anchor() {
    let src = "jobs:\n  build:\n    docker: *image\n  test:\n    docker: &image\n      - image: cimg/base:2024.01\n";
    let (line, col, d) = syntax_error(src);
    assert_eq!((line, col), (3, 13));
    assert_eq!(
        d.message,
        "alias `*image` is used before its anchor `&image` is defined"
    );
    assert_eq!(text(src, d.span()), "*image");
    assert_eq!(d.labels.len(), 1);
    assert_eq!(text(src, d.labels[0].span), "&image");
    assert!(d.help.unwrap().contains("above"));
}

#[test]
fn alias_with_no_anchor_at_all() {
    let src = "a: &images [x]\nb: *image\n";
    let (line, col, d) = syntax_error(src);
    assert_eq!((line, col), (2, 4));
    assert_eq!(d.message, "no anchor `&image` is defined");
    assert!(
        d.help.unwrap().contains("`images`"),
        "suggests the close name"
    );
}

#[test]
fn undefined_alias_in_a_merge_is_one_error() {
    let src = "job:\n  <<: *defaults\n  x: 1\ndefaults: &defaults {y: 2}\n";
    let (line, col, d) = syntax_error(src);
    assert_eq!((line, col), (2, 7));
    assert!(d.message.contains("before its anchor"), "{}", d.message);
}

#[test]
fn byte_order_mark_inside_the_file() {
    let (line, _, d) = syntax_error("a: 1\n\u{FEFF}b: 2\n");
    assert_eq!(line, 2);
    assert!(d.message.contains("byte-order mark"), "{}", d.message);
}

#[test]
fn unquoted_glob_reads_as_an_alias() {
    let (line, col, d) = syntax_error("paths:\n  - *.jar\n");
    assert_eq!((line, col), (2, 5));
    assert_eq!(d.message, "no anchor `&.jar` is defined");
    assert!(d.help.unwrap().contains("`\"*.jar\"`"));
    let (_, col, d) = syntax_error("a: *\n");
    assert_eq!(col, 4);
    assert!(d.help.unwrap().contains("quote"));
}

#[test]
fn text_after_a_complete_value() {
    let (line, col, d) = syntax_error("key: {{ .Branch }}-x\n");
    assert_eq!((line, col), (1, 19));
    assert_eq!(d.message, "unexpected text after a complete value");
    assert!(d.help.unwrap().contains("quote"));
}

#[test]
fn every_undefined_alias_is_reported() {
    let doc = parse("a: *x\nb: *y\n");
    assert_eq!(doc.findings.len(), 2);
    assert!(doc.root.is_none());
}

#[test]
fn recursive_alias_is_an_error_not_a_hang() {
    let (_, _, d) = syntax_error("a: &a [1, *a]\n");
    assert!(d.message.contains("`*a`"), "{}", d.message);
}

// ---------------------------------------------------------------- duplicate keys

#[test]
fn duplicate_keys_warn_and_keep_the_later_value() {
    let src = "jobs:\n  build:\n    steps: [a]\n  test: {}\n  build:\n    steps: [b]\n";
    let doc = parse(src);
    assert_eq!(doc.findings.len(), 1);
    let d = &doc.findings[0];
    assert_eq!(d.kind, Problem::DuplicateKey);
    assert_eq!(d.severity, None, "the rule\'s default severity");
    assert_eq!(
        d.message,
        "duplicate key `build`: the later value silently replaces the earlier one"
    );
    let idx = LineIndex::new(src);
    assert_eq!(idx.line_col(src, d.span().start as usize).line, 5);
    assert_eq!(text(src, d.span()), "build");
    assert_eq!(d.labels.len(), 1);
    assert_eq!(idx.line_col(src, d.labels[0].span.start as usize).line, 2);
    assert!(d.help.as_deref().unwrap().contains("remove"));
    // The tree keeps one entry, with the later value.
    let r = doc.root.expect("a warning keeps the tree");
    let jobs = r.get("jobs").unwrap();
    assert_eq!(jobs.as_map().unwrap().len(), 2);
    let steps = jobs.get("build").unwrap().get("steps").unwrap();
    assert_eq!(steps.as_seq().unwrap()[0].as_str(), Some("b"));
}

#[test]
fn keys_compare_as_values() {
    // 0x10 and 16 are the same integer; "16" is a string.
    let f = findings("16: a\n0x10: b\n\"16\": c\n");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].0, f[0].2), (2, "duplicate-key"));
}

#[test]
fn merge_keys_are_not_duplicates_and_merged_keys_do_not_warn() {
    let src = "a: &a {x: 1}\nb: &b {x: 2}\nm:\n  <<: *a\n  <<: *b\n  x: 3\n";
    assert!(findings(src).is_empty());
}

#[test]
fn triple_duplicate_warns_twice() {
    let f = findings("a: 1\na: 2\na: 3\n");
    assert_eq!(f.len(), 2);
    let r = parse("a: 1\na: 2\na: 3\n").root.unwrap();
    assert_eq!(r.as_map().unwrap().len(), 1);
    assert_eq!(r.get("a").unwrap().as_i64(), Some(3));
}

// ---------------------------------------------------------------- limits

fn assert_limit(doc: &Document, started: Instant) {
    assert!(doc.root.is_none());
    assert!(
        doc.findings.iter().any(|d| d.kind == Problem::Limit),
        "{:#?}",
        doc.findings
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn billion_laughs_nested_stops_quickly() {
    let mut src = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        src.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let started = Instant::now();
    let doc = parse(&src);
    assert_limit(&doc, started);
    let d = doc
        .findings
        .iter()
        .find(|d| d.kind == Problem::Limit)
        .unwrap();
    assert!(text(&src, d.span()).starts_with("*a"));
}

#[test]
fn billion_laughs_wide_stops_quickly() {
    // One anchor of 2,000 nodes, aliased 100,000 times.
    let mut src = String::from("big: &big [");
    src.push_str(&vec!["x"; 2000].join(", "));
    src.push_str("]\nuse: [");
    src.push_str(&vec!["*big"; 100_000].join(", "));
    src.push_str("]\n");
    let started = Instant::now();
    let doc = parse(&src);
    assert_limit(&doc, started);
}

#[test]
fn a_moderate_use_of_aliases_is_fine() {
    let mut src = String::from("d: &d {image: x, shell: y}\njobs:\n");
    for i in 0..2000 {
        src.push_str(&format!("  j{i}:\n    <<: *d\n    steps: [a]\n"));
    }
    let r = root(&src);
    assert_eq!(r.get("jobs").unwrap().as_map().unwrap().len(), 2000);
}

#[test]
fn alias_budget_is_configurable() {
    let src = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n";
    let limits = Limits {
        max_alias_nodes: 8,
        ..Limits::default()
    };
    // 11 nodes written, 4 kept for the anchor, 12 created by the aliases.
    assert!(parse_with(src, &limits).root.is_none());
    let limits = Limits {
        max_alias_nodes: 16,
        ..Limits::default()
    };
    assert!(parse_with(src, &limits).root.is_some());
    let limits = Limits {
        max_alias_nodes: 15,
        ..Limits::default()
    };
    let doc = parse_with(src, &limits);
    assert!(doc.root.is_none());
    assert_eq!(doc.findings[0].kind, Problem::Limit);
    assert_eq!(text(src, doc.findings[0].span()), "*a");
    // A file larger than the budget may still double itself.
    let limits = Limits {
        max_alias_nodes: 0,
        ..Limits::default()
    };
    assert!(
        parse_with(
            "a: &a [1, 2]
b: *a
",
            &limits
        )
        .root
        .is_some()
    );
}

#[test]
fn nested_anchors_count_their_kept_copies() {
    // Each level is anchored: keeping a copy per level would be quadratic.
    let n = 200;
    let mut src = String::new();
    for i in 0..n {
        src.push_str(&format!("&l{i} ["));
    }
    src.push_str(&vec!["x"; 5_000].join(", "));
    src.push_str(&"]".repeat(n));
    let started = Instant::now();
    assert_limit(&parse(&src), started);
}

#[test]
fn deep_flow_nesting_is_refused_without_overflow() {
    let n = 10_000;
    let src = format!("a: {}{}\n", "[".repeat(n), "]".repeat(n));
    let started = Instant::now();
    let doc = parse(&src);
    assert_limit(&doc, started);
    // Unclosed too.
    let src = format!("a: {}\n", "[".repeat(n));
    let doc = parse(&src);
    assert!(doc.root.is_none());
    assert_eq!(doc.findings.len(), 1);
    // Mappings.
    let src = format!("{}{}\n", "{a: ".repeat(n), "}".repeat(n));
    assert_limit(&parse(&src), Instant::now());
}

#[test]
fn deep_block_nesting_is_refused_without_overflow() {
    let n = 10_000;
    let src = format!("{}x\n", "- ".repeat(n));
    let started = Instant::now();
    assert_limit(&parse(&src), started);
    // Nested block mappings, one space per level.
    let mut src = String::new();
    for i in 0..2_000 {
        src.push_str(&" ".repeat(i));
        src.push_str("k:\n");
    }
    let started = Instant::now();
    assert_limit(&parse(&src), started);
}

#[test]
fn aliases_cannot_nest_deeper_than_the_limit() {
    // Each anchor wraps the previous one's alias in 200 more levels.
    let mut src = String::from("a0: &a0 1\n");
    for i in 1..50 {
        src.push_str(&format!(
            "a{i}: &a{i} {}*a{}{}\n",
            "[".repeat(200),
            i - 1,
            "]".repeat(200)
        ));
    }
    let doc = parse(&src);
    assert!(doc.root.is_none());
    let d = &doc.findings[0];
    assert_eq!(d.kind, Problem::Limit);
    assert!(d.message.contains("alias `*a1`"), "{}", d.message);
}

#[test]
fn nesting_under_the_limit_is_fine() {
    let n = 200;
    let src = format!("a: {}1{}\n", "[".repeat(n), "]".repeat(n));
    let r = root(&src);
    let mut node = r.get("a").unwrap();
    let mut depth = 0;
    while let Some(items) = node.as_seq() {
        node = &items[0];
        depth += 1;
    }
    assert_eq!(depth, n);
    assert_eq!(node.as_i64(), Some(1));
}

#[test]
fn depth_limit_is_configurable() {
    let limits = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    assert!(parse_with("a: [[1]]\n", &limits).root.is_some());
    let doc = parse_with("a: [[[1]]]\n", &limits);
    assert!(doc.root.is_none());
    assert_eq!(doc.findings[0].kind, Problem::Limit);
}

#[test]
fn input_size_limit() {
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    let doc = parse_with("version: 2.1\njobs: {}\n", &limits);
    assert!(doc.root.is_none());
    assert_eq!(doc.findings.len(), 1);
    assert_eq!(doc.findings[0].kind, Problem::Limit);
    assert!(parse_with("a: 1\n", &limits).root.is_some());
    assert_eq!(Limits::default().max_bytes, 16 * 1024 * 1024);
}

// ---------------------------------------------------------------- syntax errors

#[test]
fn lost_mapping_keys_point_at_the_orphan_line() {
    // A config whose `orbs:` line was lost when it was copied from a web page.
    let src = "version: 2.1\n\n  node: circleci/node@5.1.1\n      - image: cimg/base:stable\n";
    let (line, col, d) = syntax_error(src);
    assert_eq!((line, col), (3, 7));
    assert_eq!(
        d.message,
        "this line is indented deeper than the line above, which is not a mapping key: a mapping key above it is missing or this line is mis-indented"
    );
}

#[test]
fn key_indented_deeper_than_its_siblings() {
    let (line, col, d) = syntax_error("jobs:\n  build:\n    docker: []\n      steps: []\n");
    assert_eq!((line, col), (4, 7));
    assert!(d.message.contains("indented deeper"), "{}", d.message);
    assert!(d.help.unwrap().contains("sibling"));
}

#[test]
fn key_indented_shallower_than_its_siblings() {
    let (line, col, d) = syntax_error("jobs:\n  build:\n    docker: []\n   steps: []\n");
    assert_eq!((line, col), (4, 4));
    assert_eq!(
        d.message,
        "this line is indented by 3 spaces, which lines it up with no key above it"
    );
    let help = d.help.unwrap();
    assert!(
        help.contains("`docker:` (4 spaces) or `build:` (2 spaces)"),
        "{help}"
    );
}

#[test]
fn list_item_where_a_key_is_expected() {
    let (line, col, d) = syntax_error("jobs:\n  build:\n    steps: []\n    - run: x\n");
    assert_eq!((line, col), (4, 5));
    assert!(d.message.contains("list item"), "{}", d.message);
}

#[test]
fn block_text_line_indented_too_little() {
    let (line, col, d) = syntax_error("a:\n  run: |\n    make\n   test\n");
    assert_eq!((line, col), (4, 4));
    let help = d.help.unwrap();
    assert!(
        help.contains("text block above") && help.contains("(4 spaces)"),
        "{help}"
    );
}

#[test]
fn key_where_a_list_item_is_expected() {
    let (line, col, d) = syntax_error("steps:\n  - checkout\n  run: x\n");
    assert_eq!((line, col), (3, 3));
    assert!(d.message.contains("list item"), "{}", d.message);
    assert!(d.help.unwrap().contains("- "));
}

#[test]
fn tab_used_for_indentation() {
    let (line, col, d) = syntax_error("jobs:\n\tbuild: {}\n");
    assert_eq!((line, col), (2, 1));
    assert!(d.message.contains("tab"), "{}", d.message);
    assert!(d.help.unwrap().contains("spaces"));
    let (line, col, d) = syntax_error("jobs:\n  build: {}\n\ttest: {}\n");
    assert_eq!((line, col), (3, 1));
    assert!(d.message.contains("tab"), "{}", d.message);
}

#[test]
fn unclosed_quote() {
    let (line, col, d) = syntax_error("a: \"echo hi\nb: 2\n");
    assert_eq!((line, col), (1, 4));
    assert!(d.message.contains("never closed"), "{}", d.message);
    assert!(d.help.unwrap().contains('"'));
    let (_, _, d) = syntax_error("a: 'it's\nb: 2\n");
    assert!(d.help.unwrap().contains("''"));
}

#[test]
fn unclosed_brackets() {
    let src = "a: [1, 2\nb: 2\n";
    let (line, _, d) = syntax_error(src);
    assert_eq!(line, 2);
    assert!(d.message.contains("`[`"), "{}", d.message);
    assert_eq!(text(src, d.labels[0].span), "[");
    let src = "a: {x: 1\nb: 2\n";
    let (_, _, d) = syntax_error(src);
    assert!(d.message.contains("`{`"), "{}", d.message);
    assert_eq!(text(src, d.labels[0].span), "{");
    let (line, col, d) = syntax_error("a: [1, 2\n");
    assert_eq!((line, col), (1, 4));
    assert_eq!(d.message, "this `[` is never closed");
}

#[test]
fn unclosed_bracket_around_a_one_pair_mapping() {
    // `[key: value ...`: the pair is a mapping of its own that starts at its key; the bracket
    // to close is the `[` (found by the fuzzer: the label took the key's first byte, splitting
    // the `é`, and named a `{` that is not there).
    let src = "a: [é: b: c]\n";
    let (_, _, d) = syntax_error(src);
    assert!(
        d.message.contains("`[`") && !d.message.contains('{'),
        "{}",
        d.message
    );
    assert_eq!(d.labels.len(), 1, "{:?}", d.labels);
    assert_eq!(text(src, d.labels[0].span), "[");
    let (line, col, d) = syntax_error("a: [éb: c d\n");
    assert_eq!((line, col), (1, 4));
    assert_eq!(d.message, "this `[` is never closed");
}

#[test]
fn stray_closing_bracket() {
    let (line, col, d) = syntax_error("a: [1, 2]]\n");
    assert_eq!((line, col), (1, 10));
    assert!(d.message.contains("`]`"), "{}", d.message);
}

#[test]
fn missing_space_after_colon() {
    let (line, _, d) =
        syntax_error("jobs:\n  build:\n    docker:\n      - image:cimg/base\n        auth: x\n");
    assert_eq!(line, 5);
    let help = d.help.unwrap();
    assert!(
        help.contains("`image:`") && help.contains("space"),
        "{help}"
    );
    let (line, _, d) = syntax_error("version:2.1\njobs: {}\n");
    assert_eq!(line, 2);
    assert!(d.help.unwrap().contains("`version:`"));
}

#[test]
fn two_keys_on_one_line() {
    let (line, col, d) = syntax_error("run: echo a: b\n");
    assert_eq!((line, col), (1, 12));
    assert!(d.help.unwrap().contains("quote"));
}

#[test]
fn reserved_character_and_bad_escape() {
    let (_, col, d) = syntax_error("a: @x\n");
    assert_eq!(col, 4);
    assert!(d.help.unwrap().contains("quotes"));
    let (_, _, d) = syntax_error("a: \"C:\\path\"\n");
    assert!(d.message.contains("escape"), "{}", d.message);
}

#[test]
fn first_line_indented_deeper_than_the_rest() {
    let (line, col, d) = syntax_error("  version: 2.1\njobs: {}\n");
    assert_eq!((line, col), (2, 1));
    assert!(d.message.contains("first line"), "{}", d.message);
}

#[test]
fn any_bytes_give_a_report() {
    // Assorted garbage: never a panic.
    for src in [
        "{",
        "}",
        "]",
        "[",
        ":",
        "- -",
        "? ",
        "&",
        "*",
        "!",
        "|",
        ">",
        "%YAML 1.2\n",
        "'",
        "\"",
        "a: |\n x\ny",
        "- a\nb: c",
        "a:\n- b\n c",
        "\t",
        "a: &x\nb: *x\n",
        "[a, b]: c",
        "? [a]\n: b",
        "{a: 1, a: 2}",
        "a: !!binary aGVsbG8=",
        "- &a x\n- *a\n- *b",
    ] {
        let doc = parse(src);
        if doc.root.is_none() {
            assert!(
                doc.findings.iter().all(|d| d.help.is_some()),
                "{src:?}: {:?}",
                doc.findings
            );
        }
    }
}

/// Random texts made of YAML's significant characters (and multi-byte ones, tabs, CRs):
/// never a panic, and a failed load always explains itself.
#[test]
fn random_texts_never_panic() {
    const PIECES: &[&str] = &[
        "a", "key", ":", ": ", "- ", "-", " ", "  ", "\n", "\r\n", "\t", "#", " # c", "\"", "'",
        "[", "]", "{", "}", ",", "&x", "*x", "*y", "<<: ", "|", ">-", "?", "!", "!!str ", "é",
        "日本", "🎉", "\\", "%", "---", "...", "@", "`", "0x1F", "~", "\u{FEFF}",
    ];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let src: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let doc = parse(&src);
        for d in &doc.findings {
            assert!(d.help.is_some(), "{src:?}: {d:?}");
            assert!(d.span().end as usize <= src.len(), "{src:?}: {d:?}");
            assert!(
                src.is_char_boundary(d.span().start as usize),
                "{src:?}: {d:?}"
            );
            assert!(
                src.is_char_boundary(d.span().end as usize),
                "{src:?}: {d:?}"
            );
        }
        if doc.stopped_early() {
            assert!(doc.root.is_none(), "{src:?}");
        }
    }
}

// ---------------------------------------------------------------- real files

fn yaml_files(dir: &str) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort();
    files
}

/// Every real config in the shared corpus (when it is there) loads with no yaml-syntax or
/// yaml-limits finding.
#[test]
fn real_configs_load_cleanly() {
    let mut files = yaml_files("../shared/corpus/real");
    files.push("../shared/examples/seeds/approval.yml".into());
    files.push("../shared/examples/seeds/newman-orb-as-printed.yml".into());
    let mut loaded = 0;
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let src = decode(&bytes).unwrap_or_else(|d| panic!("{}: {d:?}", path.display()));
        let doc = parse(&src);
        let bad: Vec<_> = doc
            .findings
            .iter()
            .filter(|d| d.kind == Problem::Syntax || d.kind == Problem::Limit)
            .collect();
        assert!(bad.is_empty(), "{}: {bad:#?}", path.display());
        // An empty file has no root; every other file does.
        assert_eq!(
            doc.root.is_some(),
            !src.trim().is_empty(),
            "{}",
            path.display()
        );
        loaded += 1;
    }
    eprintln!("loaded {loaded} real configs");
}

/// The printed-from-a-web-page seed (when it is there): exactly one yaml-syntax error, at the
/// first orphaned key.
#[test]
fn approval_as_printed_seed_gives_one_clear_error() {
    let Ok(src) = std::fs::read_to_string("../shared/examples/seeds/approval-as-printed.yml")
    else {
        return;
    };
    let (line, col, d) = syntax_error(&src);
    assert_eq!((line, col), (3, 7));
    assert!(
        d.message.contains("a mapping key above it is missing"),
        "{}",
        d.message
    );
}

/// The config generator shared with the benchmarks and the integration tests.
#[path = "../../tests/support/generate.rs"]
mod generate;

#[test]
fn the_parser_on_a_thread_of_its_own_builds_the_same_document() {
    let big = generate::config(generate::GenOptions {
        jobs: 300,
        workflows: 2,
        seed: 3,
    });
    let mut texts = vec![
        big.clone(),
        // The builder stops early while the parser still has events to hand over.
        format!("a: 1\n---\n{big}"),
        format!("{big}\n---\nsecond: document\n"),
        // Errors in the middle and at the end.
        format!(
            "{}\n  broken: [\n{}",
            &big[..big.len() / 2],
            &big[big.len() / 2..]
        ),
        format!("{big}\nkey: \"unclosed\n"),
        big.replace("<<: *defaults", "<<: *undefined"),
        format!("# before\n{big}\n...\n# after the document\n"),
        "a: &x [*x]\n".to_string(),
        format!("{}{}", "[".repeat(300), "]".repeat(300)),
    ];
    for dir in ["tests/fixtures", "examples"] {
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
            } else if let Ok(t) = std::fs::read_to_string(&p) {
                texts.push(t);
            }
        }
    }
    // Stops the builder at the first deeply nested job.
    let shallow = Limits {
        max_depth: 3,
        ..Limits::default()
    };
    for text in &texts {
        for limits in [&Limits::default(), &shallow] {
            let one = build::Builder::new(text, limits).run_as(false);
            let two = build::Builder::new(text, limits).run_as(true);
            assert_eq!(
                format!("{one:?}"),
                format!("{two:?}"),
                "{}",
                &text[..text.len().min(200)]
            );
        }
    }
    // Both kinds of ending were seen.
    let big_doc = build::Builder::new(&big, &Limits::default()).run_as(true);
    assert!(big_doc.root.is_some());
    let failed = build::Builder::new(&big, &shallow).run_as(true);
    assert!(failed.root.is_none());
}

#[test]
fn block_header_on_the_line_after_its_key() {
    // At the key's column: the key's value, offsets kept.
    let src = "steps:\n  - run:\n    |\n      make\n      make test\n  - checkout\n";
    let doc = parse(src);
    assert!(doc.findings.is_empty(), "{:?}", doc.findings);
    let steps = doc.root.as_ref().unwrap().get("steps").unwrap();
    let run = steps.as_seq().unwrap()[0].get("run").unwrap();
    assert_eq!(run.as_str(), Some("make\nmake test\n"));
    assert_eq!(
        &src[run.span.start as usize..run.span.start as usize + 1],
        "|"
    );
    // With indicators and a comment.
    let src = "a:\n|- # text\n  x\n";
    assert_eq!(
        parse(src).root.unwrap().get("a").unwrap().as_str(),
        Some("x")
    );
    // Not at the key's column, after a blank line, or after a value: left alone.
    for bad in ["a:\n  b:\n |\n   x\n", "a:\n\n|\n  x\n", "a: 1\n|\n  x\n"] {
        assert!(detached_block_headers(bad).is_none(), "{bad:?}");
    }
}
