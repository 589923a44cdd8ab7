//! The seed sweep (issue #8; DESIGN.md habit 4, after TigerBeetle's VOPR): one seed generates a
//! random workload and random faults, runs them while checking invariants after every step
//! (the safety phase), then stops the faults and requires the cluster to converge to its desired
//! state within bounded virtual time (the liveness phase). Everything is drawn from the seed's
//! own PCG stream ([`crate::rng::Rng`]), so `kubeplay sweep --seeds 1 --start S` replays seed S
//! exactly, and [`Scenario::script`] prints the same run as a script for `kubeplay run`.
//!
//! The checkers live apart from the simulator and read only the store and the kubelet's
//! records. Invariants, checked after every step:
//! - `pod-one-node`: a pod, once bound, stays on that node for its whole life.
//! - `node-allocatable`: the requests of the pods bound to a node (not yet Succeeded/Failed,
//!   terminating ones included, as the scheduler counts them) fit its allocatable CPU, memory
//!   and pod count.
//! - `endpoints-ready`: an EndpointSlice endpoint is `ready` only for a Ready pod that is not
//!   terminating, and its `serving`/`terminating` conditions agree with the pod (K8S-FACTS §5.3),
//!   once the EndpointSlice controller has caught up.
//! - `rollout-surge`: a Deployment's ReplicaSets ask for at most `replicas + maxSurge` pods in
//!   all, once the Deployment controller has caught up (K8S-FACTS §1.3). The other bound,
//!   `available >= replicas - maxUnavailable`, is the controller's promise about what *it*
//!   removes; a failing node removes more, so under faults it is not an invariant
//!   (tests/properties.rs checks it without faults).
//! - `backoff-max`: no container's restart or image-pull back-off exceeds 300 s, and no
//!   container waits more than 300 s for its next start (K8S-FACTS §3.1).
//! - `owner-exists`: once the garbage collector and EndpointSlice controller have caught up, no
//!   object has owner references all of which point at deleted owners.

use std::collections::BTreeMap;

use crate::api::Pod;

use crate::api::{Kind, Object};
use crate::cluster::{Cluster, ClusterConfig};
use crate::controllers::deployment::max_surge;
use crate::controllers::pod_is_ready;
use crate::controllers::scheduler::{node_allocatable, pod_requests};
use crate::kubectl::Workspace;
use crate::kubelet::runtime::BACKOFF_MAX_MS;
use crate::queue::Controller;
use crate::rng::Rng;

/// How long the liveness phase may take, in virtual time: the longest back-off (300 s), a
/// taint-based eviction (300 s toleration + 40 s grace) and a rollout's progress all fit.
pub const CONVERGE_WITHIN_MS: u64 = 30 * 60 * 1000;

/// One seed's generated run.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub seed: u64,
    pub nodes: usize,
    /// Commands that build the workload (profiles, the database, Deployments, Services).
    pub setup: Vec<String>,
    /// The safety phase: each command, then how long to run before the next.
    pub rounds: Vec<(String, u64)>,
    /// The commands that stop every fault (recover nodes, bring the database back).
    pub heal: Vec<String>,
}

/// A violated invariant or a cluster that did not converge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub seed: u64,
    /// `setup`, `safety` (with the round) or `liveness`.
    pub phase: String,
    pub at_ms: u64,
    pub invariant: &'static str,
    pub message: String,
}

/// What a passing seed did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub steps: u64,
    pub virtual_ms: u64,
    /// Virtual time from the faults' end to convergence.
    pub converge_ms: u64,
    /// How often each event reason was recorded (shows which faults the seed exercised:
    /// `BackOff`, `NodeNotReady`, `TaintManagerEviction`, `Unhealthy`, ...).
    pub reasons: BTreeMap<String, u32>,
}

const APP_PROFILE: &str = "apiVersion: kubeplay.dev/v1alpha1
kind: BehaviourProfile
metadata: {name: httpd}
spec:
  port: 80
  listen: 1s
  http: {/health: 200, /: 200}
  dependencies:
  - {hostEnv: DB_HOST, portEnv: DB_PORT, defaultPort: 5432, name: database}
  onMissingDependency: {exitAfter: 2s, exitCode: 1}
";

const DB: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: db}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: postgres
        image: postgres:16
        env: [{name: POSTGRES_PASSWORD, value: secret}]
        ports: [{containerPort: 5432}]
        resources: {requests: {cpu: 100m, memory: 128Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 5432}]
