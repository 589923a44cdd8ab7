//! The garbage collector: dependents whose owner is gone are deleted (background cascade).

use std::collections::BTreeSet;

use crate::api::Kind;
use crate::cluster::Cluster;

impl Cluster {
    pub(crate) fn collect_garbage(&mut self) {
        let mut uids: BTreeSet<String> = BTreeSet::new();
        for kind in crate::api::Kind::ALL {
            for o in self.store.list(kind, None) {
                if let Some(u) = o.meta().uid.clone() {
                    uids.insert(u);
                }
            }
        }
        let mut doomed = Vec::new();
        for kind in [Kind::ReplicaSet, Kind::Pod] {
            for o in self.store.list(kind, None) {
                let refs = o.meta().owner_references.as_deref().unwrap_or(&[]);
                if !refs.is_empty()
                    && refs.iter().all(|r| !uids.contains(&r.uid))
                    && o.meta().deletion_timestamp.is_none()
                {
                    doomed.push((kind, o.namespace().to_string(), o.name().to_string()));
                }
            }
        }
        for (kind, ns, name) in doomed {
            self.delete_object(kind, &ns, &name, None);
        }
    }
}
