//! Control loops: each reads the current state and acts on it (level-triggered), as upstream's
//! controllers do. Pure rules (rollout arithmetic, deletion ranking, scoring) are plain functions
//! tested against upstream's tables.

pub mod deployment;
pub mod endpoints;
pub mod gc;
pub mod hpa;
pub mod nodelifecycle;
pub mod replicaset;
pub mod scheduler;
pub mod volumes;

use crate::api::Pod;
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::api::Kind;

pub fn pod_is_ready(p: &Pod) -> bool {
    condition_true(p, "Ready")
}

pub fn condition_true(p: &Pod, ty: &str) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == ty && c.status == "True"))
}

pub fn node_ready(n: &Node) -> bool {
    n.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// `IsPodActive`: not Succeeded/Failed and not being deleted.
pub fn pod_is_active(p: &Pod) -> bool {
    let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
    phase != "Succeeded" && phase != "Failed" && p.metadata.deletion_timestamp.is_none()
}

pub fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.as_ref()?.iter().find(|r| r.controller == Some(true))
}

pub fn is_controlled_by(meta: &ObjectMeta, owner: &ObjectMeta) -> bool {
    controller_ref(meta).is_some_and(|r| Some(&r.uid) == owner.uid.as_ref())
}

pub fn owner_ref(kind: Kind, owner: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: kind.api_version().into(),
        kind: kind.name().into(),
        name: owner.name.clone().unwrap_or_default(),
        uid: owner.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}
