//! Every lesson in `lessons/` passes `kubeplay lesson check`: its show-me path reaches each
//! step's goal, and no goal is already met when its step begins (issue #7, item 4).

use std::path::{Path, PathBuf};
use std::process::Command;

fn lessons() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("lessons/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_lesson_checks() {
    let files = lessons();
    assert!(!files.is_empty());
    let out = Command::new(env!("CARGO_BIN_EXE_kubeplay"))
        .args(["lesson", "check"])
        .args(&files)
        .output()
        .expect("run kubeplay");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.ends_with(&format!("lessons: {} passed, 0 failed\n", files.len())), "{stdout}");
}

#[test]
fn a_broken_lesson_fails_with_its_file_and_line() {
    let dir = std::env::temp_dir().join(format!("kubeplay-lesson-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.yaml");
    let text = std::fs::read_to_string(&lessons()[0]).unwrap().replacen("showMe:", "showMee:", 1);
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kubeplay")).args(["lesson", "check"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("broken.yaml:") && stdout.contains("unknown field `showMee`"), "{stdout}");
    assert!(stdout.ends_with("lessons: 0 passed, 1 failed\n"), "{stdout}");
    std::fs::remove_dir_all(&dir).ok();
}
