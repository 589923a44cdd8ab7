//! The EndpointSlice and Endpoints controllers (K8S-FACTS §5.3) and kube-proxy's choice of an
//! endpoint for a connection (§8.3): iptables mode picks uniformly at random among ready
//! endpoints (seeded), IPVS mode round-robins, sessionAffinity ClientIP sticks.

use std::collections::BTreeMap;

use crate::api::Pod;
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort as CorePort, EndpointSubset, Endpoints, ObjectReference, Service,
};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{owner_ref, pod_is_ready};
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::controllers::replicaset::NAME_ALPHABET;

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

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

/// A Service port's target on a pod: a number, or a named container port.
pub fn target_port(svc_port: &k8s_openapi::api::core::v1::ServicePort, pod: &Pod) -> Option<i32> {
    match &svc_port.target_port {
        None => Some(svc_port.port),
        Some(IntOrString::Int(p)) => Some(*p),
        Some(IntOrString::String(name)) => pod
            .spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| p.container_port),
    }
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

/// `*e == endpoint(p, publish_not_ready)`, without building it: a sync compares every
/// endpoint of every slice, and at 150,000 pods building them all to compare was most of the
/// endpoints controller's time (docs/benchmarks.md). Every field is named, so a field added to
/// the type does not go unnoticed; debug builds check the answer against the built endpoint.
fn endpoint_is(e: &Endpoint, p: &Pod, publish_not_ready: bool) -> bool {
    let Endpoint { addresses, conditions, deprecated_topology, hints, hostname, node_name, target_ref, zone } = e;
    let (ready, serving, terminating) = endpoint_conditions(p, publish_not_ready);
    let same_ref = target_ref.as_ref().is_some_and(|r| {
        let ObjectReference { api_version, field_path, kind, name, namespace, resource_version, uid } = r;
        api_version.is_none()
            && field_path.is_none()
            && resource_version.is_none()
            && kind.as_deref() == Some("Pod")
            && *name == p.metadata.name
            && *namespace == p.metadata.namespace
            && *uid == p.metadata.uid
    });
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

/// One routable endpoint of a Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    pub pod: String,
    pub ip: String,
    pub port: i32,
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

impl Cluster {
    /// The pods a Service selects, in store order (none without a selector).
    fn service_pod_refs<'a>(&'a self, svc: &'a Service) -> impl Iterator<Item = &'a Pod> + 'a {
        let ns = svc.metadata.namespace.as_deref().unwrap_or("default");
        let selector = svc.spec.as_ref().and_then(|s| s.selector.as_ref()).filter(|s| !s.is_empty());
        self.store.list(Kind::Pod, Some(ns)).filter_map(move |o| match (o, selector) {
            (Object::Pod(p), Some(sel)) => {
                let labels = p.metadata.labels.as_ref();
                sel.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v)).then_some(&**p)
            }
            _ => None,
        })
    }

    /// The endpoints of a Service's `port`, as its EndpointSlices list them.
    pub fn backends(&self, ns: &str, svc_name: &str, port: i32) -> Vec<Backend> {
        let Some(Object::Service(svc)) = self.store.get(Kind::Service, ns, svc_name) else { return Vec::new() };
        let publish = svc.spec.as_ref().and_then(|s| s.publish_not_ready_addresses).unwrap_or(false);
        let Some(sp) =
            svc.spec.as_ref().and_then(|s| s.ports.as_ref()).and_then(|ps| ps.iter().find(|p| p.port == port)).cloned()
        else {
            return Vec::new();
        };
        self.service_pod_refs(svc)
            .filter(|p| should_be_in_endpoints(p, true))
            .filter_map(|p| {
                let (ready, serving, terminating) = endpoint_conditions(p, publish);
                Some(Backend {
                    pod: p.metadata.name.clone().unwrap_or_default(),
                    ip: p.status.as_ref()?.pod_ip.clone()?,
                    port: target_port(&sp, p)?,
                    ready,
                    serving,
                    terminating,
                })
            })
            .collect()
    }

    pub(crate) fn sync_endpoints(&mut self) {
        let services: Vec<Service> = self
            .store
            .list(Kind::Service, None)
            .filter_map(|o| match o {
                Object::Service(s) => Some((**s).clone()),
                _ => None,
            })
            .collect();
        for svc in &services {
            if svc.spec.as_ref().and_then(|s| s.selector.as_ref()).is_none_or(|s| s.is_empty()) {
                continue; // Endpoints of a selector-less Service are the user's to write.
            }
            self.sync_service_endpoints(svc);
        }
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

    fn sync_service_endpoints(&mut self, svc: &Service) {
        let ns = svc.metadata.namespace.clone().unwrap_or_default();
        let name = svc.metadata.name.clone().unwrap_or_default();
        let spec = svc.spec.clone().unwrap_or_default();
        let publish = spec.publish_not_ready_addresses.unwrap_or(false);
        let pods: Vec<&Pod> = self.service_pod_refs(svc).filter(|p| should_be_in_endpoints(p, true)).collect();
        // Everything the EndpointSlice and Endpoints are made of, hashed: when it is what the
        // last sync wrote and nobody touched those objects since, this sync would write nothing
        // (at 150,000 pods, building the lists to compare them is what costs).
        let fingerprint = {
            use std::hash::{Hash, Hasher};
            let mut h = crate::fingerprint::Fingerprint::default();
            (&svc.metadata.resource_version, &svc.metadata.labels).hash(&mut h);
            for p in &pods {
                (&p.metadata.name, &p.metadata.namespace, &p.metadata.uid).hash(&mut h);
                p.status.as_ref().and_then(|s| s.pod_ip.as_deref()).hash(&mut h);
                p.spec.as_ref().and_then(|s| s.node_name.as_deref()).hash(&mut h);
                // (ready, serving, terminating): serving is the pod's readiness.
                endpoint_conditions(p, publish).hash(&mut h);
                for sp in spec.ports.iter().flatten() {
                    target_port(sp, p).hash(&mut h);
                }
            }
            h.finish()
        };
        let key = (ns.clone(), name.clone());
        let written =
            |c: &Cluster| (fingerprint, c.store.changes(Kind::EndpointSlice), c.store.changes(Kind::Endpoints));
        if self.endpoints_synced.get(&key) == Some(&written(self)) {
            return;
        }
        let first_pod = pods.first();
        let ports: Vec<EndpointPort> = spec
            .ports
            .iter()
            .flatten()
            .map(|sp| EndpointPort {
                name: Some(sp.name.clone().unwrap_or_default()),
                port: first_pod.and_then(|p| target_port(sp, p)).or(match &sp.target_port {
                    Some(IntOrString::Int(p)) => Some(*p),
                    None => Some(sp.port),
                    _ => None,
                }),
                protocol: Some(sp.protocol.clone().unwrap_or_else(|| "TCP".into())),
                app_protocol: sp.app_protocol.clone(),
            })
            .collect();
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
        let addr = |p: &Pod| EndpointAddress {
            ip: ip_of(p).to_string(),
            node_name: p.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(pod_ref(p)),
            ..Default::default()
        };
        let subsets = if ready.is_empty() && not_ready.is_empty() {
            None
        } else {
            Some(vec![EndpointSubset {
                addresses: (!ready.is_empty()).then(|| ready.iter().map(|p| addr(p)).collect()),
                not_ready_addresses: (!not_ready.is_empty()).then(|| not_ready.iter().map(|p| addr(p)).collect()),
                ports: Some(
                    ports
                        .iter()
                        .map(|p| CorePort {
                            name: p.name.clone(),
                            port: p.port.unwrap_or(0),
                            protocol: p.protocol.clone(),
                            app_protocol: None,
                        })
                        .collect(),
                ),
            }])
        };
        let ep = Endpoints {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(ns.clone()),
                labels: svc.metadata.labels.clone(),
                annotations: over_capacity
                    .then(|| BTreeMap::from([(OVER_CAPACITY_ANNOTATION.to_string(), "truncated".to_string())])),
                ..Default::default()
            },
            subsets,
        };
        // The EndpointSlices: at most MAX_ENDPOINTS_PER_SLICE endpoints each. As upstream's
        // reconciler does, an endpoint stays in the slice it is in, new ones fill the slices with
        // room (in name order) and then new slices `<service>-<5 chars>`; emptied slices are
        // deleted, but a Service always keeps one, even with no endpoints.
        // Borrowed, not copied (a slice is copied only to write it): (name, endpoints, ports).
        type Borrowed<'a> = (String, &'a Vec<Endpoint>, &'a Option<Vec<EndpointPort>>);
        let slices: Vec<Borrowed> = self
            .store
            .list(Kind::EndpointSlice, Some(&ns))
            .filter_map(|o| match o {
                Object::EndpointSlice(s)
                    if s.metadata.labels.as_ref().and_then(|l| l.get(SERVICE_NAME_LABEL)) == Some(&name) =>
                {
                    Some((o.name().to_string(), &s.endpoints, &s.ports))
                }
                _ => None,
            })
            .collect();
        let desired_ports = (!ports.is_empty()).then(|| ports.clone());
        fn pod_of(e: &Endpoint) -> &str {
            e.target_ref.as_ref().and_then(|r| r.name.as_deref()).unwrap_or_default()
        }
        // Each desired endpoint by its pod (position in `pods`), placed once. Slices hold pod
        // positions; an endpoint is built only for a slice that is written.
        let mut taken = vec![false; pods.len()];
        let by_pod: BTreeMap<&str, usize> =
            pods.iter().enumerate().map(|(i, p)| (p.metadata.name.as_deref().unwrap_or_default(), i)).collect();
        let mut placed: Vec<Vec<usize>> = slices
            .iter()
            .map(|s| {
                s.1.iter()
                    .filter_map(|e| by_pod.get(pod_of(e)).copied().filter(|&i| !std::mem::replace(&mut taken[i], true)))
                    .collect()
            })
            .collect();
        let mut rest = (0..pods.len()).filter(|&i| !taken[i]).peekable();
        for list in placed.iter_mut() {
            while list.len() < MAX_ENDPOINTS_PER_SLICE
                && let Some(i) = rest.next()
            {
                list.push(i);
            }
        }
        while rest.peek().is_some() || placed.is_empty() {
            placed.push(rest.by_ref().take(MAX_ENDPOINTS_PER_SLICE).collect());
        }
        let keep_one = placed.iter().all(Vec::is_empty);
        // What to write, decided while the slices are borrowed.
        enum Write {
            Remove(String),
            Update(String, Vec<Endpoint>),
            Create(Vec<Endpoint>),
        }
        let writes: Vec<Write> = placed
            .into_iter()
            .enumerate()
            .filter_map(|(i, list)| match slices.get(i) {
                Some((slice_name, _, _)) if list.is_empty() && !(keep_one && i == 0) => {
                    Some(Write::Remove(slice_name.clone()))
                }
                Some((slice_name, cur, cur_ports)) => {
                    let same = cur.len() == list.len()
                        && cur.iter().zip(&list).all(|(e, &i)| endpoint_is(e, pods[i], publish))
                        && **cur_ports == desired_ports;
                    (!same).then(|| {
                        Write::Update(slice_name.clone(), list.iter().map(|&i| endpoint(pods[i], publish)).collect())
                    })
                }
                None => Some(Write::Create(list.iter().map(|&i| endpoint(pods[i], publish)).collect())),
            })
            .collect();
        for w in writes {
            match w {
                Write::Remove(slice_name) => {
                    self.store.remove(Kind::EndpointSlice, &ns, &slice_name);
                }
                Write::Update(slice_name, list) => {
                    if let Some(Object::EndpointSlice(cur)) = self.store.get(Kind::EndpointSlice, &ns, &slice_name) {
                        let slice = EndpointSlice {
                            endpoints: list,
                            ports: desired_ports.clone(),
                            metadata: cur.metadata.clone(),
                            address_type: cur.address_type.clone(),
                        };
                        self.store.update(Object::EndpointSlice(Box::new(slice)));
                    }
                }
                Write::Create(list) => {
                    let slice_name = loop {
                        let n = format!("{name}-{}", self.rng_names.string_from(NAME_ALPHABET, 5));
                        if !self.store.contains(Kind::EndpointSlice, &ns, &n) {
                            break n;
                        }
                    };
                    let labels: BTreeMap<String, String> = [
                        (SERVICE_NAME_LABEL.to_string(), name.clone()),
                        (
                            "endpointslice.kubernetes.io/managed-by".to_string(),
                            "endpointslice-controller.k8s.io".to_string(),
                        ),
                    ]
                    .into();
                    let slice = EndpointSlice {
                        metadata: ObjectMeta {
                            name: Some(slice_name.clone()),
                            generate_name: Some(format!("{name}-")),
                            namespace: Some(ns.clone()),
                            labels: Some(labels),
                            owner_references: Some(vec![owner_ref(Kind::Service, &svc.metadata)]),
                            ..Default::default()
                        },
                        address_type: "IPv4".into(),
                        endpoints: list,
                        ports: desired_ports.clone(),
                    };
                    self.store.create(Object::EndpointSlice(Box::new(slice)), self.now);
                }
            }
        }
        match self.store.get(Kind::Endpoints, &ns, &name) {
            Some(Object::Endpoints(cur)) => {
                fn annotated(m: &ObjectMeta) -> Option<&str> {
                    m.annotations.as_ref().and_then(|a| a.get(OVER_CAPACITY_ANNOTATION)).map(String::as_str)
                }
                if cur.subsets != ep.subsets || annotated(&cur.metadata) != annotated(&ep.metadata) {
                    let mut metadata = cur.metadata.clone();
                    let annotations = metadata.annotations.get_or_insert_with(BTreeMap::new);
                    annotations.remove(OVER_CAPACITY_ANNOTATION);
                    if over_capacity {
                        annotations.insert(OVER_CAPACITY_ANNOTATION.to_string(), "truncated".to_string());
                    }
                    if annotations.is_empty() {
                        metadata.annotations = None;
                    }
                    let cur = Endpoints { subsets: ep.subsets, metadata };
                    self.store.update(Object::Endpoints(Box::new(cur)));
                }
            }
            _ => {
                self.store.create(Object::Endpoints(Box::new(ep)), self.now);
            }
        }
        let synced = written(self);
        self.endpoints_synced.insert(key, synced);
    }

    /// kube-proxy: the endpoint a new connection to `ns/svc:port` from `client` goes to.
    /// Ready endpoints first; if none, serving-and-terminating ones; none at all is a refusal.
    pub fn pick_backend(&mut self, ns: &str, svc_name: &str, port: i32, client: &str) -> Result<Backend, String> {
        let rules = ProxyRules::new(self.backends(ns, svc_name, port));
        self.pick_from(ns, svc_name, port, client, &rules)
    }

    /// kube-proxy's choice among `rules` (its possibly stale view of the endpoints).
    pub(crate) fn pick_from(
        &mut self,
        ns: &str,
        svc_name: &str,
        port: i32,
        client: &str,
        rules: &ProxyRules,
    ) -> Result<Backend, String> {
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
        let key = (ns.to_string(), svc_name.to_string(), port);
        let now = self.now.ms();
        if let Some(timeout_s) = affinity_timeout_s
            && let Some((pod, last)) = self.proxy.affinity.get(&(key.clone(), client.to_string())).cloned()
            && now.saturating_sub(last) <= timeout_s * 1000
            && let Some(b) = pool.iter().map(|i| &rules.all[*i]).find(|b| b.pod == pod)
        {
            let b = b.clone();
            self.proxy.affinity.insert((key, client.to_string()), (pod, now));
            return Ok(b);
        }
        let chosen = if self.proxy.ipvs {
            let n = self.proxy.round_robin.entry(key.clone()).or_insert(0);
            let b = rules.all[pool[*n % pool.len()]].clone();
            *n += 1;
            b
        } else {
            // iptables: rule i matches with probability 1/(n-i); overall uniform.
            rules.all[pool[self.rng_proxy.below(pool.len() as u32) as usize]].clone()
        };
        if affinity_timeout_s.is_some() {
            self.proxy.affinity.insert((key, client.to_string()), (chosen.pod.clone(), now));
        }
        Ok(chosen)
    }
}