";

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u32) as usize]
}

fn int_or_percent(rng: &mut Rng) -> String {
    if rng.below(2) == 0 { rng.below(3).to_string() } else { format!("\"{}%\"", 25 * rng.below(5)) }
}

/// A heredoc `kubectl apply -f -` of one manifest.
fn apply(manifest: &str) -> String {
    format!("kubectl apply -f - <<EOF\n{}EOF", manifest)
}

impl Scenario {
    /// The seed's workload and faults.
    pub fn generate(seed: u64) -> Scenario {
        let mut rng = Rng::new(seed, 0x5745_4550); // "SWEP"
        let nodes = 3 + rng.below(3) as usize;
        let mut setup = vec![format!("profile apply -f - <<EOF\n{APP_PROFILE}EOF"), apply(DB)];
        let apps = 1 + rng.below(3) as usize;
        let mut images = Vec::new();
        for i in 0..apps {
            let name = format!("web{i}");
            // nginx answers on its own; httpd (with the profile above) needs the database.
            let nginx = rng.below(2) == 0;
            let image = if nginx { format!("nginx:1.2{}", rng.below(8)) } else { "httpd:2.4".to_string() };
            images.push(nginx);
            let replicas = 1 + rng.below(5);
            let (mut surge, mut unavailable) = (int_or_percent(&mut rng), int_or_percent(&mut rng));
            let zero = |v: &str| matches!(v.trim_matches('"'), "0" | "0%");
            if zero(&surge) && zero(&unavailable) {
                surge = "1".into();
                unavailable = "0".into();
            }
            // Up to 3 apps x 6 replicas x 500m = 9 CPU of the 12+ the nodes have: the desired
            // state always fits, but surges during node failures may not (FailedScheduling).
            let cpu = 100 * (1 + rng.below(5));
            let memory = 32 * (1 + rng.below(4));
            let period = 1 + rng.below(10);
            let liveness = if rng.below(2) == 0 {
                format!(
                    "\n        livenessProbe: {{tcpSocket: {{port: 80}}, periodSeconds: {}, failureThreshold: 3}}",
                    1 + rng.below(10)
                )
            } else {
                String::new()
            };
            let env = if nginx { String::new() } else { "\n        env: [{name: DB_HOST, value: db}]".to_string() };
            let min_ready = rng.below(3);
            setup.push(apply(&format!(
                "apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  minReadySeconds: {min_ready}
  strategy: {{rollingUpdate: {{maxSurge: {surge}, maxUnavailable: {unavailable}}}}}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
      - name: app
        image: {image}
        ports: [{{containerPort: 80}}]{env}
        resources: {{requests: {{cpu: {cpu}m, memory: {memory}Mi}}}}
        readinessProbe: {{httpGet: {{path: /, port: 80}}, periodSeconds: {period}}}{liveness}
---
apiVersion: v1
kind: Service
metadata: {{name: {name}}}
spec:
  selector: {{app: {name}}}
  ports: [{{port: 80}}]
"
            )));
        }
        setup.push("sleep 60s".into());

        let mut rounds = Vec::new();
        let mut down: Vec<String> = Vec::new();
        let mut db_down = false;
        for _ in 0..(10 + rng.below(11)) {
            let app = rng.below(apps as u32) as usize;
            let cmd = match rng.below(9) {
                0 | 1 if down.len() + 1 < nodes => {
                    let n = format!("node-{}", 1 + rng.below(nodes as u32));
                    if down.contains(&n) {
                        String::new()
                    } else {
                        let verb = if rng.below(3) == 0 { "partition" } else { "fail" };
                        down.push(n.clone());
                        format!("node {verb} {n}")
                    }
                }
                2 if !down.is_empty() => format!("node recover {}", down.remove(rng.below(down.len() as u32) as usize)),
                3 => format!("kubectl delete pod -l app=web{app} --wait=false"),
                4 if !db_down => {
                    db_down = true;
                    "kubectl scale deployment db --replicas=0".to_string()
                }
                4 => {
                    db_down = false;
                    "kubectl scale deployment db --replicas=1".to_string()
                }
                5 | 6 => {
                    let image = if images[app] {
                        format!("nginx:1.2{}", rng.below(8))
                    } else {
                        pick(&mut rng, &["httpd:2.4", "httpd:2.4.62", "httpd:2.4.63"]).to_string()
                    };
                    format!("kubectl set image deployment/web{app} app={image}")
                }
                7 => format!("kubectl scale deployment web{app} --replicas={}", rng.below(7)),
                _ => String::new(),
            };
            let run_ms = 1_000 * u64::from(1 + rng.below(90));
            rounds.push((cmd, run_ms));
        }
        let mut heal: Vec<String> = down.iter().map(|n| format!("node recover {n}")).collect();
        if db_down {
            heal.push("kubectl scale deployment db --replicas=1".into());
        }
        Scenario { seed, nodes, setup, rounds, heal }
    }

