//! DIMACS output of an encoding: `c` lines name what each variable means, so
//! the CNF can be used where ConfigFix or kclause models are used today.

use super::encode::Encoding;
use std::fmt::Write;

/// The CNF in DIMACS format. Variables that stand for a symbol's value are
/// named `c <n> SYMBOL=y`, `c <n> SYMBOL=m` or `c <n> SYMBOL=<value>`;
/// gate variables are `c <n> (gate)`.
pub fn to_dimacs(enc: &Encoding, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "c {line}");
    }
    for (i, name) in enc.b.names.iter().enumerate() {
        if name == "and" {
            continue;
        }
        let _ = writeln!(out, "c {} {}", i + 1, name);
    }
    let _ = writeln!(out, "p cnf {} {}", enc.variables(), enc.clauses());
    for clause in enc.b.cnf.iter() {
        for lit in clause {
            let _ = write!(out, "{} ", lit.to_dimacs());
        }
        out.push_str("0\n");
    }
    out
}
