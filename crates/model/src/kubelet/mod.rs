//! A minimal kubelet per node: image pull into the node's image cache, container start, Ready,
//! and graceful stop on delete. The full kubelet (probes, restarts and back-off, resources,
//! behaviour profiles) grows behind the same seam: `kubelet_pod_bound` and `kubelet_sync_pod`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateWaiting, ContainerStatus, Pod, PodCondition, PodIP, PodStatus,
};

use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::queue::Timer;
use crate::store::time;
use crate::time::go_duration;

/// Images the simulated registry serves: (repository, compressed size in bytes).
const REGISTRY: &[(&str, u64)] = &[
    ("nginx", 72_404_038),
    ("busybox", 2_156_518),
    ("postgres", 158_034_621),
    ("redis", 45_981_003),
    ("httpd", 58_217_390),
    ("alpine", 3_623_807),
    ("registry.k8s.io/pause", 320_368),
];

/// The size of an image the registry serves, in bytes.
pub fn image_size(image: &str) -> Option<u64> {
    let repo = repository(image);
    REGISTRY.iter().find(|(r, _)| *r == repo).map(|(_, s)| *s)
}

/// Pull bandwidth of the simulated registry: 40 MB/s plus 300 ms per pull.
fn pull_ms(size: u64) -> u64 {
    300 + size / 40_000
}

/// `docker.io/library/nginx:1.27` -> `nginx`; the repository part of an image reference.
pub fn repository(image: &str) -> String {
    let no_digest = image.split('@').next().unwrap_or("");
    let (repo, _) = match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => no_digest.split_at(i),
        _ => (no_digest, ""),
    };
    repo.trim_start_matches("docker.io/").trim_start_matches("library/").to_string()
}

/// The reference with its default tag, as the runtime normalises it (`nginx` -> `nginx:latest`).
pub fn with_tag(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or("");
    if last.contains(':') || image.contains('@') { image.to_string() } else { format!("{image}:latest") }
}

#[derive(Debug, Default)]
pub struct NodeRuntime {
    pub images: BTreeSet<String>,
    pub index: u32,
    next_ip: u32,
}

#[derive(Debug, Default, Clone)]
struct PodRuntime {
    /// 0: not seen, 1: pulling, 2: creating, 3: running, 4: stopping.
    stage: u8,
    pull_failures: u32,
}

#[derive(Debug, Default)]
pub struct KubeletState {
    pub nodes: BTreeMap<String, NodeRuntime>,
    pods: BTreeMap<(String, String), PodRuntime>,
}

impl KubeletState {
    pub fn register_node(&mut self, name: &str) {
        let index = self.nodes.len() as u32 + 1;
        self.nodes.entry(name.to_string()).or_insert(NodeRuntime { images: BTreeSet::new(), index, next_ip: 1 });
    }
}

/// QoS class from requests and limits (K8S-FACTS §10.2), set on pod creation.
pub fn with_qos(mut p: Pod) -> Pod {
    let qos = qos_class(&p);
    p.status.get_or_insert_with(PodStatus::default).qos_class = Some(qos.into());
    p
}

