//! Manifests in, objects out: YAML -> JSON (with positions) -> upstream API types
//! (k8s-openapi), with kubectl's strict field validation, API defaulting and validation.

pub mod defaults;
pub mod emit;
pub mod pod;
pub mod quantity;
pub mod validation;
pub mod yaml;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Secret, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
pub use pod::Pod;
use serde_json::Value;

use crate::diag::Diagnostic;

/// The kinds kubeplay simulates, in the order `kubectl get all` and the store list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    Namespace,
    Node,
    StorageClass,
    PersistentVolume,
    PersistentVolumeClaim,
    ConfigMap,
    Secret,
    Service,
    Endpoints,
    EndpointSlice,
    Pod,
    ReplicaSet,
    Deployment,
    HorizontalPodAutoscaler,
    Ingress,
}

impl Kind {
    pub const ALL: [Kind; 15] = [
        Kind::Namespace,
        Kind::Node,
        Kind::StorageClass,
        Kind::PersistentVolume,
        Kind::PersistentVolumeClaim,
        Kind::ConfigMap,
        Kind::Secret,
        Kind::Service,
        Kind::Endpoints,
        Kind::EndpointSlice,
        Kind::Pod,
        Kind::ReplicaSet,
        Kind::Deployment,
        Kind::HorizontalPodAutoscaler,
        Kind::Ingress,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Node => "Node",
            Kind::StorageClass => "StorageClass",
            Kind::PersistentVolume => "PersistentVolume",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::Service => "Service",
            Kind::Endpoints => "Endpoints",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Pod => "Pod",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::Deployment => "Deployment",
            Kind::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
            Kind::Ingress => "Ingress",
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Kind::ReplicaSet | Kind::Deployment => "apps/v1",
            Kind::StorageClass => "storage.k8s.io/v1",
            Kind::EndpointSlice => "discovery.k8s.io/v1",
            Kind::HorizontalPodAutoscaler => "autoscaling/v2",
            Kind::Ingress => "networking.k8s.io/v1",
            _ => "v1",
        }
    }

    /// The resource name kubectl prints (`deployment.apps`, `pod`).
    pub fn resource(self) -> &'static str {
        match self {
            Kind::Namespace => "namespace",
            Kind::Node => "node",
            Kind::StorageClass => "storageclass.storage.k8s.io",
            Kind::PersistentVolume => "persistentvolume",
            Kind::PersistentVolumeClaim => "persistentvolumeclaim",
            Kind::ConfigMap => "configmap",
            Kind::Secret => "secret",
            Kind::Service => "service",
            Kind::Endpoints => "endpoints",
            Kind::EndpointSlice => "endpointslice.discovery.k8s.io",
            Kind::Pod => "pod",
            Kind::ReplicaSet => "replicaset.apps",
            Kind::Deployment => "deployment.apps",
            Kind::HorizontalPodAutoscaler => "horizontalpodautoscaler.autoscaling",
            Kind::Ingress => "ingress.networking.k8s.io",
        }
    }

    /// The plural resource as it appears in API errors (`deployments.apps "x" not found`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Namespace => "namespaces",
            Kind::Node => "nodes",
            Kind::StorageClass => "storageclasses.storage.k8s.io",
            Kind::PersistentVolume => "persistentvolumes",
            Kind::PersistentVolumeClaim => "persistentvolumeclaims",
            Kind::ConfigMap => "configmaps",
            Kind::Secret => "secrets",
            Kind::Service => "services",
            Kind::Endpoints => "endpoints",
            Kind::EndpointSlice => "endpointslices.discovery.k8s.io",
            Kind::Pod => "pods",
            Kind::ReplicaSet => "replicasets.apps",
            Kind::Deployment => "deployments.apps",
            Kind::HorizontalPodAutoscaler => "horizontalpodautoscalers.autoscaling",
            Kind::Ingress => "ingresses.networking.k8s.io",
        }
    }

    pub fn namespaced(self) -> bool {
        !matches!(self, Kind::Namespace | Kind::Node | Kind::StorageClass | Kind::PersistentVolume)
    }

    /// Resolves what a learner types after `kubectl get` (names, plurals, short names).
    pub fn from_arg(s: &str) -> Option<Kind> {
        let s = s.to_ascii_lowercase();
        let s = s.split('.').next().unwrap_or("");
        Some(match s {
            "ns" | "namespace" | "namespaces" => Kind::Namespace,
            "no" | "node" | "nodes" => Kind::Node,
            "sc" | "storageclass" | "storageclasses" => Kind::StorageClass,
            "pv" | "persistentvolume" | "persistentvolumes" => Kind::PersistentVolume,
            "pvc" | "persistentvolumeclaim" | "persistentvolumeclaims" => Kind::PersistentVolumeClaim,
            "cm" | "configmap" | "configmaps" => Kind::ConfigMap,
            "secret" | "secrets" => Kind::Secret,
            "svc" | "service" | "services" => Kind::Service,
            "ep" | "endpoints" => Kind::Endpoints,
            "endpointslice" | "endpointslices" => Kind::EndpointSlice,
            "po" | "pod" | "pods" => Kind::Pod,
            "rs" | "replicaset" | "replicasets" => Kind::ReplicaSet,
            "deploy" | "deployment" | "deployments" => Kind::Deployment,
            "hpa" | "horizontalpodautoscaler" | "horizontalpodautoscalers" => Kind::HorizontalPodAutoscaler,
            "ing" | "ingress" | "ingresses" => Kind::Ingress,
            _ => return None,
        })
    }

    fn from_type(api_version: &str, kind: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == kind && k.api_version() == api_version)
    }
}

