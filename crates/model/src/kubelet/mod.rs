//! The kubelet of each node: the registry and each node's image cache, QoS, and (in
//! `runtime`) the pod workers that pull, start, probe, restart and stop containers.

pub mod runtime;

use std::collections::{BTreeMap, BTreeSet};

use crate::api::Pod;
use k8s_openapi::api::core::v1::PodStatus;

/// Images the simulated registry serves: (repository, compressed size in bytes).
const REGISTRY: &[(&str, u64)] = &[
    ("nginx", 72_404_038),
    ("busybox", 2_156_518),
    ("postgres", 158_034_621),
    ("redis", 45_981_003),
    ("httpd", 58_217_390),
    ("alpine", 3_623_807),
    ("registry.k8s.io/pause", 320_368),
    ("polinux/stress", 4_896_416),
];

/// The size of an image the registry serves, in bytes.
pub fn image_size(image: &str) -> Option<u64> {
    let repo = repository_of(image);
    REGISTRY.iter().find(|(r, _)| *r == repo).map(|(_, s)| *s)
}

/// Pull bandwidth of the simulated registry: 40 MB/s plus 300 ms per pull.
pub(crate) fn pull_ms(size: u64) -> u64 {
    300 + size / 40_000
}

/// `docker.io/library/nginx:1.27` -> `nginx`; the repository part of an image reference.
pub fn repository(image: &str) -> String {
    repository_of(image).to_string()
}

/// [`repository`], borrowed from the reference.
fn repository_of(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or("");
    let (repo, _) = match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => no_digest.split_at(i),
        _ => (no_digest, ""),
    };
    // `trim_start_matches` of each prefix, without a substring searcher built per call (this
    // runs several times for every container started).
    let mut repo = repo;
    while let Some(rest) = repo.strip_prefix("docker.io/") {
        repo = rest;
    }
    while let Some(rest) = repo.strip_prefix("library/") {
        repo = rest;
    }
    repo
}

/// The reference with its default tag, as the runtime normalises it (`nginx` -> `nginx:latest`).
pub fn with_tag(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or("");
    if last.contains(':') || image.contains('@') { image.to_string() } else { format!("{image}:latest") }
}

#[derive(Clone, Debug, Default)]
pub struct NodeRuntime {
    pub images: BTreeSet<String>,
    pub index: u32,
    next_ip: u32,
    /// Since when the kubelet has not reached the API server (ms), if it cannot.
    pub down_since: Option<u64>,
    /// A partition: the node is cut off but its containers keep running.
    pub partitioned: bool,
}

#[derive(Clone, Debug, Default)]
pub struct KubeletState {
    /// Each node's runtime, by node name: looked up at every pod sync, status write and
    /// request, listed only by the node lifecycle controller (sorted there).
    pub(crate) nodes: crate::fingerprint::LookupMap<crate::store::Name, NodeRuntime>,
    /// Each pod's runtime record ([`PodRts`]).
    pub(crate) pods: PodRts,
    /// Images built or tagged with `docker`, by `name:tag`: present on every node (a single
    /// docker-desktop node shares the Docker image store) and in no registry.
    local_images: BTreeMap<String, LocalImage>,
    /// Behaviour profiles from the workspace, by image (`repo` or `repo:tag`).
    custom_profiles: BTreeMap<String, crate::images::Profile>,
    /// The base behaviour profiles worked out for containers (`Cluster::base_profile`), by
    /// image, command and arguments: its only inputs besides the local images and the course's
    /// profiles, and a change to those forgets them all. A Deployment's pods ask for the same
    /// one at every container start (the lookups and copies it takes were a fortieth of the
    /// envelope's instructions). A cache: not copied with the cluster, at most
    /// [`BASE_PROFILES_KEPT`].
    base_profiles: crate::cluster::Remembered<Vec<BaseProfile>>,
    /// The profiles running containers follow, one shared copy of each, by fingerprint.
    profiles: BTreeMap<u64, Vec<std::rc::Rc<crate::images::Profile>>>,
    /// Changes whenever a node's runtime comes or goes or an image arrives on a node (the
    /// scheduler's node table is kept while it stays).
    pub(crate) images_epoch: u64,
    /// [`image_id`] of the images containers started with, worked out once (it hashes the
    /// reference four times over, and every status write of a started container names it; the
    /// pods of a Deployment share their images). A cache: not copied with the cluster, and at
    /// most [`IMAGE_IDS_KEPT`] images.
    image_ids: crate::cluster::Remembered<crate::fingerprint::LookupMap<String, String>>,
}

/// A base profile as the kubelets keep it worked out ([`KubeletState`]'s `base_profiles`).
#[derive(Debug)]
struct BaseProfile {
    image: Option<String>,
    command: Option<Vec<String>>,
    args: Option<Vec<String>>,
    /// The profile and the logs it echoes at start. The profile is shared: containers with no
    /// override of their own follow it without a copy (two copies per container were made, a
    /// dozen allocations each, at every pod's creation and every container start).
    made: (std::rc::Rc<crate::images::Profile>, Vec<String>),
}

