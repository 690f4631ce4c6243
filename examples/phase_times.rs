//! Times the phases of loading a tree (file reading vs the rest), to guide
//! optimisation. `cargo run --release --example phase_times [TREE] [ARCH] [PROFILE]`
use kconfig_sat::frontend::parser::ParseOptions;
use kconfig_sat::frontend::shell::{ProbeProfile, ShellPolicy};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let tree = std::path::PathBuf::from(
        args.next()
            .unwrap_or_else(|| "kconfig-data/linux-6.12".into()),
    );
    let arch = args.next().unwrap_or_else(|| "x86_64".into());
    let tree = tree.canonicalize().expect("tree");
    let env = kconfig_sat::tree::make_environment(
        &tree,
        &arch,
        &kconfig_sat::tree::host_cc_version_text(),
    );
    let fast = ParseOptions {
        menu_structure: false,
        ..Default::default()
    };
    let rec = kconfig_sat::tree::load_with(
        &tree,
        "Kconfig",
        env.clone(),
        ShellPolicy::Record(ProbeProfile::default()),
        &[],
        fast,
    )
    .expect("loads");
    let files = rec.kconfig.files_read.clone();
    let profile = rec.shell.into_profile().expect("profile");
    for _ in 0..3 {
        let t = Instant::now();
        let mut bytes = 0;
        for f in &files {
            bytes += std::fs::read(tree.join(f)).map(|b| b.len()).unwrap_or(0);
        }
        let read = t.elapsed();
        let t = Instant::now();
        let l = kconfig_sat::tree::load_with(
            &tree,
            "Kconfig",
            env.clone(),
            ShellPolicy::Replay(profile.clone()),
            &[],
            fast,
        )
        .expect("loads");
        let load = t.elapsed();
        let t = Instant::now();
        let groups = kconfig_sat::model::depgraph::cyclic_groups(&l.kconfig);
        let rec_check = t.elapsed();
        println!("{} files, {bytes} bytes: read {read:?}; full load {load:?} (of which recursion check ~{rec_check:?}); {} symbols, {} expressions, {} groups", files.len(), l.kconfig.symbols.len(), l.kconfig.exprs.len(), groups.len());
    }
}
