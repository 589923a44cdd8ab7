//! Invariants over random rollouts (DESIGN.md habit 4; K8S-FACTS §1.2–§1.4): during a rolling
//! update a Deployment never has more than replicas + maxSurge non-terminating pods, nor fewer
//! than replicas - maxUnavailable available ones, and nodes never hold more requests than they
//! can allocate. A failure prints the case (replicas, surge, unavailable, seed) that replays it.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kubeplay_model::api::{Kind, Object};
use kubeplay_model::controllers::deployment::resolve_fenceposts;
use kubeplay_model::controllers::pod_is_ready;
use kubeplay_model::controllers::scheduler::{node_allocatable, pod_requests};
use kubeplay_model::{Cluster, ClusterConfig, Workspace};
use proptest::prelude::*;

fn int_or_pct() -> impl Strategy<Value = String> {
    prop_oneof![(0i32..4).prop_map(|i| i.to_string()), (0u32..=100).prop_map(|p| format!("\"{p}%\""))]
}

fn parse(s: &str) -> IntOrString {
    match s.trim_matches('"') {
        p if p.ends_with('%') => IntOrString::String(p.to_string()),
        i => IntOrString::Int(i.parse().unwrap()),
    }
}

fn check(c: &Cluster, replicas: i32, surge: i32, unavailable: i32, rollout_started: bool) -> Result<(), String> {
    let pods: Vec<_> = c
        .store()
        .list(Kind::Pod, Some("default"))
        .filter_map(|o| if let Object::Pod(p) = o { Some(p) } else { None })
        .collect();
    let live = pods.iter().filter(|p| p.metadata.deletion_timestamp.is_none()).count() as i32;
    if live > replicas + surge {
        return Err(format!("{live} non-terminating pods > replicas {replicas} + maxSurge {surge} at {}", c.now()));
    }
    if rollout_started {
        let available =
            pods.iter().filter(|p| p.metadata.deletion_timestamp.is_none() && pod_is_ready(p)).count() as i32;
        if available < replicas - unavailable {
            return Err(format!(
                "{available} available < replicas {replicas} - maxUnavailable {unavailable} at {}",
                c.now()
            ));
        }
    }
    for n in c.store().list(Kind::Node, None) {
        let Object::Node(node) = n else { continue };
        let alloc = node_allocatable(node);
        let used: i64 = pods
            .iter()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(n.name()))
            .map(|p| pod_requests(p).cpu_milli)
            .sum();
        if used > alloc.cpu_milli {
            return Err(format!("node {} holds {used}m of {}m CPU", n.name(), alloc.cpu_milli));
        }
    }
    Ok(())
}

proptest! {
    // A fixed seed: the same cases on every run, so a failure replays (PROPTEST_CASES widens it).
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6b75_6265),
        ..ProptestConfig::default()
    })]

    #[test]
    fn rolling_update_stays_within_surge_and_unavailable(replicas in 1i32..9, surge in int_or_pct(), unav in int_or_pct(), seed in 0u64..1000) {
        let (s, u) = resolve_fenceposts(Some(&parse(&surge)), Some(&parse(&unav)), replicas).unwrap();
        // Validation refuses maxSurge and maxUnavailable both 0 (as ints or percents) itself.
        let zero = |v: &str| matches!(v.trim_matches('"'), "0" | "0%");
        prop_assume!(!(zero(&surge) && zero(&unav)));
        let max_unavailable = u.min(replicas);
        let manifest = format!("apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: {replicas}\n  strategy:\n    rollingUpdate: {{maxSurge: {surge}, maxUnavailable: {unav}}}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n      - {{name: web, image: 'nginx:1.26', resources: {{requests: {{cpu: 100m}}}}}}\n");
        let ws = Workspace::default().with_file("d.yaml", &manifest);
        let mut c = Cluster::new(ClusterConfig { seed, nodes: 3 });
        let r = c.run("kubectl apply -f d.yaml\nkubectl rollout status deployment/web --timeout=10m", &ws);
        prop_assert!(r.iter().all(|x| x.ok), "setup failed: {:?}", r);
        c.run("kubectl set image deployment/web web=nginx:1.27", &ws);
        let mut steps = 0;
        while c.step() && steps < 5000 {
            steps += 1;
            if let Err(e) = check(&c, replicas, s, max_unavailable, true) {
                prop_assert!(false, "replicas={replicas} maxSurge={surge} maxUnavailable={unav} seed={seed}: {e}");
            }
        }
        let done = c.run("kubectl rollout status deployment/web --timeout=1s", &ws);
        prop_assert!(done[0].output.contains("successfully rolled out"), "did not converge: {}", done[0].output);
    }
}

