package server

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sortMounts checks the mounts and orders them longest prefix first, so
// routing is the same whatever order the caller listed them in.
func sortMounts(in []Mount) ([]Mount, error) {
	out := append([]Mount(nil), in...)
	seen := map[string]bool{}
	for _, m := range out {
		switch {
		case !strings.HasPrefix(m.Prefix, "/"):
			return nil, fmt.Errorf("mount %q: a prefix is a path starting with /", m.API)
		case m.API == "" || m.API == "*":
			return nil, fmt.Errorf("mount at %s: it needs an API name", m.Prefix)
		case m.Handler == nil:
			return nil, fmt.Errorf("mount %s: no handler", m.API)
		case seen[m.Prefix]:
			return nil, fmt.Errorf("two mounts at %s", m.Prefix)
		}
		seen[m.Prefix] = true
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i].Prefix) > len(out[j].Prefix) })
	return out, nil
}

func (s *Server) mountFor(path string) *Mount {
	for i := range s.mounts {
		if strings.HasPrefix(path, s.mounts[i].Prefix) {
			return &s.mounts[i]
		}
	}
	return nil
}

// APIs lists the names of the mounted APIs, sorted.
func (s *Server) APIs() []string {
	out := make([]string, len(s.mounts))
	for i, m := range s.mounts {
		out[i] = m.API
	}
	sort.Strings(out)
	return out
}

func (s *Server) knownAPI(api string) error {
	if api == "*" {
		return nil
	}
	for _, m := range s.mounts {
		if m.API == api {
			return nil
		}
	}
	return fmt.Errorf("no REST API %q; this emulator serves %s", api, strings.Join(s.APIs(), ", "))
}

// serveMount serves a REST request: injected faults first, then the API's
// handler, recording the answer's status and latency.
func (s *Server) serveMount(w http.ResponseWriter, r *http.Request, m *Mount) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		if mets := s.cfg.Metrics; mets != nil {
			mets.RESTRequests.Inc(m.API, methodLabel(r.Method), strconv.Itoa(rec.status))
			mets.RESTLatency.ObserveDuration(time.Since(start), m.API)
		}
	}()
	p := s.faults.planREST(m.API, r.URL.Path)
	if p.delay > 0 {
		s.countFault("latency")
		if !sleep(r.Context(), p.delay) {
			return
		}
	}
	if p.err != "" {
		s.countFault(string(p.err))
		writeJSON(rec, http.StatusInternalServerError, map[string]string{"message": "fault injected by the fnokit emulator"})
		return
	}
	m.Handler.ServeHTTP(rec, r)
}

// countOverloaded records a 503 of the in-flight cap against what the
// request was for.
func (s *Server) countOverloaded(r *http.Request, ep *endpoint, m *Mount) {
	mets := s.cfg.Metrics
	switch {
	case mets == nil:
	case ep != nil:
		mets.Requests.Inc(ep.v.Service, ep.v.Version.String(), "unknown", "rejected")
	case m != nil:
		mets.RESTRequests.Inc(m.API, methodLabel(r.Method), strconv.Itoa(http.StatusServiceUnavailable))
	}
}

// methodLabel keeps the method label's values to the known methods, so a
// client cannot grow the metrics without bound.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead, http.MethodOptions:
		return m
	}
	return "other"
}

// errRESTRule explains the fields a REST fault rule can use.
var errRESTRule = errors.New("a rule with api applies to REST requests: it takes path, latency, jitter, errorRate and error http-500, not service, version, operation or drift")
