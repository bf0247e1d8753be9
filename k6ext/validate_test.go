//go:build cgo

package fno

import (
	"testing"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
)

// Sampled validation finds a violation the emulator plants (an element the
// schema does not declare), counts it, and lists it in the result; a
// client that samples nothing, or a call that opts out, validates nothing;
// a clean response counts zero.
func TestValidationSampling(t *testing.T) {
	t.Parallel()
	e := ownEmulator(t, emulator.Config{Faults: server.Faults{Rules: []server.FaultRule{
		{Service: "ManageDeviceService", Version: "v7", Operation: "searchDevices", Drift: server.DriftExtraElement},
	}}})
	v := newVU(t, e.URL(), `
		const always = new fno.Client({baseURL: BASE, auth: {basic: {user: 'admin', password: 'admin'}}, versions: {ManageDeviceService: 'v7'}, validate: {sample: 1}});
		const never = new fno.Client({baseURL: BASE, auth: {basic: {user: 'admin', password: 'admin'}}, versions: {ManageDeviceService: 'v7'}, validate: {sample: 0}});`, vuConfig{})

	r := v.run(searchDevice("always", "X")).(map[string]any)
	list, _ := r["violations"].([]any)
	if len(list) == 0 {
		t.Fatalf("violations = %v, want the planted extra element", r["violations"])
	}
	f := list[0].(map[string]any)
	if f["rule"] != "xsd-invalid" || f["location"] == "" || f["severity"] != "error" {
		t.Errorf("violation = %v", f)
	}
	samples := v.drain()
	got := only(samples, MetricSchemaViolations)
	if len(got) != 1 || got[0].Value != float64(len(list)) || tag(got[0], TagOperation) != "searchDevices" {
		t.Errorf("fno_schema_violations = %v, want one sample of %d", got, len(list))
	}

	for _, js := range []string{
		searchDevice("never", "X"),
		`always.call('ManageDeviceService', 'searchDevices', {batchSize: 1, pageNumber: 1}, {validate: false})`,
	} {
		if r := v.run(js).(map[string]any); r["violations"] != nil {
			t.Errorf("%s validated: %v", js, r["violations"])
		}
	}
	if got := only(v.drain(), MetricSchemaViolations); len(got) != 0 {
		t.Errorf("fno_schema_violations without validation: %v", got)
	}

	// A call may ask for validation on a client that samples nothing;
	// countDevices is not drifted, so it validates clean.
	r = v.run(`never.call('ManageDeviceService', 'countDevices', {queryParams: {deviceId: {value: 'X', searchType: 'STARTS_WITH'}}}, {validate: true})`).(map[string]any)
	if list, ok := r["violations"].([]any); !ok || len(list) != 0 || r["status"] != "SUCCESS" {
		t.Errorf("forced validation of a clean response: status %v, violations %v", r["status"], r["violations"])
	}
	got = only(v.drain(), MetricSchemaViolations)
	if len(got) != 1 || got[0].Value != 0 {
		t.Errorf("fno_schema_violations for a clean response = %v, want one sample of 0", got)
	}
}
