//! The same script and seed give the same transcript and event-log digest in the browser as
//! natively: this checks the wasm build against the golden file the native CLI test checks
//! (crates/cli/tests/golden.rs).
#![cfg(target_arch = "wasm32")]

// The wasm's own memcmp and allocator (crates/wasm-mem), as the page and the worker have them:
// the transcript must not depend on them.
use kubeplay_wasm_mem as _;

use kubeplay_model::kubectl::transcript;
use kubeplay_model::{Cluster, ClusterConfig, Workspace};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SCRIPT: &str = include_str!("../../model/tests/scripts/nginx-slice.sh");
const GOLDEN: &str = include_str!("../../model/tests/scripts/nginx-slice.out");

#[wasm_bindgen_test]
fn wasm_transcript_and_digest_equal_native_golden() {
    let mut c = Cluster::new(ClusterConfig::default());
    let results = c.run(SCRIPT, &Workspace::default());
    let exit = if results.iter().all(|r| r.ok) { 0 } else { 1 };
    let got = format!("{}# digest {:016x}\n# exit {exit}\n", transcript(&results), c.digest());
    assert_eq!(got, GOLDEN);
}