pub fn qos_class(p: &Pod) -> &'static str {
    let Some(spec) = p.spec.as_ref() else {
        return "BestEffort";
    };
    let all: Vec<_> = spec.containers.iter().chain(spec.init_containers.iter().flatten()).collect();
    let nonzero = |m: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>, k: &str| {
        m.and_then(|m| m.get(k)).is_some_and(|q| crate::api::quantity::parse_nanos(&q.0).is_ok_and(|v| v != 0))
    };
    let any = all.iter().any(|c| {
        let r = c.resources.as_ref();
        ["cpu", "memory"]
            .iter()
            .any(|k| nonzero(r.and_then(|r| r.requests.as_ref()), k) || nonzero(r.and_then(|r| r.limits.as_ref()), k))
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = all.iter().all(|c| {
        let r = c.resources.as_ref();
        let req = r.and_then(|r| r.requests.as_ref());
        let lim = r.and_then(|r| r.limits.as_ref());
        ["cpu", "memory"].iter().all(|k| {
            let l = lim.and_then(|m| m.get(*k)).and_then(|q| crate::api::quantity::parse_nanos(&q.0).ok());
            let rq = req.and_then(|m| m.get(*k)).and_then(|q| crate::api::quantity::parse_nanos(&q.0).ok()).or(l);
            l.is_some_and(|l| l != 0) && rq == l
        })
    });
    if guaranteed { "Guaranteed" } else { "Burstable" }
}

impl Cluster {
    /// The pod was bound to a node: its kubelet picks it up shortly after (a watch event).
    pub(crate) fn kubelet_pod_bound(&mut self, ns: &str, name: &str) {
        self.queue.push(self.now.plus_ms(100), Timer::Kubelet { namespace: ns.into(), name: name.into() });
    }

    fn kubelet_timer(&mut self, ns: &str, name: &str, after_ms: u64) {
        self.queue.push(self.now.plus_ms(after_ms), Timer::Kubelet { namespace: ns.into(), name: name.into() });
    }

    pub(crate) fn kubelet_sync_pod(&mut self, ns: &str, name: &str) {
        let key = (ns.to_string(), name.to_string());
        let Some(Object::Pod(pod)) = self.store.get(Kind::Pod, ns, name).cloned() else {
            self.kubelet.pods.remove(&key);
            return;
        };
        let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else {
            return;
        };
        let rt = self.kubelet.pods.get(&key).cloned().unwrap_or_default();
        let container = pod.spec.as_ref().and_then(|s| s.containers.first()).cloned().unwrap_or_default();
        let cname = container.name.clone();
        let image = container.image.clone().unwrap_or_default();

        if pod.metadata.deletion_timestamp.is_some() {
            if rt.stage == 4 {
                // Containers have stopped: the kubelet removes the pod from the API.
                self.kubelet.pods.remove(&key);
                self.store.remove(Kind::Pod, ns, name);
                self.scheduler.epoch += 1;
                self.changed(Kind::Pod);
                return;
            }
            if rt.stage == 3 {
                self.record_event(
                    Kind::Pod,
                    ns,
                    name,
                    "Normal",
                    "Killing",
                    &format!("Stopping container {cname}"),
                    "kubelet",
                    Some(&node),
                );
            }
            self.kubelet.pods.insert(key, PodRuntime { stage: 4, ..rt });
            // Simple servers exit promptly on SIGTERM; the grace period bounds it.
            let grace_ms = pod.metadata.deletion_grace_period_seconds.unwrap_or(30).max(0) as u64 * 1000;
            self.kubelet_timer(ns, name, grace_ms.min(300));
            return;
        }

        match rt.stage {
            0 => {
                // First sight: pod IP, ContainerCreating, start pulling.
                let nrt = self.kubelet.nodes.entry(node.clone()).or_default();
                let ip = format!("10.244.{}.{}", nrt.index, nrt.next_ip + 1);
                nrt.next_ip += 1;
                let now = time(self.now);
                let mut p = pod.clone();
                let st = p.status.get_or_insert_with(PodStatus::default);
                st.phase = Some("Pending".into());
                st.host_ip = Some(host_ip(nrt.index));
                st.pod_ip = Some(ip.clone());
                st.pod_ips = Some(vec![PodIP { ip }]);
                st.start_time = Some(now.clone());
                let conds = st.conditions.get_or_insert_with(Vec::new);
                for (ty, s) in [
                    ("PodReadyToStartContainers", "True"),
                    ("Initialized", "True"),
                    ("Ready", "False"),
                    ("ContainersReady", "False"),
                ] {
                    if !conds.iter().any(|c| c.type_ == ty) {
                        conds.push(cond(ty, s, &now, &cname));
                    }
                }
                sort_conditions(conds);
                st.container_statuses = Some(
                    pod.spec
                        .iter()
                        .flat_map(|s| s.containers.iter())
                        .map(|c| ContainerStatus {
                            name: c.name.clone(),
                            image: c.image.clone().unwrap_or_default(),
                            image_id: String::new(),
                            ready: false,
                            restart_count: 0,
                            started: Some(false),
                            state: Some(ContainerState {
                                waiting: Some(ContainerStateWaiting {
                                    reason: Some("ContainerCreating".into()),
                                    message: None,
                                }),
                                ..Default::default()
                            }),
                            ..Default::default()
                        })
                        .collect(),
                );
                self.store.update(Object::Pod(p));
                self.changed(Kind::Pod);
                let cached = self.kubelet.nodes.get(&node).is_some_and(|n| n.images.contains(&with_tag(&image)));
                let policy = container
                    .image_pull_policy
                    .clone()
                    .unwrap_or_else(|| crate::api::defaults::default_pull_policy(&image).into());
                if cached && policy != "Always" {
                    self.record_event(
                        Kind::Pod,
                        ns,
                        name,
                        "Normal",
                        "Pulled",
                        &format!("Container image \"{image}\" already present on machine"),
                        "kubelet",
                        Some(&node),
                    );
                    self.kubelet.pods.insert(key, PodRuntime { stage: 2, ..rt });
                    self.kubelet_timer(ns, name, 200);
                } else {
                    self.record_event(
                        Kind::Pod,
                        ns,
                        name,
                        "Normal",
                        "Pulling",
                        &format!("Pulling image \"{image}\""),
                        "kubelet",
                        Some(&node),
                    );
                    self.kubelet.pods.insert(key, PodRuntime { stage: 1, ..rt });
                    let size = REGISTRY.iter().find(|(r, _)| *r == repository(&image)).map(|(_, s)| *s);
                    let ms = if cached { 300 } else { size.map_or(800, pull_ms) };
                    self.kubelet_timer(ns, name, ms);
                }
            }
            1 => {
                let repo = repository(&image);
                let size = REGISTRY.iter().find(|(r, _)| *r == repo).map(|(_, s)| *s);
                let cached = self.kubelet.nodes.get(&node).is_some_and(|n| n.images.contains(&with_tag(&image)));
                match size {
                    Some(size) => {
                        let took = if cached { 300 } else { pull_ms(size) };
                        let d = go_duration(took);
                        self.record_event(
                            Kind::Pod,
                            ns,
                            name,
                            "Normal",
                            "Pulled",
                            &format!("Successfully pulled image \"{image}\" in {d} ({d} including waiting). Image size: {size} bytes."),
                            "kubelet",
                            Some(&node),
                        );
                        if let Some(n) = self.kubelet.nodes.get_mut(&node) {
                            n.images.insert(with_tag(&image));
                        }
                        self.kubelet.pods.insert(key, PodRuntime { stage: 2, ..rt });
                        self.kubelet_timer(ns, name, 200);
                    }
                    None => {
                        // Not in any registry: ErrImagePull, then retry with back-off (10 s doubling to 300 s).
                        let full = if image.contains('/') {
                            with_tag(&image)
                        } else {
                            format!("docker.io/library/{}", with_tag(&image))
                        };
                        let msg = format!(
                            "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found"
                        );
                        self.record_event(Kind::Pod, ns, name, "Warning", "Failed", &msg, "kubelet", Some(&node));
                        self.record_event(
                            Kind::Pod,
                            ns,
                            name,
                            "Warning",
                            "Failed",
                            "Error: ErrImagePull",
                            "kubelet",
                            Some(&node),
                        );
                        self.set_waiting(ns, name, "ErrImagePull", &msg);
                        let failures = rt.pull_failures + 1;
                        let backoff = (10_000u64 << (failures - 1).min(5)).min(300_000);
                        self.kubelet.pods.insert(key, PodRuntime { stage: 0, pull_failures: failures });
                        self.kubelet_timer(ns, name, backoff);
                    }
                }
            }
            2 => {
                // Create and start the containers.
                let now = time(self.now);
                let mut p = pod.clone();
                let names: Vec<String> =
                    pod.spec.iter().flat_map(|s| s.containers.iter()).map(|c| c.name.clone()).collect();
                for c in &names {
                    self.record_event(
                        Kind::Pod,
                        ns,
                        name,
                        "Normal",
                        "Created",
                        &format!("Created container: {c}"),
                        "kubelet",
                        Some(&node),
                    );
                    self.record_event(
                        Kind::Pod,
                        ns,
                        name,
                        "Normal",
                        "Started",
                        &format!("Started container {c}"),
                        "kubelet",
                        Some(&node),
                    );
                }
                let st = p.status.get_or_insert_with(PodStatus::default);
                st.phase = Some("Running".into());
                for cs in st.container_statuses.iter_mut().flatten() {
                    cs.state = Some(ContainerState {
                        running: Some(ContainerStateRunning { started_at: Some(now.clone()) }),
                        ..Default::default()
                    });
                    cs.started = Some(true);
                    cs.ready = true;
                    cs.image_id = image_id(&cs.image);
                    let id: String = (0..4).map(|_| format!("{:016x}", self.rng_names.next_u64())).collect();
                    cs.container_id = Some(format!("containerd://{id}"));
                }
                // No readiness probe: ready as soon as it runs. (Probes come with the full kubelet.)
                let conds = st.conditions.get_or_insert_with(Vec::new);
                for c in conds.iter_mut() {
                    if (c.type_ == "Ready" || c.type_ == "ContainersReady") && c.status != "True" {
                        c.status = "True".into();
                        c.reason = None;
                        c.message = None;
                        c.last_transition_time = Some(now.clone());
                    }
                }
                self.store.update(Object::Pod(p));
                self.kubelet.pods.insert(key, PodRuntime { stage: 3, ..rt });
                self.changed(Kind::Pod);
            }
            _ => {}
        }
    }

    fn set_waiting(&mut self, ns: &str, name: &str, reason: &str, message: &str) {
        if let Some(Object::Pod(p)) = self.store.get(Kind::Pod, ns, name).cloned() {
            let mut p = p;
            for cs in p.status.iter_mut().flat_map(|s| s.container_statuses.iter_mut().flatten()) {
                cs.state = Some(ContainerState {
                    waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message: Some(message.into()) }),
                    ..Default::default()
                });
            }
            self.store.update(Object::Pod(p));
            self.changed(Kind::Pod);
        }
    }
}

