//! Source text to a normalized token stream, through each language's real
//! parser (tree-sitter grammars).
//!
//! Copying disguises itself by renaming, re-commenting, reformatting and
//! changing literals, so the stream keeps what those leave intact (keywords,
//! operators, punctuation, the kinds of the tree's leaves) and erases what
//! they change: every identifier becomes one `IDENT` token, every number one
//! `NUMBER`, every string or character literal one `STRING`, and comments
//! disappear. Whitespace never was a token. Python has no braces, so the end
//! of each indented block is marked with a `BLOCK_END` token, keeping the
//! nesting that braces show in the other languages.
//!
//! A file that does not parse is still tokenized: tree-sitter recovers around
//! the error, and the leaves it could read are kept ([`Tokens::parse_errors`]
//! says how many error regions there were).

use std::sync::OnceLock;

use tree_sitter::{Language as Grammar, Node, Parser, TreeCursor};

pub use super::language::Language;

/// A token class: a leaf kind of the grammar, or one of the normalized classes.
pub type Class = u16;

/// Every identifier (names of variables, functions, types, fields).
pub const IDENT: Class = Class::MAX;
/// Every numeric literal.
pub const NUMBER: Class = Class::MAX - 1;
/// Every string, character, template or regular-expression literal.
pub const STRING: Class = Class::MAX - 2;
/// The end of an indented block (Python only).
pub const BLOCK_END: Class = Class::MAX - 3;

/// A file as a token stream, with where each token came from.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    /// The token classes, in source order.
    pub classes: Vec<Class>,
    /// Byte range of each token in the source (`BLOCK_END` is empty).
    pub spans: Vec<(u32, u32)>,
    /// How many regions the parser could not read (0 for a file that parses).
    pub parse_errors: u32,
}

/// What a grammar calls the leaves that normalization merges or drops.
struct Kinds {
    grammar: fn() -> Grammar,
    comments: &'static [&'static str],
    /// Literal nodes kept as one token, whatever is inside (interpolations too).
    strings: &'static [&'static str],
    numbers: &'static [&'static str],
    identifiers: &'static [&'static str],
    /// Nodes whose end is marked with `BLOCK_END`.
    blocks: &'static [&'static str],
}

/// The kinds of one grammar family: JavaScript and TypeScript (TSX
/// included) share one list, C and C++ another. A kind a grammar lacks is
/// never met, so each list is the union of its family.
fn kinds(language: Language, tsx: bool) -> Kinds {
    match language {
        Language::Python => Kinds {
            grammar: || tree_sitter_python::LANGUAGE.into(),
            comments: &["comment"],
            strings: &["string"],
            numbers: &["integer", "float"],
            identifiers: &["identifier"],
            blocks: &["block"],
        },
        Language::Java => Kinds {
            grammar: || tree_sitter_java::LANGUAGE.into(),
            comments: &["line_comment", "block_comment"],
            strings: &["string_literal", "character_literal"],
            numbers: &[
                "decimal_integer_literal",
                "hex_integer_literal",
                "octal_integer_literal",
                "binary_integer_literal",
                "decimal_floating_point_literal",
                "hex_floating_point_literal",
            ],
            identifiers: &["identifier", "type_identifier"],
            blocks: &[],
        },
        Language::Javascript | Language::Typescript => Kinds {
            grammar: match (language, tsx) {
                (Language::Javascript, _) => || tree_sitter_javascript::LANGUAGE.into(),
                (_, true) => || tree_sitter_typescript::LANGUAGE_TSX.into(),
                (_, false) => || tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            },
            comments: &["comment", "html_comment"],
            strings: &["string", "template_string", "regex"],
            numbers: &["number"],
            identifiers: &[
                "identifier",
                "property_identifier",
                "private_property_identifier",
                "shorthand_property_identifier",
                "shorthand_property_identifier_pattern",
                "statement_identifier",
                "type_identifier",
            ],
            blocks: &[],
        },
        Language::C | Language::Cpp => Kinds {
            grammar: if language == Language::C {
                || tree_sitter_c::LANGUAGE.into()
            } else {
                || tree_sitter_cpp::LANGUAGE.into()
            },
            comments: &["comment"],
            strings: &["string_literal", "char_literal", "raw_string_literal", "system_lib_string"],
            numbers: &["number_literal"],
            identifiers: &[
                "identifier",
                "field_identifier",
                "type_identifier",
                "statement_identifier",
                "namespace_identifier",
            ],
            blocks: &[],
        },
    }
}

/// What to do with a node of each kind id, worked out once per grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Dropped with everything inside.
    Comment,
    /// One `STRING` token for the whole node.
    String,
    /// A leaf that becomes this class; an inner node is walked.
    Class(Class),
}

/// A grammar with its kind table.
struct Table {
    grammar: Grammar,
    roles: Vec<Role>,
    blocks: Vec<bool>,
}

