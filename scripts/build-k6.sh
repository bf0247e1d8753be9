#!/usr/bin/env bash
# Builds bin/k6: k6 v1.8.1 with the k6/x/fno extension (k6ext/), using xk6
# v1.3.3, pinned as a Go tool in k6ext/tools/go.mod, with cgo on (libxml2 for
# the extension's sampled XSD validation).
#
# bin/k6 is reused when it is newer than every input: the extension's and
# the root module's Go and C sources (tests excluded), the embedded schemas,
# the go.mod/go.sum files and this script. `fnokit bench` calls `make k6`
# before every run, so an up-to-date binary must cost nothing.
#
#   scripts/build-k6.sh            build or reuse bin/k6
#   K6_OUT=path scripts/build-k6.sh  build elsewhere
#   FORCE=1 scripts/build-k6.sh    rebuild even when up to date
#
# The Go module proxy must be reachable, or every module already in the
# module cache (xk6 resolves k6 and the extension's dependencies in a
# temporary module); GOFLAGS and GOPROXY come from the environment.
set -euo pipefail

K6_VERSION=v1.8.1

cd "$(dirname "$0")/.."
root=$(pwd)
out=${K6_OUT:-bin/k6}
case "$out" in /*) ;; *) out="$root/$out" ;; esac

# newer prints the first input newer than $out, if any.
newer() {
  find k6ext internal schemas scripts/build-k6.sh go.mod go.sum \
    \( -type d \( -name testdata -o -name bench -o -name examples \) -prune \) -o \
    \( -type f -newer "$out" \( \( -name '*.go' ! -name '*_test.go' \) -o -name '*.c' -o -name '*.h' \
       -o -name go.mod -o -name go.sum -o -path 'schemas/*' -o -name build-k6.sh \) -print -quit \)
}

have=""
[ -x "$out" ] && have=$("$out" version 2>/dev/null || true)
if [ -z "${FORCE:-}" ] && [[ "$have" == *"k6 $K6_VERSION "* && "$have" == *"k6/x/fno"* ]] && [ -z "$(newer)" ]; then
  echo "${out#"$root"/} is up to date (k6 $K6_VERSION with k6/x/fno)"
  exit 0
fi

mkdir -p "$(dirname "$out")"
start=$(date +%s)
# Build into a temporary file and move it in place, so an interrupted build
# never leaves a half-written bin/k6 that looks up to date.
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
(
  cd k6ext/tools
  # xk6 asks the proxy for k6's latest version to say whether a newer one
  # exists; the pin is deliberate, so that notice is dropped.
  CGO_ENABLED=1 go tool xk6 build "$K6_VERSION" \
    --with "github.com/fnokit/fnokit/k6ext=$root/k6ext" \
    --replace "github.com/fnokit/fnokit=$root" \
    --cgo=1 -q -o "$tmp" 2> >(grep -v 'latest k6 version' >&2)
)
mv -f "$tmp" "$out"
trap - EXIT
have=$("$out" version)
echo "built ${out#"$root"/} in $(( $(date +%s) - start ))s: ${have%%$'\n'*}"
