//! What the page's inspector shows for one object: its live YAML, events, conditions, a
//! plain-language "why" for its state with the rule behind it, and for a pod the scheduler's
//! per-node, per-plugin breakdown. Computed here so the UI holds no cluster logic.

use serde::{Deserialize, Serialize};

use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::view::EventView;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The controlling owner (ownerReferences with controller: true) as (kind, name), e.g.
    /// `("ReplicaSet", "web-5d78c6b9f")`: the next object up to inspect.
    pub owner: Option<(String, String)>,
    /// A pod as the map draws it (status and READY for the inspector's chip): the map holds only
    /// the first pending pods (`view::PENDING_SHOWN`), the inspected one is always here.
    pub pod: Option<crate::view::PodView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionView {
    pub condition_type: String,
    pub status: String,
    pub reason: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchedulingView {
    pub time_ms: u64,
    pub chosen: Option<String>,
    pub message: Option<String>,
    pub nodes: Vec<NodeScoreView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
            .filter(|e| e.kind == kind && *e.name == *name && (*e.namespace == *ns || !kind.namespaced()))
            .map(EventView::from)
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
                        node: d.node_name(v).to_string(),
                        rejected_by: d.rejected(v).map(|r| r.plugin.to_string()),
                        reasons: d.rejected(v).map(|r| r.reasons.clone()).unwrap_or_default(),
                        scores: v.scores.iter().map(|s| (s.plugin.name().to_string(), s.weight(), s.score())).collect(),
                        total: v.total(),
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
            owner: crate::controllers::controller_ref(obj.meta()).map(|r| (r.kind.clone(), r.name.clone())),
            pod: match obj {
                Object::Pod(p) => Some(self.pod_view(p)),
                _ => None,
            },
        })
    }

    /// A Running pod that is not Ready: which probe holds it back and what that does to the
    /// Services that select it.
    fn why_not_ready(&self, p: &crate::api::Pod, node: &str) -> String {
        let name = p.metadata.name.clone().unwrap_or_default();
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let spec = p.spec.clone().unwrap_or_default();
        let services: Vec<String> = self
            .service_views()
            .iter()
            .filter(|s| s.namespace == ns && s.endpoints.iter().any(|e| e.pod == name))
            .map(|s| s.name.clone())
            .collect();
        let off = if services.is_empty() {
            String::new()
        } else {
            format!(", so it is out of the endpoints of Service {}", services.join(", "))
        };
        let probe = spec.containers.iter().find_map(|c| c.readiness_probe.clone());
        let last_failure = self.events().rev().find(|e| {
            e.kind == Kind::Pod && e.name == name && e.reason == "Unhealthy" && e.message.starts_with("Readiness")
        });
        match (probe, last_failure) {
            (Some(pr), Some(e)) => format!(
                "Running on {node} but not Ready: {} (failureThreshold: {}, periodSeconds: {}){off}.",
                e.message,
                pr.failure_threshold.unwrap_or(3),
                pr.period_seconds.unwrap_or(10)
            ),
            (Some(pr), None) => format!(
                "Running on {node} but not Ready yet: the readiness probe has not passed (initialDelaySeconds: {}, periodSeconds: {}){off}.",
                pr.initial_delay_seconds.unwrap_or(0),
                pr.period_seconds.unwrap_or(10)
            ),
            (None, _) => {
                format!("Running on {node} but not Ready: a container is not running or has not started{off}.")
            }
        }
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
                        "Running" => out.push(self.why_not_ready(p, &node)),
                        "CrashLoopBackOff" => {
                            let st = p.status.clone().unwrap_or_default();
                            let c = st.container_statuses.iter().flatten().find(|c| c.restart_count > 0);
                            let last = c
                                .and_then(|c| c.last_state.as_ref()?.terminated.as_ref())
                                .map(|t| format!("it last exited with code {} ({})", t.exit_code, t.reason.clone().unwrap_or_default()))
                                .unwrap_or_else(|| "it keeps exiting".into());
                            out.push(format!(
                                "CrashLoopBackOff on {node}: {last}; restartPolicy {} restarts it after a back-off that doubles from 10s to 5m ({} restarts so far), and resets after 10 minutes of running.",
                                spec.restart_policy.clone().unwrap_or_else(|| "Always".into()),
                                c.map_or(0, |c| c.restart_count)
                            ));
                        }
                        "OOMKilled" => out.push(format!(
                            "OOMKilled on {node}: a container used more memory than its limit (spec.containers[*].resources.limits.memory), so the kernel killed it (exit code 137)."
                        )),
                        "ErrImageNeverPull" => out.push(format!(
                            "ErrImageNeverPull on {node}: imagePullPolicy is Never and the node has no image {}; build or tag it locally (docker build -t / docker tag) or change the policy.",
                            spec.containers.first().and_then(|c| c.image.clone()).unwrap_or_default()
                        )),
                        "CreateContainerConfigError" => out.push(format!(
                            "CreateContainerConfigError on {node}: the container's env or volumes refer to a ConfigMap, Secret or key that does not exist (see the events)."
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
                if let Some(owner) = crate::controllers::controller_ref(&rs.metadata) {
                    out.push(format!(
                        "Owned by {} {}, which sets its replicas during a rollout; its pods carry pod-template-hash {}.",
                        owner.kind,
                        owner.name,
                        rs.metadata.labels.as_ref().and_then(|l| l.get("pod-template-hash")).cloned().unwrap_or_default()
                    ));
                }
            }
            Object::Service(svc) => {
                let ns = svc.metadata.namespace.clone().unwrap_or_default();
                let name = svc.metadata.name.clone().unwrap_or_default();
                let selector = svc.spec.as_ref().and_then(|s| s.selector.clone()).unwrap_or_default();
                let sel = selector.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
                let endpoints = self
                    .service_views()
                    .iter()
                    .find(|s| s.name == name && s.namespace == ns)
                    .map(|s| s.endpoints.clone())
                    .unwrap_or_default();
                let ready: Vec<&str> = endpoints.iter().filter(|e| e.ready).map(|e| e.pod.as_str()).collect();
                out.push(format!(
                    "Sends traffic to the ready pods matching spec.selector {sel}: {} of {} endpoints are ready{}.",
                    ready.len(),
                    endpoints.len(),
                    if ready.is_empty() { String::new() } else { format!(" ({})", ready.join(", ")) }
                ));
                for e in endpoints.iter().filter(|e| !e.ready) {
                    out.push(if e.terminating {
                        format!(
                            "{} is terminating: kube-proxy sends it no new connections{}.",
                            e.pod,
                            if e.serving { " (it still serves those it has)" } else { "" }
                        )
                    } else {
                        format!("{} is not ready, so it gets no traffic until its readiness probe passes.", e.pod)
                    });
                }
            }
            Object::HorizontalPodAutoscaler(h) => {
                let target = crate::controllers::hpa::cpu_target_utilization(h);
                let current = crate::controllers::hpa::cpu_current_utilization(h);
                let st = h.status.clone().unwrap_or_default();
                let spec = h.spec.clone().unwrap_or_default();
                let replicas = st.current_replicas.unwrap_or(0);
                match current {
                    Some(cur) => out.push(format!(
                        "CPU is at {cur}% of the pods' requests against a target of {target}%: desired = ceil({replicas} x {cur} / {target}) = {}, within minReplicas {} and maxReplicas {} (changes under 10% are ignored; scaling down waits out a 5-minute window).",
                        ((f64::from(replicas) * f64::from(cur) / f64::from(target.max(1))).ceil()) as i64,
                        spec.min_replicas.unwrap_or(1),
                        spec.max_replicas
                    )),
                    None => {
                        let inactive = st
                            .conditions
                            .iter()
                            .flatten()
                            .find(|c| c.type_ == "ScalingActive" && c.status == "False")
                            .and_then(|c| c.message.clone());
                        out.push(match inactive {
                            Some(m) => format!("Cannot scale on CPU (target {target}% of requests): {m}"),
                            None => format!("No CPU metrics yet (target {target}% of requests); the HPA syncs every 15 s."),
                        });
                    }
                }
            }
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod why_tests {
    use crate::api::Kind;
    use crate::kubectl::Workspace;
    use crate::{Cluster, ClusterConfig};

    const NOT_READY: &str = "kubectl apply -f - <<END
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources: {requests: {cpu: 100m}}
        readinessProbe:
          httpGet: {path: /nope, port: 80}
          periodSeconds: 5
END
kubectl expose deployment web --port 80
sleep 40s";

    #[test]
    fn a_pod_held_back_by_its_readiness_probe_says_which_probe_and_which_service() {
        let mut c = Cluster::new(ClusterConfig::default());
        c.run(NOT_READY, &Workspace::default());
        let pod = c.view().nodes.iter().flat_map(|n| n.pods.clone()).next().expect("a pod");
        let why = c.inspect(Kind::Pod, "default", &pod.name).unwrap().why;
        assert!(why[0].starts_with("Running on node-"), "{why:?}");
        assert!(
            why[0].contains("not Ready: Readiness probe failed: HTTP probe failed with statuscode: 404"),
            "{why:?}"
        );
        assert!(why[0].contains("(failureThreshold: 3, periodSeconds: 5)"), "{why:?}");
        assert!(why[0].ends_with("so it is out of the endpoints of Service web."), "{why:?}");
        let svc = c.inspect(Kind::Service, "default", "web").unwrap().why;
        assert!(svc[0].contains("0 of 2 endpoints are ready"), "{svc:?}");
        assert!(svc[1].contains("is not ready, so it gets no traffic"), "{svc:?}");
    }

    #[test]
    fn an_hpa_says_the_formula_with_its_numbers() {
        let mut c = Cluster::new(ClusterConfig::default());
        let ws = Workspace::default();
        // Without CPU requests there is no utilisation to compute: the HPA says so.
        c.run("kubectl create deployment bare --image=nginx:1.27\nkubectl autoscale deployment bare --cpu-percent=50 --max=5\nsleep 60s", &ws);
        let why = c.inspect(Kind::HorizontalPodAutoscaler, "default", "bare").unwrap().why;
        assert!(why[0].starts_with("Cannot scale on CPU (target 50% of requests): "), "{why:?}");
        assert!(why[0].contains("missing request for cpu"), "{why:?}");
        c.run(
            &NOT_READY
                .replace("/nope", "/")
                .replace("sleep 40s", "kubectl autoscale deployment web --cpu-percent=50 --min=1 --max=5\nsleep 60s"),
            &ws,
        );
        let why = c.inspect(Kind::HorizontalPodAutoscaler, "default", "web").unwrap().why;
        assert!(
            why[0].starts_with("CPU is at") && why[0].contains("target of 50%") && why[0].contains("maxReplicas 5"),
            "{why:?}"
        );
    }
}
