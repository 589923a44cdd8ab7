//! `kubeplay bench`: scheduling throughput through the real scheduler path. A benchmark, not a
//! test: run it, read the figures, record them in docs/benchmarks.md.

use std::process::ExitCode;
use std::time::Instant;

// The CLI measures wall time; only the model is bound to SimTime (clippy.toml).
#[allow(clippy::disallowed_methods)]
pub fn main(args: &[String]) -> ExitCode {
    let get = |name: &str, d: usize| -> usize {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(d)
    };
    let nodes = get("--nodes", 500);
    let pods = get("--pods", 5000);
    let seed = get("--seed", 1) as u64;
    let t0 = Instant::now();
    let mut c = kubeplay_model::bench::scheduling_workload(nodes, pods, seed);
    let setup = t0.elapsed();
    let t1 = Instant::now();
    c.run_scheduler();
    let sched = t1.elapsed();
    let bound = pods - c.pending_pod_count();
    println!("nodes={nodes} pods={pods} seed={seed}");
    println!("cluster and pods created {:>10.1} ms", setup.as_secs_f64() * 1000.0);
    println!(
        "scheduled {bound} pods in {:.1} ms = {:.0} pods/s",
        sched.as_secs_f64() * 1000.0,
        bound as f64 / sched.as_secs_f64()
    );
    ExitCode::SUCCESS
}
