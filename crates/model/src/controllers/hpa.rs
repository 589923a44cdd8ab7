//! The HorizontalPodAutoscaler controller (autoscaling/v2, K8S-FACTS §9): every 15 s it reads
//! pod CPU from the metrics (profile idle CPU plus the CPU the traffic costs), computes the
//! replica count with upstream's `GetResourceReplicas` (tolerance 0.1, unready and missing pods),
//! limits the step, stabilises scale-down over 5 minutes, and scales the target.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, MetricStatus, MetricValueStatus, ResourceMetricStatus,
};

use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::queue::Controller;
use crate::store::{sim_time, time};

pub const SYNC_PERIOD_MS: u64 = 15_000;
pub const TOLERANCE: f64 = 0.1;
pub const DOWNSCALE_STABILIZATION_MS: u64 = 300_000;
pub const CPU_INITIALIZATION_PERIOD_MS: u64 = 300_000;
pub const INITIAL_READINESS_DELAY_MS: u64 = 30_000;
/// metrics-server's scrape window.
pub const METRIC_WINDOW_MS: u64 = 15_000;

/// The CPU utilisation target in percent; an HPA without metrics targets 80 %
/// (`SetDefaults_HorizontalPodAutoscaler`).
pub fn cpu_target_utilization(h: &HorizontalPodAutoscaler) -> i32 {
    h.spec
        .iter()
        .flat_map(|s| s.metrics.iter().flatten())
        .find_map(|m| m.resource.as_ref().filter(|r| r.name == "cpu").and_then(|r| r.target.average_utilization))
        .unwrap_or(80)
}

/// The last measured CPU utilisation in percent, if the controller has one.
pub fn cpu_current_utilization(h: &HorizontalPodAutoscaler) -> Option<i32> {
    h.status
        .iter()
        .flat_map(|s| s.current_metrics.iter().flatten())
        .find_map(|m| m.resource.as_ref().and_then(|r| r.current.average_utilization))
}

/// What the replica calculation needs of one pod.
#[derive(Clone, Debug, Default)]
pub struct PodSample {
    pub name: String,
    pub deleting: bool,
    /// `Pending`, `Running`, `Failed`, ...
    pub phase: String,
    /// The Ready condition: None when the pod has none.
    pub ready: Option<bool>,
    pub start_ms: Option<u64>,
    pub ready_transition_ms: u64,
    /// CPU usage in millicores, if metrics-server has a sample.
    pub usage: Option<i64>,
    /// Summed CPU requests in millicores.
    pub request: i64,
}

/// `GetResourceUtilizationRatio`: (ratio, utilization %).
fn utilization_ratio(
    metrics: &BTreeMap<String, i64>,
    requests: &BTreeMap<String, i64>,
    target: i32,
) -> Result<(f64, i32), String> {
    let (mut used, mut requested) = (0i64, 0i64);
    for (pod, m) in metrics {
        if let Some(r) = requests.get(pod) {
            used += m;
            requested += r;
        }
    }
    if requested == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let util = ((used * 100) / requested) as i32;
    Ok((f64::from(util) / f64::from(target), util))
}

