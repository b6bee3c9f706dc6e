#!/usr/bin/env bash
# Run Ordo's whole test suite: unit tests, and integration tests on SQLite and
# on PostgreSQL, with mail going through a real SMTP server.
#
# It starts what the tests need and stops it afterwards:
# - PostgreSQL: uses ORDO_TEST_DATABASE_URL if set, else the local server on
#   127.0.0.1:5432 (database `test`, trust auth), starting it if it is down;
#   it fails loudly if none can be reached. Each test creates its own database.
# - SMTP: a Python aiosmtpd server on a free loopback port, delivering into a
#   temporary Maildir that the tests read.
# - S3: a moto server (PyPI) on a free loopback port, with a test bucket,
#   for the backup tests.
# - Chromium and ChromeDriver (Debian packages) for the browser tests, and
#   axe-core (npm, pinned by hash) for their accessibility checks.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n==> %s\n' "$*"; }

: "${ORDO_CACHE_DIR:=${XDG_CACHE_HOME:-$HOME/.cache}/ordo}"
mkdir -p "$ORDO_CACHE_DIR"

# --- PostgreSQL --------------------------------------------------------------
if ! command -v psql >/dev/null 2>&1; then
  log "Installing the PostgreSQL client"
  apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null
fi
if [ -z "${ORDO_TEST_DATABASE_URL:-}" ]; then
  export ORDO_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/test"
  if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    log "PostgreSQL is not answering on 127.0.0.1:5432; starting it"
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    fi
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && break; sleep 1; done
  fi
fi
if ! psql "$ORDO_TEST_DATABASE_URL" -qAtc 'SELECT 1' >/dev/null; then
  echo "FATAL: cannot reach PostgreSQL at $ORDO_TEST_DATABASE_URL" >&2
  exit 1
fi
drop_test_databases() {
  psql "$ORDO_TEST_DATABASE_URL" -qAtc "SELECT datname FROM pg_database WHERE datname LIKE 'ordo\_t\_%'" 2>/dev/null |
    while read -r db; do [ -n "$db" ] && psql "$ORDO_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; done
}
drop_test_databases

# --- SMTP ---------------------------------------------------------------------
VENV="$ORDO_CACHE_DIR/venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import aiosmtpd, moto.server, icalendar' 2>/dev/null; then
  log "Installing aiosmtpd (SMTP server), moto (S3-compatible server) and icalendar into $VENV"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd>=1.4,<2' 'moto[server]>=5,<6' 'icalendar>=6,<8'
fi
WORK="$(mktemp -d)"
SMTP_PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export ORDO_TEST_MAILDIR="$WORK/maildir"
"$VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$ORDO_TEST_MAILDIR" \
  >"$WORK/smtp.log" 2>&1 &
SMTP_PID=$!
cleanup() {
  kill "$SMTP_PID" 2>/dev/null || true
  [ -n "${S3_PID:-}" ] && kill "$S3_PID" 2>/dev/null || true
  drop_test_databases
  rm -rf "$WORK"
}
trap cleanup EXIT
for _ in $(seq 1 50); do
  "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1',$SMTP_PORT),1)" 2>/dev/null && break
  sleep 0.2
done
export ORDO_TEST_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT"
log "SMTP server on 127.0.0.1:$SMTP_PORT, PostgreSQL at ${ORDO_TEST_DATABASE_URL%%@*}@..."

# --- S3-compatible storage (backups) ----------------------------------------
S3_PORT="$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"$WORK/s3.log" 2>&1 &
S3_PID=$!
for _ in $(seq 1 100); do
  "$VENV/bin/python" -c "import socket; socket.create_connection(('127.0.0.1',$S3_PORT),1)" 2>/dev/null && break
  sleep 0.2
