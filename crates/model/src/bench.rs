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
    // Run the Deployment controller until the ReplicaSet exists, then the ReplicaSet controller
    // (BURST_REPLICAS pods a sync) until every pod does, without letting the scheduler's timer
    // fire: `run_scheduler` then places them all in one pass.
    let mut steps = 0;
    while c.store().count(crate::api::Kind::ReplicaSet) == 0 && steps < 100 && c.step() {
        steps += 1;
    }
    let mut syncs = 0;
    while c.pending_pod_count() < pods && syncs < pods / crate::controllers::replicaset::BURST_REPLICAS + 2 {
        c.sync_replica_sets();
        syncs += 1;
    }
    c
}

/// The envelope benchmark (issue #8): upstream's published scale limits, 5,000 nodes and
/// 150,000 pods.
pub const ENVELOPE_NODES: usize = 5_000;
pub const ENVELOPE_PODS: usize = 150_000;

/// A cluster of `nodes` default nodes, one Deployment `web` of `pods` nginx pods with requests
/// and an HTTP readiness probe every 10 s, a Service `web` in front of them, and a load
/// generator sending it `rps` requests a second. Nothing has run yet: the controllers, the
/// scheduler (the real path, percentageOfNodesToScore included) and the kubelets do the rest as
/// virtual time advances.
pub fn envelope_workload(nodes: usize, pods: usize, rps: u32, seed: u64) -> Cluster {
    let mut c = Cluster::new(ClusterConfig { seed, nodes });
    let manifest = format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {pods}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{{containerPort: 80}}]
        resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}
        readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: 10}}
---
apiVersion: v1
kind: Service
metadata: {{name: web}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: 80}}]
"
    );
    let ws = Workspace::default().with_file("envelope.yaml", &manifest);
    c.run(&format!("kubectl apply -f envelope.yaml\ntraffic start web --rps {rps}"), &ws);
    c
}

/// Where an envelope run stands, read from the cluster (for the benchmark's report).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvelopeStatus {
    pub virtual_ms: u64,
    pub pods: usize,
    pub bound: usize,
    pub ready: usize,
    pub requests: u64,
    pub failed: u64,
}

impl EnvelopeStatus {
    pub fn of(c: &Cluster) -> EnvelopeStatus {
        let mut s = EnvelopeStatus { virtual_ms: c.now().ms(), pods: 0, bound: 0, ready: 0, requests: 0, failed: 0 };
        for o in c.store().list(crate::api::Kind::Pod, None) {
            let crate::api::Object::Pod(p) = o else { continue };
            s.pods += 1;
            if p.spec.as_ref().is_some_and(|sp| sp.node_name.is_some()) {
                s.bound += 1;
            }
            if crate::controllers::pod_is_ready(p) {
                s.ready += 1;
            }
        }
        let b = c.traffic_stats("web", None);
        s.requests = b.requests;
        s.failed = b.requests - b.outcomes.get("2xx").copied().unwrap_or(0);
        s
    }
}

/// Advances virtual time a second at a time until all `pods` pods exist and are bound to a
/// node, or `limit_ms` of virtual time passes. True when all are bound.
pub fn envelope_schedule_all(c: &mut Cluster, pods: usize, limit_ms: u64) -> bool {
    let until = c.now().ms() + limit_ms;
    while c.now().ms() < until {
        c.advance(1_000);
        if envelope_all_bound(c, pods) {
            return true;
        }
    }
    false
}

/// Whether all `pods` pods exist and are bound to a node (the end of the envelope's first phase).
pub fn envelope_all_bound(c: &Cluster, pods: usize) -> bool {
    c.store().count(crate::api::Kind::Pod) >= pods && c.pending_pod_count() == 0
}

/// Wall times of steps (microseconds, as the caller measured them) summed up for a report:
/// mean, median, 99th percentile, maximum.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepCosts {
    pub mean: f64,
    pub p50: f64,
    pub p99: f64,
    pub max: f64,
}

impl StepCosts {
    pub fn of(samples: &[f64]) -> StepCosts {
        let mut us = samples.to_vec();
        us.sort_by(f64::total_cmp);
        let pct = |p: f64| us.get(((us.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(0.0);
        StepCosts {
            mean: us.iter().sum::<f64>() / us.len().max(1) as f64,
            p50: pct(0.5),
            p99: pct(0.99),
            max: pct(1.0),
        }
    }
}

impl std::fmt::Display for StepCosts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "mean {:.0} us, p50 {:.0} us, p99 {:.0} us, max {:.0} us", self.mean, self.p50, self.p99, self.max)
    }
}

/// The course's cluster for the per-step cost (issue #8): lesson 05's starting point (3 nodes,
/// PostgreSQL, Redis, wallet-server with the course's probes, its NodePort Service), the
/// Deployment scaled to 8 for about ten pods, and 50 requests a second, run 2 minutes so that
/// everything is up. What remains is the page's steady work: probes, traffic, controllers.
pub fn course_workload(lesson: &crate::lesson::Lesson, base: &std::collections::BTreeMap<String, String>) -> Cluster {
    let (mut c, ws, _) = lesson.start(base);
    c.run("kubectl scale deployment wallet-server --replicas=8\ntraffic start wallet-server --rps 50", &ws);
    c.advance(120_000);
    c
}

