//! What the page's charts draw: replicas of each Deployment and ReplicaSet and each HPA's
//! replicas and CPU over virtual time, recorded as change points when their controllers run
//! (request rates and latencies come from the traffic buckets, network/mod.rs). Not part of the
//! cluster's state: the digest and every transcript ignore it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::{Kind, Object};
use crate::cluster::Cluster;

/// Change points kept per series; older ones are dropped.
pub const MAX_POINTS: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Deployment { namespace: String, name: String },
    ReplicaSet { namespace: String, deployment: String, name: String },
    Hpa { namespace: String, name: String },
}

/// Recorded series: (virtual ms, values) at each change.
#[derive(Clone, Debug, Default)]
pub struct History {
    series: BTreeMap<Key, Vec<(u64, [i64; 4])>>,
}

impl History {
    fn push(&mut self, key: Key, t: u64, v: [i64; 4]) {
        let s = self.series.entry(key).or_default();
        if s.last().is_some_and(|(_, last)| *last == v) {
            return;
        }
        if s.last().is_some_and(|(at, _)| *at == t) {
            s.pop();
        }
        s.push((t, v));
        if s.len() > MAX_POINTS {
            s.drain(..s.len() - MAX_POINTS);
        }
    }
}

/// One line of a chart: a label and its (virtual ms, value) points, a step function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub label: String,
    pub points: Vec<(u64, i64)>,
}

/// A Deployment's rollout: desired and available replicas, and each ReplicaSet's replicas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutChart {
    pub namespace: String,
    pub name: String,
    pub desired: Line,
    pub available: Line,
    pub replica_sets: Vec<Line>,
}

/// A traffic target's requests per second: answered 2xx, failed, and the mean latency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrafficChart {
    pub target: String,
    pub ok_per_s: Line,
    pub failed_per_s: Line,
    pub latency_ms: Line,
}

/// An HPA: current CPU utilisation against its target, and its replicas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HpaChart {
    pub namespace: String,
    pub name: String,
    pub cpu_percent: Line,
    pub target_percent: i64,
    pub replicas: Line,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChartsView {
    pub now_ms: u64,
    pub rollouts: Vec<RolloutChart>,
    pub traffic: Vec<TrafficChart>,
    pub hpas: Vec<HpaChart>,
}

fn line(label: &str, points: &[(u64, [i64; 4])], i: usize) -> Line {
    let mut out: Vec<(u64, i64)> = Vec::new();
    for (t, v) in points {
        if out.last().is_none_or(|(_, last)| *last != v[i]) {
            out.push((*t, v[i]));
        }
    }
    Line { label: label.to_string(), points: out }
}

impl Cluster {
    /// Records the current replicas of Deployments and ReplicaSets and the HPAs' state, where
    /// they changed. Called after those controllers run.
    pub(crate) fn sample_history(&mut self) {
        let t = self.now.ms();
        let mut samples = Vec::new();
        for o in self.store.list(Kind::Deployment, None) {
            let Object::Deployment(d) = o else { continue };
            let st = d.status.clone().unwrap_or_default();
            let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            samples.push((
                Key::Deployment { namespace: o.namespace().to_string(), name: o.name().to_string() },
                [
                    desired,
                    st.replicas.unwrap_or(0),
                    st.updated_replicas.unwrap_or(0),
                    st.available_replicas.unwrap_or(0),
                ]
                .map(i64::from),
            ));
        }
        for o in self.store.list(Kind::ReplicaSet, None) {
            let Object::ReplicaSet(rs) = o else { continue };
            let Some(owner) = rs.metadata.owner_references.iter().flatten().find(|r| r.kind == "Deployment") else {
                continue;
            };
            let st = rs.status.clone().unwrap_or_default();
            samples.push((
                Key::ReplicaSet {
                    namespace: o.namespace().to_string(),
                    deployment: owner.name.clone(),
                    name: o.name().to_string(),
                },
                [st.replicas, st.ready_replicas.unwrap_or(0), st.available_replicas.unwrap_or(0), 0].map(i64::from),
            ));
        }
        for o in self.store.list(Kind::HorizontalPodAutoscaler, None) {
            let Object::HorizontalPodAutoscaler(h) = o else { continue };
            let st = h.status.clone().unwrap_or_default();
            samples.push((
                Key::Hpa { namespace: o.namespace().to_string(), name: o.name().to_string() },
                [
                    i64::from(st.current_replicas.unwrap_or(0)),
                    i64::from(st.desired_replicas),
                    i64::from(crate::controllers::hpa::cpu_current_utilization(h).unwrap_or(-1)),
                    i64::from(crate::controllers::hpa::cpu_target_utilization(h)),
                ],
            ));
        }
        for (k, v) in samples {
            self.history.push(k, t, v);
        }
    }

