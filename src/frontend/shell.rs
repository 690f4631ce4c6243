//! `$(shell,...)` in Kconfig runs commands from the tree being read. Whether
//! that happens is the caller's decision, made explicit here:
//!
//! * [`ShellPolicy::Run`]: run through `/bin/sh -c`, as `scripts/kconfig` does.
//! * [`ShellPolicy::Record`]: run, and remember command -> output in a profile.
//! * [`ShellPolicy::Replay`]: never run anything; answer from a recorded profile.
//! * [`ShellPolicy::Deny`]: never run anything; any shell call is an error.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

/// The C tool reads at most this many bytes of a command's output.
const SHELL_OUTPUT_LIMIT: usize = 4095;

/// A toolchain profile: what each shell command printed, once.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct ProbeProfile {
    /// Free-form note of where the profile was recorded (tree, arch, CC).
    #[serde(default)]
    pub note: String,
    pub commands: BTreeMap<String, String>,
}

impl ProbeProfile {
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read probe profile {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a probe profile: {e}", path.display()))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[derive(Debug)]
pub enum ShellPolicy {
    Run,
    Record(ProbeProfile),
    Replay(ProbeProfile),
    Deny,
}

/// How a profile names the tree in commands, so it replays wherever the tree is.
pub const SRCTREE_MARK: &str = "$(srctree)";

impl ShellPolicy {
    /// Runs (or looks up) one command and returns its output the way Kconfig
    /// uses it: trailing newlines dropped, inner newlines turned into spaces.
    /// `srctree` is the tree's path as the command spells it (if known).
    pub fn call(&mut self, command: &str, srctree: Option<&str>) -> Result<String, String> {
        let key = || match srctree {
            Some(t) if !t.is_empty() => command.replace(t, SRCTREE_MARK),
            _ => command.to_string(),
        };
        match self {
            ShellPolicy::Run => run_shell(command),
            ShellPolicy::Record(profile) => {
                let key = key();
                if let Some(out) = profile.commands.get(&key) {
                    return Ok(out.clone());
                }
                let out = run_shell(command)?;
                profile.commands.insert(key, out.clone());
                Ok(out)
            }
            ShellPolicy::Replay(profile) => profile.commands.get(&key()).cloned().ok_or_else(|| {
                format!(
                    "shell command not in the probe profile (record one with `kconfig-sat probe record`): {command}"
                )
            }),
            ShellPolicy::Deny => Err(format!(
                "running shell commands from Kconfig is disabled (use --probes run or a recorded profile): {command}"
            )),
        }
    }

    pub fn into_profile(self) -> Option<ProbeProfile> {
        match self {
            ShellPolicy::Record(p) | ShellPolicy::Replay(p) => Some(p),
            _ => None,
        }
    }
}

fn run_shell(command: &str) -> Result<String, String> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(command)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{command}: {e}"))?;
    let mut buf = Vec::new();
    if let Some(mut out) = child.stdout.take() {
        // Read everything so the child never blocks on a full pipe, keep the prefix.
        out.read_to_end(&mut buf)
            .map_err(|e| format!("{command}: {e}"))?;
    }
    child.wait().map_err(|e| format!("{command}: {e}"))?;
    buf.truncate(SHELL_OUTPUT_LIMIT);
    while buf.last() == Some(&b'\n') {
        buf.pop();
    }
    for b in buf.iter_mut() {
        if *b == b'\n' {
            *b = b' ';
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}
