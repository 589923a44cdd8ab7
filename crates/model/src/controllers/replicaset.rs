//! The ReplicaSet controller (`pkg/controller/replicaset`): keep `spec.replicas` active pods,
//! naming new ones `<rs>-<5 chars>` and deleting surplus ones in upstream's ranking (§2).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::api::Pod;
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::{PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{is_controlled_by, owner_ref, pod_is_active, pod_is_ready};
use crate::api::{Kind, Object, defaults};
use crate::cluster::Cluster;
use crate::fingerprint::LookupMap;
use crate::store::{PodReader, sim_time};
use crate::time::SimTime;

/// Most pods one sync of one ReplicaSet creates or deletes (replica_set.go `BurstReplicas`,
/// 500); the pods it creates wake it again, so a big scale-up proceeds 500 at a time.
pub const BURST_REPLICAS: usize = 500;

/// Most pods the simulated cluster holds: upstream's tested scalability envelope (150,000
/// pods; kubernetes/community sig-scalability thresholds). Not an upstream limit: past it the
/// ReplicaSet controller's creates fail with a `FailedCreate` event, as they would against a
/// ResourceQuota, so `replicas: 2147483647` is bounded in time and memory.
pub const MAX_PODS: usize = 150_000;

/// The apiserver's generateName alphabet (`utilrand.String`).
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// What the deletion ranking looks at, per pod.
#[derive(Clone, Debug, Default)]
pub struct RankInfo {
    pub assigned: bool,
    /// Pending 0, Unknown 1, Running 2.
    pub phase_ordinal: u8,
    pub ready: bool,
    pub deletion_cost: i32,
    /// Active pods of the same controller on the same node.
    pub rank: usize,
    /// When the pod became ready (None: unknown, counts as most recent).
    pub ready_since_ms: Option<u64>,
    pub max_restarts: i32,
    pub created_ms: Option<u64>,
    pub uid: String,
}

fn log2_bucket(now: u64, t: Option<u64>) -> Option<u32> {
    // floor(log2(now - t in ns)); a missing time sorts as the most recent.
    let t = t?;
    let ns = u128::from(now.saturating_sub(t)) * 1_000_000;
    Some(if ns == 0 { 0 } else { 127 - ns.leading_zeros() })
}

/// `ActivePodsWithRanks.Less` with LogarithmicScaleDown: `Less` means delete first.
pub fn delete_first(a: &RankInfo, b: &RankInfo, now_ms: u64) -> Ordering {
    // 1. unassigned first
    if a.assigned != b.assigned {
        return if !a.assigned { Ordering::Less } else { Ordering::Greater };
    }
    // 2. phase Pending < Unknown < Running
    if a.phase_ordinal != b.phase_ordinal {
        return a.phase_ordinal.cmp(&b.phase_ordinal);
    }
    // 3. not ready first
    if a.ready != b.ready {
        return if !a.ready { Ordering::Less } else { Ordering::Greater };
    }
    // 4. lower deletion cost first
    if a.deletion_cost != b.deletion_cost {
        return a.deletion_cost.cmp(&b.deletion_cost);
    }
    // 5. doubled-up (higher rank) first
    if a.rank != b.rank {
        return b.rank.cmp(&a.rank);
    }
    // 6. both ready: ready for less time first (log2 buckets, then uid)
    if a.ready && b.ready {
        let (ba, bb) = (log2_bucket(now_ms, a.ready_since_ms), log2_bucket(now_ms, b.ready_since_ms));
        if ba != bb {
            return match (ba, bb) {
                (None, _) => Ordering::Less,
                (_, None) => Ordering::Greater,
                (Some(x), Some(y)) => x.cmp(&y),
            };
        }
        if a.ready_since_ms.is_some() && a.uid != b.uid && a.ready_since_ms != b.ready_since_ms {
            return a.uid.cmp(&b.uid);
        }
    }
    // 7. more restarts first
    if a.max_restarts != b.max_restarts {
        return b.max_restarts.cmp(&a.max_restarts);
    }
    // 8. newer first
    let (ca, cb) = (log2_bucket(now_ms, a.created_ms), log2_bucket(now_ms, b.created_ms));
    if ca != cb {
        return match (ca, cb) {
            (None, _) => Ordering::Less,
            (_, None) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(&y),
        };
    }
    Ordering::Equal
}

fn rank_info(p: &Pod, rank: usize) -> RankInfo {
    let st = p.status.clone().unwrap_or_default();
    let ready_cond = st.conditions.iter().flatten().find(|c| c.type_ == "Ready");
    RankInfo {
        assigned: p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some(),
        phase_ordinal: match st.phase.as_deref() {
            Some("Running") => 2,
            Some("Unknown") => 1,
            _ => 0,
        },
        ready: pod_is_ready(p),
        deletion_cost: p
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("controller.kubernetes.io/pod-deletion-cost"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        rank,
        ready_since_ms: ready_cond.and_then(|c| c.last_transition_time.as_ref()).map(|t| sim_time(t).ms()),
        max_restarts: st.container_statuses.iter().flatten().map(|c| c.restart_count).max().unwrap_or(0),
        created_ms: p.metadata.creation_timestamp.as_ref().map(|t| sim_time(t).ms()),
        uid: p.metadata.uid.clone().unwrap_or_default(),
    }
}

/// `IsPodAvailable`: ready for at least minReadySeconds.
pub fn pod_available(p: &Pod, min_ready_seconds: i32, now: SimTime) -> bool {
    if !pod_is_ready(p) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    let since = p
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .and_then(|c| c.last_transition_time.as_ref())
        .map(sim_time);
    since.is_some_and(|t| t.plus_ms(min_ready_seconds as u64 * 1000) <= now)
}

/// What the ReplicaSet controller knows of a ReplicaSet's pods between passes, as upstream's
/// reads them from its pod informer's cache: each active pod it controls, with its part in the
/// status, and the totals. A pass then reads only the pods written since the last one; at
/// 150,000 pods, reading them all each pass was most of the controller's cost.
#[derive(Clone, Debug, Default)]
pub(crate) struct OwnedPods {
    /// The ReplicaSet's UID and template labels when counted.
    uid: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    /// Each active pod it controls: (labelled as the template, ready). Looked up by name for
    /// each pod written, never listed: a hash table (a B-tree compared the pods' long shared
    /// name prefixes at every level).
    pods: LookupMap<crate::store::Name, (bool, bool)>,
    /// Active pods; those labelled as the template; ready ones.
    counts: [usize; 3],
}

impl OwnedPods {
    /// A pod's part in `rs`'s status: None unless `rs` controls it and it is active.
    fn part(rs: &ReplicaSet, pod: Option<&Pod>) -> Option<(bool, bool)> {
        pod.filter(|p| is_controlled_by(&p.metadata, &rs.metadata) && pod_is_active(p))
            .map(|p| (fully_labeled(rs, p), pod_is_ready(p)))
    }

    /// Records a pod's part as it is now.
    fn set(&mut self, name: &str, part: Option<(bool, bool)>) {
        let old = match (self.pods.get_mut(name), part) {
            (Some(slot), Some(part)) => Some(std::mem::replace(slot, part)),
            (Some(_), None) => self.pods.remove(name),
            (None, Some(part)) => {
                self.pods.insert(name.into(), part);
                None
            }
            (None, None) => None,
        };
        if let Some((labeled, ready)) = old {
            self.counts[0] -= 1;
            self.counts[1] -= usize::from(labeled);
            self.counts[2] -= usize::from(ready);
        }
        if let Some((labeled, ready)) = part {
            self.counts[0] += 1;
            self.counts[1] += usize::from(labeled);
            self.counts[2] += usize::from(ready);
        }
    }
}

/// Whether a pod carries all of `rs`'s template labels (`fullyLabeledReplicas`).
fn fully_labeled(rs: &ReplicaSet, p: &Pod) -> bool {
    template_labels(rs).into_iter().flatten().all(|(k, v)| p.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v))
}

fn template_labels(rs: &ReplicaSet) -> Option<&BTreeMap<String, String>> {
    rs.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.as_ref())
}

