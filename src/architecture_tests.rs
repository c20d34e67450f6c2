//! The layers of docs/architecture.md, checked on the source itself: which
//! module may import which, that handlers and commands never hold a
//! database connection, and that no two sibling modules import each other
//! (directly or round a circle).
//!
//! The reading is textual, on purpose simple: every `crate::…` and
//! `super::…` path outside comments and test modules counts as an import of
//! the longest module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module, as its path from the crate root (`["http", "routes", "exams"]`).
type Module = Vec<String>;

struct Source {
    module: Module,
    /// The code without comments and test modules.
    code: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Some(relative) = path.strip_prefix(&root).ok().and_then(Path::to_str) else { continue };
            let Some(stem) = relative.strip_suffix(".rs") else { continue };
            let mut module: Module = stem.split('/').map(str::to_owned).collect();
            let last = module.last().cloned().unwrap_or_default();
            if last == "tests" || last.ends_with("_tests") || module.iter().any(|part| part == "tests") {
                continue;
            }
            if matches!(last.as_str(), "mod" | "lib" | "main") {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.push(Source { module, code: code_of(&text) });
        }
    }
    out
}

/// `text` without comment lines and without its `#[cfg(test)] mod tests`.
fn code_of(text: &str) -> String {
    let body = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    body.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Every module path that `code` of `module` names.
fn named_paths(module: &Module, code: &str) -> Vec<Module> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(found) = code[from..].find(start) {
            let at = from + found;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let mut base: Module = if start == "crate::" {
                Vec::new()
            } else {
                // The parent module, for `a/b.rs` and `a/b/mod.rs` alike.
                let mut parent = module.clone();
                parent.pop();
                parent
            };
            let rest = &code[at + start.len()..];
            let mut parts = Vec::new();
            let mut segment = String::new();
            let mut chars = rest.chars().peekable();
            while let Some(c) = chars.next() {
                if c.is_alphanumeric() || c == '_' {
                    segment.push(c);
                } else if c == ':' && chars.peek() == Some(&':') {
                    chars.next();
                    parts.push(std::mem::take(&mut segment));
                } else if c == '{' {
                    // `use crate::a::{b, c::d}`: each first name inside.
                    let inside: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    for item in inside.split(',') {
                        let first = item.trim().split("::").next().unwrap_or_default().trim();
                        if !first.is_empty() && first != "self" {
                            let mut path = base.clone();
                            path.extend(parts.iter().cloned());
                            path.push(first.to_owned());
                            out.push(resolve_supers(path));
                        }
                    }
                    break;
                } else {
                    break;
                }
            }
            if !segment.is_empty() {
                parts.push(segment);
            }
            base.extend(parts);
            out.push(resolve_supers(base));
        }
    }
    out
}

/// `a::super::b` as `b`.
fn resolve_supers(path: Module) -> Module {
    let mut out = Vec::new();
    for part in path {
        if part == "super" {
            out.pop();
        } else {
            out.push(part);
        }
    }
    out
}

/// Module → the modules it imports (each the longest module a path names).
fn imports() -> BTreeMap<Module, BTreeSet<Module>> {
    let sources = sources();
    let known: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut graph: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for source in &sources {
        let targets = graph.entry(source.module.clone()).or_default();
        for path in named_paths(&source.module, &source.code) {
            let longest = (1..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| known.contains(p));
            if let Some(target) = longest.filter(|t| *t != source.module) {
                targets.insert(target);
            }
        }
    }
    graph
}

fn is_under(module: &Module, prefix: &[&str]) -> bool {
    module.len() >= prefix.len() && module.iter().zip(prefix).all(|(a, b)| a == b)
}

fn name(module: &Module) -> String {
    if module.is_empty() { "crate".to_owned() } else { module.join("::") }
}

/// Pairs of sibling modules (same parent) where the first imports the
/// second, from the imports of everything inside each.
fn sibling_edges(graph: &BTreeMap<Module, BTreeSet<Module>>) -> BTreeMap<Module, BTreeSet<(String, String)>> {
    let mut out: BTreeMap<Module, BTreeSet<(String, String)>> = BTreeMap::new();
    for (from, targets) in graph {
        for to in targets {
            let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
            if common == from.len() || common == to.len() {
                continue; // a module and its own parent or child
            }
            out.entry(from[..common].to_vec()).or_default().insert((from[common].clone(), to[common].clone()));
        }
    }
    out
}

