#!/usr/bin/env bash
# Screenshots the API reference page (/docs, Development only) in headless Chromium, offline: every host but the API's
# loopback address is unresolvable, and the network log must show no request to any other host.
#
#   PAYMENTS_PORT=5183 scripts/run.sh &                 # the system, in Development
#   scripts/docs-screenshot.sh [http://127.0.0.1:5183] [docs/api-reference.png]
#
# Needs Debian's chromium (apt-get install chromium). Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

base=${1:-http://127.0.0.1:${PAYMENTS_PORT:-5080}}
out=${2:-docs/api-reference.png}
command -v chromium >/dev/null || { echo "chromium not found: apt-get install chromium" >&2; exit 1; }
curl -sf "$base/health/live" >/dev/null || { echo "nothing answers on $base (start scripts/run.sh first)" >&2; exit 1; }

profile=$(mktemp -d /tmp/docs-screenshot.XXXXXX)
trap 'rm -rf "$profile"' EXIT

chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --disable-features=AutofillServerCommunication --user-data-dir="$profile/user" \
  --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" --log-net-log="$profile/net.json" \
  --screenshot="$out" --window-size=1400,1000 --virtual-time-budget=10000 "$base/docs/" 2>"$profile/chromium.log" \
  || { cat "$profile/chromium.log" >&2; exit 1; }

# Every request the page made (those keyed to its site; Chromium's own background requests are keyed to none or to
# google.com and fail on the resolver rule): anything not on the API's origin is a CDN or another outside dependency.
python3 - "$profile/net.json" "$base" <<'PY'
import json, sys
log, base = json.load(open(sys.argv[1])), sys.argv[2]
start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
page = sorted({e["params"]["url"] for e in log["events"]
               if e["type"] == start and str(e.get("params", {}).get("network_isolation_key", "")).startswith(base.rsplit(":", 1)[0])})
print("the page requested:", *page, sep="\n  ")
outside = [u for u in page if not u.startswith(base + "/")]
if outside or not page:
    sys.exit(f"requests outside {base}: {outside}" if outside else "no request of the page was seen")
PY
echo "screenshot: $out (nothing loaded from outside $base)"
