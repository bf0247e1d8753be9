package schemadiff

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

func TestFidelityRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	soap, ref := filepath.Join(dir, "soap"), filepath.Join(dir, "ref")
	copyTo := func(src, dst string) {
		t.Helper()
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyTo(filepath.Join("testdata", "operations_revision.wsdl"), filepath.Join(soap, "Thing", "v2", "Thing.wsdl"))
	copyTo(filepath.Join("testdata", "operations_base.wsdl"), filepath.Join(ref, "v2", "Thing.wsdl"))
	var out strings.Builder
	n, err := Fidelity(soap, ref, &out)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || !strings.Contains(out.String(), "putThing: 1 difference(s)") {
		t.Errorf("Fidelity found %d differences:\n%s", n, out.String())
	}
	if _, err := Fidelity(soap, filepath.Join(dir, "nothing"), &out); err == nil {
		t.Error("no pairs must be an error")
	}
}
