//! Front end: source files, the macro preprocessor, the lexer and the parser.

pub mod diag;
pub mod lexer;
pub mod parser;
pub mod prefetch;
pub mod preprocess;
pub mod shell;
pub mod source;
