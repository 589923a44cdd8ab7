#!/usr/bin/env bash
# Builds the release page with Trunk (the build the e2e test serves) and prints the raw and
# gzip -9 sizes of its wasm, the number the spec's "well under 1 MB compressed" bar is about.
#
#   bash scripts/wasm-size.sh
set -euo pipefail

here=$(dirname "${BASH_SOURCE[0]}")
bash "$here/setup.sh"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$KUBEPLAY_ROOT"

dist="$KUBEPLAY_ROOT/target/dist-release"
echo "wasm-size: trunk build --release --dist target/dist-release"
trunk build --release --dist "$dist"

shopt -s nullglob
files=("$dist"/*_bg.wasm "$dist"/*.js)
[ "${#files[@]}" -gt 0 ] || { echo "wasm-size: no *_bg.wasm in $dist" >&2; exit 1; }
printf '%-44s %12s %12s\n' file raw_bytes gzip9_bytes
for f in "${files[@]}"; do
  raw=$(wc -c <"$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  printf '%-44s %12d %12d\n' "$(basename "$f")" "$raw" "$gz"
done
