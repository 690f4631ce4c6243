//! The SAT layer: the evaluated Kconfig tree as CNF (varisat), such that a
//! model read as a `.config` is a fixpoint of `conf --olddefconfig` and every
//! `.config` that conf produces is a model. See docs/semantics.md.

pub mod check;
pub mod cone;
pub mod constraint;
pub mod dimacs;
pub mod encode;
pub mod explain;
pub mod fix;
pub mod optimise;
pub mod request;
pub mod solve;
pub mod tri;
