//! The whole cluster: store, clock, timers, controllers and kubelets, advanced by `step` in a
//! documented fixed order.
//!
//! Order of one step: the clock jumps to the earliest timer; every timer due then fires in
//! (time, sequence) order; each fired controller reconciles the current state and may set new
//! timers (never in the past). Nothing else moves time.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Node, NodeCondition, NodeSpec, NodeStatus};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::{Kind, Object};
use crate::controllers::scheduler::SchedulerState;
use crate::fingerprint::LookupMap;
use crate::kubectl::{CommandResult, Workspace};
use crate::kubelet::KubeletState;
use crate::queue::{Controller, Timer, TimerQueue};
use crate::rng::Rng;
use crate::store::{Store, time};
use crate::time::SimTime;
use crate::view::{ClusterView, EventView, NodeView, PodView};

#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// Seeds every random choice (names, scheduler ties). Default 1.
    pub seed: u64,
    /// Nodes `node-1..node-N` created at start (4 CPU, 8Gi, 110 pods each). Default 3.
    pub nodes: usize,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig { seed: 1, nodes: 3 }
    }
}

/// A Kubernetes Event (core/v1 Event), deduplicated as the event recorder does: the same
/// object, reason and message bump `count` and `last_ms`. Read from the event log
/// ([`Cluster::events`]); the log keeps each as an `EventRecord`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event<'a> {
    pub first_ms: u64,
    pub last_ms: u64,
    pub count: u32,
    /// `Warning`, or else `Normal` (the only two event types): [`Event::event_type`].
    pub warning: bool,
    pub kind: Kind,
    pub reason: &'a str,
    pub message: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    /// The reporting component, e.g. `default-scheduler`, `kubelet`.
    pub source: &'a str,
    pub host: Option<&'a str>,
}

impl From<Event<'_>> for EventView {
    /// An event as the page's events panel and inspector show it.
    fn from(e: Event<'_>) -> Self {
        EventView {
            time_ms: e.last_ms,
            event_type: e.event_type().to_string(),
            reason: e.reason.to_string(),
            object: format!("{}/{}", e.kind.name().to_ascii_lowercase(), e.name),
            message: e.message.to_string(),
        }
    }
}

impl Event<'_> {
    /// `Normal` or `Warning`, as `kubectl get events` prints it.
    pub fn event_type(&self) -> &'static str {
        if self.warning { "Warning" } else { "Normal" }
    }
}

/// One event in the log: its strings by their number in the log's [`EventStrings`], 48 bytes
/// (with the strings shared, 120 bytes each were still a tenth of the envelope's memory:
/// 150,000 pods record about six events each).
#[derive(Clone, Debug)]
pub(crate) struct EventRecord {
    first_ms: u64,
    last_ms: u64,
    count: u32,
    warning: bool,
    kind: Kind,
    reason: u32,
    message: u32,
    namespace: u32,
    name: u32,
    source: u32,
    /// [`NO_STRING`] for none.
    host: u32,
}

/// The event log's strings, numbered. A string events repeat (reason, namespace, object name,
/// source, host) is kept once and shared by every event that has it; a message is shared with
/// the last event of the same reason when it says the same (`Created container: web`, `Started
/// container web` for every pod of a Deployment), and otherwise kept for its event alone.
#[derive(Clone, Debug, Default)]
struct EventStrings {
    /// Inline up to 23 bytes (most names, reasons and sources).
    all: Vec<crate::store::Name>,
    /// The repeated strings' numbers.
    numbers: LookupMap<crate::store::Name, u32>,
    /// The last few asked for, newest first: an object's events come in bursts (a pod's kubelet
    /// records Pulled, Created and Started in one sync), and the namespace, the source and the
    /// node repeat. Finding them here spares a lookup in a table of every pod's name. Each with
    /// its [`recent_key`], compared before the string itself (comparing every string was most of
    /// `intern`'s time, five times an event).
    recent: [(u64, u32); RECENT_STRINGS],
    /// The last message of each reason (both by number).
    last_messages: LookupMap<u32, u32>,
}

impl EventStrings {
    fn get(&self, n: u32) -> &str {
        self.all.get(n as usize).map_or("", |s| s)
    }

    fn push(&mut self, s: &str) -> u32 {
        let n = u32::try_from(self.all.len()).unwrap_or(NO_STRING);
        self.all.push(s.into());
        n
    }

    /// The number of a string events repeat, kept once.
    fn intern(&mut self, s: &str) -> u32 {
        let key = recent_key(s);
        let recent = &mut self.recent;
        if let Some(at) =
            recent.iter().position(|&(k, n)| k == key && self.all.get(n as usize).is_some_and(|r| **r == *s))
        {
            let n = recent[at].1;
            to_front(recent, at, (key, n));
            return n;
        }
        let n = match self.numbers.get(s) {
            Some(&n) => n,
            None => {
                let n = u32::try_from(self.all.len()).unwrap_or(NO_STRING);
                let shared = crate::store::Name::from(s);
                self.all.push(shared.clone());
                self.numbers.insert(shared, n);
                n
            }
        };
        to_front(recent, RECENT_STRINGS - 1, (key, n));
        n
    }

