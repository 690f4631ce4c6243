//! Commands on the SAT encoding of a tree.

use crate::frontend::parser::ParseOptions;
use std::path::Path;

/// `kconfig-sat dimacs`: writes the tree's CNF (atomically) or prints it.
pub fn dimacs(tree: &Path, arch: &str, probes: &str, output: Option<&Path>) -> i32 {
    let tree = match tree.canonicalize() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kconfig-sat dimacs: {}: {e}", tree.display());
            return 2;
        }
    };
    let (policy, _) = match super::make::probe_policy(probes) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kconfig-sat dimacs: {e}");
            return 2;
        }
    };
    let env = crate::tree::make_environment(&tree, arch, &crate::tree::host_cc_version_text());
    let loaded = match crate::tree::load_with(
        &tree,
        "Kconfig",
        env,
        policy,
        &[],
        ParseOptions {
            menu_structure: false,
        },
    ) {
        Ok(l) => l,
        Err(errors) => {
            for e in errors.errors {
                eprintln!("{:?}", miette::Report::new(e));
            }
            return 1;
        }
    };
    let enc = crate::sat::encode::Encoding::new(&loaded.kconfig);
    let header = format!(
        "kconfig-sat CNF of Linux {} for ARCH={arch}\n{} variables, {} clauses; see docs/semantics.md",
        crate::tree::kernel_version(&tree).unwrap_or_default(),
        enc.variables(),
        enc.clauses()
    );
    let text = crate::sat::dimacs::to_dimacs(&enc, &header);
    match output {
        Some(path) => match super::fsutil::write_atomic(path, text.as_bytes()) {
            Ok(()) => {
                eprintln!(
                    "wrote {} ({} variables, {} clauses)",
                    path.display(),
                    enc.variables(),
                    enc.clauses()
                );
                0
            }
            Err(e) => {
                eprintln!("kconfig-sat dimacs: {}: {e}", path.display());
                1
            }
        },
        None => {
            use std::io::Write;
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            if lock.write_all(text.as_bytes()).is_err() {
                return 1;
            }
            0
        }
    }
}
