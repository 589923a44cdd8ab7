//! `kubeplay bench`: scheduling throughput through the real scheduler path. A benchmark, not a
//! test: run it, read the figures, record them in docs/benchmarks.md.

use std::process::ExitCode;
use std::time::Instant;

use kubeplay_model::{Cluster, ClusterConfig, Workspace};

pub fn main(args: &[String]) -> ExitCode {
    let get = |name: &str, d: usize| -> usize {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(d)
    };
    let nodes = get("--nodes", 500);
    let pods = get("--pods", 5000);
    let seed = get("--seed", 1) as u64;
    let t0 = Instant::now();
    let mut c = Cluster::new(ClusterConfig { seed, nodes });
    let setup = t0.elapsed();
    let manifest = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: bench}}\nspec:\n  replicas: {pods}\n  selector: {{matchLabels: {{app: bench}}}}\n  template:\n    metadata: {{labels: {{app: bench}}}}\n    spec:\n      containers:\n      - {{name: c, image: registry.k8s.io/pause:3.10, resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}}}\n"
    );
    let ws = Workspace::default().with_file("bench.yaml", &manifest);
    c.run("kubectl apply -f bench.yaml", &ws);
    // Let the controllers create every pod, then time the scheduler alone.
    let t1 = Instant::now();
    let mut steps = 0;
    while c.pending_pod_count() < pods && steps < 1000 && c.step() {
        steps += 1;
    }
    let created = t1.elapsed();
    let t2 = Instant::now();
    c.run_scheduler();
    let sched = t2.elapsed();
    let bound = pods - c.pending_pod_count();
    let pps = bound as f64 / sched.as_secs_f64();
    println!("nodes={nodes} pods={pods} seed={seed}");
    println!("cluster setup      {:>10.3} ms", setup.as_secs_f64() * 1000.0);
    println!("pods created       {:>10.3} ms", created.as_secs_f64() * 1000.0);
    println!("scheduled {bound:>7} in {:>10.3} ms  = {pps:.0} pods/s", sched.as_secs_f64() * 1000.0);
    ExitCode::SUCCESS
}