    /// The whole run as a script for `kubeplay run --seed SEED --nodes NODES` (the liveness
    /// phase as one sleep of the longest time it may take).
    pub fn script(&self) -> String {
        let mut s = format!("# kubeplay sweep seed {} ({} nodes)\n", self.seed, self.nodes);
        for c in &self.setup {
            s.push_str(c);
            s.push('\n');
        }
        for (i, (cmd, ms)) in self.rounds.iter().enumerate() {
            s.push_str(&format!("# round {i}\n"));
            if !cmd.is_empty() {
                s.push_str(cmd);
                s.push('\n');
            }
            s.push_str(&format!("sleep {}s\n", ms / 1000));
        }
        s.push_str("# faults stop\n");
        for c in &self.heal {
            s.push_str(c);
            s.push('\n');
        }
        s.push_str(&format!("sleep {}s\nkubectl get deploy,pods -o wide\n", CONVERGE_WITHIN_MS / 1000));
        s
    }
}

/// The invariant checkers, with what they remember between steps.
#[derive(Debug, Default)]
pub struct Checker {
    /// The node each pod (by uid) was first seen bound to.
    bound: BTreeMap<String, String>,
}

type Violation = (&'static str, String);

fn pods(c: &Cluster) -> impl Iterator<Item = &Pod> {
    c.store.list(Kind::Pod, None).filter_map(|o| match o {
        Object::Pod(p) => Some(&**p),
        _ => None,
    })
}

impl Checker {
    /// Every invariant, in the order of the module docs.
    pub fn check(&mut self, c: &Cluster) -> Result<(), Violation> {
        self.pod_one_node(c)?;
        node_allocatable_holds(c)?;
        endpoints_ready(c)?;
        rollout_surge(c)?;
        backoff_max(c)?;
        owner_exists(c)
    }

    pub fn pod_one_node(&mut self, c: &Cluster) -> Result<(), Violation> {
        for p in pods(c) {
            let (Some(uid), Some(node)) = (p.metadata.uid.as_ref(), p.spec.as_ref().and_then(|s| s.node_name.as_ref()))
            else {
                continue;
            };
            let first = self.bound.entry(uid.clone()).or_insert_with(|| node.clone());
            if first != node {
                return Err((
                    "pod-one-node",
                    format!("pod {} was bound to {first} and now to {node}", p.metadata.name.as_deref().unwrap_or("")),
                ));
            }
        }
        Ok(())
    }
}

pub fn node_allocatable_holds(c: &Cluster) -> Result<(), Violation> {
    let mut used: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    for p in pods(c) {
        let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
        if matches!(phase, Some("Succeeded" | "Failed")) {
            continue;
        }
        if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
            let r = pod_requests(p);
            let u = used.entry(n).or_default();
            u.0 += r.cpu_milli;
            u.1 += r.memory;
            u.2 += 1;
        }
    }
    for o in c.store.list(Kind::Node, None) {
        let Object::Node(n) = o else { continue };
        let a = node_allocatable(n);
        let (cpu, mem, count) = used.get(o.name()).copied().unwrap_or_default();
        if cpu > a.cpu_milli || mem > a.memory || count > a.pods {
            return Err((
                "node-allocatable",
                format!(
                    "node {} holds {cpu}m CPU, {mem} B, {count} pods of {}m, {} B, {} pods",
                    o.name(),
                    a.cpu_milli,
                    a.memory,
                    a.pods
                ),
            ));
        }
    }
    Ok(())
}

