//! kube-scheduler with the default plugins (K8S-FACTS §6): filter, then score, then pick among
//! the best at random (seeded). Every decision keeps a per-node, per-plugin breakdown for the UI
//! and `kubectl describe`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, Taint, Toleration};

use super::controller_ref;
use crate::api::quantity;
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::queue::Controller;
use crate::rng::Rng;
use crate::store::time;
use crate::time::SimTime;

pub const MAX_NODE_SCORE: i64 = 100;
/// Scoring counts a container without requests as 100m CPU and 200Mi memory.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;
/// `minFeasibleNodesToFind`.
pub const MIN_FEASIBLE_NODES_TO_FIND: usize = 100;
/// Unschedulable pods are retried at least this often (`podMaxInUnschedulablePodsDuration`).
pub const MAX_IN_UNSCHEDULABLE_MS: u64 = 5 * 60 * 1000;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub cpu_milli: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    pub pods: i64,
}

fn q(
    list: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
    key: &str,
    milli: bool,
) -> i64 {
    list.and_then(|m| m.get(key))
        .and_then(|v| if milli { quantity::milli_value(&v.0).ok() } else { quantity::value(&v.0).ok() })
        .unwrap_or(0)
}

/// The pod's effective request: max(Σ app containers + sidecars, each init container) +
/// overhead (K8S-FACTS §6.3).
pub fn pod_requests(p: &Pod) -> Resources {
    pod_requests_with(p, false)
}

/// As the scoring plugins count it: a container without a CPU/memory request counts as
/// 100m / 200Mi.
pub fn pod_requests_nonzero(p: &Pod) -> Resources {
    pod_requests_with(p, true)
}

fn pod_requests_with(p: &Pod, non_zero: bool) -> Resources {
    let Some(spec) = p.spec.as_ref() else {
        return Resources::default();
    };
    let one = |c: &k8s_openapi::api::core::v1::Container| {
        let req = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        let mut cpu = q(req, "cpu", true);
        let mut mem = q(req, "memory", false);
        if non_zero {
            if req.is_none_or(|m| !m.contains_key("cpu")) {
                cpu = DEFAULT_MILLI_CPU_REQUEST;
            }
            if req.is_none_or(|m| !m.contains_key("memory")) {
                mem = DEFAULT_MEMORY_REQUEST;
            }
        }
        Resources { cpu_milli: cpu, memory: mem, ephemeral_storage: q(req, "ephemeral-storage", false), pods: 0 }
    };
    let mut sum = Resources::default();
    for c in &spec.containers {
        let r = one(c);
        sum.cpu_milli += r.cpu_milli;
        sum.memory += r.memory;
        sum.ephemeral_storage += r.ephemeral_storage;
    }
    for c in spec.init_containers.iter().flatten() {
        let r = one(c);
        if c.restart_policy.as_deref() == Some("Always") {
            sum.cpu_milli += r.cpu_milli;
            sum.memory += r.memory;
            sum.ephemeral_storage += r.ephemeral_storage;
        } else {
            sum.cpu_milli = sum.cpu_milli.max(r.cpu_milli);
            sum.memory = sum.memory.max(r.memory);
            sum.ephemeral_storage = sum.ephemeral_storage.max(r.ephemeral_storage);
        }
    }
    if let Some(o) = spec.overhead.as_ref() {
        sum.cpu_milli += q(Some(o), "cpu", true);
        sum.memory += q(Some(o), "memory", false);
    }
    sum.pods = 1;
    sum
}

pub fn node_allocatable(n: &Node) -> Resources {
    let st = n.status.as_ref();
    let alloc = st.and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref()));
    Resources {
        cpu_milli: q(alloc, "cpu", true),
        memory: q(alloc, "memory", false),
        ephemeral_storage: q(alloc, "ephemeral-storage", false),
        pods: q(alloc, "pods", false),
    }
}

/// What one filter plugin said about one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterVerdict {
    pub plugin: &'static str,
    pub reasons: Vec<String>,
    /// UnschedulableAndUnresolvable: preemption cannot help on this node.
    pub unresolvable: bool,
}

/// One score plugin's contribution on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginScore {
    pub plugin: &'static str,
    pub weight: i64,
    /// After NormalizeScore, 0..=100.
    pub score: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeVerdict {
    pub node: std::rc::Rc<str>,
    /// None when every filter passed; otherwise the plugin that rejected the node.
    pub rejected: Option<FilterVerdict>,
    /// Whether this node was looked at (percentageOfNodesToScore may stop early).
    pub evaluated: bool,
    pub scores: Vec<PluginScore>,
    pub total: i64,
}