/// One hostile input for `kubectl apply -f FILE` (issue #8), shared by the tests
/// (crates/model/tests/hostile.rs, which check the outcome) and `kubeplay hostile` (which
/// measures wall time and peak memory). No timing here.
pub struct HostileCase {
    pub name: &'static str,
    /// The workspace file the case applies.
    pub file: &'static str,
    pub workspace: Workspace,
    /// Virtual time to run after the apply (what happens next matters for some cases).
    pub then_ms: u64,
}

const CONFIGMAP_HEAD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

fn deployment_with_replicas(replicas: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: d}}}}\n  template:\n    metadata: {{labels: {{app: d}}}}\n    spec:\n      containers:\n      - {{name: c, image: 'registry.k8s.io/pause:3.10', resources: {{requests: {{cpu: 1m, memory: 1Mi}}}}}}\n"
    )
}

/// The names of the hostile cases, in the order `kubeplay hostile` runs them.
pub const HOSTILE_CASES: [&str; 9] = [
    "alias-bomb",
    "10MiB-document",
    "10000-deep-flow",
    "10000-deep-block",
    "invalid-utf8",
    "nul-byte",
    "replicas-1e100",
    "replicas-2147483647",
    "many-objects",
];

/// Every case (some are megabytes; see [`hostile_case`] to build one at a time).
pub fn hostile_cases(objects: usize) -> Vec<HostileCase> {
    HOSTILE_CASES.iter().filter_map(|n| hostile_case(n, objects)).collect()
}

/// One case by name. `objects` is how many ConfigMaps the many-objects case applies (the
/// issue asks for 100,000).
pub fn hostile_case(name: &str, objects: usize) -> Option<HostileCase> {
    let ws = |file: &str, text: String| Workspace::default().with_file(file, &text);
    let case = |name: &'static str, file: &'static str, workspace: Workspace, then_ms: u64| {
        Some(HostileCase { name, file, workspace, then_ms })
    };
    match name {
        "alias-bomb" => {
            // A "billion laughs": 10 levels of anchors, each ten aliases of the one before.
            let mut bomb = format!("{CONFIGMAP_HEAD}data:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
            for i in 1..10 {
                let p = i - 1;
                let items = vec![format!("*a{p}"); 10].join(", ");
                bomb.push_str(&format!("  a{i}: &a{i} [{items}]\n"));
            }
            case("alias-bomb", "bomb.yaml", ws("bomb.yaml", bomb), 0)
        }
        "10MiB-document" => {
            let big = format!("{CONFIGMAP_HEAD}data:\n  big: \"{}\"\n", "a".repeat(10 << 20));
            case("10MiB-document", "big.yaml", ws("big.yaml", big), 0)
        }
        "10000-deep-flow" => {
            let flow = format!("{CONFIGMAP_HEAD}data: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
            case("10000-deep-flow", "deep.yaml", ws("deep.yaml", flow), 0)
        }
        "10000-deep-block" => {
            // Block style, 10,000 levels: a mapping per line, one more space of indentation each
            // (50 MB; compact `- - - x` sequences nest as deep in 20 KB but saphyr reads them
            // as one level per line too).
            let mut block = format!("{CONFIGMAP_HEAD}data:\n");
            for i in 0..10_000 {
                block.push_str(&" ".repeat(i + 1));
                block.push_str("k:\n");
            }
            case("10000-deep-block", "deep.yaml", ws("deep.yaml", block), 0)
        }
        "invalid-utf8" => {
            // Bytes that are not UTF-8 (Latin-1 "é" in a value), as the CLI reads them from disk.
            let mut bytes = format!("{CONFIGMAP_HEAD}data:\n  greeting: caf").into_bytes();
            bytes.extend_from_slice(&[0xe9, b'\n']);
            let mut latin1 = Workspace::default();
            latin1.insert_bytes("latin1.yaml", &bytes);
            case("invalid-utf8", "latin1.yaml", latin1, 0)
        }
        "nul-byte" => {
            case("nul-byte", "nul.yaml", ws("nul.yaml", format!("{CONFIGMAP_HEAD}data:\n  a: \"x\0y\"\n")), 0)
        }
        "replicas-1e100" => case("replicas-1e100", "d.yaml", ws("d.yaml", deployment_with_replicas("1e100")), 0),
        "replicas-2147483647" => {
            // The largest valid replicas: accepted, as upstream does. With maxSurge 0 (so that
            // replicas + maxSurge does not wrap; see new_rs_new_replicas_rolling) the
            // ReplicaSet controller then creates BURST_REPLICAS pods a sync, up to MAX_PODS.
            let huge = deployment_with_replicas("2147483647")
                .replace("  selector:", "  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}\n  selector:");
            case("replicas-2147483647", "d.yaml", ws("d.yaml", huge), 100)
        }
        "many-objects" => {
            let mut many = String::with_capacity(objects * 80);
            for i in 0..objects {
                many.push_str(&format!(
                    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{i}\ndata: {{k: v}}\n"
                ));
            }
            case("many-objects", "many.yaml", ws("many.yaml", many), 0)
        }
        _ => None,
    }
}