impl Cluster {
    pub(crate) fn sync_replica_sets(&mut self) {
        // The pods written since the last pass, as the controller's pod informer delivers them.
        let written = self.store.take_pods_written(PodReader::ReplicaSets);
        let keys: Vec<(String, String)> = self
            .store
            .list(Kind::ReplicaSet, None)
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect();
        for (ns, name) in &keys {
            self.sync_replica_set(ns, name, &written);
        }
        // What it knew of ReplicaSets that are gone is forgotten.
        self.rs_pods.retain(|k, _| keys.binary_search(k).is_ok());
    }

    /// The pods `rs` controls, borrowed from the store (never cloned: a ReplicaSet may own
    /// 150,000 of them).
    fn owned_pods<'a>(&'a self, rs: &'a ReplicaSet) -> impl Iterator<Item = &'a Pod> + 'a {
        let ns = rs.metadata.namespace.as_deref().unwrap_or("default");
        self.store.list(Kind::Pod, Some(ns)).filter_map(|o| match o {
            Object::Pod(p) if is_controlled_by(&p.metadata, &rs.metadata) => Some(&**p),
            _ => None,
        })
    }

    /// A pod in the store, if it is there.
    fn pod(&self, ns: &str, name: &str) -> Option<&Pod> {
        match self.store.get(Kind::Pod, ns, name) {
            Some(Object::Pod(p)) => Some(p),
            _ => None,
        }
    }

    /// What the controller knows of `rs`'s pods, read from the whole list.
    fn count_owned_pods(&self, rs: &ReplicaSet) -> OwnedPods {
        let mut known =
            OwnedPods { uid: rs.metadata.uid.clone(), labels: template_labels(rs).cloned(), ..Default::default() };
        for p in self.owned_pods(rs) {
            known.set(p.metadata.name.as_deref().unwrap_or_default(), OwnedPods::part(rs, Some(p)));
        }
        known
    }

    /// `rs`'s status from what the controller knows of its pods (no minReadySeconds: every
    /// ready pod is available). Debug builds check it against the whole list.
    fn counted_rs_status(&self, rs: &ReplicaSet, known: &OwnedPods) -> ReplicaSetStatus {
        let [active, labeled, ready] = known.counts;
        let status = status_of(rs, active, labeled, ready, ready);
        debug_assert_eq!(
            status,
            rs_status(rs, &self.owned_pods(rs).filter(|p| pod_is_active(p)).collect::<Vec<_>>(), self.now).0,
            "{:?}: the status from the pods written disagrees with the whole list",
            rs.metadata.name
        );
        status
    }

    fn sync_replica_set(&mut self, ns: &str, name: &str, written: &crate::store::PodsWritten) {
        let key = (ns.to_string(), name.to_string());
        let known = self.rs_pods.remove(&key);
        let shared = self.store.get_shared(Kind::ReplicaSet, ns, name);
        let Some(Object::ReplicaSet(rs)) = shared.as_deref() else {
            return;
        };
        if rs.metadata.deletion_timestamp.is_some() {
            return;
        }
        let want = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1).max(0) as usize;
        // What it knows of the pods holds while the ReplicaSet is the same one with the same
        // template labels; minReadySeconds makes availability a matter of time, so those
        // ReplicaSets are counted from the whole list each pass.
        let min_ready = rs.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0);
        let mut known =
            known.filter(|k| min_ready <= 0 && k.uid == rs.metadata.uid && k.labels.as_ref() == template_labels(rs));
        if let Some(k) = known.as_mut() {
            for pod in written.in_namespace(ns) {
                k.set(pod, OwnedPods::part(rs, self.pod(ns, pod)));
            }
        }
        let scanned: Option<Vec<&Pod>> =
            known.is_none().then(|| self.owned_pods(rs).filter(|p| pod_is_active(p)).collect());
        let active_count = match (&known, &scanned) {
            (Some(k), _) => k.counts[0],
            (None, active) => active.as_ref().map_or(0, Vec::len),
        };
        // Nothing to create or delete: the status comes from the same list (one scan of the
        // pods, not two) or the same counts.
        let settled = (active_count == want).then(|| match (&known, &scanned) {
            (Some(k), _) => (self.counted_rs_status(rs, k), Vec::new()),
            (None, active) => rs_status(rs, active.as_deref().unwrap_or_default(), self.now),
        });
        // Which pods to delete when there are too many (names, so the store can change next).
        let doomed: Vec<String> = if active_count > want {
            let active: Vec<&Pod> = match scanned {
                Some(active) => active,
                None => self.owned_pods(rs).filter(|p| pod_is_active(p)).collect(),
            };
            let diff = (active_count - want).min(BURST_REPLICAS);
            // Rank: active pods of this ReplicaSet on the same node.
            let mut per_node = std::collections::BTreeMap::<&str, usize>::new();
            for p in &active {
                if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
                    *per_node.entry(n).or_default() += 1;
                }
            }
            let now = self.now.ms();
            let mut ranked: Vec<(RankInfo, &Pod)> = active
                .iter()
                .map(|p| {
                    let rank = p.spec.as_ref().and_then(|s| s.node_name.as_deref()).map_or(0, |n| per_node[n]);
                    (rank_info(p, rank), *p)
                })
                .collect();
            // kubeplay's merge sort: the ranking is not a total order, and the standard sort may
            // panic on one (crate::sort).
            crate::sort::sort_by(&mut ranked, |a, b| delete_first(&a.0, &b.0, now));
            ranked.iter().take(diff).map(|(_, p)| p.metadata.name.clone().unwrap_or_default()).collect()
        } else {
            Vec::new()
        };
        let mut touched = Vec::new();
        if active_count < want {
            let diff = (want - active_count).min(BURST_REPLICAS);
            let room = MAX_PODS.saturating_sub(self.store.count(Kind::Pod));
            // The pods of one burst have one spec: worked out from the template for the first,
            // then shared (the store would find each copy equal to it and drop the copy), with
            // its QoS class.
            let mut spec = None;
            for _ in 0..diff.min(room) {
                touched.push(self.create_pod_for(rs, &mut spec));
            }
            if diff > room {
                self.record_event(
                    Kind::ReplicaSet,
                    ns,
                    name,
                    "Warning",
                    "FailedCreate",
                    &format!(
                        "Error creating: kubeplay simulates at most {MAX_PODS} pods (Kubernetes' tested envelope)"
                    ),
                    "replicaset-controller",
                    None,
                );
            }
        } else if !doomed.is_empty() {
            for pod in doomed {
                self.delete_object(Kind::Pod, ns, &pod, None);
                self.record_event(
                    Kind::ReplicaSet,
                    ns,
                    name,
                    "Normal",
                    "SuccessfulDelete",
                    &format!("Deleted pod: {pod}"),
                    "replicaset-controller",
                    None,
                );
                touched.push(pod);
            }
        }
        if let Some(k) = known.as_mut() {
            for pod in &touched {
                k.set(pod, OwnedPods::part(rs, self.pod(ns, pod)));
            }
        }
        match (settled, &known) {
            (Some((status, later)), _) => self.write_rs_status(rs, status, later),
            (None, Some(k)) => {
                let status = self.counted_rs_status(rs, k);
                self.write_rs_status(rs, status, Vec::new());
            }
            (None, None) => self.update_rs_status(ns, name),
        }
        if min_ready <= 0 {
            let known = known.unwrap_or_else(|| self.count_owned_pods(rs));
            self.rs_pods.insert(key, known);
        }
    }

    /// Creates one of the ReplicaSet's pods from its template; gives its name. `spec` is the pod
    /// spec the template gives, once the first pod of a burst has it (the store's shared copy).
    fn create_pod_for(&mut self, rs: &ReplicaSet, spec: &mut Option<(std::rc::Rc<PodSpec>, &'static str)>) -> String {
        let ns = rs.metadata.namespace.clone().unwrap_or_else(|| "default".into());
        let rs_name = rs.metadata.name.clone().unwrap_or_default();
        let no_template = Default::default();
        let template = rs.spec.as_ref().and_then(|s| s.template.as_ref()).unwrap_or(&no_template);
        let prefix: String = rs_name.chars().chain(['-']).take(58).collect();
        let mut name;
        loop {
            name = String::with_capacity(prefix.len() + 5);
            name.push_str(&prefix);
            self.rng_names.push_from(&mut name, NAME_ALPHABET, 5);
            if !self.store.contains(Kind::Pod, &ns, &name) {
                break;
            }
        }
        let no_meta = ObjectMeta::default();
        let tm = template.metadata.as_ref().unwrap_or(&no_meta);
        let (pod_spec, qos) = match spec {
            Some((shared, qos)) => (std::rc::Rc::clone(shared), *qos),
            None => {
                let mut spec = template.spec.clone().unwrap_or_default();
                defaults::pod_spec(&mut spec);
                defaults::default_tolerations(&mut spec);
                let spec = std::rc::Rc::new(spec);
                let qos = crate::kubelet::qos_class_of(&spec);
                (spec, qos)
            }
        };
        let pod = Pod {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                generate_name: Some(prefix),
                namespace: Some(ns.clone()),
                labels: tm.labels.clone(),
                annotations: tm.annotations.clone(),
                owner_references: Some(vec![owner_ref(Kind::ReplicaSet, &rs.metadata)]),
                ..Default::default()
            },
            spec: Some(pod_spec),
            status: Some(PodStatus {
                phase: Some("Pending".into()),
                qos_class: Some(qos.into()),
                ..Default::default()
            }),
        };
        debug_assert_eq!(
            pod.status.as_ref().and_then(|s| s.qos_class.as_deref()),
            Some(crate::kubelet::qos_class(&pod))
        );
        if let Object::Pod(stored) = self.store.create(Object::Pod(Box::new(pod)), self.now) {
            *spec = stored.spec.clone().map(|s| (s, qos));
        }
        self.record_event(
            Kind::ReplicaSet,
            &ns,
            &rs_name,
            "Normal",
            "SuccessfulCreate",
            &crate::text::cat(&["Created pod: ", &name]),
            "replicaset-controller",
            None,
        );
        self.changed(Kind::Pod);
        name
    }

    pub(crate) fn update_rs_status(&mut self, ns: &str, name: &str) {
        let shared = self.store.get_shared(Kind::ReplicaSet, ns, name);
        let Some(Object::ReplicaSet(rs)) = shared.as_deref() else {
            return;
        };
        // status.replicas counts active pods (terminating ones are not counted).
        let active: Vec<&Pod> = self.owned_pods(rs).filter(|p| pod_is_active(p)).collect();
        let (status, later) = rs_status(rs, &active, self.now);
        self.write_rs_status(rs, status, later);
    }

    /// Writes a ReplicaSet's status if it changed, and asks for another look when pods become
    /// available later.
    fn write_rs_status(&mut self, rs: &ReplicaSet, status: ReplicaSetStatus, later: Vec<SimTime>) {
        for at in later {
            self.wake_at(crate::queue::Controller::ReplicaSet, at);
        }
        if rs.status.as_ref() != Some(&status) {
            let mut live = rs.clone();
            live.status = Some(status);
            self.store.update(Object::ReplicaSet(Box::new(live)));
            self.wake(crate::queue::Controller::Deployment);
        }
    }
}

