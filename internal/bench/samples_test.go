package bench

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/callout"
)

var update = flag.Bool("update", false, "rewrite scenarios/lib/callout-samples.json from internal/callout")

// samplesFile is where callout-latency's direct mode reads the documented
// callout requests from.
var samplesFile = filepath.Join("..", "..", "scenarios", "lib", "callout-samples.json")

// calloutSamplesJSON is the file's content: every sample of
// callout.Samples, in order, with its trigger point, its detail settings
// and its body.
func calloutSamplesJSON(t *testing.T) []byte {
	t.Helper()
	type entry struct {
		Trigger string          `json:"trigger"`
		Details string          `json:"details"`
		Body    json.RawMessage `json:"body"`
	}
	var out []entry
	for _, s := range callout.Samples() {
		_, details, _ := strings.Cut(s.Name(), "/")
		out = append(out, entry{Trigger: string(s.Trigger), Details: details, Body: s.Body})
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// TestCalloutSamplesFile keeps the scenario's copy of the documented
// callout requests equal to internal/callout's (go test -update rewrites
// it).
func TestCalloutSamplesFile(t *testing.T) {
	want := calloutSamplesJSON(t)
	if *update {
		if err := os.WriteFile(samplesFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(samplesFile)
	if err != nil {
		t.Fatalf("%v (go test ./internal/bench -run TestCalloutSamplesFile -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from callout.Samples(); run go test ./internal/bench -run TestCalloutSamplesFile -update", samplesFile)
	}
	// Every sample must be a request the callout's schema accepts.
	for _, s := range callout.Samples() {
		fs, err := callout.ValidateRequest(s.Body)
		if err != nil || len(fs) > 0 {
			t.Errorf("%s: %v %v", s.Name(), err, fs)
		}
	}
}