/// One scheduling attempt for one pod, as the UI and `describe` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub time_ms: u64,
    pub nodes: Vec<NodeVerdict>,
    pub chosen: Option<String>,
    /// The FailedScheduling message when nothing fit.
    pub message: Option<String>,
}

#[derive(Debug, Default)]
pub struct SchedulerState {
    next_start_node_index: usize,
    /// Bumped when the cluster changes in a way that can make an unschedulable pod fit.
    pub(crate) epoch: u64,
    /// Unschedulable pods: (epoch at failure, time of failure, attempts).
    unschedulable: BTreeMap<(String, String), (u64, u64, u32)>,
    pub decisions: BTreeMap<(String, String), Decision>,
    decision_order: std::collections::VecDeque<(String, String)>,
}

/// Per-node aggregate the plugins read, built once per scheduling pass.
#[derive(Clone, Debug, Default)]
struct NodeInfo {
    requested: Resources,
    non_zero: Resources,
    pod_count: i64,
    host_ports: BTreeSet<(String, String, i32)>,
    /// Labels of the pods on the node with their namespace, for topology spreading.
    pods: Vec<(String, BTreeMap<String, String>)>,
}

fn tolerates(tols: &[Toleration], taint: &Taint) -> bool {
    tols.iter().any(|t| {
        let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == taint.effect);
        let op = t.operator.as_deref().unwrap_or("Equal");
        let key_ok = match t.key.as_deref() {
            None | Some("") => op == "Exists",
            Some(k) => k == taint.key,
        };
        let value_ok = match op {
            "Exists" => true,
            _ => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        };
        effect_ok && key_ok && value_ok
    })
}

fn node_selector_matches(pod: &Pod, node: &Node) -> bool {
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    let spec = pod.spec.as_ref();
    if let Some(sel) = spec.and_then(|s| s.node_selector.as_ref())
        && !sel.iter().all(|(k, v)| labels.get(k) == Some(v))
    {
        return false;
    }
    let required = spec
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|na| na.required_during_scheduling_ignored_during_execution.as_ref());
    if let Some(req) = required {
        // Terms are ORed; expressions within a term are ANDed.
        return req.node_selector_terms.iter().any(|term| node_selector_term_matches(term, node));
    }
    true
}

fn node_selector_term_matches(term: &k8s_openapi::api::core::v1::NodeSelectorTerm, node: &Node) -> bool {
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    let exprs = term.match_expressions.as_deref().unwrap_or(&[]);
    let fields = term.match_fields.as_deref().unwrap_or(&[]);
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    let check = |key: &str, op: &str, values: &[String], got: Option<&String>| -> bool {
        match op {
            "In" => got.is_some_and(|g| values.contains(g)),
            "NotIn" => got.is_none_or(|g| !values.contains(g)),
            "Exists" => got.is_some(),
            "DoesNotExist" => got.is_none(),
            "Gt" | "Lt" => {
                let (Some(g), Some(v)) =
                    (got.and_then(|g| g.parse::<i64>().ok()), values.first().and_then(|v| v.parse::<i64>().ok()))
                else {
                    return false;
                };
                let _ = key;
                if op == "Gt" { g > v } else { g < v }
            }
            _ => false,
        }
    };
    exprs.iter().all(|e| check(&e.key, &e.operator, e.values.as_deref().unwrap_or(&[]), labels.get(&e.key)))
        && fields.iter().all(|f| {
            let name = node.metadata.name.clone().unwrap_or_default();
            let got = (f.key == "metadata.name").then_some(&name);
            check(&f.key, &f.operator, f.values.as_deref().unwrap_or(&[]), got)
        })
}

fn host_ports(p: &Pod) -> Vec<(String, String, i32)> {
    let mut out = Vec::new();
    for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
        for port in c.ports.iter().flatten() {
            if let Some(hp) = port.host_port.filter(|h| *h > 0) {
                out.push((
                    port.host_ip.clone().unwrap_or_else(|| "0.0.0.0".into()),
                    port.protocol.clone().unwrap_or_else(|| "TCP".into()),
                    hp,
                ));
            }
        }
    }
    out
}

