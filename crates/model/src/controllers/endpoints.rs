//! The EndpointSlice and Endpoints controllers (K8S-FACTS §5.3) and kube-proxy's choice of an
//! endpoint for a connection (§8.3): iptables mode picks uniformly at random among ready
//! endpoints (seeded), IPVS mode round-robins, sessionAffinity ClientIP sticks.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::store::Name;

use crate::api::Pod;
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort as CorePort, EndpointSubset, Endpoints, ObjectReference, Service, ServicePort,
    ServiceSpec,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{owner_ref, pod_is_ready};
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::controllers::replicaset::NAME_ALPHABET;

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// Who manages an EndpointSlice; the controller keeps only its own (`LabelManagedBy`).
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
/// The EndpointSlice controller's name in that label.
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
/// The mark on the slices of a Service without a cluster IP (`v1.IsHeadlessService`).
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

/// `podToEndpoint` conditions: (ready, serving, terminating).
pub fn endpoint_conditions(pod: &Pod, publish_not_ready: bool) -> (bool, bool, bool) {
    let serving = pod_is_ready(pod);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    (publish_not_ready || (serving && !terminating), serving, terminating)
}

/// `ShouldPodBeInEndpoints(pod, includeTerminating)`.
pub fn should_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
    let has_ip = pod.status.as_ref().and_then(|s| s.pod_ip.as_ref()).is_some_and(|ip| !ip.is_empty());
    phase != "Succeeded"
        && phase != "Failed"
        && has_ip
        && (include_terminating || pod.metadata.deletion_timestamp.is_none())
}

/// A Service port's target on a pod (`FindPort`, kubernetes/endpointslice utils.go): a number,
/// or the port of that name and protocol of one of the pod's containers or sidecars (init
/// containers with `restartPolicy: Always`); none when no container has it.
pub fn target_port(svc_port: &ServicePort, pod: &Pod) -> Option<i32> {
    match &svc_port.target_port {
        None => Some(svc_port.port),
        Some(IntOrString::Int(p)) => Some(*p),
        Some(IntOrString::String(name)) => {
            let protocol = svc_port.protocol.as_deref().unwrap_or("TCP");
            let spec = pod.spec.as_ref()?;
            let sidecars =
                spec.init_containers.iter().flatten().filter(|c| c.restart_policy.as_deref() == Some("Always"));
            spec.containers
                .iter()
                .chain(sidecars)
                .flat_map(|c| c.ports.iter().flatten())
                .find(|p| p.name.as_deref() == Some(name) && p.protocol.as_deref().unwrap_or("TCP") == protocol)
                .map(|p| p.container_port)
        }
    }
}

/// A pod's target for each of the Service's ports, in order (none where it has none): pods
/// with equal targets have equal endpoint ports.
fn port_numbers(spec: &ServiceSpec, pod: &Pod) -> Vec<Option<i32>> {
    spec.ports.iter().flatten().map(|sp| target_port(sp, pod)).collect()
}

/// The ports of the endpoints of pods with these targets (`getEndpointPorts`): each Service
/// port with a target, in the Service's order; none is `None`, as a slice stores it. Pods with
/// different ports go in different slices.
fn ports_for(spec: &ServiceSpec, numbers: &[Option<i32>]) -> Option<Vec<EndpointPort>> {
    let ports: Vec<EndpointPort> = spec
        .ports
        .iter()
        .flatten()
        .zip(numbers)
        .filter_map(|(sp, n)| {
            Some(EndpointPort {
                name: Some(sp.name.clone().unwrap_or_default()),
                port: Some((*n)?),
                protocol: Some(sp.protocol.clone().unwrap_or_else(|| "TCP".into())),
                app_protocol: sp.app_protocol.clone(),
            })
        })
        .collect();
    (!ports.is_empty()).then_some(ports)
}

/// A pod's endpoint ports.
fn pod_ports(spec: &ServiceSpec, pod: &Pod) -> Option<Vec<EndpointPort>> {
    ports_for(spec, &port_numbers(spec, pod))
}

/// A slice's ports as [`pod_ports`] gives them: an empty list is none.
fn ports_of(slice: &EndpointSlice) -> Option<&[EndpointPort]> {
    slice.ports.as_deref().filter(|p| !p.is_empty())
}

/// Whether a slice is the placeholder a Service without endpoints keeps: no endpoints, no ports
/// (`placeholderSliceCompare` in reconciler.go).
fn is_placeholder(slice: &EndpointSlice) -> bool {
    slice.endpoints.is_empty() && ports_of(slice).is_none()
}

/// A pod's IP ("" before it has one).
fn ip_of(p: &Pod) -> &str {
    p.status.as_ref().and_then(|s| s.pod_ip.as_deref()).unwrap_or_default()
}

/// A pod as an EndpointSlice endpoint (`podToEndpoint`).
fn endpoint(p: &Pod, publish_not_ready: bool) -> Endpoint {
    let (ready, serving, terminating) = endpoint_conditions(p, publish_not_ready);
    Endpoint {
        addresses: vec![ip_of(p).to_string()],
        conditions: Some(EndpointConditions {
            ready: Some(ready),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        node_name: p.spec.as_ref().and_then(|s| s.node_name.clone()),
        target_ref: Some(pod_ref(p)),
        ..Default::default()
    }
}

/// An endpoint's `targetRef` to its pod.
fn pod_ref(p: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        name: p.metadata.name.clone(),
        namespace: p.metadata.namespace.clone(),
        uid: p.metadata.uid.clone(),
        ..Default::default()
    }
}

/// `*r == pod_ref(p)`, without building it.
fn is_pod_ref(r: &ObjectReference, p: &Pod) -> bool {
    let ObjectReference { api_version, field_path, kind, name, namespace, resource_version, uid } = r;
    api_version.is_none()
        && field_path.is_none()
        && resource_version.is_none()
        && kind.as_deref() == Some("Pod")
        && *name == p.metadata.name
        && *namespace == p.metadata.namespace
        && *uid == p.metadata.uid
}

/// A pod as a v1 Endpoints address (`podToEndpointAddressForService`).
fn address(p: &Pod) -> EndpointAddress {
    EndpointAddress {
        ip: ip_of(p).to_string(),
        node_name: p.spec.as_ref().and_then(|s| s.node_name.clone()),
        target_ref: Some(pod_ref(p)),
        ..Default::default()
    }
}

/// `*a == address(p)`, without building it: every sync of a Service compares its Endpoints
/// object's (up to 1,000) addresses, and most find them as they were.
fn address_is(a: &EndpointAddress, p: &Pod) -> bool {
    let EndpointAddress { hostname, ip, node_name, target_ref } = a;
    let same = hostname.is_none()
        && *ip == ip_of(p)
        && node_name.as_deref() == p.spec.as_ref().and_then(|s| s.node_name.as_deref())
        && target_ref.as_ref().is_some_and(|r| is_pod_ref(r, p));
    debug_assert_eq!(same, *a == address(p), "address_is disagrees with address()");
    same
}

/// `*e == endpoint(p, publish_not_ready)`, without building it: a sync compares every
/// endpoint of every slice, and at 150,000 pods building them all to compare was most of the
/// endpoints controller's time (docs/benchmarks.md). Every field is named, so a field added to
/// the type does not go unnoticed; debug builds check the answer against the built endpoint.
fn endpoint_is(e: &Endpoint, p: &Pod, publish_not_ready: bool) -> bool {
    let Endpoint { addresses, conditions, deprecated_topology, hints, hostname, node_name, target_ref, zone } = e;
    let (ready, serving, terminating) = endpoint_conditions(p, publish_not_ready);
    let same_ref = target_ref.as_ref().is_some_and(|r| is_pod_ref(r, p));
    let same = addresses.len() == 1
        && addresses[0] == ip_of(p)
        && *conditions
            == Some(EndpointConditions { ready: Some(ready), serving: Some(serving), terminating: Some(terminating) })
        && deprecated_topology.is_none()
        && hints.is_none()
        && hostname.is_none()
        && node_name.as_deref() == p.spec.as_ref().and_then(|s| s.node_name.as_deref())
        && same_ref
        && zone.is_none();
    debug_assert_eq!(same, *e == endpoint(p, publish_not_ready), "endpoint_is disagrees with endpoint()");
    same
}

/// One routable endpoint of a Service, as kube-proxy's rules hold it: an address and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// The pod the endpoint's `targetRef` names, (namespace, name). What answers is whatever
    /// has the address when a connection is made ([`Cluster::pod_answering`]).
    pub target: Option<(String, String)>,
    pub ip: String,
    pub port: i32,
    /// `IP:port`, as kube-proxy's rules key it and a request's record names it.
    pub addr: crate::store::Name,
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

/// kube-controller-manager's `--max-endpoints-per-slice` default: "By default, the control
/// plane creates and manages EndpointSlices to have no more than 100 endpoints each"
/// (kubernetes.io, Concepts > Services > EndpointSlices).
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

/// The v1 Endpoints controller's `maxCapacity`: an Endpoints object holds at most 1,000
/// addresses; the rest are cut and the object is annotated (pkg/controller/endpoint,
/// endpoints_controller.go, `truncateEndpoints`). EndpointSlices hold them all.
pub const MAX_ENDPOINTS_CAPACITY: usize = 1000;
/// `v1.EndpointsOverCapacity`; its value is "truncated".
pub const OVER_CAPACITY_ANNOTATION: &str = "endpoints.kubernetes.io/over-capacity";

/// What the endpoints controller knows of a Service between syncs, as upstream's keeps in its
/// informers' caches and its EndpointSlice tracker: the pods with endpoints and the slice each
/// is in, and the versions of what it wrote.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServiceEndpoints {
    /// The Service's resourceVersion when synced: any change to it starts over.
    service_version: Option<String>,
    /// The EndpointSlice and Endpoints change counters after the sync's writes.
    written: (u64, u64),
    /// The Endpoints object's resourceVersion after the sync.
    endpoints_version: Option<String>,
    /// Its slices in name order: their resourceVersion and their endpoints' pods, in order.
    slices: BTreeMap<Rc<str>, SliceState>,
    /// Each pod with an endpoint: the pod as last read, and its slice.
    members: Members,
    /// The v1 Endpoints' candidates, ready and not ready, by (IP, UID, name).
    v1: [BTreeSet<V1Key>; 2],
    /// New endpoints' pods for the slices a sync creates (named when created), with their ports.
    unplaced: Vec<(Option<Vec<EndpointPort>>, Vec<Name>)>,
    /// Syncs from the pods written since the last one from the whole list.
    syncs_since_whole_list: u64,
}

#[derive(Clone, Debug)]
struct SliceState {
    version: Option<String>,
    /// Its ports (as [`pod_ports`] gives them): its pods have these.
    ports: Option<Vec<EndpointPort>>,
    pods: Vec<Name>,
}

/// A pod with an endpoint, as the controller last read it: its slice, and what finds its place
/// among the v1 Endpoints' candidates. Not the pod itself: the store's copy is the one read (the
/// pods written since the last sync are read again, the others are as they were), and a
/// controller holding every pod made each kubelet status write copy the pod's metadata for a
/// new version instead of setting its status in place (`Store::edit_pod_status`).
#[derive(Clone, Debug)]
struct Member {
    slice: Rc<str>,
    uid: Option<Rc<str>>,
    ip: Name,
    /// Among the v1 Endpoints' candidates (`ShouldPodBeInEndpoints` with the Service's
    /// publishNotReadyAddresses): in the ready list or not.
    v1_ready: Option<bool>,
}

impl Member {
    fn of(p: &Pod, slice: Rc<str>, publish: bool) -> Member {
        Member {
            slice,
            uid: p.metadata.uid.as_deref().map(Rc::from),
            ip: Name::from(ip_of(p)),
            v1_ready: v1_ready(p, publish),
        }
    }

    /// Its key among the v1 Endpoints' candidates, if it is one.
    fn v1_key(&self, name: &Name) -> Option<(bool, V1Key)> {
        let ready = self.v1_ready?;
        Some((ready, V1Key::new(self.ip.clone(), self.uid.clone(), name.clone())))
    }

    /// Files it among the v1 Endpoints' candidates (`insert`), or takes it out.
    fn v1_file(&self, v1: &mut [BTreeSet<V1Key>; 2], name: &Name, insert: bool) {
        let Some((ready, key)) = self.v1_key(name) else { return };
        let set = &mut v1[usize::from(!ready)];
        if insert {
            set.insert(key);
        } else {
            set.remove(&key);
        }
    }

    /// Whether the pod read again is the member as it is (most writes are the kubelet's, which
    /// leave its place among the v1 Endpoints' candidates as it was).
    fn is(&self, p: &Pod, publish: bool) -> bool {
        v1_ready(p, publish) == self.v1_ready
            && *self.ip == *ip_of(p)
            && self.uid.as_deref() == p.metadata.uid.as_deref()
    }
}

