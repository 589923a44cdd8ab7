//! `kubectl describe` (`k8s.io/kubectl/pkg/describe`): sections written through a tabwriter
//! (padding 2), with the Events table at the end.

use std::collections::BTreeMap;

use crate::api::Pod;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Container, Node};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

use crate::api::{Kind, Object};
use crate::cluster::Cluster;
use crate::controllers::deployment::{max_surge, max_unavailable};
use crate::store::sim_time;
use crate::time::{SimTime, human_duration};

/// Go's tabwriter with padding 2: consecutive lines that contain a tab are aligned as a block.
fn tabwrite(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].contains('\t') {
            out.push_str(lines[i]);
            out.push('\n');
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].contains('\t') {
            i += 1;
        }
        let block: Vec<Vec<&str>> = lines[start..i].iter().map(|l| l.split('\t').collect()).collect();
        let cols = block.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0usize; cols];
        for cells in &block {
            for (j, c) in cells.iter().enumerate().take(cells.len() - 1) {
                widths[j] = widths[j].max(c.chars().count() + 2);
            }
        }
        for cells in &block {
            let mut line = String::new();
            for (j, c) in cells.iter().enumerate() {
                line.push_str(c);
                if j + 1 < cells.len() {
                    for _ in c.chars().count()..widths[j] {
                        line.push(' ');
                    }
                }
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The RFC 1123 time describe prints: `Wed, 01 Jan 2025 00:00:02 +0000`.
fn rfc1123(t: &Time) -> String {
    let ts = t.0;
    let dt = ts.to_zoned(k8s_openapi::jiff::tz::TimeZone::UTC);
    dt.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

fn map_lines(w: &mut String, label: &str, m: Option<&BTreeMap<String, String>>, skip_last_applied: bool) {
    let items: Vec<(&String, &String)> = m
        .into_iter()
        .flatten()
        .filter(|(k, _)| !(skip_last_applied && k.as_str() == crate::apiserver::LAST_APPLIED))
        .collect();
    if items.is_empty() {
        w.push_str(&format!("{label}:\t<none>\n"));
        return;
    }
    for (i, (k, v)) in items.iter().enumerate() {
        let head = if i == 0 { format!("{label}:") } else { String::new() };
        w.push_str(&format!("{head}\t{k}={v}\n"));
    }
}

fn events_table(c: &Cluster, kind: Kind, ns: &str, name: &str) -> String {
    let now = c.now();
    let evs: Vec<_> = c
        .events()
        .filter(|e| e.kind == kind && *e.name == *name && (*e.namespace == *ns || !kind.namespaced()))
        .collect();
    if evs.is_empty() {
        return "Events:  <none>\n".into();
    }
    let mut w = String::from("Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n");
    for e in evs {
        let age = if e.count > 1 {
            format!(
                "{} (x{} over {})",
                human_duration(i128::from(now.ms()) - i128::from(e.last_ms)),
                e.count,
                // DescribeEvents: the age of the first occurrence, as for the last.
                human_duration(i128::from(now.ms()) - i128::from(e.first_ms))
            )
        } else {
            human_duration(i128::from(now.ms()) - i128::from(e.first_ms))
        };
        w.push_str(&format!("  {}\t{}\t{}\t{}\t{}\n", e.event_type(), e.reason, age, e.source, e.message));
    }
    w
}

fn header(w: &mut String, meta: &ObjectMeta, namespaced: bool) {
    w.push_str(&format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()));
    if namespaced {
        w.push_str(&format!("Namespace:\t{}\n", meta.namespace.clone().unwrap_or_default()));
    }
}

fn container_lines(w: &mut String, c: &Container, status: Option<&k8s_openapi::api::core::v1::ContainerStatus>) {
    w.push_str(&format!("  {}:\n", c.name));
    if let Some(id) = status.and_then(|s| s.container_id.clone()) {
        w.push_str(&format!("    Container ID:\t{id}\n"));
    }
    w.push_str(&format!("    Image:\t{}\n", c.image.clone().unwrap_or_default()));
    if let Some(s) = status {
        w.push_str(&format!("    Image ID:\t{}\n", s.image_id));
    }
    let ports: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| format!("{}/{}", p.container_port, p.protocol.clone().unwrap_or_else(|| "TCP".into())))
        .collect();
    w.push_str(&format!("    Port:\t{}\n", if ports.is_empty() { "<none>".into() } else { ports.join(", ") }));
    let hports: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), p.protocol.clone().unwrap_or_else(|| "TCP".into())))
        .collect();
    w.push_str(&format!("    Host Port:\t{}\n", if hports.is_empty() { "<none>".into() } else { hports.join(", ") }));
    if let Some(s) = status {
        let st = s.state.clone().unwrap_or_default();
        if let Some(r) = st.running {
            w.push_str("    State:\tRunning\n");
            if let Some(t) = r.started_at {
                w.push_str(&format!("      Started:\t{}\n", rfc1123(&t)));
            }
        } else if let Some(wt) = st.waiting {
            w.push_str("    State:\tWaiting\n");
            w.push_str(&format!("      Reason:\t{}\n", wt.reason.unwrap_or_default()));
        } else if let Some(t) = st.terminated {
            w.push_str("    State:\tTerminated\n");
            w.push_str(&format!("      Reason:\t{}\n", t.reason.unwrap_or_default()));
            w.push_str(&format!("      Exit Code:\t{}\n", t.exit_code));
        }
        if let Some(t) = s.last_state.as_ref().and_then(|l| l.terminated.as_ref()) {
            w.push_str("    Last State:\tTerminated\n");
            w.push_str(&format!("      Reason:\t{}\n", t.reason.clone().unwrap_or_default()));
            w.push_str(&format!("      Exit Code:\t{}\n", t.exit_code));
            if let Some(st) = &t.started_at {
                w.push_str(&format!("      Started:\t{}\n", rfc1123(st)));
            }
            if let Some(f) = &t.finished_at {
                w.push_str(&format!("      Finished:\t{}\n", rfc1123(f)));
            }
        }
        w.push_str(&format!("    Ready:\t{}\n", if s.ready { "True" } else { "False" }));
        w.push_str(&format!("    Restart Count:\t{}\n", s.restart_count));
    }
    for (label, list) in [
        ("Limits", c.resources.as_ref().and_then(|r| r.limits.as_ref())),
        ("Requests", c.resources.as_ref().and_then(|r| r.requests.as_ref())),
    ] {
        if let Some(l) = list.filter(|l| !l.is_empty()) {
            w.push_str(&format!("    {label}:\n"));
            for (k, v) in l {
                w.push_str(&format!("      {k}:\t{}\n", v.0));
            }
        }
    }
    for (label, p) in
        [("Liveness", &c.liveness_probe), ("Readiness", &c.readiness_probe), ("Startup", &c.startup_probe)]
    {
        let Some(p) = p else { continue };
        let port_str = |port: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| match port {
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i) => i.to_string(),
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
        };
        let how = if let Some(h) = &p.http_get {
            format!("http-get http://:{}{}", port_str(&h.port), h.path.clone().unwrap_or_else(|| "/".into()))
        } else if let Some(t) = &p.tcp_socket {
            format!("tcp-socket :{}", port_str(&t.port))
        } else if let Some(e) = &p.exec {
            format!("exec [{}]", e.command.clone().unwrap_or_default().join(" "))
        } else {
            "grpc".to_string()
        };
        w.push_str(&format!(
            "    {label}:\t{how} delay={}s timeout={}s period={}s #success={} #failure={}\n",
            p.initial_delay_seconds.unwrap_or(0),
            p.timeout_seconds.unwrap_or(1),
            p.period_seconds.unwrap_or(10),
            p.success_threshold.unwrap_or(1),
            p.failure_threshold.unwrap_or(3)
        ));
    }
    let from: Vec<String> = c
        .env_from
        .iter()
        .flatten()
        .filter_map(|s| {
            s.config_map_ref
                .as_ref()
                .map(|r| format!("      {}\tConfigMap\tOptional: {}", r.name, r.optional.unwrap_or(false)))
                .or_else(|| {
                    s.secret_ref
                        .as_ref()
                        .map(|r| format!("      {}\tSecret\tOptional: {}", r.name, r.optional.unwrap_or(false)))
                })
        })
        .collect();
    if !from.is_empty() {
        w.push_str("    Environment Variables from:\n");
        for f in from {
            w.push_str(&f);
            w.push('\n');
        }
    }
    let envs: Vec<String> = c
        .env
        .iter()
        .flatten()
        .map(|e| match (&e.value, &e.value_from) {
            (Some(v), _) => format!("      {}:\t{v}", e.name),
            (None, Some(f)) => {
                if let Some(s) = &f.secret_key_ref {
                    format!(
                        "      {}:\t<set to the key '{}' in secret '{}'>\tOptional: {}",
                        e.name,
                        s.key,
                        s.name,
                        s.optional.unwrap_or(false)
                    )
                } else if let Some(m) = &f.config_map_key_ref {
                    format!(
                        "      {}:\t<set to the key '{}' of config map '{}'>\tOptional: {}",
                        e.name,
                        m.key,
                        m.name,
                        m.optional.unwrap_or(false)
                    )
                } else {
                    format!("      {}:\t<unknown>", e.name)
                }
            }
            _ => format!("      {}:\t", e.name),
        })
        .collect();
    if envs.is_empty() {
        w.push_str("    Environment:\t<none>\n");
    } else {
        w.push_str("    Environment:\n");
        for e in envs {
            w.push_str(&e);
            w.push('\n');
        }
    }
    let mounts: Vec<String> = c
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| {
            format!("{} from {} ({})", m.mount_path, m.name, if m.read_only.unwrap_or(false) { "ro" } else { "rw" })
        })
        .collect();
    if mounts.is_empty() {
        w.push_str("    Mounts:\t<none>\n");
    } else {
        for (i, m) in mounts.iter().enumerate() {
            w.push_str(&format!("{}\t{m}\n", if i == 0 { "    Mounts:" } else { "" }));
        }
    }
}

