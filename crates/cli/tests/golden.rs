//! Golden transcripts: every `crates/model/tests/scripts/*.sh` runs through `kubeplay run --digest`
//! (seed 1, 3 nodes) and its output and exit code must equal `*.out` byte for byte. Review diffs
//! like code; regenerate with `UPDATE_GOLDEN=1 cargo test -p kubeplay-cli --test golden`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A script may start with `# args: --nodes 0` to pass flags to `kubeplay run`.
fn run(script: &Path) -> String {
    let text = std::fs::read_to_string(script).unwrap();
    let args: Vec<&str> = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# args:"))
        .map(|a| a.split_whitespace().collect())
        .unwrap_or_default();
    let out = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .arg("run")
        .arg(script)
        .arg("--digest")
        .args(args)
        .output()
        .expect("run kubeplay");
    format!("{}# exit {}\n", String::from_utf8_lossy(&out.stdout), out.status.code().unwrap_or(-1))
}

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model/tests/scripts");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    v.sort();
    v
}

#[test]
fn golden_transcripts() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let all = scripts();
    assert!(all.len() >= 4, "scripts missing: {all:?}");
    for script in all {
        let got = run(&script);
        assert_eq!(got, run(&script), "{}: two runs differ: the model is not deterministic", script.display());
        let golden = script.with_extension("out");
        if update {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if got != want {
            let line = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(0) + 1;
            failures.push(format!("{} differs from line {line}:\n--- got\n{got}", script.display()));
        }
    }
    assert!(failures.is_empty(), "golden transcripts differ (UPDATE_GOLDEN=1 to accept):\n{}", failures.join("\n"));
}

#[test]
fn exit_codes() {
    let bin = env!("CARGO_BIN_EXE_kubeplay");
    let missing = Command::new(bin).args(["run", "/nonexistent/script.sh"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2), "an unreadable script exits 2");
    let dir = std::env::temp_dir().join(format!("kubeplay-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.sh");
    std::fs::write(&bad, "kubectl get deployment nope\nkubectl get nodes\n").unwrap();
    let out = Command::new(bin).args(["run"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a failing command exits 1");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Error from server (NotFound): deployments.apps \"nope\" not found"), "{text}");
    assert!(text.contains("node-3"), "the commands after a failure still run: {text}");
    let zero = Command::new(bin).args(["run"]).arg(&bad).args(["--nodes", "0"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&zero.stdout).contains("node-1"));
    std::fs::remove_dir_all(&dir).ok();
}
