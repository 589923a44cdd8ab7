//! The scheduling benchmark in the browser: the same workload as `kubeplay bench`
//! (kubeplay_model::bench), timed with performance.now(). Ignored in the test suite; run it with
//! `bash scripts/bench.sh` (see docs/benchmarks.md).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn bench(nodes: usize, pods: usize) {
    let t0 = now_ms();
    let mut c = kubeplay_model::bench::scheduling_workload(nodes, pods, 1);
    let t1 = now_ms();
    c.run_scheduler();
    let t2 = now_ms();
    let bound = pods - c.pending_pod_count();
    let line = format!(
        "wasm nodes={nodes} pods={pods}: created in {:.1} ms; scheduled {bound} pods in {:.1} ms = {:.0} pods/s",
        t1 - t0,
        t2 - t1,
        bound as f64 / ((t2 - t1) / 1000.0)
    );
    web_sys::console::log_1(&line.into());
}

#[wasm_bindgen_test]
#[ignore]
fn scheduling_500_nodes() {
    bench(500, 5000);
}

#[wasm_bindgen_test]
#[ignore]
fn scheduling_5000_nodes() {
    bench(5000, 20000);
}