    /// The number of a message: the last one of its reason's if it says the same.
    fn message(&mut self, reason: u32, message: &str) -> u32 {
        match self.last_messages.get(&reason) {
            Some(&n) if self.get(n) == message => n,
            _ => {
                let n = self.push(message);
                self.last_messages.insert(reason, n);
                n
            }
        }
    }
}

/// Moves the first `at` numbers one place back (the one at `at` goes) and puts `n` first: a loop,
/// not `rotate_right`, which is called out of line for a handful of numbers (a seventh of
/// `intern`, called five times an event).
fn to_front(recent: &mut [(u64, u32); RECENT_STRINGS], at: usize, n: (u64, u32)) {
    for j in (1..=at.min(RECENT_STRINGS - 1)).rev() {
        recent[j] = recent[j - 1];
    }
    recent[0] = n;
}

/// What [`EventStrings::intern`] compares first: the length (its low byte) and the first seven
/// bytes. Two strings with different keys differ; with the same key, the strings are compared.
#[inline(always)]
fn recent_key(s: &str) -> u64 {
    let b = s.as_bytes();
    let mut key = (b.len() as u64) << 56;
    for (i, c) in b.iter().take(7).enumerate() {
        key |= u64::from(*c) << (8 * i);
    }
    key
}

/// Named kubeconfig contexts; only the cluster's own context reaches the API server. The
/// default is the course's single-node docker-desktop setup; lessons add contexts that point
/// nowhere.
#[derive(Clone, Debug)]
pub struct Kubeconfig {
    /// (name, cluster, authinfo, namespace)
    pub contexts: Vec<(String, String, String, String)>,
    pub current: String,
    /// The context that points at this cluster.
    pub reachable: String,
}

impl Default for Kubeconfig {
    fn default() -> Self {
        Kubeconfig {
            contexts: vec![("docker-desktop".into(), "docker-desktop".into(), "docker-desktop".into(), String::new())],
            current: "docker-desktop".into(),
            reachable: "docker-desktop".into(),
        }
    }
}

/// What a control loop remembers between its passes, as an informer's cache does. A copy of the
/// cluster starts without it: a pass that knows nothing reads the whole list and writes exactly
/// what a pass from memory would (debug builds check that on every pass), so the copy behaves
/// the same, and the timeline's checkpoints (copies of the cluster) do not hold a second copy
/// of every pod's name.
#[derive(Debug, Default)]
pub(crate) struct Remembered<T>(T);

impl<T: Default> Clone for Remembered<T> {
    fn clone(&self) -> Self {
        Remembered(T::default())
    }
}

impl<T> std::ops::Deref for Remembered<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Remembered<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// How many of the strings events share are kept at hand ([`EventStrings::recent`]).
const RECENT_STRINGS: usize = 8;
/// `event_prev`'s "no earlier event with this hash".
const NO_EVENT: u32 = u32::MAX;
/// An event's host when it has none (and the number past the last string the log can hold).
const NO_STRING: u32 = u32::MAX;

#[derive(Clone)]
pub struct Cluster {
    pub(crate) now: SimTime,
    pub(crate) store: Store,
    pub(crate) queue: TimerQueue,
    /// Earliest queued time per control loop, so a loop is queued once.
    pub(crate) queued: BTreeMap<Controller, SimTime>,
    /// Until when each control loop is still working through its last pass (see
    /// [`pass_ms`]); a change seen meanwhile is handled by one more pass after it.
    busy_until: BTreeMap<Controller, SimTime>,
    events: Vec<EventRecord>,
    /// Each event by a hash of what makes two events one (kind, object, reason, message): the
    /// newest event with that hash, and in `event_prev` the one before it with the same hash,
    /// so a repeat is found among the few with its hash and the index holds no second copy of
    /// every event's strings (150,000 pods record about a million events).
    event_index: LookupMap<u64, u32>,
    /// For each event, the previous event with the same hash (`NO_EVENT` for none).
    event_prev: Vec<u32>,
    event_strings: EventStrings,
    digest: u64,
    pub(crate) rng_names: Rng,
    pub(crate) rng_scheduler: Rng,
    pub(crate) rng_proxy: Rng,
    pub(crate) proxy: crate::controllers::endpoints::ProxyState,
    /// What the endpoints controller knows of each Service from its last sync.
    pub(crate) endpoints_state: Remembered<BTreeMap<(String, String), crate::controllers::endpoints::ServiceEndpoints>>,
    /// What the ReplicaSet controller knows of each ReplicaSet's pods from its last pass.
    pub(crate) rs_pods: Remembered<BTreeMap<(String, String), crate::controllers::replicaset::OwnedPods>>,
    pub(crate) traffic: crate::network::TrafficState,
    /// Each HPA's recent recommendations (time, replicas), for scale-down stabilisation.
    pub(crate) hpa_recommendations: BTreeMap<(String, String), Vec<(u64, i32)>>,
    pub(crate) scheduler: SchedulerState,
    pub(crate) kubelet: KubeletState,
    /// Data on volumes, by volume id (`pv/NAME`, `emptydir/POD-UID/VOLUME`, `container/ID`).
    pub(crate) volume_data: BTreeMap<String, crate::controllers::volumes::VolumeData>,
    pub kubeconfig: Kubeconfig,
    /// Series for the page's charts (not cluster state: the digest ignores it).
    pub(crate) history: crate::history::History,
}

