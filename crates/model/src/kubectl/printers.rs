//! kubectl's table printers (`pkg/printers/internalversion/printers.go`), column for column.

use crate::api::Pod;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Node, Service};

use crate::api::Object;
use crate::cluster::Event;
use crate::store::sim_time;
use crate::time::{SimTime, human_duration};

/// Go's tabwriter as kubectl configures it: minwidth 6, padding 3, the last column unpadded.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i + 1 < r.len() {
                widths[i] = widths[i].max(c.chars().count() + 3).max(6);
            }
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                for _ in c.chars().count()..widths[i] {
                    line.push(' ');
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn age(created: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>, now: SimTime) -> String {
    match created {
        None => "<unknown>".into(),
        Some(t) => human_duration(i128::from(now.ms()) - i128::from(sim_time(t).ms())),
    }
}

/// What `printPod` computes for one pod (K8S-FACTS §3.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodRow {
    pub ready: String,
    pub status: String,
    pub restarts: String,
    pub restart_count: i32,
}

pub fn pod_row(p: &Pod, now: SimTime) -> PodRow {
    let spec = p.spec.clone().unwrap_or_default();
    let st = p.status.clone().unwrap_or_default();
    let mut reason = st.phase.clone().unwrap_or_else(|| "Pending".into());
    if let Some(r) = st.reason.clone().filter(|r| !r.is_empty()) {
        reason = r;
    }
    if st
        .conditions
        .iter()
        .flatten()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".into();
    }
    let sidecars =
        spec.init_containers.iter().flatten().filter(|c| c.restart_policy.as_deref() == Some("Always")).count();
    let total = spec.containers.len() + sidecars;
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart: Option<u64> = None;
    let note_restart = |cs: &k8s_openapi::api::core::v1::ContainerStatus,
                        restarts: &mut i32,
                        last_restart: &mut Option<u64>| {
        *restarts += cs.restart_count;
        if let Some(t) = cs.last_state.as_ref().and_then(|l| l.terminated.as_ref()).and_then(|t| t.finished_at.as_ref())
        {
            let ms = sim_time(t).ms();
            *last_restart = Some(last_restart.map_or(ms, |l| l.max(ms)));
        }
    };
    let mut initializing = false;
    let n_init = spec.init_containers.as_ref().map_or(0, Vec::len);
    for (i, cs) in st.init_container_statuses.iter().flatten().enumerate() {
        note_restart(cs, &mut restarts, &mut last_restart);
        let is_sidecar = spec
            .init_containers
            .iter()
            .flatten()
            .any(|c| c.name == cs.name && c.restart_policy.as_deref() == Some("Always"));
        let state = cs.state.clone().unwrap_or_default();
        if let Some(t) = state.terminated.as_ref().filter(|t| t.exit_code == 0) {
            let _ = t;
            continue;
        }
        if is_sidecar && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = state.terminated.as_ref() {
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if t.signal.is_some_and(|s| s != 0) => {
                    format!("Init:Signal:{}", t.signal.unwrap_or(0))
                }
                None => format!("Init:ExitCode:{}", t.exit_code),
            };
        } else if let Some(w) =
            state.waiting.as_ref().and_then(|w| w.reason.clone()).filter(|r| !r.is_empty() && r != "PodInitializing")
        {
            reason = format!("Init:{w}");
        } else {
            reason = format!("Init:{i}/{n_init}");
        }
        initializing = true;
        break;
    }
    let initialized = st.conditions.iter().flatten().any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        // Restarts count only sidecars among init containers once initialized.
        restarts = 0;
        last_restart = None;
        for cs in st.init_container_statuses.iter().flatten() {
            let is_sidecar = spec
                .init_containers
                .iter()
                .flatten()
                .any(|c| c.name == cs.name && c.restart_policy.as_deref() == Some("Always"));
            if is_sidecar {
                note_restart(cs, &mut restarts, &mut last_restart);
            }
        }
        let mut has_running = false;
        for cs in st.container_statuses.iter().flatten().rev() {
            note_restart(cs, &mut restarts, &mut last_restart);
            let state = cs.state.clone().unwrap_or_default();
            if let Some(w) = state.waiting.as_ref().and_then(|w| w.reason.clone()).filter(|r| !r.is_empty()) {
                reason = w;
            } else if let Some(t) = state.terminated.as_ref() {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None if t.signal.is_some_and(|s| s != 0) => {
                        format!("Signal:{}", t.signal.unwrap_or(0))
                    }
                    None => format!("ExitCode:{}", t.exit_code),
                };
            } else if state.running.is_some() && cs.ready {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = st.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready { "Running".into() } else { "NotReady".into() };
        }
    }
    let phase = st.phase.as_deref().unwrap_or("");
    if p.metadata.deletion_timestamp.is_some() && st.reason.as_deref() == Some("NodeLost") {
        reason = "Unknown".into();
    } else if p.metadata.deletion_timestamp.is_some() && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".into();
    }
    let restarts_str = match last_restart {
        Some(t) if restarts != 0 => {
            format!("{restarts} ({} ago)", human_duration(i128::from(now.ms()) - i128::from(t)))
        }
        _ => restarts.to_string(),
    };
    PodRow { ready: format!("{ready}/{total}"), status: reason, restarts: restarts_str, restart_count: restarts }
}

