//! kconfig-sat: reads the Linux kernel's Kconfig exactly as `scripts/kconfig`
//! does and evaluates configurations byte-identically to `conf`.
//!
//! Data flows one way: [`frontend`] (lexer, preprocessor, parser) builds the
//! [`model`] (symbols, menus, expressions, dependency graph), which the exact
//! [`eval`]uator reads. The CLI ([`cli`]) only wires these together.

pub mod cli;
pub mod eval;
pub mod fasthash;
pub mod frontend;
pub mod model;
pub mod tree;