/// How long after a change each control loop reacts. Upstream's informers deliver changes in
/// milliseconds; these small fixed latencies keep each controller's step visible.
pub(crate) fn latency_ms(c: Controller) -> u64 {
    match c {
        Controller::Deployment => 10,
        Controller::ReplicaSet => 10,
        Controller::GarbageCollector => 10,
        Controller::Endpoints => 10,
        Controller::NodeLifecycle => crate::controllers::nodelifecycle::NODE_MONITOR_PERIOD_MS,
        Controller::Traffic => crate::network::TICK_MS,
        Controller::Hpa => crate::controllers::hpa::SYNC_PERIOD_MS,
        // Provisioning a volume takes the provisioner about a second.
        Controller::Volumes => 1000,
        Controller::Scheduler => 20,
    }
}

/// Pods a controller pass reads per virtual millisecond.
pub(crate) const PODS_PER_PASS_MS: usize = 1_000;

/// How long one pass of a pod-watching control loop takes, in virtual milliseconds, when the
/// store holds `pods` pods: a pass lists them from its informer cache, at
/// [`PODS_PER_PASS_MS`] (kubeplay's estimate, 1 µs a pod; upstream publishes no figure). Below
/// 1,000 pods this is 0, so a course-sized cluster's controllers react exactly after
/// [`latency_ms`]. What it models is client-go's workqueue (util/workqueue/doc.go, "Stingy"): a key is
/// never processed twice at once, and a key added while it is being processed is processed
/// once more after `Done`, however many times it was added. At 150,000 pods a ReplicaSet pass
/// takes 150 ms, and the pod changes in that time coalesce into the next pass instead of one
/// pass every 10 ms.
pub(crate) fn pass_ms(c: Controller, pods: usize) -> u64 {
    match c {
        Controller::Deployment | Controller::ReplicaSet | Controller::GarbageCollector | Controller::Endpoints => {
            (pods / PODS_PER_PASS_MS) as u64
        }
        _ => 0,
    }
}

