//! API validation (`pkg/apis/*/validation`), worded as the API server words it:
//! `spec.replicas: Invalid value: -1: must be greater than or equal to 0`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, Node, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::quantity::{self, QuantityError};
use super::{Kind, Object};

/// One field error: the path and the full line the API server prints for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

fn required(path: &str) -> FieldError {
    FieldError { path: path.into(), message: format!("{path}: Required value") }
}

fn invalid(path: &str, value: &str, detail: &str) -> FieldError {
    FieldError { path: path.into(), message: format!("{path}: Invalid value: {value}: {detail}") }
}

fn unsupported(path: &str, value: &str, supported: &[&str]) -> FieldError {
    let list: Vec<String> = supported.iter().map(|s| format!("\"{s}\"")).collect();
    FieldError {
        path: path.into(),
        message: format!("{path}: Unsupported value: \"{value}\": supported values: {}", list.join(", ")),
    }
}

const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

pub(crate) fn is_dns1123_label(s: &str) -> bool {
    s.len() <= 63 && is_dns1123_label_pattern(s)
}

const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// An RFC 1123 label's characters, whatever its length.
fn is_dns1123_label_pattern(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// An RFC 1123 subdomain's characters: labels joined by dots. Upstream's `IsDNS1123Subdomain`
/// limits the whole to 253 characters and matches this pattern; it sets no limit on a label
/// (a pod name of 100 characters without a dot is valid).
fn is_dns1123_subdomain_pattern(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_dns1123_label_pattern)
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`: a qualified name's name part, and a label value.
fn is_qualified_name_pattern(s: &str) -> bool {
    let edge = |c: char| c.is_ascii_alphanumeric();
    s.starts_with(edge)
        && s.ends_with(edge)
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

const QUALIFIED_NAME_MSG: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

/// Upstream's `ValidateLabels` (apimachinery meta/v1 validation): each key a qualified name
/// (`IsQualifiedName`: an optional DNS subdomain prefix and `/`, a name part of at most 63
/// characters), each value at most 63 characters of the label pattern (`IsValidLabelValue`).
/// Keys in order (upstream walks a Go map, in no order).
fn label_errors(path: &str, labels: Option<&BTreeMap<String, String>>, errs: &mut Vec<FieldError>) {
    for (k, v) in labels.into_iter().flatten() {
        let mut key_msgs = Vec::new();
        let parts: Vec<&str> = k.split('/').collect();
        let name = match parts[..] {
            [name] => Some(name),
            [prefix, name] => {
                if prefix.is_empty() {
                    key_msgs.push("prefix part must be non-empty".to_string());
                } else {
                    let msgs = name_errors(prefix, 253, is_dns1123_subdomain_pattern(prefix), DNS1123_SUBDOMAIN_MSG);
                    key_msgs.extend(msgs.into_iter().map(|m| format!("prefix part {m}")));
                }
                Some(name)
            }
            _ => {
                key_msgs.push(format!(
                    "a qualified name {QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
                ));
                None
            }
        };
        if let Some(name) = name {
            if name.is_empty() {
                key_msgs.push("name part must be non-empty".to_string());
            }
            let msgs = name_errors(name, 63, is_qualified_name_pattern(name), QUALIFIED_NAME_MSG);
            key_msgs.extend(msgs.into_iter().map(|m| format!("name part {m}")));
        }
        for m in key_msgs {
            errs.push(invalid(path, &format!("\"{k}\""), &m));
        }
        let value_ok = v.is_empty() || is_qualified_name_pattern(v);
        for m in name_errors(v, 63, value_ok, LABEL_VALUE_MSG) {
            errs.push(invalid(path, &format!("\"{v}\""), &m));
        }
    }
}

/// Upstream's `IsDNS1123Label`: a namespace (its name, and an object's `metadata.namespace`) and
/// a container's name.
fn label_name_errors(name: &str) -> Vec<String> {
    name_errors(name, 63, is_dns1123_label_pattern(name), DNS1123_LABEL_MSG)
}

/// What upstream's name validation says of `name` (apimachinery's `IsDNS1123Subdomain`,
/// `IsDNS1123Label`, `IsDNS1035Label`): the length first, then the pattern, each an error of its
/// own.
fn name_errors(name: &str, max: usize, pattern_ok: bool, pattern_msg: &str) -> Vec<String> {
    let mut msgs = Vec::new();
    if name.len() > max {
        msgs.push(format!("must be no more than {max} characters"));
    }
    if !pattern_ok {
        msgs.push(pattern_msg.to_string());
    }
    msgs
}

/// Quantities that do not parse. Upstream rejects them while decoding (a BadRequest, not an
/// Invalid), so the caller reports them as decoding errors.
pub fn bad_quantities(obj: &Object) -> Vec<(String, QuantityError)> {
    let mut out = Vec::new();
    let (spec, prefix) = match obj {
        Object::Pod(p) => (p.spec.as_deref(), "spec".to_string()),
        Object::Deployment(d) => (d.spec.as_ref().and_then(|s| s.template.spec.as_ref()), "spec.template.spec".into()),
        Object::ReplicaSet(r) => (
            r.spec.as_ref().and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()),
            "spec.template.spec".into(),
        ),
        Object::Node(n) => {
            for (path, q) in node_quantities(n) {
                if let Err(e) = quantity::parse_nanos(&q.0) {
                    out.push((path, e));
                }
            }
            return out;
        }
        _ => return out,
    };
    let Some(spec) = spec else { return out };
    for (i, c) in spec.containers.iter().enumerate() {
        let Some(res) = c.resources.as_ref() else {
            continue;
        };
        for (field, list) in [("requests", res.requests.as_ref()), ("limits", res.limits.as_ref())] {
            for (k, q) in list.into_iter().flatten() {
                if let Err(e) = quantity::parse_nanos(&q.0) {
                    out.push((format!("{prefix}.containers[{i}].resources.{field}.{k}"), e));
                }
            }
        }
    }
    out
}

pub fn validate(obj: &Object) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let meta = obj.meta();
    match meta.name.as_deref() {
        None | Some("") if meta.generate_name.is_none() => {
            errs.push(FieldError {
                path: "metadata.name".into(),
                message: "metadata.name: Required value: name or generateName is required".into(),
            });
        }
        Some(n) if !n.is_empty() => {
            // A Service's name is a DNS-1035 label (ValidateServiceName), a Namespace's an RFC
            // 1123 label, every other kind's here an RFC 1123 subdomain.
            let msgs = match obj.kind() {
                Kind::Service => {
                    let pattern = is_dns1123_label_pattern(n) && n.starts_with(|c: char| c.is_ascii_lowercase());
                    name_errors(n, 63, pattern, DNS1035_LABEL_MSG)
                }
                Kind::Namespace => label_name_errors(n),
                _ => name_errors(n, 253, is_dns1123_subdomain_pattern(n), DNS1123_SUBDOMAIN_MSG),
            };
            for msg in msgs {
                errs.push(invalid("metadata.name", &format!("\"{n}\""), &msg));
            }
        }
        _ => {}
    }
    if let Some(ns) = meta.namespace.as_deref().filter(|ns| !ns.is_empty()) {
        for msg in label_name_errors(ns) {
            errs.push(invalid("metadata.namespace", &format!("\"{ns}\""), &msg));
        }
    }
    label_errors("metadata.labels", meta.labels.as_ref(), &mut errs);
    match obj {
        Object::Deployment(d) => {
            let Some(spec) = d.spec.as_ref() else {
                errs.push(required("spec.selector"));
                errs.push(required("spec.template.spec.containers"));
                return errs;
            };
            if let Some(r) = spec.replicas
                && r < 0
            {
                errs.push(invalid("spec.replicas", &r.to_string(), "must be greater than or equal to 0"));
            }
            validate_selector_and_template(&spec.selector, Some(&spec.template), &mut errs);
            if let Some(s) = spec.strategy.as_ref() {
                match s.type_.as_deref() {
                    Some("RollingUpdate") | Some("Recreate") | None => {}
                    Some(other) => errs.push(unsupported("spec.strategy.type", other, &["Recreate", "RollingUpdate"])),
                }
                if let Some(ru) = s.rolling_update.as_ref() {
                    if s.type_.as_deref() == Some("Recreate") {
                        errs.push(FieldError {
                            path: "spec.strategy.rollingUpdate".into(),
                            message: "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'".into(),
                        });
                    }
                    let replicas = spec.replicas.unwrap_or(1);
                    let surge = ru
                        .max_surge
                        .as_ref()
                        .map(|v| crate::controllers::deployment::int_or_percent(v, replicas, true));
                    let unav = ru
                        .max_unavailable
                        .as_ref()
                        .map(|v| crate::controllers::deployment::int_or_percent(v, replicas, false));
                    for (name, v) in [("maxSurge", &ru.max_surge), ("maxUnavailable", &ru.max_unavailable)] {
                        if let Some(val) = v
                            && let Err(e) = crate::controllers::deployment::check_int_or_percent(val)
                        {
                            errs.push(invalid(&format!("spec.strategy.rollingUpdate.{name}"), &e.0, &e.1));
                        }
                    }
                    if let (Some(Ok(0)), Some(Ok(0))) = (surge, unav)
                        && matches!(&ru.max_surge, Some(v) if is_zero(v))
                        && matches!(&ru.max_unavailable, Some(v) if is_zero(v))
                    {
                        errs.push(invalid(
                            "spec.strategy.rollingUpdate.maxUnavailable",
                            "0",
                            "may not be 0 when `maxSurge` is 0",
                        ));
                    }
                }
            }
            if let Some(p) = spec.progress_deadline_seconds
                && p <= spec.min_ready_seconds.unwrap_or(0)
            {
                errs.push(invalid(
                    "spec.progressDeadlineSeconds",
                    &p.to_string(),
                    "must be greater than minReadySeconds",
                ));
            }
        }
        Object::ReplicaSet(rs) => {
            let Some(spec) = rs.spec.as_ref() else {
                errs.push(required("spec.selector"));
                return errs;
            };
            if let Some(r) = spec.replicas
                && r < 0
            {
                errs.push(invalid("spec.replicas", &r.to_string(), "must be greater than or equal to 0"));
            }
            validate_selector_and_template(&spec.selector, spec.template.as_ref(), &mut errs);
        }
        Object::Service(s) => {
            let spec = s.spec.clone().unwrap_or_default();
            let ty = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
            if !["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(&ty.as_str()) {
                errs.push(unsupported("spec.type", &ty, &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]));
            }
            // `validateServicePort`: with more than one port each needs a name, and no two
            // the same (the endpoints' ports are told apart by name).
            let ports = spec.ports.as_deref().unwrap_or_default();
            let mut names = std::collections::BTreeSet::new();
            for (i, p) in ports.iter().enumerate() {
                let path = format!("spec.ports[{i}].name");
                match p.name.as_deref().filter(|n| !n.is_empty()) {
                    None if ports.len() > 1 => errs.push(required(&path)),
                    Some(n) if !names.insert(n) => {
                        errs.push(FieldError { message: format!("{path}: Duplicate value: \"{n}\""), path })
                    }
                    _ => {}
                }
            }
            for (i, p) in spec.ports.iter().flatten().enumerate() {
                if !(1..=65535).contains(&p.port) {
                    errs.push(invalid(
                        &format!("spec.ports[{i}].port"),
                        &p.port.to_string(),
                        "must be between 1 and 65535, inclusive",
                    ));
                }
                if let Some(np) = p.node_port {
                    if ty == "ClusterIP" {
                        errs.push(FieldError {
                            path: format!("spec.ports[{i}].nodePort"),
                            message: format!(
                                "spec.ports[{i}].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
                            ),
                        });
                    } else if !(30000..=32767).contains(&np) {
                        errs.push(invalid(
                            &format!("spec.ports[{i}].nodePort"),
                            &np.to_string(),
                            "provided port is not in the valid range. The range of valid ports is 30000-32767",
                        ));
                    }
                }
            }
        }
        Object::Pod(p) => match p.spec.as_ref() {
            None => errs.push(required("spec.containers")),
            Some(spec) => validate_pod_spec(spec, "spec", false, &mut errs),
        },
        // ValidateHorizontalPodAutoscalerSpec (pkg/apis/autoscaling/validation): minReplicas at
        // least 1 (HPAScaleToZero is alpha and off), maxReplicas above 0 and not below
        // minReplicas.
        Object::HorizontalPodAutoscaler(h) => {
            let spec = h.spec.clone().unwrap_or_default();
            if let Some(min) = spec.min_replicas
                && min < 1
            {
                errs.push(invalid("spec.minReplicas", &min.to_string(), "must be greater than or equal to 1"));
            }
            if spec.max_replicas < 1 {
                errs.push(invalid("spec.maxReplicas", &spec.max_replicas.to_string(), "must be greater than 0"));
            }
            if let Some(min) = spec.min_replicas
                && spec.max_replicas < min
            {
                errs.push(invalid(
                    "spec.maxReplicas",
                    &spec.max_replicas.to_string(),
                    "must be greater than or equal to `minReplicas`",
                ));
            }
        }
        // ValidateNode (pkg/apis/core/validation): every capacity and allocatable quantity goes
        // through ValidateResourceQuantityValue, which refuses a negative one. (A node may be
        // created with its status: nodeStrategy allows it.)
        Object::Node(n) => {
            for (path, q) in node_quantities(n) {
                if quantity::parse_nanos(&q.0).is_ok_and(|v| v < 0) {
                    errs.push(invalid(&path, &format!("\"{}\"", q.0), "must be greater than or equal to 0"));
                }
            }
        }
        _ => {}
    }
    errs
}

/// A node's capacity and allocatable quantities, each with its field path.
fn node_quantities(n: &Node) -> impl Iterator<Item = (String, &Quantity)> {
    let st = n.status.as_ref();
    [("capacity", st.and_then(|s| s.capacity.as_ref())), ("allocatable", st.and_then(|s| s.allocatable.as_ref()))]
        .into_iter()
        .flat_map(|(field, list)| list.into_iter().flatten().map(move |(k, q)| (format!("status.{field}.{k}"), q)))
}

fn is_zero(v: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> bool {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    match v {
        IntOrString::Int(0) => true,
        IntOrString::String(s) => s == "0%" || s == "0",
        _ => false,
    }
}

fn validate_selector_and_template(
    selector: &LabelSelector,
    template: Option<&PodTemplateSpec>,
    errs: &mut Vec<FieldError>,
) {
    label_errors("spec.selector.matchLabels", selector.match_labels.as_ref(), errs);
    let empty = selector.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && selector.match_expressions.as_ref().is_none_or(Vec::is_empty);
    if empty {
        errs.push(required("spec.selector"));
        errs.push(FieldError {
            path: "spec.selector".into(),
            message: "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment".into(),
        });
    }
    let Some(template) = template else {
        errs.push(required("spec.template"));
        return;
    };
    let labels = template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    if !empty && !crate::store::selector_matches(selector, &labels) {
        let shown: Vec<String> = labels.iter().map(|(k, v)| format!("\"{k}\":\"{v}\"")).collect();
        errs.push(FieldError {
            path: "spec.template.metadata.labels".into(),
            message: format!(
                "spec.template.metadata.labels: Invalid value: map[string]string{{{}}}: `selector` does not match template `labels`",
                shown.join(", ")
            ),
        });
    }
    label_errors("spec.template.metadata.labels", template.metadata.as_ref().and_then(|m| m.labels.as_ref()), errs);
    match template.spec.as_ref() {
        None => errs.push(required("spec.template.spec.containers")),
        Some(spec) => {
            validate_pod_spec(spec, "spec.template.spec", true, errs);
        }
    }
}

fn validate_pod_spec(spec: &PodSpec, path: &str, in_template: bool, errs: &mut Vec<FieldError>) {
    if spec.containers.is_empty() {
        errs.push(required(&format!("{path}.containers")));
    }
    for (i, c) in spec.containers.iter().enumerate() {
        validate_container(c, &format!("{path}.containers[{i}]"), errs);
    }
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        validate_container(c, &format!("{path}.initContainers[{i}]"), errs);
    }
    if let Some(rp) = spec.restart_policy.as_deref() {
        if in_template && rp != "Always" {
            errs.push(unsupported(&format!("{path}.restartPolicy"), rp, &["Always"]));
        } else if !["Always", "OnFailure", "Never"].contains(&rp) {
            errs.push(unsupported(&format!("{path}.restartPolicy"), rp, &["Always", "OnFailure", "Never"]));
        }
    }
    if let Some(g) = spec.termination_grace_period_seconds
        && g < 0
    {
        errs.push(invalid(
            &format!("{path}.terminationGracePeriodSeconds"),
            &g.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    validate_affinity_weights(spec, path, errs);
}

/// The weights of preferred affinity terms: 1 to 100 (ValidatePreferredSchedulingTerms for
/// node affinity, validateWeightedPodAffinityTerms for pod (anti-)affinity, in
/// pkg/apis/core/validation/validation.go). The scheduler sums them into a score, which must
/// stay between 0 and 100 once normalized.
fn validate_affinity_weights(spec: &PodSpec, path: &str, errs: &mut Vec<FieldError>) {
    let Some(a) = spec.affinity.as_ref() else { return };
    let mut check = |field: String, weight: i32| {
        if !(1..=100).contains(&weight) {
            errs.push(invalid(&field, &weight.to_string(), "must be in the range 1-100"));
        }
    };
    let preferred = "preferredDuringSchedulingIgnoredDuringExecution";
    for (i, t) in a
        .node_affinity
        .iter()
        .flat_map(|n| n.preferred_during_scheduling_ignored_during_execution.iter().flatten())
        .enumerate()
    {
        check(format!("{path}.affinity.nodeAffinity.{preferred}[{i}].weight"), t.weight);
    }
    for (name, terms) in [
        (
            "podAffinity",
            a.pod_affinity.as_ref().and_then(|p| p.preferred_during_scheduling_ignored_during_execution.as_ref()),
        ),
        (
            "podAntiAffinity",
            a.pod_anti_affinity.as_ref().and_then(|p| p.preferred_during_scheduling_ignored_during_execution.as_ref()),
        ),
    ] {
        for (i, t) in terms.into_iter().flatten().enumerate() {
            check(format!("{path}.affinity.{name}.{preferred}[{i}].weight"), t.weight);
        }
    }
}

fn validate_container(c: &Container, path: &str, errs: &mut Vec<FieldError>) {
    if c.name.is_empty() {
        errs.push(required(&format!("{path}.name")));
    } else {
        for msg in label_name_errors(&c.name) {
            errs.push(invalid(&format!("{path}.name"), &format!("\"{}\"", c.name), &msg));
        }
    }
    if c.image.as_deref().is_none_or(|s| s.trim().is_empty()) {
        errs.push(required(&format!("{path}.image")));
    }
    if let Some(p) = c.image_pull_policy.as_deref()
        && !["Always", "IfNotPresent", "Never"].contains(&p)
    {
        errs.push(unsupported(&format!("{path}.imagePullPolicy"), p, &["Always", "IfNotPresent", "Never"]));
    }
    for (j, port) in c.ports.iter().flatten().enumerate() {
        if !(1..=65535).contains(&port.container_port) {
            errs.push(invalid(
                &format!("{path}.ports[{j}].containerPort"),
                &port.container_port.to_string(),
                "must be between 1 and 65535, inclusive",
            ));
        }
    }
    if let Some(res) = c.resources.as_ref() {
        for (field, list) in [("requests", res.requests.as_ref()), ("limits", res.limits.as_ref())] {
            for (k, q) in list.into_iter().flatten() {
                if quantity::parse_nanos(&q.0).is_ok_and(|n| n < 0) {
                    errs.push(invalid(
                        &format!("{path}.resources.{field}.{k}"),
                        &format!("\"{}\"", q.0),
                        "must be greater than or equal to 0",
                    ));
                }
            }
        }
        if let (Some(req), Some(lim)) = (res.requests.as_ref(), res.limits.as_ref()) {
            for (k, r) in req {
                if let Some(l) = lim.get(k)
                    && let (Ok(rv), Ok(lv)) = (quantity::parse_nanos(&r.0), quantity::parse_nanos(&l.0))
                    && rv > lv
                {
                    errs.push(invalid(
                        &format!("{path}.resources.requests"),
                        &format!("\"{}\"", r.0),
                        &format!("must be less than or equal to {k} limit of {}", l.0),
                    ));
                }
            }
        }
    }
}

/// The message kubectl prints for an Invalid status (one cause inline, several as a list).
pub fn invalid_message(kind: Kind, name: &str, errs: &[FieldError]) -> String {
    let head = format!("The {} \"{name}\" is invalid: ", kind.name());
    if errs.len() == 1 {
        format!("{head}{}", errs[0].message)
    } else {
        let mut s = head;
        for e in errs {
            s.push_str("\n* ");
            s.push_str(&e.message);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Service};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn named(name: &str) -> ObjectMeta {
        ObjectMeta { name: Some(name.into()), ..Default::default() }
    }

    fn name_errors_of(obj: Object) -> Vec<String> {
        validate(&obj).into_iter().filter(|e| e.path == "metadata.name").map(|e| e.message).collect()
    }

    /// Object names as apimachinery's validation checks them (pkg/util/validation: the length
    /// and the pattern are separate errors; a subdomain has no limit per label; a Service's name
    /// is a DNS-1035 label, ValidateServiceName).
    #[test]
    fn names_are_checked_as_upstream_does() {
        let cm = |n: &str| {
            name_errors_of(Object::ConfigMap(Box::new(ConfigMap { metadata: named(n), ..Default::default() })))
        };
        let svc =
            |n: &str| name_errors_of(Object::Service(Box::new(Service { metadata: named(n), ..Default::default() })));
        let ns = |n: &str| {
            name_errors_of(Object::Namespace(Box::new(Namespace { metadata: named(n), ..Default::default() })))
        };
        // A subdomain of 100 characters without a dot, and one of 253 with labels over 63.
        assert!(cm(&"a".repeat(100)).is_empty());
        assert!(cm(&format!("{}.{}", "b".repeat(126), "c".repeat(126))).is_empty());
        let long = "a".repeat(254);
        assert_eq!(
            cm(&long),
            [format!("metadata.name: Invalid value: \"{long}\": must be no more than 253 characters")]
        );
        let bad = format!("{}_", "a".repeat(254));
        assert_eq!(cm(&bad).len(), 2, "{:?}", cm(&bad));
        assert_eq!(cm("Two_Bad"), [format!("metadata.name: Invalid value: \"Two_Bad\": {DNS1123_SUBDOMAIN_MSG}")]);
        // Labels: at most 63 characters.
        assert!(ns(&"n".repeat(63)).is_empty());
        assert_eq!(
            ns(&"n".repeat(64)),
            [format!("metadata.name: Invalid value: \"{}\": must be no more than 63 characters", "n".repeat(64))]
        );
        assert!(ns("1st").is_empty(), "an RFC 1123 label may start with a digit");
        // The same rule for an object's namespace and a container's name (ValidateDNS1123Label).
        let in_ns =
            ConfigMap { metadata: ObjectMeta { namespace: Some("n".repeat(64)), ..named("cm") }, ..Default::default() };
        let msgs: Vec<String> = validate(&Object::ConfigMap(Box::new(in_ns))).into_iter().map(|e| e.message).collect();
        assert_eq!(
            msgs,
            [format!("metadata.namespace: Invalid value: \"{}\": must be no more than 63 characters", "n".repeat(64))]
        );
        // A Service's name must start with a letter.
        assert!(svc("web-1").is_empty());
        assert_eq!(svc("1web"), [format!("metadata.name: Invalid value: \"1web\": {DNS1035_LABEL_MSG}")]);
        assert_eq!(svc("web.a"), [format!("metadata.name: Invalid value: \"web.a\": {DNS1035_LABEL_MSG}")]);
    }

    /// Labels as `ValidateLabels` checks them: keys are qualified names (prefix a DNS subdomain,
    /// name part at most 63 characters), values at most 63 characters of the label pattern.
    #[test]
    fn labels_are_checked_as_upstream_does() {
        let errs = |labels: &[(&str, &str)]| -> Vec<String> {
            let meta = ObjectMeta {
                name: Some("cm".into()),
                labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            };
            validate(&Object::ConfigMap(Box::new(ConfigMap { metadata: meta, ..Default::default() })))
                .into_iter()
                .map(|e| e.message)
                .collect()
        };
        assert!(errs(&[("app", "web"), ("example.com/tier", "Front_end.1"), ("empty", "")]).is_empty());
        let long = "v".repeat(64);
        assert_eq!(
            errs(&[("app", &long)]),
            [format!("metadata.labels: Invalid value: \"{long}\": must be no more than 63 characters")]
        );
        assert_eq!(errs(&[("app", "-web")]), [format!("metadata.labels: Invalid value: \"-web\": {LABEL_VALUE_MSG}")]);
        assert_eq!(
            errs(&[("bad key", "x")]),
            [format!("metadata.labels: Invalid value: \"bad key\": name part {QUALIFIED_NAME_MSG}")]
        );
        assert_eq!(errs(&[("/x", "x")]), ["metadata.labels: Invalid value: \"/x\": prefix part must be non-empty"]);
        assert_eq!(
            errs(&[("Ex.com/x", "x")]),
            [format!("metadata.labels: Invalid value: \"Ex.com/x\": prefix part {DNS1123_SUBDOMAIN_MSG}")]
        );
        assert_eq!(errs(&[("a/b/c", "x")]).len(), 1);
        let key = format!("app.kubernetes.io/{}", "k".repeat(64));
        assert_eq!(
            errs(&[(&key, "x")]),
            [format!("metadata.labels: Invalid value: \"{key}\": name part must be no more than 63 characters")]
        );
    }
}