impl Table {
    fn new(kinds: &Kinds) -> Self {
        let grammar = (kinds.grammar)();
        let count = grammar.node_kind_count();
        let mut roles = Vec::with_capacity(count);
        let mut blocks = Vec::with_capacity(count);
        for id in 0..count {
            let id = Class::try_from(id).unwrap_or(Class::MAX);
            let kind = grammar.node_kind_for_id(id).unwrap_or_default();
            let named = grammar.node_kind_is_named(id);
            let role = if named && kinds.comments.contains(&kind) {
                Role::Comment
            } else if named && kinds.strings.contains(&kind) {
                Role::String
            } else if named && kinds.identifiers.contains(&kind) {
                Role::Class(IDENT)
            } else if named && kinds.numbers.contains(&kind) {
                Role::Class(NUMBER)
            } else {
                // Grammars may give one spelling several ids; the first is canonical.
                Role::Class(grammar.id_for_node_kind(kind, named))
            };
            roles.push(role);
            blocks.push(named && kinds.blocks.contains(&kind));
        }
        Self { grammar, roles, blocks }
    }

    fn role(&self, node: &Node<'_>) -> Role {
        self.roles.get(usize::from(node.kind_id())).copied().unwrap_or(Role::Class(node.kind_id()))
    }

    fn is_block(&self, node: &Node<'_>) -> bool {
        self.blocks.get(usize::from(node.kind_id())).copied().unwrap_or(false)
    }
}

/// The kind table of `language` (TSX separately), built on first use.
fn table(language: Language, tsx: bool) -> &'static Table {
    static TABLES: [OnceLock<Table>; 7] = [const { OnceLock::new() }; 7];
    let slot = if tsx { 6 } else { language as usize };
    TABLES[slot].get_or_init(|| Table::new(&kinds(language, tsx)))
}

/// Turns sources into token streams; one per thread (a parser is not shared).
pub struct Tokenizer {
    language: Language,
    parser: Parser,
    tsx_parser: Option<Parser>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer").field("language", &self.language).finish_non_exhaustive()
    }
}

impl Tokenizer {
    /// A tokenizer for `language`.
    ///
    /// # Panics
    /// If a bundled grammar is of an ABI this tree-sitter cannot load: a build
    /// defect that every test would show.
    #[must_use]
    pub fn new(language: Language) -> Self {
        let parser_for = |tsx| {
            let mut parser = Parser::new();
            parser.set_language(&table(language, tsx).grammar).expect("the bundled grammar matches tree-sitter's ABI");
            parser
        };
        let tsx_parser = (language == Language::Typescript).then(|| parser_for(true));
        Self { language, parser: parser_for(false), tsx_parser }
    }

    /// The token stream of `source`; `tsx` picks the TSX grammar for TypeScript.
    pub fn tokenize(&mut self, source: &str, tsx: bool) -> Tokens {
        let use_tsx = tsx && self.tsx_parser.is_some();
        let parser = match (&mut self.tsx_parser, use_tsx) {
            (Some(tsx_parser), true) => tsx_parser,
            _ => &mut self.parser,
        };
        let Some(tree) = parser.parse(source, None) else { return Tokens::default() };
        let table = table(self.language, use_tsx);
        let mut tokens = Tokens::default();
        walk(&mut tree.walk(), table, &mut tokens);
        tokens
    }
}

/// Depth-first over the tree, emitting leaves in source order.
fn walk(cursor: &mut TreeCursor<'_>, table: &Table, out: &mut Tokens) {
    loop {
        if visit(&cursor.node(), table, out) && cursor.goto_first_child() {
            continue;
        }
        // The cursor's subtree is done: close it, then move on or climb.
        loop {
            if table.is_block(&cursor.node()) {
                let end = u32::try_from(cursor.node().end_byte()).unwrap_or(u32::MAX);
                out.classes.push(BLOCK_END);
                out.spans.push((end, end));
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Emits `node`'s token if it is one; whether to walk its children.
fn visit(node: &Node<'_>, table: &Table, out: &mut Tokens) -> bool {
    if node.is_error() {
        out.parse_errors += 1;
        return true;
    }
    if node.is_missing() {
        // Inserted by error recovery, not written by anyone.
        out.parse_errors += 1;
        return false;
    }
    let span =
        || (u32::try_from(node.start_byte()).unwrap_or(u32::MAX), u32::try_from(node.end_byte()).unwrap_or(u32::MAX));
    match table.role(node) {
        Role::Comment => false,
        Role::String => {
            out.classes.push(STRING);
            out.spans.push(span());
            false
        }
        Role::Class(class) => {
            if node.child_count() == 0 && node.end_byte() > node.start_byte() {
                out.classes.push(class);
                out.spans.push(span());
            }
            true
        }
    }
}

#[cfg(test)]
mod tests;