fn describe_pod(c: &Cluster, p: &Pod) -> String {
    let mut w = String::new();
    header(&mut w, &p.metadata, true);
    let spec = p.spec.clone().unwrap_or_default();
    let st = p.status.clone().unwrap_or_default();
    w.push_str("Priority:\t0\n");
    w.push_str(&format!(
        "Service Account:\t{}\n",
        spec.service_account_name.clone().unwrap_or_else(|| "default".into())
    ));
    match (&spec.node_name, &st.host_ip) {
        (Some(n), Some(ip)) => w.push_str(&format!("Node:\t{n}/{ip}\n")),
        (Some(n), None) => w.push_str(&format!("Node:\t{n}/\n")),
        _ => w.push_str("Node:\t<none>\n"),
    }
    if let Some(t) = &st.start_time {
        w.push_str(&format!("Start Time:\t{}\n", rfc1123(t)));
    }
    map_lines(&mut w, "Labels", p.metadata.labels.as_ref(), false);
    map_lines(&mut w, "Annotations", p.metadata.annotations.as_ref(), true);
    let status = if p.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        st.phase.clone().unwrap_or_else(|| "Pending".into())
    };
    w.push_str(&format!("Status:\t{status}\n"));
    if let Some(t) = &p.metadata.deletion_timestamp {
        w.push_str(&format!(
            "Termination Grace Period:\t{}s\n",
            p.metadata.deletion_grace_period_seconds.unwrap_or(30)
        ));
        let _ = t;
    }
    w.push_str(&format!("IP:\t{}\n", st.pod_ip.clone().unwrap_or_default()));
    w.push_str("IPs:\n");
    match &st.pod_ips {
        Some(ips) if !ips.is_empty() => {
            for ip in ips {
                w.push_str(&format!("  IP:\t{}\n", ip.ip));
            }
        }
        _ => w.push_str("  <none>\n"),
    }
    if let Some(r) = crate::controllers::controller_ref(&p.metadata) {
        w.push_str(&format!("Controlled By:\t{}/{}\n", r.kind, r.name));
    }
    w.push_str("Containers:\n");
    for ct in &spec.containers {
        let cs = st.container_statuses.iter().flatten().find(|s| s.name == ct.name);
        container_lines(&mut w, ct, cs);
    }
    w.push_str("Conditions:\n  Type\tStatus\n");
    for cond in st.conditions.iter().flatten() {
        w.push_str(&format!("  {}\t{} \n", cond.type_, cond.status));
    }
    let volumes = spec.volumes.clone().unwrap_or_default();
    if volumes.is_empty() {
        w.push_str("Volumes:\t<none>\n");
    } else {
        w.push_str("Volumes:\n");
        for v in &volumes {
            w.push_str(&format!("  {}:\n", v.name));
            if let Some(c) = &v.persistent_volume_claim {
                w.push_str(
                    "    Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n",
                );
                w.push_str(&format!("    ClaimName:\t{}\n", c.claim_name));
                w.push_str(&format!("    ReadOnly:\t{}\n", c.read_only.unwrap_or(false)));
            } else if let Some(e) = &v.empty_dir {
                w.push_str("    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n");
                w.push_str(&format!("    Medium:\t{}\n", e.medium.clone().unwrap_or_default()));
                w.push_str(&format!(
                    "    SizeLimit:\t{}\n",
                    e.size_limit.as_ref().map_or("<unset>".to_string(), |q| q.0.clone())
                ));
            } else if let Some(c) = &v.config_map {
                w.push_str("    Type:\tConfigMap (a volume populated by a ConfigMap)\n");
                w.push_str(&format!("    Name:\t{}\n", c.name));
                w.push_str(&format!("    Optional:\t{}\n", c.optional.unwrap_or(false)));
            } else if let Some(sv) = &v.secret {
                w.push_str("    Type:\tSecret (a volume populated by a Secret)\n");
                w.push_str(&format!("    SecretName:\t{}\n", sv.secret_name.clone().unwrap_or_default()));
                w.push_str(&format!("    Optional:\t{}\n", sv.optional.unwrap_or(false)));
            } else if let Some(h) = &v.host_path {
                w.push_str("    Type:\tHostPath (bare host directory volume)\n");
                w.push_str(&format!("    Path:\t{}\n", h.path));
            }
        }
    }
    w.push_str(&format!(
        "QoS Class:\t{}\n",
        st.qos_class.clone().unwrap_or_else(|| crate::kubelet::qos_class(p).into())
    ));
    let sel: Vec<String> = spec.node_selector.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    w.push_str(&format!("Node-Selectors:\t{}\n", if sel.is_empty() { "<none>".into() } else { sel.join(",") }));
    let tols: Vec<String> = spec
        .tolerations
        .iter()
        .flatten()
        .map(|t| {
            let mut s = t.key.clone().unwrap_or_default();
            if let Some(v) = &t.value {
                s.push('=');
                s.push_str(v);
            }
            if let Some(e) = &t.effect {
                s.push(':');
                s.push_str(e);
            }
            if t.operator.as_deref() == Some("Exists") && t.value.is_none() {
                s.push_str(" op=Exists");
            }
            if let Some(sec) = t.toleration_seconds {
                s.push_str(&format!(" for {sec}s"));
            }
            s
        })
        .collect();
    if tols.is_empty() {
        w.push_str("Tolerations:\t<none>\n");
    } else {
        for (i, t) in tols.iter().enumerate() {
            w.push_str(&format!("{}\t{t}\n", if i == 0 { "Tolerations:" } else { "" }));
        }
    }
    let mut out = tabwrite(&w);
    out.push_str(&tabwrite(&events_table(
        c,
        Kind::Pod,
        p.metadata.namespace.as_deref().unwrap_or(""),
        p.metadata.name.as_deref().unwrap_or(""),
    )));
    out
}