/// The pods with endpoints, by name: a hash table for the lookups of every pod written (a
/// B-tree compared the pods' long shared name prefixes at each of its levels, at 150,000 pods a
/// third of the controller's time), and the names in order beside it for the smallest.
#[derive(Clone, Debug, Default)]
struct Members {
    by_name: crate::fingerprint::LookupMap<Name, Member>,
    names: BTreeSet<Name>,
}

impl Members {
    fn get(&self, name: &str) -> Option<&Member> {
        self.by_name.get(name)
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Member> {
        self.by_name.get_mut(name)
    }

    fn insert(&mut self, name: Name, m: Member) {
        if self.by_name.insert(name.clone(), m).is_none() {
            self.names.insert(name);
        }
    }

    /// A member with its name as the table holds it.
    fn get_key_value(&self, name: &str) -> Option<(&Name, &Member)> {
        self.by_name.get_key_value(name)
    }

    fn remove(&mut self, name: &str) -> Option<(Name, Member)> {
        let entry = self.by_name.remove_entry(name)?;
        self.names.remove(name);
        Some(entry)
    }

    /// The smallest name.
    fn first(&self) -> Option<&str> {
        self.names.first().map(|n| &**n)
    }

    fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_name.len()
    }
}

/// A pod's place in the v1 Endpoints' lists: ordered by (IP, UID, name), as the controller
/// sorts addresses. The IP's first 16 bytes come first as a number, which orders as the bytes
/// do (a shorter IP is zero-padded, and no IP holds a zero byte): at 150,000 pods, comparing
/// the IPs' shared "10.244." prefix byte by byte at every level of the set was a tenth of the
/// controller's time. Ties on those bytes (IPv6) fall to the whole IP.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
/// Its IP and name are copies of the member's (inline; see `store::Name`), its UID shared.
struct V1Key {
    ip_prefix: u128,
    ip: Name,
    uid: Option<Rc<str>>,
    name: Name,
}

impl V1Key {
    fn new(ip: Name, uid: Option<Rc<str>>, name: Name) -> Self {
        let mut head = [0u8; 16];
        let n = ip.len().min(16);
        head[..n].copy_from_slice(&ip.as_bytes()[..n]);
        V1Key { ip_prefix: u128::from_be_bytes(head), ip, uid, name }
    }
}

/// Slices with their names.
type NamedSlices<'a> = Vec<(&'a str, &'a EndpointSlice)>;

/// A sync's writes: the slices in order, then the Endpoints object.
#[derive(Debug, PartialEq)]
struct EndpointsPlan {
    slices: Vec<SliceWrite>,
    endpoints: Option<EndpointsWrite>,
}

#[derive(Debug, PartialEq)]
enum SliceWrite {
    Remove(String),
    /// A slice's new ports and endpoints.
    Update(String, Option<Vec<EndpointPort>>, Vec<Endpoint>),
    /// A new slice: its ports and endpoints.
    Create(Option<Vec<EndpointPort>>, Vec<Endpoint>),
}

#[derive(Debug, PartialEq)]
struct EndpointsWrite {
    subsets: Option<Vec<EndpointSubset>>,
    over_capacity: bool,
}

/// The namespace of the pods a Service selects: its own.
fn pods_namespace(svc: &Service) -> &str {
    svc.metadata.namespace.as_deref().unwrap_or("default")
}

/// Whether a Service's selector (map form) selects a pod.
fn selects(selector: &BTreeMap<String, String>, p: &Pod) -> bool {
    let labels = p.metadata.labels.as_ref();
    selector.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// Which of the v1 Endpoints' lists a pod goes in, if any: ready or not ready, when
/// `ShouldPodBeInEndpoints(pod, publishNotReadyAddresses)` (and then by IP, UID and name).
fn v1_ready(p: &Pod, publish: bool) -> Option<bool> {
    should_be_in_endpoints(p, publish).then(|| publish || pod_is_ready(p))
}

/// kube-proxy's reading of one EndpointSlice for a Service port (`newEndpointSliceInfo`,
/// `endpointInfoByServicePort` and `addEndpoints` in kubernetes/kubernetes
/// pkg/proxy/endpointslicecache.go): the slice's ports of the Service port's name and protocol
/// (a port without a number gives nothing), and for each, every endpoint's first address with
/// that port, keyed `IP:port`; `ready` and `serving` unset count as true, `terminating` unset as
/// false. (A slice's endpoints with the same key: the first one counts.)
fn slice_backends(ns: &str, slice: &EndpointSlice, sp: &ServicePort) -> Vec<(Name, Backend)> {
    let name = sp.name.as_deref().unwrap_or_default();
    let protocol = sp.protocol.as_deref().unwrap_or("TCP");
    let mut ports: Vec<i32> = slice
        .ports
        .iter()
        .flatten()
        .filter(|p| p.name.as_deref() == Some(name) && p.protocol.as_deref().unwrap_or("TCP") == protocol)
        .filter_map(|p| p.port.filter(|&n| n != 0))
        .collect();
    ports.sort_unstable();
    let mut out = Vec::new();
    for port in ports {
        for e in &slice.endpoints {
            let Some(ip) = e.addresses.first() else { continue };
            let c = e.conditions.as_ref();
            let target = e
                .target_ref
                .as_ref()
                .filter(|r| r.kind.as_deref() == Some("Pod"))
                .and_then(|r| Some((r.namespace.clone().unwrap_or_else(|| ns.to_string()), r.name.clone()?)));
            let backend = Backend {
                target,
                ip: ip.clone(),
                port,
                addr: smol_str::format_smolstr!("{ip}:{port}"),
                ready: c.and_then(|c| c.ready) != Some(false),
                serving: c.and_then(|c| c.serving) != Some(false),
                terminating: c.and_then(|c| c.terminating) == Some(true),
            };
            out.push((backend.addr.clone(), backend));
        }
    }
    out
}

/// The labels a Service's slices carry (`setEndpointSliceLabels`): the Service's own, but for
/// the reserved ones; the headless mark when it has no cluster IP; its name and the controller's.
fn slice_labels(svc: &Service) -> BTreeMap<String, String> {
    let mut labels = unreserved_labels(&svc.metadata.labels);
    let cluster_ip = svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()).unwrap_or_default();
    if cluster_ip.is_empty() || cluster_ip == "None" {
        labels.insert(HEADLESS_LABEL.to_string(), String::new());
    }
    labels.insert(SERVICE_NAME_LABEL.to_string(), svc.metadata.name.clone().unwrap_or_default());
    labels.insert(MANAGED_BY_LABEL.to_string(), CONTROLLER_NAME.to_string());
    labels
}

/// `isReservedLabelKey`: the labels the controller sets itself.
fn is_reserved_label(key: &str) -> bool {
    key == SERVICE_NAME_LABEL || key == MANAGED_BY_LABEL || key == HEADLESS_LABEL
}

/// Whether a slice's labels, but for the reserved ones, differ from its Service's (then the
/// reconciler updates it: `reconcileByPortMapping`).
fn labels_changed(slice: &EndpointSlice, svc: &Service) -> bool {
    unreserved_labels(&slice.metadata.labels) != unreserved_labels(&svc.metadata.labels)
}

