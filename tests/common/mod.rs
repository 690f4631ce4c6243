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
    match arch {
        "x86_64" | "i386" => "x86",
        "sparc32" | "sparc64" => "sparc",
        "parisc64" => "parisc",
        a => a,
    }
}

/// The variables `make ARCH=<arch> <target>config` exports (see
/// ../shared/notes/kconfig-reference.md), on top of PATH and HOME.
pub fn make_env(tree: &Path, arch: &str) -> HashMap<String, String> {
    let mut env = HashMap::new();
    for key in ["PATH", "HOME", "LANG", "TMPDIR"] {
        if let Ok(v) = std::env::var(key) {
            env.insert(key.to_string(), v);
        }
    }
    let cc = Command::new("gcc")
        .arg("--version")
        .env("LC_ALL", "C")
        .output()
        .expect("gcc runs");
    let cc_text = String::from_utf8_lossy(&cc.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let version = kconfig_sat::tree::kernel_version(tree).expect("kernel version in Makefile");
    for (k, v) in [
        ("srctree", tree.to_string_lossy().to_string()),
        ("ARCH", arch.to_string()),
        ("SRCARCH", srcarch(arch).to_string()),
        ("SUBARCH", "x86".to_string()),
        ("CC", "gcc".into()),
        ("LD", "ld".into()),
        ("HOSTCC", "gcc".into()),
        ("AR", "ar".into()),
        ("NM", "nm".into()),
        ("OBJCOPY", "objcopy".into()),
        ("CC_VERSION_TEXT", cc_text),
        ("RUSTC", "rustc".into()),
        ("BINDGEN", "bindgen".into()),
        ("PAHOLE", "pahole".into()),
        ("HOSTPKG_CONFIG", "pkg-config".into()),
        ("KERNELVERSION", version),
        ("KCONFIG_DEFCONFIG_LIST", String::new()),
    ] {
        env.insert(k.to_string(), v);
    }
    if arch == "um" {
        env.insert("HEADER_ARCH".into(), "x86".into());
    }
    env
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
    if let Some(cfg) = seed_config {
        std::fs::write(dir.join(".config"), cfg).expect("write seed .config");
    }
    let output = Command::new(program)
        .args(prefix)
        .args(args)
        .env_clear()
        .envs(env)
        .current_dir(dir)
        .output()
        .expect("run conf");
    Run {
        dir: dir.to_path_buf(),
        output,
    }
}

/// Runs the kernel's conf and ours with identical input; returns both runs.
pub fn both(
    label: &str,
    args: &[&str],
    env: &HashMap<String, String>,
    seed_config: Option<&[u8]>,
) -> (Run, Run) {
    let tree = tree();
    let c_dir = workdir(&format!("{label}/c"));
    let our_dir = workdir(&format!("{label}/ours"));
    let c = run_in(
        &c_dir,
        &tree.join("scripts/kconfig/conf"),
        &[],
        args,
        env,
        seed_config,
    );
    let o = run_in(&our_dir, &ours(), &["conf"], args, env, seed_config);
    (c, o)
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

/// The defconfig file `make ARCH=<arch> defconfig` uses (or, where that
/// target merges fragments, a real file of the same arch).
pub fn arch_defconfig(arch: &str) -> &'static str {
    match arch {
        "alpha" => "arch/alpha/configs/defconfig",
        "arc" => "arch/arc/configs/haps_hs_smp_defconfig",
        "arm" => "arch/arm/configs/multi_v7_defconfig",
        "arm64" => "arch/arm64/configs/defconfig",
        "csky" => "arch/csky/configs/defconfig",
        "hexagon" => "arch/hexagon/configs/comet_defconfig",
        "loongarch" => "arch/loongarch/configs/loongson3_defconfig",
        "m68k" => "arch/m68k/configs/multi_defconfig",
        "microblaze" => "arch/microblaze/configs/mmu_defconfig",
        "mips" => "arch/mips/configs/generic_defconfig",
        "nios2" => "arch/nios2/configs/3c120_defconfig",
        "openrisc" => "arch/openrisc/configs/or1ksim_defconfig",
        "parisc" => "arch/parisc/configs/generic-64bit_defconfig",
        "powerpc" => "arch/powerpc/configs/ppc64_defconfig",
        "riscv" => "arch/riscv/configs/defconfig",
        "s390" => "arch/s390/configs/defconfig",
        "sh" => "arch/sh/configs/shx3_defconfig",
        "sparc" => "arch/sparc/configs/sparc64_defconfig",
        "um" => "arch/um/configs/x86_64_defconfig",
        "x86_64" => "arch/x86/configs/x86_64_defconfig",
        "xtensa" => "arch/xtensa/configs/iss_defconfig",
        other => panic!("no defconfig known for {other}"),
    }
}

pub const ALL_ARCHES: &[&str] = &[
    "alpha",
    "arc",
    "arm",
    "arm64",
    "csky",
    "hexagon",
    "loongarch",
    "m68k",
    "microblaze",
    "mips",
    "nios2",
    "openrisc",
    "parisc",
    "powerpc",
    "riscv",
    "s390",
    "sh",
    "sparc",
    "um",
    "x86_64",
    "xtensa",
];

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
