#!/usr/bin/env bash
# Write the SBOM of the `ordo` binary (CycloneDX 1.5, JSON): every crate
# compiled into it, with its version, licence and checksum, build-time
# dependencies left out. Run by .ci/run and by release builds.
#
#   scripts/sbom.sh OUT_DIR      (writes OUT_DIR/ordo.cdx.json)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/sbom.sh OUT_DIR}"
mkdir -p "$out"
if ! cargo cyclonedx --version >/dev/null 2>&1; then
  echo "installing cargo-cyclonedx"
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/ordo/target}"
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR%/*}/tools" cargo install cargo-cyclonedx --locked
fi
# cargo-cyclonedx writes beside the manifest; move it out of the tree.
cargo cyclonedx --manifest-path crates/ordo/Cargo.toml --format json --describe binaries \
  --spec-version 1.5 --no-build-deps -q
mv crates/ordo/ordo_bin.cdx.json "$out/ordo.cdx.json"
python3 - "$out/ordo.cdx.json" <<'PY'
import json, sys
bom = json.load(open(sys.argv[1]))
names = {c["name"] for c in bom["components"]}
# A BOM that lost the crates it must list is not a BOM.
missing = {"ordo-app", "ordo-web", "ordo-store", "ordo-crypto", "sqlx-core", "axum", "aes-gcm", "argon2"} - names
if missing:
    sys.exit(f"SBOM lacks {sorted(missing)}")
print(f"SBOM: {sys.argv[1]} ({len(bom['components'])} components, CycloneDX {bom['specVersion']})")
PY
