//! The unified-diff reader and hunk applier behind `--patch`: any patch text
//! against a small tree must give a result or a located error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

const TREE_FILE: &str = "menu \"Character devices\"\n\nconfig DEVPORT\n\tbool \"/dev/port\"\n\tdepends on DEVMEM\n\nendmenu\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let read = |name: &str| (name == "drivers/char/Kconfig").then(|| TREE_FILE.to_string());
    if let Err(e) = kconfig_sat::tree::patch::apply(text, &read) {
        let _ = e.message.len();
    }
});
