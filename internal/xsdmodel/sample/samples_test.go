package sample

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/atomicfile"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xsd"
)

var update = flag.Bool("update", false, "regenerate schemas/testdata/<Service>/<version>/*.xml from the generated WSDLs")

const regenerate = "go test ./internal/xsdmodel/sample -run TestSamples -update"

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

// generatedWSDLs lists schemas/soap/<Service>/<version>/<Service>.wsdl as
// "<Service>/<version>" → path.
func generatedWSDLs(t *testing.T, root string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "schemas", "soap", "*", "*", "*.wsdl"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		version := filepath.Base(filepath.Dir(f))
		service := filepath.Base(filepath.Dir(filepath.Dir(f)))
		if filepath.Base(f) == service+".wsdl" {
			out[service+"/"+version] = f
		}
	}
	return out
}

// TestSamples keeps schemas/testdata in step with the generated WSDLs: every
// operation of every service version has a valid and an invalid request and
// response sample, identical to what the generator writes now; each valid
// sample passes libxml2 validation against its WSDL without a finding and
// each invalid one gets at least one xsd-invalid finding. With -update it
// rewrites the samples first.
func TestSamples(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	wsdls := generatedWSDLs(t, root)
	if len(wsdls) == 0 {
		t.Skip("no generated WSDLs under schemas/soap")
	}
	outRoot := filepath.Join(root, "schemas", "testdata")
	// Sample directories of a service version that no longer exists are stale.
	dirs, _ := filepath.Glob(filepath.Join(outRoot, "*", "*"))
	for _, d := range dirs {
		key := filepath.Base(filepath.Dir(d)) + "/" + filepath.Base(d)
		if _, ok := wsdls[key]; !ok {
			if *update {
				if err := os.RemoveAll(d); err != nil {
					t.Fatal(err)
				}
				continue
			}
			t.Errorf("schemas/testdata/%s has no generated WSDL: remove it (%s)", key, regenerate)
		}
	}
	keys := make([]string, 0, len(wsdls))
	for k := range wsdls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		path := wsdls[key]
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			checkSamples(t, key, path, filepath.Join(outRoot, filepath.FromSlash(key)))
		})
	}
}

func checkSamples(t *testing.T, key, path, dir string) {
	defs, err := wsdl.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ForWSDL(defs, strings.Replace(key, "/", " ", 1))
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		old, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
		for _, f := range old {
			if _, ok := want[filepath.Base(f)]; !ok {
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
			}
		}
		for name, data := range want {
			if err := atomicfile.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	have, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, f := range have {
		if _, ok := want[filepath.Base(f)]; !ok {
			t.Errorf("%s: sample for an operation the WSDL does not define; run %s", f, regenerate)
		}
	}
	schema, err := xsd.CompileFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer schema.Close()
	names := make([]string, 0, len(want))
	for n := range want {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		file := filepath.Join(dir, name)
		data, err := os.ReadFile(file)
		if err != nil {
			t.Errorf("%s lacks sample %s: run %s", key, name, regenerate)
			continue
		}
		if !bytes.Equal(data, want[name]) {
			t.Errorf("%s/%s is stale (the WSDL or the generator changed): run %s", key, name, regenerate)
		}
		f, err := schema.ValidatePayload(data)
		if err != nil {
			t.Errorf("%s/%s: validation could not run: %v", key, name, err)
			continue
		}
		if strings.HasSuffix(name, ".valid.xml") && len(f) != 0 {
			t.Errorf("%s/%s: a valid sample has findings: %v", key, name, f)
		}
		if strings.HasSuffix(name, ".invalid.xml") && !hasRule(f, contract.RuleXSDInvalid) {
			t.Errorf("%s/%s: an invalid sample has no %s finding: %v", key, name, contract.RuleXSDInvalid, f)
		}
	}
}
