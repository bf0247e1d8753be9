package callout

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
)

// repoRoot walks up to the folder holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// restSamples returns the callout samples of schemas/rest/testdata whose
// names match pattern, e.g. "*.request.valid*.json".
func restSamples(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "schemas", "rest", "testdata", "callout", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no callout samples match %s (%v)", pattern, err)
	}
	return files
}

func locations(fs contract.Findings) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Location)
	}
	return out
}

// The samples check sends are the documented shapes: valid requests that
// honour their detail settings, and more than the summary when a detail is on.
func TestSamplesValidate(t *testing.T) {
	t.Parallel()
	samples := Samples()
	if len(samples) != 12 {
		t.Fatalf("%d samples, want 3 trigger points × 4 detail settings", len(samples))
	}
	for _, s := range samples {
		t.Run(s.Name(), func(t *testing.T) {
			t.Parallel()
			fs, err := ValidateRequest(s.Body)
			if err != nil || len(fs) > 0 {
				t.Fatalf("invalid sample: %v %v", fs, err)
			}
			fs, err = ValidateDetails(s.Body, s.HostDetails, s.AddOnDetails)
			if err != nil || len(fs) > 0 {
				t.Fatalf("sample does not honour its detail settings: %v %v", fs, err)
			}
			if s.HostDetails || s.AddOnDetails {
				fs, _ = ValidateDetails(s.Body, false, false)
				if len(fs) == 0 {
					t.Error("details are on, yet the sample passes as a summary")
				}
			}
		})
	}
}

func TestValidateRestSamples(t *testing.T) {
	t.Parallel()
	for _, f := range append(restSamples(t, "*.request.*.json"), restSamples(t, "*.response.*.json")...) {
		base := filepath.Base(f)
		parts := strings.Split(base, ".")
		tp, err := ParseTriggerPoint(parts[0])
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var fs contract.Findings
			if parts[1] == "request" {
				fs, err = ValidateRequest(body)
			} else {
				fs, err = ValidateResponse(tp, body)
			}
			if err != nil {
				t.Fatal(err)
			}
			valid := strings.HasPrefix(parts[2], "valid")
			if valid && len(fs) > 0 {
				t.Errorf("valid sample has findings: %v", fs)
			}
			if !valid && len(fs) == 0 {
				t.Error("invalid sample passes")
			}
		})
	}
}

func TestValidateResponseClassifies(t *testing.T) {
	t.Parallel()
	const secret = "SECRET-7f3a"
	for _, tc := range []struct {
		name string
		tp   TriggerPoint
		body string
		want []string // rule + location
	}{
		{"empty answer", CheckAccess, `{}`, nil},
		{"defaults anywhere", FinalizeResponse, `{"hostActions":{"denyCreate":false,"denyAccess":false}}`, nil},
		{"denyCreate at checkAccess", CheckAccess, `{"hostActions":{"denyCreate":true}}`,
			[]string{"callout-action-not-allowed /hostActions/denyCreate"}},
		{"lifetime at finalizeHost", FinalizeHost, `{"responseActions":{"lifetime":30}}`,
			[]string{"callout-action-not-allowed /responseActions/lifetime"}},
		{"add-on action at checkAccess", CheckAccess, `{"addOnActions":[{"activationId":"a1","denied":true}]}`,
			[]string{"callout-action-not-allowed /addOnActions/0/denied"}},
		{"wrong type", CheckAccess, `{"hostActions":{"denyAccess":"` + secret + `"}}`,
			[]string{"json-schema-invalid /hostActions/denyAccess"}},
		{"bad date", FinalizeResponse, `{"addOnActions":[{"activationId":"a1","expiration":"` + secret + `"}]}`,
			[]string{"json-schema-invalid /addOnActions/0/expiration"}},
		{"unknown field", FinalizeHost, `{"hostActions":{"denyCreate":true,"` + "deny" + `":1}}`,
			[]string{"json-schema-invalid /hostActions"}},
		{"both kinds", CheckAccess, `{"hostActions":{"hostType":"X","enterpriseId":"` + secret + `"}}`,
			[]string{"json-schema-invalid /hostActions/enterpriseId", "callout-action-not-allowed /hostActions/hostType"}},
		{"malformed", FinalizeHost, `{"hostActions":` + secret, []string{"json-malformed "}},
		{"trailing data", FinalizeHost, `{} {}`, []string{"json-malformed "}},
		{"not an object", FinalizeHost, `[]`, []string{"json-schema-invalid "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs, err := ValidateResponse(tc.tp, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got := locations(fs)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("findings %q, want %q (%v)", got, tc.want, fs)
			}
			for _, f := range fs {
				if strings.Contains(f.Message, "SECRET") {
					t.Errorf("message echoes the value: %s", f.Message)
				}
			}
		})
	}
	if _, err := ValidateResponse("nope", []byte(`{}`)); err == nil {
		t.Error("unknown trigger point accepted")
	}
}

