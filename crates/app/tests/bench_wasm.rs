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

/// Bytes of wasm linear memory: it only grows, so at the end it is the run's peak.
fn wasm_memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |b| f64::from(b.byte_length()))
}

/// `Cluster::advance(ms)`, one timer at a time, giving the browser its event loop back every
/// 200 ms of wall time: a long synchronous run makes chromedriver time out waiting for the page
/// (30 s), which ends the test runner.
async fn advance_yielding(c: &mut kubeplay_model::Cluster, ms: u64) {
    let until = c.now().ms() + ms;
    let mut last = now_ms();
    while c.next_event_ms().is_some_and(|t| t <= until) {
        c.step();
        if now_ms() - last > 200.0 {
            let tick = js_sys::Promise::new(&mut |resolve, _| {
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
                }
            });
            let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
            last = now_ms();
        }
    }
    c.advance(until - c.now().ms());
}

/// The envelope benchmark (`kubeplay bench envelope`) in the browser, same workload and phases
/// (the same virtual-time steps as `envelope_schedule_all` and the CLI's minutes).
async fn envelope(nodes: usize, pods: usize, minutes: u64) {
    use kubeplay_model::bench::{EnvelopeStatus, envelope_workload};
    let log = |s: String| web_sys::console::log_1(&s.into());
    let t0 = now_ms();
    let mut c = envelope_workload(nodes, pods, 1000, 1);
    let mut all = false;
    while c.now().ms() < 30 * 60_000 {
        advance_yielding(&mut c, 1_000).await;
        if kubeplay_model::bench::envelope_all_bound(&c, pods) {
            all = true;
            break;
        }
    }
    let t1 = now_ms();
    // Not counted: the status counts printed between the phases (reading every pod).
    let s = EnvelopeStatus::of(&c);
    let t1_counted = now_ms();
    log(format!(
        "wasm envelope nodes={nodes} pods={pods}: all scheduled={all} in {:.2} s wall ({} bound, virtual {} s)",
        (t1 - t0) / 1000.0,
        s.bound,
        s.virtual_ms / 1000
    ));
    for m in 1..=minutes {
        let tm = now_ms();
        advance_yielding(&mut c, 60_000).await;
        log(format!("wasm envelope   minute {m:>2}: {:.2} s wall", (now_ms() - tm) / 1000.0));
    }
    let t2 = now_ms();
    let s = EnvelopeStatus::of(&c);
    log(format!(
        "wasm envelope nodes={nodes} pods={pods}: {minutes} virtual minutes in {:.2} s wall; total {:.2} s; {} ready; {} requests, {} failed; wasm memory {:.0} MiB",
        (t2 - t1_counted) / 1000.0,
        (t2 - t0 - (t1_counted - t1)) / 1000.0,
        s.ready,
        s.requests,
        s.failed,
        wasm_memory_bytes() / 1_048_576.0
    ));
}

#[wasm_bindgen_test]
#[ignore]
async fn envelope_tenth() {
    envelope(500, 15_000, 2).await;
}

#[wasm_bindgen_test]
#[ignore]
async fn envelope_full() {
    envelope(kubeplay_model::bench::ENVELOPE_NODES, kubeplay_model::bench::ENVELOPE_PODS, 10).await;
}

/// One simulated second of the course's cluster (`kubeplay bench course`), as the page steps it
/// at 1x: the budget is under 1 ms.
#[wasm_bindgen_test]
#[ignore]
fn course_step() {
    let catalog = kubeplay_app::lessons::catalog();
    let entry = catalog.find("rolling-update").expect("lesson 05 is bundled");
    let mut c = kubeplay_model::bench::course_workload(&entry.lesson, &entry.base);
    let pods = c.store().count(kubeplay_model::api::Kind::Pod);
    let us: Vec<f64> = (0..600)
        .map(|_| {
            let t = now_ms();
            c.advance(1_000);
            (now_ms() - t) * 1000.0
        })
        .collect();
    // Which simulated seconds were slow (a periodic controller, or the machine's scheduler).
    let slow: Vec<String> = us
        .iter()
        .enumerate()
        .filter(|(_, u)| **u > 2_000.0)
        .map(|(i, u)| format!("{}s:{:.1}ms", i + 1, u / 1000.0))
        .collect();
    let line = format!(
        "wasm course cluster ({pods} pods): one simulated second costs {} over 600 steps; over 2 ms: {slow:?}",
        kubeplay_model::bench::StepCosts::of(&us)
    );
    web_sys::console::log_1(&line.into());
}

/// Each hostile-input case (`kubeplay hostile`, docs/robustness.md) through `kubectl apply -f` in
/// the browser: wall time and the wasm memory's growth. The bar is within a second.
#[wasm_bindgen_test]
#[ignore]
fn hostile() {
    for name in kubeplay_model::bench::HOSTILE_CASES {
        let Some(case) = kubeplay_model::bench::hostile_case(name, 100_000) else { continue };
        let mut c = kubeplay_model::Cluster::new(kubeplay_model::ClusterConfig::default());
        let before = wasm_memory_bytes();
        let t = now_ms();
        let r = c.run(&format!("kubectl apply -f {}", case.file), &case.workspace);
        c.advance(case.then_ms);
        let ms = now_ms() - t;
        let outcome = match r.first() {
            Some(r) if r.ok => format!("ok: {} lines", r.output.lines().count()),
            Some(r) => {
                format!("refused: {}", r.output.lines().next().unwrap_or("").chars().take(80).collect::<String>())
            }
            None => "no result".into(),
        };
        let line = format!(
            "wasm hostile {name}: {ms:.1} ms, memory +{:.0} MiB (now {:.0} MiB); {outcome}",
            (wasm_memory_bytes() - before) / 1048576.0,
            wasm_memory_bytes() / 1048576.0
        );
        web_sys::console::log_1(&line.into());
    }
}
