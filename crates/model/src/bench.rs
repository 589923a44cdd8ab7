//! Workloads for benchmarks, shared by the native CLI (`kubeplay bench`) and the wasm bench
//! (crates/app/tests/bench_wasm.rs), so both time exactly the same work. No timing here: the
//! model has no clock but its own.

use crate::{Cluster, ClusterConfig, Workspace};

/// A cluster of `nodes` default nodes with one Deployment of `pods` small pods created by the
/// real controllers and not yet scheduled: what `run_scheduler` then has to place.
pub fn scheduling_workload(nodes: usize, pods: usize, seed: u64) -> Cluster {
    let mut c = Cluster::new(ClusterConfig { seed, nodes });
    let manifest = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: bench}}\nspec:\n  replicas: {pods}\n  selector: {{matchLabels: {{app: bench}}}}\n  template:\n    metadata: {{labels: {{app: bench}}}}\n    spec:\n      containers:\n      - {{name: c, image: 'registry.k8s.io/pause:3.10', resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}}}\n"
    );
    let ws = Workspace::default().with_file("bench.yaml", &manifest);
    c.run("kubectl apply -f bench.yaml", &ws);
    // Run the Deployment and ReplicaSet controllers until every pod exists (the scheduler's
    // first pass is due 20 ms after the pods appear, later than these).
    let mut steps = 0;
    while c.pending_pod_count() < pods && steps < 100 && c.step() {
        steps += 1;
    }
    c
}
