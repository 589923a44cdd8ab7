//! Node failure (K8S-FACTS §7): a node whose kubelet stops posting status becomes Ready=Unknown
//! after the node-monitor grace period (50 s), gets the unreachable taints, its pods are marked
//! not ready, and the taint-eviction controller deletes them once their tolerationSeconds (300 s
//! by default) run out, so their ReplicaSets' replacements go elsewhere. `kubectl drain` evicts.

use crate::api::Pod;
use k8s_openapi::api::core::v1::{Node, NodeCondition, Taint};

use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::queue::Controller;
use crate::store::{sim_time, time};
use crate::time::SimTime;

/// kube-controller-manager `--node-monitor-grace-period` (50 s since v1.32).
pub const NODE_MONITOR_GRACE_MS: u64 = 50_000;
/// `--node-monitor-period`.
pub const NODE_MONITOR_PERIOD_MS: u64 = 5_000;
pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";

impl Cluster {
    /// `node fail NAME`: the machine stops (its containers die); `node partition NAME`: it is
    /// cut off from the control plane while its containers keep running.
    pub fn node_fail(&mut self, name: &str, partition: bool) -> Result<(), String> {
        let now = self.now.ms();
        let rt = self.kubelet.nodes.get_mut(name).ok_or_else(|| format!("node {name:?} not found"))?;
        if rt.down_since.is_some() {
            return Err(format!("node {name} is already down"));
        }
        rt.down_since = Some(now);
        rt.partitioned = partition;
        self.kubelet_node_down(name);
        self.wake_at(Controller::NodeLifecycle, SimTime(now + NODE_MONITOR_PERIOD_MS));
        Ok(())
    }

    /// `node recover NAME`: the kubelet is back, posts Ready, and syncs its pods again.
    pub fn node_recover(&mut self, name: &str) -> Result<(), String> {
        let rt = self.kubelet.nodes.get_mut(name).ok_or_else(|| format!("node {name:?} not found"))?;
        if rt.down_since.take().is_none() {
            return Err(format!("node {name} is not down"));
        }
        let crashed = !rt.partitioned;
        rt.partitioned = false;
        if let Some(Object::Node(mut n)) = self.store.get(Kind::Node, "", name).cloned() {
            set_conditions(&mut n, "True", "KubeletReady", "kubelet is posting ready status", self.now);
            if let Some(spec) = n.spec.as_mut() {
                if let Some(t) = spec.taints.as_mut() {
                    t.retain(|t| t.key != UNREACHABLE);
                }
                if spec.taints.as_ref().is_some_and(Vec::is_empty) {
                    spec.taints = None;
                }
            }
            self.store.update(Object::Node(n));
            self.record_event(
                Kind::Node,
                "",
                name,
                "Normal",
                "NodeReady",
                &format!("Node {name} status is now: NodeReady"),
                "kubelet",
                Some(name),
            );
        }
        for (ns, pod) in self.pods_on_node(name) {
            if crashed {
                // The machine rebooted: the kubelet finds its containers gone and starts anew.
                self.kubelet.pods.remove(&ns, &pod);
            }
            self.kubelet_wake(&ns, &pod, self.now.plus_ms(100));
        }
        self.scheduler.epoch += 1;
        self.changed(Kind::Node);
        Ok(())
    }

