#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (not committed) from the committed seeds (fuzz/seeds/), the test
# fixtures and the demo data the CLI makes: a 50-read demo bundle and the evaluation kit.
# Usage: fuzz/seed.sh [path to the anpr binary]   (default: builds it with cargo)
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$fuzz")"
anpr="${1:-}"
if [[ -z "$anpr" ]]; then
  (cd "$repo" && cargo build -q -p anpr-cli)
  anpr="${CARGO_TARGET_DIR:-$repo/target}/debug/anpr"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$anpr" demo --bundle "$work/bundle" --reads 50 >/dev/null 2>&1
"$anpr" --data-dir "$work/data" demo --reads 50 --no-images --eval-vehicles 10 >/dev/null 2>&1
kit="$work/data/demo-eval"
fixtures="$repo/crates/anpr-core/tests/fixtures"

for target in csv_rows truth_csv manifest vrm_pattern foreign video_open; do
  mkdir -p "$fuzz/corpus/$target"
  cp "$fuzz/seeds/$target/"* "$fuzz/corpus/$target/"
done
cp "$work/bundle/reads.csv" "$fuzz/corpus/csv_rows/demo-reads-50.csv"
cp "$work/bundle/cameras.csv" "$fuzz/corpus/csv_rows/demo-cameras.csv"
cp "$kit/reads.csv" "$fuzz/corpus/csv_rows/eval-reads.csv"
cp "$fixtures/foreign/register/"*.csv "$fuzz/corpus/csv_rows/"
cp "$kit/truth.csv" "$fuzz/corpus/truth_csv/eval-truth.csv"
cp "$work/bundle/manifest.json" "$fuzz/corpus/manifest/demo-manifest.json"
find "$fixtures/foreign" -type f \( -name '*.json' -o -name '*.xml' -o -name '*.csv' \) -not -path '*/register/*' \
  -exec cp {} "$fuzz/corpus/foreign/" \;
# Every VRM of the demo bundle, paired with itself and with a misread of it.
tail -n +2 "$work/bundle/reads.csv" | cut -d, -f2 | head -40 | while read -r vrm; do
  printf '%s\n%s' "$vrm" "$vrm" > "$fuzz/corpus/vrm_pattern/exact-${vrm// /}"
  printf '%s\n%s' "$vrm" "$(echo "$vrm" | tr 'OIBS' '0185')" > "$fuzz/corpus/vrm_pattern/misread-${vrm// /}"
done
# The evaluation kit's video is large (300 KB); libFuzzer works best on small inputs, so it is
# left out of the default corpus: `cp "$kit/video.mp4" fuzz/corpus/video_open/` to add it.
echo "corpora in $fuzz/corpus/"
