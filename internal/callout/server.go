package callout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"path"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
)

// MaxLatency bounds Latency+Jitter: a reference callout that answers after
// minutes is a hang, not a latency profile.
const MaxLatency = time.Minute

// Config configures the reference callout.
type Config struct {
	// Latency and Jitter shape the delay before each answer: Latency plus a
	// uniform draw from [0, Jitter), from a generator seeded with Seed, so
	// the same seed gives the same sequence of delays.
	Latency, Jitter time.Duration
	// Rules are the actions answered; the zero Rules answer {}.
	Rules Rules
	Seed  int64
	// MaxBody is the largest request body accepted (0: MaxBody); beyond it 413.
	MaxBody int64
	// Sleep waits d or until ctx ends (nil: a timer). Tests inject their
	// own to see the delays without waiting for them.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Server is the reference capability request callout: an http.Handler
// answering POST <any base path>/finalizeHost, /checkAccess and
// /finalizeResponse with the configured actions after the configured
// latency. Safe for concurrent use.
type Server struct {
	cfg   Config
	mu    sync.Mutex
	rng   *rand.Rand
	sleep func(ctx context.Context, d time.Duration) error
}

// NewServer checks cfg (latency bounds, rules that could only produce
// valid answers) and makes the server.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Latency < 0 || cfg.Jitter < 0 {
		return nil, errors.New("callout server: latency and jitter cannot be negative")
	}
	if cfg.Latency+cfg.Jitter > MaxLatency {
		return nil, fmt.Errorf("callout server: latency + jitter is above the limit of %s", MaxLatency)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = MaxBody
	}
	if err := cfg.Rules.Check(); err != nil {
		return nil, err
	}
	if _, err := schemaSet(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, rng: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x0ca11007)), sleep: cfg.Sleep}
	if s.sleep == nil {
		s.sleep = sleepCtx
	}
	return s, nil
}

// Delay draws the next answer delay: in [Latency, Latency+Jitter).
func (s *Server) Delay() time.Duration {
	if s.cfg.Jitter <= 0 {
		return s.cfg.Latency
	}
	s.mu.Lock()
	j := s.rng.Int64N(int64(s.cfg.Jitter))
	s.mu.Unlock()
	return s.cfg.Latency + time.Duration(j)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// apiError is the body of every non-200 answer.
type apiError struct {
	Error    string            `json:"error"`
	Findings contract.Findings `json:"findings,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func fail(w http.ResponseWriter, status int, msg string, fs contract.Findings) {
	body, _ := marshal(apiError{Error: msg, Findings: fs})
	writeJSON(w, status, body)
}

// ServeHTTP answers one trigger point call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tp, err := ParseTriggerPoint(path.Base(r.URL.Path))
	if err != nil {
		fail(w, http.StatusNotFound, "no such trigger point: POST to <base>/finalizeHost, /checkAccess or /finalizeResponse", nil)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		fail(w, http.StatusMethodNotAllowed, "the callout only takes POST", nil)
		return
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		fail(w, http.StatusUnsupportedMediaType, "the body must be sent as Content-Type: application/json", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than the limit of %d bytes", s.cfg.MaxBody), nil)
			return
		}
		fail(w, http.StatusBadRequest, "the body could not be read", nil)
		return
	}
	fs, err := ValidateRequest(body)
	if err != nil {
		fail(w, http.StatusInternalServerError, "the callout's schemas did not load", nil)
		return
	}
	if len(fs) > 0 {
		msg := "the body is not a capability request (capability-request.schema.json)"
		if fs[0].Rule == contract.RuleJSONMalformed || fs[0].Rule == contract.RuleBodyTooLarge {
			msg = fs[0].Message
		}
		fail(w, http.StatusBadRequest, msg, fs.WithTarget(string(tp)))
		return
	}
	var req Request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		// The schema accepted it, so this is a number out of int64 range.
		fail(w, http.StatusBadRequest, "a number in the body is out of range", nil)
		return
	}
	answer, err := marshal(s.cfg.Rules.Apply(tp, &req))
	if err != nil {
		fail(w, http.StatusInternalServerError, "the answer could not be written", nil)
		return
	}
	if err := s.sleep(r.Context(), s.Delay()); err != nil {
		return // the caller left or the server is shutting down
	}
	writeJSON(w, http.StatusOK, answer)
}

// isJSON accepts application/json and application/<anything>+json, with
// any parameters (charset).
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || (len(mt) > len("application/+json") &&
		mt[:len("application/")] == "application/" && mt[len(mt)-len("+json"):] == "+json")
}