/// Runs the filter plugins in upstream order, stopping at the first that rejects the node.
fn filter(pod: &Pod, node: &Node, info: &NodeInfo, alloc: Resources, req: Resources) -> Option<FilterVerdict> {
    let spec = pod.spec.as_ref();
    let tols: &[Toleration] = spec.and_then(|s| s.tolerations.as_deref()).unwrap_or(&[]);
    let reject = |plugin, reasons: Vec<String>, unresolvable| Some(FilterVerdict { plugin, reasons, unresolvable });
    // NodeUnschedulable
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        let t =
            Taint { key: "node.kubernetes.io/unschedulable".into(), effect: "NoSchedule".into(), ..Default::default() };
        if !tolerates(tols, &t) {
            return reject("NodeUnschedulable", vec!["node(s) were unschedulable".into()], true);
        }
    }
    // NodeName
    if let Some(n) = spec.and_then(|s| s.node_name.as_deref())
        && Some(n) != node.metadata.name.as_deref()
    {
        return reject("NodeName", vec!["node(s) didn't match the requested node name".into()], true);
    }
    // TaintToleration (v1.34 wording names the first untolerated taint)
    for t in node.spec.as_ref().and_then(|s| s.taints.as_ref()).into_iter().flatten() {
        if (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerates(tols, t) {
            return reject(
                "TaintToleration",
                vec![format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value.as_deref().unwrap_or(""))],
                true,
            );
        }
    }
    // NodeAffinity
    if !node_selector_matches(pod, node) {
        return reject("NodeAffinity", vec!["node(s) didn't match Pod's node affinity/selector".into()], true);
    }
    // NodePorts
    for (ip, proto, port) in host_ports(pod) {
        let clash = info.host_ports.iter().any(|(ip2, proto2, port2)| {
            *port2 == port && *proto2 == proto && (ip == "0.0.0.0" || ip2 == "0.0.0.0" || *ip2 == ip)
        });
        if clash {
            return reject(
                "NodePorts",
                vec!["node(s) didn't have free ports for the requested pod ports".into()],
                false,
            );
        }
    }
    // NodeResourcesFit
    let mut reasons = Vec::new();
    if info.pod_count + 1 > alloc.pods {
        reasons.push("Too many pods".to_string());
    }
    if req.cpu_milli > 0 && req.cpu_milli > alloc.cpu_milli - info.requested.cpu_milli {
        reasons.push("Insufficient cpu".into());
    }
    if req.memory > 0 && req.memory > alloc.memory - info.requested.memory {
        reasons.push("Insufficient memory".into());
    }
    if req.ephemeral_storage > 0 && req.ephemeral_storage > alloc.ephemeral_storage - info.requested.ephemeral_storage {
        reasons.push("Insufficient ephemeral-storage".into());
    }
    if !reasons.is_empty() {
        return reject("NodeResourcesFit", reasons, false);
    }
    None
}

/// LeastAllocated (K8S-FACTS §6.4): per resource `(capacity - requested) * 100 / capacity`,
/// averaged over cpu and memory with weight 1 each; integer division throughout.
pub fn least_allocated(requested: (i64, i64), capacity: (i64, i64)) -> i64 {
    let one = |req: i64, cap: i64| {
        if cap == 0 || req > cap { 0 } else { (cap - req) * MAX_NODE_SCORE / cap }
    };
    (one(requested.0, capacity.0) + one(requested.1, capacity.1)) / 2
}

/// BalancedAllocation (K8S-FACTS §6.5): `(1 - std(fractions)) * 100`; for two resources the
/// std is `|f1 - f2| / 2`. Only + - * / and abs: identical on every platform.
pub fn balanced_allocation(requested: (i64, i64), allocatable: (i64, i64)) -> i64 {
    let frac = |r: i64, a: i64| {
        if a == 0 { None } else { Some((r as f64 / a as f64).min(1.0)) }
    };
    let fs: Vec<f64> =
        [frac(requested.0, allocatable.0), frac(requested.1, allocatable.1)].into_iter().flatten().collect();
    let std = match fs.len() {
        2 => (fs[0] - fs[1]).abs() / 2.0,
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// `DefaultNormalizeScore`: scale to 0..=100 by the maximum, optionally reversed.
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0);
    if max == 0 {
        if reverse {
            scores.iter_mut().for_each(|s| *s = MAX_NODE_SCORE);
        }
        return;
    }
    for s in scores.iter_mut() {
        let v = MAX_NODE_SCORE * *s / max;
        *s = if reverse { MAX_NODE_SCORE - v } else { v };
    }
}

/// `numFeasibleNodesToFind` with the default adaptive percentageOfNodesToScore.
pub fn num_feasible_nodes_to_find(num_all_nodes: usize) -> usize {
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all_nodes;
    }
    let pct = (50 - (num_all_nodes / 125) as i64).max(5) as usize;
    (num_all_nodes * pct / 100).max(MIN_FEASIBLE_NODES_TO_FIND)
}