pub fn pod_header(wide: bool) -> Vec<String> {
    let mut h = vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
    if wide {
        h.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    }
    h.into_iter().map(str::to_string).collect()
}

pub fn pod_cells(p: &Pod, now: SimTime, wide: bool) -> Vec<String> {
    let r = pod_row(p, now);
    let mut v = vec![r.ready, r.status, r.restarts, age(p.metadata.creation_timestamp.as_ref(), now)];
    if wide {
        let st = p.status.clone().unwrap_or_default();
        v.push(st.pod_ip.unwrap_or_else(|| "<none>".into()));
        v.push(p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_else(|| "<none>".into()));
        v.push(st.nominated_node_name.unwrap_or_else(|| "<none>".into()));
        v.push(match p.spec.as_ref().and_then(|s| s.readiness_gates.as_ref()) {
            Some(g) if !g.is_empty() => format!("0/{}", g.len()),
            _ => "<none>".into(),
        });
    }
    v
}

fn containers_images(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> (String, String) {
    let cs: Vec<_> = spec.map(|s| s.containers.clone()).unwrap_or_default();
    (
        cs.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(","),
        cs.iter().map(|c| c.image.clone().unwrap_or_default()).collect::<Vec<_>>().join(","),
    )
}

fn selector_string(sel: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector) -> String {
    let mut parts: Vec<String> = sel.match_labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    for e in sel.match_expressions.iter().flatten() {
        let vals = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({vals})", e.key),
            "NotIn" => format!("{} notin ({vals})", e.key),
            "Exists" => e.key.clone(),
            _ => format!("!{}", e.key),
        });
    }
    if parts.is_empty() { "<none>".into() } else { parts.join(",") }
}

pub fn deployment_header(wide: bool) -> Vec<String> {
    let mut h = vec!["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"];
    if wide {
        h.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
    }
    h.into_iter().map(str::to_string).collect()
}

pub fn deployment_cells(d: &Deployment, now: SimTime, wide: bool) -> Vec<String> {
    let st = d.status.clone().unwrap_or_default();
    let spec = d.spec.clone().unwrap_or_default();
    let mut v = vec![
        format!("{}/{}", st.ready_replicas.unwrap_or(0), spec.replicas.unwrap_or(1)),
        st.updated_replicas.unwrap_or(0).to_string(),
        st.available_replicas.unwrap_or(0).to_string(),
        age(d.metadata.creation_timestamp.as_ref(), now),
    ];
    if wide {
        let (c, i) = containers_images(spec.template.spec.as_ref());
        v.extend([c, i, selector_string(&spec.selector)]);
    }
    v
}

pub fn replicaset_header(wide: bool) -> Vec<String> {
    let mut h = vec!["NAME", "DESIRED", "CURRENT", "READY", "AGE"];
    if wide {
        h.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
    }
    h.into_iter().map(str::to_string).collect()
}

pub fn replicaset_cells(rs: &ReplicaSet, now: SimTime, wide: bool) -> Vec<String> {
    let st = rs.status.clone().unwrap_or_default();
    let spec = rs.spec.clone().unwrap_or_default();
    let mut v = vec![
        spec.replicas.unwrap_or(1).to_string(),
        st.replicas.to_string(),
        st.ready_replicas.unwrap_or(0).to_string(),
        age(rs.metadata.creation_timestamp.as_ref(), now),
    ];
    if wide {
        let (c, i) = containers_images(spec.template.as_ref().and_then(|t| t.spec.as_ref()));
        v.extend([c, i, selector_string(&spec.selector)]);
    }
    v
}

