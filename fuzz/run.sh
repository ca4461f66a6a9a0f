#!/usr/bin/env bash
# Runs one fuzz target for a fixed time on its corpus (fuzz/corpus/<target>, made by seed.sh;
# the committed seeds are read too), with its dictionary. Crashes go to fuzz/artifacts/<target>/.
# Usage: fuzz/run.sh TARGET [SECONDS=300] [extra libFuzzer flags ...]
# Needs the nightly toolchain and cargo-fuzz; builds in fuzz/target (never the shared target
# dir: sanitizer flags would rebuild everything there).
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
target="$1"
seconds="${2:-300}"
shift $(($# < 2 ? $# : 2))
case "$target" in
  csv_rows | truth_csv) dict=csv ;;
  manifest) dict=manifest ;;
  vrm_pattern) dict=vrm ;;
  foreign) dict=foreign ;;
  video_open) dict=mp4 ;;
  *) echo "unknown target $target" >&2; exit 2 ;;
esac
mkdir -p "$fuzz/corpus/$target"
cd "$(dirname "$fuzz")"
unset CARGO_TARGET_DIR
exec cargo +nightly fuzz run -O "$target" "$fuzz/corpus/$target" "$fuzz/seeds/$target" -- \
  -dict="$fuzz/dict/$dict.dict" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$@"
