package op

import (
	"context"
	"sync"
	"time"
)

// Timings collects the time a handler spent waiting on external services
// (the capability request callout), by name, for the server to report in
// a Server-Timing header once the handler has returned. Handlers cannot
// set headers; a recorder in the context keeps them unaware of HTTP.
type Timings struct {
	mu    sync.Mutex
	names []string
	durs  []time.Duration
}

type timingsKey struct{}

// WithTimings returns a context carrying a fresh recorder, and the recorder.
func WithTimings(ctx context.Context) (context.Context, *Timings) {
	t := &Timings{}
	return context.WithValue(ctx, timingsKey{}, t), t
}

// AddTiming adds d to the metric name of the request's recorder, if the
// context carries one (it does not outside the SOAP server).
func AddTiming(ctx context.Context, name string, d time.Duration) {
	t, _ := ctx.Value(timingsKey{}).(*Timings)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, n := range t.names {
		if n == name {
			t.durs[i] += d
			return
		}
	}
	t.names = append(t.names, name)
	t.durs = append(t.durs, d)
}

// Each calls fn for every metric recorded, in the order first recorded.
func (t *Timings) Each(fn func(name string, total time.Duration)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, n := range t.names {
		fn(n, t.durs[i])
	}
}
