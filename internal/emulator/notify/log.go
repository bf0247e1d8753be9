package notify

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// Delivery is one entry of the delivery log: an attempt, or an event
// dropped without one. It holds no payload and no secret.
type Delivery struct {
	Time         time.Time `json:"time"`
	Subscription string    `json:"subscription"` // "device" and the configuration's version, e.g. "device/3"
	Target       string    `json:"target"`       // the webhook's scheme, host and path
	EventID      string    `json:"eventId"`
	EventType    string    `json:"eventType"` // CREATE or UPDATE
	Kind         string    `json:"kind"`      // the state's event kind
	Attempt      int       `json:"attempt"`   // from 1; 0: dropped before any attempt
	StatusCode   int       `json:"statusCode,omitempty"`
	// Error is the kind of failure: timeout, refused, reset, dns,
	// not-loopback, network, status (a non-2xx answer), queue-full,
	// closed (the service stopped).
	Error      string  `json:"error,omitempty"`
	DurationMs float64 `json:"durationMs"`
	// Outcome is delivered, retrying (another attempt follows), failed
	// (no attempt left) or dropped.
	Outcome string `json:"outcome"`
}

// Stats count the service's events since it started.
type Stats struct {
	Queued    uint64 `json:"queued"`
	Delivered uint64 `json:"delivered"`
	Failed    uint64 `json:"failed"`
	Dropped   uint64 `json:"dropped"`
	Attempts  uint64 `json:"attempts"`
}

type stats struct {
	queued, delivered, failed, dropped, attempts atomic.Uint64
}

// Stats returns the counters.
func (s *Service) Stats() Stats {
	return Stats{
		Queued: s.stats.queued.Load(), Delivered: s.stats.delivered.Load(), Failed: s.stats.failed.Load(),
		Dropped: s.stats.dropped.Load(), Attempts: s.stats.attempts.Load(),
	}
}

// Deliveries returns the delivery log, oldest first.
func (s *Service) Deliveries() []Delivery { return s.dlog.list() }

func (s *Service) entry(j job, attempt int, outcome, errKind string, code int, took time.Duration) Delivery {
	return Delivery{
		Time: s.cfg.Now().UTC(), Subscription: "device/" + strconv.FormatUint(j.sub.version, 10), Target: j.sub.target,
		EventID: j.eventID(), EventType: j.eventType(), Kind: string(j.ev.Kind), Attempt: attempt,
		StatusCode: code, Error: errKind, DurationMs: float64(took.Microseconds()) / 1000, Outcome: outcome,
	}
}

// deliveryLog keeps the last n entries.
type deliveryLog struct {
	mu   sync.Mutex
	ring []Delivery
	next int // where the next entry goes
	full bool
}

func newDeliveryLog(n int) *deliveryLog { return &deliveryLog{ring: make([]Delivery, n)} }

func (l *deliveryLog) add(d Delivery) {
	l.mu.Lock()
	l.ring[l.next] = d
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
	l.mu.Unlock()
}

func (l *deliveryLog) list() []Delivery {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]Delivery(nil), l.ring[:l.next]...)
	}
	out := make([]Delivery, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	return append(out, l.ring[:l.next]...)
}

// serveAdmin answers the delivery log and the counters (GET, Basic
// credentials of the emulator's user, like /fnokit/admin/faults).
func (s *Service) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if strings.TrimSuffix(r.URL.Path, "/") != AdminPath {
		writeError(w, http.StatusNotFound, "no admin route at this path; the delivery log is at "+AdminPath)
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok || !s.cfg.Auth(user, pass) {
		w.Header().Set("WWW-Authenticate", restkit.Challenge("Basic", s.cfg.Realm))
		writeError(w, http.StatusUnauthorized, "authentication required: HTTP Basic credentials of the emulator's user")
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, "use GET on this path")
		return
	}
	restkit.WriteJSON(w, http.StatusOK, struct {
		Stats      Stats      `json:"stats"`
		Deliveries []Delivery `json:"deliveries"`
	}{s.Stats(), s.Deliveries()})
}