/// Labels but for the reserved ones.
fn unreserved_labels(labels: &Option<BTreeMap<String, String>>) -> BTreeMap<String, String> {
    labels.iter().flatten().filter(|(k, _)| !is_reserved_label(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// A sync's slice writes in upstream's order (`finalize` in reconciler.go): a slice to create
/// takes the name of one to delete instead, as an update (the last create the first delete;
/// never a `foreign` one); then the creates, the updates and the deletes.
fn slice_writes(
    foreign: Vec<String>,
    removes: Vec<String>,
    mut updates: Vec<SliceWrite>,
    mut creates: Vec<(Option<Vec<EndpointPort>>, Vec<Endpoint>)>,
) -> Vec<SliceWrite> {
    let mut removes = removes.into_iter();
    while !creates.is_empty()
        && let Some(slice_name) = removes.next()
    {
        let Some((ports, list)) = creates.pop() else { break };
        updates.push(SliceWrite::Update(slice_name, ports, list));
    }
    let mut writes: Vec<SliceWrite> =
        creates.into_iter().map(|(ports, list)| SliceWrite::Create(ports, list)).collect();
    writes.extend(updates);
    writes.extend(foreign.into_iter().chain(removes).map(SliceWrite::Remove));
    writes
}

fn version_of(o: &Object) -> Option<String> {
    version_of_meta(o.meta())
}

fn version_of_meta(m: &ObjectMeta) -> Option<String> {
    m.resource_version.clone()
}

impl Cluster {
    /// The pods a Service selects, in store order (none without a selector).
    fn service_pod_refs<'a>(&'a self, svc: &'a Service) -> impl Iterator<Item = &'a Pod> + 'a {
        let ns = pods_namespace(svc);
        let selector = svc.spec.as_ref().and_then(|s| s.selector.as_ref()).filter(|s| !s.is_empty());
        self.store.list(Kind::Pod, Some(ns)).filter_map(move |o| match (o, selector) {
            (Object::Pod(p), Some(sel)) => selects(sel, p).then_some(&**p),
            _ => None,
        })
    }

    /// The endpoints of a Service's `port` as kube-proxy reads them from the Service's
    /// EndpointSlices (whoever wrote them: the controller, or a user for a Service without a
    /// selector), one per `IP:port` and in that string's order (`byEndpoint`), as its rules list
    /// them. Where slices repeat an address, the first slice by name gives it.
    pub fn backends(&self, ns: &str, svc_name: &str, port: i32) -> Vec<Backend> {
        let Some((_, sp)) = self.service_port(ns, svc_name, port) else { return Vec::new() };
        let mut all: BTreeMap<Name, Backend> = BTreeMap::new();
        for (_, slice) in self.proxied_slices(ns, svc_name) {
            for (key, b) in slice_backends(ns, slice, &sp) {
                all.entry(key).or_insert(b);
            }
        }
        all.into_values().collect()
    }

    /// The EndpointSlices labelled with a Service's name, whoever manages them, in name order.
    pub(crate) fn labelled_slices<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a EndpointSlice)> {
        self.store.list(Kind::EndpointSlice, Some(ns)).filter_map(move |o| match o {
            Object::EndpointSlice(s)
                if s.metadata.labels.as_ref().and_then(|l| l.get(SERVICE_NAME_LABEL)).map(String::as_str)
                    == Some(name) =>
            {
                Some((o.name(), &**s))
            }
            _ => None,
        })
    }

    /// The EndpointSlices kube-proxy reads for a Service: those labelled with its name, of IPv4
    /// addresses (its address family), whoever manages them, in name order.
    fn proxied_slices<'a>(&'a self, ns: &'a str, name: &'a str) -> impl Iterator<Item = (&'a str, &'a EndpointSlice)> {
        self.labelled_slices(ns, name).filter(|(_, s)| s.address_type == "IPv4")
    }

    /// The pod that answers at an endpoint's address now: the one its `targetRef` names if
    /// that pod has the address, else a pod that has it and has not finished (pod IPs are the
    /// cluster's, not a namespace's); none when no pod has it.
    pub(crate) fn pod_answering(&self, b: &Backend) -> Option<&Object> {
        let running_at = |o: &&Object| match o {
            Object::Pod(p) => {
                let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
                ip_of(p) == b.ip && !matches!(phase, Some("Succeeded" | "Failed"))
            }
            _ => false,
        };
        let target = b.target.as_ref().and_then(|(ns, name)| self.store.get(Kind::Pod, ns, name));
        target.filter(running_at).or_else(|| self.store.pods_at_ip(&b.ip).into_iter().find(running_at))
    }

    /// A Service and its port `port`.
    pub(crate) fn service_port(&self, ns: &str, svc_name: &str, port: i32) -> Option<(&Service, ServicePort)> {
        let Some(Object::Service(svc)) = self.store.get(Kind::Service, ns, svc_name) else { return None };
        let sp = svc.spec.as_ref()?.ports.as_ref()?.iter().find(|p| p.port == port)?.clone();
        Some((svc, sp))
    }

    pub(crate) fn sync_endpoints(&mut self) {
        // The pods written since the last pass, as the controller's pod informer delivers them.
        let written = self.store.take_pods_written(crate::store::PodReader::Endpoints);
        let services: Vec<Rc<Object>> = self.store.list_shared(Kind::Service, None).collect();
        let mut synced = BTreeSet::new();
        for o in &services {
            let Object::Service(svc) = &**o else { continue };
            if svc.spec.as_ref().and_then(|s| s.selector.as_ref()).is_none_or(|s| s.is_empty()) {
                continue; // Endpoints of a selector-less Service are the user's to write.
            }
            synced.insert((o.namespace().to_string(), o.name().to_string()));
            self.sync_service_endpoints(svc, &written);
        }
        // What it knew of Services it no longer syncs is forgotten.
        self.endpoints_state.retain(|k, _| synced.contains(k));
        // Endpoints objects of deleted Services (slices go with their owner through the GC).
        let orphaned: Vec<(String, String)> = self
            .store
            .list(Kind::Endpoints, None)
            .filter(|o| !self.store.contains(Kind::Service, o.namespace(), o.name()))
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect();
        for (ns, name) in orphaned {
            self.store.remove(Kind::Endpoints, &ns, &name);
        }
    }

    /// One Service's sync. What the controller knows from its last sync (the pods with endpoints
    /// and the slice each is in) lets it read only the pods written since, as upstream's does from
    /// its informers' events: at 150,000 pods, reading them all each pass was the controller's
    /// whole cost. It starts over from the whole list when it knows nothing yet, or when the
    /// Service or what it wrote was changed by anything else. Debug builds check every such
    /// sync against one from the whole list.
    fn sync_service_endpoints(&mut self, svc: &Service, written: &crate::store::PodsWritten) {
        let ns = svc.metadata.namespace.clone().unwrap_or_default();
        let name = svc.metadata.name.clone().unwrap_or_default();
        let key = (ns.clone(), name.clone());
        let known = self.endpoints_state.remove(&key).filter(|st| self.endpoints_state_holds(st, svc, &ns, &name));
        let pods_ns = pods_namespace(svc);
        let since = written.in_namespace(pods_ns);
        let from_written = known.and_then(|mut st| Some((self.plan_endpoints_since(&mut st, svc, &ns, since)?, st)));
        let (plan, known) = match from_written {
            Some((plan, mut st)) => {
                debug_assert_eq!(
                    plan,
                    self.plan_endpoints(svc),
                    "{ns}/{name}: the sync from the pods written disagrees"
                );
                st.syncs_since_whole_list += 1;
                (plan, Some(st))
            }
            None => (self.plan_endpoints(svc), None),
        };
        let updated: Vec<String> = plan
            .slices
            .iter()
            .filter_map(|w| match w {
                SliceWrite::Update(n, ..) => Some(n.clone()),
                _ => None,
            })
            .collect();
        let created = self.write_endpoints(svc, &ns, &name, plan);
        let state = match known {
            Some(mut st) => {
                let version = |c: &Cluster, slice_name: &str| {
                    c.store.get(Kind::EndpointSlice, &ns, slice_name).and_then(version_of)
                };
                for slice_name in updated {
                    if let Some(s) = st.slices.get_mut(slice_name.as_str()) {
                        s.version = version(self, &slice_name);
                    }
                }
                for (slice_name, (ports, pods)) in created.into_iter().zip(std::mem::take(&mut st.unplaced)) {
                    let slice_name: Rc<str> = slice_name.into();
                    for p in &pods {
                        if let Some(m) = st.members.get_mut(p.as_str()) {
                            m.slice = Rc::clone(&slice_name);
                        }
                    }
                    let version = version(self, &slice_name);
                    st.slices.insert(Rc::clone(&slice_name), SliceState { version, ports, pods });
                }
                st.written = (self.store.changes(Kind::EndpointSlice), self.store.changes(Kind::Endpoints));
                st.endpoints_version = self.store.get(Kind::Endpoints, &ns, &name).and_then(version_of);
                st
            }
            None => self.endpoints_state_from_store(svc, &ns, &name),
        };
        self.endpoints_state.insert(key, state);
    }

    /// Whether what the controller remembers of a Service's endpoints still holds: the Service is
    /// the one it synced, and its slices and Endpoints are the ones it wrote (nothing else
    /// wrote either kind since, or its own are as it left them).
    fn endpoints_state_holds(&self, st: &ServiceEndpoints, svc: &Service, ns: &str, name: &str) -> bool {
        if st.service_version != svc.metadata.resource_version || st.slices.is_empty() {
            return false;
        }
        if st.written == (self.store.changes(Kind::EndpointSlice), self.store.changes(Kind::Endpoints)) {
            return true;
        }
        let theirs = self.service_slices(ns, name).map(|(n, s)| (n, version_of_meta(&s.metadata)));
        let mine = st.slices.iter().map(|(n, s)| (&**n, s.version.clone()));
        mine.eq(theirs) && st.endpoints_version == self.store.get(Kind::Endpoints, ns, name).and_then(version_of)
    }

    /// The EndpointSlices the controller keeps for a Service (labelled with its name and as
    /// managed by the controller; a slice someone else manages is theirs), in name order.
    fn service_slices<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a EndpointSlice)> + 'a {
        self.labelled_slices(ns, name).filter(|(_, s)| {
            s.metadata.labels.as_ref().and_then(|l| l.get(MANAGED_BY_LABEL)).map(String::as_str)
                == Some(CONTROLLER_NAME)
        })
    }

    /// The sync from the whole list: every pod the Service selects.
    fn plan_endpoints(&self, svc: &Service) -> EndpointsPlan {
        let ns = svc.metadata.namespace.as_deref().unwrap_or_default();
        let name = svc.metadata.name.as_deref().unwrap_or_default();
        let spec = svc.spec.clone().unwrap_or_default();
        let publish = spec.publish_not_ready_addresses.unwrap_or(false);
        let pods: Vec<&Pod> = self.service_pod_refs(svc).filter(|p| should_be_in_endpoints(p, true)).collect();
        // Each pod's ports, as a number among the Service's distinct port lists (in the order
        // the pods, in name order, first have them): as upstream's reconciler groups the
        // desired endpoints by port map, each slice holds pods of one port list.
        // (Found by their targets: a pod's ports are made only for the first of each list.)
        let mut port_lists: Vec<Option<Vec<EndpointPort>>> = Vec::new();
        let mut list_by_targets: BTreeMap<Vec<Option<i32>>, usize> = BTreeMap::new();
        let list_of: Vec<usize> = pods
            .iter()
            .map(|p| {
                *list_by_targets.entry(port_numbers(&spec, p)).or_insert_with_key(|targets| {
                    port_lists.push(ports_for(&spec, targets));
                    port_lists.len() - 1
                })
            })
            .collect();
        let v1_ports = port_lists.first().cloned().flatten().unwrap_or_default();
        // The v1 Endpoints object (endpoints_controller.go, syncService): the pods
        // `ShouldPodBeInEndpoints(pod, publishNotReadyAddresses)` keeps, ready addresses and
        // not-ready ones, each sorted by IP then UID (`RepackSubsets` -> `LessEndpointAddress`),
        // and at most `maxCapacity` of them (`truncateEndpoints`: ready ones first), with the
        // over-capacity annotation when some were cut. Only the kept addresses are built.
        let by_ip_and_uid = |a: &&Pod, b: &&Pod| {
            ip_of(a).cmp(ip_of(b)).then_with(|| a.metadata.uid.as_deref().cmp(&b.metadata.uid.as_deref()))
        };
        let (mut ready, mut not_ready): (Vec<&Pod>, Vec<&Pod>) = pods
            .iter()
            .copied()
            .filter(|p| should_be_in_endpoints(p, publish))
            .partition(|p| publish || pod_is_ready(p));
        let over_capacity = ready.len() + not_ready.len() > MAX_ENDPOINTS_CAPACITY;
        let not_ready_kept = MAX_ENDPOINTS_CAPACITY.saturating_sub(ready.len());
        for (list, keep) in [(&mut ready, MAX_ENDPOINTS_CAPACITY), (&mut not_ready, not_ready_kept)] {
            if list.len() > keep {
                if keep > 0 {
                    list.select_nth_unstable_by(keep - 1, by_ip_and_uid);
                }
                list.truncate(keep);
            }
            list.sort_unstable_by(by_ip_and_uid);
        }
        let endpoints = self.endpoints_write(ns, name, &ready, &not_ready, over_capacity, &v1_ports);
        // The EndpointSlices: at most MAX_ENDPOINTS_PER_SLICE endpoints each, of one port list.
        // As upstream's reconciler does, an endpoint stays in the slice it is in while its ports
        // are the slice's, new ones fill the slices of their ports with room (in name order) and
        // then new slices `<service>-<5 chars>`. Emptied slices, and slices of ports no pod has,
        // are deleted. A Service without endpoints keeps one placeholder slice, without ports.
        // A slice of another address type, or not owned by this Service (one left from a
        // Service of the same name), is deleted and never reused (`reconcileByAddressType`).
        let uid = svc.metadata.uid.as_deref();
        let (slices, foreign): (NamedSlices, NamedSlices) = self.service_slices(ns, name).partition(|(_, s)| {
            s.address_type == "IPv4"
                && s.metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|o| o.kind == "Service" && o.api_version == "v1" && Some(o.uid.as_str()) == uid)
        });
        let foreign: Vec<String> = foreign.into_iter().map(|(n, _)| n.to_string()).collect();
        fn pod_of(e: &Endpoint) -> &str {
            e.target_ref.as_ref().and_then(|r| r.name.as_deref()).unwrap_or_default()
        }
        // Each desired endpoint by its pod (position in `pods`, which is in name order), placed
        // once. Slices hold pod positions; an endpoint is built only for a slice that is written.
        let mut taken = vec![false; pods.len()];
        let position =
            |pod: &str| pods.binary_search_by(|p| p.metadata.name.as_deref().unwrap_or_default().cmp(pod)).ok();
        // A slice's port list, if a pod has it.
        let slice_list: Vec<Option<usize>> =
            slices.iter().map(|(_, s)| port_lists.iter().position(|l| l.as_deref() == ports_of(s))).collect();
        let mut placed: Vec<Vec<usize>> = slices
            .iter()
            .zip(&slice_list)
            .map(|((_, s), list)| {
                let Some(list) = *list else { return Vec::new() };
                s.endpoints
                    .iter()
                    .filter_map(|e| {
                        position(pod_of(e)).filter(|&i| list_of[i] == list && !std::mem::replace(&mut taken[i], true))
                    })
                    .collect()
            })
            .collect();
        // The pods not placed yet, by port list.
        let mut untaken: Vec<Vec<usize>> = vec![Vec::new(); port_lists.len()];
        for i in (0..pods.len()).filter(|&i| !taken[i]) {
            untaken[list_of[i]].push(i);
        }
        let mut rest: Vec<std::vec::IntoIter<usize>> = untaken.into_iter().map(Vec::into_iter).collect();
        for (list, slice_ports) in placed.iter_mut().zip(&slice_list) {
            let Some(rest) = slice_ports.map(|l| &mut rest[l]) else { continue };
            while list.len() < MAX_ENDPOINTS_PER_SLICE
                && let Some(i) = rest.next()
            {
                list.push(i);
            }
        }
        let (mut removes, mut updates, mut creates) = (Vec::new(), Vec::new(), Vec::new());
        for ((slice_name, cur), list) in slices.iter().zip(&placed) {
            if list.is_empty() {
                removes.push(slice_name.to_string());
                continue;
            }
            let same = cur.endpoints.len() == list.len()
                && cur.endpoints.iter().zip(list).all(|(e, &i)| endpoint_is(e, pods[i], publish))
                && !labels_changed(cur, svc);
            if !same {
                let list = list.iter().map(|&i| endpoint(pods[i], publish)).collect();
                updates.push(SliceWrite::Update(slice_name.to_string(), cur.ports.clone(), list));
            }
        }
        for (ports, rest) in port_lists.iter().zip(rest) {
            for chunk in rest.collect::<Vec<usize>>().chunks(MAX_ENDPOINTS_PER_SLICE) {
                creates.push((ports.clone(), chunk.iter().map(|&i| endpoint(pods[i], publish)).collect()));
            }
        }
        // No endpoints: the placeholder stays if it is the one slice, else one is made
        // (`reconcileByAddressType`).
        if pods.is_empty() {
            match slices[..] {
                [(_, only)] if is_placeholder(only) && !labels_changed(only, svc) => removes.clear(),
                _ => creates.push((None, Vec::new())),
            }
        }
        EndpointsPlan { slices: slice_writes(foreign, removes, updates, creates), endpoints }
    }

    /// The sync from the pods written since the last one (`written`, in name order), given what
    /// the controller knew then (`st`, brought up to date). Same rules, same answer as
    /// [`Cluster::plan_endpoints`]. None when that takes the whole list: a new endpoint whose
    /// ports are not the ones all the slices have (or there is only the placeholder), or the
    /// last endpoint gone.
    fn plan_endpoints_since<'a>(
        &self,
        st: &mut ServiceEndpoints,
        svc: &Service,
        ns: &str,
        written: impl Iterator<Item = &'a str>,
    ) -> Option<EndpointsPlan> {
        let spec = svc.spec.clone().unwrap_or_default();
        let publish = spec.publish_not_ready_addresses.unwrap_or(false);
        let selector = spec.selector.clone().unwrap_or_default();
        let ServiceEndpoints { slices, members, v1, unplaced, .. } = st;
        let mut touched: BTreeSet<Rc<str>> = BTreeSet::new();
        // New endpoints' pods, in name order, by their ports (each list in the order first met).
        let mut fresh: Vec<(Option<Vec<EndpointPort>>, std::collections::VecDeque<Name>)> = Vec::new();
        let mut changed = false;
        for pod_name in written {
            let now = match self.store.get(Kind::Pod, pods_namespace(svc), pod_name) {
                Some(Object::Pod(p)) if selects(&selector, p) && should_be_in_endpoints(p, true) => Some(&**p),
                _ => None,
            };
            // Another pod of the same name stays in its slice only if it has the slice's ports.
            if let Some(p) = now
                && let Some(m) = members.get(pod_name)
                && m.uid.as_deref() != p.metadata.uid.as_deref()
                && slices.get(&*m.slice).is_none_or(|s| s.ports != pod_ports(&spec, p))
            {
                return None;
            }
            match (members.get_key_value(pod_name), now) {
                (None, None) => {}
                (Some((name, m)), Some(p)) => {
                    // Written since the last sync: its slice is compared again below.
                    touched.insert(Rc::clone(&m.slice));
                    if !m.is(p, publish) {
                        let name = name.clone();
                        m.v1_file(v1, &name, false);
                        let m = Member::of(p, Rc::clone(&m.slice), publish);
                        m.v1_file(v1, &name, true);
                        members.insert(name, m);
                    }
                    changed = true;
                }
                (Some(_), None) => {
                    let Some((name, m)) = members.remove(pod_name) else { unreachable!("found above") };
                    m.v1_file(v1, &name, false);
                    if let Some(s) = slices.get_mut(&*m.slice) {
                        s.pods.retain(|p| p != pod_name);
                    }
                    touched.insert(m.slice);
                    changed = true;
                }
                (None, Some(p)) => {
                    let name = Name::from(pod_name);
                    let m = Member::of(p, Rc::from(""), publish);
                    m.v1_file(v1, &name, true);
                    let ports = pod_ports(&spec, p);
                    match fresh.iter_mut().find(|(l, _)| *l == ports) {
                        Some((_, names)) => names.push_back(name.clone()),
                        None => fresh.push((ports, [name.clone()].into())),
                    }
                    members.insert(name, m);
                    changed = true;
                }
            }
        }
        *unplaced = Vec::new();
        if !changed {
            return Some(EndpointsPlan { slices: Vec::new(), endpoints: None });
        }
        if members.is_empty() {
            return None; // the placeholder's turn
        }
        // New endpoints fill the slices of their ports with room, in name order, then new
        // slices.
        for (slice_name, s) in slices.iter_mut() {
            let Some((_, names)) = fresh.iter_mut().find(|(l, _)| *l == s.ports) else { continue };
            while s.pods.len() < MAX_ENDPOINTS_PER_SLICE
                && let Some(p) = names.pop_front()
            {
                if let Some(m) = members.get_mut(&p) {
                    m.slice = Rc::clone(slice_name);
                }
                s.pods.push(p);
                touched.insert(Rc::clone(slice_name));
            }
        }
        fresh.retain(|(_, names)| !names.is_empty());
        if fresh.len() > 1 {
            // New slices of several port lists: in the order the lists' first pods (by name,
            // among all the Service's endpoints) come, as the sync from the whole list meets
            // them.
            let first_of = |ports: &Option<Vec<EndpointPort>>, names: &std::collections::VecDeque<Name>| {
                let placed = slices.values().filter(|s| s.ports == *ports).flat_map(|s| s.pods.iter());
                placed.chain(names.iter()).min().cloned()
            };
            let mut keyed: Vec<_> =
                fresh.into_iter().map(|(ports, names)| (first_of(&ports, &names), ports, names)).collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            fresh = keyed.into_iter().map(|(_, ports, names)| (ports, names)).collect();
        }
        for (ports, names) in fresh {
            let names = Vec::from(names);
            for chunk in names.chunks(MAX_ENDPOINTS_PER_SLICE) {
                unplaced.push((ports.clone(), chunk.to_vec()));
            }
        }
        // A slice to delete takes the last new slice's endpoints instead (`finalize`), as the
        // sync from the whole list does in `slice_writes`.
        let emptied: Vec<Rc<str>> =
            slices.iter().filter(|(_, s)| s.pods.is_empty()).map(|(n, _)| Rc::clone(n)).collect();
        let mut recycled: Vec<Rc<str>> = Vec::new();
        for slice_name in emptied {
            let Some((ports, pods)) = unplaced.pop() else { break };
            for p in &pods {
                if let Some(m) = members.get_mut(p.as_str()) {
                    m.slice = Rc::clone(&slice_name);
                }
            }
            if let Some(s) = slices.get_mut(&slice_name) {
                *s = SliceState { version: s.version.clone(), ports, pods };
            }
            recycled.push(slice_name);
        }
        // A member's pod: the store's, which is the one last read (every pod written since the
        // last sync was read again above).
        let pod = |name: &str| {
            let m = members.get(name)?;
            let Some(Object::Pod(p)) = self.store.get(Kind::Pod, pods_namespace(svc), name) else { return None };
            debug_assert!(m.is(p, publish), "the endpoints controller's member {name} is not the stored pod");
            Some(&**p)
        };
        let (mut removes, mut updates) = (Vec::new(), Vec::new());
        for (slice_name, s) in slices.iter() {
            if s.pods.is_empty() {
                removes.push(slice_name.to_string());
                continue;
            }
            if recycled.contains(slice_name) {
                continue; // written below, after the other updates
            }
            if !touched.contains(slice_name) {
                continue; // its pods are as the last sync left them
            }
            let list: Vec<&Pod> = s.pods.iter().filter_map(|p| pod(p)).collect();
            let cur = match self.store.get(Kind::EndpointSlice, ns, slice_name) {
                Some(Object::EndpointSlice(cur)) => Some(cur),
                _ => None,
            };
            let same = cur.is_some_and(|cur| {
                cur.endpoints.len() == list.len()
                    && cur.endpoints.iter().zip(&list).all(|(e, p)| endpoint_is(e, p, publish))
            });
            if !same {
                let list = list.iter().map(|p| endpoint(p, publish)).collect();
                updates.push(SliceWrite::Update(slice_name.to_string(), cur.and_then(|c| c.ports.clone()), list));
            }
        }
        for slice_name in &recycled {
            let Some(s) = slices.get(slice_name) else { continue };
            let list = s.pods.iter().filter_map(|p| pod(p)).map(|p| endpoint(p, publish)).collect();
            updates.push(SliceWrite::Update(slice_name.to_string(), s.ports.clone(), list));
        }
        let creates = unplaced
            .iter()
            .map(|(ports, list)| {
                (ports.clone(), list.iter().filter_map(|p| pod(p)).map(|p| endpoint(p, publish)).collect())
            })
            .collect();
        for r in &removes {
            slices.remove(r.as_str());
        }
        let [ready, not_ready] = &*v1;
        let over_capacity = ready.len() + not_ready.len() > MAX_ENDPOINTS_CAPACITY;
        let not_ready_kept = MAX_ENDPOINTS_CAPACITY.saturating_sub(ready.len());
        let kept = |set: &BTreeSet<V1Key>, n: usize| -> Vec<&Pod> {
            set.iter().take(n).filter_map(|k| pod(&k.name)).collect()
        };
        let (ready, not_ready) = (kept(ready, MAX_ENDPOINTS_CAPACITY), kept(not_ready, not_ready_kept));
        let v1_ports = members.first().and_then(pod).and_then(|p| pod_ports(&spec, p)).unwrap_or_default();
        let svc_name = svc.metadata.name.as_deref().unwrap_or_default();
        let endpoints = self.endpoints_write(ns, svc_name, &ready, &not_ready, over_capacity, &v1_ports);
        Some(EndpointsPlan { slices: slice_writes(Vec::new(), removes, updates, creates), endpoints })
    }

    /// What the controller knows after a sync from the whole list: read back from what it wrote.
    fn endpoints_state_from_store(&self, svc: &Service, ns: &str, name: &str) -> ServiceEndpoints {
        let publish = svc.spec.as_ref().and_then(|s| s.publish_not_ready_addresses).unwrap_or(false);
        let mut st = ServiceEndpoints {
            service_version: svc.metadata.resource_version.clone(),
            written: (self.store.changes(Kind::EndpointSlice), self.store.changes(Kind::Endpoints)),
            endpoints_version: self.store.get(Kind::Endpoints, ns, name).and_then(version_of),
            ..Default::default()
        };
        for (slice_name, s) in self.service_slices(ns, name) {
            let slice_name: Rc<str> = slice_name.into();
            let mut pods = Vec::with_capacity(s.endpoints.len());
            for e in &s.endpoints {
                let pod_name = e.target_ref.as_ref().and_then(|r| r.name.as_deref()).unwrap_or_default();
                if let Some(Object::Pod(p)) = self.store.get(Kind::Pod, pods_namespace(svc), pod_name) {
                    let name = Name::from(pod_name);
                    let m = Member::of(p, Rc::clone(&slice_name), publish);
                    m.v1_file(&mut st.v1, &name, true);
                    st.members.insert(name, m);
                }
                pods.push(Name::from(pod_name));
            }
            let ports = ports_of(s).map(<[_]>::to_vec);
            st.slices.insert(slice_name, SliceState { version: version_of_meta(&s.metadata), ports, pods });
        }
        st
    }

    /// The v1 Endpoints write a sync makes, if any: `ready` and `not_ready` are the addresses
    /// kept, each sorted; `over_capacity` says some were cut.
    fn endpoints_write(
        &self,
        ns: &str,
        name: &str,
        ready: &[&Pod],
        not_ready: &[&Pod],
        over_capacity: bool,
        ports: &[EndpointPort],
    ) -> Option<EndpointsWrite> {
        let core_port = |p: &EndpointPort| CorePort {
            name: p.name.clone(),
            port: p.port.unwrap_or(0),
            protocol: p.protocol.clone(),
            app_protocol: None,
        };
        let subsets = || {
            if ready.is_empty() && not_ready.is_empty() {
                None
            } else {
                Some(vec![EndpointSubset {
                    addresses: (!ready.is_empty()).then(|| ready.iter().map(|p| address(p)).collect()),
                    not_ready_addresses: (!not_ready.is_empty())
                        .then(|| not_ready.iter().map(|p| address(p)).collect()),
                    ports: Some(ports.iter().map(core_port).collect()),
                }])
            }
        };
        // `cur.subsets == subsets()`, without building them.
        let list_is = |have: &Option<Vec<EndpointAddress>>, want: &[&Pod]| match have {
            None => want.is_empty(),
            Some(have) => {
                !want.is_empty() && have.len() == want.len() && have.iter().zip(want).all(|(a, p)| address_is(a, p))
            }
        };
        let subsets_are = |have: &Option<Vec<EndpointSubset>>| match have {
            None => ready.is_empty() && not_ready.is_empty(),
            Some(have) => match &have[..] {
                [EndpointSubset { addresses, not_ready_addresses, ports: have_ports }] => {
                    !(ready.is_empty() && not_ready.is_empty())
                        && list_is(addresses, ready)
                        && list_is(not_ready_addresses, not_ready)
                        && have_ports.as_ref().is_some_and(|h| {
                            h.len() == ports.len() && h.iter().zip(ports).all(|(h, p)| *h == core_port(p))
                        })
                }
                _ => false,
            },
        };
        let same = match self.store.get(Kind::Endpoints, ns, name) {
            Some(Object::Endpoints(cur)) => {
                let annotated = cur.metadata.annotations.as_ref().and_then(|a| a.get(OVER_CAPACITY_ANNOTATION));
                let same = subsets_are(&cur.subsets);
                debug_assert_eq!(same, cur.subsets == subsets(), "subsets_are disagrees with subsets()");
                same && annotated.map(String::as_str) == over_capacity.then_some("truncated")
            }
            _ => false,
        };
        (!same).then(|| EndpointsWrite { subsets: subsets(), over_capacity })
    }

    /// Makes a sync's writes; gives the names of the slices it created, in order.
    fn write_endpoints(&mut self, svc: &Service, ns: &str, name: &str, plan: EndpointsPlan) -> Vec<String> {
        let mut created = Vec::new();
        for w in plan.slices {
            match w {
                SliceWrite::Remove(slice_name) => {
                    self.store.remove(Kind::EndpointSlice, ns, &slice_name);
                }
                SliceWrite::Update(slice_name, ports, list) => {
                    if let Some(Object::EndpointSlice(cur)) = self.store.get(Kind::EndpointSlice, ns, &slice_name) {
                        let slice = EndpointSlice {
                            endpoints: list,
                            ports,
                            metadata: ObjectMeta { labels: Some(slice_labels(svc)), ..cur.metadata.clone() },
                            address_type: cur.address_type.clone(),
                        };
                        self.store.update(Object::EndpointSlice(Box::new(slice)));
                    }
                }
                SliceWrite::Create(ports, list) => {
                    let slice_name = loop {
                        let n = format!("{name}-{}", self.rng_names.string_from(NAME_ALPHABET, 5));
                        if !self.store.contains(Kind::EndpointSlice, ns, &n) {
                            break n;
                        }
                    };
                    let labels = slice_labels(svc);
                    let slice = EndpointSlice {
                        metadata: ObjectMeta {
                            name: Some(slice_name.clone()),
                            generate_name: Some(format!("{name}-")),
                            namespace: Some(ns.to_string()),
                            labels: Some(labels),
                            owner_references: Some(vec![owner_ref(Kind::Service, &svc.metadata)]),
                            ..Default::default()
                        },
                        address_type: "IPv4".into(),
                        endpoints: list,
                        ports,
                    };
                    self.store.create(Object::EndpointSlice(Box::new(slice)), self.now);
                    created.push(slice_name);
                }
            }
        }
        let Some(EndpointsWrite { subsets, over_capacity }) = plan.endpoints else { return created };
        match self.store.get(Kind::Endpoints, ns, name) {
            Some(Object::Endpoints(cur)) => {
                let mut metadata = cur.metadata.clone();
                let annotations = metadata.annotations.get_or_insert_with(BTreeMap::new);
                annotations.remove(OVER_CAPACITY_ANNOTATION);
                if over_capacity {
                    annotations.insert(OVER_CAPACITY_ANNOTATION.to_string(), "truncated".to_string());
                }
                if annotations.is_empty() {
                    metadata.annotations = None;
                }
                self.store.update(Object::Endpoints(Box::new(Endpoints { subsets, metadata })));
            }
            _ => {
                let ep = Endpoints {
                    metadata: ObjectMeta {
                        name: Some(name.to_string()),
                        namespace: Some(ns.to_string()),
                        labels: svc.metadata.labels.clone(),
                        annotations: over_capacity
                            .then(|| BTreeMap::from([(OVER_CAPACITY_ANNOTATION.to_string(), "truncated".to_string())])),
                        ..Default::default()
                    },
                    subsets,
                };
                self.store.create(Object::Endpoints(Box::new(ep)), self.now);
            }
        }
        created
    }

    /// kube-proxy: the endpoint a new connection to `ns/svc:port` from `client` goes to.
    /// Ready endpoints first; if none, serving-and-terminating ones; none at all is a refusal.
    pub fn pick_backend(&mut self, ns: &str, svc_name: &str, port: i32, client: &str) -> Result<Backend, String> {
        let all: Vec<Rc<Backend>> = self.backends(ns, svc_name, port).into_iter().map(Rc::new).collect();
        let rules = ProxyRules::new(&all);
        self.pick_from(ns, svc_name, port, client, &rules).map(Rc::unwrap_or_clone)
    }

    /// kube-proxy's choice among `rules` (its possibly stale view of the endpoints).
    pub(crate) fn pick_from(
        &mut self,
        ns: &str,
        svc_name: &str,
        port: i32,
        client: &str,
        rules: &ProxyRules,
    ) -> Result<Rc<Backend>, String> {
        if rules.pool.is_empty() {
            return Err("no endpoints".into());
        }
        let pool = &rules.pool;
        let Some(Object::Service(svc)) = self.store.get(Kind::Service, ns, svc_name) else {
            return Err("no such service".into());
        };
        let affinity_timeout_s =
            svc.spec.as_ref().filter(|s| s.session_affinity.as_deref() == Some("ClientIP")).map(|s| {
                s.session_affinity_config
                    .as_ref()
                    .and_then(|c| c.client_ip.as_ref())
                    .and_then(|c| c.timeout_seconds)
                    .unwrap_or(10_800) as u64
            });
        // Made only when session affinity or IPVS needs it (most requests need neither).
        let key = || (ns.to_string(), svc_name.to_string(), port);
        let now = self.now.ms();
        if let Some(timeout_s) = affinity_timeout_s
            && let Some((endpoint, last)) = self.proxy.affinity.get(&(key(), client.to_string())).cloned()
            && now.saturating_sub(last) <= timeout_s * 1000
            && let Some(b) = pool.iter().find(|b| (&b.ip, b.port) == (&endpoint.0, endpoint.1))
        {
            let b = b.clone();
            self.proxy.affinity.insert((key(), client.to_string()), (endpoint, now));
            return Ok(b);
        }
        let chosen = if self.proxy.ipvs {
            let n = self.proxy.round_robin.entry(key()).or_insert(0);
            let b = pool[*n % pool.len()].clone();
            *n += 1;
            b
        } else {
            // iptables: rule i matches with probability 1/(n-i); overall uniform.
            pool[self.rng_proxy.below(pool.len() as u32) as usize].clone()
        };
        if affinity_timeout_s.is_some() {
            self.proxy.affinity.insert((key(), client.to_string()), ((chosen.ip.clone(), chosen.port), now));
        }
        Ok(chosen)
    }
}