/// A ReplicaSet's status from the numbers of its active pods: all, labelled as its template,
/// ready, available.
fn status_of(rs: &ReplicaSet, active: usize, labeled: usize, ready: usize, available: usize) -> ReplicaSetStatus {
    let clean = |n: usize| Some(n as i32).filter(|n| *n != 0);
    ReplicaSetStatus {
        replicas: active as i32,
        fully_labeled_replicas: clean(labeled),
        ready_replicas: clean(ready),
        available_replicas: clean(available),
        terminating_replicas: None,
        observed_generation: rs.metadata.generation,
        conditions: None,
    }
}

/// A ReplicaSet's status from its active pods, and when pods that are ready but not yet
/// available (minReadySeconds) become available.
fn rs_status(rs: &ReplicaSet, active: &[&Pod], now: SimTime) -> (ReplicaSetStatus, Vec<SimTime>) {
    let min_ready = rs.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0);
    let status = status_of(
        rs,
        active.len(),
        active.iter().filter(|p| fully_labeled(rs, p)).count(),
        active.iter().filter(|p| pod_is_ready(p)).count(),
        active.iter().filter(|p| pod_available(p, min_ready, now)).count(),
    );
    // Pods that become available later (minReadySeconds) need another look then.
    let mut later = Vec::new();
    if min_ready > 0 {
        for p in active {
            if pod_is_ready(p)
                && !pod_available(p, min_ready, now)
                && let Some(t) = p
                    .status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
                    .and_then(|c| c.last_transition_time.as_ref())
            {
                later.push(sim_time(t).plus_ms(min_ready as u64 * 1000).max(now));
            }
        }
    }
    (status, later)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400_000;

    fn info(assigned: bool, phase: u8, ready: bool) -> RankInfo {
        RankInfo { assigned, phase_ordinal: phase, ready, uid: "u".into(), ..Default::default() }
    }

    /// K8S-FACTS §2.2: TestSortingActivePods expected order.
    #[test]
    fn sorting_active_pods() {
        let now = 60 * DAY;
        let month_ago = Some(now - 30 * DAY);
        let mut pods: Vec<(&str, RankInfo)> = vec![
            (
                "oldest",
                RankInfo { ready_since_ms: month_ago, max_restarts: 2, created_ms: month_ago, ..info(true, 2, true) },
            ),
            (
                "lowerContainerRestartCount",
                RankInfo { ready_since_ms: month_ago, max_restarts: 2, created_ms: Some(now), ..info(true, 2, true) },
            ),
            ("runningLongerTime", RankInfo { ready_since_ms: month_ago, max_restarts: 3, ..info(true, 2, true) }),
            (
                "runningWithLastTransitionTime",
                RankInfo { ready_since_ms: Some(now), max_restarts: 3, ..info(true, 2, true) },
            ),
            ("runningNoLastTransitionTime", RankInfo { ready_since_ms: None, max_restarts: 3, ..info(true, 2, true) }),
            ("runningButNotReady", info(true, 2, false)),
            ("unknownPhase", info(true, 1, false)),
            ("scheduledButPending", info(true, 0, false)),
            ("unscheduled", info(false, 0, false)),
        ];
        pods.sort_by(|a, b| delete_first(&a.1, &b.1, now));
        let names: Vec<&str> = pods.iter().map(|p| p.0).collect();
        assert_eq!(
            names,
            [
                "unscheduled",
                "scheduledButPending",
                "unknownPhase",
                "runningButNotReady",
                "runningNoLastTransitionTime",
                "runningWithLastTransitionTime",
                "runningLongerTime",
                "lowerContainerRestartCount",
                "oldest"
            ]
        );
    }

    /// K8S-FACTS §2.2: TestSortingActivePodsWithRanks, some inequality rows.
    #[test]
    fn ranks() {
        let now = 60 * DAY;
        let ready_now = RankInfo { ready_since_ms: Some(now), ..info(true, 2, true) };
        let ready_month = RankInfo { ready_since_ms: Some(now - 30 * DAY), ..info(true, 2, true) };
        // 7: rank beats ready-time
        let a = RankInfo { rank: 2, ..ready_now.clone() };
        let b = RankInfo { rank: 1, ready_since_ms: None, ..ready_now.clone() };
        assert_eq!(delete_first(&a, &b, now), Ordering::Less);
        // 8: ready for less time first
        assert_eq!(delete_first(&ready_now, &ready_month, now), Ordering::Less);
        // 10: more restarts first
        let r = RankInfo { max_restarts: 9001, ..ready_now.clone() };
        assert_eq!(delete_first(&r, &ready_now, now), Ordering::Less);
        // 14: deletion cost beats rank
        let c10 = RankInfo { deletion_cost: 10, rank: 2, ..ready_now.clone() };
        let c100 = RankInfo { deletion_cost: 100, rank: 1, ..ready_now.clone() };
        assert_eq!(delete_first(&c10, &c100, now), Ordering::Less);
        // 1: unassigned beats rank
        assert_eq!(
            delete_first(
                &RankInfo { rank: 1, ..info(false, 0, false) },
                &RankInfo { rank: 2, ..info(true, 0, false) },
                now
            ),
            Ordering::Less
        );
        // 16: ready since 2h vs 5h land in different log2 buckets
        let h = 3_600_000;
        let r2 = RankInfo { ready_since_ms: Some(now - 2 * h), ..info(true, 2, true) };
        let r5 = RankInfo { ready_since_ms: Some(now - 5 * h), ..info(true, 2, true) };
        assert_eq!(delete_first(&r2, &r5, now), Ordering::Less);
        // equality: identical pods
        assert_eq!(delete_first(&ready_now, &ready_now, now), Ordering::Equal);
    }
}