/// Same script, same seed: the same event log, on every run (and in wasm: see the app crate's
/// determinism test, which checks this digest too).
#[test]
fn same_seed_same_digest() {
    let script = include_str!("scripts/nginx-slice.sh");
    let digest = |seed| {
        let mut c = Cluster::new(ClusterConfig { seed, nodes: 3 });
        c.run(script, &Workspace::default());
        c.digest()
    };
    assert_eq!(digest(1), digest(1));
    assert_ne!(digest(1), digest(2), "the seed must matter (pod names, tie-breaks)");
}

/// The inspector explains a Pending pod with the scheduler's message and keeps its per-node,
/// per-plugin breakdown.
#[test]
fn inspector_explains_pending_and_keeps_breakdown() {
    let ws = Workspace::default();
    let mut c = Cluster::new(ClusterConfig::default());
    c.run("kubectl create deployment big --image=nginx:1.27 --replicas=1\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata: {name: huge}\nspec:\n  containers:\n  - {name: c, image: 'nginx:1.27', resources: {requests: {cpu: '64'}}}\nEOF\nsleep 5s", &ws);
    let v = c.inspect(Kind::Pod, "default", "huge").unwrap();
    assert!(v.why[0].contains("0/3 nodes are available: 3 Insufficient cpu."), "{:?}", v.why);
    let s = v.scheduling.unwrap();
    assert_eq!(s.nodes.len(), 3);
    assert!(s.nodes.iter().all(|n| n.rejected_by.as_deref() == Some("NodeResourcesFit")));
    let pod =
        c.store().list(Kind::Pod, Some("default")).find(|o| o.name().starts_with("big-")).unwrap().name().to_string();
    let v = c.inspect(Kind::Pod, "default", &pod).unwrap();
    assert!(v.yaml.contains("kind: Pod"));
    assert!(v.events.iter().any(|e| e.reason == "Scheduled"));
    let sched = v.scheduling.unwrap();
    assert!(sched.chosen.is_some() && sched.nodes.iter().all(|n| n.scores.iter().any(|s| s.0 == "NodeResourcesFit")));
}

/// Scaling a Deployment in the middle of a stuck rollout resizes its ReplicaSets in proportion
/// (pkg/controller/deployment/sync.go `scale`, `GetProportion`), keeping them within
/// replicas + maxSurge. Found by `kubeplay sweep` (seed 998): without it the rollout's own
/// clean-up of unhealthy old pods is all that shrinks them, which leaves 4 pods where
/// 2 replicas + 1 surge allow 3.
#[test]
fn scaling_during_a_stuck_rollout_is_proportional() {
    let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 4\n  strategy: {rollingUpdate: {maxSurge: '50%', maxUnavailable: 0}}\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - {name: web, image: 'nginx:1.26', readinessProbe: {httpGet: {path: /never, port: 80}}}\n";
    let ws = Workspace::default().with_file("d.yaml", manifest);
    let mut c = Cluster::new(ClusterConfig::default());
    c.run("kubectl apply -f d.yaml\nsleep 20s\nkubectl set image deployment/web web=nginx:1.27\nsleep 20s", &ws);
    let sizes = |c: &Cluster| -> Vec<(String, i32)> {
        let mut v: Vec<(String, i32)> = c
            .store()
            .list(Kind::ReplicaSet, Some("default"))
            .filter_map(|o| match o {
                Object::ReplicaSet(rs) => Some((
                    rs.spec
                        .as_ref()
                        .and_then(|s| s.template.as_ref())
                        .and_then(|t| t.spec.as_ref())
                        .map_or(String::new(), |s| s.containers[0].image.clone().unwrap_or_default()),
                    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
                )),
                _ => None,
            })
            .collect();
        v.sort();
        v
    };
    // Nothing is ever ready: the rollout is stuck at 4 old + 2 new (replicas 4 + maxSurge 2).
    assert_eq!(sizes(&c), vec![("nginx:1.26".into(), 4), ("nginx:1.27".into(), 2)]);
    c.run("kubectl scale deployment web --replicas=2\nsleep 5s", &ws);
    // Allowed 2 + 1 = 3, so -3 is shared out from max-replicas 6: the old ReplicaSet
    // round(4 * 3 / 6) - 4 = -2, the new one round(2 * 3 / 6) - 2 = -1.
    assert_eq!(sizes(&c), vec![("nginx:1.26".into(), 2), ("nginx:1.27".into(), 1)]);
    assert_eq!(kubeplay_model::sweep::rollout_surge(&c), Ok(()));
    // Scaling up to 6 shares out 6 + 3 (50 %) - 3 = 6 more: the total becomes replicas + maxSurge.
    c.run("kubectl scale deployment web --replicas=6\nsleep 5s", &ws);
    let total: i32 = sizes(&c).iter().map(|s| s.1).sum();
    assert_eq!(total, 9, "{:?}", sizes(&c));
}
