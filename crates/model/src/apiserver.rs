//! What the API server does with a request: admission, defaulting, validation, storage, and
//! kubectl's client-side apply (a three-way merge against the last-applied configuration).

use serde_json::{Map, Value};

use crate::api::validation::{bad_quantities, invalid_message, validate};
use crate::api::{Kind, Manifest, Object, defaults};
use crate::cluster::Cluster;
use crate::diag::Diagnostic;
use crate::store::time;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The largest request body the API server reads: 3 MiB (k8s.io/apiserver pkg/server/config.go
/// `NewConfig`, `MaxRequestBodyBytes: int64(3 * 1024 * 1024)`, twice etcd's 1.5 MiB request
/// limit). A bigger body is refused before it is decoded, with 413 RequestEntityTooLarge,
/// "Request entity too large: limit is 3145728" (handlers/rest.go `limitedReadBody`).
pub const MAX_REQUEST_BODY_BYTES: usize = 3 * 1024 * 1024;

/// The length of `v` as compact JSON (what `serde_json::to_string` makes), worked out without
/// making it: a refused 10 MiB document is never copied, and a 100,000-object apply does not
/// serialize every object one more time.
fn json_len(v: &Value) -> usize {
    match v {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.checked_ilog10().map_or(1, |d| d as usize + 1),
            (None, Some(i)) => 1 + i.unsigned_abs().checked_ilog10().map_or(1, |d| d as usize + 1),
            _ => n.to_string().len(),
        },
        Value::String(s) => json_str_len(s),
        Value::Array(items) => 2 + items.len().saturating_sub(1) + items.iter().map(json_len).sum::<usize>(),
        Value::Object(map) => {
            2 + map.len().saturating_sub(1) + map.iter().map(|(k, v)| json_str_len(k) + 1 + json_len(v)).sum::<usize>()
        }
    }
}

/// A string as a JSON literal: quotes, and serde_json's escapes (`\"`, `\\`, `\n` and the other
/// short ones, `\u00XX` for the remaining control characters).
fn json_str_len(s: &str) -> usize {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0x00..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// The NodePort range, 30000-32767 (kube-apiserver `--service-node-port-range` default).
const NODE_PORT_BASE: i32 = 30000;
const NODE_PORT_COUNT: usize = 2768;

/// What happened to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Configured,
    Unchanged,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Configured => "configured",
            Outcome::Unchanged => "unchanged",
        }
    }
}

/// A refused request: kubectl's output line(s) and where in the file the problem is.
#[derive(Clone, Debug)]
pub struct RequestError {
    pub output: String,
    pub diagnostic: Diagnostic,
}

/// The JSON merge patch that turns `original` into `modified` (RFC 7386 shape: changed keys
/// set, removed keys null; lists replace whole).
fn merge_patch(original: &Value, modified: &Value) -> Value {
    match (original, modified) {
        (Value::Object(o), Value::Object(m)) => {
            let mut patch = Map::new();
            for (k, mv) in m {
                match o.get(k) {
                    Some(ov) if ov == mv => {}
                    Some(ov @ Value::Object(_)) if mv.is_object() => {
                        patch.insert(k.clone(), merge_patch(ov, mv));
                    }
                    _ => {
                        patch.insert(k.clone(), mv.clone());
                    }
                }
            }
            for k in o.keys() {
                if !m.contains_key(k) {
                    patch.insert(k.clone(), Value::Null);
                }
            }
            Value::Object(patch)
        }
        _ => modified.clone(),
    }
}