/// `printNode` STATUS (K8S-FACTS §7.3).
pub fn node_status(n: &Node) -> String {
    let ready =
        n.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"));
    let mut s = match ready {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        s.push_str(",SchedulingDisabled");
    }
    s
}

pub fn node_roles(n: &Node) -> String {
    let mut roles: Vec<String> = n
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, v)| {
            if let Some(r) = k.strip_prefix("node-role.kubernetes.io/") {
                Some(r.to_string())
            } else if k == "kubernetes.io/role" {
                Some(v.clone())
            } else {
                None
            }
        })
        .filter(|r| !r.is_empty())
        .collect();
    roles.sort();
    roles.dedup();
    if roles.is_empty() { "<none>".into() } else { roles.join(",") }
}

pub fn node_header(wide: bool) -> Vec<String> {
    let mut h = vec!["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
    if wide {
        h.extend(["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]);
    }
    h.into_iter().map(str::to_string).collect()
}

pub fn node_cells(n: &Node, now: SimTime, wide: bool, internal_ip: &str) -> Vec<String> {
    let info = n.status.as_ref().and_then(|s| s.node_info.clone()).unwrap_or_default();
    let mut v = vec![
        node_status(n),
        node_roles(n),
        age(n.metadata.creation_timestamp.as_ref(), now),
        info.kubelet_version.clone(),
    ];
    if wide {
        v.extend([
            internal_ip.to_string(),
            "<none>".into(),
            info.os_image,
            "6.8.0-kubeplay".into(),
            info.container_runtime_version,
        ]);
    }
    v
}

pub fn service_header(wide: bool) -> Vec<String> {
    let mut h = vec!["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"];
    if wide {
        h.push("SELECTOR");
    }
    h.into_iter().map(str::to_string).collect()
}

pub fn service_cells(s: &Service, now: SimTime, wide: bool) -> Vec<String> {
    let spec = s.spec.clone().unwrap_or_default();
    let ty = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    let ext = match ty.as_str() {
        "LoadBalancer" => {
            let ing: Vec<String> = s
                .status
                .iter()
                .flat_map(|st| st.load_balancer.iter())
                .flat_map(|lb| lb.ingress.iter().flatten())
                .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                .collect();
            if ing.is_empty() { "<pending>".into() } else { ing.join(",") }
        }
        "ExternalName" => spec.external_name.clone().unwrap_or_default(),
        _ => {
            spec.external_ips.clone().filter(|v| !v.is_empty()).map(|v| v.join(",")).unwrap_or_else(|| "<none>".into())
        }
    };
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            match p.node_port {
                Some(np) => format!("{}:{np}/{proto}", p.port),
                None => format!("{}/{proto}", p.port),
            }
        })
        .collect();
    let mut v = vec![
        ty,
        spec.cluster_ip.clone().unwrap_or_else(|| "<none>".into()),
        ext,
        if ports.is_empty() { "<none>".into() } else { ports.join(",") },
        age(s.metadata.creation_timestamp.as_ref(), now),
    ];
    if wide {
        let sel: Vec<String> = spec.selector.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
        v.push(if sel.is_empty() { "<none>".into() } else { sel.join(",") });
    }
    v
}

/// Header and cells for the simple kinds (namespace, configmap, secret).
pub fn simple_header(o: &Object) -> Vec<String> {
    match o {
        Object::Namespace(_) => vec!["NAME".into(), "STATUS".into(), "AGE".into()],
        Object::ConfigMap(_) => vec!["NAME".into(), "DATA".into(), "AGE".into()],
        Object::Secret(_) => vec!["NAME".into(), "TYPE".into(), "DATA".into(), "AGE".into()],
        _ => vec!["NAME".into(), "AGE".into()],
    }
}

pub fn simple_cells(o: &Object, now: SimTime) -> Vec<String> {
    let a = age(o.meta().creation_timestamp.as_ref(), now);
    match o {
        Object::Namespace(n) => {
            vec![n.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Active".into()), a]
        }
        Object::ConfigMap(c) => vec![
            (c.data.as_ref().map_or(0, |d| d.len()) + c.binary_data.as_ref().map_or(0, |d| d.len())).to_string(),
            a,
        ],
        Object::Secret(s) => vec![
            s.type_.clone().unwrap_or_else(|| "Opaque".into()),
            (s.data.as_ref().map_or(0, |d| d.len()) + s.string_data.as_ref().map_or(0, |d| d.len())).to_string(),
            a,
        ],
        _ => vec![a],
    }
}

pub fn event_header(all_namespaces: bool) -> Vec<String> {
    let mut h: Vec<String> = vec![];
    if all_namespaces {
        h.push("NAMESPACE".into());
    }
    h.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].map(str::to_string));
    h
}