pub fn endpoints_ready(c: &Cluster) -> Result<(), Violation> {
    if c.controller_pending(Controller::Endpoints) {
        return Ok(()); // the controller has not looked at the latest change yet
    }
    for o in c.store.list(Kind::EndpointSlice, None) {
        let Object::EndpointSlice(s) = o else { continue };
        for e in &s.endpoints {
            let pod = e.target_ref.as_ref().and_then(|r| r.name.clone()).unwrap_or_default();
            let Some(Object::Pod(p)) = c.store.get(Kind::Pod, o.namespace(), &pod) else {
                return Err(("endpoints-ready", format!("{}: endpoint for missing pod {pod}", o.name())));
            };
            let cond = e.conditions.clone().unwrap_or_default();
            let terminating = p.metadata.deletion_timestamp.is_some();
            let ready = pod_is_ready(p);
            if cond.ready == Some(true) && (!ready || terminating) {
                return Err((
                    "endpoints-ready",
                    format!("{}: {pod} is ready but the pod is ready={ready} terminating={terminating}", o.name()),
                ));
            }
            if cond.serving != Some(ready) || cond.terminating != Some(terminating) {
                return Err(("endpoints-ready", format!("{}: {pod} has {cond:?}; the pod is ready={ready}", o.name())));
            }
        }
    }
    Ok(())
}

pub fn rollout_surge(c: &Cluster) -> Result<(), Violation> {
    if c.controller_pending(Controller::Deployment) {
        return Ok(());
    }
    for o in c.store.list(Kind::Deployment, None) {
        let Object::Deployment(d) = o else { continue };
        let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let limit = i64::from(desired) + i64::from(max_surge(d));
        let uid = d.metadata.uid.as_deref();
        let asked: i64 = c
            .store
            .list(Kind::ReplicaSet, Some(o.namespace()))
            .filter_map(|r| match r {
                Object::ReplicaSet(rs)
                    if rs.metadata.owner_references.iter().flatten().any(|x| Some(x.uid.as_str()) == uid) =>
                {
                    Some(i64::from(rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)))
                }
                _ => None,
            })
            .sum();
        if asked > limit {
            return Err((
                "rollout-surge",
                format!(
                    "deployment {}: its ReplicaSets ask for {asked} pods > replicas + maxSurge = {limit}",
                    o.name()
                ),
            ));
        }
    }
    Ok(())
}

pub fn backoff_max(c: &Cluster) -> Result<(), Violation> {
    let now = c.now.ms();
    // In name order: the first violation reported is the same on every run.
    for ((ns, name), rt) in c.kubelet.pods.sorted() {
        for b in rt.backoffs() {
            let over = |x: Option<crate::kubelet::runtime::Backoff>| x.is_some_and(|x| x.backoff_ms > BACKOFF_MAX_MS);
            let waiting_too_long = b.waiting.as_deref() == Some("CrashLoopBackOff")
                && b.start_at_ms.is_some_and(|t| t.saturating_sub(now) > BACKOFF_MAX_MS);
            if over(b.restart) || over(b.pull) || waiting_too_long {
                return Err((
                    "backoff-max",
                    format!(
                        "{ns}/{name} container {}: restart {:?}, pull {:?}, next start at {:?} ms (now {now})",
                        b.container, b.restart, b.pull, b.start_at_ms
                    ),
                ));
            }
        }
    }
    Ok(())
}

