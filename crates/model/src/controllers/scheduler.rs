//! kube-scheduler with the default plugins (K8S-FACTS §6): filter, then score, then pick among
//! the best at random (seeded). Every decision keeps a per-node, per-plugin breakdown for the UI
//! and `kubectl describe`.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::Pod;
use std::rc::Rc;

use k8s_openapi::api::core::v1::{Node, PodCondition, PodSpec, Taint, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::controller_ref;
use crate::api::quantity;
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::queue::Controller;
use crate::rng::Rng;
use crate::store::{Name, selector_matches, time};
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
    pod_resources(p, false).0
}

/// The pod's limits as `kubectl describe node` sums them (resourcehelper.PodLimits): a
/// container without a limit adds nothing.
pub fn pod_limits(p: &Pod) -> Resources {
    pod_resources(p, true).0
}

/// As the scoring plugins count it: a container without a CPU/memory request counts as
/// 100m / 200Mi.
pub fn pod_requests_nonzero(p: &Pod) -> Resources {
    pod_resources(p, false).1
}

/// ([`pod_requests`], [`pod_requests_nonzero`]): the scheduler and the usage index want both
/// for every pod they add, from one walk (parsing each quantity twice was a fortieth of the
/// envelope's instructions).
pub(crate) fn pod_requests_both(p: &Pod) -> (Resources, Resources) {
    pod_resources(p, false)
}

/// The pod's requests (or limits) summed, and the same with a missing CPU or memory request
/// counted as the scoring plugins' default.
fn pod_resources(p: &Pod, limits: bool) -> (Resources, Resources) {
    let Some(spec) = p.spec.as_ref() else {
        return (Resources::default(), Resources::default());
    };
    let one = |c: &k8s_openapi::api::core::v1::Container| {
        let req = c.resources.as_ref().and_then(|r| if limits { r.limits.as_ref() } else { r.requests.as_ref() });
        // One walk over the list (a quantity that does not parse counts 0, a missing CPU or
        // memory request the scoring default): three lookups and two more for presence were
        // each a string search.
        let (mut cpu, mut mem, mut storage) = (None, None, 0);
        for (k, v) in req.into_iter().flatten() {
            match k.as_str() {
                "cpu" => cpu = Some(quantity::milli_value(&v.0).unwrap_or(0)),
                "memory" => mem = Some(quantity::value(&v.0).unwrap_or(0)),
                "ephemeral-storage" => storage = quantity::value(&v.0).unwrap_or(0),
                _ => {}
            }
        }
        debug_assert_eq!(
            (cpu.unwrap_or(0), mem.unwrap_or(0), storage),
            (q(req, "cpu", true), q(req, "memory", false), q(req, "ephemeral-storage", false))
        );
        let plain =
            Resources { cpu_milli: cpu.unwrap_or(0), memory: mem.unwrap_or(0), ephemeral_storage: storage, pods: 0 };
        let non_zero = Resources {
            cpu_milli: cpu.unwrap_or(DEFAULT_MILLI_CPU_REQUEST),
            memory: mem.unwrap_or(DEFAULT_MEMORY_REQUEST),
            ephemeral_storage: storage,
            pods: 0,
        };
        (plain, non_zero)
    };
    let add = |sum: &mut Resources, r: Resources| {
        sum.cpu_milli += r.cpu_milli;
        sum.memory += r.memory;
        sum.ephemeral_storage += r.ephemeral_storage;
    };
    let max = |sum: &mut Resources, r: Resources| {
        sum.cpu_milli = sum.cpu_milli.max(r.cpu_milli);
        sum.memory = sum.memory.max(r.memory);
        sum.ephemeral_storage = sum.ephemeral_storage.max(r.ephemeral_storage);
    };
    let (mut sum, mut sum_nz) = (Resources::default(), Resources::default());
    for c in &spec.containers {
        let (r, nz) = one(c);
        add(&mut sum, r);
        add(&mut sum_nz, nz);
    }
    for c in spec.init_containers.iter().flatten() {
        let (r, nz) = one(c);
        if c.restart_policy.as_deref() == Some("Always") {
            add(&mut sum, r);
            add(&mut sum_nz, nz);
        } else {
            max(&mut sum, r);
            max(&mut sum_nz, nz);
        }
    }
    if let Some(o) = spec.overhead.as_ref() {
        let (cpu, mem) = (q(Some(o), "cpu", true), q(Some(o), "memory", false));
        for s in [&mut sum, &mut sum_nz] {
            s.cpu_milli += cpu;
            s.memory += mem;
        }
    }
    sum.pods = 1;
    sum_nz.pods = 1;
    (sum, sum_nz)
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

/// The default score plugins, each with its weight in the default profile (upstream's
/// `getDefaultPlugins`: TaintToleration 3, NodeAffinity 2, PodTopologySpread 2, the others 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum ScorePlugin {
    #[default]
    NodeResourcesFit,
    NodeResourcesBalancedAllocation,
    TaintToleration,
    NodeAffinity,
    PodTopologySpread,
    ImageLocality,
}

impl ScorePlugin {
    /// Every plugin, in the profile's order.
    pub const ALL: [ScorePlugin; SCORE_PLUGINS] = [
        ScorePlugin::NodeResourcesFit,
        ScorePlugin::NodeResourcesBalancedAllocation,
        ScorePlugin::TaintToleration,
        ScorePlugin::NodeAffinity,
        ScorePlugin::PodTopologySpread,
        ScorePlugin::ImageLocality,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ScorePlugin::NodeResourcesFit => "NodeResourcesFit",
            ScorePlugin::NodeResourcesBalancedAllocation => "NodeResourcesBalancedAllocation",
            ScorePlugin::TaintToleration => "TaintToleration",
            ScorePlugin::NodeAffinity => "NodeAffinity",
            ScorePlugin::PodTopologySpread => "PodTopologySpread",
            ScorePlugin::ImageLocality => "ImageLocality",
        }
    }

    pub const fn weight(self) -> i64 {
        match self {
            ScorePlugin::TaintToleration => 3,
            ScorePlugin::NodeAffinity | ScorePlugin::PodTopologySpread => 2,
            _ => 1,
        }
    }
}

/// One score plugin's contribution on one node, as a verdict's [`Scores`] list it (they keep the
/// scores themselves, a byte each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PluginScore {
    pub plugin: ScorePlugin,
    /// After NormalizeScore, 0..=100 (MAX_NODE_SCORE).
    score: u8,
}

impl PluginScore {
    #[cfg(test)]
    fn new(plugin: ScorePlugin, score: i64) -> Self {
        debug_assert!((0..=MAX_NODE_SCORE).contains(&score), "{} scored {score}", plugin.name());
        PluginScore { plugin, score: score.clamp(0, MAX_NODE_SCORE) as u8 }
    }

    pub fn score(self) -> i64 {
        i64::from(self.score)
    }

    pub fn weight(self) -> i64 {
        self.plugin.weight()
    }
}

/// What a decision says about one node it looked at: 16 bytes (a pass makes one for each of
/// the 500 nodes it looks at per pod at 5,000 nodes, and forgets them as later pods come; the
/// inspector keeps 100,000).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeVerdict {
    /// The node, by its place in the decision's `node_names` (`Decision::node_name`): a number,
    /// so that making and forgetting hundreds of verdicts per pod touches no node's name.
    pub node: u32,
    /// The filter plugin that rejected the node, by its place in the decision's `rejections`
    /// (`Decision::rejected`), or [`NodeVerdict::PASSED`] when every filter passed: most nodes
    /// pass, so the rejections are kept beside the verdicts, not in them (a boxed rejection in
    /// each verdict made forgetting a decision read all of them).
    rejection: u32,
    pub scores: Scores,
}

impl NodeVerdict {
    const PASSED: u32 = u32::MAX;

    /// The weighted sum of the scores (what selectHost compares).
    pub fn total(&self) -> i64 {
        self.scores.total()
    }
}

/// The default profile's score plugins: NodeResourcesFit, NodeResourcesBalancedAllocation,
/// TaintToleration, NodeAffinity, PodTopologySpread, ImageLocality.
pub const SCORE_PLUGINS: usize = 6;

/// The score plugins' results on one node, by plugin, held inline: a pass scores hundreds of
/// nodes per pod, and a heap list per node was a tenth of the scheduler's time (allocating it,
/// and freeing it when the decision is forgotten).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scores {
    /// Which plugins scored (bit `plugin as u8`): a plugin may be skipped (BalancedAllocation for
    /// a pod without requests, PodTopologySpread without constraints).
    scored: u8,
    /// Each plugin's score after NormalizeScore, 0..=100, at its place in [`ScorePlugin`].
    items: [u8; SCORE_PLUGINS],
}

impl Scores {
    /// Adds a plugin's score (the plugins come in the profile's order, each once), and returns
    /// it weighted (the tests build verdicts with it; the scheduler with [`Scores::of`]).
    #[cfg(test)]
    fn push(&mut self, s: PluginScore) -> i64 {
        let bit = s.plugin as u8;
        debug_assert!(self.scored >> bit == 0, "{} scored out of order or twice", s.plugin.name());
        if let Some(slot) = self.items.get_mut(usize::from(bit)) {
            *slot = s.score;
            self.scored |= 1 << bit;
        }
        s.weight() * s.score()
    }

    /// A node's scores from every plugin (`None`: the plugin did not score it), each after
    /// NormalizeScore, and their weighted sum (what selectHost compares). Straight-line code, not
    /// six [`Scores::push`]es: a pass whose decision is made without its verdicts
    /// ([`schedule_one`]'s `detail`) wants only the sum.
    #[inline(always)]
    fn of(
        least: i64,
        balanced: Option<i64>,
        taint: i64,
        affinity: i64,
        spread: Option<i64>,
        locality: i64,
    ) -> (Scores, i64) {
        const W: [i64; SCORE_PLUGINS] = [
            ScorePlugin::NodeResourcesFit.weight(),
            ScorePlugin::NodeResourcesBalancedAllocation.weight(),
            ScorePlugin::TaintToleration.weight(),
            ScorePlugin::NodeAffinity.weight(),
            ScorePlugin::PodTopologySpread.weight(),
            ScorePlugin::ImageLocality.weight(),
        ];
        // Each plugin's score is within 0..=100 as it is worked out (checked here in debug
        // builds, so in every test and sweep seed): clamping six scores a node was a twentieth of
        // the scheduler's instructions.
        #[inline(always)]
        fn normalized(plugin: ScorePlugin, score: i64) -> i64 {
            debug_assert!((0..=MAX_NODE_SCORE).contains(&score), "{} scored {score}", plugin.name());
            score
        }
        let least = normalized(ScorePlugin::NodeResourcesFit, least);
        let balanced = balanced.map(|b| normalized(ScorePlugin::NodeResourcesBalancedAllocation, b));
        let taint = normalized(ScorePlugin::TaintToleration, taint);
        let affinity = normalized(ScorePlugin::NodeAffinity, affinity);
        let spread = spread.map(|s| normalized(ScorePlugin::PodTopologySpread, s));
        let locality = normalized(ScorePlugin::ImageLocality, locality);
        let (b, sp) = (balanced.unwrap_or(0), spread.unwrap_or(0));
        let total = W[0] * least + W[1] * b + W[2] * taint + W[3] * affinity + W[4] * sp + W[5] * locality;
        let scored = 0b10_1101 | u8::from(balanced.is_some()) << 1 | u8::from(spread.is_some()) << 4;
        let items = [least as u8, b as u8, taint as u8, affinity as u8, sp as u8, locality as u8];
        let scores = Scores { scored, items };
        debug_assert_eq!(total, scores.total());
        (scores, total)
    }