pub fn event_cells(e: &Event, now: SimTime, all_namespaces: bool) -> Vec<String> {
    let mut v = vec![];
    if all_namespaces {
        v.push(e.namespace.to_string());
    }
    let last = human_duration(i128::from(now.ms()) - i128::from(e.last_ms));
    // kubectl's printEvent: "LAST (xN over FIRST)", both ages (translateTimestampSince).
    let seen = if e.count > 1 {
        format!("{last} (x{} over {})", e.count, human_duration(i128::from(now.ms()) - i128::from(e.first_ms)))
    } else {
        last
    };
    v.extend([
        seen,
        e.event_type().to_string(),
        e.reason.to_string(),
        format!("{}/{}", e.kind.name().to_ascii_lowercase(), e.name),
        e.message.to_string(),
    ]);
    v
}

fn access_modes(modes: Option<&Vec<String>>) -> String {
    let m: Vec<&str> = modes
        .into_iter()
        .flatten()
        .map(|m| match m.as_str() {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            other => other,
        })
        .collect();
    m.join(",")
}

pub fn storage_header(kind: crate::api::Kind) -> Vec<String> {
    let h: &[&str] = match kind {
        crate::api::Kind::StorageClass => {
            &["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"]
        }
        crate::api::Kind::PersistentVolume => &[
            "NAME",
            "CAPACITY",
            "ACCESS MODES",
            "RECLAIM POLICY",
            "STATUS",
            "CLAIM",
            "STORAGECLASS",
            "VOLUMEATTRIBUTESCLASS",
            "REASON",
            "AGE",
        ],
        _ => &["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"],
    };
    h.iter().map(|s| s.to_string()).collect()
}

/// Cells for StorageClass, PersistentVolume and PersistentVolumeClaim rows (the name is added
/// by the caller; a default StorageClass's name carries " (default)").
pub fn storage_cells(o: &Object, now: SimTime) -> Vec<String> {
    let a = age(o.meta().creation_timestamp.as_ref(), now);
    match o {
        Object::StorageClass(sc) => vec![
            sc.provisioner.clone(),
            sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
            sc.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()),
            sc.allow_volume_expansion.unwrap_or(false).to_string(),
            a,
        ],
        Object::PersistentVolume(pv) => {
            let spec = pv.spec.clone().unwrap_or_default();
            let claim = spec
                .claim_ref
                .as_ref()
                .map(|c| format!("{}/{}", c.namespace.clone().unwrap_or_default(), c.name.clone().unwrap_or_default()))
                .unwrap_or_default();
            vec![
                spec.capacity.as_ref().and_then(|c| c.get("storage")).map(|q| q.0.clone()).unwrap_or_default(),
                access_modes(spec.access_modes.as_ref()),
                spec.persistent_volume_reclaim_policy.clone().unwrap_or_else(|| "Retain".into()),
                pv.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Available".into()),
                claim,
                spec.storage_class_name.clone().unwrap_or_default(),
                "<unset>".into(),
                String::new(),
                a,
            ]
        }
        Object::PersistentVolumeClaim(pvc) => {
            let st = pvc.status.clone().unwrap_or_default();
            let spec = pvc.spec.clone().unwrap_or_default();
            vec![
                st.phase.clone().unwrap_or_else(|| "Pending".into()),
                spec.volume_name.clone().unwrap_or_default(),
                st.capacity.as_ref().and_then(|c| c.get("storage")).map(|q| q.0.clone()).unwrap_or_default(),
                access_modes(st.access_modes.as_ref()),
                spec.storage_class_name.clone().unwrap_or_default(),
                "<unset>".into(),
                a,
            ]
        }
        _ => vec![a],
    }
}

/// A list of at most 3 items, then `+ N more...` (printers.go `formatEndpointSlices` and
/// `formatEndpoints`); empty is `<none>` for Endpoints and `<unset>` for slices.
fn at_most_three(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        return empty.into();
    }
    let mut s = items.iter().take(3).cloned().collect::<Vec<_>>().join(",");
    if items.len() > 3 {
        s.push_str(&format!(" + {} more...", items.len() - 3));
    }
    s
}

pub fn endpoints_header(kind: crate::api::Kind) -> Vec<String> {
    match kind {
        crate::api::Kind::Endpoints => vec!["NAME".into(), "ENDPOINTS".into(), "AGE".into()],
        _ => vec!["NAME".into(), "ADDRESSTYPE".into(), "PORTS".into(), "ENDPOINTS".into(), "AGE".into()],
    }
}