fn describe_deployment(c: &Cluster, d: &Deployment) -> String {
    let mut w = String::new();
    header(&mut w, &d.metadata, true);
    if let Some(t) = &d.metadata.creation_timestamp {
        w.push_str(&format!("CreationTimestamp:\t{}\n", rfc1123(t)));
    }
    map_lines(&mut w, "Labels", d.metadata.labels.as_ref(), false);
    map_lines(&mut w, "Annotations", d.metadata.annotations.as_ref(), true);
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let sel: Vec<String> = spec.selector.match_labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    w.push_str(&format!("Selector:\t{}\n", sel.join(",")));
    w.push_str(&format!(
        "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
        spec.replicas.unwrap_or(1),
        st.updated_replicas.unwrap_or(0),
        st.replicas.unwrap_or(0),
        st.available_replicas.unwrap_or(0),
        st.unavailable_replicas.unwrap_or(0)
    ));
    let ty = spec.strategy.as_ref().and_then(|s| s.type_.clone()).unwrap_or_else(|| "RollingUpdate".into());
    w.push_str(&format!("StrategyType:\t{ty}\n"));
    w.push_str(&format!("MinReadySeconds:\t{}\n", spec.min_ready_seconds.unwrap_or(0)));
    if ty == "RollingUpdate" {
        let ru = spec.strategy.as_ref().and_then(|s| s.rolling_update.clone()).unwrap_or_default();
        let show = |v: Option<k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| match v {
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i)) => i.to_string(),
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s)) => s,
            None => "0".into(),
        };
        w.push_str(&format!(
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
            show(ru.max_unavailable),
            show(ru.max_surge)
        ));
        let _ = (max_unavailable(d), max_surge(d));
    }
    w.push_str("Pod Template:\n");
    let tm = spec.template.metadata.clone().unwrap_or_default();
    map_lines(&mut w, "  Labels", tm.labels.as_ref(), false);
    if let Some(a) = tm.annotations.as_ref().filter(|a| !a.is_empty()) {
        map_lines(&mut w, "  Annotations", Some(a), false);
    }
    w.push_str("  Containers:\n");
    for ct in spec.template.spec.iter().flat_map(|s| s.containers.iter()) {
        let mut cw = String::new();
        container_lines(&mut cw, ct, None);
        for l in cw.lines() {
            w.push_str("  ");
            w.push_str(l);
            w.push('\n');
        }
    }
    w.push_str("  Volumes:\t<none>\n");
    w.push_str("  Node-Selectors:\t<none>\n");
    w.push_str("  Tolerations:\t<none>\n");
    w.push_str("Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n");
    for cond in st.conditions.iter().flatten() {
        w.push_str(&format!("  {}\t{}\t{}\n", cond.type_, cond.status, cond.reason.clone().unwrap_or_default()));
    }
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let rss: Vec<&ReplicaSet> = c
        .store()
        .list(Kind::ReplicaSet, Some(&ns))
        .filter_map(|o| match o {
            Object::ReplicaSet(r) if crate::controllers::is_controlled_by(&r.metadata, &d.metadata) => Some(&**r),
            _ => None,
        })
        .collect();
    let fmt_rs = |r: &ReplicaSet| {
        format!(
            "{} ({}/{} replicas created)",
            r.metadata.name.clone().unwrap_or_default(),
            r.status.as_ref().map_or(0, |s| s.replicas),
            r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
        )
    };
    let new: Vec<String> = rss
        .iter()
        .filter(|r| {
            r.spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .is_some_and(|t| crate::controllers::deployment::equal_ignore_hash(t, &spec.template))
        })
        .map(|r| fmt_rs(r))
        .collect();
    let old: Vec<String> = rss
        .iter()
        .filter(|r| {
            !r.spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .is_some_and(|t| crate::controllers::deployment::equal_ignore_hash(t, &spec.template))
        })
        .filter(|r| {
            r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0) > 0
                || r.status.as_ref().is_some_and(|s| s.replicas > 0)
        })
        .map(|r| fmt_rs(r))
        .collect();
    w.push_str(&format!("OldReplicaSets:\t{}\n", if old.is_empty() { "<none>".into() } else { old.join(", ") }));
    w.push_str(&format!("NewReplicaSet:\t{}\n", if new.is_empty() { "<none>".into() } else { new.join(", ") }));
    let mut out = tabwrite(&w);
    out.push_str(&tabwrite(&events_table(c, Kind::Deployment, &ns, d.metadata.name.as_deref().unwrap_or(""))));
    out
}