func TestValidateRequestTooLarge(t *testing.T) {
	t.Parallel()
	body := []byte(`{"pad":"` + strings.Repeat("x", MaxBody) + `"}`)
	fs, err := ValidateRequest(body)
	if err != nil || len(fs) != 1 || fs[0].Rule != contract.RuleBodyTooLarge {
		t.Errorf("got %v %v, want one body-too-large", fs, err)
	}
}

func TestLoadRules(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := LoadRules(f)
	if err != nil {
		t.Fatalf("the documented example does not load: %v", err)
	}
	if r.FinalizeResponse.Lifetime == nil || *r.FinalizeResponse.Lifetime != 30 || r.CheckAccess.DenyAccessHostIDPrefixes[0] != "REVOKED-" {
		t.Errorf("rules not read: %+v", r)
	}
	for _, tc := range []struct{ name, rules string }{
		{"action in the wrong section", `{"checkAccess":{"hostType":"X"}}`},
		{"unknown section", `{"finalise":{}}`},
		{"negative lifetime", `{"finalizeResponse":{"lifetime":-1}}`},
		{"fractional dictionary value", `{"finalizeResponse":{"vendorDictionary":{"K":1.5}}}`},
		{"dictionary value above 32 bits", `{"finalizeHost":{"addToVendorDictionary":{"K":4294967296}}}`},
		{"bad expiration", `{"finalizeResponse":{"addOns":{"expiration":"tomorrow"}}}`},
		{"not JSON", `{`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := LoadRules(strings.NewReader(tc.rules)); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n, p, want int // of the sorted values 1..n, percentile p
	}{
		{0, 50, 0}, {1, 99, 1}, {10, 50, 5}, {10, 90, 9}, {10, 99, 10}, {100, 99, 99}, {100, 50, 50}, {3, 50, 2},
	} {
		var sorted []time.Duration
		for i := 1; i <= tc.n; i++ {
			sorted = append(sorted, time.Duration(i))
		}
		if got := percentile(sorted, tc.p); int(got) != tc.want {
			t.Errorf("p%d of 1..%d = %d, want %d", tc.p, tc.n, got, tc.want)
		}
	}
}

// The Go types marshal to what the schemas want.
func TestTypesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, f := range restSamples(t, "*.request.valid*.json") {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var req Request
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(&req); err != nil {
			t.Fatalf("%s does not fit the Go types: %v", filepath.Base(f), err)
		}
		out, err := marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		if fs, err := ValidateRequest(out); err != nil || len(fs) > 0 {
			t.Errorf("%s re-encoded is invalid: %v %v", filepath.Base(f), fs, err)
		}
	}
	for _, f := range restSamples(t, "*.response.valid*.json") {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var resp Response
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		dec.UseNumber()
		if err := dec.Decode(&resp); err != nil {
			t.Fatalf("%s does not fit the Go types: %v", filepath.Base(f), err)
		}
	}
}