pub fn endpoints_cells(o: &Object, now: SimTime) -> Vec<String> {
    let a = age(o.meta().creation_timestamp.as_ref(), now);
    match o {
        Object::Endpoints(ep) => {
            let mut items = Vec::new();
            for ss in ep.subsets.iter().flatten() {
                for addr in ss.addresses.iter().flatten() {
                    for p in ss.ports.iter().flatten() {
                        items.push(format!("{}:{}", addr.ip, p.port));
                    }
                }
            }
            vec![at_most_three(&items, "<none>"), a]
        }
        Object::EndpointSlice(s) => {
            let ports: Vec<String> = s.ports.iter().flatten().filter_map(|p| p.port.map(|x| x.to_string())).collect();
            let addrs: Vec<String> = s
                .endpoints
                .iter()
                .filter(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
                .flat_map(|e| e.addresses.iter().cloned())
                .collect();
            vec![s.address_type.clone(), at_most_three(&ports, "<unset>"), at_most_three(&addrs, "<unset>"), a]
        }
        _ => vec![a],
    }
}

pub fn hpa_header() -> Vec<String> {
    ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"].map(str::to_string).to_vec()
}

pub fn hpa_cells(h: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler, now: SimTime) -> Vec<String> {
    let spec = h.spec.clone().unwrap_or_default();
    let target = crate::controllers::hpa::cpu_target_utilization(h);
    let current = crate::controllers::hpa::cpu_current_utilization(h);
    vec![
        format!("{}/{}", spec.scale_target_ref.kind, spec.scale_target_ref.name),
        format!("cpu: {}/{target}%", current.map_or("<unknown>".to_string(), |c| format!("{c}%"))),
        spec.min_replicas.unwrap_or(1).to_string(),
        spec.max_replicas.to_string(),
        h.status.as_ref().and_then(|s| s.current_replicas).unwrap_or(0).to_string(),
        age(h.metadata.creation_timestamp.as_ref(), now),
    ]
}

pub fn ingress_header() -> Vec<String> {
    ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"].map(str::to_string).to_vec()
}

pub fn ingress_cells(i: &k8s_openapi::api::networking::v1::Ingress, now: SimTime) -> Vec<String> {
    let spec = i.spec.clone().unwrap_or_default();
    let hosts: Vec<String> = spec.rules.iter().flatten().filter_map(|r| r.host.clone()).collect();
    let hosts = if hosts.is_empty() {
        "*".to_string()
    } else if hosts.len() > 3 {
        format!("{} + {} more...", hosts[..3].join(","), hosts.len() - 3)
    } else {
        hosts.join(",")
    };
    let address: Vec<String> = i
        .status
        .iter()
        .flat_map(|s| s.load_balancer.iter())
        .flat_map(|lb| lb.ingress.iter().flatten())
        .filter_map(|x| x.ip.clone().or_else(|| x.hostname.clone()))
        .collect();
    vec![
        spec.ingress_class_name.clone().unwrap_or_else(|| "<none>".into()),
        hosts,
        address.join(","),
        if spec.tls.as_ref().is_some_and(|t| !t.is_empty()) { "80, 443".into() } else { "80".into() },
        age(i.metadata.creation_timestamp.as_ref(), now),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        Container, ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
        ContainerStatus, PodCondition, PodSpec, PodStatus,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

    fn running(ready: bool, restarts: i32) -> ContainerStatus {
        ContainerStatus {
            ready,
            restart_count: restarts,
            state: Some(ContainerState { running: Some(ContainerStateRunning::default()), ..Default::default() }),
            ..Default::default()
        }
    }
    fn waiting(reason: &str, restarts: i32) -> ContainerStatus {
        ContainerStatus {
            restart_count: restarts,
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message: None }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
    fn terminated(reason: &str, code: i32, restarts: i32) -> ContainerStatus {
        ContainerStatus {
            restart_count: restarts,
            state: Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    reason: Some(reason.into()),
                    exit_code: code,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
    fn pod(n: usize, phase: &str, statuses: Vec<ContainerStatus>) -> Pod {
        Pod {
            metadata: ObjectMeta::default(),
            spec: Some(PodSpec { containers: vec![Container::default(); n], ..Default::default() }.into()),
            status: Some(PodStatus {
                phase: Some(phase.into()),
                container_statuses: Some(statuses),
                ..Default::default()
            }),
        }
    }
    fn row(p: &Pod) -> (String, String, String) {
        let r = pod_row(p, SimTime(0));
        (r.ready, r.status, r.restarts)
    }
    fn t(a: &str, b: &str, c: &str) -> (String, String, String) {
        (a.into(), b.into(), c.into())
    }

    /// K8S-FACTS §3.4: printers_test.go TestPrintPod (rows without init containers).
    #[test]
    fn print_pod_table() {
        assert_eq!(
            row(&pod(
                2,
                "podPhase",
                vec![running(true, 3), ContainerStatus { restart_count: 3, ..Default::default() }]
            )),
            t("1/2", "podPhase", "6")
        );
        assert_eq!(
            row(&pod(2, "podPhase", vec![running(true, 3), waiting("ContainerWaitingReason", 3)])),
            t("1/2", "ContainerWaitingReason", "6")
        );
        assert_eq!(
            row(&pod(
                2,
                "podPhase",
                vec![waiting("ContainerWaitingReason", 3), terminated("ContainerTerminatedReason", 1, 3)]
            )),
            t("0/2", "ContainerWaitingReason", "6")
        );
        assert_eq!(
            row(&pod(
                2,
                "podPhase",
                vec![running(true, 3), ContainerStatus { ready: true, restart_count: 3, ..Default::default() }]
            )),
            t("1/2", "podPhase", "6")
        );
        let mut p5 =
            pod(2, "podPhase", vec![running(true, 3), ContainerStatus { restart_count: 3, ..Default::default() }]);
        p5.status.as_mut().unwrap().reason = Some("podReason".into());
        assert_eq!(row(&p5), t("1/2", "podReason", "6"));
        let p6 = pod(2, "Running", vec![terminated("Completed", 0, 3), running(true, 3)]);
        assert_eq!(row(&p6), t("1/2", "NotReady", "6"));
        let mut p6b = p6.clone();
        p6b.status.as_mut().unwrap().conditions =
            Some(vec![PodCondition { type_: "Ready".into(), status: "True".into(), ..Default::default() }]);
        assert_eq!(row(&p6b), t("1/2", "Running", "6"));
        assert_eq!(row(&pod(1, "Succeeded", vec![terminated("Completed", 0, 0)])), t("0/1", "Completed", "0"));
        assert_eq!(row(&pod(1, "Failed", vec![terminated("Error", 1, 0)])), t("0/1", "Error", "0"));
        let mut p18 = pod(1, "Succeeded", vec![terminated("Completed", 0, 0)]);
        p18.metadata.deletion_timestamp = Some(Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH));
        assert_eq!(row(&p18), t("0/1", "Completed", "0"));
        let mut p19 = pod(1, "Running", vec![running(false, 0)]);
        p19.metadata.deletion_timestamp = Some(Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH));
        assert_eq!(row(&p19), t("0/1", "Terminating", "0"));
        let mut p20 = pod(1, "Pending", vec![]);
        p20.metadata.deletion_timestamp = Some(Time(k8s_openapi::jiff::Timestamp::UNIX_EPOCH));
        assert_eq!(row(&p20), t("0/1", "Terminating", "0"));
    }

    /// K8S-FACTS §3.4 test7–test9: init containers.
    #[test]
    fn print_pod_init_rows() {
        let mut p = pod(1, "Pending", vec![waiting("PodInitializing", 0)]);
        p.spec_mut().init_containers = Some(vec![Container::default(), Container::default()]);
        p.status.as_mut().unwrap().init_container_statuses = Some(vec![running(false, 3), waiting("", 0)]);
        assert_eq!(row(&p).1, "Init:0/2");
        p.status.as_mut().unwrap().init_container_statuses =
            Some(vec![terminated("Completed", 0, 0), running(false, 3)]);
        assert_eq!(row(&p).1, "Init:1/2");
        p.status.as_mut().unwrap().init_container_statuses = Some(vec![waiting("CrashLoopBackOff", 3)]);
        assert_eq!(row(&p).1, "Init:CrashLoopBackOff");
    }

    #[test]
    fn tabwriter_shape() {
        let rows = vec![
            vec!["NAME".to_string(), "READY".into(), "STATUS".into(), "RESTARTS".into(), "AGE".into()],
            vec!["web-1".to_string(), "1/1".into(), "Running".into(), "0".into(), "10s".into()],
        ];
        assert_eq!(
            table(&rows),
            "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   1/1     Running   0          10s\n"
        );
    }
}