    /// The scores in the profile's order (the order they were pushed in).
    pub fn iter(&self) -> impl Iterator<Item = PluginScore> + '_ {
        ScorePlugin::ALL
            .into_iter()
            .zip(self.items)
            .filter(|(p, _)| self.scored >> (*p as u8) & 1 == 1)
            .map(|(plugin, score)| PluginScore { plugin, score })
    }

    /// The weighted sum (a plugin that did not score holds 0).
    pub fn total(&self) -> i64 {
        let total = ScorePlugin::ALL.iter().zip(self.items).map(|(p, s)| p.weight() * i64::from(s)).sum();
        debug_assert_eq!(total, self.iter().map(|s| s.weight() * s.score()).sum::<i64>());
        total
    }
}

/// One scheduling attempt for one pod, as the UI and `describe` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub time_ms: u64,
    /// The names of the nodes of the pass that made this decision (shared by its decisions).
    pub node_names: std::rc::Rc<[std::rc::Rc<str>]>,
    pub nodes: Vec<NodeVerdict>,
    /// What rejected the nodes that did not pass, in the order of `nodes`.
    pub rejections: Vec<FilterVerdict>,
    pub chosen: Option<String>,
    /// The FailedScheduling message when nothing fit.
    pub message: Option<String>,
    /// The verdicts it counts against [`VERDICTS_KEPT`]: as many as `nodes` holds, or for a
    /// decision made without them (one that later decisions of its pass push out of the kept
    /// ones before anyone can read it, [`SchedulerState::pushed_out`]) as many as it would.
    counted: usize,
}

impl Decision {
    /// The name of the node a verdict is about.
    pub fn node_name(&self, v: &NodeVerdict) -> &str {
        self.node_names.get(v.node as usize).map_or("", |n| n)
    }

    /// The filter plugin that rejected a verdict's node (None: it passed every filter).
    pub fn rejected(&self, v: &NodeVerdict) -> Option<&FilterVerdict> {
        self.rejections.get(v.rejection as usize)
    }
}

#[derive(Clone, Debug, Default)]
pub struct SchedulerState {
    next_start_node_index: usize,
    /// Bumped when the cluster changes in a way that can make an unschedulable pod fit.
    pub(crate) epoch: u64,
    /// Unschedulable pods: (epoch at failure, time of failure, attempts).
    unschedulable: BTreeMap<(Name, Name), (u64, u64, u32)>,
    /// The decisions kept, by (namespace, name): looked up for one pod at a time, never listed
    /// (a hash table: a B-tree compared the pods' long shared names at each level, for each of
    /// the thousands of decisions made and forgotten a second).
    pub(crate) decisions: crate::fingerprint::LookupMap<(Name, Name), Decision>,
    decision_order: std::collections::VecDeque<(Name, Name)>,
    /// Per-node verdicts held by `decisions`.
    verdicts_kept: usize,
    /// The last pass's spread counts, with the store's bound-pods epoch and node changes they
    /// are current for: a pass reuses them while neither moved (pods arriving unbound and pods
    /// becoming ready change neither), instead of counting every pod again.
    spread: Option<((u64, u64), SpreadCache)>,
    /// The last pass's node usage (after its own bindings), with the store's usage epoch and
    /// node changes it is current for: 5,000 lookups a pass saved while neither moved (pods
    /// arriving unbound and pods starting change neither).
    /// (Not copied with the cluster: a copy reads the usage afresh.)
    infos: crate::cluster::Remembered<Option<KeptUsage>>,
    /// The last pass's view of the nodes, kept while no node changes, no node's runtime comes
    /// or goes and no kubelet pulls an image (a copy of the cluster starts without it). It
    /// holds the nodes themselves: a node written in place (`Store::get_mut`) is copied first.
    node_table: crate::cluster::Remembered<Option<NodeTable>>,
    /// Each node's last binding of a shared spec: (the unbound spec, held so that its address
    /// stays its own; the bound one, the store's shared copy). A pod with the same spec bound
    /// there takes the bound one instead of a copy of its spec with `nodeName` set (which the
    /// store would find equal to the shared one and drop). (Not copied with the cluster.)
    bound_specs: crate::cluster::Remembered<BoundSpecs>,
    /// Tests: every decision made with its verdicts (`pushed_out` answers 0).
    #[cfg(test)]
    every_verdict: bool,
    /// Tests: the decisions made without their verdicts.
    #[cfg(test)]
    made_without_verdicts: usize,
}

/// See [`SchedulerState::bound_specs`].
type BoundSpecs = crate::fingerprint::LookupMap<crate::store::Name, (Rc<PodSpec>, Rc<PodSpec>)>;

/// The node usage a pass ended with, and the (usage epoch, node changes) it is current for.
type KeptUsage = ((u64, u64), Vec<NodeInfo>);

/// What a pass reads of every node, in the store's order: worked out again only when a node
/// or the images on the nodes change (at 5,000 nodes, parsing every node's allocatable
/// quantities and listing its images was a tenth of the envelope's time, once per pass).
#[derive(Debug)]
struct NodeTable {
    /// The node changes and the kubelets' image changes it is current for.
    at: (u64, u64),
    nodes: Vec<std::rc::Rc<Object>>,
    allocs: Vec<Resources>,
    /// Whether each node's unschedulable flag or taints must be read; the others pass
    /// NodeUnschedulable and TaintToleration without the node being read again.
    tainted: Vec<bool>,
    index: BTreeMap<String, usize>,
    names: std::rc::Rc<[std::rc::Rc<str>]>,
    images: NodeImages,
}

impl NodeTable {
    fn of(
        at: (u64, u64),
        store: &crate::store::Store,
        runtimes: &crate::fingerprint::LookupMap<crate::store::Name, crate::kubelet::NodeRuntime>,
    ) -> Self {
        let shared: Vec<std::rc::Rc<Object>> =
            store.list(Kind::Node, None).filter_map(|o| store.get_shared(Kind::Node, "", o.name())).collect();
        let nodes = node_refs(&shared);
        NodeTable {
            at,
            allocs: nodes.iter().map(|n| node_allocatable(n)).collect(),
            tainted: nodes
                .iter()
                .map(|n| {
                    n.spec.as_ref().is_some_and(|s| {
                        s.unschedulable.unwrap_or(false) || s.taints.as_ref().is_some_and(|t| !t.is_empty())
                    })
                })
                .collect(),
            index: nodes.iter().enumerate().map(|(i, n)| (n.metadata.name.clone().unwrap_or_default(), i)).collect(),
            names: nodes.iter().map(|n| n.metadata.name.as_deref().unwrap_or("").into()).collect(),
            images: NodeImages::of(&nodes, runtimes),
            nodes: shared,
        }
    }
}

fn node_refs(shared: &[std::rc::Rc<Object>]) -> Vec<&Node> {
    shared
        .iter()
        .filter_map(|o| match &**o {
            Object::Node(n) => Some(&**n),
            _ => None,
        })
        .collect()
}

/// Per-node aggregate the plugins read, taken once per scheduling pass: 64 bytes natively, so
/// that a pass's filter and score loops, which read it for each of the 500 nodes they look at
/// per pod at 5,000 nodes, read one cache line a node (it was 96 bytes, and the two loops'
/// reads of it no longer fitted the first-level cache).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct NodeInfo {
    requested: Resources,
    non_zero: CpuMemory,
    pod_count: i64,
    /// The host ports in use, if any (most nodes have none). Boxed on purpose: a pointer here
    /// instead of the set's 24 bytes is what keeps the row to a cache line.
    #[allow(clippy::box_collection)]
    host_ports: Option<Box<BTreeSet<(String, String, i32)>>>,
}

/// The non-zero requests ([`pod_requests_nonzero`]) summed on a node: the scoring plugins read
/// only CPU and memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct CpuMemory {
    cpu_milli: i64,
    memory: i64,
}

/// What the bound, non-terminal pods on each node add up to, kept up to date by the store as
/// pods are written, as upstream's scheduler cache updates its NodeInfo per pod event
/// (pkg/scheduler/backend/cache) instead of summing every pod each cycle.
#[derive(Clone, Debug, Default)]
pub(crate) struct UsageIndex {
    /// By node name: looked up for every node on every pass (5,000 nodes, a pass every 20 ms
    /// while pods arrive).
    nodes: crate::fingerprint::LookupMap<crate::store::Name, NodeUsage>,
}

#[derive(Clone, Debug, Default)]
struct NodeUsage {
    requested: Resources,
    non_zero: Resources,
    pod_count: i64,
    /// Host ports in use, with how many pods use each (two pods bound by hand may share one).
    host_ports: BTreeMap<(String, String, i32), u32>,
}

impl UsageIndex {
    /// Counts `obj` (if it is a bound, non-terminal pod) in its node's usage.
    pub(crate) fn add(&mut self, obj: &Object) {
        self.apply(obj, 1);
    }

    /// Takes `obj` back out (the version that was counted).
    pub(crate) fn sub(&mut self, obj: &Object) {
        self.apply(obj, -1);
    }

    fn apply(&mut self, obj: &Object, sign: i64) {
        let Object::Pod(p) = obj else { return };
        let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) else { return };
        if is_terminal(p) {
            return;
        }
        if !self.nodes.contains_key(node) {
            self.nodes.insert(node.into(), NodeUsage::default());
        }
        let Some(u) = self.nodes.get_mut(node) else { return };
        let (r, nz) = pod_requests_both(p);
        u.requested.cpu_milli += sign * r.cpu_milli;
        u.requested.memory += sign * r.memory;
        u.requested.ephemeral_storage += sign * r.ephemeral_storage;
        u.non_zero.cpu_milli += sign * nz.cpu_milli;
        u.non_zero.memory += sign * nz.memory;
        u.pod_count += sign;
        for hp in host_ports(p) {
            if sign > 0 {
                *u.host_ports.entry(hp).or_default() += 1;
            } else if let Some(n) = u.host_ports.get_mut(&hp) {
                *n -= 1;
                if *n == 0 {
                    u.host_ports.remove(&hp);
                }
            }
        }
        if u.pod_count <= 0 {
            self.nodes.remove(node);
        }
    }

    /// One node's usage (none if no pod counts on it).
    fn info(&self, node: &str) -> NodeInfo {
        self.nodes
            .get(node)
            .map(|u| NodeInfo {
                requested: u.requested,
                non_zero: CpuMemory { cpu_milli: u.non_zero.cpu_milli, memory: u.non_zero.memory },
                pod_count: u.pod_count,
                host_ports: (!u.host_ports.is_empty()).then(|| Box::new(u.host_ports.keys().cloned().collect())),
            })
            .unwrap_or_default()
    }
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
    let spec = pod.spec.as_ref();
    if let Some(sel) = spec.and_then(|s| s.node_selector.as_ref())
        && !sel.iter().all(|(k, v)| node.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v))
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

/// What the filters ask of a pod, worked out once for all the nodes it is tried on.
struct PodFit<'a> {
    pod: &'a Pod,
    req: Resources,
    /// The requests as the scoring plugins count them ([`pod_requests_nonzero`]).
    non_zero: Resources,
    host_ports: Vec<(String, String, i32)>,
    /// Whether NodeName or NodeAffinity must read the node (the pod names a node, or has a
    /// node selector or required node affinity).
    reads_node: bool,
}

impl<'a> PodFit<'a> {
    fn of(pod: &'a Pod) -> Self {
        let spec = pod.spec.as_ref();
        let reads_node = spec.is_some_and(|s| {
            s.node_name.is_some()
                || s.node_selector.is_some()
                || s.affinity
                    .as_ref()
                    .and_then(|a| a.node_affinity.as_ref())
                    .is_some_and(|na| na.required_during_scheduling_ignored_during_execution.is_some())
        });
        let (req, non_zero) = pod_requests_both(pod);
        PodFit { pod, req, non_zero, host_ports: host_ports(pod), reads_node }
    }
}