fn apply_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, pv) in p {
                if pv.is_null() {
                    t.remove(k);
                } else if pv.is_object() && t.get(k).is_some_and(Value::is_object) {
                    apply_patch(t.get_mut(k).expect("checked"), pv);
                } else {
                    t.insert(k.clone(), pv.clone());
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

impl Cluster {
    /// `kubectl apply` (or `create` when `create_only`) of one manifest into `namespace`.
    pub(crate) fn apply_manifest(
        &mut self,
        mut m: Manifest,
        file: &str,
        namespace: &str,
        create_only: bool,
    ) -> Result<(Outcome, Vec<String>), RequestError> {
        let kind = m.kind;
        let ns = if kind.namespaced() {
            m.namespace.clone().unwrap_or_else(|| namespace.to_string())
        } else {
            String::new()
        };
        // The live object, if any (shared: a patch copies it only when it merges).
        let existing = self.store.get_shared(kind, &ns, &m.name);
        let verb = if create_only || existing.is_none() { "creating" } else { "patching" };
        let fail = |path: &str, output: String, message: String| {
            let (line, col) = m.doc.line_of(path);
            RequestError { output, diagnostic: Diagnostic::new(file, line, col, message).with_field(path.to_string()) }
        };
        // The body kubectl sends: the object as JSON and, for apply, the same JSON again inside
        // the last-applied-configuration annotation (escaped as a JSON string).
        let json_len = json_len(&m.value);
        let body_len = if create_only { json_len } else { json_len.saturating_mul(2) };
        if body_len > MAX_REQUEST_BODY_BYTES {
            let msg = format!("Request entity too large: limit is {MAX_REQUEST_BODY_BYTES}");
            // About the whole document: where it starts (no need to work out field positions).
            let (line, col) = m.doc.start();
            return Err(RequestError {
                output: format!("Error from server (RequestEntityTooLarge): error when {verb} \"{file}\": {msg}"),
                diagnostic: Diagnostic::new(
                    file,
                    line,
                    col,
                    format!("{msg} (this object is about {body_len} bytes as kubectl sends it)"),
                )
                .with_field(String::new()),
            });
        }
        if kind.namespaced() {
            if let Some(mns) = m.namespace.as_deref()
                && mns != namespace
                && namespace != "default"
            {
                let msg = format!(
                    "the namespace from the provided object \"{mns}\" does not match the namespace \"{namespace}\". You must pass '--namespace={mns}' to perform this operation."
                );
                return Err(fail("metadata.namespace", format!("error: {msg}"), msg));
            }
            if !self.store.contains(Kind::Namespace, "", &ns) {
                let msg = format!("namespaces \"{ns}\" not found");
                return Err(fail(
                    "metadata.namespace",
                    format!("Error from server (NotFound): error when {verb} \"{file}\": {msg}"),
                    msg,
                ));
            }
        }
        let bad_request = |detail: String| {
            format!(
                "Error from server (BadRequest): error when {verb} \"{file}\": {} in version \"{}\" cannot be handled as a {}: {detail}",
                kind.name(),
                version(kind),
                kind.name()
            )
        };
        // Strict decoding of what the file says.
        let written = match Object::from_json_at(kind, &m.value) {
            Ok(o) => o,
            Err((e, path)) => return Err(fail(&path, bad_request(e.clone()), e)),
        };
        if let Some((path, qe)) = bad_quantities(&written).into_iter().next() {
            return Err(fail(&path, bad_request(qe.message().to_string()), format!("{path}: {}", qe.message())));
        }
        if m.name.is_empty() {
            let msg = "resource name may not be empty".to_string();
            return Err(fail(
                "metadata.name",
                format!(
                    "error: error when retrieving current configuration of:\nResource: \"{}\", Name: \"\", Namespace: \"{ns}\"\nfrom server for: \"{file}\": {msg}",
                    kind.plural()
                ),
                msg,
            ));
        }

        // What the object should become, as the file says it in its namespace, and that as JSON:
        // the annotation. The manifest is used up rather than copied.
        // The fields kubeplay stores but does not simulate, for kubectl's warning (the file's
        // object passed the size, namespace and decoding checks).
        let not_simulated = crate::api::not_simulated(kind, &m.value);
        let mut modified = std::mem::take(&mut m.value);
        if kind.namespaced() {
            modified["metadata"]["namespace"] = Value::String(ns.clone());
        }
        // kubectl's annotation ends in a newline (its JSON encoder's).
        let mut last_applied = serde_json::to_string(&modified).unwrap_or_default();
        last_applied.push('\n');
        // Stored with every applied object: no spare capacity.
        last_applied.shrink_to_fit();
        // What the object becomes: the manifest itself, or a three-way merge into the live one.
        if create_only && existing.is_some() {
            let msg = format!("{} \"{}\" already exists", kind.plural(), m.name);
            return Err(fail(
                "metadata.name",
                format!("Error from server (AlreadyExists): error when creating \"{file}\": {msg}"),
                msg,
            ));
        }
        let mut obj = match &existing {
            // A new object is what the file says (already decoded above), in its namespace,
            // with the annotation: the same object decoding `modified` plus the annotation would
            // give, without decoding it twice (a 100,000-object apply, docs/robustness.md).
            None => {
                let mut obj = written;
                let meta = obj.meta_mut();
                if kind.namespaced() {
                    meta.namespace = Some(ns.clone());
                }
                if !create_only {
                    meta.annotations
                        .get_or_insert_with(Default::default)
                        .insert(LAST_APPLIED.to_string(), last_applied);
                }
                obj
            }
            Some(live) => {
                let live_json = live.to_json();
                let original: Value = live
                    .meta()
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(LAST_APPLIED))
                    .and_then(|s| serde_json::from_str(s).ok())
                    .unwrap_or(Value::Object(Map::new()));
                let mut patch = merge_patch(&original, &modified);
                if let Some(p) = patch.as_object_mut() {
                    p.remove("status");
                }
                let mut merged = live_json;
                apply_patch(&mut merged, &patch);
                if !create_only {
                    merged["metadata"]["annotations"][LAST_APPLIED] = Value::String(last_applied);
                }
                Object::from_json(kind, &merged).map_err(|e| fail("", bad_request(e.clone()), e))?
            }
        };
        defaults::apply(&mut obj);
        let mut errs = validate(&obj);
        if let Some(live) = &existing {
            errs.extend(immutable_changes(live, &obj));
        }
        if let Object::Service(s) = &obj {
            for (i, p) in s.spec.iter().flat_map(|sp| sp.ports.iter().flatten()).enumerate() {
                let Some(np) = p.node_port else { continue };
                let mine = existing.as_deref().is_some_and(|l| match l {
                    Object::Service(ls) => {
                        ls.spec.iter().flat_map(|sp| sp.ports.iter().flatten()).any(|lp| lp.node_port == Some(np))
                    }
                    _ => false,
                });
                if !mine && self.node_port_taken(np) {
                    errs.push(crate::api::validation::FieldError {
                        path: format!("spec.ports[{i}].nodePort"),
                        message: format!(
                            "spec.ports[{i}].nodePort: Invalid value: {np}: provided port is already allocated"
                        ),
                    });
                }
            }
        }
        if !errs.is_empty() {
            let msg = invalid_message(kind, &m.name, &errs);
            return Err(fail(
                &errs[0].path,
                msg.clone(),
                errs.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "),
            ));
        }
        if let (None, Object::Service(s)) = (&existing, &obj) {
            let spec = s.spec.as_ref();
            let ty = spec.and_then(|sp| sp.type_.as_deref()).unwrap_or("ClusterIP");
            let wanted = spec.iter().flat_map(|sp| sp.ports.iter().flatten()).filter(|p| p.node_port.is_none()).count();
            if matches!(ty, "NodePort" | "LoadBalancer")
                && wanted > NODE_PORT_COUNT.saturating_sub(self.node_ports_in_use().len())
            {
                // Upstream's allocator: portallocator ErrFull, wrapped by the Service REST
                // storage in NewInternalError("failed to allocate a nodePort: %v").
                let msg = "Internal error occurred: failed to allocate a nodePort: range is full".to_string();
                return Err(fail(
                    "spec.ports",
                    format!("Error from server (InternalError): error when {verb} \"{file}\": {msg}"),
                    msg,
                ));
            }
        }
        match existing {
            None => {
                self.create_object(obj);
                Ok((Outcome::Created, not_simulated))
            }
            Some(live) => {
                if *live == obj {
                    return Ok((Outcome::Unchanged, not_simulated));
                }
                let spec_changed = spec_json(&live) != spec_json(&obj);
                if spec_changed {
                    let g = live.meta().generation.unwrap_or(1);
                    obj.meta_mut().generation = Some(g + 1);
                }
                if *live == obj {
                    return Ok((Outcome::Unchanged, not_simulated));
                }
                self.store.update(obj);
                self.changed(kind);
                Ok((Outcome::Configured, not_simulated))
            }
        }
    }

    /// Admission for new objects, then storage.
    pub(crate) fn create_object(&mut self, mut obj: Object) {
        let kind = obj.kind();
        match &mut obj {
            Object::Pod(p) => {
                if let Some(spec) = p.spec.as_mut() {
                    defaults::default_tolerations(std::rc::Rc::make_mut(spec));
                }
                p.status =
                    Some(k8s_openapi::api::core::v1::PodStatus { phase: Some("Pending".into()), ..Default::default() });
                **p = crate::kubelet::with_qos((**p).clone());
            }
            Object::Service(s) => {
                let spec = s.spec.get_or_insert_with(Default::default);
                let ty = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
                if ty == "NodePort" || ty == "LoadBalancer" {
                    // NodePorts come from 30000-32767 (K8S-FACTS §8.1); validation checked
                    // the range and conflicts.
                    // A random port, then the next free one after it: bounded even when the
                    // range is nearly full (apply_manifest refuses a Service when it is full).
                    let mut used = self.node_ports_in_use();
                    for p in spec.ports.iter_mut().flatten() {
                        if p.node_port.is_none() {
                            let start = self.rng_names.below(NODE_PORT_COUNT as u32) as i32;
                            let free = (0..NODE_PORT_COUNT as i32)
                                .map(|i| NODE_PORT_BASE + (start + i) % NODE_PORT_COUNT as i32)
                                .find(|port| !used.contains(port));
                            if let Some(port) = free {
                                used.insert(port);
                                p.node_port = Some(port);
                            }
                        }
                    }
                }
                if ty == "LoadBalancer" {
                    // The simulated cloud's load balancer hands out an address.
                    // The lowest free address from 172.18.255.200.
                    let used: Vec<String> = self
                        .store
                        .list(Kind::Service, None)
                        .filter_map(|o| match o {
                            Object::Service(s) => {
                                s.status.as_ref()?.load_balancer.as_ref()?.ingress.as_ref()?.first()?.ip.clone()
                            }
                            _ => None,
                        })
                        .collect();
                    let n = (200..255).find(|n| !used.contains(&format!("172.18.255.{n}"))).unwrap_or(254) - 200;
                    s.status = Some(k8s_openapi::api::core::v1::ServiceStatus {
                        load_balancer: Some(k8s_openapi::api::core::v1::LoadBalancerStatus {
                            ingress: Some(vec![k8s_openapi::api::core::v1::LoadBalancerIngress {
                                ip: Some(format!("172.18.255.{}", 200 + n)),
                                ip_mode: Some("VIP".into()),
                                ..Default::default()
                            }]),
                        }),
                        ..Default::default()
                    });
                }
                let spec = s.spec.get_or_insert_with(Default::default);
                if spec.cluster_ip.is_none() {
                    let a = self.rng_names.below(16 * 256 * 256 - 20) + 20;
                    let ip = format!("10.{}.{}.{}", 96 + a / 65_536, (a / 256) % 256, a % 256);
                    spec.cluster_ip = Some(ip.clone());
                    spec.cluster_ips = Some(vec![ip]);
                }
            }
            Object::Ingress(ing) => {
                // docker-desktop's ingress-nginx answers on localhost.
                ing.status = Some(k8s_openapi::api::networking::v1::IngressStatus {
                    load_balancer: Some(k8s_openapi::api::networking::v1::IngressLoadBalancerStatus {
                        ingress: Some(vec![k8s_openapi::api::networking::v1::IngressLoadBalancerIngress {
                            hostname: Some("localhost".into()),
                            ..Default::default()
                        }]),
                    }),
                });
            }
            Object::PersistentVolumeClaim(pvc) => {
                // The DefaultStorageClass admission plugin.
                let spec = pvc.spec.get_or_insert_with(Default::default);
                if spec.storage_class_name.is_none() {
                    spec.storage_class_name = self.default_storage_class();
                }
                pvc.status = Some(k8s_openapi::api::core::v1::PersistentVolumeClaimStatus {
                    phase: Some("Pending".into()),
                    ..Default::default()
                });
            }
            Object::PersistentVolume(pv) => {
                let bound = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_some();
                pv.status = Some(k8s_openapi::api::core::v1::PersistentVolumeStatus {
                    phase: Some(if bound { "Bound" } else { "Available" }.into()),
                    ..Default::default()
                });
            }
            Object::Node(n) => {
                let n = (**n).clone();
                self.add_node(n);
                self.scheduler.epoch += 1;
                return;
            }
            Object::Namespace(n) => {
                let name = n.metadata.name.clone().unwrap_or_default();
                n.metadata
                    .labels
                    .get_or_insert_with(Default::default)
                    .insert("kubernetes.io/metadata.name".into(), name);
                n.spec =
                    Some(k8s_openapi::api::core::v1::NamespaceSpec { finalizers: Some(vec!["kubernetes".into()]) });
                n.status = Some(k8s_openapi::api::core::v1::NamespaceStatus {
                    phase: Some("Active".into()),
                    ..Default::default()
                });
            }
            _ => {}
        }
        let bound = matches!(&obj, Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some());
        let (ns, name) = (obj.namespace().to_string(), obj.name().to_string());
        self.store.create(obj, self.now);
        self.changed(kind);
        if bound {
            self.kubelet_pod_bound(&ns, &name);
        }
    }

    /// Deletes an object as the API server does: pods terminate gracefully (deletionTimestamp,
    /// then the kubelet removes them); dependents are garbage collected in the background.
    /// `grace` overrides the pod's terminationGracePeriodSeconds.
    pub(crate) fn delete_object(&mut self, kind: Kind, ns: &str, name: &str, grace: Option<i64>) {
        match kind {
            Kind::Pod => {
                let Some(Object::Pod(p)) = self.store.get(kind, ns, name).cloned() else {
                    return;
                };
                if p.metadata.deletion_timestamp.is_some() && grace != Some(0) {
                    return;
                }
                let bound = p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some();
                let g = grace
                    .unwrap_or_else(|| p.spec.as_ref().and_then(|s| s.termination_grace_period_seconds).unwrap_or(30));
                if !bound || g == 0 {
                    self.store.remove(kind, ns, name);
                    self.scheduler.epoch += 1;
                    self.changed(Kind::Pod);
                    return;
                }
                let mut p = p;
                p.metadata.deletion_timestamp = Some(time(self.now.plus_ms(g.max(0) as u64 * 1000)));
                p.metadata.deletion_grace_period_seconds = Some(g);
                self.store.update(Object::Pod(p));
                self.changed(Kind::Pod);
                self.queue.push(
                    self.now.plus_ms(10),
                    crate::queue::Timer::Kubelet { namespace: ns.into(), name: name.into() },
                );
            }
            Kind::Namespace => {
                for k in Kind::ALL {
                    if !k.namespaced() {
                        continue;
                    }
                    let names: Vec<String> = self.store.list(k, Some(name)).map(|o| o.name().to_string()).collect();
                    for n in names {
                        self.store.remove(k, name, &n);
                    }
                }
                self.store.remove(kind, "", name);
                self.scheduler.epoch += 1;
            }
            Kind::Node => {
                self.store.remove(kind, "", name);
                // PodGC: pods bound to a node that no longer exists are deleted at once.
                let orphans: Vec<(String, String)> = self
                    .store
                    .list(Kind::Pod, None)
                    .filter(|o| matches!(o, Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name)))
                    .map(|o| (o.namespace().to_string(), o.name().to_string()))
                    .collect();
                for (pns, pn) in orphans {
                    self.store.remove(Kind::Pod, &pns, &pn);
                }
                self.kubelet.nodes.remove(name);
                self.kubelet.images_epoch += 1;
                self.changed(Kind::Pod);
            }
            _ => {
                self.store.remove(kind, ns, name);
                self.wake(crate::queue::Controller::GarbageCollector);
                self.changed(kind);
            }
        }
    }

    /// `--cascade=orphan`: dependents lose their owner reference instead of being deleted.
    pub(crate) fn orphan_dependents(&mut self, owner_uid: &str) {
        for kind in [Kind::ReplicaSet, Kind::Pod] {
            let owned: Vec<Object> = self
                .store
                .list(kind, None)
                .filter(|o| o.meta().owner_references.iter().flatten().any(|r| r.uid == owner_uid))
                .cloned()
                .collect();
            for mut o in owned {
                let refs: Vec<_> =
                    o.meta().owner_references.iter().flatten().filter(|r| r.uid != owner_uid).cloned().collect();
                o.meta_mut().owner_references = if refs.is_empty() { None } else { Some(refs) };
                self.store.update(o);
            }
        }
    }
}