fn describe_rs(c: &Cluster, r: &ReplicaSet) -> String {
    let mut w = String::new();
    header(&mut w, &r.metadata, true);
    let spec = r.spec.clone().unwrap_or_default();
    let st = r.status.clone().unwrap_or_default();
    let sel: Vec<String> = spec.selector.match_labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    w.push_str(&format!("Selector:\t{}\n", sel.join(",")));
    map_lines(&mut w, "Labels", r.metadata.labels.as_ref(), false);
    map_lines(&mut w, "Annotations", r.metadata.annotations.as_ref(), true);
    if let Some(o) = crate::controllers::controller_ref(&r.metadata) {
        w.push_str(&format!("Controlled By:\t{}/{}\n", o.kind, o.name));
    }
    w.push_str(&format!("Replicas:\t{} current / {} desired\n", st.replicas, spec.replicas.unwrap_or(1)));
    let ns = r.metadata.namespace.clone().unwrap_or_default();
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for o in c.store().list(Kind::Pod, Some(&ns)) {
        if let Object::Pod(p) = o
            && crate::controllers::is_controlled_by(&p.metadata, &r.metadata)
        {
            match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
                Some("Running") => running += 1,
                Some("Succeeded") => succeeded += 1,
                Some("Failed") => failed += 1,
                _ => waiting += 1,
            }
        }
    }
    w.push_str(&format!(
        "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
    ));
    let mut out = tabwrite(&w);
    out.push_str(&tabwrite(&events_table(c, Kind::ReplicaSet, &ns, r.metadata.name.as_deref().unwrap_or(""))));
    out
}

