//! The object store: objects of each kind in (namespace, name) order, with the metadata the
//! API server keeps (uid, resourceVersion, generation, creationTimestamp).

use std::collections::BTreeMap;
use std::rc::Rc;

use k8s_openapi::api::core::v1::{PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};

use crate::api::{Kind, Object};
use crate::time::SimTime;

pub type Labels = BTreeMap<String, String>;

/// Objects of one kind: namespace -> name -> object (lookups borrow the names: no allocation).
/// Objects are shared: a reader that must hold one while it changes the cluster takes an `Rc`
/// ([`Store::get_shared`]) instead of a deep copy, and a cloned cluster shares them until one
/// side writes (copy on write).
type Objects = BTreeMap<String, Names>;

/// One namespace's objects of one kind: found by name through a hash table (a B-tree of 150,000
/// pod names compared strings at every level of every lookup, a tenth of the envelope's time),
/// listed in name order through a sorted set of the same names. The table is only looked up,
/// never iterated, so its order reaches nothing.
///
/// Names of up to 23 bytes are held inline ([`Name`]): a lookup compares the name it finds
/// without reading another allocation, and so does an insert into the order (a ReplicaSet's
/// 150,000 pod names share their first 15 bytes; reading each name compared was a cache miss,
/// about thirty per pod created).
#[derive(Clone, Default)]
struct Names {
    order: std::collections::BTreeSet<Name>,
    objects: crate::fingerprint::LookupMap<Name, Rc<Object>>,
}

/// An object's name as the store keys it: inline up to 23 bytes on every target, wasm32
/// included (see [`Names`]); a longer one on the heap, shared by its clones.
pub(crate) type Name = smol_str::SmolStr;

impl Names {
    fn get(&self, name: &str) -> Option<&Rc<Object>> {
        self.objects.get(name)
    }

    /// The stored copy of `name`, if an object has it.
    fn key(&self, name: &str) -> Option<&Name> {
        self.objects.get_key_value(name).map(|(k, _)| k)
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Rc<Object>> {
        self.objects.get_mut(name)
    }

    /// Stores `obj` under its name, replacing what was there.
    fn insert(&mut self, obj: Rc<Object>) -> &Rc<Object> {
        if !self.objects.contains_key(obj.name()) {
            let key = Name::from(obj.name());
            self.order.insert(key.clone());
            debug_assert_eq!(self.order.len(), self.objects.len() + 1, "the store's names and objects went apart");
            return self.objects.get_or_insert(key, obj);
        }
        let Some(slot) = self.objects.get_mut(obj.name()) else { unreachable!("present above") };
        *slot = obj;
        slot
    }

    fn remove(&mut self, name: &str) -> Option<Rc<Object>> {
        let (key, obj) = self.objects.remove_entry(name)?;
        self.order.remove(&key);
        debug_assert_eq!(self.order.len(), self.objects.len(), "the store's names and objects went apart");
        Some(obj)
    }

    /// In name order.
    fn values(&self) -> impl Iterator<Item = &Rc<Object>> + '_ {
        self.order.iter().filter_map(|name| self.objects.get(name))
    }

    fn len(&self) -> usize {
        self.objects.len()
    }

    fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.order.iter().zip(self.values())).finish()
    }
}

#[derive(Clone, Debug, Default)]
pub struct Store {
    kinds: BTreeMap<Kind, Objects>,
    /// How often each kind changed (create, update, remove), so readers can tell that nothing
    /// did since they last looked (an informer's resync short-cut).
    changes: BTreeMap<Kind, u64>,
    resource_version: u64,
    uid_counter: u64,
    seed: u64,
    /// Pods without `spec.nodeName` (a superset: readers check each): the scheduler's queue
    /// without a scan of every pod, as its informer feeds it only unassigned pods.
    /// By namespace, then name: a write removes its pod by borrowed names (a key of owned
    /// names was two copies made for every pod write).
    unbound_pods: BTreeMap<String, std::collections::BTreeSet<Name>>,
    /// Each node's usage by its bound pods, kept as pods are written (None after a `get_mut` of
    /// a pod, which the index cannot follow: readers then count for themselves).
    node_usage: Option<crate::controllers::scheduler::UsageIndex>,
    /// Changes whenever a bound pod appears, goes, moves, is relabelled or finishes: what the
    /// scheduler's spread counts are made of (it keeps them between passes while this holds).
    bound_pods_epoch: u64,
    /// Changes whenever what a bound, unfinished pod adds to its node's usage may have changed
    /// (such a pod appears, goes, finishes or gets another spec; or a `get_mut` of a pod): the
    /// scheduler keeps its node usage between passes while this holds.
    usage_epoch: u64,
    /// One copy of each pod spec the stored pods hold, by [`spec_key`]: a pod written with a
    /// spec equal to one of these shares it (api::pod). The pods of a ReplicaSet on one node
    /// have equal specs: at 150,000 pods on 5,000 nodes, thirty share each.
    pod_specs: BTreeMap<u64, Vec<Rc<PodSpec>>>,
    /// How many specs `pod_specs` holds, and at how many it next drops the ones no pod holds.
    pod_specs_held: usize,
    pod_specs_prune_at: usize,
    /// The pods written (created, changed or removed) since each [`PodReader`] last took them,
    /// in the order written, repeats and all: the events its pod informer would deliver. A
    /// write adds the namespace's shared copy and the name, inline up to 23 bytes ([`Name`]),
    /// to each (two B-trees of copied names were a twentieth of the envelope's time); the reader
    /// sorts.
    pods_written: [Vec<(Rc<str>, Name)>; 2],
    /// The namespaces `pods_written` names, one copy each.
    written_namespaces: std::collections::BTreeSet<Rc<str>>,
    /// The pods by `status.podIP` (namespace, name), kept as pods are written: what answers at
    /// an address (kube-proxy routes to addresses). None after a `get_mut` of a pod, which it
    /// cannot follow: readers then look at every pod.
    /// (Almost always one pod an address: a list, not a set, is a tenth of the memory.)
    /// (Looked up by address, never listed: a hash table.)
    pods_by_ip: Option<PodsByIp>,
}

/// The pods written since a reader's last pass ([`Store::take_pods_written`]), each once, in
/// (namespace, name) order.
#[derive(Debug, Default)]
pub(crate) struct PodsWritten(Vec<(Rc<str>, Name)>);

