#!/usr/bin/env bash
# Benchmarks, natively and in headless Chrome (wasm), on the same workloads
# (kubeplay_model::bench). A benchmark, not a test: it prints figures for docs/benchmarks.md and
# never fails on speed.
#
#   bash scripts/bench.sh            scheduling throughput, the course cluster's step cost, the
#                                    envelope at a tenth of its size (500 nodes, 15,000 pods) and
#                                    the hostile-input cases (docs/robustness.md)
#   bash scripts/bench.sh --full     the same plus the whole envelope (5,000 nodes, 150,000 pods,
#                                    10 simulated minutes; long, see docs/benchmarks.md)
set -euo pipefail
here=$(dirname "${BASH_SOURCE[0]}")
bash "$here/setup.sh"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$KUBEPLAY_ROOT"
full=${1:-}

echo "==> native (release)"
cargo build --quiet --release -p kubeplay-cli
./target/release/kubeplay bench --nodes 500 --pods 5000
./target/release/kubeplay bench --nodes 5000 --pods 20000
./target/release/kubeplay bench course
./target/release/kubeplay bench envelope --nodes 500 --pods 15000 --minutes 2
./target/release/kubeplay hostile
if [ "$full" = --full ]; then
  ./target/release/kubeplay bench envelope
fi

echo "==> wasm in headless Chrome (release)"
tests=(scheduling_500_nodes scheduling_5000_nodes course_step envelope_tenth hostile)
if [ "$full" = --full ]; then
  tests+=(envelope_full)
fi
for t in "${tests[@]}"; do
  WASM_BINDGEN_TEST_TIMEOUT=7200 cargo test --release -p kubeplay-app --target wasm32-unknown-unknown \
    --test bench_wasm -- --include-ignored --nocapture --exact "$t" 2>&1 |
    grep -E '^wasm |^test result'
done
