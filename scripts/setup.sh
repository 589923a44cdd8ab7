#!/usr/bin/env bash
# Installs what building and testing kubeplay needs, on Debian 12 with Rust from rustup, as root.
# Idempotent: each step checks first and installs only what is missing or at the wrong version,
# so a second run installs nothing and takes a few seconds. Network: crates.io, Debian's apt
# repositories and the npm registry only; nothing downloads a prebuilt binary from elsewhere.
#
#   bash scripts/setup.sh          # then: source scripts/env.sh (serve.sh and test.sh do both)
#
# Pins and why (see also scripts/env.sh):
#   trunk 0.21.14            `cargo install --locked`; 0.22 needs a newer rustc.
#   wasm-bindgen-cli         the wasm-bindgen version in Cargo.lock; installed without --locked
#                            because its own lockfile names a crate version crates.io no longer has.
#   binaryen 132.0.0 (npm)   wasm-opt for Trunk's release builds, under .tools/binaryen.
#   chromium, chromium-driver (Debian)  headless browser for wasm-bindgen-test and the e2e test;
#   fonts-wqy-microhei (Debian)         a CJK font for the Chinese interface in screenshots.
#   playwright-core          exact version in tests/e2e/package-lock.json, via `npm ci`; it drives
#                            Debian's /usr/bin/chromium and never downloads a browser.
#   CodeMirror 6, esbuild    exact versions in web/editor/package-lock.json, via `npm ci`; esbuild
#                            bundles web/editor/src into web/editor/dist/cm.js (generated), which
#                            index.html loads: the page's editor.
set -euo pipefail

# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$KUBEPLAY_ROOT"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# --- Rust ----------------------------------------------------------------------------------
have cargo || die "cargo not found: install Rust with rustup first (https://rustup.rs)"
have rustup || die "rustup not found: the wasm32 target is added with rustup"

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target: present"
else
  say "wasm32-unknown-unknown target: adding"
  rustup target add wasm32-unknown-unknown
fi

# --- Chromium and chromedriver (Debian) ------------------------------------------------------
deb_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}
missing_debs=()
# fonts-wqy-microhei: a small CJK font so the page's Chinese interface renders in screenshots.
for pkg in chromium chromium-driver fonts-wqy-microhei; do
  deb_installed "$pkg" || missing_debs+=("$pkg")
done
if [ "${#missing_debs[@]}" -eq 0 ]; then
  say "chromium, chromium-driver, fonts-wqy-microhei: present"
else
  [ "$(id -u)" -eq 0 ] || die "need root to apt-get install ${missing_debs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when apt does not know the packages yet.
  if ! apt-cache show "${missing_debs[@]}" >/dev/null 2>&1; then
    say "apt-get update"
    apt-get update -qq
  fi
  say "installing ${missing_debs[*]} (apt)"
  apt-get install -y -qq "${missing_debs[@]}" >/dev/null
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after install"
[ -x /usr/bin/chromedriver ] || die "/usr/bin/chromedriver missing after install"

# --- Trunk -----------------------------------------------------------------------------------
trunk_seen=$( (trunk --version 2>/dev/null || true) | awk '{print $2}')
if [ "$trunk_seen" = "$KUBEPLAY_TRUNK_VERSION" ]; then
  say "trunk $KUBEPLAY_TRUNK_VERSION: present"
else
  say "trunk $KUBEPLAY_TRUNK_VERSION: installing with cargo (takes minutes)${trunk_seen:+; found $trunk_seen}"
  cargo install trunk --version "$KUBEPLAY_TRUNK_VERSION" --locked --force
fi

# --- wasm-bindgen-cli (wasm-bindgen, wasm-bindgen-test-runner) --------------------------------
wb_version=$(kubeplay_wasm_bindgen_version)
[ -n "$wb_version" ] || die "no wasm-bindgen entry in Cargo.lock"
wb_seen=$( (wasm-bindgen --version 2>/dev/null || true) | awk '{print $2}')
runner_seen=$( (wasm-bindgen-test-runner --version 2>/dev/null || true) | awk '{print $2}')
if [ "$wb_seen" = "$wb_version" ] && [ "$runner_seen" = "$wb_version" ]; then
  say "wasm-bindgen-cli $wb_version: present"
else
  say "wasm-bindgen-cli $wb_version: installing with cargo (takes minutes)${wb_seen:+; found $wb_seen}"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# --- wasm-opt (npm binaryen) -------------------------------------------------------------------
