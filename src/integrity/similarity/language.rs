//! The languages examhall compares, their names on the command line and
//! their files' extensions.

/// A language examhall can compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// Python 3.
    Python,
    /// Java.
    Java,
    /// JavaScript (also JSX).
    Javascript,
    /// TypeScript (`.tsx` files through the TSX grammar).
    Typescript,
    /// C.
    C,
    /// C++.
    Cpp,
}

impl Language {
    /// Every language, in the order `--help` lists them.
    pub const ALL: [Self; 6] = [Self::Python, Self::Java, Self::Javascript, Self::Typescript, Self::C, Self::Cpp];

    /// The name used on the command line and in reports.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Python => "python",
            Self::Java => "java",
            Self::Javascript => "javascript",
            Self::Typescript => "typescript",
            Self::C => "c",
            Self::Cpp => "cpp",
        }
    }

    /// File name extensions (lower case, without the dot) of this language's sources.
    #[must_use]
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Python => &["py", "pyw"],
            Self::Java => &["java"],
            Self::Javascript => &["js", "mjs", "cjs", "jsx"],
            Self::Typescript => &["ts", "mts", "cts", "tsx"],
            Self::C => &["c", "h"],
            Self::Cpp => &["cpp", "cc", "cxx", "c++", "hpp", "hh", "hxx", "h++", "h"],
        }
    }

    /// Whether a file with this extension belongs to the language.
    #[must_use]
    pub fn accepts_extension(self, extension: &str) -> bool {
        self.extensions().iter().any(|known| known.eq_ignore_ascii_case(extension))
    }
}