/// kube-proxy's rules for one Service port: every endpoint, and the ones new connections go
/// to (the ready endpoints, or if none, the serving and terminating ones).
#[derive(Clone, Debug, Default)]
pub struct ProxyRules {
    /// The endpoints new connections go to, in the order of the endpoints' list. Shared with
    /// kube-proxy's kept view: a sync that changed one slice makes a new list of up to 150,000
    /// endpoints at the envelope, a count each, not three strings each.
    pool: Vec<Rc<Backend>>,
}

/// Where an endpoint goes in [`ProxyRules`]: among the ready, or (when none is ready) among the
/// serving and terminating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PoolPlace {
    Ready,
    ServingTerminating,
    Neither,
}

impl PoolPlace {
    fn of(b: &Backend) -> PoolPlace {
        if b.ready {
            PoolPlace::Ready
        } else if b.serving && b.terminating {
            PoolPlace::ServingTerminating
        } else {
            PoolPlace::Neither
        }
    }
}

impl ProxyRules {
    pub fn new(all: &[Rc<Backend>]) -> ProxyRules {
        ProxyRules::of(all.iter().map(|b| (b, PoolPlace::of(b))))
    }

    /// From every endpoint in order, each with its place (known without reading it).
    fn of<'a>(all: impl Iterator<Item = (&'a Rc<Backend>, PoolPlace)> + Clone) -> ProxyRules {
        let take = |place| all.clone().filter(|(_, p)| *p == place).map(|(b, _)| Rc::clone(b)).collect::<Vec<_>>();
        let mut pool = take(PoolPlace::Ready);
        if pool.is_empty() {
            pool = take(PoolPlace::ServingTerminating);
        }
        ProxyRules { pool }
    }
}

