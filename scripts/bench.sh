#!/usr/bin/env bash
# Scheduling throughput, natively and in headless Chrome (wasm), on the same workload
# (kubeplay_model::bench::scheduling_workload). A benchmark, not a test: it prints figures for
# docs/benchmarks.md and never fails on speed.
#
#   bash scripts/bench.sh
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
bash "$here/setup.sh"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$KUBEPLAY_ROOT"

echo "==> native (release)"
cargo build --quiet --release -p kubeplay-cli
./target/release/kubeplay bench --nodes 500 --pods 5000
./target/release/kubeplay bench --nodes 5000 --pods 20000

echo "==> wasm in headless Chrome (release)"
cargo test --release -p kubeplay-app --target wasm32-unknown-unknown --test bench_wasm -- --include-ignored --nocapture 2>&1 |
  grep -E '^wasm nodes=|^test result'
