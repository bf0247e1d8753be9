package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
)

// MetricsPath serves the Prometheus exposition when Config.Metrics is set.
// It is unauthenticated, like most exporters: it carries counts and
// durations by service, version and operation, never payloads or users.
const MetricsPath = "/metrics"

// requestInfo is filled in by serveSOAP for the metrics recorded after it.
type requestInfo struct {
	operation string
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	i, _ := ctx.Value(infoKey{}).(*requestInfo)
	return i
}

// serveMeasured serves a SOAP POST and records its outcome and latency.
func (s *Server) serveMeasured(w http.ResponseWriter, r *http.Request, ep *endpoint) {
	m := s.cfg.Metrics
	info := &requestInfo{}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	s.serveSOAP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)), ep)
	d := time.Since(start)
	opName := info.operation
	if opName == "" {
		opName = "unknown"
	}
	svc, ver := ep.v.Service, ep.v.Version.String()
	m.Requests.Inc(svc, ver, opName, outcome(rec))
	m.Latency.ObserveDuration(d, svc, ver, opName)
}

// outcome classifies an answer: ok (200), fault (a SOAP fault), rejected
// (401, 413, 503: refused before any handler ran), error (anything else).
func outcome(rec *statusRecorder) string {
	switch rec.status {
	case http.StatusOK:
		return "ok"
	case http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable:
		return "rejected"
	}
	if rec.status == http.StatusInternalServerError && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/xml") {
		return "fault"
	}
	return "error"
}

func (s *Server) countFault(kind string) {
	if s.cfg.Metrics != nil {
		s.cfg.Metrics.Faults.Inc(kind)
	}
}

// setServerTiming reports the time the handler spent in external calls
// (the capability request callout) as Server-Timing, in milliseconds
// with three decimals.
func setServerTiming(h http.Header, t *op.Timings) {
	t.Each(func(name string, total time.Duration) {
		h.Add("Server-Timing", name+";dur="+strconv.FormatFloat(float64(total)/float64(time.Millisecond), 'f', 3, 64))
	})
}
