package pubservices

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xsd"
)

// apis are the Public Service APIs; each has <api>.xsd beside this file and
// testdata/<api>/{valid,invalid}/*.xml.
var apis = []string{"lineitemdetails", "entitlementdetails", "registeruser", "mapentitlement"}

// externals are the inferred external SOAP services: their WSDL is generated
// from contract.yaml into ../soap/<name>/base/<name>.wsdl, their samples are
// payloads in ../soap/<name>/testdata/{valid,invalid}/*.xml.
var externals = []string{"IdGeneratorService", "LicenseGeneratorService", "RenewalService"}

// expectComment is how an invalid sample says where its violation is:
// <!-- expect: /Response/Status --> near the top of the file, optionally with
// the rule first (<!-- expect: xsd-unknown-root /Response -->; the default is
// xsd-invalid). A finding must match, so a sample cannot pass by failing for
// some other reason.
var expectComment = regexp.MustCompile(`<!--\s*expect:\s*(?:([a-z][a-z-]*)\s+)?(/\S*)\s*-->`)

func TestPublicServiceSamples(t *testing.T) {
	t.Parallel()
	for _, api := range apis {
		t.Run(api, func(t *testing.T) {
			t.Parallel()
			s, err := xsd.CompileFile(api + ".xsd")
			if err != nil {
				t.Fatalf("compile %s.xsd: %v", api, err)
			}
			t.Cleanup(func() { s.Close() })
			checkSamples(t, s, filepath.Join("testdata", api), true)
		})
	}
}

func TestExternalServiceSamples(t *testing.T) {
	t.Parallel()
	for _, svc := range externals {
		t.Run(svc, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("..", "soap", svc)
			wsdlPath := filepath.Join(dir, "base", svc+".wsdl")
			if _, err := os.Stat(wsdlPath); os.IsNotExist(err) {
				t.Skipf("%s not generated yet (run: go run ./cmd/fnokit schemas generate)", wsdlPath)
			}
			s, err := xsd.CompileFile(wsdlPath)
			if err != nil {
				t.Fatalf("compile %s: %v", wsdlPath, err)
			}
			t.Cleanup(func() { s.Close() })
			checkSamples(t, s, filepath.Join(dir, "testdata"), false)
		})
	}
}

// checkSamples validates every sample under dir/valid (no findings) and
// dir/invalid (an xsd-invalid error at the location the sample names).
// requireBoth says whether a missing folder is a failure.
func checkSamples(t *testing.T, s *xsd.Schema, dir string, requireBoth bool) {
	t.Helper()
	for _, kind := range []string{"valid", "invalid"} {
		files, err := filepath.Glob(filepath.Join(dir, kind, "*.xml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			if requireBoth {
				t.Errorf("no samples in %s", filepath.Join(dir, kind))
			}
			continue
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := s.ValidatePayload(data)
			if err != nil {
				t.Errorf("%s: validation could not run: %v", f, err)
				continue
			}
			if kind == "valid" {
				if len(fs) != 0 {
					t.Errorf("%s: want no findings, got:\n%s", f, describe(fs))
				}
				continue
			}
			checkInvalid(t, f, data, fs)
		}
	}
}

func checkInvalid(t *testing.T, file string, data []byte, fs contract.Findings) {
	t.Helper()
	m := expectComment.FindSubmatch(data)
	if m == nil {
		t.Errorf("%s: invalid sample without an <!-- expect: /path --> comment", file)
		return
	}
	rule, want := string(m[1]), string(m[2])
	if rule == "" {
		rule = contract.RuleXSDInvalid
	}
	if !fs.HasErrors() {
		t.Errorf("%s: want an error at %s, got none", file, want)
		return
	}
	for _, f := range fs {
		if f.Rule == rule && locationMatches(f.Location, want) {
			return
		}
	}
	t.Errorf("%s: want a %s finding at %s, got:\n%s", file, rule, want, describe(fs))
}

// locationMatches compares an XPath-like finding location with the expected
// path, ignoring positional predicates ([2]) and namespace prefixes, which
// the samples do not spell out.
func locationMatches(got, want string) bool {
	return normalize(got) == normalize(want)
}

var predicate = regexp.MustCompile(`\[\d+\]`)

func normalize(path string) string {
	path = predicate.ReplaceAllString(path, "")
	steps := strings.Split(path, "/")
	for i, st := range steps {
		if j := strings.LastIndexByte(st, ':'); j >= 0 {
			steps[i] = st[j+1:]
		}
	}
	return strings.Join(steps, "/")
}

func describe(fs contract.Findings) string {
	var b bytes.Buffer
	for _, f := range fs {
		b.WriteString("  " + f.Rule + " " + f.Location + ": " + f.Message + "\n")
	}
	return b.String()
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/Response/Status", "/Response/Status"},
		{"/tns:Response/tns:LineItem[2]/tns:Quantity", "/Response/LineItem/Quantity"},
		{"/Request", "/Request"},
	}
	for _, tt := range tests {
		if got := normalize(tt.in); got != tt.want {
			t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
