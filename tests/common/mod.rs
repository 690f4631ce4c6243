//! Shared test support: the Linux tree fetched by kconfig-data/fetch-linux.sh,
//! the environment `make` would give Kconfig, and side-by-side runs of the
//! kernel's own `conf` and ours. A missing tree is a test failure, not a skip.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn tree() -> PathBuf {
    let tree = std::env::var_os("KCONFIG_SAT_TREE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("kconfig-data/linux-6.12"));
    let conf = tree.join("scripts/kconfig/conf");
    assert!(
        conf.is_file(),
        "the Linux 6.12 tree with a built scripts/kconfig/conf is required at {} (run kconfig-data/fetch-linux.sh)",
        tree.display()
    );
    tree
}

pub fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kconfig-sat"))
}

pub fn srcarch(arch: &str) -> &str {
    kconfig_sat::tree::srcarch(arch)
}

/// The variables `make ARCH=<arch> <target>config` exports (see
/// ../shared/notes/kconfig-reference.md), as the library builds them.
pub fn make_env(tree: &Path, arch: &str) -> HashMap<String, String> {
    let cc = kconfig_sat::tree::host_cc_version_text();
    assert!(!cc.is_empty(), "gcc is needed (the kernel's probes run it)");
    let env = kconfig_sat::tree::make_environment(tree, arch, &cc);
    assert!(
        env.contains_key("KERNELVERSION"),
        "kernel version read from the tree's Makefile"
    );
    env
}

/// The tree loaded by the library for `arch`, probes run live.
pub fn load_tree(arch: &str) -> kconfig_sat::model::Kconfig {
    load_tree_with(arch, false)
}

/// Like [`load_tree`]; `menu_structure` also builds what explanations show.
pub fn load_tree_with(arch: &str, menu_structure: bool) -> kconfig_sat::model::Kconfig {
    let tree = tree();
    let env = make_env(&tree, arch);
    kconfig_sat::tree::load_with(
        &tree,
        "Kconfig",
        env,
        kconfig_sat::frontend::shell::ShellPolicy::Run,
        &[],
        kconfig_sat::frontend::parser::ParseOptions {
            menu_structure,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{arch} loads: {e}"))
    .kconfig
}

/// The `.config` the C tool makes from the arch's defconfig.
pub fn c_defconfig(arch: &str, label: &str) -> Vec<u8> {
    let tree = tree();
    let r = run_in(
        &workdir(label),
        &tree.join("scripts/kconfig/conf"),
        &[],
        &[&format!("--defconfig={}", arch_defconfig(arch)), "Kconfig"],
        &make_env(&tree, arch),
        None,
    );
    r.file(".config").expect("C wrote .config")
}

/// A fresh working directory (objtree) for one run.
pub fn workdir(label: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("kconfig-sat-test-{}", std::process::id()));
    let dir = base.join(label.replace(['/', ' ', '='], "_"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create work dir");
    dir
}

pub struct Run {
    pub dir: PathBuf,
    pub output: Output,
}

impl Run {
    pub fn file(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(name)).ok()
    }
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
}

/// Runs one conf-compatible program (`program` followed by `prefix` args) in `dir`.
pub fn run_in(
    dir: &Path,
    program: &Path,
    prefix: &[&str],
    args: &[&str],
    env: &HashMap<String, String>,
    seed_config: Option<&[u8]>,
) -> Run {
    run_with_input(dir, program, prefix, args, env, seed_config, b"")
}

/// Runs the kernel's conf and ours with identical input; returns both runs.
pub fn both(
    label: &str,
    args: &[&str],
    env: &HashMap<String, String>,
    seed_config: Option<&[u8]>,
) -> (Run, Run) {
    both_with_input(label, args, env, seed_config, b"")
}

/// A random configuration made by the C tool (`--randconfig`, KCONFIG_SEED=seed).
pub fn c_randconfig(arch: &str, seed: u32) -> Vec<u8> {
    let tree = tree();
    let mut env = make_env(&tree, arch);
    env.insert("KCONFIG_SEED".into(), seed.to_string());
    let dir = workdir(&format!("rand-{arch}-{seed}"));
    let r = run_in(
        &dir,
        &tree.join("scripts/kconfig/conf"),
        &[],
        &["--randconfig", "Kconfig"],
        &env,
        None,
    );
    assert_eq!(r.code(), Some(0), "randconfig seed {seed}: {}", r.stderr());
    r.file(".config").expect("randconfig wrote .config")
}

/// First differing line, for a readable failure.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: C `{x}` vs ours `{y}`", i + 1);
        }
    }
    format!(
        "lengths differ: C {} lines, ours {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

/// Asserts the two runs exited alike and wrote byte-identical copies of `files`.
pub fn assert_same(label: &str, c: &Run, o: &Run, files: &[&str]) {
    assert_eq!(
        c.code(),
        o.code(),
        "{label}: exit status differs\nC stderr:\n{}\nours stderr:\n{}",
        c.stderr(),
        o.stderr()
    );
    for f in files {
        let cf = c.file(f);
        let of = o.file(f);
        assert!(cf.is_some(), "{label}: C conf wrote no {f}\n{}", c.stderr());
        match (&cf, &of) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) => panic!("{label}: {f} differs: {}", first_difference(x, y)),
            _ => panic!("{label}: we wrote no {f}\n{}", o.stderr()),
        }
    }
}

