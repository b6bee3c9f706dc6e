#!/usr/bin/env bash
# Refresh docs/screenshots/ (or OUT_DIR): a fresh Ordo on a temporary
# SQLite database with the demo tenant and its sample meetings, its owner
# activated, then scripts/screenshots.py in English and in French.
#
#   scripts/screenshots.sh [OUT_DIR]        (ORDO_BIN: the binary to run)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-docs/screenshots}"
ORDO="${ORDO_BIN:-${CARGO_TARGET_DIR:-target}/release/ordo}"
[ -x "$ORDO" ] || { echo "no ordo binary at $ORDO (cargo build --release, or set ORDO_BIN)" >&2; exit 1; }
DATA="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export ORDO_DATA_DIR="$DATA" ORDO_LISTEN="127.0.0.1:$PORT"
EMAIL=owner@example.org PASSWORD='correct horse battery staple'
# One tenant per language (an account's own language wins over the
# browser's). The owner's activation link is printed by the command (the
# sample's meetings send other people's links by mail).
declare -A LINKS
for lang in en fr; do
  LINKS[$lang]="$("$ORDO" --data-dir "$DATA" tenant create --slug "demo-$lang" --name "Demo" --owner-email "$EMAIL" --locale "$lang" |
    grep -oE "https?://[^ ]*/activate/[A-Za-z0-9_-]+" | head -n1)"
  "$ORDO" --data-dir "$DATA" demo sample --tenant "demo-$lang" >/dev/null
done
nice -n 5 "$ORDO" --data-dir "$DATA" serve --listen "127.0.0.1:$PORT" >"$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
activate() {
python3 - "http://127.0.0.1:$PORT" "$1" "$PASSWORD" <<'PY'
import re, sys, urllib.parse, urllib.request
base, link, password = sys.argv[1:4]
# The link names the configured public address; this server is on another port.
link = base + urllib.parse.urlsplit(link).path
# The cookies are Secure (a browser keeps them on 127.0.0.1, urllib's jar
# does not): send them back by hand.
res = urllib.request.urlopen(link)
cookies = "; ".join(c.split(";")[0] for c in res.headers.get_all("Set-Cookie") or [])
csrf = re.search(r'name="_csrf" value="([^"]+)"', res.read().decode()).group(1)
body = urllib.parse.urlencode({"_csrf": csrf, "display_name": "Olivia Owner", "password": password}).encode()
# A form post comes from the page itself: the server checks its origin.
req = urllib.request.Request(link, data=body, method="POST", headers={"Origin": base, "Cookie": cookies})
class Keep(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None
try:
    urllib.request.build_opener(Keep).open(req)
except urllib.error.HTTPError as e:
    if e.code != 303:
        raise
PY
}
for lang in en fr; do
  activate "${LINKS[$lang]}"
  python3 scripts/screenshots.py "http://127.0.0.1:$PORT" "demo-$lang" "$EMAIL" "$PASSWORD" "$OUT" "$lang"
done
