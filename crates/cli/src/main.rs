//! `kubeplay`: the model natively. `kubeplay run SCRIPT` prints a transcript; `kubeplay bench`
//! measures scheduling throughput; `kubeplay lesson check` checks lessons; `kubeplay hostile` and
//! `kubeplay sweep` measure robustness.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kubeplay_model::kubectl::transcript;
use kubeplay_model::{Cluster, ClusterConfig, Workspace};

mod bench;
mod hostile;
mod lesson;
mod mem;
mod sweep;

const USAGE: &str = "usage:
  kubeplay run SCRIPT [--seed N] [--nodes N] [--digest]   run a script ('-' reads stdin); print its transcript
  kubeplay bench [--nodes N] [--pods N] [--seed N]        scheduling throughput (pods/s)
  kubeplay bench envelope [--nodes N] [--pods N] [--minutes M] [--rps R]  5,000 nodes, 150,000 pods, 10 virtual minutes
  kubeplay bench course [--lesson FILE] [--seconds N]     cost of one simulated second of the course's cluster
  kubeplay lesson check FILE... [--transcript]            play each lesson's show-me path; check its goals
  kubeplay hostile [--case NAME] [--objects N] [--advance-ms MS]  hostile-input cases: outcome, wall time, peak memory
  kubeplay sweep [--seeds N] [--start S] [--print-script] [-v]  random workloads + faults, invariants after every step";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("bench") => bench::main(&args[1..]),
        Some("lesson") => lesson::main(&args[1..]),
        Some("hostile") => hostile::main(&args[1..]),
        Some("sweep") => sweep::main(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Result<T, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args.get(i + 1).and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number")),
    }
}

/// The workspace a script sees: every `-f PATH` it names, read from disk relative to the
/// script's folder (or absolute), keyed by the path as written.
fn workspace_for(script: &str, base: &Path) -> Workspace {
    let mut ws = Workspace::default();
    let words: Vec<&str> = script.split_whitespace().collect();
    for w in words.windows(2) {
        if (w[0] == "-f" || w[0] == "--filename") && w[1] != "-" {
            let p = PathBuf::from(w[1]);
            let full = if p.is_absolute() { p.clone() } else { base.join(&p) };
            if full.is_dir() {
                if let Ok(rd) = std::fs::read_dir(&full) {
                    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
                    entries.sort();
                    for e in entries {
                        if let (Some(name), Ok(bytes)) = (e.file_name(), std::fs::read(&e)) {
                            let key = format!("{}/{}", w[1].trim_end_matches('/'), name.to_string_lossy());
                            // Bytes that are not UTF-8 are kept as such: `apply` reports where.
                            ws.insert_bytes(key.trim_start_matches("./"), &bytes);
                        }
                    }
                }
            } else if let Ok(bytes) = std::fs::read(&full) {
                ws.insert_bytes(w[1].trim_start_matches("./"), &bytes);
            }
        }
    }
    ws
}

fn run(args: &[String]) -> ExitCode {
    let Some(path) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let (seed, nodes) = match (flag(args, "--seed", 1u64), flag(args, "--nodes", 3usize)) {
        (Ok(s), Ok(n)) => (s, n),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("kubeplay: {e}");
            return ExitCode::from(2);
        }
    };
    let (script, base) = if path == "-" {
        let mut s = String::new();
        if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s) {
            eprintln!("kubeplay: cannot read stdin: {e}");
            return ExitCode::from(2);
        }
        (s, std::env::current_dir().unwrap_or_default())
    } else {
        match std::fs::read_to_string(path) {
            Ok(s) => (s, Path::new(path).parent().map(Path::to_path_buf).unwrap_or_default()),
            Err(e) => {
                eprintln!("kubeplay: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        }
    };
    let ws = workspace_for(&script, &base);
    let mut cluster = Cluster::new(ClusterConfig { seed, nodes });
    let results = cluster.run(&script, &ws);
    print!("{}", transcript(&results));
    if args.iter().any(|a| a == "--digest") {
        println!("# digest {:016x}", cluster.digest());
    }
    if results.iter().all(|r| r.ok) { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