fn version(kind: Kind) -> &'static str {
    match kind.api_version().split_once('/') {
        Some((_, v)) => {
            if v == "v1" {
                "v1"
            } else {
                v
            }
        }
        None => "v1",
    }
}

fn spec_json(o: &Object) -> Value {
    let mut v = o.to_json();
    v.as_object_mut().and_then(|m| m.remove("spec")).unwrap_or(Value::Null)
}

/// Fields that may not change on update.
fn immutable_changes(live: &Object, new: &Object) -> Vec<crate::api::validation::FieldError> {
    use crate::api::validation::FieldError;
    let mut errs = Vec::new();
    match (live, new) {
        (Object::Deployment(a), Object::Deployment(b)) => {
            let sa = a.spec.as_ref().map(|s| &s.selector);
            let sb = b.spec.as_ref().map(|s| &s.selector);
            if sa != sb {
                let shown = serde_json::to_string(&sb).unwrap_or_default();
                errs.push(FieldError {
                    path: "spec.selector".into(),
                    message: format!("spec.selector: Invalid value: {shown}: field is immutable"),
                });
            }
        }
        (Object::Pod(a), Object::Pod(b)) => {
            let strip_images = |p: &crate::api::Pod| {
                let mut s = p.spec.as_deref().cloned().unwrap_or_default();
                for c in s.containers.iter_mut() {
                    c.image = None;
                }
                s.active_deadline_seconds = None;
                s.tolerations = None;
                s
            };
            if strip_images(a) != strip_images(b) {
                errs.push(FieldError {
                    path: "spec".into(),
                    message: "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
                });
            }
        }
        _ => {}
    }
    errs
}

