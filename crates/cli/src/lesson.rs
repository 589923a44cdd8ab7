//! `kubeplay lesson check FILE...`: plays each lesson's show-me path and checks its goals
//! (crates/model/src/lesson.rs does the work; this reads files and prints the report).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kubeplay_model::lesson;

const USAGE: &str = "usage: kubeplay lesson check FILE... [--transcript]";

pub fn main(args: &[String]) -> ExitCode {
    if args.first().map(String::as_str) != Some("check") {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let show_transcript = args.iter().any(|a| a == "--transcript");
    let files: Vec<&String> = args[1..].iter().filter(|a| !a.starts_with("--")).collect();
    if files.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut failed = 0;
    for file in &files {
        match check_file(Path::new(file), show_transcript) {
            Ok(true) => {}
            Ok(false) => failed += 1,
            Err(e) => {
                println!("{e}");
                failed += 1;
            }
        }
    }
    println!("lessons: {} passed, {failed} failed", files.len() - failed);
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// Reads every file under `dir`, keyed by its path relative to `dir` with `/` separators.
pub fn read_tree(dir: &Path) -> Result<BTreeMap<String, String>, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> Result<(), String> {
        let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(root, &p, out)?;
            } else {
                let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
                let rel = p.strip_prefix(root).unwrap_or(&p);
                let key = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
                out.insert(key, text);
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

/// Loads a lesson file and the folder its `workspace.from` names.
pub fn load(path: &Path) -> Result<(lesson::Lesson, BTreeMap<String, String>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let l = lesson::parse(&path.display().to_string(), &text).map_err(|d| d.to_string())?;
    let base = match &l.spec.workspace.from {
        Some(from) => {
            let dir = path.parent().unwrap_or(Path::new(".")).join(from);
            read_tree(&dir).map_err(|e| format!("{}: spec.workspace.from: {e}", path.display()))?
        }
        None => BTreeMap::new(),
    };
    Ok((l, base))
}

fn check_file(path: &Path, show_transcript: bool) -> Result<bool, String> {
    let (l, base) = load(path)?;
    let report = lesson::check(&l, &base);
    println!("{}: lesson {} ({} steps)", path.display(), report.name, report.steps.len());
    for p in &report.setup_problems {
        println!("  set-up: FAIL {p}");
    }
    for (i, s) in report.steps.iter().enumerate() {
        let reached = s
            .reached_after_ms
            .map(|ms| format!("goal met {} after the show-me", kubeplay_model::time::go_duration(ms)))
            .unwrap_or_else(|| "goal not met".into());
        if s.problems.is_empty() {
            println!("  step {} {}: ok, not met at the start, {reached}", i + 1, s.id);
        } else {
            for p in &s.problems {
                println!("  step {} {}: FAIL {p}", i + 1, s.id);
            }
        }
    }
    if show_transcript || !report.ok() {
        println!("--- transcript of {}", report.name);
        print!("{}", report.transcript);
        println!("---");
    }
    Ok(report.ok())
}
