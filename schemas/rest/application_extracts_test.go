package rest_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/csvheader"
	"github.com/fnokit/fnokit/internal/openapi"
)

// The sample convention, for testdata/<api>/ beside <api>.yaml:
//
//   - <operationId>.http.json (the sidecar) says how to call the operation:
//     method, path (with query, if any) and the status of its responses;
//     "requests" lists body-less request cases (GET parameters); "samples"
//     overrides method, path or status for one sample file and names the
//     findings an invalid sample must produce ("expect": each entry equal
//     to the Location or the Rule of some finding).
//   - <operationId>.<request|response>.<valid|invalid>[-<tag>].<ext> are the
//     bodies; the extension gives the Content-Type (json, csv, html, bin)
//     and a missing or empty file stands for no body.
//
// A valid sample must give no finding, an invalid one at least one, and
// every expected finding. Every operation of the document needs a sidecar
// and a valid and an invalid response; one with a request body also needs
// a valid and an invalid request body, one with parameters a valid and an
// invalid entry in "requests".

type sidecar struct {
	Method   string                    `json:"method"`
	Path     string                    `json:"path"`
	Status   int                       `json:"status"`
	Requests []requestCase             `json:"requests"`
	Samples  map[string]sampleOverride `json:"samples"`
}

type requestCase struct {
	Name   string   `json:"name"`
	Method string   `json:"method"`
	Path   string   `json:"path"`
	Valid  bool     `json:"valid"`
	Expect []string `json:"expect"`
}

type sampleOverride struct {
	Method string   `json:"method"`
	Path   string   `json:"path"`
	Status int      `json:"status"`
	Expect []string `json:"expect"`
}

var contentTypes = map[string]string{
	".json": "application/json",
	".csv":  "text/csv",
	".html": "text/html",
	".bin":  "application/octet-stream",
	// The registry secret and the bare JWT of the /authenticate endpoints
	// are plain text in the seed (001, line 3147).
	".txt": "text/plain",
}