    /// The node lifecycle controller's monitor pass and the taint-eviction controller.
    pub(crate) fn sync_node_lifecycle(&mut self) {
        let now = self.now.ms();
        let mut again = false;
        let down: Vec<(String, u64)> = self
            .kubelet
            .nodes
            .sorted_where(|_, rt| rt.down_since.is_some())
            .into_iter()
            .filter_map(|(n, rt)| rt.down_since.map(|d| (n.to_string(), d)))
            .collect();
        for (name, since) in down {
            again = true;
            if now < since + NODE_MONITOR_GRACE_MS {
                continue;
            }
            let Some(Object::Node(mut node)) = self.store.get(Kind::Node, "", &name).cloned() else { continue };
            let ready = node
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
                .map(|c| c.status.clone());
            if ready.as_deref() != Some("Unknown") {
                set_conditions(
                    &mut node,
                    "Unknown",
                    "NodeStatusUnknown",
                    "Kubelet stopped posting node status.",
                    self.now,
                );
                let taints = node.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new);
                for effect in ["NoSchedule", "NoExecute"] {
                    if !taints.iter().any(|t| t.key == UNREACHABLE && t.effect == effect) {
                        taints.push(Taint {
                            key: UNREACHABLE.into(),
                            effect: effect.into(),
                            time_added: Some(time(self.now)),
                            value: None,
                        });
                    }
                }
                self.store.update(Object::Node(node));
                self.record_event(
                    Kind::Node,
                    "",
                    &name,
                    "Normal",
                    "NodeNotReady",
                    &format!("Node {name} status is now: NodeNotReady"),
                    "node-controller",
                    None,
                );
                self.mark_pods_not_ready(&name);
                self.scheduler.epoch += 1;
                self.changed(Kind::Node);
            }
        }
        again |= self.evict_for_taints();
        if again {
            self.wake_at(Controller::NodeLifecycle, SimTime(now + NODE_MONITOR_PERIOD_MS));
        }
    }

    /// `MarkPodsNotReady`: the pods of an unreachable node lose Ready, so Services stop routing
    /// to them.
    fn mark_pods_not_ready(&mut self, node: &str) {
        let pods: Vec<Pod> = self
            .store
            .list(Kind::Pod, None)
            .filter_map(|o| match o {
                Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node) => {
                    Some((**p).clone())
                }
                _ => None,
            })
            .collect();
        for mut p in pods {
            let mut changed = false;
            for c in p.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
                if c.type_ == "Ready" && c.status != "False" {
                    c.status = "False".into();
                    c.reason = None;
                    c.message = None;
                    c.last_transition_time = Some(time(self.now));
                    changed = true;
                }
            }
            if changed {
                self.record_event(
                    Kind::Pod,
                    p.metadata.namespace.as_deref().unwrap_or(""),
                    p.metadata.name.as_deref().unwrap_or(""),
                    "Warning",
                    "NodeNotReady",
                    "Node is not ready",
                    "node-controller",
                    None,
                );
                self.store.update(Object::Pod(Box::new(p)));
                self.changed(Kind::Pod);
            }
        }
    }

    /// The taint-eviction controller: pods on a node with NoExecute taints they do not tolerate
    /// are deleted at once; tolerated for tolerationSeconds, they are deleted when it runs out.
    /// True while evictions are still pending.
    fn evict_for_taints(&mut self) -> bool {
        let now = self.now;
        let mut pending = false;
        let nodes: Vec<Node> = self
            .store
            .list(Kind::Node, None)
            .filter_map(|o| match o {
                Object::Node(n) => Some((**n).clone()),
                _ => None,
            })
            .collect();
        for node in nodes {
            let name = node.metadata.name.clone().unwrap_or_default();
            let taints: Vec<Taint> = node
                .spec
                .iter()
                .flat_map(|s| s.taints.iter().flatten())
                .filter(|t| t.effect == "NoExecute")
                .cloned()
                .collect();
            if taints.is_empty() {
                continue;
            }
            let pods: Vec<Pod> = self
                .store
                .list(Kind::Pod, None)
                .filter_map(|o| match o {
                    Object::Pod(p)
                        if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str())
                            && p.metadata.deletion_timestamp.is_none() =>
                    {
                        Some((**p).clone())
                    }
                    _ => None,
                })
                .collect();
            for p in pods {
                let tols = p.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
                // The earliest moment any taint evicts the pod.
                let mut evict_at: Option<SimTime> = None;
                for t in &taints {
                    let added = t.time_added.as_ref().map(sim_time).unwrap_or(now);
                    let tol = tols.iter().find(|x| {
                        let key_ok = x.key.as_deref().is_none_or(|k| k.is_empty() || k == t.key)
                            || x.operator.as_deref() == Some("Exists") && x.key.is_none();
                        key_ok && x.effect.as_deref().is_none_or(|e| e.is_empty() || e == "NoExecute")
                    });
                    let at = match tol {
                        None => added,
                        Some(x) => match x.toleration_seconds {
                            None => continue, // tolerated forever
                            Some(s) => added.plus_ms(s.max(0) as u64 * 1000),
                        },
                    };
                    evict_at = Some(evict_at.map_or(at, |e| e.min(at)));
                }
                let Some(at) = evict_at else { continue };
                let ns = p.metadata.namespace.clone().unwrap_or_default();
                let pn = p.metadata.name.clone().unwrap_or_default();
                if at <= now {
                    self.record_event(
                        Kind::Pod,
                        &ns,
                        &pn,
                        "Normal",
                        "TaintManagerEviction",
                        &format!("Marking for deletion Pod {ns}/{pn}"),
                        "taint-eviction-controller",
                        None,
                    );
                    self.delete_object(Kind::Pod, &ns, &pn, None);
                } else {
                    pending = true;
                    self.wake_at(Controller::NodeLifecycle, at);
                }
            }
        }
        pending
    }
}

fn set_conditions(n: &mut Node, ready: &str, reason: &str, message: &str, now: SimTime) {
    let t = time(now);
    for c in n
        .status
        .get_or_insert_with(Default::default)
        .conditions
        .get_or_insert_with(Vec::<NodeCondition>::new)
        .iter_mut()
    {
        let (st, rs, msg) = if c.type_ == "Ready" {
            (ready.to_string(), reason.to_string(), message.to_string())
        } else if ready == "Unknown" {
            ("Unknown".to_string(), "NodeStatusUnknown".to_string(), message.to_string())
        } else {
            ("False".to_string(), c.reason.clone().unwrap_or_default(), c.message.clone().unwrap_or_default())
        };
        if c.status != st {
            c.last_transition_time = Some(t.clone());
        }
        c.status = st;
        c.reason = Some(rs);
        c.message = Some(msg);
        c.last_heartbeat_time = Some(t.clone());
    }
}