/// One API object of a simulated kind, as the upstream types hold it, each boxed: an object
/// then costs its own size. Inline, every object was as large as the largest kind (a Deployment,
/// 2.4 KB), so 100,000 ConfigMaps of 430 bytes took 240 MB in the store (docs/robustness.md).
#[derive(Clone, Debug, PartialEq)]
pub enum Object {
    Namespace(Box<Namespace>),
    Node(Box<Node>),
    StorageClass(Box<StorageClass>),
    PersistentVolume(Box<PersistentVolume>),
    PersistentVolumeClaim(Box<PersistentVolumeClaim>),
    ConfigMap(Box<ConfigMap>),
    Secret(Box<Secret>),
    Service(Box<Service>),
    Endpoints(Box<Endpoints>),
    EndpointSlice(Box<EndpointSlice>),
    Pod(Box<Pod>),
    ReplicaSet(Box<ReplicaSet>),
    Deployment(Box<Deployment>),
    HorizontalPodAutoscaler(Box<HorizontalPodAutoscaler>),
    Ingress(Box<Ingress>),
}

macro_rules! each_object {
    ($self:expr, $o:ident => $body:expr) => {
        match $self {
            Object::Namespace($o) => $body,
            Object::Node($o) => $body,
            Object::StorageClass($o) => $body,
            Object::PersistentVolume($o) => $body,
            Object::PersistentVolumeClaim($o) => $body,
            Object::ConfigMap($o) => $body,
            Object::Secret($o) => $body,
            Object::Service($o) => $body,
            Object::Endpoints($o) => $body,
            Object::EndpointSlice($o) => $body,
            Object::Pod($o) => $body,
            Object::ReplicaSet($o) => $body,
            Object::Deployment($o) => $body,
            Object::HorizontalPodAutoscaler($o) => $body,
            Object::Ingress($o) => $body,
        }
    };
}

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::Namespace(_) => Kind::Namespace,
            Object::Node(_) => Kind::Node,
            Object::StorageClass(_) => Kind::StorageClass,
            Object::PersistentVolume(_) => Kind::PersistentVolume,
            Object::PersistentVolumeClaim(_) => Kind::PersistentVolumeClaim,
            Object::ConfigMap(_) => Kind::ConfigMap,
            Object::Secret(_) => Kind::Secret,
            Object::Service(_) => Kind::Service,
            Object::Endpoints(_) => Kind::Endpoints,
            Object::EndpointSlice(_) => Kind::EndpointSlice,
            Object::Pod(_) => Kind::Pod,
            Object::ReplicaSet(_) => Kind::ReplicaSet,
            Object::Deployment(_) => Kind::Deployment,
            Object::HorizontalPodAutoscaler(_) => Kind::HorizontalPodAutoscaler,
            Object::Ingress(_) => Kind::Ingress,
        }
    }

    pub fn meta(&self) -> &ObjectMeta {
        each_object!(self, o => &o.metadata)
    }

    pub fn meta_mut(&mut self) -> &mut ObjectMeta {
        each_object!(self, o => &mut o.metadata)
    }

    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or("")
    }

    /// The object as the API returns it in JSON (apiVersion and kind first).
    pub fn to_json(&self) -> Value {
        let body = json_value(each_object!(self, o => serde_json::to_string(o)));
        let mut out = serde_json::Map::new();
        out.insert("apiVersion".into(), Value::String(self.kind().api_version().into()));
        out.insert("kind".into(), Value::String(self.kind().name().into()));
        if let Ok(Value::Object(m)) = body {
            for (k, v) in m {
                if k != "apiVersion" && k != "kind" {
                    out.insert(k, v);
                }
            }
        }
        Value::Object(out)
    }

    /// Decodes JSON into the typed object of `kind`, strictly: a field the type does not know is
    /// an error naming its path, as the API server's strict field validation reports it.
    pub fn from_json(kind: Kind, v: &Value) -> Result<Object, String> {
        Object::from_json_at(kind, v).map_err(|(message, _)| message)
    }

    /// [`Object::from_json`], with the error's field path (with list indices, `spec.x[0].y`;
    /// empty when the error is about no one field).
    pub fn from_json_at(kind: Kind, v: &Value) -> Result<Object, (String, String)> {
        let decode_error = |path: String, inner: String| {
            if let Some(q) = inner.strip_prefix("quantity: ") {
                q.to_string()
            } else if let Some(go) = go_type_error(kind, &path, &inner) {
                go
            } else if path == "." {
                format!("json: {inner}")
            } else {
                format!("json: {inner} at \"{path}\"")
            }
        };
        fn decode<T: serde::de::DeserializeOwned>(
            v: &Value,
            decode_error: &dyn Fn(String, String) -> String,
        ) -> Result<T, (String, String)> {
            let (typed, unknown) = crate::pathde::deserialize_strict::<T>(v).map_err(|e| {
                let message = decode_error(e.path.clone(), e.error.to_string());
                (message, if e.path == "." { String::new() } else { e.path })
            })?;
            if !unknown.is_empty() {
                let list: Vec<String> = unknown.iter().map(|u| format!("unknown field \"{u}\"")).collect();
                return Err((format!("strict decoding error: {}", list.join(", ")), unknown[0].clone()));
            }
            Ok(typed)
        }
        Ok(match kind {
            Kind::Namespace => Object::Namespace(decode(v, &decode_error)?),
            Kind::Node => Object::Node(decode(v, &decode_error)?),
            Kind::StorageClass => Object::StorageClass(decode(v, &decode_error)?),
            Kind::PersistentVolume => Object::PersistentVolume(Box::new(decode(v, &decode_error)?)),
            Kind::PersistentVolumeClaim => Object::PersistentVolumeClaim(decode(v, &decode_error)?),
            Kind::ConfigMap => Object::ConfigMap(decode(v, &decode_error)?),
            Kind::Secret => Object::Secret(decode(v, &decode_error)?),
            Kind::Service => Object::Service(decode(v, &decode_error)?),
            Kind::Endpoints => Object::Endpoints(decode(v, &decode_error)?),
            Kind::EndpointSlice => Object::EndpointSlice(decode(v, &decode_error)?),
            Kind::Pod => Object::Pod(decode(v, &decode_error)?),
            Kind::ReplicaSet => Object::ReplicaSet(decode(v, &decode_error)?),
            Kind::Deployment => Object::Deployment(decode(v, &decode_error)?),
            Kind::HorizontalPodAutoscaler => Object::HorizontalPodAutoscaler(decode(v, &decode_error)?),
            Kind::Ingress => Object::Ingress(decode(v, &decode_error)?),
        })
    }
}

