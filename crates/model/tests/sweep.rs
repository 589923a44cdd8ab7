//! The seed sweep's first 40 seeds in the test command (issue #8): random workloads and faults,
//! invariants after every step, convergence after the faults stop (crate::sweep). The full sweep
//! is `kubeplay sweep --seeds 1000` (docs/robustness.md); a failure prints the seed and the
//! command that replays it.

use kubeplay_model::sweep;

#[test]
fn first_seeds_hold_every_invariant_and_converge() {
    let mut failures = Vec::new();
    for seed in 1..=40 {
        if let Err(f) = sweep::run(seed) {
            failures.push(format!(
                "seed {seed}: {} at {} ms in {}: {}\n  replay: kubeplay sweep --seeds 1 --start {seed} --print-script",
                f.invariant, f.at_ms, f.phase, f.message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