pub fn owner_exists(c: &Cluster) -> Result<(), Violation> {
    if c.controller_pending(Controller::GarbageCollector) || c.controller_pending(Controller::Endpoints) {
        return Ok(());
    }
    let uids: std::collections::BTreeSet<&str> =
        Kind::ALL.iter().flat_map(|k| c.store.list(*k, None)).filter_map(|o| o.meta().uid.as_deref()).collect();
    for kind in Kind::ALL {
        for o in c.store.list(kind, None) {
            let refs = o.meta().owner_references.as_deref().unwrap_or(&[]);
            if !refs.is_empty() && refs.iter().all(|r| !uids.contains(r.uid.as_str())) {
                return Err((
                    "owner-exists",
                    format!(
                        "{} {}/{} is owned by {}/{}, which is gone",
                        kind.name(),
                        o.namespace(),
                        o.name(),
                        refs[0].kind,
                        refs[0].name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The desired state, reached: every Deployment observed, updated and fully available, no pod
/// Pending, and every Service's ready endpoints exactly its Ready pods.
pub fn converged(c: &Cluster) -> Result<(), String> {
    for o in c.store.list(Kind::Deployment, None) {
        let Object::Deployment(d) = o else { continue };
        let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let st = d.status.clone().unwrap_or_default();
        let (replicas, updated, available) =
            (st.replicas.unwrap_or(0), st.updated_replicas.unwrap_or(0), st.available_replicas.unwrap_or(0));
        if st.observed_generation != d.metadata.generation || replicas != want || updated != want || available != want {
            return Err(format!(
                "deployment {}: replicas {replicas}, updated {updated}, available {available} of {want}",
                o.name()
            ));
        }
    }
    if let Some(p) = pods(c).find(|p| p.spec.as_ref().is_some_and(|s| s.node_name.is_none())) {
        return Err(format!("pod {} is still Pending", p.metadata.name.as_deref().unwrap_or("")));
    }
    for o in c.store.list(Kind::Service, None) {
        let Object::Service(s) = o else { continue };
        let Some(sel) = s.spec.as_ref().and_then(|sp| sp.selector.as_ref()) else { continue };
        let want: std::collections::BTreeSet<String> = pods(c)
            .filter(|p| {
                p.metadata.namespace.as_deref() == Some(o.namespace()) && p.metadata.deletion_timestamp.is_none()
            })
            .filter(|p| {
                pod_is_ready(p) && sel.iter().all(|(k, v)| p.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v))
            })
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        let have: std::collections::BTreeSet<String> = c
            .store
            .list(Kind::EndpointSlice, Some(o.namespace()))
            .filter_map(|e| match e {
                Object::EndpointSlice(es)
                    if es.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name"))
                        == Some(&o.name().to_string()) =>
                {
                    Some(es)
                }
                _ => None,
            })
            .flat_map(|es| es.endpoints.iter())
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) == Some(true))
            .filter_map(|e| e.target_ref.as_ref().and_then(|r| r.name.clone()))
            .collect();
        if want != have {
            return Err(format!("service {}: ready endpoints {have:?}, Ready pods {want:?}", o.name()));
        }
    }
    Ok(())
}

/// Runs one seed: setup, the safety phase with an invariant check after every step, then the
/// liveness phase.
pub fn run(seed: u64) -> Result<Outcome, Failure> {
    let sc = Scenario::generate(seed);
    let ws = Workspace::default();
    let mut c = Cluster::new(ClusterConfig { seed, nodes: sc.nodes });
    let mut checker = Checker::default();
    let mut out = Outcome::default();
    let fail = |c: &Cluster, phase: String, (invariant, message): Violation| Failure {
        seed,
        phase,
        at_ms: c.now.ms(),
        invariant,
        message,
    };
    for cmd in &sc.setup {
        for r in c.run(cmd, &ws) {
            if !r.ok {
                return Err(fail(&c, "setup".into(), ("setup", format!("$ {}\n{}", r.command, r.output))));
            }
        }
    }
    // Runs until `until`, checking after every step.
    let run_until = |c: &mut Cluster, checker: &mut Checker, until: u64, phase: &str, out: &mut Outcome| {
        while c.queue.next_time().is_some_and(|t| t.ms() <= until) {
            c.step();
            out.steps += 1;
            checker.check(c).map_err(|v| fail(c, phase.to_string(), v))?;
        }
        c.advance(until.saturating_sub(c.now.ms()));
        Ok::<(), Failure>(())
    };
    for (i, (cmd, ms)) in sc.rounds.iter().enumerate() {
        if !cmd.is_empty() {
            c.run(cmd, &ws);
            checker.check(&c).map_err(|v| fail(&c, format!("safety round {i}"), v))?;
        }
        let until = c.now.ms() + ms;
        run_until(&mut c, &mut checker, until, &format!("safety round {i}"), &mut out)?;
    }
    for cmd in &sc.heal {
        c.run(cmd, &ws);
    }
    let healed = c.now.ms();
    let deadline = healed + CONVERGE_WITHIN_MS;
    loop {
        let next = (c.now.ms() + 10_000).min(deadline);
        run_until(&mut c, &mut checker, next, "liveness", &mut out)?;
        match converged(&c) {
            Ok(()) => break,
            Err(e) if c.now.ms() >= deadline => {
                return Err(fail(
                    &c,
                    "liveness".into(),
                    (
                        "converges",
                        format!("not converged {} s after the faults stopped: {e}", CONVERGE_WITHIN_MS / 1000),
                    ),
                ));
            }
            Err(_) => {}
        }
    }
    out.virtual_ms = c.now.ms();
    out.converge_ms = c.now.ms() - healed;
    for e in c.events() {
        *out.reasons.entry(e.reason.to_string()).or_default() += e.count;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubelet::runtime::Backoff;

    /// A small healthy cluster to break by hand.
    fn healthy() -> Cluster {
        let mut c = Cluster::new(ClusterConfig { seed: 3, nodes: 2 });
        let ws = Workspace::default();
        for r in c.run("kubectl create deployment web --image=nginx:1.27 --replicas=2\nkubectl expose deployment web --port=80\nsleep 30s", &ws) {
            assert!(r.ok, "{r:?}");
        }
        let mut checker = Checker::default();
        assert_eq!(checker.check(&c), Ok(()));
        c
    }

    fn a_pod(c: &Cluster) -> Pod {
        match c.store.list(Kind::Pod, None).next() {
            Some(Object::Pod(p)) => (**p).clone(),
            _ => panic!("no pod"),
        }
    }

    #[test]
    fn pod_one_node_catches_a_pod_that_moves() {
        let mut c = healthy();
        let mut checker = Checker::default();
        checker.check(&c).unwrap();
        let mut p = a_pod(&c);
        let spec = p.spec_mut();
        spec.node_name = Some(if spec.node_name.as_deref() == Some("node-1") { "node-2" } else { "node-1" }.into());
        c.store.update(Object::Pod(Box::new(p)));
        assert_eq!(checker.pod_one_node(&c).unwrap_err().0, "pod-one-node");
    }

    #[test]
    fn node_allocatable_catches_an_overcommitted_node() {
        let mut c = healthy();
        let mut p = a_pod(&c);
        let requests =
            [("cpu".to_string(), k8s_openapi::apimachinery::pkg::api::resource::Quantity("5".into()))].into();
        p.spec_mut().containers[0].resources =
            Some(k8s_openapi::api::core::v1::ResourceRequirements { requests: Some(requests), ..Default::default() });
        c.store.update(Object::Pod(Box::new(p)));
        assert_eq!(node_allocatable_holds(&c).unwrap_err().0, "node-allocatable");
    }

    #[test]
    fn endpoints_ready_catches_a_ready_endpoint_for_a_terminating_pod() {
        let mut c = healthy();
        let mut p = a_pod(&c);
        p.metadata.deletion_timestamp = Some(crate::store::time(c.now));
        c.store.update(Object::Pod(Box::new(p)));
        assert!(!c.controller_pending(Controller::Endpoints), "the store was changed behind the controller's back");
        assert_eq!(endpoints_ready(&c).unwrap_err().0, "endpoints-ready");
    }

    #[test]
    fn rollout_surge_catches_replica_sets_that_ask_too_much() {
        let mut c = healthy();
        let Some(Object::ReplicaSet(mut rs)) = c.store.list(Kind::ReplicaSet, None).next().cloned() else {
            panic!("no rs")
        };
        // 2 replicas, 25 % maxSurge = 1: 4 is over.
        rs.spec.as_mut().unwrap().replicas = Some(4);
        c.store.update(Object::ReplicaSet(rs));
        assert_eq!(rollout_surge(&c).unwrap_err().0, "rollout-surge");
    }

    #[test]
    fn backoff_max_catches_a_back_off_over_300_s() {
        let mut c = healthy();
        let (ns, name) = c.kubelet.pods.sorted()[0].0;
        let (ns, name) = (ns.to_string(), name.to_string());
        let rt = c.kubelet.pods.get_mut(&ns, &name).unwrap();
        rt.force_restart_backoff(Backoff { backoff_ms: BACKOFF_MAX_MS + 1, last_update_ms: 0 });
        assert_eq!(backoff_max(&c).unwrap_err().0, "backoff-max");
    }

    #[test]
    fn owner_exists_catches_an_orphan() {
        let mut c = healthy();
        // The Deployment vanishes without the garbage collector hearing of it.
        c.store.remove(Kind::Deployment, "default", "web");
        assert_eq!(owner_exists(&c).unwrap_err().0, "owner-exists");
    }

    #[test]
    fn converged_catches_a_deployment_short_of_replicas() {
        let mut c = healthy();
        assert_eq!(converged(&c), Ok(()));
        c.run("kubectl scale deployment web --replicas=5", &Workspace::default());
        c.advance(15);
        assert!(converged(&c).is_err());
    }

    #[test]
    fn the_same_seed_generates_the_same_scenario() {
        assert_eq!(Scenario::generate(7).script(), Scenario::generate(7).script());
        assert_ne!(Scenario::generate(7).script(), Scenario::generate(8).script());
    }
}
