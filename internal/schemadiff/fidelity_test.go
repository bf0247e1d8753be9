package schemadiff

import (
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
