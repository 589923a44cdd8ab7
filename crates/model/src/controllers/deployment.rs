//! The Deployment controller (`pkg/controller/deployment`): ReplicaSets per template revision,
//! RollingUpdate and Recreate, status and conditions, revision history (K8S-FACTS §1).

use std::collections::BTreeMap;
use std::ops::Deref;
use std::rc::Rc;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentSpec, DeploymentStatus, ReplicaSet, ReplicaSetSpec, ReplicaSetStatus,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{is_controlled_by, owner_ref};
use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::queue::Controller;
use crate::store::{sim_time, time};

pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// `GetScaledValueFromIntOrPercent`: an int as is, `"N%"` of `total` rounded up or down.
pub fn int_or_percent(v: &IntOrString, total: i32, round_up: bool) -> Result<i32, String> {
    match v {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let Some(num) = s.strip_suffix('%') else {
                return Err(format!("invalid type: string is not a percentage: {s:?}"));
            };
            let pct: i64 = num.parse().map_err(|_| {
                format!("invalid value for IntOrString: invalid value {s:?}: strconv.ParseInt: parsing {num:?}: invalid syntax")
            })?;
            // i128 and a clamp: a hostile "99999999999999999%" must not overflow (upstream
            // computes in float64 and converts).
            let prod = i128::from(pct) * i128::from(total);
            let v = if round_up { (prod + 99).div_euclid(100) } else { prod.div_euclid(100) };
            Ok(v.clamp(i128::from(i32::MIN), i128::from(i32::MAX)) as i32)
        }
    }
}

/// Validation of an int-or-percent field: (shown value, detail) when invalid.
pub fn check_int_or_percent(v: &IntOrString) -> Result<(), (String, String)> {
    match v {
        IntOrString::Int(i) if *i < 0 => Err((i.to_string(), "must be greater than or equal to 0".into())),
        IntOrString::Int(_) => Ok(()),
        IntOrString::String(s) => {
            let ok = s.strip_suffix('%').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                Err((format!("\"{s}\""), "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')".into()))
            } else if s.trim_end_matches('%').parse::<u32>().is_ok_and(|n| n > 100) {
                Err((format!("\"{s}\""), "must not be greater than 100%".into()))
            } else {
                Ok(())
            }
        }
    }
}

/// `ResolveFenceposts`: (surge, unavailable); if both are 0, unavailable becomes 1.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> Result<(i32, i32), String> {
    let zero = IntOrString::Int(0);
    let surge = int_or_percent(max_surge.unwrap_or(&zero), desired, true)?;
    let mut unavailable = int_or_percent(max_unavailable.unwrap_or(&zero), desired, false)?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

fn is_rolling(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate")
        == "RollingUpdate"
}

fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn fenceposts(d: &Deployment) -> (i32, i32) {
    let ru = d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.rolling_update.as_ref());
    resolve_fenceposts(ru.and_then(|r| r.max_surge.as_ref()), ru.and_then(|r| r.max_unavailable.as_ref()), replicas(d))
        .unwrap_or((0, 1))
}

/// `MaxUnavailable(d)`: 0 unless RollingUpdate with replicas > 0, clamped to replicas.
pub fn max_unavailable(d: &Deployment) -> i32 {
    if !is_rolling(d) || replicas(d) == 0 {
        return 0;
    }
    fenceposts(d).1.min(replicas(d))
}

/// `MaxSurge(d)`: 0 unless RollingUpdate; not clamped.
pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling(d) { 0 } else { fenceposts(d).0 }
}

/// `NewRSNewReplicas` for RollingUpdate: how far the new ReplicaSet may scale up now.
/// `all_spec_replicas` is Σ spec.replicas over all of the Deployment's ReplicaSets.
///
/// Counts are Go `int32`s upstream, whose arithmetic wraps: `replicas: 2147483647` with a
/// 25 % maxSurge makes `maxTotalPods` negative, so upstream never scales the new ReplicaSet up.
/// The same wrapping here (rather than a debug-build overflow panic) keeps that behaviour.
pub fn new_rs_new_replicas_rolling(desired: i32, max_surge: i32, all_spec_replicas: i32, new_rs_replicas: i32) -> i32 {
    let max_total = desired.wrapping_add(max_surge);
    if all_spec_replicas >= max_total {
        return new_rs_replicas;
    }
    let scale_up = max_total.wrapping_sub(all_spec_replicas).min(desired.wrapping_sub(new_rs_replicas));
    new_rs_replicas.wrapping_add(scale_up)
}

/// Σ of Go `int32` counts, wrapping as Go's addition does.
fn sum_i32(values: impl Iterator<Item = i32>) -> i32 {
    values.fold(0, i32::wrapping_add)
}

/// `reconcileOldReplicaSets` with `cleanupUnhealthyReplicas` and
/// `scaleDownOldReplicaSetsForRollingUpdate` (K8S-FACTS §1.4). `old` holds (spec.replicas,
/// availableReplicas) of the old ReplicaSets, oldest first; `new` the new one's. Returns each old
/// ReplicaSet's new spec.replicas.
pub fn reconcile_old_replica_sets(desired: i32, max_unavailable: i32, old: &[(i32, i32)], new: (i32, i32)) -> Vec<i32> {
    let mut out: Vec<i32> = old.iter().map(|o| o.0).collect();
    let old_count: i32 = sum_i32(out.iter().copied());
    if old_count == 0 {
        return out;
    }
    let all_count = old_count.wrapping_add(new.0);
    let min_available = desired.wrapping_sub(max_unavailable);
    let new_unavailable = new.0.wrapping_sub(new.1);
    let max_scaled_down = all_count.wrapping_sub(min_available).wrapping_sub(new_unavailable);
    if max_scaled_down <= 0 {
        return out;
    }
    let mut cleaned = 0;
    for (i, (r, avail)) in old.iter().enumerate() {
        if cleaned >= max_scaled_down {
            break;
        }
        if *r == 0 || r == avail {
            continue;
        }
        let n = (max_scaled_down - cleaned).min(r - avail);
        out[i] -= n;
        cleaned += n;
    }
    let available: i32 = sum_i32(old.iter().map(|o| o.1)).wrapping_add(new.1);
    if available <= min_available {
        return out;
    }
    let to_scale = available - min_available;
    let mut done = 0;
    for r in out.iter_mut() {
        if done >= to_scale {
            break;
        }
        if *r == 0 {
            continue;
        }
        let n = (*r).min(to_scale - done);
        *r -= n;
        done += n;
    }
    out
}