/// Natural log with + - * / only (atanh series), so native and wasm agree bit for bit.
pub fn portable_ln(x: f64) -> f64 {
    if x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    // Reduce to m * 2^k with m in [0.75, 1.5).
    let mut m = x;
    let mut k = 0i32;
    while m >= 1.5 {
        m /= 2.0;
        k += 1;
    }
    while m < 0.75 {
        m *= 2.0;
        k -= 1;
    }
    let y = (m - 1.0) / (m + 1.0);
    let y2 = y * y;
    let mut term = y;
    let mut sum = 0.0;
    let mut n = 1.0;
    for _ in 0..30 {
        sum += term / n;
        term *= y2;
        n += 2.0;
    }
    const LN2: f64 = std::f64::consts::LN_2;
    2.0 * sum + f64::from(k) * LN2
}

/// The FailedScheduling message (K8S-FACTS §6.7): a sorted histogram of reasons, then the
/// preemption PostFilter's own histogram.
pub fn fit_error_message(num_nodes: usize, verdicts: &[FilterVerdict]) -> String {
    if num_nodes == 0 {
        return "no nodes available to schedule pods".into();
    }
    let mut hist: BTreeMap<String, usize> = BTreeMap::new();
    let mut pre: BTreeMap<&str, usize> = BTreeMap::new();
    for v in verdicts {
        for r in &v.reasons {
            *hist.entry(r.clone()).or_default() += 1;
        }
        let p = if v.unresolvable {
            "Preemption is not helpful for scheduling"
        } else {
            "No preemption victims found for incoming pod"
        };
        *pre.entry(p).or_default() += 1;
    }
    let mut parts: Vec<String> = hist.iter().map(|(r, n)| format!("{n} {r}")).collect();
    parts.sort();
    let mut pparts: Vec<String> = pre.iter().map(|(r, n)| format!("{n} {r}")).collect();
    pparts.sort();
    format!(
        "0/{num_nodes} nodes are available: {}. preemption: 0/{num_nodes} nodes are available: {}.",
        parts.join(", "),
        pparts.join(", ")
    )
}

/// The selector the default topology spreading uses: the labels of the pod's controller's
/// selector (here: the pod's own labels minus pod-template-hash is not used; upstream takes the
/// selectors of Services, ReplicaSets etc. that select the pod).
fn spread_selector(pod: &Pod) -> Option<BTreeMap<String, String>> {
    controller_ref(&pod.metadata)?;
    pod.metadata.labels.clone()
}

/// Per scheduling pass: how many pods each topology-spread selector matches on each node,
/// computed once per selector and kept current as pods bind.
#[derive(Default)]
struct SpreadCache {
    by_selector: BTreeMap<(String, BTreeMap<String, String>), Vec<u32>>,
}

impl SpreadCache {
    fn counts(&mut self, ns: &str, sel: &BTreeMap<String, String>, infos: &[NodeInfo]) -> &[u32] {
        self.by_selector.entry((ns.to_string(), sel.clone())).or_insert_with(|| {
            infos
                .iter()
                .map(|info| {
                    info.pods
                        .iter()
                        .filter(|(pns, labels)| pns == ns && sel.iter().all(|(k, v)| labels.get(k) == Some(v)))
                        .count() as u32
                })
                .collect()
        })
    }

    fn on_bind(&mut self, node: usize, pod: &Pod) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let empty = BTreeMap::new();
        let labels = pod.metadata.labels.as_ref().unwrap_or(&empty);
        for ((sns, sel), counts) in self.by_selector.iter_mut() {
            if sns == ns && sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
                counts[node] += 1;
            }
        }
    }
}

/// Decisions kept for the UI and `describe`: the most recent ones, so memory stays bounded at
/// scale (150,000 pods x hundreds of evaluated nodes would not fit otherwise).
pub const DECISIONS_KEPT: usize = 2048;

impl SchedulerState {
    fn remember(&mut self, key: (String, String), d: Decision) {
        if self.decisions.insert(key.clone(), d).is_none() {
            self.decision_order.push_back(key);
        }
        while self.decision_order.len() > DECISIONS_KEPT {
            if let Some(old) = self.decision_order.pop_front() {
                self.decisions.remove(&old);
            }
        }
    }
}

impl Cluster {
    /// Pods bound to `node` and their summed requests (what NodeResourcesFit counts).
    pub fn node_requested(&self, node: &str) -> Resources {
        let mut r = Resources::default();
        for o in self.store.list(Kind::Pod, None) {
            let Object::Pod(p) = o else { continue };
            if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(node) || is_terminal(p) {
                continue;
            }
            let pr = pod_requests(p);
            r.cpu_milli += pr.cpu_milli;
            r.memory += pr.memory;
            r.ephemeral_storage += pr.ephemeral_storage;
            r.pods += 1;
        }
        r
    }

