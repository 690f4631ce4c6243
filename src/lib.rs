//! kconfig-sat: reads the Linux kernel's Kconfig exactly as `scripts/kconfig`
//! does and evaluates configurations byte-identically to `conf`.
//!
//! Data flows one way: [`frontend`] (lexer, preprocessor, parser) builds the
//! [`model`] (symbols, menus, expressions, dependency graph), which the exact
//! [`eval`]uator reads; the [`sat`] layer encodes it, [`nixos`] judges NixOS
//! kernel options and rule packs with both, and [`tree`] finds, patches and
//! unpacks kernel trees. The CLI ([`cli`]) only wires these together.

// Errors carry a rendered source snippet for miette; they are built only on
// the failure path, so their size does not matter.
#![allow(clippy::result_large_err)]

pub mod cli;
pub mod eval;
pub mod fasthash;
pub mod frontend;
pub mod model;
pub mod nixos;
pub mod rng;
pub mod sat;
pub mod tree;