/// `isScalingEvent`: an active ReplicaSet's desired-replicas annotation differs from the
/// Deployment's replicas.
fn is_scaling_event(desired: i32, all: &[SharedRs]) -> bool {
    all.iter().filter(|rs| rs_replicas(rs) > 0).any(|rs| {
        rs.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(DESIRED_REPLICAS))
            .and_then(|v| v.parse::<i32>().ok())
            .is_some_and(|v| v != desired)
    })
}

/// `IsSaturated`: the new ReplicaSet has the full size, is annotated with it, and all of it is
/// available.
fn is_saturated(desired: i32, rs: &ReplicaSet) -> bool {
    let annotated =
        rs.metadata.annotations.as_ref().and_then(|a| a.get(DESIRED_REPLICAS)).and_then(|v| v.parse::<i32>().ok());
    rs_replicas(rs) == desired && annotated == Some(desired) && rs_available(rs) == desired
}

/// `GetProportion` with `getReplicaSetFraction`: this ReplicaSet's share of `to_add`, bounded
/// by what is left to add (or remove).
fn get_proportion(rs: &ReplicaSet, d: &Deployment, to_add: i32, added: i32) -> i32 {
    let size = rs_replicas(rs);
    if size == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = if replicas(d) == 0 {
        -size
    } else {
        let deployment_replicas = replicas(d).wrapping_add(max_surge(d));
        let annotated = rs
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(MAX_REPLICAS))
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or_else(|| d.status.as_ref().map_or(0, |s| s.replicas.unwrap_or(0)));
        if annotated <= 0 {
            0 // upstream divides by zero here; no share is the safe reading
        } else {
            // integer.RoundToInt32: round half away from zero.
            let exact = f64::from(size) * f64::from(deployment_replicas) / f64::from(annotated);
            (exact.round() as i32).wrapping_sub(size)
        }
    };
    let allowed = to_add.wrapping_sub(added);
    if to_add > 0 { fraction.min(allowed) } else { fraction.max(allowed) }
}

/// `SafeEncodeString`: each character maps into the 27 vowel-free alphanumerics.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes().map(|b| ALPHANUMS[usize::from(b) % ALPHANUMS.len()] as char).collect()
}

/// `ComputeHash`: FNV-32a over the template (here its canonical JSON; upstream dumps the Go
/// struct, so hashes differ from a real cluster's but have the same shape), plus the collision
/// count, encoded with `SafeEncodeString`.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let json = serde_json::to_string(template).unwrap_or_default();
    let mut h: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u32::from(*b);
            h = h.wrapping_mul(0x0100_0193);
        }
    };
    feed(json.as_bytes());
    if let Some(c) = collision_count {
        feed(&c.to_le_bytes());
    }
    safe_encode(&h.to_string())
}

/// `EqualIgnoreHash`: templates equal apart from the pod-template-hash label (upstream copies
/// both templates and deletes the label; empty labels then equal absent ones). Compared in place:
/// the Deployment controller asks this of every ReplicaSet on every pass, and copying two pod
/// templates each time was a sixth of a fuzzed cluster's run.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    fn labels(m: &ObjectMeta) -> impl Iterator<Item = (&String, &String)> {
        m.labels.iter().flatten().filter(|(k, _)| k.as_str() != POD_TEMPLATE_HASH)
    }
    let without_labels = |m: &ObjectMeta| ObjectMeta { labels: None, ..m.clone() };
    a.spec == b.spec
        && match (&a.metadata, &b.metadata) {
            (None, None) => true,
            (Some(x), Some(y)) => labels(x).eq(labels(y)) && without_labels(x) == without_labels(y),
            _ => false,
        }
}