/// Runs the filter plugins in upstream order, stopping at the first that rejects the node:
/// those that read the node (only when they can say something: the node is unschedulable or
/// tainted, or the pod asks for a node), then those that read what is on it. (Always inlined,
/// as [`filter_usage`] and [`Feasible::of`] are: called for every node looked at, and the
/// page's size-optimized build called them with their arguments copied.)
#[inline(always)]
fn filter(fit: &PodFit, node: &Node, tainted: bool, info: &NodeInfo, alloc: Resources) -> Option<FilterVerdict> {
    if tainted || fit.reads_node {
        // Not inlined: reading every node for nothing was a cache miss each, and once inlined
        // the compiler loaded the node before the test that skips it.
        if let Some(v) = filter_node(fit, node, tainted) {
            return Some(v);
        }
    }
    filter_usage(fit, info, alloc)
}

/// NodeUnschedulable, NodeName, TaintToleration and NodeAffinity. `tainted`: whether the node
/// is unschedulable or has taints (else the first and third pass without reading it).
#[inline(never)]
fn filter_node(fit: &PodFit, node: &Node, tainted: bool) -> Option<FilterVerdict> {
    let pod = fit.pod;
    let spec = pod.spec.as_ref();
    let tols: &[Toleration] = spec.and_then(|s| s.tolerations.as_deref()).unwrap_or(&[]);
    let reject = |plugin, reasons: Vec<String>| Some(FilterVerdict { plugin, reasons, unresolvable: true });
    // NodeUnschedulable
    if tainted && node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        let t =
            Taint { key: "node.kubernetes.io/unschedulable".into(), effect: "NoSchedule".into(), ..Default::default() };
        if !tolerates(tols, &t) {
            return reject("NodeUnschedulable", vec!["node(s) were unschedulable".into()]);
        }
    }
    // NodeName
    if let Some(n) = spec.and_then(|s| s.node_name.as_deref())
        && Some(n) != node.metadata.name.as_deref()
    {
        return reject("NodeName", vec!["node(s) didn't match the requested node name".into()]);
    }
    // TaintToleration (v1.34 wording names the first untolerated taint)
    let taints = if tainted { node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or(&[]) } else { &[] };
    for t in taints {
        if (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerates(tols, t) {
            return reject(
                "TaintToleration",
                vec![format!("node(s) had untolerated taint {{{}: {}}}", t.key, t.value.as_deref().unwrap_or(""))],
            );
        }
    }
    // NodeAffinity
    if fit.reads_node && !node_selector_matches(pod, node) {
        return reject("NodeAffinity", vec!["node(s) didn't match Pod's node affinity/selector".into()]);
    }
    None
}

/// NodePorts and NodeResourcesFit: what the pods already on the node use.
#[inline(always)]
fn filter_usage(fit: &PodFit, info: &NodeInfo, alloc: Resources) -> Option<FilterVerdict> {
    let PodFit { req, ref host_ports, .. } = *fit;
    // NodePorts
    for (ip, proto, port) in host_ports {
        let clash = info.host_ports.iter().flat_map(|ports| ports.iter()).any(|(ip2, proto2, port2)| {
            port2 == port && proto2 == proto && (ip == "0.0.0.0" || ip2 == "0.0.0.0" || ip2 == ip)
        });
        if clash {
            return Some(FilterVerdict {
                plugin: "NodePorts",
                reasons: vec!["node(s) didn't have free ports for the requested pod ports".into()],
                unresolvable: false,
            });
        }
    }
    // NodeResourcesFit: each resource short (the node passes when none is).
    let pods = info.pod_count + 1 > alloc.pods;
    let cpu = req.cpu_milli > 0 && req.cpu_milli > alloc.cpu_milli - info.requested.cpu_milli;
    let memory = req.memory > 0 && req.memory > alloc.memory - info.requested.memory;
    let storage =
        req.ephemeral_storage > 0 && req.ephemeral_storage > alloc.ephemeral_storage - info.requested.ephemeral_storage;
    // (The reasons are written only for a node that does not fit: a list made and dropped for
    // every node that does, its drop called out of line in the page's size-optimized build,
    // cost 40 instructions a node.)
    if pods | cpu | memory | storage { Some(insufficient([pods, cpu, memory, storage])) } else { None }
}

/// NodeResourcesFit's rejection, for each resource short in the order of [`filter_usage`]'s
/// list: pods, cpu, memory, ephemeral-storage.
#[cold]
#[inline(never)]
fn insufficient(short: [bool; 4]) -> FilterVerdict {
    const REASONS: [&str; 4] =
        ["Too many pods", "Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage"];
    let reasons = short.iter().zip(REASONS).filter(|(s, _)| **s).map(|(_, r)| r.to_string()).collect();
    FilterVerdict { plugin: "NodeResourcesFit", reasons, unresolvable: false }
}

/// `scaledImageScore`: the image's size times the fraction of nodes that have it.
pub fn scaled_image_score(size: u64, nodes_with_image: usize, total_nodes: usize) -> i64 {
    if total_nodes == 0 {
        return 0;
    }
    let spread = nodes_with_image as f64 / total_nodes as f64;
    (size as f64 * spread) as i64
}

/// ImageLocality's `calculatePriority`: 0 below 23 MiB, 100 at 1000 MiB per container.
pub fn image_locality(sum: i64, containers: usize) -> i64 {
    const MB: i64 = 1024 * 1024;
    let min = 23 * MB;
    let max = 1000 * MB * containers.max(1) as i64;
    let s = sum.clamp(min, max);
    MAX_NODE_SCORE * (s - min) / (max - min)
}

type HardSpread<'a> = (&'a Spread, &'a [u32], Option<&'a DomainCounts>, i64, i64);

/// PodTopologySpread Filter for the DoNotSchedule constraints on node `i`.
fn spread_filter(hard: &[HardSpread], node: &Node, i: usize) -> Option<FilterVerdict> {
    for (c, counts, domains, min, self_match) in hard {
        let Some(value) = node.metadata.labels.as_ref().and_then(|l| l.get(&c.key)) else {
            return Some(FilterVerdict {
                plugin: "PodTopologySpread",
                reasons: vec!["node(s) didn't match pod topology spread constraints (missing required label)".into()],
                unresolvable: true,
            });
        };
        let here = if c.key == HOSTNAME {
            i64::from(counts[i])
        } else {
            domains.and_then(|d| d.by_value.get(value)).map_or(0, |v| i64::from(*v))
        };
        if here + self_match - min > c.max_skew {
            return Some(FilterVerdict {
                plugin: "PodTopologySpread",
                reasons: vec!["node(s) didn't match pod topology spread constraints".into()],
                unresolvable: false,
            });
        }
    }
    None
}

/// LeastAllocated (K8S-FACTS §6.4): per resource `(capacity - requested) * 100 / capacity`,
/// averaged over cpu and memory with weight 1 each; integer division throughout.
pub fn least_allocated(requested: (i64, i64), capacity: (i64, i64)) -> i64 {
    // (Always inlined, as the page's size-optimized wasm would not: it is called per resource
    // and feasible node, 1,000 times a pod at 5,000 nodes. So are the other small functions of
    // the scheduler's per-node loop marked so.)
    #[inline(always)]
    fn one(req: i64, cap: i64) -> i64 {
        if cap == 0 || req > cap {
            return 0;
        }
        let free = cap - req;
        // (A comparison, not `checked_mul`, which wasm, having no 128-bit product, calls out of
        // line for.)
        if free <= i64::MAX / MAX_NODE_SCORE {
            free * MAX_NODE_SCORE / cap
        } else {
            // A node of more than 92 PB: in 128 bits (Go's int64 would wrap; a score out of
            // 0..=100 would break `Scores::of`).
            (i128::from(free) * i128::from(MAX_NODE_SCORE) / i128::from(cap)) as i64
        }
    }
    (one(requested.0, capacity.0) + one(requested.1, capacity.1)) / 2
}

/// BalancedAllocation (K8S-FACTS §6.5): `(1 - std(fractions)) * 100`; for two resources the
/// std is `|f1 - f2| / 2`. Only + - * / and abs: identical on every platform.
pub fn balanced_allocation(requested: (i64, i64), allocatable: (i64, i64)) -> i64 {
    let frac = |r: i64, a: i64| {
        if a == 0 { None } else { Some((r as f64 / a as f64).min(1.0)) }
    };
    // With one resource (or none) to compare, the std is 0.
    let std = match (frac(requested.0, allocatable.0), frac(requested.1, allocatable.1)) {
        (Some(cpu), Some(memory)) => (cpu - memory).abs() / 2.0,
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

/// `DefaultNormalizeScore`: scale to 0..=100 by the maximum, optionally reversed.
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0);
    for s in scores.iter_mut() {
        *s = default_normalized(*s, max, reverse);
    }
}

/// One score as [`default_normalize`] leaves it, given the scores' maximum (all left as they
/// are when it is 0, or all 100 reversed).
#[inline(always)]
fn default_normalized(score: i64, max: i64, reverse: bool) -> i64 {
    if max == 0 {
        return if reverse { MAX_NODE_SCORE } else { score };
    }
    let v = MAX_NODE_SCORE * score / max;
    if reverse { MAX_NODE_SCORE - v } else { v }
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

/// `kubernetes.io/hostname`: its domains are single nodes.
const HOSTNAME: &str = "kubernetes.io/hostname";

/// A topology spread constraint as the PodTopologySpread plugin applies it.
#[derive(Clone, Debug)]
struct Spread {
    key: String,
    /// The selector with the pod's namespace, as the spread counts are keyed (`selector_key`).
    sel_key: String,
    max_skew: i64,
    selector: LabelSelector,
    /// `whenUnsatisfiable: DoNotSchedule` (a filter) rather than `ScheduleAnyway` (a score).
    hard: bool,
}

/// The pod's constraints, or the plugin's system defaults (hostname maxSkew 3, zone maxSkew 5,
/// both ScheduleAnyway) for a pod that has none and is owned by a controller. The defaults'
/// selector is the pod's own labels, which is what its ReplicaSet selects (upstream builds it
/// from the Services and controllers selecting the pod). Returns (constraints, system default).
fn spread_constraints(pod: &Pod) -> (Vec<Spread>, bool) {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let explicit = pod.spec.as_ref().and_then(|s| s.topology_spread_constraints.as_ref());
    if let Some(cs) = explicit.filter(|c| !c.is_empty()) {
        let v = cs
            .iter()
            .map(|c| {
                let selector = c.label_selector.clone().unwrap_or_default();
                Spread {
                    key: c.topology_key.clone(),
                    sel_key: selector_key(ns, &selector),
                    max_skew: i64::from(c.max_skew.max(1)),
                    selector,
                    hard: c.when_unsatisfiable == "DoNotSchedule",
                }
            })
            .collect();
        return (v, false);
    }
    if controller_ref(&pod.metadata).is_none() {
        return (Vec::new(), true);
    }
    let selector = LabelSelector { match_labels: pod.metadata.labels.clone(), match_expressions: None };
    let sel_key = selector_key(ns, &selector);
    (
        vec![
            Spread {
                key: HOSTNAME.into(),
                sel_key: sel_key.clone(),
                max_skew: 3,
                selector: selector.clone(),
                hard: false,
            },
            Spread { key: "topology.kubernetes.io/zone".into(), sel_key, max_skew: 5, selector, hard: false },
        ],
        true,
    )
}

fn selector_key(ns: &str, sel: &LabelSelector) -> String {
    // Debug prints the selector's maps in key order: the same selector, the same key.
    format!("{ns}/{sel:?}")
}

/// A topology key's values on the nodes, numbered.
#[derive(Clone, Debug, Default)]
struct DomainIds {
    /// Each node's value's number (a node without the key has the value "").
    ids: Vec<u32>,
    /// Whether each node has the key.
    has_key: Vec<bool>,
    /// Each value's number.
    by_value: BTreeMap<String, u32>,
    /// Whether any node has the key (the default nodes have no zone).
    any: bool,
}

/// How many pods each spread selector matches on each node and in each topology domain,
/// computed once per selector and kept current as pods bind (and between passes while the
/// bound pods and the nodes stay as they were; `SchedulerState::spread`).
#[derive(Clone, Debug, Default)]
struct SpreadCache {
    by_node: BTreeMap<String, (String, LabelSelector, Vec<u32>)>,
    /// Topology key -> each node's value of it as a small number: distinct domains counted,
    /// and domain counts looked up, without strings.
    domain_ids: BTreeMap<String, DomainIds>,
    /// (selector key, topology key) -> the matching pods per domain.
    by_domain: BTreeMap<(String, String), DomainCounts>,
}

/// The pods a spread selector matches in each domain of one topology key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct DomainCounts {
    /// By the domain's value: every value some node has (0 when no pod matches there).
    by_value: BTreeMap<String, u32>,
    /// The same counts by the value's number ([`DomainIds`]): what scoring reads per node, kept
    /// beside the map so that no pod's scoring makes it again (a list as long as the domains,
    /// zeroed and filled from the map, for every pod).
    by_id: Vec<u32>,
}