fn describe_node(c: &Cluster, n: &Node) -> String {
    let mut w = String::new();
    let name = n.metadata.name.clone().unwrap_or_default();
    header(&mut w, &n.metadata, false);
    w.push_str(&format!("Roles:\t{}\n", super::printers::node_roles(n)));
    map_lines(&mut w, "Labels", n.metadata.labels.as_ref(), false);
    map_lines(&mut w, "Annotations", n.metadata.annotations.as_ref(), true);
    if let Some(t) = &n.metadata.creation_timestamp {
        w.push_str(&format!("CreationTimestamp:\t{}\n", rfc1123(t)));
    }
    let taints: Vec<String> = n
        .spec
        .iter()
        .flat_map(|s| s.taints.iter().flatten())
        .map(|t| match &t.value {
            Some(v) => format!("{}={v}:{}", t.key, t.effect),
            None => format!("{}:{}", t.key, t.effect),
        })
        .collect();
    if taints.is_empty() {
        w.push_str("Taints:\t<none>\n");
    } else {
        for (i, t) in taints.iter().enumerate() {
            w.push_str(&format!("{}\t{t}\n", if i == 0 { "Taints:" } else { "" }));
        }
    }
    w.push_str(&format!("Unschedulable:\t{}\n", n.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false)));
    let mut out = tabwrite(&w);
    let mut cw = String::from(
        "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n  ----\t------\t-----------------\t------------------\t------\t-------\n",
    );
    for cond in n.status.iter().flat_map(|s| s.conditions.iter().flatten()) {
        cw.push_str(&format!(
            "  {}\t{}\t{}\t{}\t{}\t{}\n",
            cond.type_,
            cond.status,
            cond.last_heartbeat_time.as_ref().map(rfc1123).unwrap_or_default(),
            cond.last_transition_time.as_ref().map(rfc1123).unwrap_or_default(),
            cond.reason.clone().unwrap_or_default(),
            cond.message.clone().unwrap_or_default()
        ));
    }
    out.push_str(&tabwrite(&cw));
    let mut rw = String::new();
    for (label, list) in [
        ("Capacity", n.status.as_ref().and_then(|s| s.capacity.as_ref())),
        ("Allocatable", n.status.as_ref().and_then(|s| s.allocatable.as_ref())),
    ] {
        rw.push_str(&format!("{label}:\n"));
        for (k, v) in list.into_iter().flatten() {
            rw.push_str(&format!("  {k}:\t{}\n", v.0));
        }
    }
    out.push_str(&tabwrite(&rw));
    // Non-terminated pods and allocated resources, as describe node lists them.
    let alloc = crate::controllers::scheduler::node_allocatable(n);
    let pods: Vec<&Pod> = c
        .store()
        .list(Kind::Pod, None)
        .filter_map(|o| match o {
            Object::Pod(p) if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name.as_str()) => Some(&**p),
            _ => None,
        })
        .collect();
    let mut pw = format!(
        "Non-terminated Pods:\t({} in total)\n  Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n  ---------\t----\t------------\t----------\t---------------\t-------------\t---\n",
        pods.len()
    );
    let pct = |v: i64, total: i64| if total == 0 { 0 } else { v * 100 / total };
    let mut limits = crate::controllers::scheduler::Resources::default();
    for p in &pods {
        let r = crate::controllers::scheduler::pod_requests(p);
        let l = crate::controllers::scheduler::pod_limits(p);
        limits.cpu_milli += l.cpu_milli;
        limits.memory += l.memory;
        pw.push_str(&format!(
            "  {}\t{}\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
            p.metadata.namespace.clone().unwrap_or_default(),
            p.metadata.name.clone().unwrap_or_default(),
            crate::api::quantity::format_milli(r.cpu_milli),
            pct(r.cpu_milli, alloc.cpu_milli),
            crate::api::quantity::format_milli(l.cpu_milli),
            pct(l.cpu_milli, alloc.cpu_milli),
            crate::api::quantity::format_bytes(r.memory),
            pct(r.memory, alloc.memory),
            crate::api::quantity::format_bytes(l.memory),
            pct(l.memory, alloc.memory),
            super::printers::age(p.metadata.creation_timestamp.as_ref(), c.now())
        ));
    }
    out.push_str(&tabwrite(&pw));
    let used = c.node_requested(&name);
    let aw = format!(
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n  Resource\tRequests\tLimits\n  --------\t--------\t------\n  cpu\t{} ({}%)\t{} ({}%)\n  memory\t{} ({}%)\t{} ({}%)\n",
        crate::api::quantity::format_milli(used.cpu_milli),
        pct(used.cpu_milli, alloc.cpu_milli),
        crate::api::quantity::format_milli(limits.cpu_milli),
        pct(limits.cpu_milli, alloc.cpu_milli),
        crate::api::quantity::format_bytes(used.memory),
        pct(used.memory, alloc.memory),
        crate::api::quantity::format_bytes(limits.memory),
        pct(limits.memory, alloc.memory)
    );
    out.push_str(&tabwrite(&aw));
    out.push_str(&tabwrite(&events_table(c, Kind::Node, "", &name)));
    out
}