impl PodsWritten {
    /// The names written in `namespace`, in order.
    pub(crate) fn in_namespace<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let from = self.0.partition_point(|(ns, _)| &**ns < namespace);
        self.0[from..].iter().take_while(move |(ns, _)| &**ns == namespace).map(|(_, name)| &**name)
    }
}

/// The control loops that read only the pods written since their last pass.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PodReader {
    Endpoints = 0,
    ReplicaSets = 1,
}

/// A pod's `status.podIP`, when it has one.
fn pod_ip(o: Option<&Object>) -> Option<&str> {
    match o {
        Some(Object::Pod(p)) => status_ip(p.status.as_ref()),
        _ => None,
    }
}

/// A pod status's `podIP`, if it names one.
fn status_ip(s: Option<&PodStatus>) -> Option<&str> {
    s?.pod_ip.as_deref().filter(|ip| !ip.is_empty())
}

/// The pods at each address, in (namespace, name) order ([`Store`]'s `pods_by_ip`).
type PodsByIp = crate::fingerprint::LookupMap<Name, Vec<(Name, Name)>>;

/// Moves a pod in the index of pods by IP from `old_ip` to `new_ip`.
fn refile_ip(index: &mut Option<PodsByIp>, (ns, name): (&str, &str), old_ip: Option<&str>, new_ip: Option<&str>) {
    let Some(index) = index.as_mut().filter(|_| old_ip != new_ip) else { return };
    let key = (Name::from(ns), Name::from(name));
    if let Some(ip) = old_ip
        && let Some(keys) = index.get_mut(ip)
    {
        keys.retain(|k| *k != key);
        if keys.is_empty() {
            index.remove(ip);
        }
    }
    if let Some(ip) = new_ip {
        let keys = match index.get_mut(ip) {
            Some(keys) => keys,
            None => index.get_or_insert(Name::from(ip), Vec::new()),
        };
        if let Err(at) = keys.binary_search(&key) {
            keys.insert(at, key);
        }
    }
}

/// `{a>>32:08x}-{a>>16:04x}-4{a&0xfff:03x}-8{counter&0xfff:03x}-{counter&0xffffffffffff:012x}`,
/// written digit by digit (every object created formats one; the formatting machinery was most
/// of a pod's creation in the store).
fn uid_text(a: u64, counter: u64) -> String {
    use crate::text::push_hex as hex;
    let mut out = String::with_capacity(36);
    hex(&mut out, a >> 32, 8);
    out.push('-');
    hex(&mut out, (a >> 16) & 0xffff, 4);
    out.push_str("-4");
    hex(&mut out, a & 0xfff, 3);
    out.push_str("-8");
    hex(&mut out, counter & 0xfff, 3);
    out.push('-');
    hex(&mut out, counter & 0xffff_ffff_ffff, 12);
    out
}

/// What sorts pod specs into `Store::pod_specs`' buckets: the node and the containers' names,
/// images, resources and numbers of ports and variables (equal specs have equal keys; a bucket
/// is searched by full equality, so Deployments alike in all of these share one).
fn spec_key(spec: &PodSpec) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprint::Fingerprint::default();
    spec.node_name.hash(&mut h);
    for c in spec.init_containers.iter().flatten().chain(&spec.containers) {
        c.name.hash(&mut h);
        c.image.hash(&mut h);
        for list in c.resources.iter().flat_map(|r| [&r.requests, &r.limits]) {
            for (resource, q) in list.iter().flatten() {
                (resource, &q.0).hash(&mut h);
            }
        }
        c.ports.as_ref().map(Vec::len).hash(&mut h);
        c.env.as_ref().map(Vec::len).hash(&mut h);
    }
    h.finish()
}

/// What of a bound pod the scheduler's spread counts read: (namespace, node, labels, finished).
type SpreadMembership<'a> = (&'a str, &'a str, Option<&'a BTreeMap<String, String>>, bool);

fn spread_membership(o: Option<&Object>) -> Option<SpreadMembership<'_>> {
    let Some(Object::Pod(p)) = o else { return None };
    let node = p.spec.as_ref().and_then(|s| s.node_name.as_deref())?;
    let finished = crate::controllers::scheduler::is_terminal(p);
    Some((p.metadata.namespace.as_deref().unwrap_or(""), node, p.metadata.labels.as_ref(), finished))
}

/// What a pod adds to its node's usage, as an identity: its node and its spec (one shared copy:
/// its requests and host ports), if it is bound and not finished. Only compared for equality: a
/// write that leaves it as it was (most writes are the kubelet's status writes) leaves the
/// nodes' usage alone.
fn usage_of(o: Option<&Object>) -> Option<(&str, *const PodSpec)> {
    let Some(Object::Pod(p)) = o else { return None };
    let spec = p.spec.as_ref()?;
    let node = spec.node_name.as_deref()?;
    if crate::controllers::scheduler::is_terminal(p) {
        return None;
    }
    Some((node, Rc::as_ptr(spec)))
}

fn is_unbound_pod(obj: &Object) -> bool {
    matches!(obj, Object::Pod(p) if p.spec.as_ref().is_none_or(|s| s.node_name.is_none()))
}

/// A JSON value's timestamp as the upstream `Time` type.
pub fn time(t: SimTime) -> Time {
    Time(jiff_timestamp(t))
}

fn jiff_timestamp(t: SimTime) -> k8s_openapi::jiff::Timestamp {
    // 2025-01-01T00:00:00Z plus virtual seconds (the API keeps second precision).
    let secs = 1_735_689_600i64 + (t.ms() / 1000) as i64;
    k8s_openapi::jiff::Timestamp::from_second(secs).unwrap_or(k8s_openapi::jiff::Timestamp::UNIX_EPOCH)
}

/// Back from an API timestamp to virtual time (second precision).
pub fn sim_time(t: &Time) -> SimTime {
    let secs = t.0.as_second() - 1_735_689_600;
    SimTime((secs.max(0) as u64) * 1000)
}

impl Store {
    pub fn new(seed: u64) -> Self {
        Store { seed, node_usage: Some(Default::default()), pods_by_ip: Some(Default::default()), ..Default::default() }
    }

    /// Each node's usage by its bound, non-terminal pods, if the index is whole.
    pub(crate) fn node_usage(&self) -> Option<&crate::controllers::scheduler::UsageIndex> {
        self.node_usage.as_ref()
    }

    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Object> {
        self.kinds.get(&kind)?.get(namespace)?.get(name).map(|o| &**o)
    }

