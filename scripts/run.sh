#!/usr/bin/env bash
# Build Ordo and serve it on http://127.0.0.1:8080 with the embedded SQLite
# database under ./data. On the first run it creates a tenant "demo" and
# prints its owner's single-use activation link (also written as an e-mail
# file under ./data/mail/, since no SMTP server is configured), with two
# sample meetings to look around in.
#
#   ORDO_DEMO_EMAIL  owner address for the demo tenant (owner@example.org)
#   any ORDO_* setting (see the README) is passed through to `ordo`
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --bin ordo
ORDO=./target/release/ordo
if [ -n "${CARGO_TARGET_DIR:-}" ]; then ORDO="$CARGO_TARGET_DIR/release/ordo"; fi

if ! "$ORDO" tenant list 2>/dev/null | awk 'NR>1 {print $1}' | grep -qx demo; then
  echo
  "$ORDO" tenant create --slug demo --name "Demo" --owner-email "${ORDO_DEMO_EMAIL:-owner@example.org}"
  # Two sample meetings (last week's and next week's) to look around in.
  "$ORDO" demo sample --tenant demo >/dev/null
  echo
  echo "Open the link above in a browser to choose the owner's password, then sign in."
  echo
fi
LISTEN="${ORDO_LISTEN:-127.0.0.1:8080}"
echo "Ordo: sign in at http://$LISTEN/t/demo/login (every tenant is listed at http://$LISTEN/ in development)."
echo "Mail is written under ./data/mail/: each message as .eml and as .txt with its links whole."
exec "$ORDO" serve