fn describe_hpa(c: &Cluster, h: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler) -> String {
    let mut w = String::new();
    header(&mut w, &h.metadata, true);
    map_lines(&mut w, "Labels", h.metadata.labels.as_ref(), false);
    map_lines(&mut w, "Annotations", h.metadata.annotations.as_ref(), true);
    if let Some(t) = &h.metadata.creation_timestamp {
        w.push_str(&format!("CreationTimestamp:\t{}\n", rfc1123(t)));
    }
    let spec = h.spec.clone().unwrap_or_default();
    let st = h.status.clone().unwrap_or_default();
    w.push_str(&format!("Reference:\t{}/{}\n", spec.scale_target_ref.kind, spec.scale_target_ref.name));
    w.push_str("Metrics:\t( current / target )\n");
    let target = crate::controllers::hpa::cpu_target_utilization(h);
    let current =
        crate::controllers::hpa::cpu_current_utilization(h).map_or("<unknown>".to_string(), |u| format!("{u}%"));
    w.push_str(&format!("  resource cpu on pods  (as a percentage of request):\t{current} / {target}%\n"));
    w.push_str(&format!("Min replicas:\t{}\n", spec.min_replicas.unwrap_or(1)));
    w.push_str(&format!("Max replicas:\t{}\n", spec.max_replicas));
    w.push_str(&format!(
        "{} pods:\t{} current / {} desired\n",
        spec.scale_target_ref.kind,
        st.current_replicas.unwrap_or(0),
        st.desired_replicas
    ));
    let mut out = tabwrite(&w);
    let mut cw = String::from("Conditions:\n  Type\tStatus\tReason\tMessage\n  ----\t------\t------\t-------\n");
    for cond in st.conditions.iter().flatten() {
        cw.push_str(&format!(
            "  {}\t{}\t{}\t{}\n",
            cond.type_,
            cond.status,
            cond.reason.clone().unwrap_or_default(),
            cond.message.clone().unwrap_or_default()
        ));
    }
    if st.conditions.is_some() {
        out.push_str(&tabwrite(&cw));
    }
    let ns = h.metadata.namespace.clone().unwrap_or_default();
    out.push_str(&tabwrite(&events_table(
        c,
        Kind::HorizontalPodAutoscaler,
        &ns,
        h.metadata.name.as_deref().unwrap_or(""),
    )));
    out
}

