//! Invariants of the network under random faults (issue: networking, item 7), each case
//! replayable from its seed: EndpointSlices list only pods that may be in them with upstream's
//! conditions (K8S-FACTS §5.3), and once faults stop the cluster converges back to the desired
//! replicas (§7 self-healing).
//!
//! "No request reaches a pod that is not an endpoint" holds in upstream only up to kube-proxy's
//! sync lag: it applies endpoint changes after its sync period (1 s here), which is exactly why a
//! rolling update without graceful shutdown drops requests (golden `rolling-update-traffic`).
//! So the request check is: every request went to a pod that some EndpointSlice listed as a
//! usable endpoint (ready, or serving while terminating) at some moment in the sync period
//! before the request was routed.

use std::collections::BTreeSet;

use kubeplay_model::api::{Kind, Object};
use kubeplay_model::controllers::pod_is_ready;
use kubeplay_model::network::{PROXY_SYNC_MS, TICK_MS};
use kubeplay_model::queue::Controller;
use kubeplay_model::rng::Rng;
use kubeplay_model::{Cluster, ClusterConfig, Workspace};

fn check_endpoints(c: &Cluster) -> Result<(), String> {
    if c.controller_pending(Controller::Endpoints) {
        return Ok(()); // the controller has not looked yet
    }
    for o in c.store().list(Kind::EndpointSlice, None) {
        let Object::EndpointSlice(s) = o else { continue };
        for e in &s.endpoints {
            let pod_name = e.target_ref.as_ref().and_then(|r| r.name.clone()).unwrap_or_default();
            let Some(Object::Pod(p)) = c.store().get(Kind::Pod, o.namespace(), &pod_name) else {
                return Err(format!("{}: endpoint for missing pod {pod_name}", o.name()));
            };
            let cond = e.conditions.clone().unwrap_or_default();
            let terminating = p.metadata.deletion_timestamp.is_some();
            if cond.ready == Some(true) && (!pod_is_ready(p) || terminating) {
                return Err(format!(
                    "{}: {pod_name} ready but pod ready={} terminating={terminating}",
                    o.name(),
                    pod_is_ready(p)
                ));
            }
            if cond.serving != Some(pod_is_ready(p)) || cond.terminating != Some(terminating) {
                return Err(format!("{}: {pod_name} conditions {cond:?} disagree with the pod", o.name()));
            }
        }
    }
    Ok(())
}

/// Pods that an EndpointSlice of `svc` offers to kube-proxy: ready, or serving while
/// terminating (kube-proxy's fallback when no endpoint is ready).
fn usable_endpoints(c: &Cluster, svc: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for o in c.store().list(Kind::EndpointSlice, Some("default")) {
        let Object::EndpointSlice(s) = o else { continue };
        let owned = s.metadata.labels.as_ref().and_then(|l| l.get("kubernetes.io/service-name")).map(String::as_str);
        if owned != Some(svc) {
            continue;
        }
        for e in &s.endpoints {
            let cond = e.conditions.clone().unwrap_or_default();
            let usable = cond.ready == Some(true) || (cond.serving == Some(true) && cond.terminating == Some(true));
            if usable && let Some(name) = e.target_ref.as_ref().and_then(|r| r.name.clone()) {
                out.insert(name);
            }
        }
    }
    out
}

/// Every request routed at `now` (the generator stamps a tick's requests across the tick) went
/// to a pod that was a usable endpoint at some moment of the sync period before it.
fn check_requests(c: &Cluster, history: &[(u64, BTreeSet<String>)]) -> Result<(), String> {
    let now = c.now().ms();
    let from = now.saturating_sub(PROXY_SYNC_MS);
    // The state in effect at `from`, and every state seen since.
    let start = history.iter().rposition(|(t, _)| *t <= from).unwrap_or(0);
    let seen: BTreeSet<&str> = history[start..].iter().flat_map(|(_, s)| s.iter().map(String::as_str)).collect();
    for r in c.recent_requests().rev().take_while(|r| r.time_ms >= now && r.time_ms < now + TICK_MS) {
        if let Some(pod) = &r.pod
            && !seen.contains(pod.as_str())
        {
            return Err(format!("a request at {} ms went to {pod}, not an endpoint since {from} ms", r.time_ms));
        }
    }
    Ok(())
}

