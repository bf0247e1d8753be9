package schemadiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/wsdl"
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
			checkNamespaces(t, p)
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

// checkNamespaces makes up for comparing modulo the target namespace: for
// the same version, ours must use the reference's namespace itself.
func checkNamespaces(t *testing.T, p Pair) {
	t.Helper()
	ours, err := wsdl.ParseFile(p.Ours)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := wsdl.ParseFile(p.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if ours.TargetNamespace != ref.TargetNamespace {
		t.Errorf("targetNamespace %q, the reference has %q", ours.TargetNamespace, ref.TargetNamespace)
	}
	for _, op := range ours.Operations {
		r, ok := ref.Operation(op.Name)
		if !ok {
			continue // reported by the comparison as operation-added
		}
		if op.Input.Space != r.Input.Space || op.Output.Space != r.Output.Space {
			t.Errorf("%s: message elements in namespaces %q/%q, the reference's in %q/%q", op.Name, op.Input.Space, op.Output.Space, r.Input.Space, r.Output.Space)
		}
	}
}