/// A typed object as a JSON value, by way of its JSON text. `serde_json::to_value` would give the
/// same value, but the page already needs every upstream type's Serialize code for the text
/// serializer (the pod-template hash, `last-applied-configuration`), and a second serializer would
/// hold all of it again (docs/size.md).
fn json_value(text: serde_json::Result<String>) -> serde_json::Result<Value> {
    serde_json::from_str(&text?)
}

/// A type mismatch in kubectl's words. The API server decodes with sigs.k8s.io/json, a fork of
/// Go's encoding/json, whose `UnmarshalTypeError` reads `json: cannot unmarshal number 1e+100
/// into Go struct field DeploymentSpec.spec.replicas of type int32` (the value's JSON kind, and
/// for numbers the literal kubectl sent; the Go struct that holds the field; the field path
/// without list indices; the Go type). Translated from serde's message for scalar fields under
/// the structs a learner writes; `None` leaves serde's own wording.
fn go_type_error(kind: Kind, path: &str, serde_msg: &str) -> Option<String> {
    let rest = serde_msg.strip_prefix("invalid type: ").or_else(|| serde_msg.strip_prefix("invalid value: "))?;
    let (got, expected) = rest.rsplit_once(", expected ")?;
    let go_type = match expected {
        "i32" => "int32",
        "i64" => "int64",
        "u16" => "uint16",
        "a string" => "string",
        "a boolean" => "bool",
        _ => return None,
    };
    let literal = |s: &str| s.trim_start_matches(|c| c != '`').trim_matches('`').to_string();
    let value = if got.starts_with("floating point") {
        let f: f64 = literal(got).parse().ok()?;
        format!("number {}", go_float(f))
    } else if got.starts_with("integer") {
        format!("number {}", literal(got))
    } else if got.starts_with("string") {
        "string".to_string()
    } else if got.starts_with("boolean") {
        "bool".to_string()
    } else if got == "map" {
        "object".to_string()
    } else if got == "sequence" {
        "array".to_string()
    } else {
        return None;
    };
    // Go's field path has no list indices.
    let mut field = String::new();
    let mut in_index = false;
    for ch in path.chars() {
        match ch {
            '[' => in_index = true,
            ']' => in_index = false,
            c if !in_index => field.push(c),
            _ => {}
        }
    }
    let parent = path.rsplit_once('.').map_or("", |(p, _)| p);
    let parent_norm: String = {
        let mut out = String::new();
        let mut skip = false;
        for ch in parent.chars() {
            match ch {
                '[' => {
                    skip = true;
                    out.push_str("[]");
                }
                ']' => skip = false,
                c if !skip => out.push(c),
                _ => {}
            }
        }
        out
    };
    let last = parent_norm.rsplit('.').next().unwrap_or("");
    let go_struct = match (parent_norm.as_str(), last) {
        ("", _) => kind.name().to_string(),
        (_, "metadata") => "ObjectMeta".into(),
        ("spec", _) => format!("{}Spec", kind.name()),
        (_, "template") => "PodTemplateSpec".into(),
        ("spec.template.spec", _) => "PodSpec".into(),
        (_, "containers[]" | "initContainers[]") => "Container".into(),
        ("spec.ports[]", _) if kind == Kind::Service => "ServicePort".into(),
        (p, "ports[]") if p.contains("containers[]") => "ContainerPort".into(),
        (_, "resources") => "ResourceRequirements".into(),
        (_, "env[]") => "EnvVar".into(),
        (_, "livenessProbe" | "readinessProbe" | "startupProbe") => "Probe".into(),
        (_, "httpGet") => "HTTPGetAction".into(),
        (_, "tcpSocket") => "TCPSocketAction".into(),
        ("spec.strategy", _) if kind == Kind::Deployment => "DeploymentStrategy".into(),
        ("spec.strategy.rollingUpdate", _) => "RollingUpdateDeployment".into(),
        (_, "selector") if kind != Kind::Service => "LabelSelector".into(),
        (_, "volumeMounts[]") => "VolumeMount".into(),
        _ => return None,
    };
    Some(format!("json: cannot unmarshal {value} into Go struct field {go_struct}.{field} of type {go_type}"))
}

