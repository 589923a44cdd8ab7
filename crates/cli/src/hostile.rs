//! `kubeplay hostile`: runs each hostile-input case of issue #8 (the same cases the tests in
//! crates/model/tests/hostile.rs check) through `kubectl apply -f FILE` and prints its outcome,
//! wall time and peak memory. A measurement, not a test: record the figures in
//! docs/robustness.md.

use std::process::ExitCode;
use std::time::Instant;

use kubeplay_model::bench::{HOSTILE_CASES, hostile_case};
use kubeplay_model::{Cluster, ClusterConfig};

use crate::mem::{peak_rss_kib, reset_peak_rss};

// The CLI measures wall time; only the model is bound to SimTime (clippy.toml).
#[allow(clippy::disallowed_methods)]
pub fn main(args: &[String]) -> ExitCode {
    let objects = args
        .iter()
        .position(|a| a == "--objects")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // Extra virtual time after the replicas-2147483647 apply (0: the case's own 100 ms).
    let advance_ms: u64 = args
        .iter()
        .position(|a| a == "--advance-ms")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    println!("{:<22} {:>10} {:>12} {:>8}  outcome", "case", "input", "wall ms", "peak MiB");
    let mut worst_ms = 0.0f64;
    // `--case NAME` runs one case (a fresh process gives each case a clean peak-memory figure).
    let only = args.iter().position(|a| a == "--case").and_then(|i| args.get(i + 1));
    if let Some(name) = only
        && !HOSTILE_CASES.contains(&name.as_str())
    {
        eprintln!("kubeplay hostile: no case {name}; the cases are {}", HOSTILE_CASES.join(", "));
        return ExitCode::from(2);
    }
    for name in HOSTILE_CASES.iter().filter(|n| only.is_none_or(|o| o == *n)) {
        let Some(case) = hostile_case(name, objects) else { continue };
        let input: usize = case.workspace.files.values().map(String::len).sum();
        let mut cluster = Cluster::new(ClusterConfig::default());
        reset_peak_rss();
        let t0 = Instant::now();
        let r = cluster.run(&format!("kubectl apply -f {}", case.file), &case.workspace);
        let then = if case.name == "replicas-2147483647" { case.then_ms.max(advance_ms) } else { case.then_ms };
        cluster.advance(then);
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        worst_ms = worst_ms.max(ms);
        let peak = peak_rss_kib().map_or("?".to_string(), |k| format!("{:.0}", k as f64 / 1024.0));
        let outcome = match r.first() {
            Some(r) if r.ok => {
                format!(
                    "ok: {} objects, {} pods",
                    r.output.lines().count(),
                    cluster.store().count(kubeplay_model::api::Kind::Pod)
                )
            }
            Some(r) => {
                let first = r.output.lines().next().unwrap_or("");
                format!("refused: {}", &first[..first.len().min(110)])
            }
            None => "no result".into(),
        };
        println!("{:<22} {:>9}K {:>12.1} {:>8}  {outcome}", case.name, input / 1024, ms, peak);
        // Dropping the cluster and the input is outside the case's figure.
        drop(cluster);
        drop(case);
    }
    println!("slowest case {worst_ms:.1} ms");
    ExitCode::SUCCESS
}
