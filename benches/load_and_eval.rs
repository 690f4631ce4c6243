//! Load the x86_64 Linux 6.12 tree and run olddefconfig with replayed probes;
//! encode it as CNF.
//! Needs the tree from kconfig-data/fetch-linux.sh (or KCONFIG_SAT_TREE).

use criterion::{criterion_group, Criterion};
use kconfig_sat::eval::config::Prefix;
use kconfig_sat::eval::modes::NewSymbolPolicy;
use kconfig_sat::eval::Evaluator;
use kconfig_sat::frontend::parser::{final_checks, ParseOptions};
use kconfig_sat::frontend::shell::{ProbeProfile, ShellPolicy};
use kconfig_sat::tree::{default_defconfig, host_cc_version_text, load_with, make_environment};
use std::path::PathBuf;

fn tree() -> PathBuf {
    std::env::var_os("KCONFIG_SAT_TREE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("kconfig-data/linux-6.12")
        })
}

fn bench(c: &mut Criterion) {
    let tree = tree()
        .canonicalize()
        .expect("run kconfig-data/fetch-linux.sh first");
    let env = make_environment(&tree, "x86_64", &host_cc_version_text());
    let fast = ParseOptions {
        menu_structure: false,
        ..Default::default()
    };
    // Record the probes once; every iteration replays them.
    let recorded = load_with(
        &tree,
        "Kconfig",
        env.clone(),
        ShellPolicy::Record(ProbeProfile::default()),
        &[],
        fast,
    )
    .expect("tree loads");
    let profile = recorded.shell.into_profile().expect("profile");
    let prefix = Prefix::default();
    let defconfig =
        std::fs::read_to_string(tree.join(default_defconfig("x86_64").expect("x86_64")))
            .expect("defconfig");
    let full_config = {
        let mut ev = Evaluator::new(&recorded.kconfig);
        ev.read_config(&defconfig, &prefix, false);
        ev.set_all_new_symbols(NewSymbolPolicy::Default);
        ev.write_config(&prefix)
    };

    let mut group = c.benchmark_group("x86_64-6.12");
    group.sample_size(20);
    group.bench_function("load (replayed probes)", |b| {
        b.iter(|| {
            load_with(
                &tree,
                "Kconfig",
                env.clone(),
                ShellPolicy::Replay(profile.clone()),
                &[],
                fast,
            )
            .expect("loads")
        })
    });
    group.bench_function("load + olddefconfig (replayed probes)", |b| {
        // As `kconfig-sat conf` does it: the whole-model checks run on the
        // second core while the configuration is evaluated.
        let deferred = ParseOptions {
            defer_final_checks: true,
            ..fast
        };
        b.iter(|| {
            let loaded = load_with(
                &tree,
                "Kconfig",
                env.clone(),
                ShellPolicy::Replay(profile.clone()),
                &[],
                deferred,
            )
            .expect("loads");
            let k = &loaded.kconfig;
            std::thread::scope(|scope| {
                let checks = scope.spawn(|| final_checks(k));
                let mut ev = Evaluator::new(k);
                ev.read_config(&full_config, &prefix, false);
                ev.calc_all();
                let out = ev.write_config(&prefix);
                assert!(checks.join().is_ok_and(|errors| errors.is_empty()));
                assert_eq!(out.len(), full_config.len());
            });
        })
    });
    group.bench_function("olddefconfig on a loaded tree", |b| {
        b.iter(|| {
            let mut ev = Evaluator::new(&recorded.kconfig);
            ev.read_config(&full_config, &prefix, false);
            ev.calc_all();
            ev.write_config(&prefix)
        })
    });
    group.bench_function("encode the whole tree (SAT)", |b| {
        b.iter(|| kconfig_sat::sat::encode::Encoding::new(&recorded.kconfig).clauses())
    });
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    // The heap set up as the binary sets it up.
    kconfig_sat::cli::heap::prefer_huge_pages();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
