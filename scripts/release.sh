#!/usr/bin/env bash
# A release build: the `ordo` binary, its SBOM (CycloneDX) and their
# SHA-256 sums, side by side in OUT_DIR.
#
#   scripts/release.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/release.sh OUT_DIR}"
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$out"
cargo build --release --locked -p ordo
cp "$target/release/ordo" "$out/ordo"
./scripts/sbom.sh "$out"
(cd "$out" && sha256sum ordo ordo.cdx.json > SHA256SUMS)
echo "release: $out/ordo, $out/ordo.cdx.json, $out/SHA256SUMS"