fn describe_generic(c: &Cluster, o: &Object) -> String {
    let mut w = String::new();
    header(&mut w, o.meta(), o.kind().namespaced());
    map_lines(&mut w, "Labels", o.meta().labels.as_ref(), false);
    map_lines(&mut w, "Annotations", o.meta().annotations.as_ref(), true);
    match o {
        Object::ConfigMap(cm) => {
            w.push_str("\nData\n====\n");
            for (k, v) in cm.data.iter().flatten() {
                w.push_str(&format!("{k}:\n----\n{v}\n\n"));
            }
        }
        Object::Secret(s) => {
            w.push_str(&format!("\nType:  {}\n\nData\n====\n", s.type_.clone().unwrap_or_else(|| "Opaque".into())));
            for (k, v) in s.data.iter().flatten() {
                w.push_str(&format!("{k}:\t{} bytes\n", v.0.len()));
            }
        }
        Object::Namespace(n) => {
            w.push_str(&format!(
                "Status:\t{}\n\nNo resource quota.\n\nNo LimitRange resource.\n",
                n.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default()
            ));
            return tabwrite(&w);
        }
        _ => {}
    }
    let mut out = tabwrite(&w);
    out.push_str(&tabwrite(&events_table(c, o.kind(), o.namespace(), o.name())));
    out
}

