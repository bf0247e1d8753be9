#!/usr/bin/env bash
# Times `fnokit schemas diff --service S --from vA --to vB` (the whole
# command: process start, embedded WSDL parse, model build, walk,
# classification, JSON output) for every pair of consecutive versions of
# every SOAP service in schemas/soap, three sweeps over all pairs; prints
# the median of the three per pair and the median total of a sweep.
#
#   scripts/time-schemas-diff.sh [path/to/fnokit]   (default: builds one in a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-}
if [[ -z $bin ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  go build -o "$tmp/fnokit" ./cmd/fnokit
  bin=$tmp/fnokit
fi

# Consecutive pairs from the folders: base first, then v1, v2, … by number.
pairs=()
for dir in schemas/soap/*/; do
  svc=$(basename "$dir")
  mapfile -t versions < <(find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'base' -o -mindepth 1 -maxdepth 1 -type d -name 'v[0-9]*' |
    xargs -n1 basename | sed 's/^base$/v0/' | sort -V | sed 's/^v0$/base/')
  for ((i = 1; i < ${#versions[@]}; i++)); do
    pairs+=("$svc ${versions[i-1]} ${versions[i]}")
  done
done

now() { date +%s%N; }
declare -A t
runs=3
totals=()
for ((r = 1; r <= runs; r++)); do
  sweep=$(now)
  for p in "${pairs[@]}"; do
    read -r svc from to <<<"$p"
    start=$(now)
    code=0
    "$bin" schemas diff --service "$svc" --from "$from" --to "$to" --format json >/dev/null || code=$?
    if ((code != 0 && code != 2)); then
      echo "fnokit schemas diff --service $svc --from $from --to $to: exit $code" >&2
      exit 1
    fi
    t[$p,$r]=$(($(now) - start))
  done
  totals+=($(($(now) - sweep)))
done

median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }
ms() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'; }

printf '%-48s %10s\n' "pair (median of $runs)" "ms"
sum=0
for p in "${pairs[@]}"; do
  m=$(median "${t[$p,1]}" "${t[$p,2]}" "${t[$p,3]}")
  sum=$((sum + m))
  read -r svc from to <<<"$p"
  printf '%-48s %10s\n' "$svc $from→$to" "$(ms "$m")"
done
printf '%-48s %10s\n' "sum of the medians (${#pairs[@]} pairs)" "$(ms "$sum")"
printf '%-48s %10s\n' "median sweep wall time (of $runs)" "$(ms "$(median "${totals[@]}")")"