fn converged(c: &Cluster) -> Result<(), String> {
    for o in c.store().list(Kind::Deployment, None) {
        let Object::Deployment(d) = o else { continue };
        let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let st = d.status.clone().unwrap_or_default();
        if st.available_replicas.unwrap_or(0) != want || st.replicas.unwrap_or(0) != want {
            return Err(format!("deployment {} has {:?}/{:?} of {want}", o.name(), st.available_replicas, st.replicas));
        }
    }
    Ok(())
}

#[test]
fn endpoints_follow_pods_and_the_cluster_heals() {
    for seed in 1..=12u64 {
        let mut rng = Rng::new(seed, 77);
        let mut c = Cluster::new(ClusterConfig { seed, nodes: 4 });
        let ws = Workspace::default();
        let replicas = 2 + rng.below(4);
        let setup = format!(
            "kubectl create deployment web --image=nginx:1.27 --replicas={replicas}\nkubectl expose deployment web --port=80 --type=NodePort\nkubectl rollout status deployment/web\ntraffic start http://localhost:30080/ --rps 20"
        );
        let svc_port = {
            let r = c.run(&setup, &ws);
            assert!(r.iter().take(3).all(|x| x.ok), "seed {seed}: {r:?}");
            // The NodePort was allocated; use the real one for traffic.
            let np = match c.store().get(Kind::Service, "default", "web") {
                Some(Object::Service(s)) => {
                    s.spec.as_ref().and_then(|s| s.ports.as_ref()).and_then(|p| p[0].node_port).unwrap_or(0)
                }
                _ => 0,
            };
            c.run(&format!("traffic stop http://localhost:30080/\ntraffic start http://localhost:{np}/ --rps 20"), &ws);
            np
        };
        let mut down: Vec<String> = Vec::new();
        let mut history: Vec<(u64, BTreeSet<String>)> = vec![(c.now().ms(), usable_endpoints(&c, "web"))];
        let mut routed = 0usize;
        for round in 0..25 {
            let action = rng.below(6);
            let cmd = match action {
                0 => {
                    let n = format!("node-{}", 1 + rng.below(4));
                    if down.contains(&n) || down.len() >= 2 {
                        String::new()
                    } else {
                        down.push(n.clone());
                        format!("node fail {n}")
                    }
                }
                1 => match down.pop() {
                    Some(n) => format!("node recover {n}"),
                    None => String::new(),
                },
                2 => "kubectl delete pod -l app=web --wait=false".to_string(),
                3 => format!("kubectl scale deployment web --replicas={}", 1 + rng.below(5)),
                4 => format!("kubectl set image deployment/web nginx=nginx:1.{}", 20 + rng.below(8)),
                _ => String::new(),
            };
            if !cmd.is_empty() {
                c.run(&cmd, &ws);
                history.push((c.now().ms(), usable_endpoints(&c, "web")));
            }
            // Run for a while, checking after every step.
            let until = c.now().plus_ms(u64::from(rng.below(120)) * 1000 + 1000);
            while c.step() && c.now() < until {
                if let Err(e) = check_endpoints(&c) {
                    panic!("seed {seed} round {round} at {}: {e}", c.now());
                }
                history.push((c.now().ms(), usable_endpoints(&c, "web")));
                if let Err(e) = check_requests(&c, &history) {
                    panic!("seed {seed} round {round} at {}: {e}", c.now());
                }
                routed += c.recent_requests().rev().take_while(|r| r.time_ms >= c.now().ms()).count();
            }
        }
        // Faults stop: recover every node, stop traffic; the cluster must converge.
        for n in down.drain(..) {
            c.run(&format!("node recover {n}"), &ws);
        }
        c.run(&format!("traffic stop http://localhost:{svc_port}/"), &ws);
        c.advance(15 * 60 * 1000);
        assert!(routed > 1000, "seed {seed}: only {routed} requests were checked");
        if let Err(e) = converged(&c) {
            panic!("seed {seed}: did not converge after faults stopped: {e}");
        }
        check_endpoints(&c).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}