    fn node_infos(&self) -> BTreeMap<String, NodeInfo> {
        let mut infos: BTreeMap<String, NodeInfo> = BTreeMap::new();
        for o in self.store.list(Kind::Pod, None) {
            let Object::Pod(p) = o else { continue };
            let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()) else {
                continue;
            };
            if is_terminal(p) {
                continue;
            }
            add_pod(infos.entry(node).or_default(), p);
        }
        infos
    }

    pub fn scheduling_decision(&self, namespace: &str, name: &str) -> Option<&Decision> {
        self.scheduler.decisions.get(&(namespace.to_string(), name.to_string()))
    }

    /// One pass of the scheduling queue: every unbound pod, oldest first (PrioritySort with
    /// equal priorities falls back to queue order).
    pub(crate) fn schedule_pending(&mut self) {
        let mut queue: Vec<(u64, String, String)> = self
            .store
            .list(Kind::Pod, None)
            .filter_map(|o| match o {
                Object::Pod(p)
                    if p.spec.as_ref().is_some_and(|s| s.node_name.is_none())
                        && p.metadata.deletion_timestamp.is_none()
                        && p.spec.as_ref().and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler")
                            == "default-scheduler" =>
                {
                    let created =
                        p.metadata.creation_timestamp.as_ref().map(|t| crate::store::sim_time(t).ms()).unwrap_or(0);
                    Some((created, o.namespace().to_string(), o.name().to_string()))
                }
                _ => None,
            })
            .collect();
        if queue.is_empty() {
            return;
        }
        queue.sort();
        let nodes: Vec<Node> = self
            .store
            .list(Kind::Node, None)
            .filter_map(|o| match o {
                Object::Node(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        let allocs: Vec<Resources> = nodes.iter().map(node_allocatable).collect();
        let mut by_name = self.node_infos();
        let mut infos: Vec<NodeInfo> = nodes
            .iter()
            .map(|n| by_name.remove(n.metadata.name.as_deref().unwrap_or("")).unwrap_or_default())
            .collect();
        let index: BTreeMap<String, usize> =
            nodes.iter().enumerate().map(|(i, n)| (n.metadata.name.clone().unwrap_or_default(), i)).collect();
        let names: Vec<std::rc::Rc<str>> =
            nodes.iter().map(|n| n.metadata.name.as_deref().unwrap_or("").into()).collect();
        let mut spread = SpreadCache::default();
        let mut retry_at: Option<u64> = None;
        for (_, ns, name) in queue {
            let key = (ns.clone(), name.clone());
            if let Some((epoch, failed_at, _)) = self.scheduler.unschedulable.get(&key) {
                let due = failed_at + MAX_IN_UNSCHEDULABLE_MS;
                if *epoch == self.scheduler.epoch && self.now.ms() < due {
                    retry_at = Some(retry_at.map_or(due, |r| r.min(due)));
                    continue;
                }
            }
            let Some(Object::Pod(pod)) = self.store.get(Kind::Pod, &ns, &name).cloned() else {
                continue;
            };
            let decision = schedule_one(
                &pod,
                &nodes,
                &names,
                &mut spread,
                &allocs,
                &infos,
                &mut self.scheduler.next_start_node_index,
                &mut self.rng_scheduler,
                self.now,
            );
            match decision.chosen.clone() {
                Some(node) => {
                    self.scheduler.unschedulable.remove(&key);
                    if let Some(&i) = index.get(&node) {
                        add_pod(&mut infos[i], &pod);
                        spread.on_bind(i, &pod);
                    }
                    self.bind(&ns, &name, &node);
                }
                None => {
                    let msg = decision.message.clone().unwrap_or_default();
                    let attempts = self.scheduler.unschedulable.get(&key).map_or(0, |e| e.2) + 1;
                    self.scheduler.unschedulable.insert(key.clone(), (self.scheduler.epoch, self.now.ms(), attempts));
                    self.record_event(
                        Kind::Pod,
                        &ns,
                        &name,
                        "Warning",
                        "FailedScheduling",
                        &msg,
                        "default-scheduler",
                        None,
                    );
                    self.set_pod_scheduled_condition(&ns, &name, "False", Some("Unschedulable"), Some(&msg));
                    let due = self.now.ms() + MAX_IN_UNSCHEDULABLE_MS;
                    retry_at = Some(retry_at.map_or(due, |r| r.min(due)));
                }
            }
            self.scheduler.remember(key, decision);
        }
        if let Some(t) = retry_at {
            self.wake_at(Controller::Scheduler, SimTime(t));
        }
    }

    fn set_pod_scheduled_condition(
        &mut self,
        ns: &str,
        name: &str,
        status: &str,
        reason: Option<&str>,
        message: Option<&str>,
    ) {
        let now = time(self.now);
        if let Some(Object::Pod(p)) = self.store.get(Kind::Pod, ns, name).cloned() {
            let mut p = p;
            let st = p.status.get_or_insert_with(Default::default);
            let conds = st.conditions.get_or_insert_with(Vec::new);
            let new = PodCondition {
                type_: "PodScheduled".into(),
                status: status.into(),
                reason: reason.map(str::to_string),
                message: message.map(str::to_string),
                last_transition_time: Some(now),
                last_probe_time: None,
                observed_generation: None,
            };
            if let Some(c) = conds.iter_mut().find(|c| c.type_ == "PodScheduled") {
                if c.status == new.status && c.reason == new.reason && c.message == new.message {
                    return;
                }
                *c = new;
            } else {
                conds.push(new);
            }
            self.store.update(Object::Pod(p));
        }
    }

    /// DefaultBinder: set spec.nodeName; the kubelet on that node takes it from there.
    fn bind(&mut self, ns: &str, name: &str, node: &str) {
        if let Some(Object::Pod(p)) = self.store.get(Kind::Pod, ns, name).cloned() {
            let mut p = p;
            p.spec.get_or_insert_with(Default::default).node_name = Some(node.to_string());
            self.store.update(Object::Pod(p));
        }
        self.set_pod_scheduled_condition(ns, name, "True", None, None);
        self.record_event(
            Kind::Pod,
            ns,
            name,
            "Normal",
            "Scheduled",
            &format!("Successfully assigned {ns}/{name} to {node}"),
            "default-scheduler",
            None,
        );
        self.kubelet_pod_bound(ns, name);
    }
}

fn is_terminal(p: &Pod) -> bool {
    matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

fn add_pod(info: &mut NodeInfo, p: &Pod) {
    let r = pod_requests(p);
    let nz = pod_requests_nonzero(p);
    info.requested.cpu_milli += r.cpu_milli;
    info.requested.memory += r.memory;
    info.requested.ephemeral_storage += r.ephemeral_storage;
    info.non_zero.cpu_milli += nz.cpu_milli;
    info.non_zero.memory += nz.memory;
    info.pod_count += 1;
    for hp in host_ports(p) {
        info.host_ports.insert(hp);
    }
    info.pods.push((p.metadata.namespace.clone().unwrap_or_default(), p.metadata.labels.clone().unwrap_or_default()));
}

/// One scheduling cycle for one pod: filter (stopping after enough feasible nodes), score,
/// select. Pure apart from the round-robin start index and the tie-breaking RNG.
#[allow(clippy::too_many_arguments)]
fn schedule_one(
    pod: &Pod,
    nodes: &[Node],
    names: &[std::rc::Rc<str>],
    spread: &mut SpreadCache,
    allocs: &[Resources],
    infos: &[NodeInfo],
    next_start: &mut usize,
    rng: &mut Rng,
    now: SimTime,
) -> Decision {
    let req = pod_requests(pod);
    let n = nodes.len();
    // Verdicts only for the nodes looked at (percentageOfNodesToScore may stop early).
    let mut verdicts: Vec<NodeVerdict> = Vec::new();
    if n == 0 {
        return Decision { time_ms: now.ms(), nodes: verdicts, chosen: None, message: Some(fit_error_message(0, &[])) };
    }
    let to_find = num_feasible_nodes_to_find(n);
    // `feasible` holds (index into verdicts, index into nodes).
    let mut feasible: Vec<(usize, usize)> = Vec::new();
    let mut processed = 0;
    for k in 0..n {
        if feasible.len() >= to_find {
            break;
        }
        let i = (*next_start + k) % n;
        processed += 1;
        let rejected = filter(pod, &nodes[i], &infos[i], allocs[i], req);
        if rejected.is_none() {
            feasible.push((verdicts.len(), i));
        }
        verdicts.push(NodeVerdict { node: names[i].clone(), rejected, evaluated: true, scores: vec![], total: 0 });
    }
    *next_start = (*next_start + processed) % n;
    if feasible.is_empty() {
        let rejected: Vec<FilterVerdict> = verdicts.iter().filter_map(|v| v.rejected.clone()).collect();
        return Decision {
            time_ms: now.ms(),
            nodes: verdicts,
            chosen: None,
            message: Some(fit_error_message(n, &rejected)),
        };
    }
    if feasible.len() == 1 {
        let chosen = verdicts[feasible[0].0].node.to_string();
        return Decision { time_ms: now.ms(), nodes: verdicts, chosen: Some(chosen), message: None };
    }
    // Score.
    let pod_nz = pod_requests_nonzero(pod);
    let tols: &[Toleration] = pod.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or(&[]);
    let best_effort = req.cpu_milli == 0 && req.memory == 0;
    let mut taint_scores = Vec::new();
    let mut affinity_scores = Vec::new();
    let mut spread_raw: Vec<f64> = Vec::new();
    let selector = spread_selector(pod);
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let spread_counts: Option<&[u32]> = selector.as_ref().map(|sel| spread.counts(&ns, sel, infos));
    // Default system constraint on kubernetes.io/hostname: maxSkew 3, ScheduleAnyway.
    let hostname_weight = portable_ln(feasible.len() as f64 + 2.0);
    for &(i, ni) in &feasible {
        let node = &nodes[ni];
        let info = &infos[ni];
        let alloc = allocs[ni];
        let least = least_allocated(
            (info.non_zero.cpu_milli + pod_nz.cpu_milli, info.non_zero.memory + pod_nz.memory),
            (alloc.cpu_milli, alloc.memory),
        );
        let balanced = (!best_effort).then(|| {
            balanced_allocation(
                (info.requested.cpu_milli + req.cpu_milli, info.requested.memory + req.memory),
                (alloc.cpu_milli, alloc.memory),
            )
        });
        verdicts[i].scores.push(PluginScore { plugin: "NodeResourcesFit", weight: 1, score: least });
        if let Some(b) = balanced {
            verdicts[i].scores.push(PluginScore { plugin: "NodeResourcesBalancedAllocation", weight: 1, score: b });
        }
        let untolerated = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .into_iter()
            .flatten()
            .filter(|t| t.effect == "PreferNoSchedule" && !tolerates(tols, t))
            .count() as i64;
        taint_scores.push(untolerated);
        let preferred = pod
            .spec
            .as_ref()
            .and_then(|s| s.affinity.as_ref())
            .and_then(|a| a.node_affinity.as_ref())
            .and_then(|na| na.preferred_during_scheduling_ignored_during_execution.as_ref());
        let aff: i64 = preferred
            .into_iter()
            .flatten()
            .filter(|t| node_selector_term_matches(&t.preference, node))
            .map(|t| i64::from(t.weight))
            .sum();
        affinity_scores.push(aff);
        let count = spread_counts.map_or(0, |c| c[ni]);
        let _ = info;
        spread_raw.push(count as f64 * hostname_weight + (3.0 - 1.0));
    }
    default_normalize(&mut taint_scores, true);
    default_normalize(&mut affinity_scores, false);
    // PodTopologySpread NormalizeScore: 100 * (max + min - s) / max.
    let spread: Vec<i64> = if selector.is_some() {
        let rounded: Vec<i64> = spread_raw.iter().map(|s| (s + 0.5) as i64).collect();
        let max = rounded.iter().copied().max().unwrap_or(0);
        let min = rounded.iter().copied().min().unwrap_or(0);
        rounded.iter().map(|s| if max == 0 { MAX_NODE_SCORE } else { MAX_NODE_SCORE * (max + min - s) / max }).collect()
    } else {
        vec![]
    };
    for (j, &(i, _)) in feasible.iter().enumerate() {
        verdicts[i].scores.push(PluginScore { plugin: "TaintToleration", weight: 3, score: taint_scores[j] });
        verdicts[i].scores.push(PluginScore { plugin: "NodeAffinity", weight: 2, score: affinity_scores[j] });
        if let Some(s) = spread.get(j) {
            verdicts[i].scores.push(PluginScore { plugin: "PodTopologySpread", weight: 2, score: *s });
        }
        // ImageLocality: images are small next to its 23MB-per-node threshold here; 0.
        verdicts[i].scores.push(PluginScore { plugin: "ImageLocality", weight: 1, score: 0 });
        verdicts[i].total = verdicts[i].scores.iter().map(|s| s.weight * s.score).sum();
    }
    // selectHost: reservoir sampling among the top scores.
    let mut best: Option<usize> = None;
    let mut max = i64::MIN;
    let mut count = 0u32;
    for &(i, _) in &feasible {
        let s = verdicts[i].total;
        if s > max {
            max = s;
            best = Some(i);
            count = 1;
        } else if s == max {
            count += 1;
            if rng.below(count) == 0 {
                best = Some(i);
            }
        }
    }
    let chosen = best.map(|i| verdicts[i].node.to_string());
    Decision { time_ms: now.ms(), nodes: verdicts, chosen, message: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// K8S-FACTS §6.4: least_allocated_test.go TestLeastAllocatedScoringStrategy.
    #[test]
    fn least_allocated_table() {
        assert_eq!(least_allocated((0, 0), (4000, 10000)), 100);
        assert_eq!(least_allocated((3000, 5000), (4000, 10000)), 37);
        assert_eq!(least_allocated((3000, 5000), (6000, 10000)), 50);
        assert_eq!(least_allocated((6000, 0), (10000, 20000)), 70);
        assert_eq!(least_allocated((6000, 5000), (10000, 20000)), 57);
        assert_eq!(least_allocated((6000, 5000), (10000, 20000)), 57);
        assert_eq!(least_allocated((6000, 10000), (10000, 20000)), 45);
        assert_eq!(least_allocated((6000, 10000), (10000, 50000)), 60);
        assert_eq!(least_allocated((6000, 0), (4000, 10000)), 50);
        assert_eq!(least_allocated((6000, 5000), (4000, 10000)), 25);
        assert_eq!(least_allocated((3000, 5000), (0, 0)), 0);
    }

    /// K8S-FACTS §6.5: balanced_allocation_test.go rows 2–5.
    #[test]
    fn balanced_allocation_table() {
        assert_eq!(balanced_allocation((3000, 5000), (4000, 10000)), 87);
        assert_eq!(balanced_allocation((3000, 5000), (6000, 10000)), 100);
        assert_eq!(balanced_allocation((6000, 5000), (10000, 20000)), 82);
        assert_eq!(balanced_allocation((6000, 10000), (10000, 20000)), 95);
        assert_eq!(balanced_allocation((6000, 10000), (10000, 50000)), 80);
        assert_eq!(balanced_allocation((6000, 0), (6000, 10000)), 50);
        assert_eq!(balanced_allocation((6000, 5000), (6000, 10000)), 75);
    }

    /// K8S-FACTS §6.1: percentageOfNodesToScore.
    #[test]
    fn nodes_to_find() {
        assert_eq!(num_feasible_nodes_to_find(3), 3);
        assert_eq!(num_feasible_nodes_to_find(99), 99);
        assert_eq!(num_feasible_nodes_to_find(100), 100);
        assert_eq!(num_feasible_nodes_to_find(500), 230); // 50 - 4 = 46%
        assert_eq!(num_feasible_nodes_to_find(5000), 500); // 50 - 40 = 10%
        assert_eq!(num_feasible_nodes_to_find(6000), 300); // max(50-48, 5) = 5%
    }

    /// K8S-FACTS §6.7: FitError messages (v1.34 wording).
    #[test]
    fn fit_error_messages() {
        let taint = FilterVerdict {
            plugin: "TaintToleration",
            reasons: vec!["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".into()],
            unresolvable: true,
        };
        let cpu =
            FilterVerdict { plugin: "NodeResourcesFit", reasons: vec!["Insufficient cpu".into()], unresolvable: false };
        assert_eq!(
            fit_error_message(1, std::slice::from_ref(&taint)),
            "0/1 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."
        );
        assert_eq!(
            fit_error_message(3, &[cpu.clone(), taint.clone(), taint.clone()]),
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."
        );
        let both = FilterVerdict {
            plugin: "NodeResourcesFit",
            reasons: vec!["Insufficient cpu".into(), "Insufficient memory".into()],
            unresolvable: false,
        };
        assert_eq!(
            fit_error_message(1, &[both]),
            "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
        );
        // Lexicographic sort puts "1 node(s)..." before "2 Insufficient cpu".
        let m = fit_error_message(3, &[cpu.clone(), cpu, taint]);
        assert!(m.starts_with("0/3 nodes are available: 1 node(s) had untolerated taint"), "{m}");
        assert_eq!(fit_error_message(0, &[]), "no nodes available to schedule pods");
    }

    #[test]
    fn normalize() {
        let mut s = vec![0, 2, 4];
        default_normalize(&mut s, true);
        assert_eq!(s, vec![100, 50, 0]);
        let mut z = vec![0, 0];
        default_normalize(&mut z, true);
        assert_eq!(z, vec![100, 100]);
    }

    #[test]
    fn ln_is_accurate() {
        for x in [1.0f64, 2.0, 3.0, 5.0, 10.0, 1000.0, 5002.0] {
            assert!((portable_ln(x) - x.ln()).abs() < 1e-12, "{x}");
        }
    }
}
