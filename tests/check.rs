//! `kconfig-sat check` on Linux 6.12 x86_64: exit status, categories, JSON.

mod common;
use common::*;
use std::process::Command;

fn check(args: &[&str], requests: &str) -> (i32, serde_json::Value) {
    let tree = tree();
    let dir = workdir(&format!("check-{}", requests.len()));
    let file = dir.join("requests.config");
    std::fs::write(&file, requests).expect("write requests");
    let out = Command::new(ours())
        .args(["check", "--format", "json", "--arch", "x86_64", "--tree"])
        .arg(&tree)
        .args(args)
        .arg(&file)
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON output ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn category_of(json: &serde_json::Value, line: u64) -> Option<String> {
    json["results"]
        .as_array()?
        .iter()
        .find(|r| r["line"] == line)?
        .get("category")?
        .as_str()
        .map(str::to_string)
}

#[test]
fn consistent_requests_hold() {
    let (code, json) = check(
        &[],
        "CONFIG_KEXEC=n\nHIBERNATION n\n# CONFIG_DEVMEM is not set\nCONFIG_NR_CPUS=128\n",
    );
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["satisfiable"], true);
    assert_eq!(json["schema"], 1);
    assert!(json["results"]
        .as_array()
        .expect("results")
        .iter()
        .all(|r| r["achieved"] == true));
}

#[test]
fn rejections_are_categorised() {
    let requests = "CONFIG_X86_64=n\nCONFIG_NR_CPUS=100000\nCONFIG_HZ_100=y\nCONFIG_HZ_1000=y\nCONFIG_MODULES=n\nCONFIG_EXT4_FS=m\nCONFIG_NO_SUCH_OPTION=y\n";
    let (code, json) = check(&[], requests);
    assert_eq!(code, 1, "rejections exit 1: {json}");
    assert_eq!(json["satisfiable"], false);
    assert_eq!(category_of(&json, 1).as_deref(), Some("not_user_settable"));
    assert_eq!(category_of(&json, 2).as_deref(), Some("value_out_of_range"));
    assert_eq!(category_of(&json, 3).as_deref(), Some("choice_conflict"));
    assert_eq!(category_of(&json, 4).as_deref(), Some("choice_conflict"));
    assert_eq!(
        category_of(&json, 5).as_deref(),
        Some("conflicts_with_other_requests")
    );
    assert_eq!(
        category_of(&json, 6).as_deref(),
        Some("conflicts_with_other_requests")
    );
    let bad = &json["bad_lines"][0];
    assert_eq!(bad["line"], 7);
    assert!(bad["problem"]
        .as_str()
        .unwrap_or("")
        .contains("unknown symbol"));
}

#[test]
fn malformed_requests_exit_2_with_their_line() {
    // `NAME VALUE` is the NixOS answers grammar, so line 3 names an unknown
    // symbol `this`; line 2 is an input error.
    let (code, json) = check(
        &[],
        "CONFIG_KEXEC=n\nCONFIG_SMP=m\nthis is not a request line at all\n",
    );
    assert_eq!(code, 2, "{json}");
    let bad = json["bad_lines"].as_array().expect("bad lines");
    let lines: Vec<u64> = bad.iter().filter_map(|b| b["line"].as_u64()).collect();
    assert_eq!(lines, vec![2, 3]);
    // Columns point at the bad value (`m`) and at the unknown name.
    assert_eq!(bad[0]["column"], 12);
    assert_eq!(bad[1]["column"], 1);
    assert_eq!(bad[0]["is_input_error"], true);
    assert_eq!(bad[1]["is_input_error"], false);
    // A NixOS answer line with a value for a bool.
    let (code, _) = check(&[], "KEXEC maybe\n");
    assert_eq!(code, 2);
}

/// A value that only a `select` from an option nobody set can give: possible
/// (SAT), but conf's result for the lines as written does not have it, as
/// nixpkgs would find after a build ("option not set correctly").
#[test]
fn possible_only_with_other_lines_is_said_so() {
    let (code, json) = check(&[], "BCH y\nKEXEC n\n");
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["satisfiable"], true);
    let bch = &json["results"][0];
    assert_eq!(bch["achieved"], true, "{json}");
    assert_eq!(bch["needs_other_changes"], true, "{json}");
    assert!(!bch["explanation"]
        .as_array()
        .expect("explanation")
        .is_empty());
    assert!(json["results"][1].get("needs_other_changes").is_none());
    // A fix that keeps both lines sets what makes conf select BCH.
    let fixes = json["fixes"].as_array().expect("fixes");
    assert!(
        fixes.iter().any(|f| {
            f["drop_lines"].as_array().is_some_and(|d| d.is_empty())
                && f["set_config"].as_array().is_some_and(|s| !s.is_empty())
        }),
        "{json}"
    );
}

/// Rules that all hold beside a request that needs other lines: the rules
/// are judged with the requests, not mistaken for requests.
#[test]
fn rules_beside_a_request_that_needs_other_lines() {
    let (code, json) = check(&["--rules", "grsecurity"], "BCH y\n");
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["results"][0]["needs_other_changes"], true, "{json}");
    let rules = json["rules"].as_array().expect("rules");
    assert!(!rules.is_empty());
    assert!(rules.iter().all(|r| r["status"] == "holds"), "{json}");
}