impl Cluster {
    /// [`Cluster::proxy_endpoints_shared`], copied (what tests compare with `backends`).
    #[cfg(test)]
    pub(crate) fn proxy_endpoints(&mut self, ns: &str, svc_name: &str, port: i32) -> Vec<Backend> {
        self.proxy_endpoints_shared(ns, svc_name, port).into_iter().map(Rc::unwrap_or_clone).collect()
    }

    /// The endpoints of a Service port as `backends` gives them, from kube-proxy's kept view.
    #[cfg(test)]
    pub(crate) fn proxy_endpoints_shared(&mut self, ns: &str, svc_name: &str, port: i32) -> Vec<Rc<Backend>> {
        self.with_proxy_view(ns, svc_name, port, |m| m.listed().map(|(b, _)| Rc::clone(b)).collect())
            .unwrap_or_default()
    }

    /// kube-proxy's rules for a Service port, from its kept view.
    pub(crate) fn proxy_rules(&mut self, ns: &str, svc_name: &str, port: i32) -> ProxyRules {
        self.with_proxy_view(ns, svc_name, port, |m| ProxyRules::of(m.listed())).unwrap_or_default()
    }

    /// kube-proxy's view of a Service port's endpoints, kept and brought up to date with the
    /// slices changed since its last sync, as its EndpointSlice cache keeps each slice (at
    /// 150,000 pods, 1,500 slices: a change to one reads that one); `read` reads it. None when
    /// the Service has no such port.
    fn with_proxy_view<T>(
        &mut self,
        ns: &str,
        svc_name: &str,
        port: i32,
        read: impl FnOnce(&ProxyMembers) -> T,
    ) -> Option<T> {
        let changes = (self.store.changes(Kind::Service), self.store.changes(Kind::EndpointSlice));
        let key = (ns.to_string(), svc_name.to_string(), port);
        let mut kept = std::mem::take(&mut *self.proxy.members);
        // A change to any Service may have changed this one's port: read every slice again.
        let mut m =
            kept.remove(&key).filter(|m| m.read_at.is_some_and(|(svc, _)| svc == changes.0)).unwrap_or_default();
        if m.read_at != Some(changes) {
            match self.service_port(ns, svc_name, port) {
                None => {
                    // No such Service port (any more): nothing kept for it.
                    *self.proxy.members = kept;
                    return None;
                }
                Some((_, sp)) => {
                    // In name order, as the store lists them.
                    let current: Vec<(&str, &EndpointSlice)> = self.proxied_slices(ns, svc_name).collect();
                    let find = |n: &str| current.binary_search_by_key(&n, |(name, _)| name).ok().map(|i| current[i].1);
                    let stale: Vec<Rc<str>> = m
                        .slices
                        .iter()
                        .filter(|(n, (version, _))| find(n).is_none_or(|s| s.metadata.resource_version != *version))
                        .map(|(n, _)| Rc::clone(n))
                        .collect();
                    for slice_name in stale {
                        m.forget(&slice_name);
                    }
                    for (slice_name, slice) in current {
                        if m.slices.contains_key(slice_name) {
                            continue;
                        }
                        let read = slice_backends(ns, slice, &sp);
                        let slice_name: Rc<str> = slice_name.into();
                        let mut keys = Vec::with_capacity(read.len());
                        for (k, b) in read {
                            keys.push(k.clone());
                            m.endpoints
                                .entry((k, Rc::clone(&slice_name)))
                                .or_insert_with(|| (PoolPlace::of(&b), Rc::new(b)));
                        }
                        m.slices.insert(slice_name, (slice.metadata.resource_version.clone(), keys));
                    }
                }
            }
            m.read_at = Some(changes);
        }
        debug_assert!(
            m.listed().map(|(b, _)| &**b).eq(self.backends(ns, svc_name, port).iter()),
            "kube-proxy's kept endpoints went stale"
        );
        let answer = read(&m);
        kept.insert(key, m);
        *self.proxy.members = kept;
        Some(answer)
    }

    /// Cluster DNS from a pod in `ns`: `svc`, `svc.ns`, `svc.ns.svc[.cluster.local]`, or a
    /// ClusterIP; returns (namespace, service, port).
    pub(crate) fn service_for_inside(&self, ns: &str, host: &str, port: i32) -> Option<(String, String, i32)> {
        let h = host.trim_end_matches(".cluster.local").trim_end_matches(".svc");
        let (name, svc_ns) = match h.split_once('.') {
            Some((n, rest)) if !h.chars().all(|c| c.is_ascii_digit() || c == '.') => (n.to_string(), rest.to_string()),
            _ => (h.to_string(), ns.to_string()),
        };
        if self.store.contains(Kind::Service, &svc_ns, &name) {
            return Some((svc_ns, name, port));
        }
        // A ClusterIP.
        self.store.list(Kind::Service, None).find_map(|o| match o {
            Object::Service(s) if s.spec.as_ref().and_then(|sp| sp.cluster_ip.as_deref()) == Some(host) => {
                Some((o.namespace().to_string(), o.name().to_string(), port))
            }
            _ => None,
        })
    }

    /// Switches kube-proxy between iptables (random) and IPVS (round robin) mode.
    pub fn set_proxy_ipvs(&mut self, ipvs: bool) {
        self.proxy.ipvs = ipvs;
    }

    /// Whether the name resolves at all (a Service exists) from `ns`.
    pub(crate) fn resolves(&self, ns: &str, host: &str) -> bool {
        self.service_for_inside(ns, host, 0).is_some()
    }

    pub(crate) fn is_node_address(&self, host: &str) -> bool {
        self.store.contains(Kind::Node, "", host)
            || (host.starts_with(crate::kubelet::HOST_IP_PREFIX)
                && self.kubelet.nodes.any(|_, n| crate::kubelet::host_ip(n.index) == host))
    }

    /// From outside: a NodePort on any node's name or IP (or localhost, as docker-desktop
    /// forwards NodePorts), or a LoadBalancer's address and port.
    pub(crate) fn service_for_outside(&self, host: &str, port: i32) -> Option<(String, String, i32)> {
        let node_address = self.is_node_address(host) || host == "localhost" || host == "127.0.0.1";
        self.store.list(Kind::Service, None).find_map(|o| {
            let Object::Service(s) = o else { return None };
            let spec = s.spec.as_ref()?;
            let lb: Vec<String> = s
                .status
                .iter()
                .flat_map(|st| st.load_balancer.iter())
                .flat_map(|lb| lb.ingress.iter().flatten())
                .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                .collect();
            spec.ports.iter().flatten().find_map(|p| {
                let via_node = node_address && p.node_port == Some(port);
                let via_lb = lb.iter().any(|a| a == host) && p.port == port;
                (via_node || via_lb).then(|| (o.namespace().to_string(), o.name().to_string(), p.port))
            })
        })
    }
}

