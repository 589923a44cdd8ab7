//! `kubeplay bench`: scheduling throughput through the real scheduler path, and `kubeplay bench
//! envelope`: upstream's scale envelope run for simulated minutes. Benchmarks, not tests: run
//! them, read the figures, record them in docs/benchmarks.md.

use std::process::ExitCode;
use std::time::Instant;

use kubeplay_model::bench::{ENVELOPE_NODES, ENVELOPE_PODS, EnvelopeStatus, envelope_schedule_all, envelope_workload};

use crate::mem::peak_rss_kib;

fn get<T: std::str::FromStr>(args: &[String], name: &str, d: T) -> T {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(d)
}

// The CLI measures wall time; only the model is bound to SimTime (clippy.toml).
#[allow(clippy::disallowed_methods)]
pub fn main(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("envelope") => return envelope(&args[1..]),
        Some("course") => return course(&args[1..]),
        _ => {}
    }
    let nodes = get(args, "--nodes", 500);
    let pods = get(args, "--pods", 5000);
    let seed = get(args, "--seed", 1u64);
    let t0 = Instant::now();
    let mut c = kubeplay_model::bench::scheduling_workload(nodes, pods, seed);
    let setup = t0.elapsed();
    let t1 = Instant::now();
    c.run_scheduler();
    let sched = t1.elapsed();
    let bound = pods - c.pending_pod_count();
    println!("nodes={nodes} pods={pods} seed={seed}");
    println!("cluster and pods created {:>10.1} ms", setup.as_secs_f64() * 1000.0);
    println!(
        "scheduled {bound} pods in {:.1} ms = {:.0} pods/s",
        sched.as_secs_f64() * 1000.0,
        bound as f64 / sched.as_secs_f64()
    );
    ExitCode::SUCCESS
}

fn status_line(s: &EnvelopeStatus) -> String {
    format!(
        "virtual {:>4} s: {} pods, {} bound, {} ready; {} requests, {} failed",
        s.virtual_ms / 1000,
        s.pods,
        s.bound,
        s.ready,
        s.requests,
        s.failed
    )
}

#[allow(clippy::disallowed_methods)]
fn envelope(args: &[String]) -> ExitCode {
    let nodes = get(args, "--nodes", ENVELOPE_NODES);
    let pods = get(args, "--pods", ENVELOPE_PODS);
    let minutes = get(args, "--minutes", 10u64);
    let rps = get(args, "--rps", 1000u32);
    let seed = get(args, "--seed", 1u64);
    println!("envelope: nodes={nodes} pods={pods} minutes={minutes} rps={rps} seed={seed}");
    let t0 = Instant::now();
    let mut c = envelope_workload(nodes, pods, rps, seed);
    let created = t0.elapsed();
    println!("cluster created            {:>9.2} s wall", created.as_secs_f64());
    let t1 = Instant::now();
    let all = envelope_schedule_all(&mut c, pods, 30 * 60_000);
    let sched = t1.elapsed();
    let s = EnvelopeStatus::of(&c);
    println!("all pods scheduled: {all:<5}  {:>9.2} s wall  {}", sched.as_secs_f64(), status_line(&s));
    println!("  = {:.0} pods/s of wall time, from the apply to the last binding", s.bound as f64 / sched.as_secs_f64());
    let t2 = Instant::now();
    for m in 1..=minutes {
        let tm = Instant::now();
        c.advance(60_000);
        println!("  minute {m:>2}: {:>7.2} s wall", tm.elapsed().as_secs_f64());
    }
    let run = t2.elapsed();
    // The whole envelope: the cluster made, every pod bound, the minutes run; not the status
    // counts printed between them (reading 150,000 pods, about 0.15 s each).
    let total = created + sched + run;
    let s = EnvelopeStatus::of(&c);
    println!("{minutes} virtual minutes        {:>9.2} s wall  {}", run.as_secs_f64(), status_line(&s));
    let peak = peak_rss_kib().map_or("?".to_string(), |k| format!("{:.0} MiB", k as f64 / 1024.0));
    println!("total {:.2} s wall; peak memory {peak}", total.as_secs_f64());
    ExitCode::SUCCESS
}

/// `kubeplay bench course [--lesson FILE] [--seconds N]`: the wall time of stepping one
/// simulated second of the course's cluster (`kubeplay_model::bench::course_workload`).
#[allow(clippy::disallowed_methods)]
fn course(args: &[String]) -> ExitCode {
    let file = get(args, "--lesson", "lessons/05-rolling-update.yaml".to_string());
    let seconds = get(args, "--seconds", 600usize);
    let (lesson, base) = match crate::lesson::load(std::path::Path::new(&file)) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
    };
    let mut c = kubeplay_model::bench::course_workload(&lesson, &base);
    let pods = c.store().count(kubeplay_model::api::Kind::Pod);
    let mut us: Vec<f64> = Vec::with_capacity(seconds);
    for _ in 0..seconds {
        let t = Instant::now();
        c.advance(1_000);
        us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    println!(
        "course cluster ({pods} pods, {file}): one simulated second costs {} over {seconds} steps",
        kubeplay_model::bench::StepCosts::of(&us)
    );
    ExitCode::SUCCESS
}
