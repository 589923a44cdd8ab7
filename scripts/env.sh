# shellcheck shell=bash
# Sourced by scripts/setup.sh, serve.sh, test.sh and wasm-size.sh: the pinned tool versions and
# the PATH that makes Trunk find exactly those tools. It only sets variables; it installs nothing.

# The repository root, whatever directory the caller runs from.
KUBEPLAY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export KUBEPLAY_ROOT

# Pins. Trunk 0.22 needs a newer rustc than the machines have, so Trunk stays on 0.21.14.
# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock (read there, not pinned here).
# wasm-opt comes from npm's binaryen 132: Debian's binaryen 108 cannot parse what rustc emits.
export KUBEPLAY_TRUNK_VERSION=0.21.14
export KUBEPLAY_BINARYEN_VERSION=132.0.0
export KUBEPLAY_TOOLS_DIR="$KUBEPLAY_ROOT/.tools"
export KUBEPLAY_BINARYEN_DIR="$KUBEPLAY_TOOLS_DIR/binaryen"

# The wasm-bindgen version that Cargo.lock resolved (empty when the lock has none).
kubeplay_wasm_bindgen_version() {
  awk '
    $0 == "name = \"wasm-bindgen\"" { found = 1; next }
    found && /^version = / { gsub(/"/, "", $3); print $3; exit }
    /^\[\[package\]\]/ { found = 0 }
  ' "$KUBEPLAY_ROOT/Cargo.lock"
}

# Cargo's bin dir (rustup installs there; `cargo install` puts trunk and wasm-bindgen there).
if [ -d "${CARGO_HOME:-$HOME/.cargo}/bin" ]; then
  case ":$PATH:" in
    *":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
    *) PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" ;;
  esac
fi
# The pinned wasm-opt goes first, ahead of any other wasm-opt (such as Debian's) on PATH.
case ":$PATH:" in
  *":$KUBEPLAY_BINARYEN_DIR/bin:"*) ;;
  *) PATH="$KUBEPLAY_BINARYEN_DIR/bin:$PATH" ;;
esac
export PATH

# Trunk must not phone home for its update check (only package registries are reachable).
export TRUNK_SKIP_VERSION_CHECK=true
# wasm-bindgen-test-runner drives Chrome through chromedriver; Debian installs it here.
if [ -z "${CHROMEDRIVER:-}" ] && [ -x /usr/bin/chromedriver ]; then
  export CHROMEDRIVER=/usr/bin/chromedriver
fi
# The runner's default of 20 s is tight on a busy 2-core machine.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}"