/// `GetResourceReplicas` for CPU utilisation: (replicas, utilization %).
pub fn replica_calc(current: i32, pods: &[PodSample], target: i32, now_ms: u64) -> Result<(i32, i32), String> {
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let mut metrics: BTreeMap<String, i64> = BTreeMap::new();
    let mut requests: BTreeMap<String, i64> = BTreeMap::new();
    let (mut ready_count, mut unready, mut missing) = (0i32, Vec::new(), Vec::new());
    for p in pods {
        if p.request == 0 {
            return Err(format!("missing request for cpu in container of Pod {}", p.name));
        }
        requests.insert(p.name.clone(), p.request);
        // groupPods
        if p.deleting || p.phase == "Failed" {
            continue;
        }
        if p.phase == "Pending" {
            unready.push(p.name.clone());
            continue;
        }
        let Some(usage) = p.usage else {
            missing.push(p.name.clone());
            continue;
        };
        let is_unready = match (p.ready, p.start_ms) {
            (None, _) | (_, None) => true,
            (Some(ready), Some(start)) => {
                if start + CPU_INITIALIZATION_PERIOD_MS > now_ms {
                    !ready || now_ms < p.ready_transition_ms + METRIC_WINDOW_MS
                } else {
                    !ready && start + INITIAL_READINESS_DELAY_MS > p.ready_transition_ms
                }
            }
        };
        if is_unready {
            unready.push(p.name.clone());
            continue;
        }
        metrics.insert(p.name.clone(), usage);
        ready_count += 1;
    }
    if metrics.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let (ratio, util) = utilization_ratio(&metrics, &requests, target)?;
    let scale_up_with_unready = !unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if (1.0 - ratio).abs() <= TOLERANCE {
            return Ok((current, util));
        }
        return Ok(((ratio * f64::from(ready_count)).ceil() as i32, util));
    }
    if !missing.is_empty() {
        if ratio < 1.0 {
            let fallback = i64::from(target.max(100));
            for m in &missing {
                metrics.insert(m.clone(), requests[m] * fallback / 100);
            }
        } else if ratio > 1.0 {
            for m in &missing {
                metrics.insert(m.clone(), 0);
            }
        }
    }
    if scale_up_with_unready {
        for u in &unready {
            metrics.insert(u.clone(), 0);
        }
    }
    let (new_ratio, _) = utilization_ratio(&metrics, &requests, target)?;
    if (1.0 - new_ratio).abs() <= TOLERANCE || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0) {
        return Ok((current, util));
    }
    let new = (new_ratio * metrics.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && new > current) || (new_ratio > 1.0 && new < current) {
        return Ok((current, util));
    }
    Ok((new, util))
}

/// `calculateScaleUpLimit` without `spec.behavior`: max(2 x current, 4).
pub fn scale_up_limit(current: i32) -> i32 {
    (2 * current).max(4)
}

impl Cluster {
    pub(crate) fn sync_hpas(&mut self) {
        let hpas: Vec<HorizontalPodAutoscaler> = self
            .store
            .list(Kind::HorizontalPodAutoscaler, None)
            .filter_map(|o| match o {
                Object::HorizontalPodAutoscaler(h) => Some((**h).clone()),
                _ => None,
            })
            .collect();
        for h in hpas {
            self.sync_hpa(h);
        }
        if self.store.count(Kind::HorizontalPodAutoscaler) > 0 {
            self.wake_at(Controller::Hpa, self.now.plus_ms(SYNC_PERIOD_MS));
        }
    }