have npm || die "npm not found: Node.js 20+ with npm is needed (wasm-opt and the e2e driver)"
binaryen_major=${KUBEPLAY_BINARYEN_VERSION%%.*}
wasm_opt_seen=$( ("$KUBEPLAY_BINARYEN_DIR/bin/wasm-opt" --version 2>/dev/null || true) | awk '{print $3}')
if [ "$wasm_opt_seen" = "$binaryen_major" ]; then
  say "wasm-opt $binaryen_major (binaryen@$KUBEPLAY_BINARYEN_VERSION): present"
else
  say "wasm-opt: installing binaryen@$KUBEPLAY_BINARYEN_VERSION (npm) into .tools/binaryen"
  rm -rf "$KUBEPLAY_BINARYEN_DIR"
  npm install -g --prefix "$KUBEPLAY_BINARYEN_DIR" --no-audit --no-fund --loglevel=error \
    "binaryen@$KUBEPLAY_BINARYEN_VERSION" >/dev/null
  wasm_opt_seen=$( ("$KUBEPLAY_BINARYEN_DIR/bin/wasm-opt" --version 2>/dev/null || true) | awk '{print $3}')
  [ "$wasm_opt_seen" = "$binaryen_major" ] || die "wasm-opt $binaryen_major not working after install"
fi

# --- e2e driver (playwright-core via npm ci) ---------------------------------------------------
node_major=$( (node --version 2>/dev/null || true) | sed -e 's/^v//' -e 's/\..*//')
if [ -z "$node_major" ] || [ "$node_major" -lt 20 ]; then
  die "Node.js 20+ needed (found: ${node_major:-none})"
fi
e2e_dir="$KUBEPLAY_ROOT/tests/e2e"
# The version package-lock.json pins versus the one in node_modules.
pw_pinned=$(node -e 'const l=require(process.argv[1]);console.log(l.packages["node_modules/playwright-core"].version)' \
  "$e2e_dir/package-lock.json")
pw_seen=$(node -e 'try{console.log(require(process.argv[1]).version)}catch{console.log("")}' \
  "$e2e_dir/node_modules/playwright-core/package.json")
if [ "$pw_seen" = "$pw_pinned" ]; then
  say "playwright-core $pw_pinned (tests/e2e): present"
else
  say "playwright-core $pw_pinned: npm ci in tests/e2e"
  (cd "$e2e_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

# --- the editor bundle (CodeMirror 6 via npm ci, bundled by esbuild) ---------------------------
editor_dir="$KUBEPLAY_ROOT/web/editor"
# npm ci again only when node_modules is missing or its record of the install is older than the
# lockfile (npm writes node_modules/.package-lock.json on every install).
if [ -f "$editor_dir/node_modules/.package-lock.json" ] \
  && [ ! "$editor_dir/package-lock.json" -nt "$editor_dir/node_modules/.package-lock.json" ]; then
  say "editor packages (web/editor): present"
else
  say "editor packages: npm ci in web/editor"
  (cd "$editor_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
# Bundle only when dist/cm.js is missing or older than a source or the installed packages.
bundle="$editor_dir/dist/cm.js"
if [ -f "$bundle" ] && [ -z "$(find "$editor_dir/src" "$editor_dir/package.json" \
  "$editor_dir/node_modules/.package-lock.json" -newer "$bundle" -print -quit)" ]; then
  say "editor bundle (web/editor/dist/cm.js): up to date"
else
  say "editor bundle: esbuild web/editor/src -> web/editor/dist/cm.js"
  (cd "$editor_dir" && npm run --silent build >/dev/null)
  [ -s "$bundle" ] || die "esbuild wrote no $bundle"
fi

# --- crates --------------------------------------------------------------------------------------
# Trunk.toml builds offline (so a missing tool is an error, never a download), which makes Trunk
# run `cargo build --offline`: every crate for every target must already be in cargo's cache.
# `cargo fetch` downloads what is missing and is quick when nothing is. In CI the lockfile must
# already be complete.
fetch_flags=()
if [ -n "${CI:-}" ]; then fetch_flags+=(--locked); fi
say "cargo fetch${fetch_flags[*]:+ ${fetch_flags[*]}}"
cargo fetch --quiet "${fetch_flags[@]}"

say "done"