done
export ORDO_TEST_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
export ORDO_TEST_S3_BUCKET="ordo-test"
"$VENV/bin/python" - <<PY
import urllib.request
urllib.request.urlopen(urllib.request.Request("$ORDO_TEST_S3_ENDPOINT/$ORDO_TEST_S3_BUCKET", method="PUT"), timeout=10)
PY
log "S3-compatible server (moto) on 127.0.0.1:$S3_PORT, bucket $ORDO_TEST_S3_BUCKET"

# --- Browser ------------------------------------------------------------------
if ! command -v chromedriver >/dev/null 2>&1 || [ ! -x /usr/bin/chromium ]; then
  log "Installing Chromium and ChromeDriver (Debian packages) for the browser tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
export ORDO_TEST_BROWSER=1
# axe-core (MPL-2.0, from the npm registry) checks the main pages for WCAG
# 2.1 A/AA violations inside Chromium; the exact file is pinned by its hash.
AXE_VERSION=4.14.1
AXE_SHA256=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c
export ORDO_TEST_AXE="$ORDO_CACHE_DIR/axe-core-$AXE_VERSION/axe.min.js"
if ! echo "$AXE_SHA256  $ORDO_TEST_AXE" | sha256sum -c --status 2>/dev/null; then
  log "Fetching axe-core $AXE_VERSION (npm) for the accessibility tests"
  axe_tmp=$(mktemp -d)
  # Straight from the registry (no npm needed), checked by its hash below.
  python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
    "https://registry.npmjs.org/axe-core/-/axe-core-$AXE_VERSION.tgz" "$axe_tmp/axe.tgz"
  tar xzf "$axe_tmp/axe.tgz" -C "$axe_tmp"
  mkdir -p "$(dirname "$ORDO_TEST_AXE")"
  cp "$axe_tmp/package/axe.min.js" "$axe_tmp/package/LICENSE" "$(dirname "$ORDO_TEST_AXE")/"
  rm -rf "$axe_tmp"
  echo "$AXE_SHA256  $ORDO_TEST_AXE" | sha256sum -c --status || { echo "FATAL: axe-core's hash differs" >&2; exit 1; }
fi

# --- Checking files as their readers would -----------------------------------
# pdftotext (poppler) reads the minutes' PDF; Python's icalendar parses the
# invitations and feeds.
if ! command -v pdftotext >/dev/null 2>&1; then
  log "Installing poppler-utils (pdftotext) for the PDF tests"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
fi
export ORDO_TEST_PYTHON="$VENV/bin/python"

# --- Tests --------------------------------------------------------------------
log "Running the test suite"
suite=0
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@" || suite=$?
else
  cargo test --workspace --no-fail-fast "$@" || suite=$?
fi

# --- Security scanners --------------------------------------------------------
# sqlmap (Debian package) and schemathesis (PyPI) against a real server built
# by the suite above, each bounded in time (scripts/scan.py). They run with the
# whole suite; a filtered run (arguments given) skips them unless ORDO_SCAN=1.
scan=0
if [ $# -eq 0 ] || [ "${ORDO_SCAN:-}" = 1 ]; then
  if ! command -v sqlmap >/dev/null 2>&1; then
    log "Installing sqlmap (Debian package)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlmap >/dev/null
  fi
  SCAN_VENV="$ORDO_CACHE_DIR/scan-venv"
  if [ ! -x "$SCAN_VENV/bin/st" ]; then
    log "Installing schemathesis into $SCAN_VENV"
    rm -rf "$SCAN_VENV"
    python3 -m venv "$SCAN_VENV"
    "$SCAN_VENV/bin/pip" install --quiet --disable-pip-version-check 'schemathesis>=4.32,<5'
  fi
  log "Security scanners (sqlmap, schemathesis)"
  ORDO_SCHEMATHESIS="$SCAN_VENV/bin/st" python3 scripts/scan.py \
    "${CARGO_TARGET_DIR:-target}/debug/ordo" "$ORDO_TEST_DATABASE_URL" || scan=$?
fi
if [ "$suite" -ne 0 ]; then exit "$suite"; fi
exit "$scan"