impl SpreadCache {
    /// Counts, once per pass and selector, the pods matching `sel` in `ns` on each node (bound
    /// and not finished, as the store holds them) and in each domain of `topo_key`.
    fn ensure(
        &mut self,
        ns: &str,
        c: &Spread,
        nodes: &[&Node],
        index: &BTreeMap<String, usize>,
        store: &crate::store::Store,
    ) {
        let (sel, topo_key) = (&c.selector, c.key.as_str());
        if !self.domain_ids.contains_key(topo_key) {
            let mut by_value: BTreeMap<String, u32> = BTreeMap::new();
            let mut has_key = Vec::with_capacity(nodes.len());
            let ids: Vec<u32> = nodes
                .iter()
                .map(|n| {
                    let v = n.metadata.labels.as_ref().and_then(|l| l.get(topo_key));
                    has_key.push(v.is_some());
                    let v = v.map_or("", String::as_str);
                    let next = by_value.len() as u32;
                    match by_value.get(v) {
                        Some(id) => *id,
                        None => *by_value.entry(v.to_string()).or_insert(next),
                    }
                })
                .collect();
            let any = has_key.contains(&true);
            self.domain_ids.insert(topo_key.to_string(), DomainIds { ids, has_key, by_value, any });
        }
        let key = &c.sel_key;
        let counts = &self
            .by_node
            .entry(key.clone())
            .or_insert_with(|| (ns.to_string(), sel.clone(), count_on_nodes(ns, sel, nodes.len(), index, store)))
            .2;
        if topo_key != HOSTNAME {
            let ids = self.domain_ids.get(topo_key);
            self.by_domain
                .entry((key.clone(), topo_key.to_string()))
                .or_insert_with(|| domain_counts(nodes, topo_key, counts, ids));
        }
    }

    /// Debug builds: the counts kept are the counts the store gives.
    #[cfg(debug_assertions)]
    fn check(&self, nodes: &[&Node], index: &BTreeMap<String, usize>, store: &crate::store::Store) {
        for (ns, sel, counts) in self.by_node.values() {
            debug_assert_eq!(
                *counts,
                count_on_nodes(ns, sel, nodes.len(), index, store),
                "spread counts kept between passes went stale"
            );
        }
        for ((key, topo), domains) in &self.by_domain {
            let Some((_, _, counts)) = self.by_node.get(key) else { continue };
            let expected = domain_counts(nodes, topo, counts, self.domain_ids.get(topo));
            debug_assert_eq!(*domains, expected, "spread domain counts kept between passes went stale");
        }
    }

    fn node_counts(&self, c: &Spread) -> &[u32] {
        self.by_node.get(&c.sel_key).map_or(&[], |e| e.2.as_slice())
    }

    fn domains(&self, c: &Spread) -> Option<&DomainCounts> {
        self.by_domain.get(&(c.sel_key.clone(), c.key.clone()))
    }

    fn on_bind(&mut self, node_index: usize, node: &Node, pod: &Pod) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let empty = BTreeMap::new();
        let labels = pod.metadata.labels.as_ref().unwrap_or(&empty);
        let node_labels = node.metadata.labels.as_ref().unwrap_or(&empty);
        for (key, (sns, sel, counts)) in self.by_node.iter_mut() {
            if sns == ns && selector_matches(sel, labels) {
                counts[node_index] += 1;
                for ((k, topo), domains) in self.by_domain.iter_mut() {
                    if k == key
                        && let Some(v) = node_labels.get(topo)
                    {
                        *domains.by_value.entry(v.clone()).or_default() += 1;
                        let id = self.domain_ids.get(topo).and_then(|d| d.ids.get(node_index));
                        if let Some(count) = id.and_then(|&id| domains.by_id.get_mut(id as usize)) {
                            *count += 1;
                        }
                    }
                }
            }
        }
    }
}

/// The pods counted on each node (`counts`, by position in the pass's node list) summed per
/// domain of `topo_key`, by value and by the value's number in `ids` (the key's numbering).
fn domain_counts(nodes: &[&Node], topo_key: &str, counts: &[u32], ids: Option<&DomainIds>) -> DomainCounts {
    let mut by_value: BTreeMap<String, u32> = BTreeMap::new();
    let mut by_id = vec![0; ids.map_or(0, |d| d.by_value.len())];
    for (i, n) in nodes.iter().enumerate() {
        if let Some(v) = n.metadata.labels.as_ref().and_then(|l| l.get(topo_key)) {
            *by_value.entry(v.clone()).or_default() += counts[i];
            if let Some(count) = ids.and_then(|d| d.ids.get(i)).and_then(|&id| by_id.get_mut(id as usize)) {
                *count += counts[i];
            }
        }
    }
    DomainCounts { by_value, by_id }
}

/// The bound, unfinished pods of `ns` that `sel` matches, per node (by position in the pass's
/// node list).
fn count_on_nodes(
    ns: &str,
    sel: &LabelSelector,
    n_nodes: usize,
    index: &BTreeMap<String, usize>,
    store: &crate::store::Store,
) -> Vec<u32> {
    let mut counts = vec![0u32; n_nodes];
    let empty = BTreeMap::new();
    for o in store.list(Kind::Pod, Some(ns)) {
        let Object::Pod(p) = o else { continue };
        let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) else { continue };
        if is_terminal(p) || !selector_matches(sel, p.metadata.labels.as_ref().unwrap_or(&empty)) {
            continue;
        }
        if let Some(&i) = index.get(node) {
            counts[i] += 1;
        }
    }
    counts
}

/// Decisions kept for the UI and `describe`: the most recent ones, so memory stays bounded at
/// scale (150,000 pods x hundreds of evaluated nodes would not fit otherwise): at most this
/// many decisions, holding at most VERDICTS_KEPT per-node verdicts between them (at 5,000
/// nodes a decision looks at 500, so the last 200 decisions are kept; on a small cluster 2,048).
/// The decisions share the table of node names their verdicts point into: one per set of node
/// names (a new table when the nodes themselves change, not when only their images or status
/// do), and none for a decision without verdicts.
pub const DECISIONS_KEPT: usize = 2048;
pub const VERDICTS_KEPT: usize = 100_000;

impl SchedulerState {
    /// How many of a pass's first pods (its `queue`, on `n` nodes) have decisions that the
    /// pass's later ones will certainly push out of the kept ones ([`SchedulerState::remember`]),
    /// before the pass ends and so before anyone can read them: those are made without their
    /// per-node verdicts (at 5,000 nodes a pass of 500 pods keeps the verdicts of its last 200).
    ///
    /// A later pod is counted only when it certainly adds a decision at the back with at least
    /// as many verdicts as the pass looks at nodes for (`numFeasibleNodesToFind`, or every node
    /// when fewer): it has no decision kept yet (a kept one is replaced where it stands), it is
    /// not waiting out an unschedulable back-off (it may be skipped), and it has no claims (the
    /// volume PreFilter may reject it with no verdicts). The decisions in front of one that
    /// goes go first.
    fn pushed_out(&self, queue: &[(u64, Name, Name)], n: usize, store: &crate::store::Store) -> usize {
        #[cfg(test)]
        if self.every_verdict {
            return 0;
        }
        let fewest = num_feasible_nodes_to_find(n).min(n);
        if fewest == 0 || queue.len() <= DECISIONS_KEPT.min(VERDICTS_KEPT / fewest) {
            return 0;
        }
        let mut later = 0;
        for (q, (_, ns, name)) in queue.iter().enumerate().rev() {
            // The decision at `q` (with at least `fewest` verdicts if it has any) and the
            // `later` ones behind it.
            if later >= DECISIONS_KEPT || (later >= 1 && fewest * (later + 1) > VERDICTS_KEPT) {
                return q + 1;
            }
            let key = (ns.clone(), name.clone());
            let certain = !self.decisions.contains_key(&key)
                && !self.unschedulable.contains_key(&key)
                && matches!(store.get(Kind::Pod, ns, name), Some(Object::Pod(p))
                    if crate::controllers::volumes::pod_claims(p).is_empty());
            later += usize::from(certain);
        }
        0
    }