    /// The object itself, shared: the caller may keep it while the store changes.
    pub fn get_shared(&self, kind: Kind, namespace: &str, name: &str) -> Option<Rc<Object>> {
        self.kinds.get(&kind)?.get(namespace)?.get(name).cloned()
    }

    pub fn get_mut(&mut self, kind: Kind, namespace: &str, name: &str) -> Option<&mut Object> {
        *self.changes.entry(kind).or_default() += 1;
        if kind == Kind::Pod {
            // The caller may unbind it; keep the superset. Node usage cannot follow it.
            self.mark_unbound(namespace, name);
            self.note_written(namespace, name);
            self.node_usage = None;
            self.pods_by_ip = None;
            self.bound_pods_epoch += 1;
            self.usage_epoch += 1;
        }
        self.kinds.get_mut(&kind)?.get_mut(namespace)?.get_mut(name).map(Rc::make_mut)
    }

    pub fn contains(&self, kind: Kind, namespace: &str, name: &str) -> bool {
        self.get(kind, namespace, name).is_some()
    }

    /// Objects of `kind` in (namespace, name) order; `namespace = None` lists all namespaces.
    pub fn list<'a>(&'a self, kind: Kind, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Object> + 'a {
        self.entries(kind, namespace).map(|o| &**o)
    }

    /// [`Store::list`], each object shared (a reference-count increment, not a copy).
    pub fn list_shared<'a>(&'a self, kind: Kind, namespace: Option<&'a str>) -> impl Iterator<Item = Rc<Object>> + 'a {
        self.entries(kind, namespace).cloned()
    }

    fn entries<'a>(&'a self, kind: Kind, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Rc<Object>> + 'a {
        let objects = self.kinds.get(&kind);
        let all = namespace.is_none().then(|| objects.into_iter().flat_map(|m| m.values()).flat_map(|m| m.values()));
        let one = namespace.and_then(|ns| objects?.get(ns)).into_iter().flat_map(|m| m.values());
        all.into_iter().flatten().chain(one)
    }

    /// Pods not bound to a node, in (namespace, name) order.
    pub fn unbound_pods(&self) -> impl Iterator<Item = &Object> + '_ {
        self.unbound_pods
            .iter()
            .flat_map(|(ns, names)| names.iter().map(move |name| (ns, name)))
            .filter_map(|(ns, name)| self.get(Kind::Pod, ns, name))
            .filter(|o| is_unbound_pod(o))
    }

    fn mark_unbound(&mut self, ns: &str, name: &str) {
        let names = match self.unbound_pods.get_mut(ns) {
            Some(names) => names,
            None => self.unbound_pods.entry(ns.to_string()).or_default(),
        };
        if !names.contains(name) {
            names.insert(Name::from(name));
        }
    }

    fn unmark_unbound(&mut self, ns: &str, name: &str) {
        if let Some(names) = self.unbound_pods.get_mut(ns)
            && names.remove(name)
            && names.is_empty()
        {
            self.unbound_pods.remove(ns);
        }
    }

    /// Keeps the pod indexes (unbound pods, node usage) in step with a write: `old` is the
    /// object it replaces or removes, `new` the one it stores.
    fn reindex(&mut self, old: Option<&Object>, new: Option<&Object>) {
        let Some(pod) = new.or(old).filter(|o| o.kind() == Kind::Pod) else { return };
        if spread_membership(old) != spread_membership(new) {
            self.bound_pods_epoch += 1;
        }
        let (ns, name) = (pod.namespace(), pod.name());
        if new.is_some_and(is_unbound_pod) {
            self.mark_unbound(ns, name);
        } else {
            self.unmark_unbound(ns, name);
        }
        self.note_written(ns, name);
        refile_ip(&mut self.pods_by_ip, (ns, name), pod_ip(old), pod_ip(new));
        if usage_of(old) != usage_of(new) {
            self.usage_epoch += 1;
            if let Some(u) = self.node_usage.as_mut() {
                if let Some(o) = old {
                    u.sub(o);
                }
                if let Some(n) = new {
                    u.add(n);
                }
            }
        }
    }

    /// The pods whose `status.podIP` is `ip`, in (namespace, name) order.
    pub fn pods_at_ip(&self, ip: &str) -> Vec<&Object> {
        let has_ip = |o: &&Object| pod_ip(Some(o)) == Some(ip);
        let Some(index) = &self.pods_by_ip else {
            return self.list(Kind::Pod, None).filter(has_ip).collect();
        };
        let found: Vec<&Object> = index
            .get(ip)
            .into_iter()
            .flatten()
            .filter_map(|(ns, name)| self.get(Kind::Pod, ns, name))
            .filter(has_ip)
            .collect();
        debug_assert_eq!(
            found.iter().map(|o| (o.namespace(), o.name())).collect::<Vec<_>>(),
            self.list(Kind::Pod, None).filter(has_ip).map(|o| (o.namespace(), o.name())).collect::<Vec<_>>(),
            "the pods by IP went stale at {ip}"
        );
        found
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.kinds.get(&kind).map_or(0, |m| m.values().map(Names::len).sum())
    }

    /// A number that changes whenever a bound pod appears, goes, moves to another node, gets
    /// other labels or finishes (or may have: a `get_mut` of a pod).
    pub fn bound_pods_epoch(&self) -> u64 {
        self.bound_pods_epoch
    }

    /// A number that changes whenever the nodes' usage by their pods may have (see the field).
    pub(crate) fn usage_epoch(&self) -> u64 {
        self.usage_epoch
    }

    /// The pods written since `reader` last took them.
    pub(crate) fn take_pods_written(&mut self, reader: PodReader) -> PodsWritten {
        let mut log = std::mem::take(&mut self.pods_written[reader as usize]);
        if self.pods_written.iter().all(Vec::is_empty) {
            // No reader has a write left to take: the namespaces are named again as they come.
            self.written_namespaces.clear();
        }
        // Equal entries are the same two names: which of them comes first shows nowhere. The
        // namespaces are shared (`written_namespaces`): the same one is the same pointer, and
        // most entries are in one namespace, so a comparison starts with the pointers.
        log.dedup_by(|a, b| Rc::ptr_eq(&a.0, &b.0) && a.1 == b.1);
        log.sort_unstable_by(|a, b| {
            let ns = if Rc::ptr_eq(&a.0, &b.0) { std::cmp::Ordering::Equal } else { a.0.cmp(&b.0) };
            ns.then_with(|| a.1.cmp(&b.1))
        });
        log.dedup();
        PodsWritten(log)
    }

    fn note_written(&mut self, namespace: &str, name: &str) {
        let ns = match self.written_namespaces.get(namespace) {
            Some(ns) => Rc::clone(ns),
            None => {
                let ns: Rc<str> = Rc::from(namespace);
                self.written_namespaces.insert(Rc::clone(&ns));
                ns
            }
        };
        // The stored key's clone (a long name's heap copy shared); a pod being created or
        // already removed is not stored under its name: a copy then.
        let stored = self.kinds.get(&Kind::Pod).and_then(|m| m.get(namespace)).and_then(|n| n.key(name));
        let name = stored.cloned().unwrap_or_else(|| Name::from(name));
        for log in &mut self.pods_written {
            log.push((Rc::clone(&ns), name.clone()));
        }
    }

    /// A number that changes whenever an object of `kind` is created, updated or removed.
    pub fn changes(&self, kind: Kind) -> u64 {
        self.changes.get(&kind).copied().unwrap_or(0)
    }

    fn next_uid(&mut self) -> String {
        self.uid_counter += 1;
        // Deterministic, UUID-shaped: the cluster seed and a counter.
        let a = self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.uid_counter.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        uid_text(a, self.uid_counter)
    }

    /// Stores a new object: fills uid, resourceVersion, creationTimestamp and generation.
    pub fn create(&mut self, mut obj: Object, now: SimTime) -> &Object {
        let uid = self.next_uid();
        self.resource_version += 1;
        let rv = self.resource_version.to_string();
        let kind = obj.kind();
        let m = obj.meta_mut();
        m.uid = Some(uid);
        m.resource_version = Some(rv);
        m.creation_timestamp = Some(time(now));
        if matches!(kind, Kind::Deployment | Kind::ReplicaSet | Kind::Namespace | Kind::Pod) || m.generation.is_some() {
            m.generation = Some(1);
        }
        if !kind.namespaced() {
            m.namespace = None;
        }
        *self.changes.entry(kind).or_default() += 1;
        // A create over an existing name replaces it.
        let old = self.get_shared(kind, obj.namespace(), obj.name());
        self.share_pod_spec(&mut obj, old.as_deref());
        self.reindex(old.as_deref(), Some(&obj));
        let by_ns = self.kinds.entry(kind).or_default();
        // The namespace's map, its name copied only for the first object in it.
        if !by_ns.contains_key(obj.namespace()) {
            by_ns.insert(obj.namespace().to_string(), Names::default());
        }
        let Some(map) = by_ns.get_mut(obj.namespace()) else { unreachable!("inserted above") };
        map.insert(Rc::new(obj))
    }

    /// Replaces an existing object, bumping resourceVersion.
    pub fn update(&mut self, mut obj: Object) {
        self.resource_version += 1;
        obj.meta_mut().resource_version = Some(self.resource_version.to_string());
        let kind = obj.kind();
        *self.changes.entry(kind).or_default() += 1;
        let old = self.get_shared(kind, obj.namespace(), obj.name());
        self.share_pod_spec(&mut obj, old.as_deref());
        self.reindex(old.as_deref(), Some(&obj));
        let map = self.kinds.entry(kind).or_default();
        match map.get_mut(obj.namespace()).and_then(|m| m.get_mut(obj.name())) {
            Some(slot) => *slot = Rc::new(obj),
            None => {
                let ns = obj.namespace().to_string();
                map.entry(ns).or_default().insert(Rc::new(obj));
            }
        }
    }

    /// [`Store::update`] of the pod as stored, edited by `edit` (nothing when there is no such
    /// pod). An unbound pod without an address that no one else holds is taken out of the store
    /// to be edited, not copied: what it leaves in its place for the write, an empty pod holding
    /// its spec, adds to the indexes what the pod did (to none but the table of shared specs,
    /// which a write may prune by the specs stored pods hold). The scheduler binds 150,000 pods at the envelope's scale, and
    /// copying each (and dropping the copy it replaced) was 1.5 % of the page's instructions.
    pub(crate) fn update_pod_with(&mut self, ns: &str, name: &str, edit: impl FnOnce(&mut crate::api::Pod)) {
        let slot = self.kinds.get_mut(&Kind::Pod).and_then(|m| m.get_mut(ns)).and_then(|m| m.get_mut(name));
        let Some(slot) = slot else { return };
        let mut pod = match Rc::get_mut(slot) {
            Some(Object::Pod(p))
                if p.spec.as_ref().is_none_or(|s| s.node_name.is_none()) && status_ip(p.status.as_ref()).is_none() =>
            {
                let stays = crate::api::Pod { spec: p.spec.clone(), ..Default::default() };
                std::mem::replace(p, Box::new(stays))
            }
            _ => match &**slot {
                Object::Pod(p) => p.clone(),
                _ => return,
            },
        };
        edit(&mut pod);
        self.update(Object::Pod(pod));
    }

    /// Sets a pod's status as a new version of the pod: [`Store::update`] of the pod as stored
    /// with this status. A kubelet's status write that [`Store::edit_pod_status`] cannot make in
    /// place comes here.
    pub(crate) fn update_pod_status(&mut self, ns: &str, name: &str, status: PodStatus) {
        let Some(Object::Pod(p)) = self.get(Kind::Pod, ns, name) else { return };
        let new = crate::api::Pod { metadata: p.metadata.clone(), spec: p.spec.clone(), status: Some(status) };
        self.update(Object::Pod(Box::new(new)));
    }

    /// Writes a bound pod's status where it is stored, through `edit` (true when it changed
    /// something): what [`Store::update`] of the pod with the edited status does (the next
    /// resourceVersion, the indexes, the pods-written log), in place. A kubelet's status write
    /// used to build a new status (and, before that, copy the pod's metadata) and drop the old
    /// one, three times in a pod's start. None, and `edit` not called, when the write cannot be
    /// made in place: another reader holds the pod (its copy must stay as it was), the pod is
    /// not bound, or the new status (`finished`: whether its phase is Succeeded or Failed, as
    /// the caller promises) finishes or revives the pod (its node's usage and the spread counts
    /// change): [`Store::update_pod_status`] then.
    pub(crate) fn edit_pod_status(
        &mut self,
        ns: &str,
        name: &str,
        finished: bool,
        edit: impl FnOnce(&mut PodStatus) -> bool,
    ) -> Option<bool> {
        let slot = self.kinds.get_mut(&Kind::Pod).and_then(|m| m.get_mut(ns)).and_then(|m| m.get_mut(name))?;
        let Some(Object::Pod(p)) = Rc::get_mut(slot) else { return None };
        if crate::controllers::scheduler::is_terminal_status(p.status.as_ref()) != finished
            || p.spec.as_ref().is_none_or(|s| s.node_name.is_none())
        {
            return None;
        }
        let old_ip = self.pods_by_ip.is_some().then(|| status_ip(p.status.as_ref()).map(str::to_owned)).flatten();
        if !edit(p.status.get_or_insert_with(PodStatus::default)) {
            return Some(false);
        }
        debug_assert_eq!(crate::controllers::scheduler::is_terminal_status(p.status.as_ref()), finished);
        self.resource_version += 1;
        p.metadata.resource_version = Some(self.resource_version.to_string());
        let new_ip = status_ip(p.status.as_ref());
        let moved = (self.pods_by_ip.is_some() && old_ip.as_deref() != new_ip).then(|| new_ip.map(str::to_owned));
        *self.changes.entry(Kind::Pod).or_default() += 1;
        // As `reindex`: bound, so not in the scheduler's queue; the same node, spec, labels and
        // finishedness, so the same usage and spread membership.
        self.unmark_unbound(ns, name);
        self.note_written(ns, name);
        if let Some(new_ip) = moved {
            refile_ip(&mut self.pods_by_ip, (ns, name), old_ip.as_deref(), new_ip.as_deref());
        }
        Some(true)
    }

    /// Gives a pod being written the shared copy of its spec, if a stored pod holds an equal one
    /// (the spec of the version it replaces, unchanged, is left as it is: a status write).
    fn share_pod_spec(&mut self, obj: &mut Object, old: Option<&Object>) {
        let Object::Pod(p) = obj else { return };
        let Some(spec) = p.spec.as_mut() else { return };
        if let Some(Object::Pod(o)) = old
            && o.spec.as_ref().is_some_and(|s| Rc::ptr_eq(s, spec))
        {
            return;
        }
        let bucket = self.pod_specs.entry(spec_key(spec)).or_default();
        if let Some(shared) = bucket.iter().find(|s| Rc::ptr_eq(s, spec) || ***s == **spec) {
            *spec = shared.clone();
            return;
        }
        bucket.push(spec.clone());
        self.pod_specs_held += 1;
        if self.pod_specs_held >= self.pod_specs_prune_at {
            self.prune_pod_specs(Rc::as_ptr(spec));
        }
    }

    /// Drops the specs no stored pod holds (their pods are gone or changed; `keep` is the one
    /// being written), then waits for the table to double again: a write costs the same on
    /// average, whatever the size. Which specs a pod of *this* store holds decides, not how
    /// many references a spec has: a cloned store (the timeline's checkpoints) or a caller
    /// holding an object would otherwise keep every spec alive.
    fn prune_pod_specs(&mut self, keep: *const PodSpec) {
        // Addresses, only compared for membership (never ordered into anything shown): a sorted
        // list, not a tree (one allocation, not one per pod).
        let mut held: Vec<*const PodSpec> = self
            .entries(Kind::Pod, None)
            .filter_map(|o| match &**o {
                Object::Pod(p) => p.spec.as_ref().map(Rc::as_ptr),
                _ => None,
            })
            .chain([keep])
            .collect();
        held.sort_unstable();
        held.dedup();
        self.pod_specs.retain(|_, bucket| {
            bucket.retain(|s| held.binary_search(&Rc::as_ptr(s)).is_ok());
            !bucket.is_empty()
        });
        self.pod_specs_held = self.pod_specs.values().map(Vec::len).sum();
        self.pod_specs_prune_at = (2 * self.pod_specs_held).max(64);
    }

    pub fn remove(&mut self, kind: Kind, namespace: &str, name: &str) -> Option<Object> {
        self.resource_version += 1;
        *self.changes.entry(kind).or_default() += 1;
        let in_ns = self.kinds.get_mut(&kind)?.get_mut(namespace)?;
        let removed = in_ns.remove(name);
        if in_ns.is_empty() {
            self.kinds.get_mut(&kind)?.remove(namespace);
        }
        self.reindex(removed.as_deref(), None);
        removed.map(Rc::unwrap_or_clone)
    }
}

