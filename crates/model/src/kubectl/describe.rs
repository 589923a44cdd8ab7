//! `kubectl describe` (being written: a first version for pods, deployments, replica sets and
//! nodes with the Events table).

use crate::cluster::Cluster;

pub fn describe(
    c: &mut Cluster,
    args: &[String],
    ns: &str,
    mut out: impl FnMut(Result<String, String>),
) {
    let _ = (c, args, ns);
    out(Err(
        "error: describe is not implemented yet in kubeplay".into()
    ));
}
