//! The Pod as kubeplay stores it: upstream's `Pod` (k8s-openapi), with its spec behind an `Rc`.
//!
//! Every pod a ReplicaSet makes has the same spec as its siblings, apart from `nodeName` once it
//! is bound, and upstream's `PodSpec` with its containers is about 2.5 KB in wasm (a `Container`
//! alone is 1,192 bytes, and the requests, the labels and the default tolerations are each heap
//! blocks of their own). The store hands pods with equal specs one shared copy
//! ([`crate::store::Store`]: at 150,000 pods on 5,000 nodes, about 30 pods share each), so a pod
//! costs its metadata and status. Reading is unchanged (`pod.spec.as_ref()` derefs to the
//! `PodSpec`); a writer takes its own copy with `Rc::make_mut`.
//!
//! On the wire it is upstream's Pod: it serializes and deserializes exactly as
//! `k8s_openapi::api::core::v1::Pod` does.

use std::rc::Rc;

use k8s_openapi::api::core::v1::{PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::ser::SerializeStruct;

/// Upstream's Pod, its spec shared (see the module docs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pod {
    pub metadata: ObjectMeta,
    pub spec: Option<Rc<PodSpec>>,
    pub status: Option<PodStatus>,
}

impl Pod {
    /// The spec to change: the pod's own copy (cloned out of the shared one if it is shared).
    pub fn spec_mut(&mut self) -> &mut PodSpec {
        Rc::make_mut(self.spec.get_or_insert_with(Default::default))
    }
}

impl From<k8s_openapi::api::core::v1::Pod> for Pod {
    fn from(p: k8s_openapi::api::core::v1::Pod) -> Self {
        Pod { metadata: p.metadata, spec: p.spec.map(Rc::new), status: p.status }
    }
}

impl serde::Serialize for Pod {
    /// As upstream's `Pod` serializes (k8s-openapi's generated impl): apiVersion, kind,
    /// metadata, then spec and status when present.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut state = serializer
            .serialize_struct("Pod", 3 + usize::from(self.spec.is_some()) + usize::from(self.status.is_some()))?;
        state.serialize_field("apiVersion", "v1")?;
        state.serialize_field("kind", "Pod")?;
        state.serialize_field("metadata", &self.metadata)?;
        if let Some(spec) = &self.spec {
            state.serialize_field("spec", &**spec)?;
        }
        if let Some(status) = &self.status {
            state.serialize_field("status", status)?;
        }
        state.end()
    }
}

impl<'de> serde::Deserialize<'de> for Pod {
    /// Upstream's decoding (its strictness and its errors), then the spec put behind an `Rc`.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        k8s_openapi::api::core::v1::Pod::deserialize(deserializer).map(Pod::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same JSON as upstream's type, both ways (apiVersion and kind included).
    #[test]
    fn serializes_as_upstream() {
        let text = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}],"nodeName":"node-1"},"status":{"phase":"Running"}}"#;
        let upstream: k8s_openapi::api::core::v1::Pod = serde_json::from_str(text).unwrap();
        let ours: Pod = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string(&ours).unwrap(), serde_json::to_string(&upstream).unwrap());
        assert_eq!(ours, Pod::from(upstream));
        let bare: Pod = serde_json::from_str(r#"{"apiVersion":"v1","kind":"Pod","metadata":{}}"#).unwrap();
        assert_eq!(serde_json::to_string(&bare).unwrap(), r#"{"apiVersion":"v1","kind":"Pod","metadata":{}}"#);
        // Upstream's checks stay: a Pod's JSON must say it is one.
        assert!(serde_json::from_str::<Pod>(r#"{"apiVersion":"v1","kind":"Node","metadata":{}}"#).is_err());
    }

    /// A writer's change stays its own: the pod that shared the spec keeps it.
    #[test]
    fn spec_mut_unshares() {
        let spec = Rc::new(PodSpec { node_name: None, ..Default::default() });
        let a = Pod { spec: Some(spec.clone()), ..Default::default() };
        let mut b = a.clone();
        b.spec_mut().node_name = Some("node-1".into());
        assert_eq!(a.spec.as_ref().unwrap().node_name, None);
        assert_eq!(b.spec.as_ref().unwrap().node_name.as_deref(), Some("node-1"));
        assert!(Rc::ptr_eq(a.spec.as_ref().unwrap(), &spec));
    }
}
