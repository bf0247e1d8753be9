package schemadiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
)

// TestReferenceAgainstItself proves the comparison finds nothing between a
// reference WSDL and itself, for every operation of every reference WSDL:
// the walk terminates on recursive types and matches every element.
func TestReferenceAgainstItself(t *testing.T) {
	t.Parallel()
	for _, p := range sharedref.WSDLs(t) {
		name := filepath.Base(filepath.Dir(p)) + "/" + strings.TrimSuffix(filepath.Base(p), ".wsdl")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := CompareWSDL(p, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Operations) == 0 {
				t.Skip("no operations")
			}
			if ds := r.Differences(); len(ds) != 0 {
				t.Errorf("%d differences comparing a WSDL with itself, first: %v", len(ds), ds[0])
			}
		})
	}
}

// repoRoot walks up from the package directory to the directory of go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	d, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal("no go.mod above the test directory")
		}
		d = filepath.Dir(d)
	}
}

// TestFidelity is issue 3's structural comparison: for every service and
// version base–v3 that has a reference WSDL, every operation our generated
// WSDL defines must have the reference's structure from its input and
// output elements. It lists every difference (reference = old, ours = new).
func TestFidelity(t *testing.T) {
	t.Parallel()
	refDir := sharedref.WSDLDir()
	if refDir == "" {
		t.Skip("../shared/reference/fno-wsdl not present; set FNOKIT_SHARED to run the fidelity comparison")
	}
	pairs, err := ReferencePairs(filepath.Join(repoRoot(t), "schemas", "soap"), refDir, FidelityVersions)
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) == 0 {
		t.Skip("no generated WSDL under schemas/soap has a reference WSDL yet")
	}
	for _, p := range pairs {
		t.Run(p.Service+"/"+p.Version, func(t *testing.T) {
			t.Parallel()
			r, err := CompareWSDL(p.Ours, p.Reference, nil)
			if err != nil {
				t.Fatal(err)
			}
			r.Old, r.New = "reference "+p.Version+"/"+p.Service, "ours schemas/soap/"+p.Service+"/"+p.Version
			var b strings.Builder
			if err := r.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			if n := len(r.Differences()); n > 0 {
				t.Errorf("%d difference(s) from the reference:\n%s", n, b.String())
				return
			}
			t.Logf("%d operation(s) compared, no differences", len(r.Operations))
		})
	}
}
