//! Read-only views the page renders. The model computes them; the UI only draws them.

use serde::Serialize;

/// Everything the cluster view needs for one frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterView {
    /// Virtual time since the cluster started, in milliseconds.
    pub now_ms: u64,
    /// The virtual clock as a learner reads it, e.g. `00:01:30.000`.
    pub clock: String,
    /// When the next scheduled thing happens (what `step` would run to), if anything is scheduled.
    pub next_event_ms: Option<u64>,
    /// Nodes in name order, each with the pods bound to it.
    pub nodes: Vec<NodeView>,
    /// Pods not bound to any node (the scheduling queue), in namespace/name order.
    pub pending: Vec<PodView>,
    /// The newest events last (at most the last 200).
    pub events: Vec<EventView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
    pub pods: Vec<PodView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventView {
    pub time_ms: u64,
    /// `Normal` or `Warning`.
    pub event_type: String,
    pub reason: String,
    /// The involved object as `kind/name`, e.g. `pod/web-5d78c6b9f-x2xkq`.
    pub object: String,
    pub message: String,
}
