#!/usr/bin/env bash
# Renders an HTML report in headless Chromium (Debian's chromium package,
# installed by scripts/ensure-deps.sh chromium) and writes a PNG screenshot:
#   scripts/report-screenshot.sh [reports/report.html] [reports/report.png]
# Chromium runs with a throw-away profile, no network services of its own
# (no sync, updates, QUIC or background requests) and a bounded time; the
# page itself is self-contained, so nothing leaves the machine.
set -euo pipefail

html="${1:-reports/report.html}"
png="${2:-reports/report.png}"
[ -f "$html" ] || { echo "report-screenshot: $html not found (run make run first)" >&2; exit 3; }

"$(dirname "$0")/ensure-deps.sh" chromium
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || { echo "report-screenshot: no chromium binary on PATH" >&2; exit 3; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
abs_html=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
abs_png=$(mkdir -p "$(dirname "$png")" && cd "$(dirname "$png")" && pwd)/$(basename "$png")
rm -f "$abs_png"

timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --screenshot="$abs_png" --window-size=1400,2000 \
  "file://$abs_html" >/dev/null 2>&1 || true

[ -s "$abs_png" ] || { echo "report-screenshot: chromium wrote no screenshot" >&2; exit 3; }
echo "report-screenshot: $png"
