# A k6-operator runner image for fnokit: k6 v1.8.1 with the k6/x/fno
# extension (built with xk6 v1.3.3, cgo on for libxml2), the fnokit command
# (its emulator can be the test's target in the cluster) and the scenarios.
#
#   docker build -t fnokit-k6 .
#   docker run --rm --network host -e FNO_BASE_URL=http://127.0.0.1:8080 \
#     fnokit-k6 run /home/k6/scenarios/device-search.js
#
# The k6-operator starts runners with its own command (`k6 run …`), so k6
# must be on PATH; see deploy/k6-operator/testrun.yaml.

FROM golang:1.26-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxml2-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Module downloads first, so a source change does not fetch them again.
COPY go.mod go.sum ./
COPY k6ext/go.mod k6ext/go.sum k6ext/
COPY k6ext/tools/go.mod k6ext/tools/go.sum k6ext/tools/
RUN go mod download && (cd k6ext && go mod download) && (cd k6ext/tools && go mod download)
COPY . .
RUN K6_OUT=/out/k6 scripts/build-k6.sh \
 && CGO_ENABLED=1 go build -o /out/fnokit ./cmd/fnokit

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxml2 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 12345 --create-home --shell /usr/sbin/nologin k6
COPY --from=build /out/k6 /out/fnokit /usr/bin/
COPY --chown=12345:12345 scenarios /home/k6/scenarios
USER 12345
WORKDIR /home/k6
# handleSummary writes reports/bench/<scenario>.json relative to here.
RUN mkdir -p reports/bench
ENV K6_NO_USAGE_REPORT=true
ENTRYPOINT ["k6"]