    /// What the charts draw, as of now.
    pub fn charts(&self) -> ChartsView {
        let h = &self.history.series;
        let mut rollouts = Vec::new();
        for (k, points) in h {
            let Key::Deployment { namespace, name } = k else { continue };
            let replica_sets = h
                .iter()
                .filter_map(|(k, p)| match k {
                    Key::ReplicaSet { namespace: ns, deployment, name: rs }
                        if ns == namespace && deployment == name =>
                    {
                        Some(line(rs, p, 0))
                    }
                    _ => None,
                })
                .collect();
            rollouts.push(RolloutChart {
                namespace: namespace.clone(),
                name: name.clone(),
                desired: line("desired", points, 0),
                available: line("available", points, 3),
                replica_sets,
            });
        }
        let hpas = h
            .iter()
            .filter_map(|(k, p)| match k {
                Key::Hpa { namespace, name } => Some(HpaChart {
                    namespace: namespace.clone(),
                    name: name.clone(),
                    cpu_percent: Line {
                        label: "cpu".into(),
                        points: line("cpu", p, 2).points.into_iter().filter(|(_, v)| *v >= 0).collect(),
                    },
                    target_percent: p.last().map_or(0, |(_, v)| v[3]),
                    replicas: line("replicas", p, 0),
                }),
                _ => None,
            })
            .collect();
        let traffic = self
            .traffic_targets()
            .into_iter()
            .map(|target| {
                let buckets = self.traffic_series(&target);
                let at = |b: &crate::network::Bucket| b.second * 1000;
                let ok = |b: &crate::network::Bucket| b.outcomes.get("2xx").copied().unwrap_or(0) as i64;
                TrafficChart {
                    ok_per_s: Line { label: "2xx".into(), points: buckets.iter().map(|b| (at(b), ok(b))).collect() },
                    failed_per_s: Line {
                        label: "failed".into(),
                        points: buckets.iter().map(|b| (at(b), b.requests as i64 - ok(b))).collect(),
                    },
                    latency_ms: Line {
                        label: "latency".into(),
                        points: buckets
                            .iter()
                            .filter(|b| b.requests > 0)
                            .map(|b| (at(b), (b.latency_ms_sum / b.requests) as i64))
                            .collect(),
                    },
                    target,
                }
            })
            .collect();
        ChartsView { now_ms: self.now.ms(), rollouts, traffic, hpas }
    }
}

#[cfg(test)]
mod tests {
    use crate::kubectl::Workspace;
    use crate::{Cluster, ClusterConfig};

    #[test]
    fn a_rolling_update_draws_a_staircase() {
        let mut c = Cluster::new(ClusterConfig::default());
        let ws = Workspace::default();
        c.run(
            "kubectl create deployment web --image=nginx:1.27 --replicas=4\nsleep 30s\nkubectl set image deployment/web nginx=nginx:1.28\nkubectl rollout status deployment/web\nsleep 5s",
            &ws,
        );
        let charts = c.charts();
        let r = &charts.rollouts[0];
        assert_eq!(r.name, "web");
        assert_eq!(r.replica_sets.len(), 2);
        let last = |l: &super::Line| l.points.last().map(|p| p.1);
        let (old, new): (Vec<_>, Vec<_>) = r.replica_sets.iter().partition(|l| last(l) == Some(0));
        assert_eq!(old.len(), 1, "{:?}", r.replica_sets);
        assert_eq!(last(new[0]), Some(4));
        // The old ReplicaSet stepped down through intermediate sizes: a staircase, not a jump.
        let sizes: Vec<i64> = old[0].points.iter().map(|p| p.1).collect();
        assert!(sizes.len() >= 3 && sizes.windows(2).all(|w| w[0] >= w[1] || w[0] == 0), "{sizes:?}");
        assert!(sizes.contains(&4) && sizes.iter().any(|s| *s > 0 && *s < 4), "{sizes:?}");
        // Available never drops below desired - maxUnavailable (25% of 4 = 1).
        let after_start: Vec<i64> = r.available.points.iter().filter(|p| p.0 > 20_000).map(|p| p.1).collect();
        assert!(after_start.iter().all(|a| *a >= 3), "{:?}", r.available.points);
    }

    #[test]
    fn traffic_and_hpa_series() {
        let mut c = Cluster::new(ClusterConfig::default());
        let ws = Workspace::default();
        c.run(
            "kubectl create deployment web --image=nginx:1.27\nkubectl expose deployment web --port 80\nsleep 20s\ntraffic start web --rps 20\nsleep 10s",
            &ws,
        );
        let charts = c.charts();
        let t = &charts.traffic[0];
        assert_eq!(t.target, "web");
        assert!(t.ok_per_s.points.iter().any(|p| p.1 >= 15), "{:?}", t.ok_per_s.points);
        assert!(t.failed_per_s.points.iter().all(|p| p.1 == 0));
        assert!(!t.latency_ms.points.is_empty());
        assert!(charts.hpas.is_empty());
    }
}