/// `docker.io/library/nginx@sha256:…`: a stable digest derived from the reference.
pub fn image_id(image: &str) -> String {
    let repo = repository(image);
    let full = if repo.contains('/') { repo.clone() } else { format!("docker.io/library/{repo}") };
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut digest = String::new();
    for round in 0..4u8 {
        for b in with_tag(image).bytes().chain([round]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        digest.push_str(&format!("{h:016x}"));
    }
    format!("{full}@sha256:{digest}")
}

fn host_ip(index: u32) -> String {
    format!("172.18.0.{}", index + 1)
}

fn cond(
    ty: &str,
    status: &str,
    now: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
    container: &str,
) -> PodCondition {
    let unready = status == "False" && (ty == "Ready" || ty == "ContainersReady");
    PodCondition {
        type_: ty.into(),
        status: status.into(),
        reason: unready.then(|| "ContainersNotReady".to_string()),
        message: unready.then(|| format!("containers with unready status: [{container}]")),
        last_transition_time: Some(now.clone()),
        last_probe_time: None,
        observed_generation: None,
    }
}

/// Upstream's condition order in status.
fn sort_conditions(conds: &mut [PodCondition]) {
    let order = |t: &str| match t {
        "PodReadyToStartContainers" => 0,
        "Initialized" => 1,
        "Ready" => 2,
        "ContainersReady" => 3,
        "PodScheduled" => 4,
        _ => 5,
    };
    conds.sort_by_key(|c| order(&c.type_));
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Container, PodSpec, ResourceRequirements};
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

    fn c(req: &[(&str, &str)], lim: &[(&str, &str)]) -> Container {
        let m = |l: &[(&str, &str)]| {
            (!l.is_empty()).then(|| l.iter().map(|(k, v)| (k.to_string(), Quantity(v.to_string()))).collect())
        };
        Container {
            name: "c".into(),
            resources: Some(ResourceRequirements { requests: m(req), limits: m(lim), ..Default::default() }),
            ..Default::default()
        }
    }

    fn pod(cs: Vec<Container>, init: Vec<Container>) -> Pod {
        Pod {
            spec: Some(PodSpec {
                containers: cs,
                init_containers: (!init.is_empty()).then_some(init),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// K8S-FACTS §10.2: qos_test.go TestComputePodQOS.
    #[test]
    fn qos_table() {
        let g = || c(&[("cpu", "100m"), ("memory", "100Mi")], &[("cpu", "100m"), ("memory", "100Mi")]);
        let be = || c(&[], &[]);
        assert_eq!(qos_class(&pod(vec![g()], vec![])), "Guaranteed");
        assert_eq!(qos_class(&pod(vec![g(), g()], vec![])), "Guaranteed");
        assert_eq!(qos_class(&pod(vec![be(), be()], vec![])), "BestEffort");
        assert_eq!(qos_class(&pod(vec![be(), c(&[("cpu", "1")], &[("cpu", "2")])], vec![])), "Burstable");
        assert_eq!(qos_class(&pod(vec![be(), g()], vec![])), "Burstable");
        assert_eq!(qos_class(&pod(vec![c(&[("memory", "100Mi")], &[("memory", "100Mi")])], vec![])), "Burstable");
        assert_eq!(qos_class(&pod(vec![c(&[("cpu", "100m"), ("memory", "100Mi")], &[])], vec![])), "Burstable");
        assert_eq!(
            qos_class(&pod(vec![c(&[("cpu", "0"), ("memory", "0")], &[("cpu", "100m"), ("memory", "200Mi")])], vec![])),
            "Burstable"
        );
        assert_eq!(
            qos_class(&pod(
                vec![be()],
                vec![c(&[("cpu", "10m"), ("memory", "100Mi")], &[("cpu", "100m"), ("memory", "200Mi")])]
            )),
            "Burstable"
        );
        assert_eq!(
            qos_class(&pod(
                vec![c(
                    &[("hugepages-2Mi", "1Gi"), ("cpu", "0"), ("memory", "0")],
                    &[("hugepages-2Mi", "1Gi"), ("cpu", "0"), ("memory", "0")]
                )],
                vec![]
            )),
            "BestEffort"
        );
        // A limit alone defaults the request to it: Guaranteed.
        assert_eq!(qos_class(&pod(vec![c(&[], &[("cpu", "100m"), ("memory", "100Mi")])], vec![])), "Guaranteed");
    }

    #[test]
    fn image_names() {
        assert_eq!(repository("nginx:1.27"), "nginx");
        assert_eq!(repository("docker.io/library/nginx"), "nginx");
        assert_eq!(repository("localhost:5000/app:v1"), "localhost:5000/app");
        assert_eq!(with_tag("nginx"), "nginx:latest");
        assert_eq!(with_tag("localhost:5000/app"), "localhost:5000/app:latest");
    }
}