/// How many containers' base profiles the kubelets keep worked out (a course uses a handful).
const BASE_PROFILES_KEPT: usize = 16;

/// How many images' [`image_id`] the kubelets keep worked out.
const IMAGE_IDS_KEPT: usize = 256;

/// Each pod's runtime record by namespace, then name: looked up, never iterated in an order that
/// reaches output (the seed sweep sorts), and at 150,000 pods a B-tree's string compares on
/// every request and sync were a tenth of the time. By namespace, then name, so that a lookup
/// by two `&str` copies neither (a table keyed by a pair of strings needs the pair built). Boxed:
/// a sync takes the record out and puts it back, under the name it was stored with.
#[derive(Clone, Debug, Default)]
pub(crate) struct PodRts(
    crate::fingerprint::LookupMap<String, crate::fingerprint::LookupMap<crate::store::Name, Box<runtime::PodRt>>>,
);

impl PodRts {
    pub(crate) fn get(&self, ns: &str, name: &str) -> Option<&runtime::PodRt> {
        self.0.get(ns)?.get(name).map(|rt| &**rt)
    }

    pub(crate) fn get_mut(&mut self, ns: &str, name: &str) -> Option<&mut runtime::PodRt> {
        self.0.get_mut(ns)?.get_mut(name).map(|rt| &mut **rt)
    }

    /// Takes a pod's record out, with the name it was stored under (to put it back with).
    pub(crate) fn take(&mut self, ns: &str, name: &str) -> Option<(crate::store::Name, Box<runtime::PodRt>)> {
        self.0.get_mut(ns)?.remove_entry(name)
    }

    pub(crate) fn put(&mut self, ns: &str, name: crate::store::Name, rt: Box<runtime::PodRt>) {
        match self.0.get_mut(ns) {
            Some(names) => names.insert(name, rt),
            None => self.0.get_or_insert(ns.to_string(), Default::default()).insert(name, rt),
        };
    }

    pub(crate) fn remove(&mut self, ns: &str, name: &str) {
        self.take(ns, name);
    }

    /// Every record, in (namespace, name) order.
    pub(crate) fn sorted(&self) -> Vec<((&str, &str), &runtime::PodRt)> {
        let mut all = Vec::new();
        for (ns, names) in self.0.sorted() {
            all.extend(names.sorted().into_iter().map(|(name, rt)| ((ns.as_str(), name.as_str()), &**rt)));
        }
        all
    }
}

impl KubeletState {
    /// Images built or tagged with `docker`, by `name:tag`.
    pub fn local_images(&self) -> &BTreeMap<String, LocalImage> {
        &self.local_images
    }

    /// Behaviour profiles from the workspace, by image.
    pub fn custom_profiles(&self) -> &BTreeMap<String, crate::images::Profile> {
        &self.custom_profiles
    }

    pub(crate) fn add_local_image(&mut self, tagged: String, image: LocalImage) {
        self.local_images.insert(tagged, image);
        self.base_profiles.clear();
    }

    pub(crate) fn set_custom_profile(&mut self, name: String, profile: crate::images::Profile) {
        self.custom_profiles.insert(name, profile);
        self.base_profiles.clear();
    }

    /// The base profile kept for a container of this image, command and arguments.
    pub(crate) fn kept_base_profile(
        &self,
        c: &k8s_openapi::api::core::v1::Container,
    ) -> Option<(std::rc::Rc<crate::images::Profile>, Vec<String>)> {
        self.base_profiles
            .iter()
            .find(|b| b.image == c.image && b.command == c.command && b.args == c.args)
            .map(|b| b.made.clone())
    }

    pub(crate) fn keep_base_profile(
        &mut self,
        c: &k8s_openapi::api::core::v1::Container,
        made: (std::rc::Rc<crate::images::Profile>, Vec<String>),
    ) {
        if self.base_profiles.len() >= BASE_PROFILES_KEPT {
            self.base_profiles.remove(0);
        }
        self.base_profiles.push(BaseProfile {
            image: c.image.clone(),
            command: c.command.clone(),
            args: c.args.clone(),
            made,
        });
    }

    /// Works out [`image_id`] of an image a container starts with, for [`KubeletState::image_id`].
    pub(crate) fn remember_image_id(&mut self, image: &str) {
        if !self.image_ids.contains_key(image) && self.image_ids.len() < IMAGE_IDS_KEPT {
            self.image_ids.insert(image.to_string(), image_id(image));
        }
    }

    /// [`image_id`], from the kept ones when it is there.
    pub(crate) fn image_id(&self, image: &str) -> String {
        self.image_ids.get(image).cloned().unwrap_or_else(|| image_id(image))
    }

