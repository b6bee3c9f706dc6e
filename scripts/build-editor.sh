#!/usr/bin/env bash
# Builds the rich-text editor (ProseMirror, MIT) into
# crates/ordo-web/static/editor.js, which is committed: Ordo serves it from
# its own binary, with no CDN, and neither running nor testing Ordo needs
# Node.js. Run this after changing crates/ordo-web/editor/src or its
# package versions; `npm ci` installs exactly what package-lock.json pins
# (with its integrity hashes).
set -euo pipefail
cd "$(dirname "$0")/../crates/ordo-web/editor"
npm ci --no-audit --no-fund --ignore-scripts
# esbuild's binary comes as an optional package; its install script only
# checks it, so it is skipped above and the binary is called directly.
ESBUILD=node_modules/@esbuild/linux-x64/bin/esbuild
[ -x "$ESBUILD" ] || ESBUILD=node_modules/.bin/esbuild
versions=$(node -e 'const l=require("./package-lock.json").packages;console.log(Object.entries(l).filter(([k])=>k.startsWith("node_modules/")&&!k.includes("esbuild")).map(([k,v])=>k.slice(13)+"@"+v.version).join(", "))')
banner="/* Ordo's rich-text editor, built by scripts/build-editor.sh from crates/ordo-web/editor/src. Bundles ${versions}: MIT licence, Copyright (C) 2015-2017 by Marijn Haverbeke and others; the full text is in crates/ordo-web/editor/LICENSE-prosemirror. */"
"$ESBUILD" src/editor.js --bundle --minify --format=iife --target=es2020 \
  --legal-comments=none --banner:js="$banner" --outfile=../static/editor.js
cp node_modules/prosemirror-model/LICENSE LICENSE-prosemirror
ls -l ../static/editor.js