impl Cluster {
    pub fn new(cfg: ClusterConfig) -> Cluster {
        let mut root = Rng::new(cfg.seed, 0);
        let rng_names = root.fork("names");
        let rng_scheduler = root.fork("scheduler");
        let rng_proxy = root.fork("kube-proxy");
        let mut c = Cluster {
            now: SimTime::ZERO,
            store: Store::new(cfg.seed),
            queue: TimerQueue::default(),
            queued: BTreeMap::new(),
            busy_until: BTreeMap::new(),
            events: Vec::new(),
            event_index: LookupMap::default(),
            event_prev: Vec::new(),
            event_strings: EventStrings::default(),
            digest: 0xcbf2_9ce4_8422_2325,
            rng_names,
            rng_scheduler,
            rng_proxy,
            proxy: Default::default(),
            endpoints_state: Remembered::default(),
            rs_pods: Remembered::default(),
            traffic: Default::default(),
            hpa_recommendations: BTreeMap::new(),
            scheduler: SchedulerState::default(),
            kubelet: KubeletState::default(),
            volume_data: BTreeMap::new(),
            kubeconfig: Kubeconfig::default(),
            history: Default::default(),
        };
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let obj = Object::Namespace(Box::new(k8s_openapi::api::core::v1::Namespace {
                metadata: ObjectMeta {
                    name: Some(ns.into()),
                    labels: Some([("kubernetes.io/metadata.name".to_string(), ns.to_string())].into()),
                    ..Default::default()
                },
                spec: Some(k8s_openapi::api::core::v1::NamespaceSpec { finalizers: Some(vec!["kubernetes".into()]) }),
                status: Some(k8s_openapi::api::core::v1::NamespaceStatus {
                    phase: Some("Active".into()),
                    ..Default::default()
                }),
            }));
            c.store.create(obj, SimTime::ZERO);
        }
        // Every cluster has the API server's own Service in the default namespace.
        let kubernetes = serde_json::json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "sessionAffinity": "None",
                     "internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}
        });
        if let Ok(svc) = Object::from_json(Kind::Service, &kubernetes) {
            c.store.create(svc, SimTime::ZERO);
        }
        // docker-desktop's default StorageClass: dynamic hostPath volumes, bound at once.
        let sc = serde_json::json!({
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": "hostpath", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "docker.io/hostpath", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"
        });
        if let Ok(sc) = Object::from_json(Kind::StorageClass, &sc) {
            c.store.create(sc, SimTime::ZERO);
        }
        for i in 1..=cfg.nodes {
            let node = default_node(&format!("node-{i}"));
            c.add_node(node);
        }
        c
    }

    /// Registers a node as the kubelet does on start-up: Ready, with its capacity.
    pub(crate) fn add_node(&mut self, mut node: Node) {
        let name = node.metadata.name.clone().unwrap_or_default();
        let labels = node.metadata.labels.get_or_insert_with(BTreeMap::new);
        labels.entry("kubernetes.io/hostname".into()).or_insert(name.clone());
        labels.entry("kubernetes.io/os".into()).or_insert("linux".into());
        labels.entry("kubernetes.io/arch".into()).or_insert("amd64".into());
        let status = node.status.get_or_insert_with(NodeStatus::default);
        let cap = status.capacity.get_or_insert_with(default_capacity);
        for (k, v) in default_capacity() {
            cap.entry(k).or_insert(v);
        }
        if status.allocatable.is_none() {
            status.allocatable = status.capacity.clone();
        }
        let t = time(self.now);
        status.conditions = Some(
            [
                ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ]
            .into_iter()
            .map(|(ty, st, reason, msg)| NodeCondition {
                type_: ty.into(),
                status: st.into(),
                reason: Some(reason.into()),
                message: Some(msg.into()),
                last_heartbeat_time: Some(t.clone()),
                last_transition_time: Some(t.clone()),
            })
            .collect(),
        );
        let info = status.node_info.get_or_insert_with(Default::default);
        info.kubelet_version = "v1.34.0".into();
        info.kube_proxy_version = "v1.34.0".into();
        info.container_runtime_version = "containerd://2.1.0".into();
        info.os_image = "kubeplay simulated node".into();
        info.operating_system = "linux".into();
        info.architecture = "amd64".into();
        node.spec.get_or_insert_with(NodeSpec::default);
        self.kubelet.register_node(&name);
        self.store.create(Object::Node(Box::new(node)), self.now);
        self.record_event(Kind::Node, "", &name, "Normal", "Starting", "Starting kubelet.", "kubelet", Some(&name));
        self.record_event(
            Kind::Node,
            "",
            &name,
            "Normal",
            "NodeReady",
            &format!("Node {name} status is now: NodeReady"),
            "kubelet",
            Some(&name),
        );
        self.wake(Controller::Scheduler);
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// When the next timer is due (virtual ms), if any: what `step` would run to.
    pub fn next_event_ms(&self) -> Option<u64> {
        self.queue.next_time().map(SimTime::ms)
    }

    /// Queues a control loop to run after its reaction latency (once, however often woken).
    pub(crate) fn wake(&mut self, c: Controller) {
        self.wake_at(c, self.now.plus_ms(latency_ms(c)));
    }

    pub(crate) fn wake_at(&mut self, c: Controller, at: SimTime) {
        // A loop still in its last pass takes the change in its next one.
        let at = self.busy_until.get(&c).map_or(at, |b| at.max(*b));
        if let Some(t) = self.queued.get(&c)
            && *t <= at
        {
            return;
        }
        self.queued.insert(c, at);
        self.queue.push(at, Timer::Controller(c));
    }

    /// What changed wakes the loops that watch it (as informers would).
    pub(crate) fn changed(&mut self, kind: Kind) {
        match kind {
            Kind::Deployment => self.wake(Controller::Deployment),
            Kind::ReplicaSet => {
                self.wake(Controller::ReplicaSet);
                self.wake(Controller::Deployment);
            }
            // Slices or Endpoints changed by anyone else: the controller puts its own back (its
            // own writes do not come through here, as its tracker skips them upstream).
            Kind::Service | Kind::EndpointSlice | Kind::Endpoints => self.wake(Controller::Endpoints),
            Kind::HorizontalPodAutoscaler => self.wake(Controller::Hpa),
            Kind::Pod => {
                self.wake(Controller::Endpoints);
                self.wake(Controller::ReplicaSet);
                self.wake(Controller::Scheduler);
                // The Deployment controller watches pods too: Recreate waits for old pods to go.
                self.wake(Controller::Deployment);
            }
            Kind::Node => self.wake(Controller::Scheduler),
            Kind::PersistentVolumeClaim | Kind::PersistentVolume => self.wake(Controller::Volumes),
            _ => {}
        }
    }

    /// Runs to the next scheduled thing; false when nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let Some(t) = self.queue.next_time() else {
            return false;
        };
        self.now = self.now.max(t);
        self.fire_due();
        true
    }

    /// Runs everything due up to `now + ms`, then sets the clock there.
    pub fn advance(&mut self, ms: u64) {
        self.advance_while(ms, || true);
    }

    /// [`Cluster::advance`] that may stop early, for a caller with a time budget (the page, which
    /// must not block its input): after each instant's work it asks `more()`, and when the answer
    /// is no it stops at that instant and says how far it got (virtual ms). It stops only between
    /// instants, so a run that returned `e` leaves the cluster exactly as `advance(e)` would: the
    /// page logs `advance(e)`, and a replay of the log reproduces it.
    pub fn advance_while(&mut self, ms: u64, mut more: impl FnMut() -> bool) -> u64 {
        let start = self.now;
        let until = start.plus_ms(ms);
        while let Some(t) = self.queue.next_time() {
            if t > until {
                break;
            }
            self.now = self.now.max(t);
            self.fire_due();
            if !more() {
                return self.now.ms() - start.ms();
            }
        }
        self.now = until;
        ms
    }

    fn fire_due(&mut self) {
        while let Some((_, timer)) = self.queue.pop_due(self.now) {
            match timer {
                Timer::Controller(c) => {
                    if self.queued.get(&c).is_some_and(|t| *t <= self.now) {
                        self.queued.remove(&c);
                    } else {
                        continue; // superseded by an earlier wake that already ran
                    }
                    // The pass is busy from now on; what it (or anything else) changes meanwhile
                    // wakes it after the pass.
                    let busy = pass_ms(c, self.store.count(Kind::Pod));
                    if busy > 0 {
                        self.busy_until.insert(c, self.now.plus_ms(busy));
                    } else {
                        self.busy_until.remove(&c);
                    }
                    match c {
                        Controller::Deployment => {
                            self.sync_deployments();
                            self.sample_history();
                        }
                        Controller::ReplicaSet => {
                            self.sync_replica_sets();
                            self.sample_history();
                        }
                        Controller::GarbageCollector => self.collect_garbage(),
                        Controller::Endpoints => self.sync_endpoints(),
                        Controller::NodeLifecycle => self.sync_node_lifecycle(),
                        Controller::Traffic => self.run_traffic(),
                        Controller::Hpa => {
                            self.sync_hpas();
                            self.sample_history();
                        }
                        Controller::Volumes => self.sync_volumes(),
                        Controller::Scheduler => self.schedule_pending(),
                    }
                }
                Timer::Kubelet { namespace, name } => self.kubelet_sync_pod(&namespace, &name),
            }
        }
    }

    #[allow(clippy::too_many_arguments)] // one argument per Event field
    pub(crate) fn record_event(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        event_type: &'static str,
        reason: &str,
        message: &str,
        source: &str,
        host: Option<&str>,
    ) {
        debug_assert!(matches!(event_type, "Normal" | "Warning"), "event type {event_type}");
        let now = self.now.ms();
        // The digest reads the event's line as it is written, `{now}|{type}|{reason}|{kind}/
        // {namespace}/{name}|{message}` and a newline, without building it (piece by piece: the
        // formatting machinery cost more than the hash).
        let mut fnv = crate::fingerprint::Fnv(self.digest);
        fnv.decimal(now);
        for piece in ["|", event_type, "|", reason, "|", kind.name(), "/", namespace, "/", name, "|", message, "\n"] {
            fnv.bytes(piece.bytes());
        }
        self.digest = fnv.0;
        let key = crate::fingerprint::Fingerprint::of(&(kind.name(), namespace, name, reason, message));
        let newest = self.event_index.get(&key).copied();
        let mut at = newest.unwrap_or(NO_EVENT);
        let strings = &self.event_strings;
        while let Some(e) = self.events.get_mut(at as usize) {
            if e.kind == kind
                && strings.get(e.namespace) == namespace
                && strings.get(e.name) == name
                && strings.get(e.reason) == reason
                && strings.get(e.message) == message
            {
                e.count += 1;
                e.last_ms = now;
                return;
            }
            at = self.event_prev.get(at as usize).copied().unwrap_or(NO_EVENT);
        }
        // A full log keeps no more (four billion events, or strings: an event adds at most six;
        // natively a few hundred GiB, never on wasm32), so no number reaches NO_EVENT or
        // NO_STRING.
        let full = |len: usize, limit: u32| len >= limit as usize;
        if full(self.events.len(), NO_EVENT) || full(self.event_strings.all.len(), NO_STRING - 8) {
            return;
        }
        let number = self.events.len() as u32;
        self.event_index.insert(key, number);
        self.event_prev.push(newest.unwrap_or(NO_EVENT));
        let strings = &mut self.event_strings;
        let reason = strings.intern(reason);
        let record = EventRecord {
            first_ms: now,
            last_ms: now,
            count: 1,
            warning: event_type == "Warning",
            message: strings.message(reason, message),
            reason,
            kind,
            namespace: strings.intern(namespace),
            name: strings.intern(name),
            source: strings.intern(source),
            host: host.map_or(NO_STRING, |h| strings.intern(h)),
        };
        self.events.push(record);
    }

    /// FNV-1a digest of the event log: same script and seed, same digest, on every platform.
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// The event log, oldest first.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = Event<'_>> + ExactSizeIterator + Clone + '_ {
        let strings = &self.event_strings;
        self.events.iter().map(move |e| Event {
            first_ms: e.first_ms,
            last_ms: e.last_ms,
            count: e.count,
            warning: e.warning,
            kind: e.kind,
            reason: strings.get(e.reason),
            message: strings.get(e.message),
            namespace: strings.get(e.namespace),
            name: strings.get(e.name),
            source: strings.get(e.source),
            host: (e.host != NO_STRING).then(|| strings.get(e.host)),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Runs a script in the command language; one result per command.
    pub fn run(&mut self, script: &str, ws: &Workspace) -> Vec<CommandResult> {
        crate::kubectl::run_script(self, script, ws)
    }

    /// `kubectl apply -f PATH` for one workspace file.
    pub fn apply_file(&mut self, path: &str, ws: &Workspace) -> CommandResult {
        let mut r = crate::kubectl::run_script(self, &format!("kubectl apply -f {path}"), ws);
        r.pop().unwrap_or_else(|| CommandResult {
            command: format!("kubectl apply -f {path}"),
            output: String::new(),
            ok: false,
            diagnostics: vec![],
        })
    }

    /// One pod as the map draws it.
    pub(crate) fn pod_view(&self, p: &crate::api::Pod) -> PodView {
        let row = crate::kubectl::printers::pod_row(p, self.now);
        let owner = p
            .metadata
            .owner_references
            .as_ref()
            .and_then(|refs| refs.iter().find(|r| r.controller == Some(true)))
            .map(|r| format!("{}/{}", r.kind, r.name));
        PodView {
            namespace: p.metadata.namespace.clone().unwrap_or_default(),
            name: p.metadata.name.clone().unwrap_or_default(),
            phase: p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into()),
            status: row.status,
            ready: row.ready,
            is_ready: crate::controllers::pod_is_ready(p),
            restarts: row.restart_count,
            node: p.spec.as_ref().and_then(|s| s.node_name.clone()),
            owner,
            cpu_request_milli: crate::controllers::scheduler::pod_requests(p).cpu_milli,
        }
    }

    pub fn view(&self) -> ClusterView {
        let mut nodes = Vec::new();
        let mut by_node: BTreeMap<String, Vec<PodView>> = BTreeMap::new();
        let mut pending = Vec::new();
        let mut pending_total = 0;
        for o in self.store.list(Kind::Pod, None) {
            let Object::Pod(p) = o else { continue };
            if p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_none() {
                pending_total += 1;
                if pending.len() >= crate::view::PENDING_SHOWN {
                    continue;
                }
            }
            let view = self.pod_view(p);
            match &view.node {
                Some(n) => by_node.entry(n.clone()).or_default().push(view),
                None => pending.push(view),
            }
        }
        for o in self.store.list(Kind::Node, None) {
            let Object::Node(n) = o else { continue };
            let name = o.name().to_string();
            let alloc = crate::controllers::scheduler::node_allocatable(n);
            let used = self.node_requested(&name);
            nodes.push(NodeView {
                status: crate::kubectl::printers::node_status(n),
                ready: crate::controllers::node_ready(n),
                unschedulable: n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false),
                cpu_allocatable_milli: alloc.cpu_milli,
                cpu_requested_milli: used.cpu_milli,
                memory_allocatable_bytes: alloc.memory,
                memory_requested_bytes: used.memory,
                pods_allocatable: alloc.pods,
                taints: n
                    .spec
                    .as_ref()
                    .and_then(|s| s.taints.as_ref())
                    .into_iter()
                    .flatten()
                    .map(|t| match t.value.as_deref().filter(|v| !v.is_empty()) {
                        Some(v) => format!("{}={v}:{}", t.key, t.effect),
                        None => format!("{}:{}", t.key, t.effect),
                    })
                    .collect(),
                pods: by_node.remove(&name).unwrap_or_default(),
                name,
            });
        }
        let skip = self.events.len().saturating_sub(200);
        let mut events: Vec<EventView> = self.events().skip(skip).map(EventView::from).collect();
        events.sort_by_key(|e| e.time_ms);
        let services = self.service_views();
        let pod_service: BTreeMap<&str, &str> =
            services.iter().flat_map(|s| s.endpoints.iter().map(move |e| (e.pod.as_str(), s.name.as_str()))).collect();
        let since = self.now.ms().saturating_sub(1000);
        let mut requests: Vec<crate::view::RequestView> = self
            .recent_requests()
            .rev()
            .take_while(|r| r.time_ms > since)
            .take(40)
            .map(|r| crate::view::RequestView {
                time_ms: r.time_ms,
                service: r
                    .pod
                    .as_deref()
                    .and_then(|p| pod_service.get(p).map(|s| s.to_string()))
                    .or_else(|| services.iter().find(|s| s.name == r.target).map(|s| s.name.clone())),
                pod: r.pod.as_deref().map(str::to_string),
                outcome: r.outcome.label().to_string(),
            })
            .collect();
        requests.reverse();
        ClusterView {
            now_ms: self.now.ms(),
            clock: self.now.clock(),
            next_event_ms: self.queue.next_time().map(SimTime::ms),
            nodes,
            pending,
            pending_total,
            events,
            services,
            requests,
        }
    }

    /// Each Service with its endpoints (from its EndpointSlices) and the Ingress rules to it.
    pub(crate) fn service_views(&self) -> Vec<crate::view::ServiceView> {
        let mut out = Vec::new();
        for o in self.store.list(Kind::Service, None) {
            let Object::Service(svc) = o else { continue };
            let (ns, name) = (o.namespace(), o.name());
            if ns == "default" && name == "kubernetes" {
                continue;
            }
            let cells = crate::kubectl::printers::service_cells(svc, self.now, false);
            let mut endpoints: Vec<crate::view::EndpointView> = Vec::new();
            for (_, slice) in self.labelled_slices(ns, name) {
                for ep in &slice.endpoints {
                    let c = ep.conditions.clone().unwrap_or_default();
                    let pod = ep.target_ref.as_ref().and_then(|r| r.name.clone()).unwrap_or_default();
                    if endpoints.iter().any(|e| e.pod == pod) {
                        continue;
                    }
                    endpoints.push(crate::view::EndpointView {
                        pod,
                        address: ep.addresses.first().cloned().unwrap_or_default(),
                        ready: c.ready == Some(true),
                        serving: c.serving == Some(true),
                        terminating: c.terminating == Some(true),
                    });
                }
            }
            endpoints.sort_by(|a, b| a.pod.cmp(&b.pod));
            let mut routes = Vec::new();
            for io in self.store.list(Kind::Ingress, Some(ns)) {
                let Object::Ingress(ing) = io else { continue };
                for rule in ing.spec.iter().flat_map(|s| s.rules.iter().flatten()) {
                    for path in rule.http.iter().flat_map(|h| h.paths.iter()) {
                        if path.backend.service.as_ref().map(|s| s.name.as_str()) == Some(name) {
                            routes.push(format!(
                                "ingress/{} {}{}",
                                io.name(),
                                rule.host.as_deref().unwrap_or("*"),
                                path.path.as_deref().unwrap_or("/")
                            ));
                        }
                    }
                }
            }
            out.push(crate::view::ServiceView {
                namespace: ns.to_string(),
                name: name.to_string(),
                // service_cells: TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE.
                service_type: cells.first().cloned().unwrap_or_default(),
                cluster_ip: cells.get(1).cloned().unwrap_or_default(),
                ports: cells.get(3).cloned().unwrap_or_default(),
                endpoints,
                routes,
            });
        }
        out
    }

    /// Whether a control loop has a run queued (its view may be behind the store until then).
    pub fn controller_pending(&self, c: Controller) -> bool {
        self.queued.contains_key(&c)
    }

    /// Pods not yet bound to a node.
    pub fn pending_pod_count(&self) -> usize {
        self.store
            .unbound_pods()
            .filter(|o| matches!(o, Object::Pod(p) if p.spec.as_ref().is_some_and(|s| s.node_name.is_none())))
            .count()
    }

    /// Runs one scheduling pass now (what the scheduler's timer does), for benchmarks.
    pub fn run_scheduler(&mut self) {
        self.schedule_pending();
    }

    /// Names of all objects of a kind, for completion and checks.
    pub fn names(&self, kind: Kind) -> BTreeSet<String> {
        self.store.list(kind, None).map(|o| o.name().to_string()).collect()
    }
}