/// (namespace, service, port).
type ServicePortKey = (String, String, i32);

/// kube-proxy's state: mode and per-Service memory.
#[derive(Clone, Debug, Default)]
pub struct ProxyState {
    /// IPVS mode (round robin) instead of the default iptables (random).
    pub ipvs: bool,
    round_robin: BTreeMap<(String, String, i32), usize>,
    /// (service port, client) -> (endpoint IP and port, last used ms): ClientIP affinity sticks
    /// to an endpoint, as its `recent` match does.
    affinity: BTreeMap<(ServicePortKey, String), ((String, i32), u64)>,
    /// Each Service port's endpoints as kube-proxy last read them from its slices: a sync
    /// reads only the slices changed since (a copy of the cluster starts without them).
    members: crate::cluster::Remembered<BTreeMap<ServicePortKey, ProxyMembers>>,
}

/// A Service port's endpoints as kube-proxy last read its slices.
#[derive(Clone, Debug, Default)]
struct ProxyMembers {
    /// The Services' and EndpointSlices' change counters when last read.
    read_at: Option<(u64, u64)>,
    /// Each slice read: its resourceVersion then, and the endpoints it gave (`IP:port`).
    slices: BTreeMap<Rc<str>, (Option<String>, Vec<Name>)>,
    /// The endpoints by `IP:port` and the slice that gives them (where slices repeat an
    /// address, the first by name counts), each with its place in the rules: making them reads
    /// only this map, not 150,000 endpoints scattered in memory.
    /// (Each `IP:port` inline: forgetting and reading a slice's hundred compare them in the
    /// B-tree without reading another allocation.)
    endpoints: BTreeMap<(Name, Rc<str>), (PoolPlace, Rc<Backend>)>,
}

