#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and serves the playground with `trunk serve` at
# http://127.0.0.1:8080 (address and port from Trunk.toml), rebuilding on changes.
# Extra arguments go to `trunk serve`, e.g. `bash scripts/serve.sh --release` for the small,
# optimised page the tests build.
set -euo pipefail

here=$(dirname "${BASH_SOURCE[0]}")
bash "$here/setup.sh"
# shellcheck source=scripts/env.sh
. "$here/env.sh"
cd "$KUBEPLAY_ROOT"

echo "serve: http://127.0.0.1:8080/ (Ctrl-C stops)"
exec trunk serve "$@"