// apis lists the folders of testdata that follow the sample convention
// (they hold at least one sidecar) and have a document beside them.
func apis(t *testing.T) []string {
	t.Helper()
	dirs, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		side, _ := filepath.Glob(filepath.Join("testdata", d.Name(), "*.http.json"))
		if _, err := os.Stat(d.Name() + ".yaml"); err == nil && len(side) > 0 {
			out = append(out, d.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no testdata/<api>/ folder with sidecars next to an <api>.yaml")
	}
	return out
}

func validator(t *testing.T, api string) *openapi.Validator {
	t.Helper()
	v, err := openapi.Open(api+".yaml", openapi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestApplicationExtractsLint(t *testing.T) {
	t.Parallel()
	for _, api := range []string{"application", "extracts"} {
		t.Run(api, func(t *testing.T) {
			t.Parallel()
			fs, err := openapi.Lint(api + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) > 0 {
				t.Fatalf("lint findings:\n%s", describe(fs))
			}
		})
	}
}

func TestSidecarSamples(t *testing.T) {
	t.Parallel()
	for _, api := range apis(t) {
		t.Run(api, func(t *testing.T) {
			t.Parallel()
			v := validator(t, api)
			ops := operations(v.Document())
			dir := filepath.Join("testdata", api)
			for _, id := range slices.Sorted(maps.Keys(ops)) {
				t.Run(id, func(t *testing.T) {
					t.Parallel()
					sc := readSidecar(t, dir, id)
					files, err := filepath.Glob(filepath.Join(dir, id+".*"))
					if err != nil {
						t.Fatal(err)
					}
					seen := map[string]int{}
					for _, f := range files {
						base := filepath.Base(f)
						if base == id+".http.json" {
							continue
						}
						side, valid, ext := parseSampleName(t, id, base)
						seen[side+"."+valid]++
						ov := sc.Samples[base]
						fs := checkSample(t, v, sc, ov, side, f, ext)
						judge(t, base, valid == "valid", fs, ov.Expect)
					}
					for _, rc := range sc.Requests {
						validity := map[bool]string{true: "valid", false: "invalid"}[rc.Valid]
						seen["request."+validity]++
						req := newRequest(t, or(rc.Method, sc.Method), or(rc.Path, sc.Path), nil, "")
						fs, err := v.ValidateRequest(req)
						if err != nil {
							t.Fatalf("%s: %v", rc.Name, err)
						}
						judge(t, "request case "+rc.Name, rc.Valid, fs, rc.Expect)
					}
					for base := range sc.Samples {
						if _, err := os.Stat(filepath.Join(dir, base)); err != nil {
							t.Errorf("the sidecar overrides %s, which does not exist", base)
						}
					}
					need := []string{"response.valid", "response.invalid"}
					if op := ops[id]; op.RequestBody != nil || len(op.Parameters) > 0 || hasPathParams(v.Document(), id) {
						need = append(need, "request.valid", "request.invalid")
					}
					for _, n := range need {
						if seen[n] == 0 {
							t.Errorf("no %s sample for %s", n, id)
						}
					}
				})
			}
			// A sidecar for an operation the document lacks is a stale sample.
			sides, _ := filepath.Glob(filepath.Join(dir, "*.http.json"))
			for _, s := range sides {
				id := strings.TrimSuffix(filepath.Base(s), ".http.json")
				if _, ok := ops[id]; !ok {
					t.Errorf("%s: the document has no operation %s", s, id)
				}
			}
		})
	}
}

func checkSample(t *testing.T, v *openapi.Validator, sc sidecar, ov sampleOverride, side, file, ext string) contract.Findings {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	ct := contentTypes[ext]
	if ct == "" {
		t.Fatalf("%s: unknown sample extension %s (known: json, csv, html, bin)", file, ext)
	}
	method, path := or(ov.Method, sc.Method), or(ov.Path, sc.Path)
	var fs contract.Findings
	if side == "request" {
		fs, err = v.ValidateRequest(newRequest(t, method, path, body, ct))
	} else {
		status := sc.Status
		if ov.Status != 0 {
			status = ov.Status
		}
		h := http.Header{}
		if len(body) > 0 {
			h.Set("Content-Type", ct)
		}
		fs, err = v.ValidateResponse(newRequest(t, method, path, nil, ""), status, h, body)
	}
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return fs
}

// judge asserts what a sample's name promises.
func judge(t *testing.T, name string, valid bool, fs contract.Findings, expect []string) {
	t.Helper()
	if valid {
		if len(fs) > 0 {
			t.Errorf("%s is valid but gives findings:\n%s", name, describe(fs))
		}
		if len(expect) > 0 {
			t.Errorf("%s: a valid sample cannot expect findings", name)
		}
		return
	}
	if len(fs) == 0 {
		t.Errorf("%s is invalid but gives no finding", name)
		return
	}
	for _, e := range expect {
		if !slices.ContainsFunc(fs, func(f contract.Finding) bool { return f.Location == e || f.Rule == e }) {
			t.Errorf("%s: no finding at or of %q; got:\n%s", name, e, describe(fs))
		}
	}
}

func describe(fs contract.Findings) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s: %s\n", f.Rule, f.Location, f.Message)
	}
	return b.String()
}

func parseSampleName(t *testing.T, id, base string) (side, validity, ext string) {
	t.Helper()
	ext = filepath.Ext(base)
	parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(base, id+"."), ext), ".")
	if len(parts) != 2 || (parts[0] != "request" && parts[0] != "response") {
		t.Fatalf("%s: want %s.<request|response>.<valid|invalid>[-tag]%s", base, id, ext)
	}
	validity, _, _ = strings.Cut(parts[1], "-")
	if validity != "valid" && validity != "invalid" {
		t.Fatalf("%s: want valid or invalid, optionally followed by -tag", base)
	}
	return parts[0], validity, ext
}

func readSidecar(t *testing.T, dir, id string) sidecar {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, id+".http.json"))
	if err != nil {
		t.Fatalf("operation %s has no sidecar: %v", id, err)
	}
	var sc sidecar
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		t.Fatalf("%s.http.json: %v", id, err)
	}
	if sc.Method == "" || sc.Path == "" || sc.Status == 0 {
		t.Fatalf("%s.http.json: method, path and status are required", id)
	}
	return sc
}

func newRequest(t *testing.T, method, path string, body []byte, ct string) *http.Request {
	t.Helper()
	var r io.Reader
	if len(body) > 0 {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://fnokit.invalid"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > 0 {
		req.Header.Set("Content-Type", ct)
	}
	return req
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func operations(doc *openapi3.T) map[string]*openapi3.Operation {
	out := map[string]*openapi3.Operation{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			out[op.OperationID] = op
		}
	}
	return out
}

