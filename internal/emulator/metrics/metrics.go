// Package metrics is the emulator's Prometheus exporter: counters and
// histograms with labels, written in the Prometheus text exposition format
// 0.0.4 by hand (the emulator needs a handful of families, not a client
// library). Families are declared once at start; observing is safe for
// concurrent use.
package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ContentType is the media type of the text exposition format 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// LatencyBuckets are the upper bounds, in seconds, of the latency
// histograms: from 0.5 ms (a loopback call with nothing to do) to 10 s
// (a callout timing out).
var LatencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Registry holds the families, in the order they were declared.
type Registry struct {
	mu       sync.Mutex
	families []family
}

type family interface {
	write(w *bufio.Writer)
}

// New returns an empty registry.
func New() *Registry { return &Registry{} }

func (r *Registry) add(f family) {
	r.mu.Lock()
	r.families = append(r.families, f)
	r.mu.Unlock()
}

// WriteTo writes every family in the text format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.Lock()
	fams := append([]family(nil), r.families...)
	r.mu.Unlock()
	cw := &countWriter{w: w}
	bw := bufio.NewWriter(cw)
	for _, f := range fams {
		f.write(bw)
	}
	err := bw.Flush()
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ServeHTTP answers GET (and HEAD) with the exposition.
func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "fnokit emulator: GET /metrics", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", ContentType)
	if req.Method == http.MethodHead {
		return
	}
	r.WriteTo(w)
}

// series is one label value combination of a family.
type series[T any] struct {
	mu   sync.Mutex
	byKV map[string]*T
}

// key joins label values; \xff never appears in a valid UTF-8 label value.
func key(values []string) string { return strings.Join(values, "\xff") }

func (s *series[T]) get(values []string, mk func() *T) *T {
	k := key(values)
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.byKV[k]; ok {
		return v
	}
	v := mk()
	s.byKV[k] = v
	return v
}

func (s *series[T]) sorted() ([]string, []*T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.byKV))
	for k := range s.byKV {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]*T, len(keys))
	for i, k := range keys {
		vals[i] = s.byKV[k]
	}
	return keys, vals
}

// CounterVec is a counter family with labels.
type CounterVec struct {
	name, help string
	labels     []string
	s          series[counter]
}

type counter struct {
	mu sync.Mutex
	v  float64
}

// Counter declares a counter family.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	c := &CounterVec{name: name, help: help, labels: labels, s: series[counter]{byKV: map[string]*counter{}}}
	r.add(c)
	return c
}

// Inc adds one to the series of values (one per label, in order).
func (c *CounterVec) Inc(values ...string) { c.Add(1, values...) }

// Add adds v (≥ 0) to the series of values.
func (c *CounterVec) Add(v float64, values ...string) {
	c.check(values)
	x := c.s.get(values, func() *counter { return &counter{} })
	x.mu.Lock()
	x.v += v
	x.mu.Unlock()
}

// Value is the current value of a series (0 if never touched), for tests.
func (c *CounterVec) Value(values ...string) float64 {
	x := c.s.get(values, func() *counter { return &counter{} })
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.v
}

func (c *CounterVec) check(values []string) {
	if len(values) != len(c.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", c.name, len(c.labels), len(values)))
	}
}

func (c *CounterVec) write(w *bufio.Writer) {
	header(w, c.name, c.help, "counter")
	keys, vals := c.s.sorted()
	for i, k := range keys {
		vals[i].mu.Lock()
		v := vals[i].v
		vals[i].mu.Unlock()
		w.WriteString(c.name)
		writeLabels(w, c.labels, splitKey(k, len(c.labels)), "", "")
		w.WriteByte(' ')
		w.WriteString(formatFloat(v))
		w.WriteByte('\n')
	}
}

// HistogramVec is a histogram family with labels and fixed buckets.
type HistogramVec struct {
	name, help string
	labels     []string
	bounds     []float64
	s          series[histogram]
}

type histogram struct {
	mu     sync.Mutex
	counts []uint64 // per bucket, not cumulative
	count  uint64
	sum    float64
}

// Histogram declares a histogram family with the given bucket upper
// bounds (sorted ascending; +Inf is implied).
func (r *Registry) Histogram(name, help string, bounds []float64, labels ...string) *HistogramVec {
	if !sort.Float64sAreSorted(bounds) {
		panic("metrics: histogram bounds must be sorted")
	}
	h := &HistogramVec{name: name, help: help, labels: labels, bounds: bounds, s: series[histogram]{byKV: map[string]*histogram{}}}
	r.add(h)
	return h
}

// ObserveDuration records d, in seconds, in the series of values.
func (h *HistogramVec) ObserveDuration(d time.Duration, values ...string) {
	h.Observe(d.Seconds(), values...)
}

// Observe records v in the series of values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	if len(values) != len(h.labels) {
		panic(fmt.Sprintf("metrics: %s takes %d label values, got %d", h.name, len(h.labels), len(values)))
	}
	x := h.s.get(values, func() *histogram { return &histogram{counts: make([]uint64, len(h.bounds))} })
	i := sort.SearchFloat64s(h.bounds, v) // first bound ≥ v
	x.mu.Lock()
	if i < len(h.bounds) {
		x.counts[i]++
	}
	x.count++
	x.sum += v
	x.mu.Unlock()
}

func (h *HistogramVec) write(w *bufio.Writer) {
	header(w, h.name, h.help, "histogram")
	keys, vals := h.s.sorted()
	for i, k := range keys {
		lv := splitKey(k, len(h.labels))
		x := vals[i]
		x.mu.Lock()
		counts := append([]uint64(nil), x.counts...)
		count, sum := x.count, x.sum
		x.mu.Unlock()
		var cum uint64
		for j, b := range h.bounds {
			cum += counts[j]
			w.WriteString(h.name + "_bucket")
			writeLabels(w, h.labels, lv, "le", formatFloat(b))
			w.WriteString(" " + strconv.FormatUint(cum, 10) + "\n")
		}
		w.WriteString(h.name + "_bucket")
		writeLabels(w, h.labels, lv, "le", "+Inf")
		w.WriteString(" " + strconv.FormatUint(count, 10) + "\n")
		w.WriteString(h.name + "_sum")
		writeLabels(w, h.labels, lv, "", "")
		w.WriteString(" " + formatFloat(sum) + "\n")
		w.WriteString(h.name + "_count")
		writeLabels(w, h.labels, lv, "", "")
		w.WriteString(" " + strconv.FormatUint(count, 10) + "\n")
	}
}

func header(w *bufio.Writer, name, help, typ string) {
	w.WriteString("# HELP " + name + " " + escapeHelp(help) + "\n")
	w.WriteString("# TYPE " + name + " " + typ + "\n")
}

func splitKey(k string, n int) []string {
	if n == 0 {
		return nil
	}
	return strings.SplitN(k, "\xff", n)
}

func writeLabels(w *bufio.Writer, names, values []string, extraName, extraValue string) {
	if len(names) == 0 && extraName == "" {
		return
	}
	w.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(n + `="` + escapeLabel(values[i]) + `"`)
	}
	if extraName != "" {
		if len(names) > 0 {
			w.WriteByte(',')
		}
		w.WriteString(extraName + `="` + extraValue + `"`)
	}
	w.WriteByte('}')
}

// The escapes of the text format: help escapes \ and newline, label
// values also the double quote.
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Count is the number of observations of a series (0 if never touched),
// for tests.
func (h *HistogramVec) Count(values ...string) uint64 {
	x := h.s.get(values, func() *histogram { return &histogram{counts: make([]uint64, len(h.bounds))} })
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.count
}