/// A float as Go's encoding/json writes it (what kubectl sends after converting YAML to JSON):
/// plain decimal from 1e-6 up to 1e21, else exponent form with an explicit sign (`1e+100`).
fn go_float(f: f64) -> String {
    let a = f.abs();
    if a == 0.0 || (1e-6..1e21).contains(&a) {
        format!("{f}")
    } else {
        let e = format!("{f:e}");
        match e.split_once('e') {
            Some((m, exp)) if !exp.starts_with('-') => format!("{m}e+{exp}"),
            _ => e,
        }
    }
}

/// One document of a manifest file, decoded far enough to know what it is.
#[derive(Clone, Debug)]
pub struct Manifest {
    pub kind: Kind,
    pub name: String,
    /// The namespace the manifest names, if any.
    pub namespace: Option<String>,
    /// The manifest as JSON (as written, before defaulting).
    pub value: Value,
    pub doc: yaml::Document,
}

/// A document that could not be understood at all: its error in kubectl's words.
#[derive(Clone, Debug)]
pub struct ManifestError {
    pub output: String,
    pub diagnostic: Diagnostic,
}

/// A manifest file as kubectl reads it: each document before the first one that does not parse
/// (a [`Manifest`], or a [`ManifestError`] for a document that parses but is not an object
/// kubectl can send), and that one's error.
#[derive(Debug, Default)]
pub struct ManifestFile {
    pub docs: Vec<Result<Manifest, ManifestError>>,
    pub stopped: Option<ManifestError>,
}

