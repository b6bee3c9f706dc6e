#!/usr/bin/env bash
# Fuzz every parser of untrusted bytes (fuzz/fuzz_targets/) with libFuzzer,
# each for a bounded time, starting from the committed corpus (fuzz/corpus/).
# A crash, a failed property or a timeout fails the run and leaves the input
# in fuzz/artifacts/<target>/ (add it to the corpus with its fix and a test).
#
#   scripts/fuzz.sh            every target, 30 s each
#   scripts/fuzz.sh 300 picture   one target, five minutes
#   ORDO_FUZZ_KEEP=1 scripts/fuzz.sh 60   and merge what was learnt into the corpus
#
# cargo-fuzz needs nightly flags: RUSTC_BOOTSTRAP=1 lets the stable toolchain
# take them (these machines have no nightly). The coverage instrumentation
# is all libFuzzer needs; no sanitizer by default (Ordo forbids unsafe code;
# ORDO_FUZZ_SANITIZER=address adds ASan, for the C inside zstd, slower).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${1:-30}"
shift || true
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
CACHE="${CARGO_TARGET_DIR:-/var/cache/ordo/target}"
FUZZ_TARGET_DIR="${CACHE%/*}/fuzz-target"
SANITIZER="${ORDO_FUZZ_SANITIZER:-none}"
# A fixed seed by default: from the committed corpus, a run explores the same
# inputs in the same order, so CI repeats what was checked before a commit
# (for as long as its time bound lets it) instead of failing at random on a
# new finding. Explore further with another seed: ORDO_FUZZ_SEED=0 (random).
SEED="${ORDO_FUZZ_SEED:-1}"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  CARGO_TARGET_DIR="${CACHE%/*}/tools" cargo install cargo-fuzz --locked --version 0.13.2
fi

TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  mapfile -t TARGETS < <(cd fuzz && cargo fuzz list)
fi

# One build for every target (the instrumented build is the slow part).
(cd fuzz && cargo fuzz build -s "$SANITIZER" --target-dir "$FUZZ_TARGET_DIR")

# What a target may take per input: generous for pictures (decoding), small
# elsewhere; a slow input is a finding (-timeout), and so is memory.
for t in "${TARGETS[@]}"; do
  case "$t" in
    picture) max_len=65536 ;;
    backup_*) max_len=262144 ;;
    *) max_len=8192 ;;
  esac
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  echo "==> fuzz $t for ${SECONDS_EACH}s"
  # A copy of the corpus to grow, so the committed one changes only when
  # someone means to (cargo fuzz cmin).
  work="$(mktemp -d)"
  cp -r "fuzz/corpus/$t/." "$work/"
  if ! (cd fuzz && cargo fuzz run -s "$SANITIZER" --target-dir "$FUZZ_TARGET_DIR" "$t" "$work" -- \
        -seed="$SEED" -max_total_time="$SECONDS_EACH" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"$work.log" 2>&1); then
    grep -E -A6 "panicked|ERROR: libFuzzer|SUMMARY" "$work.log" >&2 || tail -n 40 "$work.log" >&2
    echo "FAIL: fuzz target $t found a problem; the input is in fuzz/artifacts/$t/" >&2
    ls -l "fuzz/artifacts/$t/" >&2 || true
    rm -rf "$work" "$work.log"
    exit 1
  fi
  grep -E "^Done|stat::(number_of_executed_units|peak_rss_mb)" "$work.log" | sed 's/^/    /'
  rm -f "$work.log"
  echo "    corpus: $(ls "fuzz/corpus/$t" | wc -l) committed, $(ls "$work" | wc -l) after the run"
  if [ "${ORDO_FUZZ_KEEP:-}" = 1 ]; then
    # Keep what the run learnt: the inputs that add coverage, merged into
    # the committed corpus (libFuzzer's -merge keeps the smallest set).
    (cd fuzz && cargo fuzz run -s "$SANITIZER" --target-dir "$FUZZ_TARGET_DIR" "$t" "corpus/$t" "$work" -- \
      -merge=1 -max_len="$max_len" >/dev/null 2>&1)
    echo "    corpus kept: $(ls "fuzz/corpus/$t" | wc -l) inputs"
  fi
  rm -rf "$work"
done
