package fno

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.k6.io/k6/metrics"
)

// Names of the extension's metrics; thresholds and reports refer to them.
const (
	MetricSOAPFaults        = "fno_soap_faults"
	MetricStatusFailures    = "fno_status_failures"
	MetricSchemaViolations  = "fno_schema_violations"
	MetricCalloutDuration   = "fno_callout_duration"
	MetricOperationDuration = "fno_operation_duration"
)

// Tags the extension puts on its own samples and on the http_req_* samples
// of its requests.
const (
	TagService   = "service"
	TagVersion   = "version"
	TagOperation = "operation"
	TagStatus    = "status" // k6's own status tag holds the HTTP code; ours, on fno_status_failures only, the FNO status
)

var errInitOnly = errors.New("k6/x/fno must be imported in the init context (at the top of the script)")

// fnoMetrics are the handles of the extension's metrics in the run's
// registry.
type fnoMetrics struct {
	soapFaults        *metrics.Metric // counter: responses that were a SOAP fault
	statusFailures    *metrics.Metric // counter: statusInfo other than SUCCESS, tagged status
	schemaViolations  *metrics.Metric // counter: XSD findings of error severity in sampled responses
	calloutDuration   *metrics.Metric // trend (time): Server-Timing callout;dur
	operationDuration *metrics.Metric // trend (time): call() from envelope build to parsed result
}

// registerMetrics creates the metrics, or returns the ones an earlier VU
// created (the registry hands back a metric of the same name and type).
func registerMetrics(r *metrics.Registry) (*fnoMetrics, error) {
	var (
		m   fnoMetrics
		err error
	)
	for _, d := range []struct {
		to   **metrics.Metric
		name string
		typ  metrics.MetricType
		vt   []metrics.ValueType
	}{
		{&m.soapFaults, MetricSOAPFaults, metrics.Counter, nil},
		{&m.statusFailures, MetricStatusFailures, metrics.Counter, nil},
		{&m.schemaViolations, MetricSchemaViolations, metrics.Counter, nil},
		{&m.calloutDuration, MetricCalloutDuration, metrics.Trend, []metrics.ValueType{metrics.Time}},
		{&m.operationDuration, MetricOperationDuration, metrics.Trend, []metrics.ValueType{metrics.Time}},
	} {
		if *d.to, err = r.NewMetric(d.name, d.typ, d.vt...); err != nil {
			return nil, fmt.Errorf("k6/x/fno: register metric %s: %w", d.name, err)
		}
	}
	return &m, nil
}

// calloutTiming returns the duration in milliseconds of the "callout" entry
// of a Server-Timing header value (W3C Server Timing syntax:
// comma-separated metrics, each name;param=value;…). ok is false when there
// is no callout entry or its dur is not a non-negative number. Several
// callout entries are summed: a response may carry one per trigger point.
func calloutTiming(header string) (ms float64, ok bool) {
	// Bounded: a header cannot hold more entries than it has bytes.
	for rest := header; rest != ""; {
		var entry string
		entry, rest, _ = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(entry, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "callout") {
			continue
		}
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, _ := strings.Cut(p, "=")
			if !strings.EqualFold(strings.TrimSpace(k), "dur") {
				continue
			}
			d, err := strconv.ParseFloat(strings.Trim(strings.TrimSpace(v), `"`), 64)
			if err != nil || !(d >= 0) || math.IsInf(d, 1) {
				break
			}
			ms += d
			ok = true
		}
	}
	return ms, ok
}