/// The defconfig file `make ARCH=<arch> defconfig` uses.
pub fn arch_defconfig(arch: &str) -> &'static str {
    kconfig_sat::tree::default_defconfig(arch).expect("known arch")
}

pub const ALL_ARCHES: &[&str] = kconfig_sat::tree::ARCHES;

pub const CONFIG_FILES: &[&str] = &[
    ".config",
    "include/config/auto.conf",
    "include/config/auto.conf.cmd",
    "include/generated/autoconf.h",
    "include/generated/rustc_cfg",
];

/// Like [`run_in`], with `stdin` fed to the program.
pub fn run_with_input(
    dir: &Path,
    program: &Path,
    prefix: &[&str],
    args: &[&str],
    env: &HashMap<String, String>,
    seed_config: Option<&[u8]>,
    stdin: &[u8],
) -> Run {
    use std::io::Write;
    if let Some(cfg) = seed_config {
        std::fs::write(dir.join(".config"), cfg).expect("write seed .config");
    }
    let mut child = Command::new(program)
        .args(prefix)
        .args(args)
        .env_clear()
        .envs(env)
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run conf");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    // Feed from a thread: the program may print a lot before it reads.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().expect("conf finishes");
    let _ = feeder.join();
    Run {
        dir: dir.to_path_buf(),
        output,
    }
}

/// Both programs, fed the same standard input.
pub fn both_with_input(
    label: &str,
    args: &[&str],
    env: &HashMap<String, String>,
    seed_config: Option<&[u8]>,
    stdin: &[u8],
) -> (Run, Run) {
    let tree = tree();
    let c_dir = workdir(&format!("{label}/c"));
    let our_dir = workdir(&format!("{label}/ours"));
    let c = run_with_input(
        &c_dir,
        &tree.join("scripts/kconfig/conf"),
        &[],
        args,
        env,
        seed_config,
        stdin,
    );
    let o = run_with_input(&our_dir, &ours(), &["conf"], args, env, seed_config, stdin);
    (c, o)
}

/// A fixed pseudo-random stream of answers to conf's questions: valid and
/// invalid tristate answers, blank lines, help requests, numbers, junk.
pub fn random_answers(seed: u64, lines: usize) -> Vec<u8> {
    const OPTS: &[&str] = &[
        "y", "n", "m", "", "?", "1", "2", "3", "yes", "no", "x", "0x10", "42", "hello",
    ];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut out = String::new();
    for _ in 0..lines {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.push_str(OPTS[((state >> 33) % OPTS.len() as u64) as usize]);
        out.push('\n');
    }
    out.into_bytes()
}