/// Reads a manifest file. kubectl decodes a file document by document and stops at the first
/// that is not YAML (k8s.io/cli-runtime `StreamVisitor.Visit`, "error parsing FILE: ..."); the
/// documents before it are still applied (the builder's `ContinueOnError`, and `apply`'s
/// `Run` applies the objects it got before it reports the error). The line in that message is
/// counted from the start of the broken document, as kubectl splits the file at `---` lines and
/// decodes each part alone; the editor's diagnostic keeps the file's line.
pub fn read_manifests(file: &str, text: &str) -> ManifestFile {
    let parsed = yaml::parse_documents(text);
    let stopped = parsed.error.map(|e| ManifestError {
        output: if e.reader {
            format!("error: error parsing {file}: {}", e.message)
        } else {
            format!(
                "error: error parsing {file}: error converting YAML to JSON: yaml: line {}: {}",
                yaml::line_in_document(text, e.line),
                e.message
            )
        },
        diagnostic: Diagnostic::new(file, e.line, e.column, e.message.clone()),
    });
    ManifestFile { docs: parsed.docs.into_iter().map(|doc| read_one(file, doc)).collect(), stopped }
}

fn read_one(file: &str, doc: yaml::Document) -> Result<Manifest, ManifestError> {
    let err = |path: &str, output: String, message: String| {
        let (line, col) = doc.line_of(path);
        Err(ManifestError {
            output,
            diagnostic: Diagnostic::new(file, line, col, message).with_field(path.to_string()),
        })
    };
    let Value::Object(map) = &doc.value else {
        let msg = "error validating data: the document is not a YAML mapping of fields".to_string();
        return err("", format!("error: error validating \"{file}\": {msg}"), msg);
    };
    let not_set = |what: &str| {
        format!(
            "error: error validating \"{file}\": error validating data: {what} not set; if you choose to ignore these errors, turn validation off with --validate=false"
        )
    };
    let api_version = match map.get("apiVersion") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return err("apiVersion", not_set("apiVersion"), "apiVersion not set".into());
        }
    };
    let kind_name = match map.get("kind") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return err("kind", not_set("kind"), "kind not set".into()),
    };
    let metadata = map.get("metadata");
    let name = metadata.and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("").to_string();
    let namespace = metadata.and_then(|m| m.get("namespace")).and_then(Value::as_str).map(str::to_string);
    let Some(kind) = Kind::from_type(&api_version, &kind_name) else {
        let (group_version, version) = match api_version.split_once('/') {
            Some((_, v)) => (api_version.clone(), v.to_string()),
            None => (api_version.clone(), api_version.clone()),
        };
        let _ = group_version;
        let msg = format!(
            "resource mapping not found for name: \"{name}\" namespace: \"{}\" from \"{file}\": no matches for kind \"{kind_name}\" in version \"{api_version}\"\nensure CRDs are installed first",
            namespace.clone().unwrap_or_default()
        );
        let _ = version;
        return err(
            "kind",
            format!("error: {msg}"),
            format!(
                "no matches for kind \"{kind_name}\" in version \"{api_version}\" (kubeplay simulates: Namespace, Node, Pod, ReplicaSet, Deployment, Service, ConfigMap, Secret, PersistentVolume, PersistentVolumeClaim, StorageClass)"
            ),
        );
    };
    // The value moves out of the document (only its positions are needed later): a 100,000-object
    // apply must not hold every object twice.
    let mut doc = doc;
    let value = std::mem::take(&mut doc.value);
    Ok(Manifest { kind, name, namespace, value, doc })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Paths of fields present in `input` that the typed round trip dropped: fields the type does
    /// not have. `null` values are not fields.
    fn unknown_fields(input: &Value, typed: &Value, path: &str, out: &mut Vec<String>) {
        match (input, typed) {
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in a {
                    let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    if path.is_empty() && (k == "apiVersion" || k == "kind") {
                        continue;
                    }
                    match b.get(k) {
                        Some(bv) => unknown_fields(v, bv, &p, out),
                        None if v.is_null() => {}
                        None => out.push(p),
                    }
                }
            }
            (Value::Array(a), Value::Array(b)) => {
                for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                    unknown_fields(x, y, &format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }

    /// Strict decoding's unknown fields, the way it was done before `pathde::deserialize_strict`:
    /// the fields of the input the typed round trip dropped. None when the input does not decode.
    fn unknown_by_round_trip(kind: Kind, v: &Value) -> Option<Vec<String>> {
        let obj = lenient(kind, v)?;
        let mut out = Vec::new();
        unknown_fields(v, &obj.to_json(), "", &mut out);
        Some(out)
    }

    fn lenient(kind: Kind, v: &Value) -> Option<Object> {
        fn d<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
            crate::pathde::deserialize(v).ok()
        }
        Some(match kind {
            Kind::Namespace => Object::Namespace(d(v)?),
            Kind::Node => Object::Node(d(v)?),
            Kind::StorageClass => Object::StorageClass(d(v)?),
            Kind::PersistentVolume => Object::PersistentVolume(Box::new(d(v)?)),
            Kind::PersistentVolumeClaim => Object::PersistentVolumeClaim(d(v)?),
            Kind::ConfigMap => Object::ConfigMap(d(v)?),
            Kind::Secret => Object::Secret(d(v)?),
            Kind::Service => Object::Service(d(v)?),
            Kind::Endpoints => Object::Endpoints(d(v)?),
            Kind::EndpointSlice => Object::EndpointSlice(d(v)?),
            Kind::Pod => Object::Pod(d(v)?),
            Kind::ReplicaSet => Object::ReplicaSet(d(v)?),
            Kind::Deployment => Object::Deployment(d(v)?),
            Kind::HorizontalPodAutoscaler => Object::HorizontalPodAutoscaler(d(v)?),
            Kind::Ingress => Object::Ingress(d(v)?),
        })
    }

    /// The unknown fields strict decoding reports, or None when the input does not decode.
    fn unknown_by_strict_decoding(kind: Kind, v: &Value) -> Option<Vec<String>> {
        match Object::from_json_at(kind, v) {
            Ok(_) => Some(Vec::new()),
            Err((msg, _)) => {
                let list = msg.strip_prefix("strict decoding error: unknown field \"")?.strip_suffix('"')?;
                Some(list.split("\", unknown field \"").map(str::to_string).collect())
            }
        }
    }

    /// Every object node of `v` (a path of keys and indices), for planting fields.
    fn object_paths(v: &Value, at: &mut Vec<Result<String, usize>>, out: &mut Vec<Vec<Result<String, usize>>>) {
        match v {
            Value::Object(m) => {
                out.push(at.clone());
                for (k, x) in m {
                    at.push(Ok(k.clone()));
                    object_paths(x, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    at.push(Err(i));
                    object_paths(x, at, out);
                    at.pop();
                }
            }
            _ => {}
        }
    }

    fn at_mut<'a>(v: &'a mut Value, path: &[Result<String, usize>]) -> &'a mut Value {
        path.iter().fold(v, |v, seg| match seg {
            Ok(k) => &mut v[k.as_str()],
            Err(i) => &mut v[*i],
        })
    }

    fn manifests_in_repo() -> Vec<(String, Manifest)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        for dir in ["fuzz/seeds/manifest", "web/workspaces/course/deploy/k8s"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                files.push(entry.unwrap().path());
            }
        }
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for m in read_manifests("f.yaml", &text).docs.into_iter().flatten() {
                out.push((f.display().to_string(), m));
            }
        }
        assert!(out.len() >= 12, "the course's manifests and the fuzz seeds");
        out
    }

    /// The unknown fields `pathde::deserialize_strict` reports (every field k8s-openapi skipped as
    /// `IgnoredAny`) are the ones the typed round trip drops, which is how kubeplay found them
    /// before: for every object of the course's manifests and the fuzz seeds, planted with an
    /// unknown field, an unknown subtree, a `null` unknown field and, at the root, `kind`'s
    /// neighbours, in every object node in turn.
    #[test]
    fn strict_decoding_finds_the_fields_the_round_trip_drops() {
        let mut checked = 0;
        for (file, m) in manifests_in_repo() {
            assert_eq!(unknown_by_strict_decoding(m.kind, &m.value), Some(vec![]), "{file}");
            let mut paths = Vec::new();
            object_paths(&m.value, &mut Vec::new(), &mut paths);
            for path in paths {
                let mut v = m.value.clone();
                let node = at_mut(&mut v, &path);
                node["zzPlanted"] = serde_json::json!(1);
                node["aPlanted"] = serde_json::json!({"x": {"y": [1, 2]}});
                node["nullPlanted"] = Value::Null;
                let strict = unknown_by_strict_decoding(m.kind, &v);
                let round_trip = unknown_by_round_trip(m.kind, &v);
                assert_eq!(strict, round_trip, "{file} at {path:?}");
                // Somewhere in a manifest an object is a free-form map (labels, data): planting
                // there is a valid key, so not every plant is unknown, but most are.
                if strict.as_ref().is_some_and(|u| !u.is_empty()) {
                    checked += 1;
                }
            }
        }
        assert!(checked > 100, "only {checked} planted objects had unknown fields");
    }

    /// The same comparison over a libFuzzer corpus of the `manifest` target (not in git; run
    /// `KUBEPLAY_CORPUS=fuzz/corpus/manifest cargo test -p kubeplay-model --lib -- --ignored
    /// strict_decoding_matches_the_round_trip_on_a_corpus`).
    #[test]
    #[ignore]
    fn strict_decoding_matches_the_round_trip_on_a_corpus() {
        let dir = std::env::var("KUBEPLAY_CORPUS").expect("KUBEPLAY_CORPUS names a corpus directory");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir);
        let (mut docs, mut unknown) = (0, 0);
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let Ok(text) = std::str::from_utf8(&bytes) else { continue };
            let read = read_manifests("f.yaml", text);
            if read.stopped.is_some() {
                continue;
            }
            let ms = read.docs;
            for m in ms.into_iter().flatten() {
                let strict = unknown_by_strict_decoding(m.kind, &m.value);
                assert_eq!(strict, unknown_by_round_trip(m.kind, &m.value), "{text}");
                docs += 1;
                unknown += usize::from(strict.is_some_and(|u| !u.is_empty()));
            }
        }
        assert!(docs > 0, "no manifest documents in the corpus");
        println!("{docs} documents, {unknown} with unknown fields: the same as the round trip");
    }

    #[test]
    fn strict_decoding_names_the_unknown_field() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        imagePullPolice: Always\n";
        let m = read_manifests("d.yaml", text).docs.remove(0).unwrap();
        let err = Object::from_json(m.kind, &m.value).unwrap_err();
        assert_eq!(err, "strict decoding error: unknown field \"spec.template.spec.containers[0].imagePullPolice\"");
        assert_eq!(m.doc.line_of("spec.template.spec.containers[0].imagePullPolice"), (15, 9));
    }

    #[test]
    fn bad_quantity_is_a_decoding_error() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: nginx\n    resources: {requests: {memory: 500mi}}\n";
        let m = read_manifests("p.yaml", text).docs.remove(0).unwrap();
        let obj = Object::from_json(m.kind, &m.value).unwrap();
        // k8s-openapi keeps quantities as strings; validation parses them (validation.rs).
        assert_eq!(obj.kind(), Kind::Pod);
    }

    #[test]
    fn unknown_kind_and_missing_kind() {
        let r = read_manifests("x.yaml", "apiVersion: v1\nkind: Potato\nmetadata: {name: a}\n").docs;
        let e = r[0].as_ref().unwrap_err();
        assert!(e.output.contains("no matches for kind \"Potato\" in version \"v1\""), "{}", e.output);
        let r = read_manifests("x.yaml", "apiVersion: v1\nmetadata: {name: a}\n").docs;
        assert!(r[0].as_ref().unwrap_err().output.contains("kind not set"));
    }

    #[test]
    fn syntax_error_fails_the_file() {
        let e = read_manifests("x.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n").stopped.unwrap();
        assert!(
            e.output.starts_with("error: error parsing x.yaml: error converting YAML to JSON: yaml: line "),
            "{}",
            e.output
        );
        assert!(e.diagnostic.line >= 3);
    }
}