fn default_capacity() -> BTreeMap<String, Quantity> {
    [("cpu", "4"), ("memory", "8Gi"), ("pods", "110"), ("ephemeral-storage", "100Gi")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Quantity(v.to_string())))
        .collect()
}

/// A node as the default cluster has it: 4 CPU, 8Gi memory, 110 pods.
pub fn default_node(name: &str) -> Node {
    Node {
        metadata: ObjectMeta { name: Some(name.into()), ..Default::default() },
        spec: Some(NodeSpec::default()),
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log keeps an event in 48 bytes and gives back what was recorded: repeats counted
    /// once, shared strings and messages, a message of its own, the host or none.
    #[test]
    fn the_event_log_is_small_and_gives_back_what_was_recorded() {
        assert!(std::mem::size_of::<EventRecord>() <= 48, "{}", std::mem::size_of::<EventRecord>());
        let mut c = Cluster::new(ClusterConfig { seed: 1, nodes: 0 });
        c.now = SimTime(1_000);
        let started = |c: &mut Cluster, pod: &str| {
            c.record_event(
                Kind::Pod,
                "default",
                pod,
                "Normal",
                "Started",
                "Started container web",
                "kubelet",
                Some("node-1"),
            );
        };
        started(&mut c, "web-a");
        started(&mut c, "web-b");
        c.now = SimTime(2_000);
        started(&mut c, "web-a");
        for message in ["0/1 nodes are available", "0/2 nodes are available"] {
            c.record_event(
                Kind::Pod,
                "team",
                "web-a",
                "Warning",
                "FailedScheduling",
                message,
                "default-scheduler",
                None,
            );
        }
        let seen: Vec<String> = c
            .events()
            .map(|e| {
                format!(
                    "{}-{} x{} {} {} {}/{} {:?} {} {:?}",
                    e.first_ms,
                    e.last_ms,
                    e.count,
                    e.event_type(),
                    e.reason,
                    e.namespace,
                    e.name,
                    e.message,
                    e.source,
                    e.host
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                r#"1000-2000 x2 Normal Started default/web-a "Started container web" kubelet Some("node-1")"#,
                r#"1000-1000 x1 Normal Started default/web-b "Started container web" kubelet Some("node-1")"#,
                r#"2000-2000 x1 Warning FailedScheduling team/web-a "0/1 nodes are available" default-scheduler None"#,
                r#"2000-2000 x1 Warning FailedScheduling team/web-a "0/2 nodes are available" default-scheduler None"#,
            ]
        );
        // Each string once: "Started container web" and "web-a" shared by the events that have
        // them, each FailedScheduling message its own.
        let kept: Vec<&str> = c.event_strings.all.iter().map(|s| &**s).collect();
        assert_eq!(
            kept,
            [
                "Started",
                "Started container web",
                "default",
                "web-a",
                "kubelet",
                "node-1",
                "web-b",
                "FailedScheduling",
                "0/1 nodes are available",
                "team",
                "default-scheduler",
                "0/2 nodes are available"
            ]
        );
    }

    /// Strings of the same length and first seven bytes share a key and are still told apart;
    /// a string of another length or start never matches a kept one.
    #[test]
    fn interned_strings_are_told_apart_beyond_their_key() {
        assert_eq!(recent_key("web-abc1"), recent_key("web-abc2"));
        assert_ne!(recent_key("web-abc"), recent_key("web-abc "));
        assert_ne!(recent_key(""), recent_key("\0"));
        assert_ne!(recent_key("a"), recent_key("b"));
        let mut strings = EventStrings::default();
        let names = ["", "web-abc1", "web-abc2", "web-abc1", "web-abc", "web-abc2", "", "web-abc1-and-more"];
        let numbers: Vec<u32> = names.iter().map(|s| strings.intern(s)).collect();
        assert_eq!(numbers, [0, 1, 2, 1, 3, 2, 0, 4]);
        for (s, n) in names.iter().zip(&numbers) {
            assert_eq!(strings.get(*n), *s);
        }
        // Past the recent ones, from the table.
        for i in 0..2 * RECENT_STRINGS {
            strings.intern(&format!("other-{i}"));
        }
        assert_eq!(strings.intern("web-abc2"), 2);
    }

    /// A course-sized cluster's controllers are never busy: they react after `latency_ms`.
    /// From 1,000 pods a pass takes a millisecond per 1,000 pods; the scheduler is paced by its
    /// own queue, not by this.
    #[test]
    fn passes_take_time_only_at_scale() {
        assert_eq!(pass_ms(Controller::ReplicaSet, 999), 0);
        assert_eq!(pass_ms(Controller::ReplicaSet, 150_000), 150);
        assert_eq!(pass_ms(Controller::Endpoints, 15_000), 15);
        assert_eq!(pass_ms(Controller::Scheduler, 150_000), 0);
    }

    /// Stopping `advance_while` between instants and replaying what it reported with `advance`
    /// gives the same cluster: the page relies on it (it logs what a budgeted play tick reached).
    #[test]
    fn an_advance_stopped_between_instants_replays_exactly() {
        let setup = || {
            let mut c = Cluster::new(ClusterConfig { seed: 7, nodes: 2 });
            let ws = crate::kubectl::Workspace::default();
            let script = "kubectl create deployment web --image=nginx:1.27 --replicas=4\n\
                          kubectl expose deployment web --port=80\n\
                          traffic start web --rps 20";
            for r in c.run(script, &ws) {
                assert!(r.ok, "{r:?}");
            }
            c
        };
        let ws = crate::kubectl::Workspace::default();
        let (mut live, mut replay) = (setup(), setup());
        let mut instants = 0u64;
        let mut reported = Vec::new();
        for tick in 0..240 {
            if tick == 60 {
                for c in [&mut live, &mut replay] {
                    c.run("kubectl set image deployment/web nginx=nginx:1.28", &ws);
                }
            }
            // Stop after every third instant, as a page out of budget would.
            let e = live.advance_while(1_000, || {
                instants += 1;
                !instants.is_multiple_of(3)
            });
            reported.push(e);
            replay.advance(e);
            assert_eq!((live.now(), live.digest()), (replay.now(), replay.digest()), "tick {tick}");
        }
        assert!(reported.iter().any(|&e| e < 1_000), "some ticks stopped early: {reported:?}");
        let get = |c: &mut Cluster| c.run("kubectl get pods,rs -o wide", &ws).remove(0).output;
        assert_eq!(get(&mut live), get(&mut replay));
    }

    /// client-go's workqueue: a key added while it is processed runs once more after `Done`,
    /// not concurrently and not once per add.
    #[test]
    fn a_change_during_a_pass_is_handled_after_it() {
        let mut c = Cluster::new(ClusterConfig::default());
        c.advance(1000);
        c.busy_until.insert(Controller::ReplicaSet, c.now.plus_ms(150));
        c.wake(Controller::ReplicaSet);
        c.wake(Controller::ReplicaSet);
        assert_eq!(c.queued.get(&Controller::ReplicaSet), Some(&c.now.plus_ms(150)));
        // Other loops are not held up.
        c.wake(Controller::Endpoints);
        assert_eq!(c.queued.get(&Controller::Endpoints), Some(&c.now.plus_ms(latency_ms(Controller::Endpoints))));
        // After the pass, a change waits only for the loop's latency again.
        c.advance(200);
        c.wake(Controller::ReplicaSet);
        assert_eq!(c.queued.get(&Controller::ReplicaSet), Some(&c.now.plus_ms(latency_ms(Controller::ReplicaSet))));
    }
}
