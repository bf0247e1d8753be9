#!/usr/bin/env bash
# Vets and tests the k6 extension (k6ext/, its own Go module, which the root
# `go test ./...` does not reach), with the race detector. The tests run
# k6's modulestest VU against the emulator in process, on loopback.
set -euo pipefail
cd "$(dirname "$0")/../k6ext"
export CGO_ENABLED=1
go vet ./...
go test -race -count=1 ./...