/// The cycles among siblings, each as its members.
fn cycles(edges: &BTreeSet<(String, String)>) -> Vec<BTreeSet<String>> {
    let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
    let reaches = |from: &String, to: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(next) = stack.pop() {
            for (a, b) in edges {
                if a == next && seen.insert(b) {
                    stack.push(b);
                }
            }
        }
        seen.contains(to)
    };
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for node in &nodes {
        let members: BTreeSet<String> =
            nodes.iter().filter(|other| reaches(node, other) && reaches(other, node)).map(|s| (*s).clone()).collect();
        if members.len() > 1 && !out.contains(&members) {
            out.push(members);
        }
    }
    out
}

#[test]
fn no_sibling_modules_import_each_other() {
    let graph = imports();
    let mut found = Vec::new();
    for (parent, edges) in sibling_edges(&graph) {
        for cycle in cycles(&edges) {
            found.push(format!("{}: {cycle:?}", name(&parent)));
        }
    }
    assert!(found.is_empty(), "import circles: {found:#?}");
}

#[test]
fn route_modules_do_not_import_each_other() {
    let graph = imports();
    let route = |m: &Module| is_under(m, &["http", "routes"]) && m.len() >= 3;
    let mut found = Vec::new();
    for (from, targets) in &graph {
        for to in targets.iter().filter(|to| route(from) && route(to) && from[2] != to[2]) {
            found.push(format!("{} -> {}", name(from), name(to)));
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    // (layer, what it must not import)
    let rules: &[(&[&str], &[&str])] = &[
        (&["domain"], &["store", "service", "http", "cli", "admin", "app", "state", "auth"]),
        (&["store"], &["service", "http", "cli", "admin", "app", "state", "notices"]),
        (&["service"], &["http", "cli", "admin", "app"]),
        (&["notices"], &["store", "service", "http", "cli", "admin", "app", "state"]),
        (&["integrity"], &["store", "service", "http", "cli", "admin", "app", "state", "notices"]),
        (&["backup"], &["store", "service", "http", "cli", "admin", "app", "state", "notices"]),
        (&["admin"], &["http", "cli"]),
        // The drill is a client of the server, as a browser is: the domain's rules and the clock, nothing inside.
        (&["drill"], &["store", "service", "http", "cli", "admin", "app", "state", "auth", "notices", "config"]),
        (&["http"], &["cli", "admin"]),
        (&["cli"], &["http"]),
    ];
    let graph = imports();
    let mut found = Vec::new();
    for (from, targets) in &graph {
        for (layer, forbidden) in rules {
            if !is_under(from, layer) {
                continue;
            }
            for to in targets {
                if forbidden.iter().any(|f| is_under(to, &[f])) {
                    found.push(format!("{} -> {}", name(from), name(to)));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn handlers_commands_and_the_admin_channel_never_hold_a_database_connection() {
    let mut found = Vec::new();
    for source in sources() {
        let outside = !["http", "cli", "admin"].iter().any(|layer| is_under(&source.module, &[layer]));
        if outside {
            continue;
        }
        // A database is read or written only in a service, whether with a
        // closure or a store function passed by name.
        for token in ["rusqlite", "Connection", "|conn|", "conn|", ".read(", ".write("] {
            let hits = source.code.match_indices(token).filter(|(at, _)| {
                // `ConnectionPolicy` and friends are network connections.
                token != "Connection" || !source.code[at + token.len()..].starts_with(|c: char| c.is_alphanumeric())
            });
            if hits.count() > 0 {
                found.push(format!("{} uses {token}", name(&source.module)));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn the_checks_see_what_they_check() {
    // A reading that found nothing would pass everything above.
    let graph = imports();
    let exams = graph.get(&vec!["http".to_owned(), "routes".to_owned(), "exams".to_owned()]).unwrap();
    assert!(exams.contains(&vec!["service".to_owned(), "exams".to_owned()]), "{exams:?}");
    let mut edges = BTreeSet::new();
    edges.insert(("a".to_owned(), "b".to_owned()));
    edges.insert(("b".to_owned(), "a".to_owned()));
    assert_eq!(cycles(&edges).len(), 1);
    let code = code_of("use crate::x::{y, z::w};\n// crate::hidden\nfn f() { super::q::r(); }");
    let named = named_paths(&vec!["m".to_owned(), "n".to_owned()], &code);
    assert!(
        named.contains(&vec!["x".to_owned(), "y".to_owned()]) && named.contains(&vec!["x".to_owned(), "z".to_owned()])
    );
    assert!(named.contains(&vec!["m".to_owned(), "q".to_owned(), "r".to_owned()]), "{named:?}");
    assert!(!named.iter().any(|p| p.contains(&"hidden".to_owned())));
}
