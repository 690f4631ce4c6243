//! The seed's feature table (the Ubuntu security-features comparison of the
//! "Hardened NixOS" page) for one configuration: each protection's state
//! and what provides it: Kconfig options (evaluated on the configuration),
//! sysctls (from the NixOS configuration), or userspace, said plainly.

use crate::eval::{Evaluator, Tri};
use crate::sat::constraint::{eval, parse_expr};

/// How a protection is provided.
enum Source {
    /// A Kconfig expression that must be y.
    Kconfig(&'static str),
    /// Kconfig, and a sysctl key with the value that turns it on (when the
    /// NixOS configuration does not set it, the kernel's default stands).
    KconfigAndSysctl(&'static str, &'static str, &'static str),
    /// On when the Kconfig expression holds (the feature is compiled out),
    /// or when the sysctl is set to the value.
    KconfigOrSysctl(&'static str, &'static str, &'static str),
    /// Not a kernel option at all.
    Userspace(&'static str),
}

/// (feature, source), in the seed's order.
const FEATURES: &[(&str, Source)] = &[
    (
        "No Open Ports",
        Source::Userspace("a policy of the installed services"),
    ),
    (
        "Password hashing",
        Source::Userspace("the C library and PAM"),
    ),
    (
        "SYN cookies",
        Source::KconfigAndSysctl("SYN_COOKIES", "net.ipv4.tcp_syncookies", "1"),
    ),
    ("Filesystem Capabilities", Source::Kconfig("y")),
    ("Configurable Firewall", Source::Kconfig("NETFILTER")),
    ("Cloud PRNG seed", Source::Userspace("a boot-time service")),
    ("PR_SET_SECCOMP", Source::Kconfig("SECCOMP")),
    ("AppArmor", Source::Kconfig("SECURITY_APPARMOR")),
    ("SELinux", Source::Kconfig("SECURITY_SELINUX")),
    ("SMACK", Source::Kconfig("SECURITY_SMACK")),
    ("Encrypted LVM", Source::Kconfig("DM_CRYPT=y || DM_CRYPT=m")),
    ("eCryptfs", Source::Kconfig("ECRYPT_FS=y || ECRYPT_FS=m")),
    (
        "Stack Protector",
        Source::Userspace("a compiler flag of userspace builds"),
    ),
    (
        "Heap Protector",
        Source::Userspace("the C library's allocator"),
    ),
    ("Pointer Obfuscation", Source::Userspace("the C library")),
    (
        "Stack ASLR",
        Source::KconfigAndSysctl("MMU", "kernel.randomize_va_space", "2"),
    ),
    (
        "Libs/mmap ASLR",
        Source::KconfigAndSysctl("MMU", "kernel.randomize_va_space", "2"),
    ),
    (
        "Exec ASLR",
        Source::Userspace("position-independent executables (PIE builds)"),
    ),
    (
        "brk ASLR",
        Source::KconfigAndSysctl("!COMPAT_BRK", "kernel.randomize_va_space", "2"),
    ),
    (
        "VDSO ASLR",
        Source::KconfigAndSysctl("MMU", "kernel.randomize_va_space", "2"),
    ),
    (
        "Built as PIE",
        Source::Userspace("a compiler flag of userspace builds"),
    ),
    (
        "Built with Fortify Source",
        Source::Userspace("a compiler flag of userspace builds"),
    ),
    (
        "Built with RELRO",
        Source::Userspace("a linker flag of userspace builds"),
    ),
    (
        "Built with BIND_NOW",
        Source::Userspace("a linker flag of userspace builds"),
    ),
    (
        "Non-Executable Memory",
        Source::Kconfig("X86_64 || X86_PAE || !X86"),
    ),
    ("/proc/$pid/maps protection", Source::Kconfig("PROC_FS")),
    (
        "Symlink restrictions",
        Source::KconfigAndSysctl("y", "fs.protected_symlinks", "1"),
    ),
    (
        "Hardlink restrictions",
        Source::KconfigAndSysctl("y", "fs.protected_hardlinks", "1"),
    ),
    (
        "ptrace scope",
        Source::KconfigAndSysctl("SECURITY_YAMA", "kernel.yama.ptrace_scope", "1"),
    ),
    (
        "0-address protection",
        Source::KconfigAndSysctl("MMU", "vm.mmap_min_addr", "65536"),
    ),
    (
        "/dev/mem protection",
        Source::Kconfig("!DEVMEM || STRICT_DEVMEM"),
    ),
    ("/dev/kmem disabled", Source::Kconfig("!DEVKMEM")),
    (
        "Block module loading",
        Source::KconfigOrSysctl("!MODULES", "kernel.modules_disabled", "1"),
    ),
    (
        "Kernel Read-only data sections",
        Source::Kconfig("STRICT_KERNEL_RWX"),
    ),
    (
        "Kernel Stack protector",
        Source::Kconfig("STACKPROTECTOR_STRONG || STACKPROTECTOR"),
    ),
    (
        "Module RO/NX",
        Source::Kconfig("!MODULES || STRICT_MODULE_RWX"),
    ),
    (
        "Kernel Address Display Restriction",
        Source::KconfigAndSysctl("y", "kernel.kptr_restrict", "1"),
    ),
    (
        "Blacklist Rare Protocols",
        Source::Kconfig("!IP_DCCP && !IP_SCTP && !RDS && !TIPC"),
    ),
    ("Syscall Filtering", Source::Kconfig("SECCOMP_FILTER")),
    (
        "Block kexec",
        Source::KconfigOrSysctl("!KEXEC && !KEXEC_FILE", "kernel.kexec_load_disabled", "1"),
    ),
];

#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub feature: &'static str,
    /// "on", "off", "sysctl" (the kernel can, a sysctl decides) or
    /// "userspace".
    pub state: &'static str,
    pub provided_by: String,
}

/// The table for `ev`'s configuration and the NixOS configuration's sysctls.
pub fn report(ev: &mut Evaluator, sysctls: &[(String, String)]) -> Vec<Row> {
    let holds =
        |expr: &str, ev: &mut Evaluator| parse_expr(expr).is_ok_and(|e| eval(&e, ev) == Tri::Yes);
    let sysctl = |key: &str| {
        sysctls
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim_matches('"').to_string())
    };
    FEATURES
        .iter()
        .map(|(feature, source)| match source {
            Source::Userspace(what) => Row {
                feature,
                state: "userspace",
                provided_by: format!("not a kernel option: {what}"),
            },
            Source::Kconfig(expr) => Row {
                feature,
                state: if holds(expr, ev) { "on" } else { "off" },
                provided_by: if *expr == "y" {
                    "the kernel, always".to_string()
                } else {
                    format!("Kconfig: {expr}")
                },
            },
            Source::KconfigOrSysctl(expr, key, on) => {
                let set = sysctl(key);
                let state = if holds(expr, ev) || set.as_deref() == Some(*on) {
                    "on"
                } else if set.is_none() {
                    "sysctl"
                } else {
                    "off"
                };
                Row {
                    feature,
                    state,
                    provided_by: format!(
                        "Kconfig: {expr}, or sysctl {key} = {on} ({})",
                        set.map_or("not set here".to_string(), |v| format!("set to {v}"))
                    ),
                }
            }
            Source::KconfigAndSysctl(expr, key, on) => {
                let kernel = holds(expr, ev);
                let set = sysctl(key);
                let state = match (&set, kernel) {
                    (_, false) => "off",
                    (Some(v), true)
                        if v == on || v.parse::<i64>().ok() >= on.parse::<i64>().ok() =>
                    {
                        "on"
                    }
                    (Some(_), true) => "off",
                    (None, true) => "sysctl",
                };
                let kconfig = if *expr == "y" {
                    String::new()
                } else {
                    format!("Kconfig: {expr}; ")
                };
                let setting = match &set {
                    Some(v) => format!("sysctl {key} = {v} (set)"),
                    None => format!("sysctl {key} (not set here; {on} turns it on)"),
                };
                Row {
                    feature,
                    state,
                    provided_by: format!("{kconfig}{setting}"),
                }
            }
        })
        .collect()
}
