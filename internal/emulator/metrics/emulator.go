package metrics

// Emulator is the emulator's set of families, declared in one place so
// the server and the callout client observe the same names.
type Emulator struct {
	*Registry
	// Requests counts SOAP calls by service, version, operation and
	// outcome (ok, fault, rejected, error).
	Requests *CounterVec
	// Latency is the time from request to response of SOAP calls, by
	// service, version and operation.
	Latency *HistogramVec
	// Callout is the time spent in each capability request callout, by
	// trigger point and outcome (ok, timeout, error, invalid).
	Callout *HistogramVec
	// Producer is the time spent in a call to the producer's ID or licence
	// generator, by service, operation and outcome (ok or the failure kind).
	Producer *HistogramVec
	// Faults counts the faults the emulator injected, by kind (latency,
	// soap-fault, http-500, drift-<mode>).
	Faults *CounterVec
	// RESTRequests counts REST requests by API (application, extracts,
	// data-access, …), method and HTTP status code, 503s of the in-flight
	// cap included.
	RESTRequests *CounterVec
	// RESTLatency is the time to answer a REST request, by API.
	RESTLatency *HistogramVec
}

// NewEmulator declares the emulator's families in a new registry.
func NewEmulator() *Emulator {
	r := New()
	return &Emulator{
		Registry: r,
		Requests: r.Counter("fnokit_emulator_requests_total",
			"SOAP requests answered, by service, version, operation and outcome.", "service", "version", "operation", "outcome"),
		Latency: r.Histogram("fnokit_emulator_request_duration_seconds",
			"Time to answer a SOAP request, injected latency included.", LatencyBuckets, "service", "version", "operation"),
		Callout: r.Histogram("fnokit_emulator_callout_duration_seconds",
			"Time spent in a capability request callout, by trigger point and outcome.", LatencyBuckets, "trigger", "outcome"),
		Producer: r.Histogram("fnokit_emulator_producer_duration_seconds",
			"Time spent in a call to the producer's ID or licence generator, by service, operation and outcome.", LatencyBuckets, "service", "operation", "outcome"),
		Faults: r.Counter("fnokit_emulator_injected_faults_total",
			"Faults injected into responses, by kind.", "kind"),
		RESTRequests: r.Counter("fnokit_emulator_rest_requests_total",
			"REST requests answered, by API, method and status code.", "api", "method", "code"),
		RESTLatency: r.Histogram("fnokit_emulator_rest_request_duration_seconds",
			"Time to answer a REST request, injected latency included.", LatencyBuckets, "api"),
	}
}