pub fn revision_of(meta: &ObjectMeta) -> i64 {
    meta.annotations.as_ref().and_then(|a| a.get(REVISION)).and_then(|r| r.parse().ok()).unwrap_or(0)
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

/// A ReplicaSet as the store holds it, shared rather than copied: a pass reads every ReplicaSet
/// of a Deployment several times and writes few.
#[derive(Clone, Debug)]
struct SharedRs(Rc<Object>);

impl SharedRs {
    fn of(obj: Rc<Object>) -> Option<SharedRs> {
        matches!(&*obj, Object::ReplicaSet(_)).then_some(SharedRs(obj))
    }
}

impl Deref for SharedRs {
    type Target = ReplicaSet;
    fn deref(&self) -> &ReplicaSet {
        match &*self.0 {
            Object::ReplicaSet(rs) => rs,
            // `SharedRs::of` admits ReplicaSets only.
            _ => unreachable!("a SharedRs holds a ReplicaSet"),
        }
    }
}

impl Cluster {
    pub(crate) fn sync_deployments(&mut self) {
        let keys: Vec<(String, String)> = self
            .store
            .list(Kind::Deployment, None)
            .map(|o| (o.namespace().to_string(), o.name().to_string()))
            .collect();
        for (ns, name) in keys {
            self.sync_deployment(&ns, &name);
        }
    }

    fn owned_replica_sets(&self, d: &Deployment) -> Vec<SharedRs> {
        let ns = d.metadata.namespace.as_deref().unwrap_or("default");
        let mut out: Vec<SharedRs> = self
            .store
            .list_shared(Kind::ReplicaSet, Some(ns))
            .filter_map(SharedRs::of)
            .filter(|rs| is_controlled_by(&rs.metadata, &d.metadata))
            .collect();
        // Oldest first, name breaks ties (controller.ReplicaSetsByCreationTimestamp).
        crate::sort::sort_by(&mut out, |a, b| {
            (a.metadata.creation_timestamp.as_ref().map(sim_time), &a.metadata.name)
                .cmp(&(b.metadata.creation_timestamp.as_ref().map(sim_time), &b.metadata.name))
        });
        out
    }

    /// `scaleReplicaSet`: writes the size and the desired/max-replicas annotations when either
    /// differs; only a size change is an event (and a new generation).
    fn scale_rs(&mut self, d: &Deployment, rs: &ReplicaSet, to: i32) {
        let from = rs_replicas(rs);
        let max = replicas(d).wrapping_add(max_surge(d));
        let ann_of = |k: &str| rs.metadata.annotations.as_ref().and_then(|a| a.get(k)).cloned();
        let annotations_stale =
            ann_of(DESIRED_REPLICAS) != Some(replicas(d).to_string()) || ann_of(MAX_REPLICAS) != Some(max.to_string());
        if from == to && !annotations_stale {
            return;
        }
        let ns = rs.metadata.namespace.clone().unwrap_or_default();
        let name = rs.metadata.name.clone().unwrap_or_default();
        // One copy to write (the pass holds the stored ReplicaSet shared).
        let live = match self.store.get(Kind::ReplicaSet, &ns, &name) {
            Some(Object::ReplicaSet(live)) => Some(live.clone()),
            _ => None,
        };
        if let Some(mut live) = live {
            live.spec.get_or_insert_with(Default::default).replicas = Some(to);
            let ann = live.metadata.annotations.get_or_insert_with(BTreeMap::new);
            ann.insert(DESIRED_REPLICAS.into(), replicas(d).to_string());
            ann.insert(MAX_REPLICAS.into(), max.to_string());
            if from != to {
                live.metadata.generation = Some(live.metadata.generation.unwrap_or(1) + 1);
            }
            self.store.update(Object::ReplicaSet(live));
        }
        if from == to {
            return;
        }
        let dir = if to > from { "up" } else { "down" };
        let dname = d.metadata.name.clone().unwrap_or_default();
        self.record_event(
            Kind::Deployment,
            &ns,
            &dname,
            "Normal",
            "ScalingReplicaSet",
            &format!("Scaled {dir} replica set {name} from {from} to {to}"),
            "deployment-controller",
            None,
        );
        self.changed(Kind::ReplicaSet);
    }

    fn sync_deployment(&mut self, ns: &str, name: &str) {
        let Some(obj) = self.store.get_shared(Kind::Deployment, ns, name) else { return };
        let Object::Deployment(d) = &*obj else { return };
        if d.metadata.deletion_timestamp.is_some() {
            return;
        }
        let no_spec = DeploymentSpec::default();
        let spec = d.spec.as_ref().unwrap_or(&no_spec);
        let mut all = self.owned_replica_sets(d);
        let new_idx = all.iter().position(|rs| {
            rs.spec.as_ref().and_then(|s| s.template.as_ref()).is_some_and(|t| equal_ignore_hash(t, &spec.template))
        });
        let paused = spec.paused.unwrap_or(false);
        let desired = replicas(d);
        let max_rev = all.iter().map(|rs| revision_of(&rs.metadata)).max().unwrap_or(0);
        let recreate = !is_rolling(d);

        // The new ReplicaSet: found (its revision bumped if it is an old one coming back) or made.
        let mut new_rs: Option<SharedRs> = new_idx.map(|i| all[i].clone());
        let mut created = false;
        if let Some(shared) = new_rs.as_mut() {
            let rev = revision_of(&shared.metadata);
            if rev < max_rev || rev == 0 {
                let mut rs = (**shared).clone();
                let ann = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
                if rev > 0 {
                    let mut hist: Vec<String> = ann
                        .get(REVISION_HISTORY)
                        .map(|h| h.split(',').map(str::to_string).collect())
                        .unwrap_or_default();
                    hist.push(rev.to_string());
                    ann.insert(REVISION_HISTORY.into(), hist.join(","));
                }
                ann.insert(REVISION.into(), (max_rev + 1).to_string());
                let rs_name = rs.metadata.name.clone().unwrap_or_default();
                self.store.update(Object::ReplicaSet(Box::new(rs)));
                if let Some(updated) = self.store.get_shared(Kind::ReplicaSet, ns, &rs_name).and_then(SharedRs::of) {
                    *shared = updated.clone();
                    if let Some(i) = new_idx {
                        all[i] = updated;
                    }
                }
            }
        } else if !(paused || recreate && self.old_pods_running(d, &all)) {
            // Create it (RollingUpdate: as far as surge allows; Recreate: once old pods are gone).
            let all_spec: i32 = sum_i32(all.iter().map(|rs| rs_replicas(rs)));
            let start =
                if recreate { desired } else { new_rs_new_replicas_rolling(desired, max_surge(d), all_spec, 0) };
            let hash = compute_hash(&spec.template, d.status.as_ref().and_then(|s| s.collision_count));
            let rs_name = format!("{name}-{hash}");
            let mut template = spec.template.clone();
            let tm = template.metadata.get_or_insert_with(Default::default);
            tm.labels.get_or_insert_with(BTreeMap::new).insert(POD_TEMPLATE_HASH.into(), hash.clone());
            let mut selector: LabelSelector = spec.selector.clone();
            selector.match_labels.get_or_insert_with(BTreeMap::new).insert(POD_TEMPLATE_HASH.into(), hash.clone());
            let mut labels = tm.labels.clone().unwrap_or_default();
            labels.insert(POD_TEMPLATE_HASH.into(), hash);
            let annotations: BTreeMap<String, String> = [
                (DESIRED_REPLICAS.to_string(), desired.to_string()),
                (MAX_REPLICAS.to_string(), desired.wrapping_add(max_surge(d)).to_string()),
                (REVISION.to_string(), (max_rev + 1).to_string()),
            ]
            .into();
            let rs = ReplicaSet {
                metadata: ObjectMeta {
                    name: Some(rs_name.clone()),
                    namespace: Some(ns.into()),
                    labels: Some(labels),
                    annotations: Some(annotations),
                    owner_references: Some(vec![owner_ref(Kind::Deployment, &d.metadata)]),
                    ..Default::default()
                },
                spec: Some(ReplicaSetSpec {
                    replicas: Some(start),
                    min_ready_seconds: spec.min_ready_seconds,
                    selector,
                    template: Some(template),
                }),
                status: None,
            };
            if self.store.contains(Kind::ReplicaSet, ns, &rs_name) {
                // A hash collision: bump collisionCount and try again next time (upstream does).
                if let Some(Object::Deployment(live)) = self.store.get_mut(Kind::Deployment, ns, name) {
                    let st = live.status.get_or_insert_with(Default::default);
                    st.collision_count = Some(st.collision_count.unwrap_or(0) + 1);
                }
                self.wake(Controller::Deployment);
                return;
            }
            self.store.create(Object::ReplicaSet(Box::new(rs)), self.now);
            let Some(stored) = self.store.get_shared(Kind::ReplicaSet, ns, &rs_name).and_then(SharedRs::of) else {
                return;
            };
            self.record_event(
                Kind::Deployment,
                ns,
                name,
                "Normal",
                "ScalingReplicaSet",
                &format!("Scaled up replica set {rs_name} from 0 to {start}"),
                "deployment-controller",
                None,
            );
            self.changed(Kind::ReplicaSet);
            all.push(stored.clone());
            new_rs = Some(stored);
            created = true;
        }

        if !paused && !created {
            let old: Vec<SharedRs> = all
                .iter()
                .filter(|rs| Some(&rs.metadata.uid) != new_rs.as_ref().map(|n| &n.metadata.uid))
                .cloned()
                .collect();
            if is_scaling_event(desired, &all) {
                // syncDeployment: a scaling event goes to `sync` (scale, then status) instead
                // of the rollout, so a rollout in progress is resized proportionally.
                self.scale_deployment(d, new_rs.as_ref(), &old);
            } else if recreate {
                self.rollout_recreate(d, &old, new_rs.as_ref());
            } else if let Some(new_rs) = new_rs.as_ref() {
                self.rollout_rolling(d, &all, &old, new_rs);
            }
        }
        if !paused {
            self.cleanup_history(d);
        }
        self.sync_deployment_status(ns, name, new_rs.as_ref().and_then(|r| r.metadata.name.clone()), created);
    }

    fn old_pods_running(&self, d: &Deployment, all: &[SharedRs]) -> bool {
        let ns = d.metadata.namespace.as_deref().unwrap_or("default");
        let no_template = PodTemplateSpec::default();
        let template = d.spec.as_ref().map_or(&no_template, |s| &s.template);
        all.iter()
            .filter(|rs| {
                !rs.spec.as_ref().and_then(|s| s.template.as_ref()).is_some_and(|t| equal_ignore_hash(t, template))
            })
            .any(|rs| {
                self.store.list(Kind::Pod, Some(ns)).any(|o| match o {
                    Object::Pod(p) => {
                        is_controlled_by(&p.metadata, &rs.metadata)
                            && !matches!(
                                p.status.as_ref().and_then(|s| s.phase.as_deref()),
                                Some("Succeeded" | "Failed")
                            )
                    }
                    _ => false,
                })
            })
    }

    /// `scale` (pkg/controller/deployment/sync.go): one active ReplicaSet (or none: the
    /// newest) takes the whole size; a saturated new ReplicaSet empties the old ones; otherwise,
    /// rolling, the difference to `replicas + maxSurge` is shared out in proportion to each
    /// active ReplicaSet's size (`GetProportion`), largest first, leftovers to the first.
    fn scale_deployment(&mut self, d: &Deployment, new_rs: Option<&SharedRs>, old: &[SharedRs]) {
        let desired = replicas(d);
        let mut all: Vec<SharedRs> = old.to_vec();
        all.extend(new_rs.cloned());
        let mut active: Vec<SharedRs> = all.iter().filter(|rs| rs_replicas(rs) > 0).cloned().collect();
        // FindActiveOrLatest: the one active ReplicaSet, or the newest when none is.
        let only = match active.len() {
            1 => Some(active[0].clone()),
            0 => new_rs.cloned().or_else(|| old.last().cloned()),
            _ => None,
        };
        if let Some(rs) = only {
            if rs_replicas(&rs) != desired {
                self.scale_rs(d, &rs, desired);
            }
            return;
        }
        if let Some(n) = new_rs
            && is_saturated(desired, n)
        {
            for rs in old.iter().filter(|rs| rs_replicas(rs) > 0) {
                self.scale_rs(d, rs, 0);
            }
            return;
        }
        if !is_rolling(d) {
            return;
        }
        let total = sum_i32(active.iter().map(|rs| rs_replicas(rs)));
        let allowed = if desired > 0 { desired.wrapping_add(max_surge(d)) } else { 0 };
        let to_add = allowed.wrapping_sub(total);
        let created =
            |rs: &ReplicaSet| (rs.metadata.creation_timestamp.as_ref().map(sim_time), rs.metadata.name.clone());
        // Larger first; ties: newer first when scaling up (ReplicaSetsBySizeNewer), older first
        // when scaling down (ReplicaSetsBySizeOlder).
        crate::sort::sort_by(&mut active, |a, b| {
            rs_replicas(b)
                .cmp(&rs_replicas(a))
                .then_with(|| if to_add > 0 { created(b).cmp(&created(a)) } else { created(a).cmp(&created(b)) })
        });
        let mut added = 0i32;
        let mut sizes: Vec<i32> = Vec::with_capacity(active.len());
        for rs in &active {
            if to_add != 0 {
                let p = get_proportion(rs, d, to_add, added);
                sizes.push(rs_replicas(rs).wrapping_add(p));
                added = added.wrapping_add(p);
            } else {
                sizes.push(rs_replicas(rs));
            }
        }
        if to_add != 0
            && let Some(first) = sizes.first_mut()
        {
            *first = first.wrapping_add(to_add.wrapping_sub(added)).max(0);
        }
        for (rs, size) in active.iter().zip(sizes) {
            self.scale_rs(d, rs, size);
        }
    }

    /// `rolloutRolling` (K8S-FACTS §1.3–1.4): scale the new RS up within surge, else scale old
    /// ones down within maxUnavailable.
    fn rollout_rolling(&mut self, d: &Deployment, all: &[SharedRs], old: &[SharedRs], new_rs: &ReplicaSet) {
        let desired = replicas(d);
        let new_replicas = rs_replicas(new_rs);
        // reconcileNewReplicaSet
        if new_replicas > desired {
            self.scale_rs(d, new_rs, desired);
            return;
        }
        if new_replicas < desired {
            let all_spec: i32 = sum_i32(all.iter().map(|rs| rs_replicas(rs)));
            let to = new_rs_new_replicas_rolling(desired, max_surge(d), all_spec, new_replicas);
            if to != new_replicas {
                self.scale_rs(d, new_rs, to);
                return;
            }
        }
        // reconcileOldReplicaSets
        let olds: Vec<(i32, i32)> = old.iter().map(|rs| (rs_replicas(rs), rs_available(rs))).collect();
        let target =
            reconcile_old_replica_sets(desired, max_unavailable(d), &olds, (new_replicas, rs_available(new_rs)));
        for (rs, to) in old.iter().zip(target) {
            if to != rs_replicas(rs) {
                self.scale_rs(d, rs, to);
            }
        }
    }

    /// `rolloutRecreate` (K8S-FACTS §1.6): old RSs to 0, wait for their pods, then the new RS.
    fn rollout_recreate(&mut self, d: &Deployment, old: &[SharedRs], new_rs: Option<&SharedRs>) {
        let mut scaled = false;
        for rs in old {
            if rs_replicas(rs) > 0 {
                self.scale_rs(d, rs, 0);
                scaled = true;
            }
        }
        if scaled {
            return;
        }
        if self.old_pods_running(d, old) {
            return;
        }
        if let Some(new_rs) = new_rs {
            if rs_replicas(new_rs) != replicas(d) {
                self.scale_rs(d, new_rs, replicas(d));
            }
        } else {
            self.wake(Controller::Deployment);
        }
    }

    /// `cleanupDeployment`: drop old, empty ReplicaSets beyond revisionHistoryLimit, oldest first.
    fn cleanup_history(&mut self, d: &Deployment) {
        let limit = d.spec.as_ref().and_then(|s| s.revision_history_limit).unwrap_or(10).max(0) as usize;
        let no_template = PodTemplateSpec::default();
        let template = d.spec.as_ref().map_or(&no_template, |s| &s.template);
        let all = self.owned_replica_sets(d);
        let mut old: Vec<&SharedRs> = all
            .iter()
            .filter(|rs| {
                !rs.spec.as_ref().and_then(|s| s.template.as_ref()).is_some_and(|t| equal_ignore_hash(t, template))
            })
            .filter(|rs| rs_replicas(rs) == 0 && rs.status.as_ref().map(|s| s.replicas).unwrap_or(0) == 0)
            .collect();
        if old.len() <= limit {
            return;
        }
        crate::sort::sort_by_key(&mut old, |rs| revision_of(&rs.metadata));
        let n = old.len() - limit;
        let doomed: Vec<(String, String)> = old[..n]
            .iter()
            .map(|rs| (rs.metadata.namespace.clone().unwrap_or_default(), rs.metadata.name.clone().unwrap_or_default()))
            .collect();
        for (ns, name) in doomed {
            self.delete_object(Kind::ReplicaSet, &ns, &name, None);
        }
    }

    fn sync_deployment_status(&mut self, ns: &str, name: &str, new_rs_name: Option<String>, created: bool) {
        let Some(obj) = self.store.get_shared(Kind::Deployment, ns, name) else { return };
        let Object::Deployment(d) = &*obj else { return };
        let all = self.owned_replica_sets(d);
        let new_rs = new_rs_name.as_ref().and_then(|n| all.iter().find(|rs| rs.metadata.name.as_ref() == Some(n)));
        let count = |rs: &ReplicaSet, of: fn(&ReplicaSetStatus) -> i32| rs.status.as_ref().map_or(0, of);
        let replicas_total: i32 = sum_i32(all.iter().map(|rs| count(rs, |s| s.replicas)));
        let updated = new_rs.map_or(0, |rs| count(rs, |s| s.replicas));
        let ready: i32 = sum_i32(all.iter().map(|rs| count(rs, |s| s.ready_replicas.unwrap_or(0))));
        let available: i32 = sum_i32(all.iter().map(|rs| count(rs, |s| s.available_replicas.unwrap_or(0))));
        let desired = replicas(d);
        let old_status = d.status.clone().unwrap_or_default();
        // Every count is `omitempty` upstream: 0 is left out of the object.
        let nz = |v: i32| (v != 0).then_some(v);
        let mut status = DeploymentStatus {
            observed_generation: d.metadata.generation,
            replicas: nz(replicas_total),
            updated_replicas: nz(updated),
            ready_replicas: nz(ready),
            available_replicas: nz(available),
            unavailable_replicas: nz(desired.wrapping_sub(available).max(0)),
            collision_count: old_status.collision_count,
            conditions: old_status.conditions.clone(),
            ..Default::default()
        };
        let now = time(self.now);
        let mut conds = status.conditions.take().unwrap_or_default();
        let set =
            |conds: &mut Vec<DeploymentCondition>, ty: &str, st: &str, reason: &str, msg: &str, bump_update: bool| {
                if let Some(c) = conds.iter_mut().find(|c| c.type_ == ty) {
                    if c.status != st {
                        c.last_transition_time = Some(now.clone());
                    }
                    if c.status != st || c.reason.as_deref() != Some(reason) || bump_update {
                        c.last_update_time = Some(now.clone());
                    }
                    c.status = st.into();
                    c.reason = Some(reason.into());
                    c.message = Some(msg.into());
                } else {
                    conds.push(DeploymentCondition {
                        type_: ty.into(),
                        status: st.into(),
                        reason: Some(reason.into()),
                        message: Some(msg.into()),
                        last_transition_time: Some(now.clone()),
                        last_update_time: Some(now.clone()),
                    });
                }
            };
        if available >= desired.wrapping_sub(max_unavailable(d)) {
            set(
                &mut conds,
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
                false,
            );
        } else {
            set(
                &mut conds,
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
                false,
            );
        }
        let paused = d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        let generation_observed = true;
        let complete = updated == desired && replicas_total == desired && available == desired && generation_observed;
        let rs_label = new_rs_name.clone().unwrap_or_default();
        let deadline = d.spec.as_ref().and_then(|s| s.progress_deadline_seconds);
        let progressing_reason = conds.iter().find(|c| c.type_ == "Progressing").and_then(|c| c.reason.clone());
        if paused {
            set(&mut conds, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", false);
        } else if progressing_reason.as_deref() == Some("DeploymentPaused") {
            set(&mut conds, "Progressing", "True", "DeploymentResumed", "Deployment is resumed", true);
        } else if complete && new_rs_name.is_some() {
            set(
                &mut conds,
                "Progressing",
                "True",
                "NewReplicaSetAvailable",
                &format!("ReplicaSet \"{rs_label}\" has successfully progressed."),
                false,
            );
        } else if created {
            set(
                &mut conds,
                "Progressing",
                "True",
                "NewReplicaSetCreated",
                &format!("Created new replica set \"{rs_label}\""),
                true,
            );
        } else if progressing_reason.as_deref() != Some("ProgressDeadlineExceeded")
            || deployment_progressing(&old_status, &status)
        {
            let progressed = deployment_progressing(&old_status, &status);
            if progressed
                || progressing_reason.is_none()
                || progressing_reason.as_deref() == Some("NewReplicaSetAvailable")
            {
                let reason = "ReplicaSetUpdated";
                set(
                    &mut conds,
                    "Progressing",
                    "True",
                    reason,
                    &format!("ReplicaSet \"{rs_label}\" is progressing."),
                    true,
                );
            }
            // Timed out? (DeploymentTimedOut: lastUpdateTime + deadline strictly before now.)
            if let (Some(dl), Some(c)) = (deadline, conds.iter().find(|c| c.type_ == "Progressing"))
                && dl < i32::MAX
                && c.reason.as_deref() != Some("NewReplicaSetAvailable")
            {
                let last = c.last_update_time.as_ref().map(sim_time).unwrap_or(self.now);
                let expiry = last.plus_ms(dl as u64 * 1000);
                if expiry < self.now {
                    set(
                        &mut conds,
                        "Progressing",
                        "False",
                        "ProgressDeadlineExceeded",
                        &format!("ReplicaSet \"{rs_label}\" has timed out progressing."),
                        false,
                    );
                    self.record_event(
                        Kind::Deployment,
                        ns,
                        name,
                        "Warning",
                        "ProgressDeadlineExceeded",
                        &format!("Deployment {name} has timed out progressing."),
                        "deployment-controller",
                        None,
                    );
                } else {
                    // requeueStuckDeployment: look again just after the deadline.
                    self.wake_at(Controller::Deployment, expiry.plus_ms(1000));
                }
            }
        }
        // Keep upstream's condition order: Available, Progressing.
        crate::sort::sort_by_key(&mut conds, |c| if c.type_ == "Available" { 0 } else { 1 });
        status.conditions = Some(conds);
        let mut live = d.clone();
        let rev = new_rs.map(|rs| revision_of(&rs.metadata)).unwrap_or(0);
        if rev > 0 {
            live.metadata.annotations.get_or_insert_with(BTreeMap::new).insert(REVISION.into(), rev.to_string());
        }
        if live.status.as_ref() != Some(&status) || live.metadata.annotations != d.metadata.annotations {
            live.status = Some(status);
            self.store.update(Object::Deployment(live));
        }
    }
}

/// `DeploymentProgressing`: more updated, fewer old, more ready or more available replicas.
pub fn deployment_progressing(old: &DeploymentStatus, new: &DeploymentStatus) -> bool {
    let u = |s: &DeploymentStatus| s.updated_replicas.unwrap_or(0);
    let r = |s: &DeploymentStatus| s.replicas.unwrap_or(0);
    let old_old = r(old).wrapping_sub(u(old));
    let new_old = r(new).wrapping_sub(u(new));
    u(new) > u(old)
        || new_old < old_old
        || new.ready_replicas.unwrap_or(0) > old.ready_replicas.unwrap_or(0)
        || new.available_replicas.unwrap_or(0) > old.available_replicas.unwrap_or(0)
}

#[cfg(test)]
mod tests {
    /// Upstream's EqualIgnoreHash as written: copy both, delete the label, compare.
    fn equal_ignore_hash_by_copying(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
        let strip = |t: &PodTemplateSpec| {
            let mut t = t.clone();
            if let Some(m) = t.metadata.as_mut()
                && let Some(l) = m.labels.as_mut()
            {
                l.remove(POD_TEMPLATE_HASH);
                if l.is_empty() {
                    m.labels = None;
                }
            }
            t
        };
        strip(a) == strip(b)
    }

    #[test]
    fn equal_ignore_hash_agrees_with_copying_and_deleting_the_label() {
        use k8s_openapi::api::core::v1::{Container, PodSpec};
        use std::collections::BTreeMap;
        let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let metas: Vec<Option<ObjectMeta>> = vec![
            None,
            Some(ObjectMeta::default()),
            Some(ObjectMeta { labels: Some(BTreeMap::new()), ..Default::default() }),
            Some(ObjectMeta { labels: Some(labels(&[(POD_TEMPLATE_HASH, "abc")])), ..Default::default() }),
            Some(ObjectMeta { labels: Some(labels(&[("app", "web")])), ..Default::default() }),
            Some(ObjectMeta {
                labels: Some(labels(&[("app", "web"), (POD_TEMPLATE_HASH, "abc")])),
                ..Default::default()
            }),
            Some(ObjectMeta {
                labels: Some(labels(&[("app", "web"), (POD_TEMPLATE_HASH, "def")])),
                ..Default::default()
            }),
            Some(ObjectMeta { labels: Some(labels(&[("app", "api")])), ..Default::default() }),
            Some(ObjectMeta {
                labels: Some(labels(&[("app", "web")])),
                annotations: Some(labels(&[("a", "1")])),
                ..Default::default()
            }),
            Some(ObjectMeta { name: Some("x".into()), ..Default::default() }),
        ];
        let specs: Vec<Option<PodSpec>> = vec![
            None,
            Some(PodSpec::default()),
            Some(PodSpec {
                containers: vec![Container { name: "c".into(), ..Default::default() }],
                ..Default::default()
            }),
        ];
        let mut templates = Vec::new();
        for m in &metas {
            for s in &specs {
                templates.push(PodTemplateSpec { metadata: m.clone(), spec: s.clone() });
            }
        }
        let mut equal = 0;
        for a in &templates {
            for b in &templates {
                assert_eq!(equal_ignore_hash(a, b), equal_ignore_hash_by_copying(a, b), "{a:?} vs {b:?}");
                equal += usize::from(equal_ignore_hash(a, b));
            }
        }
        assert!(equal > templates.len(), "some templates differ only in the hash label");
    }

    use super::*;

    fn pct(s: &str) -> IntOrString {
        IntOrString::String(s.into())
    }

    /// K8S-FACTS §1.2: deployment_util_test.go TestResolveFenceposts.
    #[test]
    fn resolve_fenceposts_table() {
        type Case<'a> = (Option<&'a str>, Option<&'a str>, i32, Result<(i32, i32), ()>);
        let cases: &[Case] = &[
            (Some("0%"), Some("0%"), 0, Ok((0, 1))),
            (Some("39%"), Some("39%"), 10, Ok((4, 3))),
            (Some("oops"), Some("39%"), 10, Err(())),
            (Some("55%"), Some("urg"), 10, Err(())),
            (None, Some("39%"), 10, Ok((0, 3))),
            (Some("39%"), None, 10, Ok((4, 0))),
            (None, None, 10, Ok((0, 1))),
        ];
        for (s, u, d, want) in cases {
            let s = s.map(pct);
            let u = u.map(pct);
            let got = resolve_fenceposts(s.as_ref(), u.as_ref(), *d).map_err(|_| ());
            assert_eq!(got, *want, "{s:?} {u:?} {d}");
        }
    }

    /// K8S-FACTS §1.2: intstr_test.go TestGetIntFromIntOrPercent.
    #[test]
    fn int_or_percent_table() {
        assert_eq!(int_or_percent(&IntOrString::Int(123), 0, false), Ok(123));
        assert_eq!(int_or_percent(&pct("90%"), 100, true), Ok(90));
        assert_eq!(int_or_percent(&pct("90%"), 95, true), Ok(86));
        assert_eq!(int_or_percent(&pct("90%"), 95, false), Ok(85));
        for bad in ["%", "90#", "#%", "90"] {
            assert!(int_or_percent(&pct(bad), 100, false).is_err(), "{bad}");
        }
        assert_eq!(
            int_or_percent(&pct("oops"), 10, true).unwrap_err(),
            "invalid type: string is not a percentage: \"oops\""
        );
    }

    fn dep(replicas: i32, surge: IntOrString, unav: IntOrString, rolling: bool) -> Deployment {
        use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
        Deployment {
            spec: Some(DeploymentSpec {
                replicas: Some(replicas),
                strategy: Some(DeploymentStrategy {
                    type_: Some(if rolling { "RollingUpdate" } else { "Recreate" }.into()),
                    rolling_update: rolling
                        .then_some(RollingUpdateDeployment { max_surge: Some(surge), max_unavailable: Some(unav) }),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// K8S-FACTS §1.2: TestMaxUnavailable (maxSurge 1 in every case).
    #[test]
    fn max_unavailable_table() {
        let i = IntOrString::Int;
        let cases = [
            (10, i(5), true, 5),
            (10, i(10), true, 10),
            (5, i(10), true, 5),
            (0, i(10), true, 0),
            (10, i(5), false, 0),
            (10, pct("50%"), true, 5),
            (10, pct("100%"), true, 10),
            (5, pct("100%"), true, 5),
        ];
        for (r, u, rolling, want) in cases {
            assert_eq!(max_unavailable(&dep(r, i(1), u.clone(), rolling)), want, "{r} {u:?} {rolling}");
        }
        // The newer variant: 25%/25% with 8 -> surge 2, unavailable 2; 0%/30% with 10 -> 3.
        let d = dep(8, pct("25%"), pct("25%"), true);
        assert_eq!((max_surge(&d), max_unavailable(&d)), (2, 2));
        assert_eq!(max_unavailable(&dep(10, pct("0%"), pct("30%"), true)), 3);
    }

    /// K8S-FACTS §1.2 derived table for the default 25%/25%.
    #[test]
    fn default_strategy_fenceposts() {
        for (r, surge, unav) in [(1, 1, 0), (2, 1, 0), (3, 1, 0), (4, 1, 1), (5, 2, 1), (8, 2, 2), (10, 3, 2)] {
            let d = dep(r, pct("25%"), pct("25%"), true);
            assert_eq!((max_surge(&d), max_unavailable(&d)), (surge, unav), "replicas {r}");
        }
    }

    /// K8S-FACTS §1.3: TestNewRSNewReplicas (another RS holds 5) and reconcileNewReplicaSet rows.
    #[test]
    fn new_rs_new_replicas_table() {
        assert_eq!(new_rs_new_replicas_rolling(1, 1, 5 + 5, 5), 5);
        assert_eq!(new_rs_new_replicas_rolling(6, 10, 5 + 2, 2), 6);
        // TestDeploymentController_reconcileNewReplicaSet (d=10):
        assert_eq!(new_rs_new_replicas_rolling(10, 0, 10, 0), 0);
        assert_eq!(new_rs_new_replicas_rolling(10, 2, 10, 0), 2);
        assert_eq!(new_rs_new_replicas_rolling(10, 2, 5, 0), 7);
        assert_eq!(new_rs_new_replicas_rolling(10, 2, 12, 2), 2);
    }

    /// K8S-FACTS §1.4: TestDeploymentController_reconcileOldReplicaSets (d=10, maxSurge 0).
    #[test]
    fn reconcile_old_table() {
        // maxUnavailable 0 resolves to 1 (fenceposts), so MaxUnavailable = 1.
        assert_eq!(reconcile_old_replica_sets(10, 1, &[(10, 10)], (0, 0)), vec![9]);
        assert_eq!(reconcile_old_replica_sets(10, 2, &[(10, 10)], (0, 0)), vec![8]);
        assert_eq!(reconcile_old_replica_sets(10, 2, &[(10, 8)], (0, 0)), vec![8]);
        assert_eq!(reconcile_old_replica_sets(10, 2, &[(10, 9)], (0, 0)), vec![8]);
        assert_eq!(reconcile_old_replica_sets(10, 2, &[(8, 8)], (2, 0)), vec![8]);
        // The comment's worked example: 10 replicas, unavailable 2, surge 3, crash-looping new RS.
        assert_eq!(reconcile_old_replica_sets(10, 2, &[(8, 8)], (5, 0)), vec![8]);
    }

    /// K8S-FACTS §1.4: TestDeploymentController_cleanupUnhealthyReplicas (via the full
    /// function: an old RS with 10 replicas, 8 available, nothing new).
    #[test]
    fn cleanup_unhealthy() {
        // maxScaledDown = 10 - (10-2) - 0 = 2: both unhealthy replicas go, none healthy.
        assert_eq!(reconcile_old_replica_sets(10, 2, &[(10, 8)], (0, 0)), vec![8]);
        // Available 1: cleanup takes the 2 it may (9 unavailable); the healthy scale-down then
        // finds 1 <= minAvailable 8 and scales nothing more (TestDeploymentController_scaleDown...).
        assert_eq!(reconcile_old_replica_sets(10, 2, &[(10, 1)], (0, 0)), vec![8]);
    }

    /// K8S-FACTS §2.1: hashes use only the 10 characters digits map to.
    #[test]
    fn hash_alphabet() {
        assert_eq!(safe_encode("0123456789"), "456789bcdf");
        let h = compute_hash(&PodTemplateSpec::default(), None);
        assert!(!h.is_empty() && h.len() <= 10 && h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
        assert_ne!(h, compute_hash(&PodTemplateSpec::default(), Some(1)));
    }

    /// K8S-FACTS §1.5: TestDeploymentProgressing.
    #[test]
    fn progressing_table() {
        let s = |c: i32, u: i32, r: i32, a: i32| DeploymentStatus {
            replicas: Some(c),
            updated_replicas: Some(u),
            ready_replicas: Some(r),
            available_replicas: Some(a),
            ..Default::default()
        };
        let cases = [
            (s(10, 4, 4, 4), s(10, 6, 4, 4), true),
            (s(10, 4, 4, 4), s(10, 4, 4, 4), false),
            (s(10, 4, 6, 6), s(8, 4, 6, 6), true),
            (s(10, 7, 3, 3), s(10, 6, 3, 3), false),
            (s(10, 4, 7, 7), s(8, 8, 5, 5), true),
            (s(10, 10, 9, 8), s(10, 10, 10, 8), true),
            (s(10, 10, 10, 9), s(10, 10, 10, 10), true),
        ];
        for (old, new, want) in cases {
            assert_eq!(deployment_progressing(&old, &new), want, "{old:?} -> {new:?}");
        }
    }
}