/// kube-proxy's rules for one Service port: every endpoint, and the ones new connections go
/// to (the ready endpoints, or if none, the serving and terminating ones).
#[derive(Clone, Debug, Default)]
pub struct ProxyRules {
    pub all: Vec<Backend>,
    pool: Vec<usize>,
}

impl ProxyRules {
    pub fn new(all: Vec<Backend>) -> ProxyRules {
        let mut pool: Vec<usize> = (0..all.len()).filter(|i| all[*i].ready).collect();
        if pool.is_empty() {
            pool = (0..all.len()).filter(|i| all[*i].serving && all[*i].terminating).collect();
        }
        ProxyRules { all, pool }
    }
}

impl Cluster {
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
                && self.kubelet.nodes.values().any(|n| crate::kubelet::host_ip(n.index) == host))
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
    /// (service port, client) -> (pod, last used ms).
    affinity: BTreeMap<(ServicePortKey, String), (String, u64)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodCondition, PodStatus};

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

    /// The Service's slices: (name, endpoints' pods).
    fn slices(c: &Cluster, svc: &str) -> Vec<(String, Vec<String>)> {
        c.store
            .list(Kind::EndpointSlice, Some("default"))
            .filter_map(|o| match o {
                Object::EndpointSlice(s)
                    if s.metadata.labels.as_ref().and_then(|l| l.get(SERVICE_NAME_LABEL)).map(String::as_str)
                        == Some(svc) =>
                {
                    let pods = s
                        .endpoints
                        .iter()
                        .map(|e| e.target_ref.as_ref().and_then(|r| r.name.clone()).unwrap_or_default())
                        .collect();
                    Some((o.name().to_string(), pods))
                }
                _ => None,
            })
            .collect()
    }

    /// At most 100 endpoints a slice (kube-controller-manager's --max-endpoints-per-slice
    /// default), every pod in exactly one slice; an endpoint stays in its slice as others come
    /// and go, and emptied slices go away.
    #[test]
    fn a_service_of_250_pods_has_three_slices_of_at_most_100() {
        let mut c = Cluster::new(ClusterConfig { seed: 7, nodes: 3 });
        let manifest = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 250\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: 'registry.k8s.io/pause:3.10', resources: {requests: {cpu: 1m, memory: 1Mi}}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n";
        let ws = Workspace::default().with_file("m.yaml", manifest);
        c.run("kubectl apply -f m.yaml", &ws);
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

        c.run("kubectl scale deployment web --replicas=900", &ws);
        c.advance(120_000);
        let e = endpoints(&c);
        assert_eq!(e.subsets.as_ref().and_then(|s| s[0].addresses.as_ref()).map(Vec::len), Some(900));
        assert_eq!(annotation(&e), None, "under the capacity again");
    }
}
