#!/usr/bin/env bash
# The k6 extension's benchmarks, on loopback, bounded (every k6 run lasts
# DURATION, at most 30 s, plus a few seconds of start and stop):
#
#  1. Throughput, side by side in one k6 run (bench/soap-clients.js): four
#     scenarios of VUS VUs each call ManageDeviceService v7 searchDevices on
#     one emulator: client.call() checking the status ("call"), the same
#     reading the payload ("payload"), plain k6/http posting a prebuilt
#     envelope ("http"), and a JS-only client (string envelope, JS XML
#     reader; "js"). Two workloads: "one" (EQUALS on one device, ~0.7 KB
#     answer) and "page" (BATCH devices, ~19 KB for 50). ROUNDS runs per
#     workload; the medians of the ratios to http and js are reported.
#  2. Memory per VU (bench/memory.js): the k6 process's peak RSS (GNU time
#     %M) with 1 and MEMVUS VUs, each with its own Client calling every
#     0.2 s; per VU = difference / (MEMVUS - 1). The same with plain k6/http
#     is the baseline.
#
# The emulator is `fnokit serve` (built from this tree into a temporary
# directory) on 127.0.0.1:PORT with its default data set (10 000 devices).
# bin/k6 is built or reused by scripts/build-k6.sh. Figures go to stdout
# and to OUT/summary.json; each run's JSON beside it.
#
#   k6ext/bench/run.sh                       # 3 rounds of 20 s per workload
#   ROUNDS=5 DURATION=30s k6ext/bench/run.sh
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20s}
VUS=${VUS:-4}
BATCH=${BATCH:-50}
MEMVUS=${MEMVUS:-200}
PORT=${PORT:-18089}

cd "$(dirname "$0")/../.."
root=$(pwd)
OUT=${OUT:-reports/bench/k6ext}
case "${DURATION%s}" in
  ''|*[!0-9]*) echo "DURATION must be whole seconds such as 20s" >&2; exit 1 ;;
esac
if [ "${DURATION%s}" -gt 30 ]; then echo "DURATION is at most 30s" >&2; exit 1; fi
for tool in jq curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run.sh needs $tool" >&2; exit 3; }
done

scripts/build-k6.sh
k6="$root/bin/k6"
tmp=$(mktemp -d)
emu=""
cleanup() {
  if [ -n "$emu" ]; then kill "$emu" 2>/dev/null || true; wait "$emu" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/fnokit" ./cmd/fnokit
base="http://127.0.0.1:$PORT"
"$tmp/fnokit" serve -addr "127.0.0.1:$PORT" -log-level warn >"$tmp/serve.log" 2>&1 &
emu=$!
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "$base/flexnet/services" 2>/dev/null && break
  kill -0 "$emu" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 3; }
  sleep 0.5
done
curl -fsS -o /dev/null "$base/flexnet/services" || { echo "the emulator did not start on $base" >&2; exit 3; }

# A device the "one" workload finds by EQUALS.
device=$(curl -fsS -u admin:admin -H 'Content-Type: application/json' -d '{"batchSize":1}' \
  "$base/flexnet/operations/manageDevice/devices" | jq -r '.responseData.device[0].deviceIdentifier.deviceId')
[ -n "$device" ] && [ "$device" != null ] || { echo "no device in the emulator's data set" >&2; exit 3; }

mkdir -p "$OUT"
export K6_NO_USAGE_REPORT=true
for w in one page; do
  for r in $(seq 1 "$ROUNDS"); do
    "$k6" run -q -e BASE="$base" -e WORKLOAD="$w" -e DEVICE="$device" -e BATCH="$BATCH" -e VUS="$VUS" \
      -e DURATION="$DURATION" -e SUMMARY="$OUT/throughput-$w-$r.json" k6ext/bench/soap-clients.js
  done
done

median() { local f=$1; shift; jq -s "map($f) | sort | .[(length - 1) / 2 | floor]" "$@"; }
rss() { # mode vus → peak RSS in KiB
  /usr/bin/time -f '%M' -o "$tmp/rss" "$k6" run -q -e BASE="$base" -e MODE="$1" -e VUS="$2" -e DEVICE="$device" \
    -e DURATION=10s k6ext/bench/memory.js >/dev/null
  cat "$tmp/rss"
}
declare -A mem
for mode in call http; do
  mem[$mode,1]=$(rss "$mode" 1)
  mem[$mode,$MEMVUS]=$(rss "$mode" "$MEMVUS")
done
per_vu() { echo $(( (mem[$1,$MEMVUS] - mem[$1,1]) / (MEMVUS - 1) )); }

jq -n \
  --argjson rounds "$ROUNDS" --arg duration "$DURATION" --argjson vus "$VUS" --argjson batch "$BATCH" \
  --argjson oneHTTP "$(median .ratio.callOverHTTP "$OUT"/throughput-one-*.json)" \
  --argjson oneJS "$(median .ratio.callOverJS "$OUT"/throughput-one-*.json)" \
  --argjson oneRPS "$(median .rps.call "$OUT"/throughput-one-*.json)" \
  --argjson onePHTTP "$(median .ratio.payloadOverHTTP "$OUT"/throughput-one-*.json)" \
  --argjson onePJS "$(median .ratio.payloadOverJS "$OUT"/throughput-one-*.json)" \
  --argjson pageHTTP "$(median .ratio.callOverHTTP "$OUT"/throughput-page-*.json)" \
  --argjson pageJS "$(median .ratio.callOverJS "$OUT"/throughput-page-*.json)" \
  --argjson pageRPS "$(median .rps.call "$OUT"/throughput-page-*.json)" \
  --argjson pagePHTTP "$(median .ratio.payloadOverHTTP "$OUT"/throughput-page-*.json)" \
  --argjson pagePJS "$(median .ratio.payloadOverJS "$OUT"/throughput-page-*.json)" \
  --argjson memvus "$MEMVUS" \
  --argjson call1 "${mem[call,1]}" --argjson callN "${mem[call,$MEMVUS]}" --argjson callPer "$(per_vu call)" \
  --argjson http1 "${mem[http,1]}" --argjson httpN "${mem[http,$MEMVUS]}" --argjson httpPer "$(per_vu http)" \
  '{throughput: {rounds: $rounds, duration: $duration, vusPerScenario: $vus,
      one:  {callRps: $oneRPS, callOverHTTP: $oneHTTP, callOverJS: $oneJS, payloadOverHTTP: $onePHTTP, payloadOverJS: $onePJS},
      page: {batch: $batch, callRps: $pageRPS, callOverHTTP: $pageHTTP, callOverJS: $pageJS, payloadOverHTTP: $pagePHTTP, payloadOverJS: $pagePJS}},
    memory: {vus: $memvus,
      call: {peakRssKiB1: $call1, peakRssKiBN: $callN, perVuKiB: $callPer},
      http: {peakRssKiB1: $http1, peakRssKiBN: $httpN, perVuKiB: $httpPer}}}' >"$OUT/summary.json"
cat "$OUT/summary.json"
