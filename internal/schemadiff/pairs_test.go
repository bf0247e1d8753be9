package schemadiff

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestReferencePairs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	soap, ref := filepath.Join(dir, "soap"), filepath.Join(dir, "ref")
	touch := func(p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	touch(filepath.Join(soap, "B", "v1", "B.wsdl"))
	touch(filepath.Join(soap, "B", "base", "B.wsdl"))
	touch(filepath.Join(soap, "B", "v4", "B.wsdl")) // not a fidelity version
	touch(filepath.Join(soap, "A", "v2", "A.wsdl")) // no reference
	touch(filepath.Join(soap, "A", "v1", "other.wsdl"))
	touch(filepath.Join(ref, "base", "B.wsdl"))
	touch(filepath.Join(ref, "v1", "B.wsdl"))
	touch(filepath.Join(ref, "v4", "B.wsdl"))
	touch(filepath.Join(ref, "v1", "A.wsdl"))
	pairs, err := ReferencePairs(soap, ref, FidelityVersions)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(pairs)
	want := fmt.Sprint([]Pair{
		{"B", "base", filepath.Join(soap, "B", "base", "B.wsdl"), filepath.Join(ref, "base", "B.wsdl")},
		{"B", "v1", filepath.Join(soap, "B", "v1", "B.wsdl"), filepath.Join(ref, "v1", "B.wsdl")},
	})
	if got != want {
		t.Errorf("pairs\n got %s\nwant %s", got, want)
	}
	if _, err := ReferencePairs(filepath.Join(dir, "absent"), ref, FidelityVersions); err == nil {
		t.Error("a missing soap directory must be an error")
	}
}