/// Whether a label selector selects `labels` (matchLabels and matchExpressions).
pub fn selector_matches(sel: &LabelSelector, labels: &Labels) -> bool {
    for (k, v) in sel.match_labels.iter().flatten() {
        if labels.get(k) != Some(v) {
            return false;
        }
    }
    for e in sel.match_expressions.iter().flatten() {
        let vals = e.values.clone().unwrap_or_default();
        let got = labels.get(&e.key);
        let ok = match e.operator.as_str() {
            "In" => got.is_some_and(|g| vals.contains(g)),
            "NotIn" => got.is_none_or(|g| !vals.contains(g)),
            "Exists" => got.is_some(),
            "DoesNotExist" => got.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// A `-l` selector as kubectl takes it: `app=web,tier!=db,env in (a,b),!legacy,track`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

pub fn parse_label_selector(s: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    parts.push(cur);
    for p in parts {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        let set = |rest: &str| -> Result<Vec<String>, String> {
            let rest = rest.trim();
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| format!("unable to parse requirement: {p:?}"))?;
            Ok(inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
        };
        if let Some((k, v)) = p.split_once("!=") {
            out.push(Requirement::NotEq(k.trim().into(), v.trim().into()));
        } else if let Some((k, v)) = p.split_once("==") {
            out.push(Requirement::Eq(k.trim().into(), v.trim().into()));
        } else if let Some((k, v)) = p.split_once('=') {
            out.push(Requirement::Eq(k.trim().into(), v.trim().into()));
        } else if let Some((k, rest)) = p.split_once(" notin ") {
            out.push(Requirement::NotIn(k.trim().into(), set(rest)?));
        } else if let Some((k, rest)) = p.split_once(" in ") {
            out.push(Requirement::In(k.trim().into(), set(rest)?));
        } else if let Some(k) = p.strip_prefix('!') {
            out.push(Requirement::NotExists(k.trim().into()));
        } else if p.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c)) {
            out.push(Requirement::Exists(p.into()));
        } else {
            return Err(format!("unable to parse requirement: {p:?}"));
        }
    }
    Ok(out)
}

pub fn requirements_match(reqs: &[Requirement], labels: &Labels) -> bool {
    reqs.iter().all(|r| match r {
        Requirement::Eq(k, v) => labels.get(k) == Some(v),
        Requirement::NotEq(k, v) => labels.get(k) != Some(v),
        Requirement::In(k, vs) => labels.get(k).is_some_and(|g| vs.contains(g)),
        Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|g| !vs.contains(g)),
        Requirement::Exists(k) => labels.contains_key(k),
        Requirement::NotExists(k) => !labels.contains_key(k),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_selectors() {
        let labels: Labels = [("app".to_string(), "web".to_string()), ("tier".to_string(), "fe".to_string())].into();
        let ok = |s: &str| requirements_match(&parse_label_selector(s).unwrap(), &labels);
        assert!(ok("app=web"));
        assert!(ok("app==web,tier!=db"));
        assert!(ok("tier in (fe, be)"));
        assert!(!ok("tier notin (fe)"));
        assert!(ok("app,!legacy"));
        assert!(!ok("app=db"));
    }

    /// A ReplicaSet's pods on one node share one copy of their spec; on another node, another
    /// (nodeName differs); a new template, another again. A pod's own change unshares it only.
    #[test]
    fn pods_with_equal_specs_share_one() {
        use crate::{Cluster, ClusterConfig, Workspace};
        let mut c = Cluster::new(ClusterConfig { seed: 3, nodes: 3 });
        let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 9\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n";
        c.run("kubectl apply -f m.yaml", &Workspace::default().with_file("m.yaml", manifest));
        c.advance(30_000);
        let specs = |c: &Cluster| {
            let mut by_node: BTreeMap<String, Vec<Rc<PodSpec>>> = BTreeMap::new();
            for o in c.store.list(Kind::Pod, Some("default")) {
                let Object::Pod(p) = o else { continue };
                let spec = p.spec.clone().unwrap();
                by_node.entry(spec.node_name.clone().unwrap_or_default()).or_default().push(spec);
            }
            by_node
        };
        let by_node = specs(&c);
        assert_eq!(by_node.values().map(Vec::len).sum::<usize>(), 9);
        assert!(by_node.len() > 1, "the pods spread over the nodes: {:?}", by_node.keys());
        for (node, same) in &by_node {
            assert!(!node.is_empty(), "every pod is bound");
            assert!(same.iter().all(|s| Rc::ptr_eq(s, &same[0])), "the pods on {node} share one spec");
        }
        let firsts: Vec<_> = by_node.values().map(|v| v[0].clone()).collect();
        assert!(!Rc::ptr_eq(&firsts[0], &firsts[1]), "another node, another spec (nodeName)");

        // A new template: the new pods share among themselves, not with the old ones.
        c.run("kubectl set image deployment/web web=nginx:1.28", &Workspace::default());
        c.advance(120_000);
        let by_node = specs(&c);
        assert_eq!(by_node.values().map(Vec::len).sum::<usize>(), 9);
        for same in by_node.values() {
            assert!(same.iter().all(|s| s.containers[0].image.as_deref() == Some("nginx:1.28")));
            assert!(same.iter().all(|s| Rc::ptr_eq(s, &same[0])));
        }

        // One pod's own change is its own.
        let name = c.store.list(Kind::Pod, Some("default")).next().unwrap().name().to_string();
        let before: Vec<_> = specs(&c).into_values().flatten().collect();
        if let Some(Object::Pod(p)) = c.store.get_mut(Kind::Pod, "default", &name) {
            p.spec_mut().active_deadline_seconds = Some(60);
        }
        let changed = c.store.list(Kind::Pod, Some("default")).filter_map(|o| match o {
            Object::Pod(p) => p.spec.as_ref().and_then(|s| s.active_deadline_seconds),
            _ => None,
        });
        assert_eq!(changed.count(), 1);
        // The specs as they were held before the change are as they were (copy on write).
        assert!(before.iter().all(|s| s.active_deadline_seconds.is_none()));
    }

    /// Specs no pod holds any more leave the table when it has doubled: it stays the size of
    /// what is stored, however many specs come and go.
    #[test]
    fn the_shared_specs_table_forgets_specs_no_pod_holds() {
        let pod = |name: &str, image: String| {
            Object::Pod(Box::new(crate::api::Pod {
                metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                    name: Some(name.into()),
                    namespace: Some("default".into()),
                    ..Default::default()
                },
                spec: Some(Rc::new(PodSpec {
                    containers: vec![k8s_openapi::api::core::v1::Container {
                        name: "c".into(),
                        image: Some(image),
                        ..Default::default()
                    }],
                    ..Default::default()
                })),
                status: None,
            }))
        };
        let mut s = Store::new(1);
        s.create(pod("kept", "keep:1".into()), SimTime::ZERO);
        // Clones of the store (the timeline keeps some) and objects callers hold do not keep
        // specs in this store's table.
        let mut clones = Vec::new();
        let mut held = Vec::new();
        for i in 0..1000 {
            s.create(pod("gone", format!("image:{i}")), SimTime::ZERO);
            held.push(s.get_shared(Kind::Pod, "default", "gone"));
            s.remove(Kind::Pod, "default", "gone");
            if i % 10 == 0 {
                clones.push(s.clone());
            }
            assert!(s.pod_specs_held <= 64, "{} specs held after {i} pods came and went", s.pod_specs_held);
        }
        assert!(clones.iter().all(|c| c.pod_specs_held <= 64));
        let held: Vec<_> = s.pod_specs.values().flatten().collect();
        assert!(held.iter().any(|spec| spec.containers[0].image.as_deref() == Some("keep:1")));
        // Equal specs written later share the kept one.
        s.create(pod("twin", "keep:1".into()), SimTime::ZERO);
        let spec_of = |s: &Store, n: &str| match s.get(Kind::Pod, "default", n) {
            Some(Object::Pod(p)) => p.spec.clone().unwrap(),
            _ => unreachable!(),
        };
        assert!(Rc::ptr_eq(&spec_of(&s, "kept"), &spec_of(&s, "twin")));
    }

    /// The unbound-pod index follows creates, binds, unbinds and removes.
    #[test]
    fn unbound_pods_follow_the_pods() {
        use crate::api::Pod;
        use k8s_openapi::api::core::v1::PodSpec;
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        let pod = |name: &str, node: Option<&str>| {
            Object::Pod(Box::new(Pod {
                metadata: ObjectMeta {
                    name: Some(name.into()),
                    namespace: Some("default".into()),
                    ..Default::default()
                },
                spec: Some(PodSpec { node_name: node.map(str::to_string), ..Default::default() }.into()),
                status: None,
            }))
        };
        let unbound = |s: &Store| s.unbound_pods().map(|o| o.name().to_string()).collect::<Vec<_>>();
        let mut s = Store::new(1);
        s.create(pod("b", None), SimTime::ZERO);
        s.create(pod("a", None), SimTime::ZERO);
        s.create(pod("c", Some("node-1")), SimTime::ZERO);
        assert_eq!(unbound(&s), ["a", "b"]);
        s.update(pod("a", Some("node-1")));
        assert_eq!(unbound(&s), ["b"]);
        s.update(pod("c", None));
        assert_eq!(unbound(&s), ["b", "c"]);
        if let Some(Object::Pod(p)) = s.get_mut(Kind::Pod, "default", "a") {
            p.spec_mut().node_name = None;
        }
        assert_eq!(unbound(&s), ["a", "b", "c"]);
        s.remove(Kind::Pod, "default", "b");
        assert_eq!(unbound(&s), ["a", "c"]);
    }

    /// UIDs are written as the format they replaced wrote them, every digit, at the edges of
    /// each field too.
    #[test]
    fn uids_are_written_as_formatted() {
        for (a, counter) in
            [(0, 0), (u64::MAX, u64::MAX), (0x0123_4567_89ab_cdef, 1), (0xfedc_ba98_7654_3210, 0x1_0000_0000_0fff)]
        {
            let formatted = format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                (a >> 32) as u32,
                (a >> 16) as u16,
                (a as u16) & 0xfff,
                (counter as u16) & 0xfff,
                counter & 0xffff_ffff_ffff
            );
            assert_eq!(uid_text(a, counter), formatted);
        }
        let mut s = Store::new(42);
        let uids: Vec<String> = (0..1000).map(|_| s.next_uid()).collect();
        assert!(uids.iter().all(|u| u.len() == 36 && u.as_bytes()[14] == b'4' && u.as_bytes()[19] == b'8'));
    }

    /// What the store says of the pod default/web and the indexes a write of it moves: the
    /// object, how many pods are at each of `ips`, the unbound pods, the node usage, the
    /// resourceVersion, the epochs and the pods-written log (taken).
    fn pod_state(s: &mut Store, ips: &[&str]) -> String {
        let written = s.take_pods_written(PodReader::ReplicaSets);
        format!(
            "{:?} {:?} {:?} {:?} {:?} {} {} {written:?}",
            s.get(Kind::Pod, "default", "web"),
            ips.iter().map(|ip| s.pods_at_ip(ip).len()).collect::<Vec<_>>(),
            s.unbound_pods().count(),
            s.node_usage(),
            s.resource_version,
            s.bound_pods_epoch(),
            s.usage_epoch(),
        )
    }

    /// A kubelet's status write (`edit_pod_status`, or `update_pod_status` where it cannot be
    /// made in place) leaves the store as `update` of the pod with that status does: the objects
    /// and their resourceVersions, the pods by IP, the scheduler's queue, the node usage, the
    /// epochs and the pods-written log, whether the stored pod is set in place, copied (another
    /// reader holds it) or written anew (it finishes or comes back).
    #[test]
    fn a_status_write_is_an_update_of_the_pod_with_that_status() {
        use crate::api::Pod;
        use k8s_openapi::api::core::v1::{Container, PodSpec, PodStatus, ResourceRequirements};
        use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        let spec = PodSpec {
            node_name: Some("node-1".into()),
            containers: vec![Container {
                name: "c".into(),
                resources: Some(ResourceRequirements {
                    requests: Some([("cpu".to_string(), Quantity("100m".into()))].into()),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        };
        let pod = Pod {
            metadata: ObjectMeta {
                name: Some("web".into()),
                namespace: Some("default".into()),
                labels: Some([("app".to_string(), "web".to_string())].into()),
                ..Default::default()
            },
            spec: Some(spec.into()),
            status: None,
        };
        let status = |phase: &str, ip: Option<&str>| PodStatus {
            phase: Some(phase.into()),
            pod_ip: ip.map(str::to_string),
            ..Default::default()
        };
        let (mut by_update, mut in_place) = (Store::new(1), Store::new(1));
        let mut made_in_place = 0;
        for s in [&mut by_update, &mut in_place] {
            s.create(Object::Pod(Box::new(pod.clone())), SimTime::ZERO);
            s.take_pods_written(PodReader::ReplicaSets);
        }
        let steps = [
            (status("Pending", None), false),
            (status("Running", Some("10.244.1.2")), false),
            (status("Running", Some("10.244.1.3")), true),
            (status("Succeeded", Some("10.244.1.3")), false),
            (status("Running", Some("10.244.1.4")), false),
            (status("Running", None), false),
        ];
        for (i, (st, held)) in steps.into_iter().enumerate() {
            let Some(Object::Pod(p)) = by_update.get(Kind::Pod, "default", "web").cloned() else { panic!("stored") };
            by_update.update(Object::Pod(Box::new(Pod { status: Some(st.clone()), ..*p })));
            // A reader holding the stored pod (the endpoints controller's members do).
            let reader = held.then(|| in_place.get_shared(Kind::Pod, "default", "web"));
            // As the kubelet writes it: in place if the store can, else as a new version.
            let finished = crate::controllers::scheduler::is_terminal_status(Some(&st));
            let edited = in_place.edit_pod_status("default", "web", finished, |s| {
                let changed = *s != st;
                *s = st.clone();
                changed
            });
            match edited {
                Some(changed) => {
                    assert!(changed, "step {i}");
                    made_in_place += 1;
                }
                None => in_place.update_pod_status("default", "web", st),
            }
            if let Some(Some(r)) = &reader {
                assert_ne!(
                    r.meta().resource_version,
                    in_place.get(Kind::Pod, "default", "web").unwrap().meta().resource_version,
                    "step {i}: the reader's copy is left as it was"
                );
            }
            let ips = ["10.244.1.2", "10.244.1.3", "10.244.1.4"];
            assert_eq!(pod_state(&mut in_place, &ips), pod_state(&mut by_update, &ips), "step {i}");
        }
        // Pending and the first Running in place; held, finished and revived as new versions;
        // the last in place again.
        assert_eq!(made_in_place, 3);
    }

    /// An edit of a stored pod (the scheduler's binding) leaves the store as an update of the
    /// edited copy would: the object, its version, the unbound pods, the addresses, the node
    /// usage, the epochs, the pods-written log. Only an unbound pod without an address that no
    /// one else holds is taken to be edited (its name's text stays where it was); a held one
    /// is copied, and the holder's copy is left as it was.
    #[test]
    fn an_edit_of_a_pod_is_an_update_of_the_edited_copy() {
        use crate::api::Pod;
        use k8s_openapi::api::core::v1::{Container, PodSpec, PodStatus};
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        let pod = |node: Option<&str>, ip: Option<&str>| Pod {
            metadata: ObjectMeta {
                name: Some("web".into()),
                namespace: Some("default".into()),
                labels: Some([("app".to_string(), "web".to_string())].into()),
                ..Default::default()
            },
            spec: Some(
                PodSpec {
                    node_name: node.map(str::to_string),
                    containers: vec![Container { name: "c".into(), ..Default::default() }],
                    ..Default::default()
                }
                .into(),
            ),
            status: ip.map(|ip| PodStatus { pod_ip: Some(ip.into()), ..Default::default() }),
        };
        let bind = |p: &mut Pod| {
            p.spec_mut().node_name = Some("node-2".into());
            p.status.get_or_insert_with(Default::default).phase = Some("Pending".into());
        };
        // (the pod, whether a reader holds it, whether it is taken rather than copied)
        let cases = [
            (pod(None, None), false, true),
            (pod(None, None), true, false),
            (pod(None, Some("10.244.1.9")), false, false),
            (pod(Some("node-1"), None), false, false),
        ];
        for (i, (pod, held, taken)) in cases.into_iter().enumerate() {
            let (mut by_update, mut edited) = (Store::new(1), Store::new(1));
            for s in [&mut by_update, &mut edited] {
                s.create(Object::Pod(Box::new(pod.clone())), SimTime::ZERO);
                s.take_pods_written(PodReader::ReplicaSets);
            }
            // The write's new spec prunes the table of shared specs (by the specs stored pods
            // hold): the unbound spec stays in it, as the stored pod holds it.
            for s in [&mut by_update, &mut edited] {
                s.pod_specs_prune_at = s.pod_specs_held + 1;
            }
            let Some(Object::Pod(mut copy)) = by_update.get(Kind::Pod, "default", "web").cloned() else {
                panic!("stored")
            };
            bind(&mut copy);
            by_update.update(Object::Pod(copy));
            let reader = held.then(|| edited.get_shared(Kind::Pod, "default", "web")).flatten();
            let name_at = |s: &Store| s.get(Kind::Pod, "default", "web").map(|o| o.name().as_ptr());
            let (before, stored) = (name_at(&edited), edited.get(Kind::Pod, "default", "web").cloned());
            edited.update_pod_with("default", "web", bind);
            assert_eq!(name_at(&edited) == before, taken, "case {i}: taken rather than copied");
            if let Some(r) = &reader {
                assert_eq!(Some(&**r), stored.as_ref(), "case {i}: the reader's copy stays");
            }
            // And the table of shared specs.
            let state = |s: &mut Store| {
                let pod = pod_state(s, &["10.244.1.9"]);
                let mut specs: Vec<String> = s.pod_specs.values().flatten().map(|spec| format!("{spec:?}")).collect();
                specs.sort();
                format!("{} {} {specs:?} {pod}", s.pod_specs_held, s.pod_specs_prune_at)
            };
            assert_eq!(state(&mut edited), state(&mut by_update), "case {i}");
        }
        // No such pod: nothing is written.
        let mut s = Store::new(1);
        s.update_pod_with("default", "web", |_| panic!("no pod to edit"));
        assert_eq!(s.resource_version, 0);
    }

    /// The usage epoch moves whenever what bound, unfinished pods add to their nodes may have
    /// changed, and stays on the writes that change nothing there (the scheduler keeps its node
    /// usage while it stays).
    #[test]
    fn the_usage_epoch_follows_what_pods_add_to_their_nodes() {
        use crate::api::Pod;
        use k8s_openapi::api::core::v1::{PodSpec, PodStatus};
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
        let pod = |node: Option<&str>, phase: &str| {
            Object::Pod(Box::new(Pod {
                metadata: ObjectMeta {
                    name: Some("p".into()),
                    namespace: Some("default".into()),
                    ..Default::default()
                },
                spec: Some(PodSpec { node_name: node.map(str::to_string), ..Default::default() }.into()),
                status: Some(PodStatus { phase: Some(phase.into()), ..Default::default() }),
            }))
        };
        let mut s = Store::new(1);
        let mut at = s.usage_epoch();
        let mut moved = |s: &Store| {
            let m = s.usage_epoch() != at;
            at = s.usage_epoch();
            m
        };
        s.create(pod(None, "Pending"), SimTime::ZERO);
        assert!(!moved(&s), "an unbound pod adds nothing");
        s.update(pod(Some("node-1"), "Pending"));
        assert!(moved(&s), "bound");
        let Some(Object::Pod(p)) = s.get(Kind::Pod, "default", "p").cloned() else { panic!("no pod") };
        let mut status_only = p.clone();
        status_only.status = Some(PodStatus { phase: Some("Running".into()), ..Default::default() });
        s.update(Object::Pod(status_only));
        assert!(!moved(&s), "a status write keeps the spec");
        s.update(pod(Some("node-2"), "Running"));
        assert!(moved(&s), "moved to another node");
        s.update(pod(Some("node-2"), "Succeeded"));
        assert!(moved(&s), "finished");
        s.create(pod(Some("node-2"), "Running"), SimTime::ZERO);
        assert!(moved(&s), "created again over the finished one");
        s.get_mut(Kind::Pod, "default", "p");
        assert!(moved(&s), "written in place");
        s.remove(Kind::Pod, "default", "p");
        assert!(moved(&s), "removed");
    }

    #[test]
    fn timestamps_round_trip() {
        let t = SimTime(125_000);
        assert_eq!(sim_time(&time(t)), t);
    }
}