/// Field paths (indices dropped) whose meaning kubeplay simulates today, per kind. Everything
/// else is accepted, stored and shown, and named in a "not simulated" warning on apply. A kind's
/// pod spec (see [`pod_spec_path`]) is covered field by field in [`not_simulated`].
fn simulated_prefixes(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &["apiVersion", "kind", "metadata", "spec", "status"],
        Kind::Deployment => &[
            "apiVersion",
            "kind",
            "metadata",
            "spec.replicas",
            "spec.selector",
            "spec.template.metadata",
            "spec.template.spec",
            "spec.strategy",
            "spec.minReadySeconds",
            "spec.revisionHistoryLimit",
            "spec.progressDeadlineSeconds",
            "spec.paused",
            "status",
        ],
        Kind::ReplicaSet => &[
            "apiVersion",
            "kind",
            "metadata",
            "spec.replicas",
            "spec.selector",
            "spec.template.metadata",
            "spec.template.spec",
            "spec.minReadySeconds",
            "status",
        ],
        Kind::Node => &[
            "apiVersion",
            "kind",
            "metadata",
            "spec.taints",
            "spec.unschedulable",
            "status.capacity",
            "status.allocatable",
        ],
        // Ports and selector decide whether a pod's dependency (DB_HOST=postgres) answers;
        // routing and load balancing come with the networking issue.
        Kind::Service => &[
            "apiVersion",
            "kind",
            "metadata",
            "spec.type",
            "spec.clusterIP",
            "spec.clusterIPs",
            "spec.ports",
            "spec.selector",
            "status",
        ],
        Kind::StorageClass => &["apiVersion", "kind", "metadata", "provisioner", "reclaimPolicy", "volumeBindingMode"],
        Kind::PersistentVolume => &[
            "apiVersion",
            "kind",
            "metadata",
            "spec.capacity",
            "spec.accessModes",
            "spec.storageClassName",
            "spec.persistentVolumeReclaimPolicy",
            "spec.claimRef",
            "spec.hostPath",
            "status",
        ],
        Kind::PersistentVolumeClaim => &[
            "apiVersion",
            "kind",
            "metadata",
            "spec.accessModes",
            "spec.resources",
            "spec.storageClassName",
            "spec.volumeName",
            "status",
        ],
        Kind::HorizontalPodAutoscaler => &[
            "apiVersion",
            "kind",
            "metadata",
            "spec.scaleTargetRef",
            "spec.minReplicas",
            "spec.maxReplicas",
            "spec.metrics",
            "status",
        ],
        Kind::Ingress => {
            &["apiVersion", "kind", "metadata", "spec.rules", "spec.defaultBackend", "spec.ingressClassName", "status"]
        }
        Kind::Namespace | Kind::ConfigMap | Kind::Secret | Kind::Endpoints | Kind::EndpointSlice => &[""],
    }
}

