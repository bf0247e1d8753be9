# fnokit — every target installs what it needs (scripts/ensure-deps.sh).
# The two a newcomer needs: `make run` (the main job) and `make test`.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/fnokit/fnokit/internal/cli.Version=$(VERSION)
REPORTS  ?= reports
# libxml2 is reached through cgo; a build without cgo cannot validate XSD.
export CGO_ENABLED := 1


.PHONY: bench-schemas-diff
.PHONY: all deps build run report-screenshot golden-record suites serve bench-emulator bench-callout test lint-schemas schemas fidelity vet fmt-check fuzz bench bench-xsd bench-openapi clean help k6 test-k6ext bench-k6ext

all: test

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

deps: ## install libxml2-dev and pkg-config when missing
	@scripts/ensure-deps.sh

build: deps ## build bin/fnokit
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/fnokit ./cmd/fnokit

run: build ## the main job: lint the contracts, validate the golden files, run the contract suites on the embedded emulator, write reports/
	bin/fnokit check --reports $(REPORTS)

report-screenshot: ## render reports/report.html in headless Chromium to reports/report.png (installs chromium; run make run first)
	scripts/report-screenshot.sh $(REPORTS)/report.html $(REPORTS)/report.png

golden-record: build ## re-record the golden files from the emulator (review git diff golden/ before committing)
	bin/fnokit golden record --reports $(REPORTS)

suites: deps ## the contract suites alone, each package on its own in-process emulator (go test ./suites/...)
	$(GO) test -count=1 ./suites/...

test: deps fmt-check vet lint-schemas ## unit tests with the race detector (fuzz corpora run as tests), schema lint, the k6 extension's tests, a smoke run of every k6 scenario and a two-process segmented run
	@scripts/ensure-deps.sh chromium   # the HTML report is rendered in headless Chromium by internal/report's test
	$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory test-k6ext k6 bench-smoke bench-segments

lint-schemas: build ## every bundled XSD/WSDL compiles, every OpenAPI document validates
	bin/fnokit schemas lint schemas

schemas: build ## regenerate the SOAP WSDLs from schemas/soap/*/contract.yaml and the samples from them
	bin/fnokit schemas generate
	$(GO) test ./internal/xsdmodel/sample -run TestSamples -update

fidelity: build ## structural comparison of our base-v3 WSDLs with the vendor's (needs ../shared)
	bin/fnokit schemas fidelity

vet: deps
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l .); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# A count, not a duration: Go 1.26's fuzz coordinator can report a false
# "context deadline exceeded" when a -fuzztime duration runs out.
FUZZTIME ?= 3000000x
FUZZ_TARGETS := internal/soap:FuzzParse internal/redact:FuzzXML internal/redact:FuzzJSON internal/openapi:FuzzValidateResponse
fuzz: deps ## fuzz the parsers that face the network, FUZZTIME runs each (new corpus entries land in testdata/)
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $${t#*:} in ./$${t%%:*}"; \
	  $(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) ./$${t%%:*}/ || exit 1; \
	done

bench: bench-xsd bench-openapi bench-emulator bench-callout bench-k6ext bench-schemas-diff ## all benchmarks, with figures

bench-xsd: ## XSD validation rate against xmllint, side by side (needs ../shared)
	@scripts/ensure-deps.sh bench
	scripts/bench-xsd.sh

bench-openapi: deps ## OpenAPI validation cost per ~20 KB response
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./internal/openapi/

bench-emulator: deps ## emulator over loopback vs a static server of the same body size, 10k and 1M devices (bounded, ~5 min)
	$(GO) test -run '^TestLoad$$' -count=1 -v -timeout 30m ./internal/emulator/bench/ -args -load -devices 10000,1000000 -requests 6000 -concurrency 8 -rounds 3 -types EQUALS,STARTS_WITH,ENDS_WITH
	$(GO) test -run '^TestLoad$$' -count=1 -v -timeout 30m ./internal/emulator/bench/ -args -load -devices 10000,1000000 -requests 300 -concurrency 8 -rounds 3 -types CONTAINS

bench-schemas-diff: build ## time fnokit schemas diff on every consecutive version pair of every service (3 sweeps, medians)
	scripts/time-schemas-diff.sh bin/fnokit
	$(GO) test -run '^$$' -bench ConsecutivePairs -count 3 ./internal/versiondiff/

bench-callout: deps ## reference callout throughput; emulator overhead around a callout at 0 and 5 ms (p50/p99)
	$(GO) test -run XXX -bench BenchmarkServerLoopback -benchtime 3s ./internal/callout/
	$(GO) test -run '^$$' -bench CalloutOverhead -benchtime 3000x -count 2 ./internal/emulator/

k6: deps ## build bin/k6: k6 v1.8.1 with the k6/x/fno extension (xk6 v1.3.3, cgo); reused when up to date
	scripts/build-k6.sh

test-k6ext: deps ## vet and test the k6 extension, its own module (race detector; the root go test does not enter it)
	scripts/test-k6ext.sh

bench-k6ext: deps ## k6/x/fno call() vs k6/http vs a JS-only client side by side, k6 memory per VU (loopback, ~4 min)
	k6ext/bench/run.sh

.PHONY: bench-smoke bench-segments
BENCH_SCENARIOS ?= fulfillment-generation device-search callout-latency

bench-smoke: build ## every k6 scenario's smoke profile through fnokit bench, emulator in process (≤ 30 s each; builds bin/k6 when needed)
	@for s in $(BENCH_SCENARIOS); do bin/fnokit bench $$s --profile smoke --reports $(REPORTS)/bench || exit $$?; done
	bin/fnokit bench callout-latency --direct --profile smoke --reports $(REPORTS)/bench

bench-segments: build ## one scenario split across two k6 processes (--execution-segment) on loopback against one emulator, merged exactly
	bin/fnokit bench $(or $(SCENARIO),device-search) --profile $(or $(PROFILE),smoke) --segments 2 --reports $(REPORTS)/bench

serve: build ## run the emulator on 127.0.0.1:8080 (admin/admin)
	bin/fnokit serve

clean:
	rm -rf bin
