#!/usr/bin/env python3
"""Trunk post-build hook (Trunk.toml): makes the release page work under a strict
Content-Security-Policy. Trunk writes its wasm loader as an inline <script type="module">; this
moves it into its own file (named by its hash) and loads it with src=, so no inline script is
needed, then puts the policy in a <meta> tag:

    default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'

'wasm-unsafe-eval' is what compiling the wasm needs; nothing else is evaluated. Debug builds
(`trunk serve`) are left alone: Trunk's live-reload script is inline.
"""
import hashlib
import os
import re
import sys

POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'"
)


def main() -> int:
    if os.environ.get("TRUNK_PROFILE") != "release":
        return 0
    staging = os.environ.get("TRUNK_STAGING_DIR")
    if not staging:
        print("csp.py: TRUNK_STAGING_DIR is not set", file=sys.stderr)
        return 1
    path = os.path.join(staging, "index.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    found = re.search(r'<script type="module">(.*?)</script>', html, re.S)
    if not found:
        print("csp.py: no inline module script in index.html", file=sys.stderr)
        return 1
    body = found.group(1)
    name = "boot-%s.js" % hashlib.sha256(body.encode()).hexdigest()[:16]
    with open(os.path.join(staging, name), "w", encoding="utf-8") as f:
        f.write(body)
    public = os.environ.get("TRUNK_PUBLIC_URL", "/")
    html = html[: found.start()] + '<script type="module" src="%s%s"></script>' % (public, name) + html[found.end():]
    meta = '<meta http-equiv="Content-Security-Policy" content="%s" />' % POLICY
    html = html.replace('<meta charset="utf-8" />', '<meta charset="utf-8" />\n    ' + meta, 1)
    if meta not in html:
        print("csp.py: no <meta charset> to put the policy after", file=sys.stderr)
        return 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    return 0


if __name__ == "__main__":
    sys.exit(main())