    fn remember(&mut self, key: (Name, Name), d: Decision) {
        self.verdicts_kept += d.counted;
        match self.decisions.insert(key.clone(), d) {
            None => self.decision_order.push_back(key),
            Some(old) => self.verdicts_kept -= old.counted,
        }
        while self.decision_order.len() > DECISIONS_KEPT
            || (self.verdicts_kept > VERDICTS_KEPT && self.decision_order.len() > 1)
        {
            if let Some(old) = self.decision_order.pop_front()
                && let Some(d) = self.decisions.remove(&old)
            {
                self.verdicts_kept -= d.counted;
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

    /// Each node's usage, in the order of `nodes`.
    fn node_infos_of(&self, nodes: &[&Node]) -> Vec<NodeInfo> {
        let name = |n: &&Node| n.metadata.name.as_deref().unwrap_or("").to_owned();
        match self.store.node_usage() {
            Some(usage) => {
                let infos: Vec<NodeInfo> =
                    nodes.iter().map(|n| usage.info(n.metadata.name.as_deref().unwrap_or(""))).collect();
                // Every test (and the seed sweep) checks the kept sums against a recount.
                #[cfg(debug_assertions)]
                {
                    let mut counted = self.node_infos_counted();
                    let expected: Vec<NodeInfo> =
                        nodes.iter().map(|n| counted.remove(&name(n)).unwrap_or_default()).collect();
                    debug_assert_eq!(infos, expected, "the store's node usage drifted");
                }
                infos
            }
            None => {
                let mut counted = self.node_infos_counted();
                nodes.iter().map(|n| counted.remove(&name(n)).unwrap_or_default()).collect()
            }
        }
    }

    /// Node usage summed from every pod (what the store's index must always equal).
    fn node_infos_counted(&self) -> BTreeMap<String, NodeInfo> {
        let mut infos: BTreeMap<String, NodeInfo> = BTreeMap::new();
        for o in self.store.list(Kind::Pod, None) {
            let Object::Pod(p) = o else { continue };
            let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
                continue;
            };
            if is_terminal(p) {
                continue;
            }
            match infos.get_mut(node) {
                Some(info) => add_pod(info, p),
                None => add_pod(infos.entry(node.to_string()).or_default(), p),
            }
        }
        infos
    }

    pub fn scheduling_decision(&self, namespace: &str, name: &str) -> Option<&Decision> {
        self.scheduler.decisions.get(&(Name::from(namespace), Name::from(name)))
    }

    /// One pass of the scheduling queue: every unbound pod, oldest first (PrioritySort with
    /// equal priorities falls back to queue order).
    pub(crate) fn schedule_pending(&mut self) {
        let mut queue: Vec<(u64, Name, Name)> = self
            .store
            .unbound_pods()
            .filter_map(|o| match o {
                // The scheduler's pod informer lists only unfinished pods (upstream's informer
                // factory selects `status.phase!=Succeeded,status.phase!=Failed`).
                Object::Pod(p)
                    if p.spec.as_ref().is_some_and(|s| s.node_name.is_none())
                        && !is_terminal(p)
                        && p.metadata.deletion_timestamp.is_none()
                        && p.spec.as_ref().and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler")
                            == "default-scheduler" =>
                {
                    let created =
                        p.metadata.creation_timestamp.as_ref().map(|t| crate::store::sim_time(t).ms()).unwrap_or(0);
                    Some((created, Name::from(o.namespace()), Name::from(o.name())))
                }
                _ => None,
            })
            .collect();
        if queue.is_empty() {
            return;
        }
        queue.sort();
        // Shared, not copied: 5,000 nodes are megabytes, and a pass runs every 20 ms while pods
        // arrive.
        let at = (self.store.changes(Kind::Node), self.kubelet.images_epoch);
        let table = match self.scheduler.node_table.take() {
            Some(t) if t.at == at => t,
            Some(old) => {
                let mut new = NodeTable::of(at, &self.store, &self.kubelet.nodes);
                // The kept decisions share one name table while the nodes' names stay.
                if new.names == old.names {
                    new.names = old.names;
                }
                new
            }
            None => NodeTable::of(at, &self.store, &self.kubelet.nodes),
        };
        #[cfg(debug_assertions)]
        {
            let fresh = NodeTable::of(at, &self.store, &self.kubelet.nodes);
            debug_assert!(
                fresh.nodes.len() == table.nodes.len()
                    && fresh.nodes.iter().zip(&table.nodes).all(|(a, b)| std::rc::Rc::ptr_eq(a, b))
                    && fresh.allocs == table.allocs
                    && fresh.tainted == table.tainted
                    && fresh.index == table.index
                    && fresh.names == table.names
                    && fresh.images == table.images,
                "the scheduler's node table went stale"
            );
        }
        let nodes = node_refs(&table.nodes);
        let (allocs, tainted, index, names, images) =
            (&table.allocs, &table.tainted, &table.index, &table.names, &table.images);
        let mut infos = match self.scheduler.infos.take() {
            Some((at, kept)) if at == self.usage_epochs() => {
                debug_assert_eq!(kept, self.node_infos_of(&nodes), "the scheduler's kept node usage went stale");
                kept
            }
            _ => self.node_infos_of(&nodes),
        };
        let mut spread = match self.scheduler.spread.take() {
            Some((at, kept)) if at == self.spread_epochs() => kept,
            _ => SpreadCache::default(),
        };
        #[cfg(debug_assertions)]
        spread.check(&nodes, index, &self.store);
        let mut retry_at: Option<u64> = None;
        // A kept binding whose unbound spec only this memo holds can never be asked for again
        // (no pod has that spec, and its address cannot be reused while it is held): dropped,
        // so that the specs of deleted Deployments are not kept alive.
        self.scheduler.bound_specs.retain(|_, (was, _)| Rc::strong_count(was) > 1);
        // The last pod's spread constraints, with what they were made of (its namespace, its
        // spec, held so that its address stays its own, its labels, whether it has a
        // controller): a ReplicaSet's pods, one after another, have the same, and making them
        // (the selector's key formatted, the labels copied twice) cost a fiftieth of a pass.
        type Made = (Name, Option<Rc<PodSpec>>, Option<BTreeMap<String, String>>, bool);
        type Constraints = Rc<(Vec<Spread>, bool)>;
        let mut last_constraints: Option<(Made, Constraints)> = None;
        let pushed_out = self.scheduler.pushed_out(&queue, nodes.len(), &self.store);
        for (q, (_, ns, name)) in queue.into_iter().enumerate() {
            let key = (ns.clone(), name.clone());
            if let Some((epoch, failed_at, _)) = self.scheduler.unschedulable.get(&key) {
                let due = failed_at + MAX_IN_UNSCHEDULABLE_MS;
                if *epoch == self.scheduler.epoch && self.now.ms() < due {
                    retry_at = Some(retry_at.map_or(due, |r| r.min(due)));
                    continue;
                }
            }
            let shared = self.store.get_shared(Kind::Pod, &ns, &name);
            let Some(Object::Pod(pod)) = shared.as_deref() else {
                continue;
            };
            // VolumeBinding PreFilter: claims must exist and be bound first.
            let decision = if let Some(msg) = self.volume_prefilter(pod) {
                let n = nodes.len();
                Decision {
                    time_ms: self.now.ms(),
                    node_names: Vec::new().into(),
                    nodes: Vec::new(),
                    rejections: Vec::new(),
                    chosen: None,
                    message: Some(format!(
                        "0/{n} nodes are available: {msg}. preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling."
                    )),
                    counted: 0,
                }
            } else {
                let same = |(m_ns, m_spec, m_labels, m_controlled): &Made| {
                    *m_ns == ns
                        && match (m_spec, &pod.spec) {
                            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
                            (None, None) => true,
                            _ => false,
                        }
                        && *m_labels == pod.metadata.labels
                        && *m_controlled == controller_ref(&pod.metadata).is_some()
                };
                let constraints = match &last_constraints {
                    Some((made, constraints)) if same(made) => Rc::clone(constraints),
                    _ => {
                        let constraints = Rc::new(spread_constraints(pod));
                        let made = (
                            ns.clone(),
                            pod.spec.clone(),
                            pod.metadata.labels.clone(),
                            controller_ref(&pod.metadata).is_some(),
                        );
                        last_constraints = Some((made, Rc::clone(&constraints)));
                        constraints
                    }
                };
                debug_assert_eq!(
                    format!("{:?}", *constraints),
                    format!("{:?}", spread_constraints(pod)),
                    "the kept spread constraints are not the pod's"
                );
                for c in &constraints.0 {
                    spread.ensure(&ns, c, &nodes, index, &self.store);
                }
                #[cfg(test)]
                {
                    self.scheduler.made_without_verdicts += usize::from(q < pushed_out);
                }
                schedule_one(
                    q >= pushed_out,
                    pod,
                    &nodes,
                    images,
                    names,
                    (&spread, &constraints.0, constraints.1),
                    (allocs, &infos, tainted),
                    &mut self.scheduler.next_start_node_index,
                    &mut self.rng_scheduler,
                    self.now,
                )
            };
            match decision.chosen.clone() {
                Some(node) => {
                    self.scheduler.unschedulable.remove(&key);
                    if let Some(&i) = index.get(&node) {
                        add_pod(&mut infos[i], pod);
                        spread.on_bind(i, nodes[i], pod);
                    }
                    // Let go of the pod, so that the binding can take it out of the store rather
                    // than copy it (`Store::update_pod_with`).
                    drop(shared);
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
        // Every decision made without its verdicts was pushed out again, as `pushed_out` said.
        debug_assert!(
            !self.scheduler.decisions.any(|_, d| d.counted != d.nodes.len()),
            "a decision made without its verdicts is kept"
        );
        if let Some(t) = retry_at {
            self.wake_at(Controller::Scheduler, SimTime(t));
        }
        // The counts are current after this pass's own bindings (`on_bind`).
        self.scheduler.spread = Some((self.spread_epochs(), spread));
        // So is the usage (`add_pod`).
        *self.scheduler.infos = Some((self.usage_epochs(), infos));
        drop(nodes);
        *self.scheduler.node_table = Some(table);
    }

    /// What the nodes' usage is made of, as two change counters: the bound pods' usage and the
    /// nodes.
    fn usage_epochs(&self) -> (u64, u64) {
        (self.store.usage_epoch(), self.store.changes(Kind::Node))
    }

    /// What the spread counts are made of, as two change counters: the bound pods and the nodes.
    fn spread_epochs(&self) -> (u64, u64) {
        (self.store.bound_pods_epoch(), self.store.changes(Kind::Node))
    }

    fn set_pod_scheduled_condition(
        &mut self,
        ns: &str,
        name: &str,
        status: &str,
        reason: Option<&str>,
        message: Option<&str>,
    ) {
        if let Some(Object::Pod(p)) = self.store.get(Kind::Pod, ns, name).cloned() {
            let mut p = p;
            if set_scheduled(&mut p, status, reason, message, self.now) {
                self.store.update(Object::Pod(p));
            }
        }
    }

    /// DefaultBinder: the pods/binding subresource sets spec.nodeName and the PodScheduled=True
    /// condition in one write (BindingREST.setPodNodeAndMetadata: one GuaranteedUpdate, so one
    /// resourceVersion); the kubelet on that node takes it from there.
    fn bind(&mut self, ns: &str, name: &str, node: &str) {
        let (bound_specs, now) = (&self.scheduler.bound_specs, self.now);
        // The unbound spec, when the bound one is a new copy of it.
        let mut copied: Option<Rc<PodSpec>> = None;
        self.store.update_pod_with(ns, name, |p| {
            let unbound = p.spec.clone();
            let known = unbound.as_ref().and_then(|from| {
                let (was, bound) = bound_specs.get(node)?;
                Rc::ptr_eq(was, from).then(|| Rc::clone(bound))
            });
            match known {
                Some(bound) => p.spec = Some(bound),
                None => {
                    p.spec_mut().node_name = Some(node.to_string());
                    copied = unbound;
                }
            }
            set_scheduled(p, "True", None, None, now);
        });
        if let Some(from) = copied
            && let Some(Object::Pod(stored)) = self.store.get(Kind::Pod, ns, name)
            && let Some(bound) = &stored.spec
        {
            let entry = (from, Rc::clone(bound));
            match self.scheduler.bound_specs.get_mut(node) {
                Some(slot) => *slot = entry,
                None => {
                    self.scheduler.bound_specs.insert(node.into(), entry);
                }
            }
        }
        self.record_event(
            Kind::Pod,
            ns,
            name,
            "Normal",
            "Scheduled",
            &crate::text::cat(&["Successfully assigned ", ns, "/", name, " to ", node]),
            "default-scheduler",
            None,
        );
        self.kubelet_pod_bound(ns, name);
    }
}

/// Sets the pod's PodScheduled condition as upstream's `UpdatePodCondition` does: the transition
/// time moves only when the status does (a new reason or message keeps it). Returns whether the
/// condition changed.
fn set_scheduled(p: &mut Pod, status: &str, reason: Option<&str>, message: Option<&str>, now: SimTime) -> bool {
    let st = p.status.get_or_insert_with(Default::default);
    let conds = st.conditions.get_or_insert_with(Vec::new);
    let mut new = PodCondition {
        type_: "PodScheduled".into(),
        status: status.into(),
        reason: reason.map(str::to_string),
        message: message.map(str::to_string),
        last_transition_time: Some(time(now)),
        last_probe_time: None,
        observed_generation: None,
    };
    if let Some(c) = conds.iter_mut().find(|c| c.type_ == "PodScheduled") {
        if c.status == new.status && c.reason == new.reason && c.message == new.message {
            return false;
        }
        if c.status == new.status {
            new.last_transition_time = c.last_transition_time.clone();
        }
        *c = new;
    } else {
        conds.push(new);
    }
    true
}

pub(crate) fn is_terminal(p: &Pod) -> bool {
    is_terminal_status(p.status.as_ref())
}

/// [`is_terminal`] of a pod with this status.
pub(crate) fn is_terminal_status(s: Option<&k8s_openapi::api::core::v1::PodStatus>) -> bool {
    matches!(s.and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

fn add_pod(info: &mut NodeInfo, p: &Pod) {
    let (r, nz) = pod_requests_both(p);
    info.requested.cpu_milli += r.cpu_milli;
    info.requested.memory += r.memory;
    info.requested.ephemeral_storage += r.ephemeral_storage;
    info.non_zero.cpu_milli += nz.cpu_milli;
    info.non_zero.memory += nz.memory;
    info.pod_count += 1;
    for hp in host_ports(p) {
        info.host_ports.get_or_insert_with(Default::default).insert(hp);
    }
}

/// The images on the pass's nodes, numbered, as ImageLocality reads them.
#[derive(Debug, PartialEq, Eq)]
struct NodeImages {
    ids: BTreeMap<String, u32>,
    /// On how many nodes each image is (upstream's imageStates, kept in the scheduler's
    /// snapshot: it does not change during a pass).
    nodes_with: Vec<usize>,
    /// For each image (by number), which nodes (by their place in the pass) have it, a bit
    /// each: one row a pod reads along the nodes it scores, instead of a list per node to
    /// search (a cache miss per node scored). 625 bytes an image at 5,000 nodes.
    present: Vec<Vec<u64>>,
}

impl NodeImages {
    fn of(
        nodes: &[&Node],
        runtimes: &crate::fingerprint::LookupMap<crate::store::Name, crate::kubelet::NodeRuntime>,
    ) -> Self {
        let mut ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut nodes_with: Vec<usize> = Vec::new();
        let on_node: Vec<Vec<u32>> = nodes
            .iter()
            .map(|n| {
                let Some(rt) = runtimes.get(n.metadata.name.as_deref().unwrap_or("")) else {
                    return Vec::new();
                };
                rt.images
                    .iter()
                    .map(|img| {
                        let id = match ids.get(img) {
                            Some(id) => *id,
                            None => {
                                let id = nodes_with.len() as u32;
                                ids.insert(img.clone(), id);
                                nodes_with.push(0);
                                id
                            }
                        };
                        nodes_with[id as usize] += 1;
                        id
                    })
                    .collect()
            })
            .collect();
        let mut present = vec![vec![0u64; nodes.len().div_ceil(64)]; nodes_with.len()];
        for (node, images) in on_node.iter().enumerate() {
            for &id in images {
                present[id as usize][node / 64] |= 1 << (node % 64);
            }
        }
        NodeImages { ids, nodes_with, present }
    }
}

/// A node that passed the filters: its verdict's and its own place (32-bit numbers), and its
/// NodeResourcesFit (LeastAllocated) and BalancedAllocation scores (none for a pod without
/// requests, which that plugin skips), worked out while the filters have the node's usage at
/// hand: the score loop then reads neither the usage nor the allocatable again (re-reading them
/// for 500 nodes missed the first-level cache).
#[derive(Clone, Copy, Debug)]
struct Feasible {
    verdict: u32,
    node: u32,
    least: i64,
    balanced: Option<i64>,
}

impl Feasible {
    /// Node `node` (verdict `verdict`), with `info`'s usage and `alloc`atable, for a pod of
    /// `(non_zero, requested)`.
    #[inline(always)]
    fn of(
        (verdict, node): (usize, usize),
        info: &NodeInfo,
        alloc: Resources,
        (pod_nz, req): (Resources, Resources),
        best_effort: bool,
    ) -> Self {
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
        Feasible { verdict: verdict as u32, node: node as u32, least, balanced }
    }
}

/// A feasible node's scores before normalizing ([`schedule_one`]'s first score loop): the
/// untolerated PreferNoSchedule taints, the preferred node affinity's weight, the rounded
/// spread score. (24 bytes: a node's taints are fewer than 2³².)
#[derive(Clone, Copy, Debug)]
struct Raw {
    rounded: i64,
    aff: i64,
    untolerated: u32,
}

/// One scheduling cycle for one pod: filter (stopping after enough feasible nodes), score,
/// select. Pure apart from the round-robin start index and the tie-breaking RNG. Without
/// `detail` the decision holds no per-node verdicts (`counted` still says how many it would):
/// the same choice, for a decision no one will see ([`SchedulerState::pushed_out`]).
#[allow(clippy::too_many_arguments)]
fn schedule_one(
    detail: bool,
    pod: &Pod,
    nodes: &[&Node],
    node_images: &NodeImages,
    names: &std::rc::Rc<[std::rc::Rc<str>]>,
    // The pass's spread counts, with the pod's constraints (`spread_constraints`: the
    // constraints and whether they are the system defaults) already counted in them.
    (spread, constraints, system_default): (&SpreadCache, &[Spread], bool),
    (allocs, infos, tainted): (&[Resources], &[NodeInfo], &[bool]),
    next_start: &mut usize,
    rng: &mut Rng,
    now: SimTime,
) -> Decision {
    let fit = PodFit::of(pod);
    let req = fit.req;
    let n = nodes.len();
    // Verdicts only for the nodes looked at (percentageOfNodesToScore may stop early): at least
    // as many as it looks for, made room for at once (500 at 5,000 nodes; growing the list by
    // doubling copied each one about twice).
    let to_find = num_feasible_nodes_to_find(n);
    let mut verdicts: Vec<NodeVerdict> = if detail { Vec::with_capacity(to_find) } else { Vec::new() };
    let mut rejections: Vec<FilterVerdict> = Vec::new();
    if n == 0 {
        return Decision {
            time_ms: now.ms(),
            node_names: names.clone(),
            nodes: verdicts,
            rejections,
            chosen: None,
            message: Some(fit_error_message(0, &[])),
            counted: 0,
        };
    }
    let own_labels = pod.metadata.labels.clone().unwrap_or_default();
    // PodTopologySpread Filter for DoNotSchedule constraints: skew = domain count + self match
    // - the smallest domain count must not exceed maxSkew.
    let hard: Vec<HardSpread> = constraints
        .iter()
        .filter(|c| c.hard)
        .map(|c| {
            let counts = spread.node_counts(c);
            let domains = spread.domains(c);
            let min = if c.key == HOSTNAME {
                nodes
                    .iter()
                    .enumerate()
                    .filter(|(_, nd)| nd.metadata.labels.as_ref().is_some_and(|l| l.contains_key(HOSTNAME)))
                    .map(|(i, _)| i64::from(counts[i]))
                    .min()
                    .unwrap_or(0)
            } else {
                domains.and_then(|d| d.by_value.values().min()).map_or(0, |m| i64::from(*m))
            };
            let self_match = i64::from(selector_matches(&c.selector, &own_labels));
            (c, counts, domains, min, self_match)
        })
        .collect();
    let mut feasible: Vec<Feasible> = Vec::with_capacity(to_find);
    let pod_nz = fit.non_zero;
    let best_effort = req.cpu_milli == 0 && req.memory == 0;
    let mut processed = 0;
    // The index kept from the last pod is below the node count unless nodes went since.
    let start = *next_start % n;
    for k in 0..n {
        if feasible.len() >= to_find {
            break;
        }
        // `(start + k) % n` without a division per node (start < n and k < n).
        let i = if start + k >= n { start + k - n } else { start + k };
        processed += 1;
        let rejected = filter(&fit, nodes[i], tainted[i], &infos[i], allocs[i])
            .or_else(|| if hard.is_empty() { None } else { spread_filter(&hard, nodes[i], i) });
        // (The node's verdict, when there is one, is at `processed - 1`.)
        let rejection = match rejected {
            None => {
                feasible.push(Feasible::of((processed - 1, i), &infos[i], allocs[i], (pod_nz, req), best_effort));
                NodeVerdict::PASSED
            }
            Some(r) => {
                rejections.push(r);
                (rejections.len() - 1) as u32
            }
        };
        if detail {
            verdicts.push(NodeVerdict { node: i as u32, rejection, scores: Scores::default() });
        }
    }
    *next_start = (start + processed) % n;
    if feasible.is_empty() {
        return Decision {
            time_ms: now.ms(),
            node_names: names.clone(),
            nodes: verdicts,
            message: Some(fit_error_message(n, &rejections)),
            rejections,
            chosen: None,
            counted: processed,
        };
    }
    if feasible.len() == 1 {
        let chosen = names[feasible[0].node as usize].to_string();
        return Decision {
            time_ms: now.ms(),
            node_names: names.clone(),
            nodes: verdicts,
            rejections,
            chosen: Some(chosen),
            message: None,
            counted: processed,
        };
    }
    // Score.
    let tols: &[Toleration] = pod.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or(&[]);
    // PodTopologySpread PreScore: ScheduleAnyway constraints (or the system defaults). A node
    // without every key is ignored (score 0) unless the constraints are the system defaults
    // (then none is, and no list is made).
    let soft: Vec<&Spread> = constraints.iter().filter(|c| !c.hard).collect();
    let has_all_keys =
        |nd: &Node| soft.iter().all(|c| nd.metadata.labels.as_ref().is_some_and(|l| l.contains_key(&c.key)));
    let ignored: Vec<bool> = if system_default {
        Vec::new()
    } else {
        feasible.iter().map(|f| !has_all_keys(nodes[f.node as usize])).collect()
    };
    let is_ignored = |j: usize| ignored.get(j).copied().unwrap_or(false);
    let considered = feasible.len() - ignored.iter().filter(|i| **i).count();
    // Each soft constraint that some node has the key of (one that none has adds nothing to
    // any node's score: the default nodes have no zone), with its weight, its matching pods per
    // node and per domain (by the domain's number), which nodes have its key and (maxSkew - 1):
    // looked up once, not per node. (Whether the key is the hostname is decided once here: a
    // string comparison per node and constraint was a fourteenth of this function. The
    // hostname's domains are the nodes: its counts are the nodes' own.)
    struct Scored<'a> {
        weight: f64,
        skew: f64,
        counts: &'a [u32],
        by_id: &'a [u32],
        has_key: &'a [bool],
        node_ids: &'a [u32],
        is_host: bool,
    }
    let scored: Vec<Scored> = soft
        .iter()
        .filter_map(|c| {
            let ids = spread.domain_ids.get(&c.key).filter(|d| d.any)?;
            let is_host = c.key == HOSTNAME;
            let size = if is_host {
                considered
            } else {
                // Distinct values of the key among the considered nodes (a node without it
                // counts as the value "").
                let mut seen = vec![false; ids.by_value.len().max(1)];
                let marks: &mut [bool] = &mut seen;
                for (_, f) in feasible.iter().enumerate().filter(|(j, _)| !is_ignored(*j)) {
                    marks[ids.ids.get(f.node as usize).map_or(0, |d| *d as usize)] = true;
                }
                seen.iter().filter(|s| **s).count()
            };
            Some(Scored {
                weight: portable_ln(size as f64 + 2.0),
                skew: (c.max_skew - 1) as f64,
                counts: spread.node_counts(c),
                by_id: if is_host { &[][..] } else { spread.domains(c).map_or(&[][..], |d| d.by_id.as_slice()) },
                has_key: &ids.has_key,
                node_ids: &ids.ids,
                is_host,
            })
        })
        .collect();
    let preferred = pod
        .spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|na| na.preferred_during_scheduling_ignored_during_execution.as_deref())
        .unwrap_or(&[]);
    // ImageLocality: images already on a node, scaled by how widely they are spread.
    // Each image's score where it is present depends on the pod only: worked out once.
    // (the row of nodes that have the image, if some node has it; its score where it is: the
    // row a slice, not the table's list, which the size-optimized build indexed out of line).
    let images: Vec<(Option<&[u64]>, i64)> = pod
        .spec
        .iter()
        .flat_map(|s| s.init_containers.iter().flatten().chain(s.containers.iter()))
        .filter_map(|c| c.image.as_deref().map(crate::kubelet::with_tag))
        .map(|img| {
            let id = node_images.ids.get(img.as_str()).map(|id| *id as usize);
            let have = id.map_or(0, |id| node_images.nodes_with[id]);
            let size = crate::kubelet::image_size(&img).unwrap_or(0);
            (id.map(|id| node_images.present[id].as_slice()), scaled_image_score(size, have, n))
        })
        .collect();
    // Two passes over the feasible nodes (not one list per plugin, each made and walked): the
    // first keeps the raw scores that need normalizing, with their extremes ([`Raw`]); the
    // second normalizes them, writes every plugin's score (NodeResourcesFit's and
    // BalancedAllocation's were worked out in the filter loop), and picks the host.
    let mut raws: Vec<Raw> = Vec::with_capacity(feasible.len());
    let (mut taint_max, mut affinity_max): (Option<i64>, Option<i64>) = (None, None);
    let (mut spread_max, mut spread_min): (Option<i64>, Option<i64>) = (None, None);
    for (j, &Feasible { node, .. }) in feasible.iter().enumerate() {
        let ni = node as usize;
        let node = &nodes[ni];
        // Only a node with taints is read for them (reading every node was a cache miss each).
        let untolerated = if tainted[ni] {
            node.spec
                .as_ref()
                .and_then(|s| s.taints.as_ref())
                .into_iter()
                .flatten()
                .filter(|t| t.effect == "PreferNoSchedule" && !tolerates(tols, t))
                .count() as i64
        } else {
            0
        };
        let aff: i64 = preferred
            .iter()
            .filter(|t| node_selector_term_matches(&t.preference, node))
            .map(|t| i64::from(t.weight))
            .sum();
        let mut raw = 0.0;
        for c in &scored {
            if !c.has_key.get(ni).copied().unwrap_or(false) {
                continue;
            }
            let cnt = if c.is_host { c.counts[ni] } else { c.by_id.get(c.node_ids[ni] as usize).copied().unwrap_or(0) };
            raw += f64::from(cnt) * c.weight + c.skew;
        }
        let rounded = (raw + 0.5) as i64;
        taint_max = Some(taint_max.map_or(untolerated, |m| m.max(untolerated)));
        affinity_max = Some(affinity_max.map_or(aff, |m| m.max(aff)));
        if !is_ignored(j) {
            spread_max = Some(spread_max.map_or(rounded, |m| m.max(rounded)));
            spread_min = Some(spread_min.map_or(rounded, |m| m.min(rounded)));
        }
        raws.push(Raw { rounded, aff, untolerated: u32::try_from(untolerated).unwrap_or(u32::MAX) });
    }
    // TaintToleration and NodeAffinity NormalizeScore: the default normalizer
    // ([`default_normalize`]), TaintToleration reversed.
    let (taint_max, affinity_max) = (taint_max.unwrap_or(0), affinity_max.unwrap_or(0));
    // PodTopologySpread NormalizeScore: 100 * (max + min - s) / max.
    let (spread_max, spread_min) = (spread_max.unwrap_or(0), spread_min.unwrap_or(0));
    // ImageLocality of a one-image pod: where the image is absent, and where it is present.
    let one_image = match &images[..] {
        [(_, score)] => Some([image_locality(0, 1), image_locality(*score, 1)]),
        _ => None,
    };
    // selectHost: reservoir sampling among the top scores.
    let mut best: Option<usize> = None;
    let mut max = i64::MIN;
    let mut count = 0u32;
    // Each feasible node's verdict is written here, once (a slice: the size-optimized build
    // called the list's indexing out of line, three times a node when the first loop wrote too).
    let rows: &mut [NodeVerdict] = &mut verdicts;
    for (j, (&Feasible { verdict, node, least, balanced }, &Raw { untolerated, aff, rounded })) in
        feasible.iter().zip(&raws).enumerate()
    {
        let (i, ni) = (verdict as usize, node as usize);
        let taint = default_normalized(i64::from(untolerated), taint_max, true);
        let affinity = default_normalized(aff, affinity_max, false);
        let spread_score = (!soft.is_empty()).then(|| {
            if is_ignored(j) {
                0
            } else if spread_max == 0 {
                MAX_NODE_SCORE
            } else {
                MAX_NODE_SCORE * (spread_max + spread_min - rounded) / spread_max
            }
        });
        // (Whether the node has an image: written out, not a closure, which the size-optimized
        // build called out of line.)
        let (word, bit) = (ni / 64, ni % 64);
        let locality = match (&images[..], one_image) {
            // One image (a pod of one container): its two scores worked out once, above.
            ([(row, _)], Some([absent, present])) => match row {
                Some(row) if row[word] >> bit & 1 == 1 => present,
                _ => absent,
            },
            _ => image_locality(
                images
                    .iter()
                    .filter(|(row, _)| matches!(row, Some(row) if row[word] >> bit & 1 == 1))
                    .map(|(_, score)| score)
                    .sum(),
                images.len(),
            ),
        };
        let (scores, s) = Scores::of(least, balanced, taint, affinity, spread_score, locality);
        if detail {
            rows[i].scores = scores;
        }
        if s > max {
            max = s;
            best = Some(ni);
            count = 1;
        } else if s == max {
            count += 1;
            if rng.below(count) == 0 {
                best = Some(ni);
            }
        }
    }
    let chosen = best.map(|ni| names[ni].to_string());
    Decision {
        time_ms: now.ms(),
        node_names: names.clone(),
        nodes: verdicts,
        rejections,
        chosen,
        message: None,
        counted: processed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pods bound to a node take the spec a pod of the same spec bound there last was given (no
    /// copy to set `nodeName`), and only that: pods of two Deployments bound in turn to the same
    /// nodes each keep their own template's spec, and a Deployment's pods on one node share one.
    #[test]
    fn bound_pods_share_their_nodes_copy_of_their_own_spec() {
        let mut c = Cluster::new(crate::cluster::ClusterConfig { seed: 3, nodes: 2 });
        let ws = crate::Workspace::default();
        c.run("kubectl create deployment a --image=nginx:1.27 --replicas=6", &ws);
        c.run("kubectl create deployment b --image=redis:7 --replicas=6", &ws);
        c.advance(30_000);
        c.run("kubectl scale deployment a --replicas=9\nkubectl scale deployment b --replicas=9", &ws);
        c.advance(30_000);
        let mut specs: BTreeMap<(String, String), Vec<Rc<PodSpec>>> = BTreeMap::new();
        for o in c.store.list(Kind::Pod, None) {
            let Object::Pod(p) = o else { continue };
            let spec = p.spec.clone().expect("a spec");
            let node = spec.node_name.clone().expect("bound");
            let image = spec.containers[0].image.clone().unwrap_or_default();
            let app = o.name().split('-').next().unwrap_or_default().to_string();
            assert_eq!(image, if app == "a" { "nginx:1.27" } else { "redis:7" }, "{}", o.name());
            // The whole spec is its ReplicaSet's template, defaulted, with nodeName set: the
            // node the Scheduled event names.
            let rs = controller_ref(&p.metadata).map(|r| r.name.clone()).expect("a ReplicaSet");
            let Some(Object::ReplicaSet(rs)) = c.store.get(Kind::ReplicaSet, "default", &rs) else {
                panic!("no ReplicaSet {rs}")
            };
            let mut want = rs.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.clone()).unwrap();
            crate::api::defaults::pod_spec(&mut want);
            crate::api::defaults::default_tolerations(&mut want);
            want.node_name = Some(node.clone());
            assert_eq!(*spec, want, "{}", o.name());
            let assigned = format!("Successfully assigned default/{} to {node}", o.name());
            assert!(c.events().any(|e| e.reason == "Scheduled" && e.message == assigned));
            specs.entry((app, node)).or_default().push(spec);
        }
        assert_eq!(specs.values().map(Vec::len).sum::<usize>(), 18);
        assert_eq!(specs.len(), 4, "both Deployments on both nodes");
        for list in specs.values() {
            assert!(list.iter().all(|s| Rc::ptr_eq(s, &list[0])), "one copy a node and Deployment");
        }
    }

    /// A pass's decisions that its later ones push out of the kept ones are made without their
    /// per-node verdicts, and nothing else changes: a pass of 1,202 pods on 500 nodes (230
    /// looked at per pod, so 434 decisions' verdicts fit in VERDICTS_KEPT), made both ways. It
    /// starts (the same creation time, names in order) with a pod that fits nowhere (500
    /// rejections) and one whose claim does not exist (the volume PreFilter's decision, with no
    /// verdicts either way). The same bindings, events, kept decisions and counts; and exactly
    /// the decisions that were pushed out were made without verdicts.
    #[test]
    fn decisions_pushed_out_in_their_pass_are_made_without_verdicts() {
        let mut c = crate::bench::scheduling_workload(500, 1_200, 4);
        let ws = crate::Workspace::default().with_file(
            "odd.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: a-huge}\nspec:\n  containers: [{name: c, image: nginx:1.27, resources: {requests: {cpu: '100'}}}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a-claims}\nspec:\n  containers: [{name: c, image: nginx:1.27}]\n  volumes: [{name: d, persistentVolumeClaim: {claimName: missing}}]\n",
        );
        c.run("kubectl apply -f odd.yaml", &ws);
        assert_eq!(c.pending_pod_count(), 1_202);
        let mut every = c.clone();
        every.scheduler.every_verdict = true;
        c.run_scheduler();
        every.run_scheduler();
        let bindings = |c: &Cluster| -> Vec<(String, Option<String>)> {
            c.store
                .list(Kind::Pod, None)
                .map(|o| match o {
                    Object::Pod(p) => (o.name().to_string(), p.spec.as_ref().and_then(|s| s.node_name.clone())),
                    _ => unreachable!(),
                })
                .collect()
        };
        assert_eq!(bindings(&c), bindings(&every));
        assert_eq!(c.pending_pod_count(), 2, "all but the two odd pods bound");
        let events = |c: &Cluster| c.events().map(|e| format!("{e:?}")).collect::<Vec<_>>();
        assert_eq!(events(&c), events(&every));
        let kept = c.scheduler.decisions.sorted();
        assert_eq!(kept, every.scheduler.decisions.sorted());
        assert_eq!(c.scheduler.decision_order, every.scheduler.decision_order);
        assert_eq!(c.scheduler.verdicts_kept, every.scheduler.verdicts_kept);
        // The same random draws and the same round-robin start.
        assert_eq!(c.rng_scheduler, every.rng_scheduler);
        assert_eq!(c.scheduler.next_start_node_index, every.scheduler.next_start_node_index);
        assert_eq!(kept.len(), 434);
        assert!(kept.iter().all(|(_, d)| d.counted == d.nodes.len() && d.nodes.len() == 230));
        assert_eq!(every.scheduler.made_without_verdicts, 0);
        // The pods in front of the kept ones, but the claim's, which the PreFilter decides.
        assert_eq!(c.scheduler.made_without_verdicts, 1_202 - 434 - 1);
    }

    /// The kept decisions point into one table of node names while the nodes stay the same,
    /// though images arriving on the nodes make each pass read the nodes again (found by
    /// review: each rebuild of the node table made a new name table, which VERDICTS_KEPT does
    /// not count).
    #[test]
    fn decisions_share_one_table_of_node_names_while_the_nodes_stay() {
        let mut c = Cluster::new(crate::cluster::ClusterConfig { seed: 2, nodes: 3 });
        let ws = crate::Workspace::default();
        c.run("kubectl create deployment a --image=nginx:1.27 --replicas=3", &ws);
        c.advance(60_000);
        let epoch = c.kubelet.images_epoch;
        c.run("kubectl create deployment b --image=redis:7 --replicas=3", &ws);
        c.advance(60_000);
        assert!(c.kubelet.images_epoch > epoch, "images arrived between the two");
        let tables: Vec<_> = c.scheduler.decisions.sorted().into_iter().map(|(_, d)| d.node_names.clone()).collect();
        assert_eq!(tables.len(), 6);
        assert!(tables.iter().all(|t| std::rc::Rc::ptr_eq(t, &tables[0])));
    }

    /// NodeAffinity's required terms and a nodeSelector filter nodes that have neither taints
    /// nor anything else to say (the filters that read the node run only when one can speak:
    /// `PodFit::reads_node`). Upstream: plugins/nodeaffinity `Filter` (ErrReasonPod, "node(s)
    /// didn't match Pod's node affinity/selector").
    #[test]
    fn node_affinity_and_selectors_filter_untainted_nodes() {
        let mut c = Cluster::new(crate::cluster::ClusterConfig { seed: 1, nodes: 3 });
        let ws = crate::Workspace::default()
            .with_file(
                "not-one.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: not-one}\nspec:\n  replicas: 6\n  selector: {matchLabels: {app: not-one}}\n  template:\n    metadata: {labels: {app: not-one}}\n    spec:\n      affinity:\n        nodeAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            nodeSelectorTerms:\n            - matchExpressions: [{key: kubernetes.io/hostname, operator: NotIn, values: [node-1]}]\n      containers: [{name: c, image: nginx:1.27}]\n",
            )
            .with_file(
                "on-two.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: on-two}\nspec:\n  nodeSelector: {kubernetes.io/hostname: node-2}\n  containers: [{name: c, image: nginx:1.27}]\n",
            )
            .with_file(
                "nowhere.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: nowhere}\nspec:\n  nodeSelector: {disk: ssd}\n  containers: [{name: c, image: nginx:1.27}]\n",
            );
        c.run("kubectl apply -f not-one.yaml\nkubectl apply -f on-two.yaml\nkubectl apply -f nowhere.yaml", &ws);
        c.advance(10_000);
        let node_of = |o: &Object| match o {
            Object::Pod(p) => p.spec.as_ref().and_then(|s| s.node_name.clone()),
            _ => None,
        };
        let pods: Vec<(String, Option<String>)> =
            c.store.list(Kind::Pod, None).map(|o| (o.name().to_string(), node_of(o))).collect();
        let not_one: Vec<_> = pods.iter().filter(|(n, _)| n.starts_with("not-one-")).collect();
        assert_eq!(not_one.len(), 6);
        assert!(not_one.iter().all(|(_, node)| node.is_some() && node.as_deref() != Some("node-1")), "{pods:?}");
        assert!(pods.contains(&("on-two".to_string(), Some("node-2".to_string()))), "{pods:?}");
        assert!(pods.contains(&("nowhere".to_string(), None)), "{pods:?}");
        let d = c.scheduling_decision("default", "nowhere").expect("a decision");
        assert!(d.nodes.iter().all(|v| d.rejected(v).is_some_and(|r| r.plugin == "NodeAffinity")));
    }

    /// percentageOfNodesToScore: each pod's search starts where the last one stopped
    /// (schedule_one.go `nextStartNodeIndex = (nextStartNodeIndex + processedNodes) %
    /// len(nodes)`), so above 100 nodes, where a search stops early, pods spread their searches
    /// around the nodes.
    #[test]
    fn each_search_starts_where_the_last_stopped() {
        let mut c = Cluster::new(crate::cluster::ClusterConfig { seed: 1, nodes: 250 });
        let ws = crate::Workspace::default();
        c.run("kubectl create deployment web --image=nginx:1.27 --replicas=3", &ws);
        c.advance(2_000);
        let to_find = num_feasible_nodes_to_find(250);
        assert!(to_find < 250, "the search stops early at this size");
        let mut firsts: Vec<(u64, u32, usize)> = c
            .scheduler
            .decisions
            .sorted()
            .into_iter()
            .map(|(_, d)| (d.time_ms, d.nodes[0].node, d.nodes.len()))
            .collect();
        firsts.sort();
        assert_eq!(firsts.len(), 3);
        assert_eq!(firsts.iter().map(|f| f.2).collect::<Vec<_>>(), vec![to_find; 3], "every node fits");
        let starts: Vec<u32> = firsts.iter().map(|f| f.1).collect();
        let step = to_find as u32;
        assert_eq!(starts, vec![0, step, (2 * step) % 250]);
    }

    /// The pods/binding subresource sets spec.nodeName and PodScheduled=True in one update
    /// (upstream pkg/registry/core/pod/storage BindingREST.setPodNodeAndMetadata: one
    /// GuaranteedUpdate), so a binding is one resourceVersion; a condition whose status stays
    /// keeps its transition time when its message changes (UpdatePodCondition).
    #[test]
    fn a_binding_is_one_write() {
        let mut c = Cluster::new(crate::cluster::ClusterConfig { seed: 1, nodes: 1 });
        let ws = crate::Workspace::default().with_file(
            "p.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx:1.27}]\n",
        );
        c.run("kubectl apply -f p.yaml", &ws);
        let version = |c: &Cluster| -> u64 {
            c.store
                .get(Kind::Pod, "default", "p")
                .and_then(|o| o.meta().resource_version.clone())
                .unwrap()
                .parse()
                .unwrap()
        };
        let before = version(&c);
        c.bind("default", "p", "node-1");
        assert_eq!(version(&c), before + 1);
        let Some(Object::Pod(p)) = c.store.get(Kind::Pod, "default", "p") else { panic!("no pod") };
        assert_eq!(p.spec.as_ref().and_then(|s| s.node_name.as_deref()), Some("node-1"));
        let conds = p.status.as_ref().and_then(|s| s.conditions.clone()).unwrap_or_default();
        assert!(conds.iter().any(|c| c.type_ == "PodScheduled" && c.status == "True" && c.reason.is_none()));

        let mut p = (**p).clone();
        let at = |p: &Pod| {
            p.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c[0].last_transition_time.clone())
        };
        p.status = None;
        assert!(set_scheduled(&mut p, "False", Some("Unschedulable"), Some("0/1 nodes are available"), SimTime(1_000)));
        let first = at(&p);
        assert!(set_scheduled(&mut p, "False", Some("Unschedulable"), Some("0/2 nodes are available"), SimTime(9_000)));
        assert_eq!(at(&p), first, "the status stayed False");
        assert!(!set_scheduled(
            &mut p,
            "False",
            Some("Unschedulable"),
            Some("0/2 nodes are available"),
            SimTime(12_000)
        ));
        assert!(set_scheduled(&mut p, "True", None, None, SimTime(20_000)));
        assert_ne!(at(&p), first);
    }

    /// A decision says which filter rejected each node it rejected, and nothing of the nodes
    /// that passed: the rejections kept beside the verdicts are found again for their nodes.
    #[test]
    fn a_decision_finds_each_rejection_for_its_node() {
        let mut c = Cluster::new(crate::cluster::ClusterConfig { seed: 3, nodes: 3 });
        let pod =
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx:1.27}]\n";
        let ws = crate::Workspace::default().with_file("p.yaml", pod);
        assert!(c.run("kubectl cordon node-2", &ws)[0].ok);
        assert!(c.run("kubectl apply -f p.yaml", &ws)[0].ok);
        c.advance(5_000);
        let d = c.scheduling_decision("default", "p").expect("a decision");
        let seen: Vec<(&str, Option<&str>)> =
            d.nodes.iter().map(|v| (d.node_name(v), d.rejected(v).map(|r| r.plugin))).collect();
        let mut seen = seen;
        seen.sort();
        assert_eq!(seen, [("node-1", None), ("node-2", Some("NodeUnschedulable")), ("node-3", None)]);
        assert!(d.nodes.iter().filter(|v| d.rejected(v).is_none()).all(|v| v.scores.iter().count() > 0));
        assert!(d.nodes.iter().filter(|v| d.rejected(v).is_some()).all(|v| v.scores.iter().count() == 0));
    }

    /// A decision keeps a verdict for each node it looked at: 500 a pod at 5,000 nodes, made
    /// and forgotten for each of 150,000 pods. They were 88 bytes natively before the scores
    /// became two bytes each and the total a sum worked out when asked, and 32 while each held
    /// its rejection boxed. The total weighs each plugin as the default profile does
    /// (TaintToleration 3, NodeAffinity and PodTopologySpread 2, the others 1); a plugin that
    /// did not score is neither listed nor counted.
    #[test]
    fn a_node_info_is_a_cache_line() {
        // What the filter and score loops read per node (docs/benchmarks.md): 64 bytes.
        assert!(std::mem::size_of::<NodeInfo>() <= 64, "{}", std::mem::size_of::<NodeInfo>());
    }

    #[test]
    fn a_verdict_is_small_and_weighs_its_scores() {
        assert!(std::mem::size_of::<NodeVerdict>() <= 16, "{}", std::mem::size_of::<NodeVerdict>());
        let mut v = NodeVerdict { node: 0, rejection: NodeVerdict::PASSED, scores: Scores::default() };
        for (plugin, score) in [
            (ScorePlugin::NodeResourcesFit, 10),
            (ScorePlugin::NodeResourcesBalancedAllocation, 20),
            (ScorePlugin::TaintToleration, 30),
            (ScorePlugin::NodeAffinity, 40),
            (ScorePlugin::PodTopologySpread, 50),
            (ScorePlugin::ImageLocality, 60),
        ] {
            v.scores.push(PluginScore::new(plugin, score));
        }
        assert_eq!(v.total(), 10 + 20 + 3 * 30 + 2 * 40 + 2 * 50 + 60);
        assert_eq!(v.scores.iter().map(|s| s.plugin).collect::<Vec<_>>(), ScorePlugin::ALL);
        // A best-effort pod without spread constraints: no BalancedAllocation, no
        // PodTopologySpread.
        let mut v = NodeVerdict { node: 7, rejection: NodeVerdict::PASSED, scores: Scores::default() };
        for (plugin, score) in [
            (ScorePlugin::NodeResourcesFit, 90),
            (ScorePlugin::TaintToleration, 100),
            (ScorePlugin::NodeAffinity, 0),
            (ScorePlugin::ImageLocality, 5),
        ] {
            v.scores.push(PluginScore::new(plugin, score));
        }
        let listed: Vec<(ScorePlugin, i64)> = v.scores.iter().map(|s| (s.plugin, s.score())).collect();
        assert_eq!(
            listed,
            [
                (ScorePlugin::NodeResourcesFit, 90),
                (ScorePlugin::TaintToleration, 100),
                (ScorePlugin::NodeAffinity, 0),
                (ScorePlugin::ImageLocality, 5)
            ]
        );
        assert_eq!(v.total(), 90 + 3 * 100 + 5);
    }

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
        // 100Pi of memory: (capacity - requested) * 100 does not fit in 64 bits.
        assert_eq!(least_allocated((0, 0), (4000, 100 << 50)), 100);
        assert_eq!(least_allocated((0, 1 << 50), (4000, 100 << 50)), 99);
        assert_eq!(least_allocated((0, (100 << 50) - 1), (4000, 100 << 50)), 50);
    }

    /// A node with more memory than 64 bits can multiply by 100 takes pods (found by review:
    /// LeastAllocated's product overflowed, a panic in debug builds and a score out of range in
    /// release ones).
    #[test]
    fn a_node_of_100_pebibytes_takes_pods() {
        let mut c = Cluster::new(crate::cluster::ClusterConfig { seed: 1, nodes: 1 });
        let ws = crate::Workspace::default().with_file(
            "big.yaml",
            "apiVersion: v1\nkind: Node\nmetadata: {name: big, labels: {kubernetes.io/hostname: big}}\nstatus:\n  capacity: {cpu: '64', memory: 100Pi, pods: '110'}\n  allocatable: {cpu: '64', memory: 100Pi, pods: '110'}\n",
        );
        let out =
            c.run("kubectl apply -f big.yaml\nkubectl create deployment web --image=nginx:1.27 --replicas=4", &ws);
        assert!(out.iter().all(|r| r.ok), "{out:?}");
        c.advance(10_000);
        let on_big = c
            .store
            .list(Kind::Pod, None)
            .filter(
                |o| matches!(o, Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some("big")),
            )
            .count();
        assert!(on_big > 0, "no pod on the big node");
        let d = c.scheduler.decisions.sorted();
        assert!(d.iter().any(|(_, d)| d.nodes.iter().any(|v| d.node_name(v) == "big" && v.total() > 0)));
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

    /// ImageLocality's thresholds (image_locality.go: minThreshold 23 MiB, maxContainerThreshold
    /// 1000 MiB) *(derived)*.
    #[test]
    fn image_locality_scores() {
        let mb = 1024 * 1024;
        assert_eq!(image_locality(0, 1), 0);
        assert_eq!(image_locality(23 * mb, 1), 0);
        assert_eq!(image_locality(1000 * mb, 1), 100);
        assert_eq!(image_locality(2000 * mb, 1), 100);
        assert_eq!(image_locality(5115 * mb / 10, 1), 50);
        // nginx (72 MB) on 1 of 3 nodes spreads to 24 MB: just above the floor.
        assert_eq!(scaled_image_score(72_404_038, 1, 3), 24_134_679);
        assert_eq!(image_locality(scaled_image_score(72_404_038, 1, 3), 1), 0);
        assert_eq!(image_locality(scaled_image_score(158_034_621, 3, 3), 1), 13);
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
