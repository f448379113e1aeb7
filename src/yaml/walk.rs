//! Walks over a tree: every scalar under a node, bounded in depth.

use super::Node;

/// Visit every scalar (keys and values) under `node`, at most `depth` levels down.
pub fn walk_scalars<'n>(node: &'n Node, depth: usize, f: &mut dyn FnMut(&'n Node)) {
    if let Some(map) = node.as_map() {
        if depth == 0 {
            return;
        }
        for (k, v) in map {
            walk_scalars(k, depth - 1, f);
            walk_scalars(v, depth - 1, f);
        }
    } else if let Some(items) = node.as_seq() {
        if depth == 0 {
            return;
        }
        for item in items {
            walk_scalars(item, depth - 1, f);
        }
    } else {
        f(node);
    }
}

/// [`walk_scalars`], handing each scalar to `f` until it returns false (then false is returned).
pub fn walk_scalars_until<'n>(
    node: &'n Node,
    depth: usize,
    f: &mut dyn FnMut(&'n Node) -> bool,
) -> bool {
    if let Some(map) = node.as_map() {
        depth == 0
            || map.iter().all(|(k, v)| {
                walk_scalars_until(k, depth - 1, f) && walk_scalars_until(v, depth - 1, f)
            })
    } else if let Some(items) = node.as_seq() {
        depth == 0
            || items
                .iter()
                .all(|item| walk_scalars_until(item, depth - 1, f))
    } else {
        f(node)
    }
}