/// Where the pod spec sits in a kind, if it has one.
fn pod_spec_path(kind: Kind) -> Option<&'static str> {
    match kind {
        Kind::Pod => Some("spec"),
        Kind::Deployment | Kind::ReplicaSet => Some("spec.template.spec"),
        _ => None,
    }
}

/// Fields the manifest sets that kubeplay does not simulate (the shallowest such path each).
pub fn not_simulated(kind: Kind, value: &Value) -> Vec<String> {
    const POD_SPEC: &[&str] = &[
        "containers.name",
        "containers.image",
        "containers.imagePullPolicy",
        "containers.ports",
        "containers.resources",
        "containers.terminationMessagePath",
        "containers.terminationMessagePolicy",
        "containers.env",
        "containers.envFrom",
        "containers.command",
        "containers.args",
        "containers.livenessProbe",
        "containers.readinessProbe",
        "containers.startupProbe",
        "containers.lifecycle.preStop",
        "containers.volumeMounts",
        "volumes",
        "initContainers.name",
        "initContainers.image",
        "initContainers.imagePullPolicy",
        "initContainers.restartPolicy",
        "initContainers.ports",
        "initContainers.command",
        "initContainers.args",
        "initContainers.env",
        "initContainers.envFrom",
        "initContainers.resources",
        "initContainers.startupProbe",
        "initContainers.readinessProbe",
        "initContainers.livenessProbe",
        "initContainers.terminationMessagePath",
        "initContainers.terminationMessagePolicy",
        "nodeSelector",
        "nodeName",
        "affinity.nodeAffinity",
        "tolerations",
        "schedulerName",
        "restartPolicy",
        "terminationGracePeriodSeconds",
        "overhead",
        "dnsPolicy",
        "securityContext",
        "serviceAccountName",
    ];
    let mut prefixes: Vec<String> = simulated_prefixes(kind).iter().map(|s| s.to_string()).collect();
    if let Some(ps) = pod_spec_path(kind) {
        prefixes.retain(|p| p != ps);
        prefixes.extend(POD_SPEC.iter().map(|p| format!("{ps}.{p}")));
    }
    let mut out = Vec::new();
    walk_not_simulated(value, "", "", &prefixes, &mut out);
    out
}

