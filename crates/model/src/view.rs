//! Read-only views the page renders. The model computes them; the UI only draws them.

use serde::{Deserialize, Serialize};

/// At most this many pending pods are in a [`ClusterView`]: a learner who asks for 10,000
/// replicas on three nodes sees the first 200 and the count, and the page does not build and draw
/// 9,800 more tiles on every frame (issue #8: heavy work must not block input).
pub const PENDING_SHOWN: usize = 200;

/// Everything the cluster view needs for one frame.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterView {
    /// Virtual time since the cluster started, in milliseconds.
    pub now_ms: u64,
    /// The virtual clock as a learner reads it, e.g. `00:01:30.000`.
    pub clock: String,
    /// When the next scheduled thing happens (what `step` would run to), if anything is scheduled.
    pub next_event_ms: Option<u64>,
    /// Nodes in name order, each with the pods bound to it.
    pub nodes: Vec<NodeView>,
    /// Pods not bound to any node (the scheduling queue), in namespace/name order: the first
    /// [`PENDING_SHOWN`] of them.
    pub pending: Vec<PodView>,
    /// How many pods are not bound to any node (all of them, drawn or not).
    pub pending_total: usize,
    /// The newest events last (at most the last 200).
    pub events: Vec<EventView>,
    /// Services in namespace/name order, each with its endpoints as kube-proxy sees them.
    pub services: Vec<ServiceView>,
    /// Requests answered in the last second of virtual time (at most 40, the newest), for the
    /// dots that travel from a Service to the pod that answered.
    pub requests: Vec<RequestView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceView {
    pub namespace: String,
    pub name: String,
    /// TYPE as `kubectl get svc` prints it.
    pub service_type: String,
    /// CLUSTER-IP as printed (`None` for a headless Service).
    pub cluster_ip: String,
    /// PORT(S) as printed, e.g. `80:30080/TCP`.
    pub ports: String,
    /// Endpoints from its EndpointSlices, in pod name order.
    pub endpoints: Vec<EndpointView>,
    /// Ingress rules that send traffic here, as `ingress/NAME host/path`.
    pub routes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    /// The pod behind the address (its targetRef).
    pub pod: String,
    pub address: String,
    /// EndpointSlice conditions.
    pub ready: bool,
    pub serving: bool,
    pub terminating: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub time_ms: u64,
    /// The Service that carried it, when it reached a pod through one.
    pub service: Option<String>,
    /// The pod that answered, if any.
    pub pod: Option<String>,
    /// `2xx`, `4xx`, `5xx`, `refused` or `timeout`.
    pub outcome: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeView {
    pub name: String,
    /// STATUS as `kubectl get nodes` prints it: `Ready`, `NotReady`, `Ready,SchedulingDisabled`.
    pub status: String,
    pub ready: bool,
    pub unschedulable: bool,
    pub cpu_allocatable_milli: i64,
    /// Sum of the CPU requests of the pods bound to the node (what the scheduler counts).
    pub cpu_requested_milli: i64,
    pub memory_allocatable_bytes: i64,
    pub memory_requested_bytes: i64,
    pub pods_allocatable: i64,
    /// Taints as `key=value:Effect` (`key:Effect` without a value).
    pub taints: Vec<String>,
    pub pods: Vec<PodView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// `status.phase`: Pending, Running, Succeeded, Failed, Unknown.
    pub phase: String,
    /// STATUS as `kubectl get pods` prints it (printPod): `ContainerCreating`, `Running`, ...
    pub status: String,
    /// READY as `kubectl get pods` prints it, e.g. `1/1`.
    pub ready: String,
    pub is_ready: bool,
    pub restarts: i32,
    pub node: Option<String>,
    /// The controlling owner, e.g. `ReplicaSet/web-5d78c6b9f`.
    pub owner: Option<String>,
    pub cpu_request_milli: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub time_ms: u64,
    /// `Normal` or `Warning`.
    pub event_type: String,
    pub reason: String,
    /// The involved object as `kind/name`, e.g. `pod/web-5d78c6b9f-x2xkq`.
    pub object: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use crate::kubectl::Workspace;
    use crate::{Cluster, ClusterConfig};

    /// The view holds the first PENDING_SHOWN pending pods in name order and counts them all.
    #[test]
    fn the_view_draws_the_first_pending_pods_and_counts_all() {
        let mut c = Cluster::new(ClusterConfig::default());
        let mut ws = Workspace::default();
        ws.files.insert(
            "d.yaml".into(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: nowhere}\nspec:\n  replicas: 250\n  selector: {matchLabels: {app: nowhere}}\n  template:\n    metadata: {labels: {app: nowhere}}\n    spec:\n      nodeSelector: {disk: none}\n      containers: [{name: c, image: nginx:1.27}]\n".into(),
        );
        for r in c.run("kubectl apply -f d.yaml\nsleep 5s", &ws) {
            assert!(r.ok, "{r:?}");
        }
        let v = c.view();
        assert_eq!((v.pending_total, v.pending.len()), (250, crate::view::PENDING_SHOWN));
        let drawn: Vec<String> = v.pending.iter().map(|p| p.name.clone()).collect();
        let mut all: Vec<String> = c.store().list(crate::api::Kind::Pod, None).map(|o| o.name().to_string()).collect();
        all.sort_unstable();
        assert_eq!(drawn, all[..crate::view::PENDING_SHOWN], "the first in name order");
        assert!(v.nodes.iter().all(|n| n.pods.is_empty()));
    }

    #[test]
    fn the_view_shows_services_with_endpoints_taints_and_recent_requests() {
        let mut c = Cluster::new(ClusterConfig::default());
        let ws = Workspace::default();
        c.run(
            "kubectl create deployment web --image=nginx:1.27 --replicas=2\nkubectl expose deployment web --port 80 --type NodePort\nsleep 20s\nkubectl cordon node-3\ntraffic start web --rps 20\nsleep 3s",
            &ws,
        );
        let v = c.view();
        let svc = v.services.iter().find(|s| s.name == "web").expect("the Service");
        assert_eq!(svc.service_type, "NodePort");
        assert!(svc.ports.starts_with("80:3") && svc.ports.ends_with("/TCP"), "{}", svc.ports);
        assert!(svc.cluster_ip.starts_with("10."), "{}", svc.cluster_ip);
        assert_eq!(svc.endpoints.len(), 2);
        assert!(svc.endpoints.iter().all(|e| e.ready && e.pod.starts_with("web-")));
        assert!(!v.services.iter().any(|s| s.name == "kubernetes"), "the API server's Service is left out");
        assert!(!v.requests.is_empty() && v.requests.len() <= 40);
        assert!(v.requests.iter().all(|r| r.service.as_deref() == Some("web") && r.outcome == "2xx"));
        assert!(v.requests.iter().all(|r| r.time_ms + 1000 > v.now_ms));
        let n3 = v.nodes.iter().find(|n| n.name == "node-3").unwrap();
        assert_eq!(n3.taints, ["node.kubernetes.io/unschedulable:NoSchedule"]);
    }
}
