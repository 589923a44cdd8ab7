#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and runs the whole test suite:
#   1. native:   cargo test --workspace
#   2. wasm-app: cargo test -p kubeplay-app --target wasm32-unknown-unknown (headless Chrome via
#                wasm-bindgen-test-runner and chromedriver)
#   3. wasm-model: cargo test -p kubeplay-model --target wasm32-unknown-unknown --test wasm
#                (only when crates/model/tests/wasm.rs exists)
#   4. e2e:      trunk build --release, serve the page on 127.0.0.1 (a free port), and drive it
#                in headless Chromium with tests/e2e/run.mjs (screenshots in tests/e2e/artifacts/)
# Every stage runs even when an earlier one failed, so one run shows all failures. The last line
# sums the tests over all stages as `N passed, N failed` (a stage that failed without reporting
# a failing test, e.g. a compile error, counts as one failure); the exit code is non-zero when
# any stage failed.
#
#   bash scripts/test.sh
set -euo pipefail

here=$(dirname "${BASH_SOURCE[0]}")
bash "$here/setup.sh"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$KUBEPLAY_ROOT"

work=$(mktemp -d "${TMPDIR:-/tmp}/kubeplay-test.XXXXXX")
# Stages run in pipeline subshells, so the static server's PID travels through a file.
server_pid_file="$work/server.pid"
stop_server() {
  local pid
  if [ -f "$server_pid_file" ]; then
    pid=$(cat "$server_pid_file")
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$server_pid_file"
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

total_passed=0
total_failed=0
stage_lines=()

# run_stage NAME COMMAND...: runs the command with its output shown and logged, then adds the
# counts from its closing lines (cargo/libtest and wasm-bindgen-test: `test result: ...`;
# e2e: `e2e: N passed, N failed`) to the totals.
run_stage() {
  local name=$1 log rc passed failed
  shift
  log="$work/$name.log"
  printf '\n==> %s: %s\n' "$name" "$*"
  set +e
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  passed=$(sed -nE -e 's/^test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\1/p' \
    -e 's/^e2e: ([0-9]+) passed, ([0-9]+) failed.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
  failed=$(sed -nE -e 's/^test result: [A-Za-z]+\. ([0-9]+) passed; ([0-9]+) failed.*/\2/p' \
    -e 's/^e2e: ([0-9]+) passed, ([0-9]+) failed.*/\2/p' "$log" | awk '{s += $1} END {print s + 0}')
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  if [ "$rc" -eq 0 ]; then
    stage_lines+=("$(printf '  %-11s ok      %4d passed, %d failed' "$name" "$passed" "$failed")")
  else
    stage_lines+=("$(printf '  %-11s FAILED  %4d passed, %d failed (exit %d)' "$name" "$passed" "$failed" "$rc")")
  fi
}

# The e2e stage: release build, a static server on a free loopback port, the browser driver.
e2e() {
  local dist="$KUBEPLAY_ROOT/target/dist-release" py port="" i
  trunk build --release --dist "$dist" || return 1
  # Start the real interpreter, not a pyenv shim, so $! is the server's own PID. Port 0 lets
  # the kernel pick a free port, which the server then prints.
  py=$(python3 -c 'import sys; print(sys.executable)')
  "$py" -u -m http.server --bind 127.0.0.1 --directory "$dist" 0 >"$work/server.log" 2>&1 &
  local server_pid=$!
  echo "$server_pid" >"$server_pid_file"
  for i in $(seq 1 100); do
    port=$(sed -nE 's/^Serving HTTP on [0-9.]+ port ([0-9]+).*/\1/p' "$work/server.log")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "e2e: static server did not start:" >&2
    cat "$work/server.log" >&2
    return 1
  fi
  echo "e2e: serving target/dist-release at http://127.0.0.1:$port/ (pid $server_pid, tries $i)"
  local rc=0
  node tests/e2e/run.mjs "http://127.0.0.1:$port/" || rc=$?
  stop_server
  return "$rc"
}

run_stage native cargo test --workspace
run_stage wasm-app cargo test -p kubeplay-app --target wasm32-unknown-unknown
if [ -f crates/model/tests/wasm.rs ]; then
  run_stage wasm-model cargo test -p kubeplay-model --target wasm32-unknown-unknown --test wasm
fi
run_stage e2e e2e

printf '\n==> summary\n'
printf '%s\n' "${stage_lines[@]}"
printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
[ "$total_failed" -eq 0 ]
