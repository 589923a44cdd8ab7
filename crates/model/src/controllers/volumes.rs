//! Storage: the default StorageClass, the PersistentVolume controller (static binding and
//! dynamic provisioning), and the data volumes keep (a PostgreSQL row count) so a pod that comes
//! back with the same claim finds its rows.

use std::collections::BTreeMap;

use crate::api::Pod;
use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus,
    PersistentVolumeSpec, PersistentVolumeStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::quantity;
use crate::api::{Kind, Object};
use crate::cluster::Cluster;

pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
/// docker-desktop's default class and provisioner.
pub const DEFAULT_CLASS: &str = "hostpath";
pub const DEFAULT_PROVISIONER: &str = "docker.io/hostpath";

/// What a volume holds: rows a database wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VolumeData {
    pub rows: i64,
    /// A database was initialised on it.
    pub initialized: bool,
}

fn request_bytes(pvc: &PersistentVolumeClaim) -> i64 {
    pvc.spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| quantity::value(&q.0).ok())
        .unwrap_or(0)
}

fn pv_bytes(pv: &PersistentVolume) -> i64 {
    pv.spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| quantity::value(&q.0).ok())
        .unwrap_or(0)
}

/// The claim a pod's volume names, if any: (volume name, claim name).
pub fn pod_claims(p: &Pod) -> Vec<(String, String)> {
    p.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| (v.name.clone(), c.claim_name.clone())))
        .collect()
}

impl Cluster {
    pub(crate) fn default_storage_class(&self) -> Option<String> {
        self.store.list(Kind::StorageClass, None).find_map(|o| {
            let default = o
                .meta()
                .annotations
                .as_ref()
                .and_then(|a| a.get(DEFAULT_CLASS_ANNOTATION))
                .is_some_and(|v| v == "true");
            default.then(|| o.name().to_string())
        })
    }

    /// The VolumeBinding PreFilter: a pod cannot be placed until its claims exist and are bound.
    pub(crate) fn volume_prefilter(&self, p: &Pod) -> Option<String> {
        let ns = p.metadata.namespace.as_deref().unwrap_or("default");
        for (_, claim) in pod_claims(p) {
            match self.store.get(Kind::PersistentVolumeClaim, ns, &claim) {
                None => return Some(format!("persistentvolumeclaim \"{claim}\" not found")),
                Some(Object::PersistentVolumeClaim(pvc))
                    if pvc.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound") =>
                {
                    return Some("pod has unbound immediate PersistentVolumeClaims".into());
                }
                _ => {}
            }
        }
        None
    }