    /// [`KubeletState::image_id`] without a copy when it is kept.
    pub(crate) fn image_id_kept(&self, image: &str) -> std::borrow::Cow<'_, str> {
        match self.image_ids.get(image) {
            Some(id) => std::borrow::Cow::Borrowed(id),
            None => std::borrow::Cow::Owned(image_id(image)),
        }
    }

    /// The one shared copy of a behaviour profile: the containers of a Deployment's pods follow
    /// the same one, and a copy each (280 bytes and its lists) adds up at 150,000 pods.
    /// (A profile that is already the shared copy is found without being compared.)
    pub(crate) fn share_profile(
        &mut self,
        p: std::rc::Rc<crate::images::Profile>,
    ) -> std::rc::Rc<crate::images::Profile> {
        let same = self.profiles.entry(crate::fingerprint::Fingerprint::of(&*p)).or_default();
        if let Some(shared) = same.iter().find(|s| std::rc::Rc::ptr_eq(s, &p) || **s == p) {
            return shared.clone();
        }
        same.push(p.clone());
        p
    }
}

/// An image in the local Docker store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalImage {
    pub id: String,
    pub created_ms: u64,
    pub size: u64,
    /// The repository whose behaviour profile it carries (what it was built as).
    pub profile_repo: String,
}

impl KubeletState {
    pub fn register_node(&mut self, name: &str) {
        self.images_epoch += 1;
        let index = self.nodes.len() as u32 + 1;
        self.nodes.get_or_insert(
            name.into(),
            NodeRuntime { images: BTreeSet::new(), index, next_ip: 1, down_since: None, partitioned: false },
        );
    }
}

/// QoS class from requests and limits (K8S-FACTS §10.2), set on pod creation.
pub fn with_qos(mut p: Pod) -> Pod {
    let qos = qos_class(&p);
    p.status.get_or_insert_with(PodStatus::default).qos_class = Some(qos.into());
    p
}

pub fn qos_class(p: &Pod) -> &'static str {
    match p.spec.as_ref() {
        Some(spec) => qos_class_of(spec),
        None => "BestEffort",
    }
}

/// [`qos_class`] of a pod with this spec (it reads nothing else).
pub(crate) fn qos_class_of(spec: &k8s_openapi::api::core::v1::PodSpec) -> &'static str {
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

/// `docker.io/library/nginx@sha256:…`: a stable digest derived from the reference.
pub fn image_id(image: &str) -> String {
    let repo = repository(image);
    let full = if repo.contains('/') { repo.clone() } else { format!("docker.io/library/{repo}") };
    let mut h = crate::fingerprint::Fnv::NEW;
    let mut digest = String::new();
    for round in 0..4u8 {
        h.bytes(with_tag(image).bytes().chain([round]));
        digest.push_str(&format!("{:016x}", h.0));
    }
    format!("{full}@sha256:{digest}")
}

/// The docker network nodes live on; a node's InternalIP is this prefix and its number.
pub(crate) const HOST_IP_PREFIX: &str = "172.18.0.";

pub(crate) fn host_ip(index: u32) -> String {
    HostIp::of(index).as_str().to_string()
}

/// A node's InternalIP ([`host_ip`]) written digit by digit on the stack, not through the
/// formatting machinery: every pod status write names its node's IP (and compares it with the
/// one the status has), and keeping each node's text instead cost a cache miss to read it.
pub(crate) struct HostIp {
    text: [u8; HOST_IP_PREFIX.len() + 10],
    len: usize,
}

impl HostIp {
    pub(crate) fn of(index: u32) -> HostIp {
        let (digits, at) = crate::fingerprint::decimal_digits(u64::from(index) + 1);
        let digits = &digits[at..];
        let mut text = [0u8; HOST_IP_PREFIX.len() + 10];
        let n = HOST_IP_PREFIX.len();
        text[..n].copy_from_slice(HOST_IP_PREFIX.as_bytes());
        text[n..n + digits.len()].copy_from_slice(digits);
        HostIp { text, len: n + digits.len() }
    }

    pub(crate) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.text[..self.len]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_ips_are_the_prefix_and_the_nodes_number() {
        for index in [0, 1, 8, 9, 10, 98, 99, 254, 4_999, 65_535, u32::MAX - 1, u32::MAX] {
            assert_eq!(host_ip(index), format!("{HOST_IP_PREFIX}{}", u64::from(index) + 1));
        }
    }
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
            spec: Some(
                PodSpec { containers: cs, init_containers: (!init.is_empty()).then_some(init), ..Default::default() }
                    .into(),
            ),
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
        // Each prefix as often as it repeats, docker.io's before library's (as
        // `trim_start_matches` of each in turn).
        assert_eq!(repository("docker.io/docker.io/library/library/redis:7@sha256:ab"), "redis");
        assert_eq!(repository("library/docker.io/nginx"), "docker.io/nginx");
        assert_eq!(repository("registry.k8s.io/pause:3.10"), "registry.k8s.io/pause");
        assert_eq!(with_tag("nginx"), "nginx:latest");
        assert_eq!(with_tag("localhost:5000/app"), "localhost:5000/app:latest");
    }
}