impl ProxyMembers {
    /// The endpoints in order: the first for each `IP:port`.
    fn listed(&self) -> impl Iterator<Item = (&Rc<Backend>, PoolPlace)> + Clone + '_ {
        let mut last: Option<&str> = None;
        self.endpoints
            .iter()
            .filter(move |((k, _), _)| {
                let first = last != Some(k.as_str());
                last = Some(k);
                first
            })
            .map(|(_, (place, b))| (b, *place))
    }

    /// Takes what a slice gave out of the endpoints.
    fn forget(&mut self, slice_name: &Rc<str>) {
        let Some((_, keys)) = self.slices.remove(slice_name) else { return };
        for k in keys {
            self.endpoints.remove(&(k, Rc::clone(slice_name)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodCondition, PodStatus};

    /// The v1 Endpoints' keys order exactly as (IP, UID, name) strings do: a prefix before its
    /// extensions, IPv4 and IPv6 alike, IPs that share their first 16 bytes, equal IPs by UID
    /// then name.
    #[test]
    fn v1_keys_order_as_their_ip_uid_and_name() {
        let ips = [
            "",
            "1",
            "10.244.1.2",
            "10.244.1.20",
            "10.244.1.100",
            "10.244.12.3",
            "10.244.100.255",
            "9.0.0.1",
            "255.255.255.255",
            "fd00::1",
            "fd00:0000:0000:0000::1",
            "fd00:0000:0000:0000::2",
            "fd00:0000:0000:0000:1::",
        ];
        let mut keys = Vec::new();
        for ip in ips {
            for uid in [None, Some("a"), Some("b")] {
                for name in ["web-1", "web-2"] {
                    keys.push((V1Key::new(ip.into(), uid.map(Rc::from), name.into()), (ip, uid, name)));
                }
            }
        }
        for (a, ta) in &keys {
            for (b, tb) in &keys {
                assert_eq!(a.cmp(b), ta.cmp(tb), "{ta:?} against {tb:?}");
            }
        }
    }

    fn pod(ready: bool, deleting: bool, phase: &str, ip: Option<&str>) -> Pod {
        Pod {
            metadata: ObjectMeta {
                deletion_timestamp: deleting.then_some({
                    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH)
                }),
                ..Default::default()
            },
            spec: None,
            status: Some(PodStatus {
                phase: Some(phase.into()),
                pod_ip: ip.map(str::to_string),
                conditions: Some(vec![PodCondition {
                    type_: "Ready".into(),
                    status: if ready { "True" } else { "False" }.into(),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
        }
    }

    /// K8S-FACTS §5.3: eps utils_test.go TestPodToEndpoint.
    #[test]
    fn pod_to_endpoint_table() {
        let ip = Some("1.2.3.4");
        assert_eq!(endpoint_conditions(&pod(true, false, "Running", ip), false), (true, true, false));
        assert_eq!(endpoint_conditions(&pod(true, false, "Running", ip), true), (true, true, false));
        assert_eq!(endpoint_conditions(&pod(false, false, "Running", ip), false), (false, false, false));
        assert_eq!(endpoint_conditions(&pod(false, false, "Running", ip), true), (true, false, false));
        assert_eq!(endpoint_conditions(&pod(true, true, "Running", ip), false), (false, true, true));
        assert_eq!(endpoint_conditions(&pod(false, true, "Running", ip), false), (false, false, true));
    }

    /// K8S-FACTS §5.3: TestShouldPodBeInEndpoints.
    #[test]
    fn should_be_in_endpoints_table() {
        let ip = Some("1.2.3.4");
        assert!(!should_be_in_endpoints(&pod(true, false, "Failed", ip), false));
        assert!(!should_be_in_endpoints(&pod(true, false, "Succeeded", ip), false));
        assert!(!should_be_in_endpoints(&pod(true, false, "Running", None), false));
        assert!(!should_be_in_endpoints(&pod(true, true, "Running", ip), false));
        assert!(should_be_in_endpoints(&pod(true, false, "Pending", ip), false));
        assert!(should_be_in_endpoints(&pod(true, false, "Unknown", ip), false));
        assert!(should_be_in_endpoints(&pod(true, false, "Running", ip), false));
        assert!(should_be_in_endpoints(&pod(true, true, "Running", ip), true));
    }
}

#[cfg(test)]
mod slice_tests {
    use super::*;
    use crate::{ClusterConfig, Workspace};

    /// A cluster of 3 nodes (seed `seed`) with a Deployment `web` of `replicas` tiny pods and a
    /// Service `web`, just applied; the workspace holds the manifest as `m.yaml`.
    fn web_of(replicas: u32, seed: u64) -> (Cluster, Workspace) {
        let mut c = Cluster::new(ClusterConfig { seed, nodes: 3 });
        let manifest = format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers: [{{name: c, image: 'registry.k8s.io/pause:3.10', resources: {{requests: {{cpu: 1m, memory: 1Mi}}}}}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n  selector: {{app: web}}\n  ports: [{{port: 80}}]\n"
        );
        let ws = Workspace::default().with_file("m.yaml", &manifest);
        c.run("kubectl apply -f m.yaml", &ws);
        (c, ws)
    }

    /// The slices labelled with a Service's name in `default`, whoever manages them.
    fn labelled<'a>(c: &'a Cluster, svc: &'a str) -> impl Iterator<Item = (&'a str, &'a EndpointSlice)> + 'a {
        c.labelled_slices("default", svc)
    }

    /// An endpoint's pod, by its `targetRef`.
    fn pod_named(e: &Endpoint) -> String {
        e.target_ref.as_ref().and_then(|r| r.name.clone()).unwrap_or_default()
    }

    /// The Service's slices: (name, endpoints' pods).
    fn slices(c: &Cluster, svc: &str) -> Vec<(String, Vec<String>)> {
        labelled(c, svc).map(|(name, s)| (name.to_string(), s.endpoints.iter().map(pod_named).collect())).collect()
    }

    /// A sync after one pod changed reads that pod, not the Service's 250: it writes the one
    /// slice that pod is in, and (debug builds) agrees with a sync from the whole list. When
    /// something else writes the controller's slices, it starts over from the whole list.
    #[test]
    fn a_sync_reads_the_pods_written_since_the_last() {
        let (mut c, ws) = web_of(250, 7);
        c.advance(60_000);
        let key = ("default".to_string(), "web".to_string());
        let known = |c: &Cluster| c.endpoints_state.get(&key).map_or(0, |st| st.members.len());
        let since_whole = |c: &Cluster| c.endpoints_state.get(&key).map_or(0, |st| st.syncs_since_whole_list);
        assert_eq!(known(&c), 250);
        let syncs = since_whole(&c);
        assert!(syncs > 0);
        let versions = |c: &Cluster| -> BTreeMap<String, Option<String>> {
            c.store.list(Kind::EndpointSlice, Some("default")).map(|o| (o.name().to_string(), version_of(o))).collect()
        };
        let before = versions(&c);
        // One pod deleted: the ReplicaSet replaces it; its slice changes, the other two do not.
        let victim = slices(&c, "web")[1].1[7].clone();
        c.run(&format!("kubectl delete pod {victim} --grace-period=0 --force"), &ws);
        c.advance(30_000);
        let after = versions(&c);
        let changed: Vec<&String> = after.iter().filter(|(n, v)| before.get(*n) != Some(v)).map(|(n, _)| n).collect();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert!(slices(&c, "web").iter().all(|(_, p)| !p.contains(&victim)));
        assert_eq!(slices(&c, "web").iter().map(|(_, p)| p.len()).sum::<usize>(), 250);
        assert!(since_whole(&c) > syncs, "the syncs after one pod changed read only that pod");
        // Someone else deletes a slice: the next sync starts over and puts its pods back.
        let syncs = since_whole(&c);
        let gone = slices(&c, "web")[0].0.clone();
        c.store.remove(Kind::EndpointSlice, "default", &gone);
        c.changed(Kind::Pod);
        c.advance(10_000);
        let s = slices(&c, "web");
        assert_eq!(s.iter().map(|(_, p)| p.len()).sum::<usize>(), 250);
        assert!(s.iter().all(|(_, p)| p.len() <= MAX_ENDPOINTS_PER_SLICE));
        assert_eq!(known(&c), 250);
        assert!(since_whole(&c) < syncs, "a slice written by someone else makes the controller start over");
    }

    /// The controller's memory between syncs holds no pod: a kubelet's status write can then set
    /// the stored pod's status in place (`Store::edit_pod_status`) instead of copying its
    /// metadata for a new version. The members' places among the v1 Endpoints' candidates
    /// follow the pods all the same: a pod that turns unready moves to the not-ready list.
    #[test]
    fn the_controller_holds_no_pod_between_syncs() {
        let (mut c, ws) = web_of(12, 3);
        c.advance(60_000);
        let key = ("default".to_string(), "web".to_string());
        assert_eq!(c.endpoints_state.get(&key).map(|st| st.members.len()), Some(12));
        let names: Vec<String> = c.store.list(Kind::Pod, Some("default")).map(|o| o.name().to_string()).collect();
        assert_eq!(names.len(), 12);
        for name in &names {
            let held = c.store.get_shared(Kind::Pod, "default", name).expect("stored");
            // The store's and this one.
            assert_eq!(Rc::strong_count(&held), 2, "{name} is held outside the store");
        }
        // The v1 Endpoints' candidates by name, ready and not ready.
        let v1 = |c: &Cluster| -> [Vec<String>; 2] {
            let st = c.endpoints_state.get(&key).expect("synced");
            st.v1.clone().map(|set| set.iter().map(|k| k.name.to_string()).collect())
        };
        let mut ready = names.clone();
        ready.sort();
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(v1(&c).map(sorted), [ready.clone(), vec![]]);
        // A pod deleted with a grace period: terminating, so no longer a candidate
        // (`ShouldPodBeInEndpoints` without publishNotReadyAddresses), though still a member
        // (its slice keeps it as terminating).
        let victim = names[4].clone();
        c.run(&format!("kubectl delete pod {victim} --wait=false"), &ws);
        // (The pause container exits on SIGTERM within 200 ms; at 100 ms the pod is terminating.)
        c.advance(100);
        assert!(c.store.get(Kind::Pod, "default", &victim).is_some_and(|o| o.meta().deletion_timestamp.is_some()));
        for list in v1(&c) {
            assert!(!list.contains(&victim), "{victim} is still a candidate: {list:?}");
        }
        assert!(c.endpoints_state.get(&key).is_some_and(|st| st.members.get(&victim).is_some()));
        c.advance(120_000);
        assert_eq!(v1(&c)[0].len(), 12);
        assert!(!v1(&c)[0].contains(&victim));
        for name in v1(&c)[0].iter() {
            let held = c.store.get_shared(Kind::Pod, "default", name).expect("stored");
            assert_eq!(Rc::strong_count(&held), 2, "{name} is held outside the store");
        }
    }

    /// kube-proxy keeps each Service port's endpoints and reads only the slices changed since
    /// its last sync: after every kind of change it must list what reading every slice lists.
    #[test]
    fn kube_proxy_keeps_the_endpoints_the_slices_give() {
        let (mut c, ws) = web_of(40, 5);
        let same = |c: &mut Cluster, step: &str| {
            let kept = c.proxy_endpoints("default", "web", 80);
            assert_eq!(kept, c.backends("default", "web", 80), "after {step}");
            kept.len()
        };
        assert_eq!(same(&mut c, "the apply"), 0, "no pod has an IP yet");
        c.advance(30_000);
        assert_eq!(same(&mut c, "the rollout"), 40);
        assert!(!c.proxy.members.is_empty(), "the view is kept");
        let theirs = "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-theirs\n  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: me}\naddressType: IPv4\nendpoints: [{addresses: [10.9.9.9]}, {addresses: [10.9.9.8], conditions: {ready: false}}]\nports: [{name: '', port: 80}]\n";
        let bare = |app: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata: {{name: bare, labels: {{app: {app}}}}}\nspec:\n  containers: [{{name: c, image: 'registry.k8s.io/pause:3.10'}}]\n"
            )
        };
        let ws = ws
            .with_file("theirs.yaml", theirs)
            .with_file("bare.yaml", &bare("web"))
            .with_file("other.yaml", &bare("other"));
        let steps = [
            "kubectl scale deployment web --replicas=55",
            "kubectl apply -f theirs.yaml",
            "kubectl set image deployment/web c=registry.k8s.io/pause:3.9",
            "kubectl apply -f bare.yaml",
            // (Relabelled out of the Service: kubeplay has no `kubectl label` yet.)
            "kubectl apply -f other.yaml",
            "kubectl scale deployment web --replicas=12",
            "kubectl delete endpointslice web-theirs",
            "kubectl delete pod --all --grace-period=0 --force",
            "node fail node-2",
            "kubectl delete service web",
            "kubectl apply -f m.yaml",
        ];
        for step in steps {
            let ran = c.run(step, &ws);
            assert!(ran.iter().all(|r| r.ok), "{step}: {ran:?}");
            for _ in 0..6 {
                c.advance(2_500);
                same(&mut c, step);
            }
        }
        // The Service's port changes: the view is read again, and a port it lacks has none.
        let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 81, targetPort: 80}]\n";
        c.run("kubectl apply -f s.yaml", &Workspace::default().with_file("s.yaml", svc));
        c.advance(5_000);
        assert_eq!(same(&mut c, "the port change"), 0, "port 80 is gone");
        let on_81 = c.proxy_endpoints("default", "web", 81);
        assert!(!on_81.is_empty());
        assert_eq!(on_81, c.backends("default", "web", 81));
        // A copy forgets the kept view and reads every slice: the same endpoints.
        let mut copy = c.clone();
        assert!(copy.proxy.members.is_empty());
        assert_eq!(copy.proxy_endpoints("default", "web", 81), on_81);
    }

    /// kube-proxy routes what the EndpointSlices say, whoever wrote them
    /// (pkg/proxy/endpointslicecache.go): a Service without a selector reaches the addresses of
    /// hand-written slices. An endpoint counts for the Service port when its slice's port has
    /// the port's name and protocol and a number (not 0); FQDN slices are not read; endpoints
    /// are listed once per `IP:port`, sorted by that string (`byEndpoint`); unset `ready`
    /// counts as ready. What answers is whatever pod has the address when the request is made,
    /// in any namespace (named with it); at an address no pod has, the connection fails at once.
    #[test]
    fn kube_proxy_routes_what_the_endpointslices_say() {
        let mut c = Cluster::new(ClusterConfig { seed: 9, nodes: 3 });
        let web = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 12\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: nginx, image: 'nginx:1.27', ports: [{containerPort: 80}]}]\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: elsewhere, namespace: other}\nspec:\n  containers: [{name: nginx, image: 'nginx:1.27', ports: [{containerPort: 80}]}]\n";
        let ws = Workspace::default().with_file("web.yaml", web);
        let ran = c.run("kubectl apply -f web.yaml", &ws);
        assert!(ran.iter().all(|r| r.ok), "{ran:?}");
        c.advance(60_000);
        let pods = |c: &Cluster, ns: &str| -> Vec<(String, String)> {
            c.store
                .list(Kind::Pod, Some(ns))
                .filter_map(|o| match o {
                    Object::Pod(p) => Some((o.name().to_string(), ip_of(p).to_string())),
                    _ => None,
                })
                .collect()
        };
        let (web_pods, elsewhere) = (pods(&c, "default"), pods(&c, "other"));
        assert_eq!((web_pods.len(), elsewhere.len()), (12, 1));
        let ip = |i: usize| web_pods[i].1.as_str();
        // The web Service's endpoints: in `IP:port` order as strings (10.244.x.10 before .2).
        c.run("kubectl expose deployment web --port 80", &ws);
        c.advance(5_000);
        let keys: Vec<String> =
            c.backends("default", "web", 80).iter().map(|b| format!("{}:{}", b.ip, b.port)).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys.len(), 12);
        assert_eq!(keys, sorted);
        // A Service without a selector and its slices by hand.
        let slice = |name: &str, kind: &str, addresses: &[&str], ports: &str| {
            let endpoints: Vec<String> = addresses.iter().map(|a| format!("{{addresses: ['{a}']}}")).collect();
            format!(
                "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: {name}\n  labels: {{kubernetes.io/service-name: ext}}\naddressType: {kind}\nendpoints: [{}]\nports: {ports}\n",
                endpoints.join(", ")
            )
        };
        let ext = [
            "apiVersion: v1\nkind: Service\nmetadata: {name: ext}\nspec:\n  ports: [{name: http, port: 80}]\n".to_string(),
            // One pod's address twice (listed once), one nobody has, one in another namespace.
            slice("ext-1", "IPv4", &[ip(0), "10.9.9.9", ip(0), &elsewhere[0].1], "[{name: http, port: 80}]"),
            // Not ready: not chosen while others are.
            format!("---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: ext-2\n  labels: {{kubernetes.io/service-name: ext}}\naddressType: IPv4\nendpoints: [{{addresses: ['{}'], conditions: {{ready: false}}}}]\nports: [{{name: http, port: 80}}]\n", ip(1)),
            // Another protocol, another name, no number, an FQDN slice: none of them counts.
            slice("ext-3", "IPv4", &[ip(2)], "[{name: http, port: 80, protocol: UDP}]"),
            slice("ext-4", "IPv4", &[ip(3)], "[{name: metrics, port: 80}]"),
            slice("ext-5", "IPv4", &[ip(4)], "[{name: http, port: 0}]"),
            slice("ext-6", "FQDN", &["example.com"], "[{name: http, port: 80}]"),
        ]
        .concat();
        let ran = c.run("kubectl apply -f ext.yaml", &ws.clone().with_file("ext.yaml", &ext));
        assert!(ran.iter().all(|r| r.ok), "{ran:?}");
        c.advance(2_000);
        let got: Vec<(String, bool)> =
            c.backends("default", "ext", 80).iter().map(|b| (b.ip.clone(), b.ready)).collect();
        let mut want = vec![
            (ip(0).to_string(), true),
            ("10.9.9.9".to_string(), true),
            (elsewhere[0].1.clone(), true),
            (ip(1).to_string(), false),
        ];
        want.sort_by_key(|(a, _)| format!("{a}:80"));
        assert_eq!(got, want);
        let outcomes = |c: &mut Cluster| -> BTreeSet<(crate::network::Outcome, Option<String>)> {
            (0..60)
                .map(|i| c.request("ext", &format!("10.0.0.{i}")))
                .map(|(o, b, _)| (o, b.and_then(|(_, p)| p)))
                .collect()
        };
        use crate::network::Outcome::{Ok2xx, Refused};
        assert_eq!(
            outcomes(&mut c),
            BTreeSet::from([
                (Ok2xx, Some(web_pods[0].0.clone())),
                (Ok2xx, Some("other/elsewhere".into())),
                (Refused, None)
            ])
        );
        // The pod at an address goes; the slice stays as written: nothing answers there, at
        // once, and kube-proxy's kept view still agrees with a read of every slice.
        c.run(&format!("kubectl delete pod {} --grace-period=0 --force", web_pods[0].0), &ws);
        assert_eq!(outcomes(&mut c), BTreeSet::from([(Ok2xx, Some("other/elsewhere".into())), (Refused, None)]));
        c.advance(1_500);
        assert_eq!(c.proxy_endpoints("default", "ext", 80), c.backends("default", "ext", 80));
    }

    /// ClientIP session affinity sticks to an endpoint (iptables' `recent` match is per
    /// endpoint chain), so endpoints with no pod behind them are told apart too.
    #[test]
    fn client_ip_affinity_sticks_to_an_endpoint() {
        let mut c = Cluster::new(ClusterConfig { seed: 2, nodes: 1 });
        let m = "apiVersion: v1\nkind: Service\nmetadata: {name: sticky}\nspec:\n  sessionAffinity: ClientIP\n  ports: [{port: 80}]\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: sticky-1\n  labels: {kubernetes.io/service-name: sticky}\naddressType: IPv4\nendpoints: [{addresses: [10.9.9.1]}, {addresses: [10.9.9.2]}, {addresses: [10.9.9.3]}]\nports: [{name: '', port: 80}]\n";
        c.run("kubectl apply -f m.yaml", &Workspace::default().with_file("m.yaml", m));
        c.advance(2_000);
        let mut chosen = BTreeSet::new();
        for client in 0..12 {
            let to: BTreeSet<String> =
                (0..5).filter_map(|_| c.request("sticky", &format!("10.0.0.{client}")).1).map(|(b, _)| b.ip).collect();
            assert_eq!(to.len(), 1, "client {client} went to {to:?}");
            chosen.extend(to);
        }
        assert!(chosen.len() > 1, "the clients spread over the endpoints: {chosen:?}");
    }

    /// A slice the controller keeps, deleted by hand, is put back (upstream's controller
    /// requeues the Service on a slice's change: `onEndpointSliceDelete`). Slices claiming to be
    /// the controller's for the Service but of another address type, or owned by no such
    /// Service, are deleted and never reused for the new one (`reconcileByAddressType`,
    /// `finalize`).
    #[test]
    fn a_slice_deleted_by_hand_comes_back_and_claims_are_not_reused() {
        let (mut c, ws) = web_of(3, 8);
        c.advance(20_000);
        let before = slices(&c, "web");
        assert_eq!(before.len(), 1);
        c.run(&format!("kubectl delete endpointslice {}", before[0].0), &ws);
        c.advance(1_000);
        let after = slices(&c, "web");
        assert_eq!(after.iter().map(|(_, p)| p.len()).sum::<usize>(), 3, "{after:?}");
        assert_eq!(c.backends("default", "web", 80).len(), 3);
        let claim = |name: &str, kind: &str| {
            format!(
                "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: {name}\n  labels: {{kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}}\naddressType: {kind}\nendpoints: []\nports: [{{name: '', port: 80}}]\n"
            )
        };
        let ws = ws.with_file("claims.yaml", &[claim("web-fqdn", "FQDN"), claim("web-stray", "IPv4")].concat());
        let ran = c.run(&format!("kubectl apply -f claims.yaml\nkubectl delete endpointslice {}", after[0].0), &ws);
        assert!(ran.iter().all(|r| r.ok), "{ran:?}");
        c.advance(1_000);
        let now = slices(&c, "web");
        assert_eq!(now.len(), 1, "{now:?}");
        assert!(!["web-fqdn", "web-stray", after[0].0.as_str()].contains(&now[0].0.as_str()), "{now:?}");
        assert_eq!(now[0].1.len(), 3);
    }

    /// A copy of the cluster (the timeline's checkpoints) does not copy what the controllers
    /// remember, and behaves the same: its first passes read the whole lists.
    #[test]
    fn a_copy_of_the_cluster_forgets_the_controllers_memory_and_behaves_the_same() {
        let (mut c, ws) = web_of(150, 11);
        c.advance(40_000);
        assert!(!c.endpoints_state.is_empty() && !c.rs_pods.is_empty());
        let mut copy = c.clone();
        assert!(copy.endpoints_state.is_empty() && copy.rs_pods.is_empty());
        for cluster in [&mut c, &mut copy] {
            cluster.run("kubectl scale deployment web --replicas=260", &ws);
            cluster.advance(30_000);
            cluster.run("kubectl delete pod --all", &ws);
            cluster.advance(60_000);
        }
        assert_eq!(c.digest(), copy.digest());
        assert_eq!(slices(&c, "web"), slices(&copy, "web"));
        assert_eq!(
            c.run("kubectl get endpoints,rs -o yaml", &ws)[0].output,
            copy.run("kubectl get endpoints,rs -o yaml", &ws)[0].output
        );
    }

    /// At most 100 endpoints a slice (kube-controller-manager's --max-endpoints-per-slice
    /// default), every pod in exactly one slice; an endpoint stays in its slice as others come
    /// and go, and emptied slices go away.
    #[test]
    fn a_service_of_250_pods_has_three_slices_of_at_most_100() {
        let (mut c, ws) = web_of(250, 7);
        c.advance(60_000);
        let s = slices(&c, "web");
        assert_eq!(s.len(), 3, "{:?}", s.iter().map(|(n, p)| (n, p.len())).collect::<Vec<_>>());
        assert!(s.iter().all(|(_, p)| p.len() <= MAX_ENDPOINTS_PER_SLICE));
        let all: std::collections::BTreeSet<&String> = s.iter().flat_map(|(_, p)| p).collect();
        assert_eq!(all.len(), 250);
        assert_eq!(s.iter().map(|(_, p)| p.len()).sum::<usize>(), 250);

        // Scale down: the survivors keep their slices; a slice left empty is deleted.
        let before: BTreeMap<String, String> =
            s.iter().flat_map(|(n, pods)| pods.iter().map(move |p| (p.clone(), n.clone()))).collect();
        c.run("kubectl scale deployment web --replicas=120", &ws);
        c.advance(120_000);
        let s = slices(&c, "web");
        assert_eq!(s.iter().map(|(_, p)| p.len()).sum::<usize>(), 120);
        assert!(s.iter().all(|(_, p)| !p.is_empty() && p.len() <= MAX_ENDPOINTS_PER_SLICE));
        for (name, pods) in &s {
            for p in pods {
                assert_eq!(before.get(p), Some(name), "{p} moved to another slice");
            }
        }

        // No pods at all: one empty slice stays.
        c.run("kubectl scale deployment web --replicas=0", &ws);
        c.advance(120_000);
        let s = slices(&c, "web");
        assert_eq!(s.len(), 1);
        assert!(s[0].1.is_empty());
    }

    /// The v1 Endpoints object holds at most 1,000 addresses, sorted by IP then UID, and says
    /// so with `endpoints.kubernetes.io/over-capacity: truncated` (endpoints_controller.go:
    /// `maxCapacity`, `truncateEndpoints`, `RepackSubsets`); the EndpointSlices hold every pod.
    /// Back under the capacity, the annotation goes.
    #[test]
    fn endpoints_stop_at_1000_addresses_and_say_so() {
        let mut c = Cluster::new(ClusterConfig { seed: 7, nodes: 12 });
        let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1200\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: 'registry.k8s.io/pause:3.10', resources: {requests: {cpu: 1m, memory: 1Mi}}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
        let ws = Workspace::default().with_file("m.yaml", manifest);
        c.run("kubectl apply -f m.yaml", &ws);
        c.advance(120_000);
        let endpoints = |c: &Cluster| match c.store().get(Kind::Endpoints, "default", "web") {
            Some(Object::Endpoints(e)) => (**e).clone(),
            other => panic!("no Endpoints: {other:?}"),
        };
        let e = endpoints(&c);
        let subset = &e.subsets.as_ref().expect("subsets")[0];
        let addrs = subset.addresses.as_ref().expect("ready addresses");
        assert_eq!(addrs.len(), 1000);
        assert!(subset.not_ready_addresses.is_none());
        let keys: Vec<(&str, &str)> = addrs
            .iter()
            .map(|a| (a.ip.as_str(), a.target_ref.as_ref().and_then(|r| r.uid.as_deref()).unwrap_or("")))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "sorted by IP, then UID");
        // The 1,000 kept are the 1,000 smallest IPs of the 1,200 (compared as strings); the
        // slices hold all 1,200.
        assert_eq!(slices(&c, "web").iter().map(|(_, p)| p.len()).sum::<usize>(), 1200);
        let mut all_ips: Vec<String> = c
            .store()
            .list(Kind::Pod, Some("default"))
            .filter_map(|o| match o {
                Object::Pod(p) => p.status.as_ref().and_then(|s| s.pod_ip.clone()),
                _ => None,
            })
            .collect();
        all_ips.sort();
        assert_eq!(all_ips.len(), 1200);
        assert_eq!(
            keys.iter().map(|k| k.0).collect::<Vec<_>>(),
            all_ips[..1000].iter().map(String::as_str).collect::<Vec<_>>()
        );
        let annotation =
            |e: &Endpoints| e.metadata.annotations.as_ref().and_then(|a| a.get(OVER_CAPACITY_ANNOTATION).cloned());
        assert_eq!(annotation(&e).as_deref(), Some("truncated"));
        let get = c.run("kubectl get endpoints web", &ws).remove(0).output;
        assert!(get.contains(&format!("{}:80,{}:80,{}:80 + 997 more...", keys[0].0, keys[1].0, keys[2].0)), "{get}");

        // A pod beyond the kept 1,000 goes (its ReplicaSet makes another): the kept addresses
        // stay, and the object is not written again. A kept pod goes: the smallest 1,000 IPs
        // again. (Debug builds check each such sync against one from the whole list.)
        let pod_at = |c: &Cluster, ip: &str| {
            c.store().pods_at_ip(ip).first().map(|o| o.name().to_string()).expect("a pod at the address")
        };
        let version = |c: &Cluster| endpoints(c).metadata.resource_version;
        let before = version(&c);
        let outside = pod_at(&c, &all_ips[1100]);
        c.run(&format!("kubectl delete pod {outside} --grace-period=0 --force"), &ws);
        c.advance(1_000);
        assert_eq!(version(&c), before, "nothing it keeps changed");
        let inside = pod_at(&c, keys[5].0);
        c.run(&format!("kubectl delete pod {inside} --grace-period=0 --force"), &ws);
        c.advance(1_000);
        let e = endpoints(&c);
        let ips: Vec<&str> =
            e.subsets.as_ref().expect("subsets")[0].addresses.iter().flatten().map(|a| a.ip.as_str()).collect();
        let mut ready_ips: Vec<String> = c
            .store()
            .list(Kind::Pod, Some("default"))
            .filter_map(|o| match o {
                Object::Pod(p) if crate::controllers::pod_is_ready(p) => p.status.as_ref()?.pod_ip.clone(),
                _ => None,
            })
            .collect();
        ready_ips.sort();
        assert!(!ips.contains(&keys[5].0), "the deleted pod's address went");
        assert_eq!(ips, ready_ips[..1000].iter().map(String::as_str).collect::<Vec<_>>(), "the smallest 1,000 again");

        c.run("kubectl scale deployment web --replicas=900", &ws);
        c.advance(120_000);
        let e = endpoints(&c);
        assert_eq!(e.subsets.as_ref().and_then(|s| s[0].addresses.as_ref()).map(Vec::len), Some(900));
        assert_eq!(annotation(&e), None, "under the capacity again");
    }

    /// Each slice's ports, pods and the port each pod's endpoint has there.
    fn slice_ports(c: &Cluster, svc: &str) -> Vec<(String, Vec<i32>, Vec<String>)> {
        labelled(c, svc)
            .map(|(name, s)| {
                let mut pods: Vec<String> = s.endpoints.iter().map(pod_named).collect();
                pods.sort();
                (name.to_string(), s.ports.iter().flatten().filter_map(|p| p.port).collect(), pods)
            })
            .collect()
    }

    /// Pods whose named target port has another number, or none, go in slices of their own
    /// ports (kubernetes/endpointslice reconciler.go groups the endpoints by port map;
    /// `getEndpointPorts` leaves out a port `FindPort` does not find, which matches a
    /// container port by name *and* protocol). A Service left without endpoints keeps one
    /// placeholder slice without ports, and a slice to create takes the name of one to delete
    /// (`finalize`), so the names stay. A slice someone else manages is left alone.
    #[test]
    fn pods_with_other_ports_get_slices_of_their_own() {
        let mut c = Cluster::new(ClusterConfig { seed: 3, nodes: 3 });
        let deploy = |name: &str, port: i32, protocol: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: web, v: {name}}}}}\n  template:\n    metadata: {{labels: {{app: web, v: {name}}}}}\n    spec:\n      containers: [{{name: c, image: 'registry.k8s.io/pause:3.10', ports: [{{name: http, containerPort: {port}, protocol: {protocol}}}]}}]\n---\n"
            )
        };
        let manifest = [
            deploy("a", 8080, "TCP"),
            deploy("b", 9090, "TCP"),
            deploy("u", 7070, "UDP"),
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{name: h, port: 80, targetPort: http}]\n---\n".into(),
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-mine\n  labels: {kubernetes.io/service-name: web, endpointslice.kubernetes.io/managed-by: me}\naddressType: IPv4\nendpoints: [{addresses: [10.9.9.9]}]\nports: [{name: h, port: 80}]\n".into(),
        ]
        .concat();
        let ws = Workspace::default().with_file("m.yaml", &manifest);
        c.run("kubectl apply -f m.yaml", &ws);
        c.advance(30_000);
        let pods_of = |c: &Cluster, d: &str| -> Vec<String> {
            let mut v: Vec<String> = c
                .store
                .list(Kind::Pod, Some("default"))
                .map(|o| o.name().to_string())
                .filter(|n| n.starts_with(&format!("{d}-")))
                .collect();
            v.sort();
            v
        };
        let by_ports = |c: &Cluster| -> BTreeMap<Vec<i32>, Vec<String>> {
            slice_ports(c, "web")
                .into_iter()
                .filter(|(n, ..)| n != "web-mine")
                .map(|(_, ports, pods)| (ports, pods))
                .collect()
        };
        let got = by_ports(&c);
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[&vec![8080]], pods_of(&c, "a"));
        assert_eq!(got[&vec![9090]], pods_of(&c, "b"));
        // The UDP container port is not the TCP Service port's target: no port at all.
        assert_eq!(got[&vec![]], pods_of(&c, "u"));
        let names = |c: &Cluster| -> BTreeSet<String> { slice_ports(c, "web").into_iter().map(|(n, ..)| n).collect() };
        let before = names(&c);
        // Every endpoint gone: one placeholder, with the name of a slice that was.
        c.run("kubectl delete deployment a b u", &ws);
        c.advance(60_000);
        let left = slice_ports(&c, "web");
        let mine = left.iter().find(|(n, ..)| n == "web-mine").cloned();
        assert_eq!(mine, Some(("web-mine".into(), vec![80], vec![String::new()])), "someone else's slice stays");
        let ours: Vec<_> = left.into_iter().filter(|(n, ..)| n != "web-mine").collect();
        assert_eq!(ours.len(), 1, "{ours:?}");
        assert!(before.contains(&ours[0].0), "the placeholder keeps a slice's name: {ours:?}");
        assert_eq!((ours[0].1.len(), ours[0].2.len()), (0, 0), "a placeholder has no ports or endpoints");
        // Endpoints again: the placeholder's name, with their ports.
        c.run("kubectl apply -f m.yaml", &ws);
        c.advance(30_000);
        assert!(names(&c).contains(&ours[0].0), "{:?}", names(&c));
        assert_eq!(by_ports(&c).len(), 3);
    }

    /// A Service's slices carry its labels, the headless mark when it has no cluster IP, and
    /// follow when its labels change (`setEndpointSliceLabels`, `reconcileByPortMapping`).
    #[test]
    fn slices_carry_their_services_labels() {
        let (mut c, ws) = web_of(3, 4);
        let headless = "apiVersion: v1\nkind: Service\nmetadata: {name: web-headless, labels: {tier: db}}\nspec:\n  clusterIP: None\n  selector: {app: web}\n  ports: [{port: 80}]\n";
        let web = |tier: &str| {
            format!(
                "apiVersion: v1\nkind: Service\nmetadata: {{name: web, labels: {{tier: {tier}}}}}\nspec:\n  selector: {{app: web}}\n  ports: [{{port: 80}}]\n"
            )
        };
        let ws = ws
            .with_file("h.yaml", headless)
            .with_file("front.yaml", &web("front"))
            .with_file("back.yaml", &web("back"));
        c.run("kubectl apply -f h.yaml", &ws);
        c.run("kubectl apply -f front.yaml", &ws);
        c.advance(20_000);
        let labels = |c: &Cluster, svc: &str| -> Vec<BTreeMap<String, String>> {
            labelled(c, svc).filter_map(|(_, s)| s.metadata.labels.clone()).collect()
        };
        let want = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        assert_eq!(
            labels(&c, "web"),
            [want(&[(MANAGED_BY_LABEL, CONTROLLER_NAME), (SERVICE_NAME_LABEL, "web"), ("tier", "front")])]
        );
        assert_eq!(
            labels(&c, "web-headless"),
            [want(&[
                (MANAGED_BY_LABEL, CONTROLLER_NAME),
                (SERVICE_NAME_LABEL, "web-headless"),
                (HEADLESS_LABEL, ""),
                ("tier", "db")
            ])]
        );
        c.run("kubectl apply -f back.yaml", &ws);
        c.advance(5_000);
        assert_eq!(
            labels(&c, "web"),
            [want(&[(MANAGED_BY_LABEL, CONTROLLER_NAME), (SERVICE_NAME_LABEL, "web"), ("tier", "back")])]
        );
        let out: String =
            c.run("kubectl get endpointslices -l tier=back -o name", &ws).into_iter().map(|r| r.output).collect();
        assert_eq!(out.lines().count(), 1, "{out}");
    }
}