func hasPathParams(doc *openapi3.T, id string) bool {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == id && len(item.Parameters) > 0 {
				return true
			}
		}
	}
	return false
}

// csvSpecs reads the CSV descriptions of extracts.yaml by schema name;
// every malformed one fails the test.
func csvSpecs(t *testing.T) map[string]csvheader.Spec {
	t.Helper()
	doc, err := openapi.LoadFile("extracts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	specs, err := csvheader.Read(doc)
	if err != nil {
		t.Error(err)
	}
	out := map[string]csvheader.Spec{}
	for _, s := range specs {
		out[s.Schema] = s
	}
	return out
}

// TestCSVColumns checks the header of every CSV sample in
// testdata/extracts/csv/<Schema>.<valid|invalid>[-tag].csv (taken from the
// seed's sample outputs) against the schema's CSV columns, and that every
// extract has a valid sample.
func TestCSVColumns(t *testing.T) {
	t.Parallel()
	specs := csvSpecs(t)
	if len(specs) == 0 {
		t.Fatal("extracts.yaml lists no CSV columns")
	}
	files, err := filepath.Glob(filepath.Join("testdata", "extracts", "csv", "*.csv"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".csv")
		schema, validity, ok := strings.Cut(base, ".")
		validity, _, _ = strings.Cut(validity, "-")
		spec, known := specs[schema]
		if !ok || !known || (validity != "valid" && validity != "invalid") {
			t.Errorf("%s: want <Schema>.<valid|invalid>[-tag].csv with a schema of extracts.yaml", f)
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			header := readHeader(t, f)
			if got := spec.Fits(header); got != (validity == "valid") {
				t.Errorf("header matches the columns of %s: %v, want %v\nheader: %q", schema, got, validity == "valid", header)
			}
		})
		if validity == "valid" {
			covered[schema] = true
		}
	}
	for name := range specs {
		if !covered[name] {
			t.Errorf("no valid CSV sample for %s", name)
		}
	}
}

func readHeader(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	rec, err := r.Read()
	if err != nil {
		t.Fatalf("%s: header: %v", path, err)
	}
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	return rec
}

// mapsKeys returns the keys of m, in no particular order (sort them with
// slices.Sorted).
func mapsKeys[V any](m map[string]V) iter.Seq[string] { return maps.Keys(m) }

// notesFile lists every inference of application.yaml and extracts.yaml by
// the JSON Pointer of the node that carries it.
const notesFile = "NOTES-application-extracts.md"

// TestInferenceNotes checks that every node marked x-fnokit-inference in
// application.yaml and extracts.yaml is explained in notesFile under its
// JSON Pointer, and that every pointer there still names a marked node.
func TestInferenceNotes(t *testing.T) {
	t.Parallel()
	notes, err := os.ReadFile(notesFile)
	if err != nil {
		t.Fatal(err)
	}
	marked := map[string]bool{}
	for _, api := range []string{"application", "extracts"} {
		data, err := os.ReadFile(api + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			t.Fatalf("%s.yaml: %v", api, err)
		}
		n := 0
		walkInferences(&root, "#", func(ptr string) { marked[ptr] = true; n++ })
		if n == 0 {
			t.Errorf("%s.yaml marks no inference; the walk is broken", api)
		}
	}
	for ptr := range marked {
		if !bytes.Contains(notes, []byte("`"+ptr+"`")) {
			t.Errorf("%s is marked x-fnokit-inference but not explained in %s", ptr, notesFile)
		}
	}
	for _, m := range regexp.MustCompile("`(#/[^`]+)`").FindAllSubmatch(notes, -1) {
		if !marked[string(m[1])] {
			t.Errorf("%s explains %s, which carries no x-fnokit-inference", notesFile, m[1])
		}
	}
}

// walkInferences calls mark with the JSON Pointer of every mapping that has
// an x-fnokit-inference key.
func walkInferences(n *yaml.Node, ptr string, mark func(string)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkInferences(c, ptr, mark)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if key == "x-fnokit-inference" {
				mark(ptr)
				continue
			}
			esc := strings.NewReplacer("~", "~0", "/", "~1").Replace(key)
			walkInferences(n.Content[i+1], ptr+"/"+esc, mark)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkInferences(c, fmt.Sprintf("%s/%d", ptr, i), mark)
		}
	}
}