impl Cluster {
    /// Whether any Service already holds this NodePort.
    /// Every NodePort some Service holds.
    pub(crate) fn node_ports_in_use(&self) -> std::collections::BTreeSet<i32> {
        self.store
            .list(Kind::Service, None)
            .filter_map(|o| match o {
                Object::Service(s) => Some(s),
                _ => None,
            })
            .flat_map(|s| s.spec.iter().flat_map(|sp| sp.ports.iter().flatten()).filter_map(|p| p.node_port))
            .collect()
    }

    pub(crate) fn node_port_taken(&self, port: i32) -> bool {
        self.store.list(Kind::Service, None).any(|o| match o {
            Object::Service(s) => {
                s.spec.iter().flat_map(|sp| sp.ports.iter().flatten()).any(|p| p.node_port == Some(port))
            }
            _ => false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// json_len is the length serde_json's compact serializer gives, for every kind of value:
    /// escapes, control characters, multi-byte text, integers at their limits, floats, nesting.
    #[test]
    fn json_len_is_the_serialized_length() {
        let values = [
            serde_json::json!(null),
            serde_json::json!(true),
            serde_json::json!(false),
            serde_json::json!(0),
            serde_json::json!(9),
            serde_json::json!(10),
            serde_json::json!(-1),
            serde_json::json!(-10),
            serde_json::json!(i64::MIN),
            serde_json::json!(i64::MAX),
            serde_json::json!(u64::MAX),
            serde_json::json!(0.5),
            serde_json::json!(1e100),
            serde_json::json!(-2.5e-7),
            serde_json::json!("plain"),
            serde_json::json!(
                "quote \" backslash \\ newline \n tab \t cr \r bs \u{8} ff \u{c} nul \u{0} esc \u{1b} del \u{7f}"
            ),
            serde_json::json!("é, 漢字, 😀"),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!([1, "two", [3, {"four": null}]]),
            serde_json::json!({"a\"b": {"c": [true, false, {"": ""}]}, "z": -0.0}),
        ];
        for v in values {
            assert_eq!(json_len(&v), serde_json::to_string(&v).unwrap().len(), "{v}");
        }
        let course = include_str!("../../../web/workspaces/course/deploy/k8s/db-deployment.yaml");
        for m in crate::api::read_manifests("f.yaml", course).docs.into_iter().flatten() {
            assert_eq!(json_len(&m.value), serde_json::to_string(&m.value).unwrap().len());
        }
    }

    #[test]
    fn three_way_merge_keeps_live_changes_the_manifest_did_not_touch() {
        let original = json!({"spec": {"replicas": 3, "template": {"image": "v1"}}});
        let modified = json!({"spec": {"replicas": 3, "template": {"image": "v1"}}});
        let mut live = json!({"spec": {"replicas": 3, "template": {"image": "v2"}}, "status": {}});
        apply_patch(&mut live, &merge_patch(&original, &modified));
        assert_eq!(live["spec"]["template"]["image"], "v2");
        let modified = json!({"spec": {"replicas": 5, "template": {"image": "v1"}}});
        apply_patch(&mut live, &merge_patch(&original, &modified));
        assert_eq!(live["spec"]["replicas"], 5);
        let modified = json!({"spec": {"template": {"image": "v1"}}});
        apply_patch(&mut live, &merge_patch(&original, &modified));
        assert!(live["spec"].get("replicas").is_none());
    }
}