    fn sync_hpa(&mut self, mut h: HorizontalPodAutoscaler) {
        let ns = h.metadata.namespace.clone().unwrap_or_default();
        let name = h.metadata.name.clone().unwrap_or_default();
        let spec = h.spec.clone().unwrap_or_default();
        let target_name = spec.scale_target_ref.name.clone();
        let Some(Object::Deployment(d)) = self.store.get(Kind::Deployment, &ns, &target_name).cloned() else {
            self.record_event(
                Kind::HorizontalPodAutoscaler,
                &ns,
                &name,
                "Warning",
                "FailedGetScale",
                &format!("deployments/scale.apps \"{target_name}\" not found"),
                "horizontal-pod-autoscaler",
                None,
            );
            return;
        };
        let current = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let target = cpu_target_utilization(&h);
        let min = spec.min_replicas.unwrap_or(1);
        let max = spec.max_replicas;
        let selector = d.spec.as_ref().and_then(|s| s.selector.match_labels.clone()).unwrap_or_default();
        let now = self.now.ms();
        let pods: Vec<PodSample> = self
            .store
            .list(Kind::Pod, Some(&ns))
            .filter_map(|o| match o {
                Object::Pod(p)
                    if selector.iter().all(|(k, v)| p.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v)) =>
                {
                    Some(p.clone())
                }
                _ => None,
            })
            .map(|p| {
                let pn = p.metadata.name.clone().unwrap_or_default();
                let st = p.status.clone().unwrap_or_default();
                let cond = st.conditions.iter().flatten().find(|c| c.type_ == "Ready").cloned();
                // metrics-server's CPU: idle plus what the traffic it served costs.
                let usage = self.pod_usage(&ns, &pn).map(|(cpu, _)| cpu);
                PodSample {
                    name: pn,
                    deleting: p.metadata.deletion_timestamp.is_some(),
                    phase: st.phase.clone().unwrap_or_else(|| "Pending".into()),
                    ready: cond.as_ref().map(|c| c.status == "True"),
                    start_ms: st.start_time.as_ref().map(|t| sim_time(t).ms()),
                    ready_transition_ms: cond.and_then(|c| c.last_transition_time).map_or(0, |t| sim_time(&t).ms()),
                    usage,
                    request: crate::controllers::scheduler::pod_requests(&p).cpu_milli,
                }
            })
            .collect();
        let mut conditions = Vec::new();
        let cond = |ty: &str, st: &str, reason: &str, msg: &str| HorizontalPodAutoscalerCondition {
            type_: ty.into(),
            status: st.into(),
            reason: Some(reason.into()),
            message: Some(msg.into()),
            last_transition_time: Some(time(self.now)),
        };
        let mut status = h.status.clone().unwrap_or_default();
        let (desired, util) = match replica_calc(current, &pods, target, now) {
            Ok(r) => {
                conditions.push(cond(
                    "AbleToScale",
                    "True",
                    "ReadyForNewScale",
                    "recommended size matches current size",
                ));
                conditions.push(cond("ScalingActive", "True", "ValidMetricFound", "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"));
                r
            }
            Err(e) => {
                conditions.push(cond(
                    "AbleToScale",
                    "True",
                    "SucceededGetScale",
                    "the HPA controller was able to get the target's current scale",
                ));
                conditions.push(cond(
                    "ScalingActive",
                    "False",
                    "FailedGetResourceMetric",
                    &format!("the HPA was unable to compute the replica count: failed to get cpu utilization: {e}"),
                ));
                status.conditions = Some(conditions);
                status.current_replicas = Some(current);
                status.desired_replicas = current;
                h.status = Some(status);
                self.store.update(Object::HorizontalPodAutoscaler(Box::new(h)));
                return;
            }
        };
        // Stabilisation windows and rate limits: spec.behavior when set (K8S-FACTS §9.1
        // defaults), else the legacy rules (scale-up at most max(2 x current, 4) per sync,
        // scale-down stabilised over 5 minutes).
        let behavior = spec.behavior.clone();
        let up = behavior.as_ref().and_then(|b| b.scale_up.clone());
        let down = behavior.as_ref().and_then(|b| b.scale_down.clone());
        let up_window = up.as_ref().and_then(|r| r.stabilization_window_seconds).unwrap_or(0).max(0) as u64 * 1000;
        let down_window = down
            .as_ref()
            .and_then(|r| r.stabilization_window_seconds)
            .map_or(DOWNSCALE_STABILIZATION_MS, |s| s.max(0) as u64 * 1000);
        let recs = self.hpa_recommendations.entry((ns.clone(), name.clone())).or_default();
        recs.push((now, desired));
        recs.retain(|(t, _)| now.saturating_sub(*t) <= up_window.max(down_window));
        let stabilized = if desired > current {
            recs.iter().filter(|r| now - r.0 <= up_window).map(|r| r.1).min().unwrap_or(desired).max(current)
        } else if desired < current {
            recs.iter().filter(|r| now - r.0 <= down_window).map(|r| r.1).max().unwrap_or(desired).min(current)
        } else {
            desired
        };
        let rule_limit = |rules: &Option<k8s_openapi::api::autoscaling::v2::HPAScalingRules>,
                          scale_up: bool|
         -> Option<i32> {
            let r = rules.as_ref()?;
            let select = r.select_policy.clone().unwrap_or_else(|| "Max".into());
            if select == "Disabled" {
                return Some(current);
            }
            let default_up = [("Pods", 4), ("Percent", 100)];
            let default_down = [("Percent", 100)];
            let policies: Vec<(String, i32)> = match &r.policies {
                Some(p) if !p.is_empty() => p.iter().map(|p| (p.type_.clone(), p.value)).collect(),
                _ if scale_up => default_up.iter().map(|(t, v)| (t.to_string(), *v)).collect(),
                _ => default_down.iter().map(|(t, v)| (t.to_string(), *v)).collect(),
            };
            let limits: Vec<i32> = policies
                .iter()
                .map(|(t, v)| match (t.as_str(), scale_up) {
                    ("Pods", true) => current + v,
                    ("Percent", true) => (f64::from(current) * (1.0 + f64::from(*v) / 100.0)).ceil() as i32,
                    ("Pods", false) => current - v,
                    (_, false) => current - (f64::from(current) * f64::from(*v) / 100.0).floor() as i32,
                    _ => current,
                })
                .collect();
            // Max picks the policy allowing the biggest change, Min the smallest.
            let pick_most = select == "Max";
            Some(if scale_up == pick_most { limits.iter().copied().max()? } else { limits.iter().copied().min()? })
        };
        let up_limit = if behavior.is_some() {
            rule_limit(&up.clone().or_else(|| Some(Default::default())), true).unwrap_or(i32::MAX)
        } else {
            scale_up_limit(current)
        };
        let down_limit = if behavior.is_some() {
            rule_limit(&down.clone().or_else(|| Some(Default::default())), false).unwrap_or(0)
        } else {
            0
        };
        let limited_up = stabilized.min(up_limit).max(down_limit);
        // Validation keeps min <= max; max() then min() never panics as clamp would.
        let mut new = limited_up.max(min).min(max);
        let reason = if new > current { "above" } else { "below" };
        let limited = if stabilized > up_limit {
            ("ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
        } else if limited_up > max {
            ("TooManyReplicas", "the desired replica count is more than the maximum replica count")
        } else if limited_up < min {
            ("TooFewReplicas", "the desired replica count is less than the minimum replica count")
        } else {
            ("DesiredWithinRange", "the desired count is within the acceptable range")
        };
        conditions.push(cond(
            "ScalingLimited",
            if limited.0 == "DesiredWithinRange" { "False" } else { "True" },
            limited.0,
            limited.1,
        ));
        if current == 0 {
            new = 0; // scaled to zero by hand: the HPA leaves it alone
        }
        if new != current {
            let mut d2 = d.clone();
            d2.spec.get_or_insert_with(Default::default).replicas = Some(new);
            d2.metadata.generation = Some(d2.metadata.generation.unwrap_or(1) + 1);
            self.store.update(Object::Deployment(d2));
            self.changed(Kind::Deployment);
            self.record_event(
                Kind::HorizontalPodAutoscaler,
                &ns,
                &name,
                "Normal",
                "SuccessfulRescale",
                &format!("New size: {new}; reason: cpu resource utilization (percentage of request) {reason} target"),
                "horizontal-pod-autoscaler",
                None,
            );
            status.last_scale_time = Some(time(self.now));
        }
        status.current_replicas = Some(current);
        status.desired_replicas = new;
        status.current_metrics = Some(vec![MetricStatus {
            type_: "Resource".into(),
            resource: Some(ResourceMetricStatus {
                name: "cpu".into(),
                current: MetricValueStatus { average_utilization: Some(util), ..Default::default() },
            }),
            ..Default::default()
        }]);
        status.conditions = Some(conditions);
        h.status = Some(status);
        self.store.update(Object::HorizontalPodAutoscaler(Box::new(h)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG_AGO: u64 = 0;
    const NOW: u64 = 10 * 60 * 1000;

    fn pod(name: &str, ready: bool, usage: Option<i64>, request: i64) -> PodSample {
        PodSample {
            name: name.into(),
            phase: "Running".into(),
            ready: Some(ready),
            start_ms: Some(LONG_AGO),
            ready_transition_ms: LONG_AGO,
            usage,
            request,
            ..Default::default()
        }
    }

    /// K8S-FACTS §9.2: replica_calculator_test.go (CPU, requests 1.0 core each).
    #[test]
    fn replica_calculator_table() {
        let ready = |levels: &[i64]| -> Vec<PodSample> {
            levels.iter().enumerate().map(|(i, l)| pod(&format!("p{i}"), true, Some(*l), 1000)).collect()
        };
        // ScaleUp: 3 pods at 300/500/700 of 1000, target 30% -> 5 (util 50).
        assert_eq!(replica_calc(3, &ready(&[300, 500, 700]), 30, NOW), Ok((5, 50)));
        // ScaleDown: 5 pods, target 50% -> 3 (util 28).
        assert_eq!(replica_calc(5, &ready(&[100, 300, 500, 250, 250]), 50, NOW), Ok((3, 28)));
        // ScaleUpUnreadyLessScale: F,T,T -> 4 (util 60). The unready pod never became ready
        // (its transition is within the initial readiness delay of its start).
        let mut p = ready(&[300, 500, 700]);
        p[0].ready = Some(false);
        p[0].ready_transition_ms = 10_000;
        assert_eq!(replica_calc(3, &p, 30, NOW), Ok((4, 60)));
        // ScaleUpUnreadyNoScale: T,F,F at 400/500/700 -> stays 3 (util 40).
        let mut p = ready(&[400, 500, 700]);
        p[1].ready = Some(false);
        p[2].ready = Some(false);
        p[1].ready_transition_ms = 10_000;
        p[2].ready_transition_ms = 10_000;
        assert_eq!(replica_calc(3, &p, 30, NOW), Ok((3, 40)));
        // ScaleUpIgnoresFailedPods: 2 running + 2 Failed -> 4 (util 60).
        let mut p = ready(&[500, 700]);
        p.push(PodSample { phase: "Failed".into(), ..pod("f0", false, None, 1000) });
        p.push(PodSample { phase: "Failed".into(), ..pod("f1", false, None, 1000) });
        assert_eq!(replica_calc(2, &p, 30, NOW), Ok((4, 60)));
        // ScaleUpIgnoresDeletionPods.
        let mut p = ready(&[500, 700]);
        p.push(PodSample { deleting: true, ..pod("d0", true, None, 1000) });
        p.push(PodSample { deleting: true, ..pod("d1", true, None, 1000) });
        assert_eq!(replica_calc(2, &p, 30, NOW), Ok((4, 60)));
        // ScaleDownExcludeUnreadyPods: T,T,T,F,F -> 2 (util 30).
        let mut p = ready(&[100, 300, 500, 250, 250]);
        p[3].ready = Some(false);
        p[4].ready = Some(false);
        p[3].ready_transition_ms = 10_000;
        p[4].ready_transition_ms = 10_000;
        assert_eq!(replica_calc(5, &p, 50, NOW), Ok((2, 30)));
        // ScaleDownExcludeUnscheduledPods: 1 Running + 4 Pending -> 1 (util 10).
        let mut p = ready(&[100]);
        for i in 0..4 {
            p.push(PodSample { phase: "Pending".into(), ..pod(&format!("u{i}"), false, None, 1000) });
        }
        assert_eq!(replica_calc(5, &p, 50, NOW), Ok((1, 10)));
        // Tolerance: requests 0.9/1.0/1.1, usage 1010/1030/1020, target 100 -> stays 3 (102).
        let p =
            vec![pod("a", true, Some(1010), 900), pod("b", true, Some(1030), 1000), pod("c", true, Some(1020), 1100)];
        assert_eq!(replica_calc(3, &p, 100, NOW), Ok((3, 102)));
        // MissingMetrics: 4 pods, metrics for 2 (400, 95), target 100 -> 3 (util 24).
        let p = vec![
            pod("a", true, Some(400), 1000),
            pod("b", true, Some(95), 1000),
            pod("c", true, None, 1000),
            pod("d", true, None, 1000),
        ];
        assert_eq!(replica_calc(4, &p, 100, NOW), Ok((3, 24)));
        // MissingMetricsNoChangeEq / Gt / Lt.
        assert_eq!(
            replica_calc(2, &[pod("a", true, Some(1000), 1000), pod("b", true, None, 1000)], 100, NOW),
            Ok((2, 100))
        );
        assert_eq!(
            replica_calc(2, &[pod("a", true, Some(1900), 1000), pod("b", true, None, 1000)], 100, NOW),
            Ok((2, 190))
        );
        assert_eq!(
            replica_calc(2, &[pod("a", true, Some(600), 1000), pod("b", true, None, 1000)], 100, NOW),
            Ok((2, 60))
        );
        // EmptyMetrics.
        let p = vec![pod("a", true, None, 1000)];
        assert_eq!(
            replica_calc(4, &p, 100, NOW),
            Err("did not receive metrics for targeted pods (pods might be unready)".into())
        );
    }

    /// K8S-FACTS §9.1 derived: the legacy scale-up limit.
    #[test]
    fn scale_up_limits() {
        assert_eq!([1, 2, 3, 10].map(scale_up_limit), [4, 4, 6, 20]);
    }
}
