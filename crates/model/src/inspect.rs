//! What the page's inspector shows for one object: its live YAML, events, conditions, a
//! plain-language "why" for its state with the rule behind it, and for a pod the scheduler's
//! per-node, per-plugin breakdown. Computed here so the UI holds no cluster logic.

use serde::Serialize;

use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::view::EventView;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InspectView {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// As `kubectl get -o yaml` prints it.
    pub yaml: String,
    pub events: Vec<EventView>,
    pub conditions: Vec<ConditionView>,
    /// Sentences that explain the current state, each naming the rule or field behind it.
    pub why: Vec<String>,
    pub scheduling: Option<SchedulingView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionView {
    pub condition_type: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchedulingView {
    pub time_ms: u64,
    pub chosen: Option<String>,
    pub message: Option<String>,
    pub nodes: Vec<NodeScoreView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeScoreView {
    pub node: String,
    /// The filter plugin that rejected the node and its reasons, if one did.
    pub rejected_by: Option<String>,
    pub reasons: Vec<String>,
    /// (plugin, weight, normalized score 0..=100)
    pub scores: Vec<(String, i64, i64)>,
    pub total: i64,
}

impl Cluster {
    /// The inspector's view of one object, or None when it does not exist.
    pub fn inspect(&self, kind: Kind, namespace: &str, name: &str) -> Option<InspectView> {
        let ns = if kind.namespaced() { namespace } else { "" };
        let obj = self.store().get(kind, ns, name)?;
        let json = obj.to_json();
        let conditions = json
            .pointer("/status/conditions")
            .and_then(|c| c.as_array())
            .map(|cs| {
                cs.iter()
                    .map(|c| ConditionView {
                        condition_type: c["type"].as_str().unwrap_or("").into(),
                        status: c["status"].as_str().unwrap_or("").into(),
                        reason: c["reason"].as_str().unwrap_or("").into(),
                        message: c["message"].as_str().unwrap_or("").into(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let events = self
            .events()
            .iter()
            .filter(|e| e.kind == kind && e.name == name && (e.namespace == ns || !kind.namespaced()))
            .map(|e| EventView {
                time_ms: e.last_ms,
                event_type: e.event_type.to_string(),
                reason: e.reason.clone(),
                object: format!("{}/{}", e.kind.name().to_ascii_lowercase(), e.name),
                message: e.message.clone(),
            })
            .collect();
        let scheduling =
            (kind == Kind::Pod).then(|| self.scheduling_decision(ns, name)).flatten().map(|d| SchedulingView {
                time_ms: d.time_ms,
                chosen: d.chosen.clone(),
                message: d.message.clone(),
                nodes: d
                    .nodes
                    .iter()
                    .map(|v| NodeScoreView {
                        node: v.node.to_string(),
                        rejected_by: v.rejected.as_ref().map(|r| r.plugin.to_string()),
                        reasons: v.rejected.as_ref().map(|r| r.reasons.clone()).unwrap_or_default(),
                        scores: v.scores.iter().map(|s| (s.plugin.to_string(), s.weight, s.score)).collect(),
                        total: v.total,
                    })
                    .collect(),
            });
        Some(InspectView {
            kind: kind.name().into(),
            namespace: ns.into(),
            name: name.into(),
            yaml: crate::api::emit::to_yaml(&json),
            events,
            conditions,
            why: self.why(obj),
            scheduling,
        })
    }

    fn why(&self, obj: &Object) -> Vec<String> {
        let mut out = Vec::new();
        match obj {
            Object::Pod(p) => {
                let row = crate::kubectl::printers::pod_row(p, self.now());
                let spec = p.spec.clone().unwrap_or_default();
                if p.metadata.deletion_timestamp.is_some() {
                    out.push(format!(
                        "Terminating: the pod was deleted; its containers get SIGTERM and up to {}s (terminationGracePeriodSeconds) before SIGKILL. A ReplicaSet does not count it any more and has already made a replacement.",
                        p.metadata.deletion_grace_period_seconds.unwrap_or(30)
                    ));
                } else if spec.node_name.is_none() {
                    match self.scheduling_decision(p.metadata.namespace.as_deref().unwrap_or(""), p.metadata.name.as_deref().unwrap_or("")) {
                        Some(d) if d.message.is_some() => out.push(format!(
                            "Pending: the scheduler found no node that passes every filter: {} The scheduler filters on requests (spec.containers[*].resources.requests), never on actual use. It retries when the cluster changes.",
                            d.message.clone().unwrap_or_default()
                        )),
                        _ => out.push("Pending: waiting for the scheduler to pick a node.".into()),
                    }
                } else {
                    let node = spec.node_name.clone().unwrap_or_default();
                    match row.status.as_str() {
                        "Pending" => out.push(format!("Pending: bound to {node}; its kubelet has not started the pod yet.")),
                        "ContainerCreating" => out.push(format!(
                            "ContainerCreating: bound to {node}; the kubelet is pulling the image (imagePullPolicy {}) or creating the container.",
                            spec.containers.first().and_then(|c| c.image_pull_policy.clone()).unwrap_or_default()
                        )),
                        "ErrImagePull" | "ImagePullBackOff" => out.push(format!(
                            "{}: the kubelet on {node} could not pull {}: no registry has it and the node's image cache does not either. It retries with a back-off of 10s doubling to 5m.",
                            row.status,
                            spec.containers.first().and_then(|c| c.image.clone()).unwrap_or_default()
                        )),
                        "Running" if crate::controllers::pod_is_ready(p) => out.push(format!(
                            "Running and Ready on {node}: every container started and no readiness probe holds it back, so it counts as available{}.",
                            if spec.containers.iter().any(|c| c.readiness_probe.is_some()) { "" } else { " at once" }
                        )),
                        other => out.push(format!("{other} on {node}.")),
                    }
                }
                if let Some(owner) = crate::controllers::controller_ref(&p.metadata) {
                    out.push(format!(
                        "Owned by {} {}: deleting the pod makes it create a replacement.",
                        owner.kind, owner.name
                    ));
                }
            }
            Object::Deployment(d) => {
                let (msg, done, err) = crate::kubectl::deployment_status_message(d);
                out.push(if done || err { msg } else { format!("{msg} (kubectl rollout status)") });
                let (surge, unav) =
                    (crate::controllers::deployment::max_surge(d), crate::controllers::deployment::max_unavailable(d));
                let r = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                out.push(format!(
                    "A rollout keeps at most {} pods ({r} replicas + maxSurge {surge}) and at least {} available (replicas - maxUnavailable {unav}).",
                    r + surge,
                    r - unav
                ));
            }
            Object::Node(n) => {
                let ready = crate::controllers::node_ready(n);
                let cordoned = n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
                out.push(if ready {
                    "Ready: the kubelet is posting status.".into()
                } else {
                    "NotReady: the kubelet stopped posting status.".to_string()
                });
                if cordoned {
                    out.push("SchedulingDisabled: cordoned (spec.unschedulable), so the scheduler's NodeUnschedulable filter rejects new pods; running pods stay.".into());
                }
            }
            Object::ReplicaSet(rs) => {
                let want = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                let have = rs.status.as_ref().map_or(0, |s| s.replicas);
                out.push(format!("Keeps {want} pods (spec.replicas); {have} exist now."));
            }
            _ => {}
        }
        out
    }
}