fn walk_not_simulated(v: &Value, path: &str, norm: &str, prefixes: &[String], out: &mut Vec<String>) {
    let covered = |n: &str| prefixes.iter().any(|p| p.is_empty() || n == p || n.starts_with(&format!("{p}.")));
    let ancestor = |n: &str| prefixes.iter().any(|p| p.starts_with(&format!("{n}.")));
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let cp = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                let cn = if norm.is_empty() { k.clone() } else { format!("{norm}.{k}") };
                if covered(&cn) {
                    continue;
                }
                if ancestor(&cn) {
                    walk_not_simulated(child, &cp, &cn, prefixes, out);
                } else if !child.is_null() {
                    out.push(cp);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                walk_not_simulated(child, &format!("{path}[{i}]"), norm, prefixes, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod simulated_tests {
    use super::*;

    #[test]
    fn unsimulated_fields_are_reported() {
        let v: Value = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
            "spec": {"replicas": 1, "selector": {}, "template": {"metadata": {}, "spec": {
                "containers": [{"name": "w", "image": "x", "env": [{"name": "A", "value": "1"}], "livenessProbe": {"httpGet": {"path": "/"}}}],
                "affinity": {"podAntiAffinity": {}}, "nodeSelector": {"a": "b"}}}}
        });
        assert_eq!(not_simulated(Kind::Deployment, &v), vec!["spec.template.spec.affinity.podAntiAffinity"]);
        assert!(not_simulated(Kind::ConfigMap, &serde_json::json!({"data": {"a": "b"}})).is_empty());
    }
}
