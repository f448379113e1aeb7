use super::*;

#[test]
fn smoke() {
    let doc = parse("a: 1\n");
    assert!(doc.diagnostics.is_empty());
    assert_eq!(doc.root.unwrap().get("a").unwrap().as_i64(), Some(1));
}
