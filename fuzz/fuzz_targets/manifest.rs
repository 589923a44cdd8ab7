//! Any bytes as a manifest file, through `kubectl apply -f` on a fresh cluster: the YAML
//! reader, strict decoding, defaulting, validation and the API server's apply. Nothing may
//! panic, and a failed apply must leave the cluster as it was.
#![no_main]

use kubeplay_model::{Cluster, ClusterConfig, Workspace};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut ws = Workspace::default();
    ws.insert_bytes("f.yaml", data);
    let mut c = Cluster::new(ClusterConfig { seed: 1, nodes: 1 });
    let before = c.digest();
    let r = c.apply_file("f.yaml", &ws);
    if !r.ok && r.output.contains("error") && !r.output.contains(" created") && !r.output.contains(" configured") {
        assert_eq!(c.digest(), before, "a refused apply changed the cluster: {}", r.output);
    }
});