    /// The PersistentVolume controller: bind pending claims to a fitting volume, or provision
    /// one through the claim's StorageClass; release volumes whose claim is gone.
    pub(crate) fn sync_volumes(&mut self) {
        let claims: Vec<PersistentVolumeClaim> = self
            .store
            .list(Kind::PersistentVolumeClaim, None)
            .filter_map(|o| match o {
                Object::PersistentVolumeClaim(c)
                    if c.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound") =>
                {
                    Some((**c).clone())
                }
                _ => None,
            })
            .collect();
        for pvc in claims {
            self.bind_claim(pvc);
        }
        // Volumes whose claim was deleted: Delete removes them (and their data), Retain keeps
        // them Released.
        let orphaned: Vec<Box<PersistentVolume>> = self
            .store
            .list(Kind::PersistentVolume, None)
            .filter_map(|o| match o {
                Object::PersistentVolume(pv) => {
                    let claim = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref())?;
                    let ns = claim.namespace.clone().unwrap_or_default();
                    let name = claim.name.clone().unwrap_or_default();
                    let bound = pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound");
                    (bound && !self.store.contains(Kind::PersistentVolumeClaim, &ns, &name)).then(|| pv.clone())
                }
                _ => None,
            })
            .collect();
        for mut pv in orphaned {
            let name = pv.metadata.name.clone().unwrap_or_default();
            let policy = pv
                .spec
                .as_ref()
                .and_then(|s| s.persistent_volume_reclaim_policy.clone())
                .unwrap_or_else(|| "Retain".into());
            if policy == "Delete" {
                self.store.remove(Kind::PersistentVolume, "", &name);
                self.volume_data.remove(&format!("pv/{name}"));
            } else {
                pv.status = Some(PersistentVolumeStatus { phase: Some("Released".into()), ..Default::default() });
                self.store.update(Object::PersistentVolume(pv));
            }
        }
    }

    fn bind_claim(&mut self, pvc: PersistentVolumeClaim) {
        let ns = pvc.metadata.namespace.clone().unwrap_or_default();
        let name = pvc.metadata.name.clone().unwrap_or_default();
        let spec = pvc.spec.clone().unwrap_or_default();
        let class = spec.storage_class_name.clone().unwrap_or_default();
        let want = request_bytes(&pvc);
        let modes = spec.access_modes.clone().unwrap_or_default();
        // Static binding: the smallest Available volume of the class that fits.
        let mut candidates: Vec<Box<PersistentVolume>> = self
            .store
            .list(Kind::PersistentVolume, None)
            .filter_map(|o| match o {
                Object::PersistentVolume(pv) => {
                    let ps = pv.spec.clone().unwrap_or_default();
                    let available = ps.claim_ref.is_none()
                        && pv.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Available") == "Available";
                    let named = spec.volume_name.as_deref().is_none_or(|v| Some(v) == pv.metadata.name.as_deref());
                    let fits = ps.storage_class_name.clone().unwrap_or_default() == class
                        && pv_bytes(pv) >= want
                        && modes.iter().all(|m| ps.access_modes.iter().flatten().any(|a| a == m));
                    (available && named && fits).then(|| pv.clone())
                }
                _ => None,
            })
            .collect();
        crate::sort::sort_by_key(&mut candidates, |pv| (pv_bytes(pv), pv.metadata.name.clone()));
        if let Some(pv) = candidates.into_iter().next() {
            self.bind_volume(pvc, pv);
            return;
        }
        let provisioner = match self.store.get(Kind::StorageClass, "", &class) {
            Some(Object::StorageClass(sc)) if !class.is_empty() => {
                Some((sc.provisioner.clone(), sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into())))
            }
            _ => None,
        };
        let Some((provisioner, reclaim)) = provisioner else {
            let msg = if class.is_empty() {
                "no persistent volumes available for this claim and no storage class is set".to_string()
            } else {
                format!("storageclass.storage.k8s.io \"{class}\" not found")
            };
            let reason = if class.is_empty() { "FailedBinding" } else { "ProvisioningFailed" };
            let ty = if class.is_empty() { "Normal" } else { "Warning" };
            self.record_event(
                Kind::PersistentVolumeClaim,
                &ns,
                &name,
                ty,
                reason,
                &msg,
                "persistentvolume-controller",
                None,
            );
            return;
        };
        // Dynamic provisioning: the provisioner creates pvc-<claim uid> with the requested size.
        let uid = pvc.metadata.uid.clone().unwrap_or_default();
        let pv_name = format!("pvc-{uid}");
        self.record_event(
            Kind::PersistentVolumeClaim,
            &ns,
            &name,
            "Normal",
            "Provisioning",
            &format!("External provisioner is provisioning volume for claim \"{ns}/{name}\""),
            &format!("{provisioner}_docker-desktop"),
            None,
        );
        let size = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .cloned()
            .unwrap_or(Quantity("1Gi".into()));
        let pv = PersistentVolume {
            metadata: ObjectMeta {
                name: Some(pv_name.clone()),
                annotations: Some([("pv.kubernetes.io/provisioned-by".to_string(), provisioner.clone())].into()),
                ..Default::default()
            },
            spec: Some(PersistentVolumeSpec {
                capacity: Some(BTreeMap::from([("storage".to_string(), size)])),
                access_modes: Some(if modes.is_empty() { vec!["ReadWriteOnce".into()] } else { modes }),
                persistent_volume_reclaim_policy: Some(reclaim),
                storage_class_name: Some(class.clone()),
                host_path: Some(HostPathVolumeSource {
                    path: format!("/var/lib/k8s-pvs/{name}/{pv_name}"),
                    type_: Some(String::new()),
                }),
                volume_mode: Some("Filesystem".into()),
                ..Default::default()
            }),
            status: Some(PersistentVolumeStatus { phase: Some("Available".into()), ..Default::default() }),
        };
        let created = self.store.create(Object::PersistentVolume(Box::new(pv)), self.now).clone();
        self.record_event(
            Kind::PersistentVolumeClaim,
            &ns,
            &name,
            "Normal",
            "ProvisioningSucceeded",
            &format!("Successfully provisioned volume {pv_name}"),
            &format!("{provisioner}_docker-desktop"),
            None,
        );
        if let Object::PersistentVolume(pv) = created {
            self.bind_volume(pvc, pv);
        }
    }

    fn bind_volume(&mut self, mut pvc: PersistentVolumeClaim, mut pv: Box<PersistentVolume>) {
        let pv_name = pv.metadata.name.clone().unwrap_or_default();
        let ps = pv.spec.get_or_insert_with(Default::default);
        ps.claim_ref = Some(ObjectReference {
            api_version: Some("v1".into()),
            kind: Some("PersistentVolumeClaim".into()),
            name: pvc.metadata.name.clone(),
            namespace: pvc.metadata.namespace.clone(),
            uid: pvc.metadata.uid.clone(),
            resource_version: pvc.metadata.resource_version.clone(),
            ..Default::default()
        });
        let capacity = ps.capacity.clone();
        let modes = ps.access_modes.clone();
        pv.status = Some(PersistentVolumeStatus { phase: Some("Bound".into()), ..Default::default() });
        self.store.update(Object::PersistentVolume(pv));
        let annotations = pvc.metadata.annotations.get_or_insert_with(BTreeMap::new);
        annotations.insert("pv.kubernetes.io/bind-completed".into(), "yes".into());
        annotations.insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
        pvc.spec.get_or_insert_with(Default::default).volume_name = Some(pv_name);
        pvc.status = Some(PersistentVolumeClaimStatus {
            phase: Some("Bound".into()),
            capacity,
            access_modes: modes,
            ..Default::default()
        });
        self.store.update(Object::PersistentVolumeClaim(Box::new(pvc)));
        self.scheduler.epoch += 1;
        self.wake(crate::queue::Controller::Scheduler);
    }

    /// Where a pod's container keeps its data directory: a bound claim's volume, a pod's
    /// emptyDir (gone with the pod), or the container's own writable layer (gone on restart).
    pub(crate) fn data_volume(&self, p: &Pod, container: &str, mount_prefix: &str, instance: &str) -> String {
        let spec = p.spec.clone().unwrap_or_default();
        let ns = p.metadata.namespace.as_deref().unwrap_or("default");
        let c = spec.containers.iter().find(|c| c.name == container);
        let mount = c.and_then(|c| {
            c.volume_mounts
                .iter()
                .flatten()
                .find(|m| mount_prefix.starts_with(&m.mount_path) || m.mount_path.starts_with(mount_prefix))
                .cloned()
        });
        if let Some(m) = mount
            && let Some(v) = spec.volumes.iter().flatten().find(|v| v.name == m.name)
        {
            if let Some(claim) = &v.persistent_volume_claim
                && let Some(Object::PersistentVolumeClaim(pvc)) =
                    self.store.get(Kind::PersistentVolumeClaim, ns, &claim.claim_name)
                && let Some(pv) = pvc.spec.as_ref().and_then(|s| s.volume_name.clone())
            {
                return format!("pv/{pv}");
            }
            if v.empty_dir.is_some() {
                return format!("emptydir/{}/{}", p.metadata.uid.clone().unwrap_or_default(), v.name);
            }
            if let Some(h) = &v.host_path {
                return format!("hostpath/{}/{}", spec.node_name.clone().unwrap_or_default(), h.path);
            }
        }
        format!("container/{instance}")
    }
}
