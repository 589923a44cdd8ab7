//! `kubeplay sweep --seeds N [--start S] [--print-script]`: runs seeds S..S+N of the invariant
//! sweep (kubeplay_model::sweep), prints one line per failure with its seed and the command that
//! replays it, and a summary. Exit status 1 when a seed fails.

use std::process::ExitCode;
use std::time::Instant;

use kubeplay_model::sweep::{self, Scenario};

// The CLI measures wall time; only the model is bound to SimTime (clippy.toml).
#[allow(clippy::disallowed_methods)]
pub fn main(args: &[String]) -> ExitCode {
    let get = |name: &str, d: u64| -> Result<u64, String> {
        match args.iter().position(|a| a == name) {
            None => Ok(d),
            Some(i) => args.get(i + 1).and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number")),
        }
    };
    let (seeds, start) = match (get("--seeds", 100), get("--start", 1)) {
        (Ok(n), Ok(s)) => (n, s),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("kubeplay sweep: {e}");
            return ExitCode::from(2);
        }
    };
    let print_script = args.iter().any(|a| a == "--print-script");
    let verbose = args.iter().any(|a| a == "-v" || a == "--verbose");
    let t0 = Instant::now();
    let (mut passed, mut failed, mut steps, mut virtual_ms, mut converge_max_ms) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut seen = std::collections::BTreeMap::new();
    for seed in start..start.saturating_add(seeds) {
        if print_script {
            // A closed pipe (`| head`) ends the printing, not the process.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), Scenario::generate(seed).script().as_bytes());
        }
        match sweep::run(seed) {
            Ok(o) => {
                for (r, n) in &o.reasons {
                    *seen.entry(r.clone()).or_insert(0u64) += u64::from(*n);
                }
                passed += 1;
                steps += o.steps;
                virtual_ms += o.virtual_ms;
                converge_max_ms = converge_max_ms.max(o.converge_ms);
                if verbose {
                    let reasons: Vec<String> = o.reasons.iter().map(|(r, n)| format!("{r}={n}")).collect();
                    println!(
                        "seed {seed}: ok, {} steps, {} s virtual, converged {} s after the faults stopped; events {}",
                        o.steps,
                        o.virtual_ms / 1000,
                        o.converge_ms / 1000,
                        reasons.join(" ")
                    );
                }
            }
            Err(f) => {
                failed += 1;
                println!(
                    "FAIL seed {seed}: {} at {} ms ({}): {} -- replay: kubeplay sweep --seeds 1 --start {seed} --print-script",
                    f.invariant, f.at_ms, f.phase, f.message
                );
            }
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "sweep: {passed} of {} seeds passed ({failed} failed), seeds {start}..{}, {steps} steps checked, {} h virtual, slowest convergence {} s; {secs:.1} s wall, {:.1} seeds/s",
        passed + failed,
        start.saturating_add(seeds).saturating_sub(1),
        virtual_ms / 3_600_000,
        converge_max_ms / 1000,
        (passed + failed) as f64 / secs.max(1e-9)
    );
    if verbose {
        let reasons: Vec<String> = seen.iter().map(|(r, n)| format!("{r}={n}")).collect();
        println!("events over passing seeds: {}", reasons.join(" "));
    }
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
