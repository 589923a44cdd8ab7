//! Golden transcripts: every `tests/scripts/*.sh` runs with seed 1 on the default cluster, and its
//! transcript and event-log digest must equal `*.out` byte for byte. Review diffs like code;
//! regenerate with `UPDATE_GOLDEN=1 cargo test -p kubeplay-model --test golden`.

use std::path::Path;

use kubeplay_model::kubectl::transcript;
use kubeplay_model::{Cluster, ClusterConfig, Workspace};

/// Runs a script the way `kubeplay run` does (seed 1, 3 nodes) and renders transcript + digest.
pub fn render(script: &str) -> String {
    let mut c = Cluster::new(ClusterConfig::default());
    let results = c.run(script, &Workspace::default());
    format!("{}# digest {:016x}\n", transcript(&results), c.digest())
}

#[test]
fn golden_transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "sh")).collect();
    entries.sort();
    assert!(!entries.is_empty());
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for script in entries {
        let text = std::fs::read_to_string(&script).unwrap();
        let got = render(&text);
        let again = render(&text);
        assert_eq!(got, again, "{}: two runs differ: the model is not deterministic", script.display());
        let golden = script.with_extension("out");
        if update {
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if got != want {
            failures.push(format!("{}:\n--- want\n{want}\n--- got\n{got}", script.display()));
        }
    }
    assert!(failures.is_empty(), "golden transcripts differ (UPDATE_GOLDEN=1 to accept):\n{}", failures.join("\n"));
}