/// `kubectl describe TYPE [NAME...]`, `TYPE/NAME...`, or `TYPE -l SELECTOR`.
pub fn describe(
    c: &mut Cluster,
    args: &[String],
    ns: &str,
    selector: Option<&str>,
    mut out: impl FnMut(Result<String, String>),
) {
    let reqs = match selector.map(crate::store::parse_label_selector).transpose() {
        Ok(r) => r,
        Err(e) => return out(Err(format!("error: {e}"))),
    };
    let Some(first) = args.first() else {
        return out(Err("error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.".into()));
    };
    let mut targets: Vec<(Kind, Option<String>)> = Vec::new();
    if first.contains('/') {
        for a in args {
            let (t, n) = a.split_once('/').unwrap_or((a, ""));
            match Kind::from_arg(t) {
                Some(k) => targets.push((k, Some(n.to_string()))),
                None => return out(Err(format!("error: the server doesn't have a resource type \"{t}\""))),
            }
        }
    } else {
        let Some(k) = Kind::from_arg(first) else {
            return out(Err(format!("error: the server doesn't have a resource type \"{first}\"")));
        };
        if args.len() == 1 {
            targets.push((k, None));
        }
        for n in &args[1..] {
            targets.push((k, Some(n.clone())));
        }
    }
    let mut texts = Vec::new();
    for (kind, name) in targets {
        let kns = if kind.namespaced() { ns } else { "" };
        let objs: Vec<Object> = match &name {
            Some(n) => match c.store().get(kind, kns, n) {
                Some(o) => vec![o.clone()],
                None => {
                    // describe also accepts a name prefix, as kubectl does.
                    let found: Vec<Object> = c
                        .store()
                        .list(kind, kind.namespaced().then_some(ns))
                        .filter(|o| o.name().starts_with(n.as_str()))
                        .cloned()
                        .collect();
                    if found.is_empty() {
                        out(Err(format!("Error from server (NotFound): {} \"{n}\" not found", kind.plural())));
                        continue;
                    }
                    found
                }
            },
            None => c
                .store()
                .list(kind, kind.namespaced().then_some(ns))
                .filter(|o| {
                    reqs.as_ref().is_none_or(|r| {
                        crate::store::requirements_match(r, &o.meta().labels.clone().unwrap_or_default())
                    })
                })
                .cloned()
                .collect(),
        };
        for o in objs {
            texts.push(match &o {
                Object::Pod(p) => describe_pod(c, p),
                Object::Deployment(d) => describe_deployment(c, d),
                Object::ReplicaSet(r) => describe_rs(c, r),
                Object::Node(n) => describe_node(c, n),
                Object::HorizontalPodAutoscaler(h) => describe_hpa(c, h),
                other => describe_generic(c, other),
            });
        }
    }
    if !texts.is_empty() {
        out(Ok(texts.iter().map(|t| t.trim_end()).collect::<Vec<_>>().join("\n\n")));
    }
}

#[allow(dead_code)]
fn since(now: SimTime, t: &Time) -> String {
    human_duration(i128::from(now.ms()) - i128::from(sim_time(t).ms()))
}
