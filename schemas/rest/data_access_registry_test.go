package rest_test

// Checks specific to the Data Access (data-access.yaml) and Software
// Container Delivery (registry.yaml) contracts. Their samples follow the
// convention of rest_test.go and are judged by TestSamples; this file adds
// what that convention does not cover:
//
//   - every method and path of a sidecar routes to the operation the
//     sidecar is named after, so an invalid request case cannot pass by
//     missing its route;
//   - every x-fnokit-inference names an ID that the notes explain, and the
//     notes explain no ID the documents have dropped.

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/fnokit/fnokit/internal/openapi"
)

// inferenceAPIs maps each document this file checks to the prefix of its
// inference IDs.
var inferenceAPIs = map[string]string{"data-access": "DA", "registry": "REG"}

const inferenceNotes = "NOTES-data-access-registry.md"

func TestDataAccessRegistryLint(t *testing.T) {
	t.Parallel()
	for api := range inferenceAPIs {
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

func TestDataAccessRegistryRoutes(t *testing.T) {
	t.Parallel()
	for api := range inferenceAPIs {
		t.Run(api, func(t *testing.T) {
			t.Parallel()
			v := validator(t, api)
			c := *v.Document()
			c.Servers = nil // route on the path alone, as the validator does
			router, err := gorillamux.NewRouter(&c)
			if err != nil {
				t.Fatal(err)
			}
			routeOf := func(method, path string) string {
				req := newRequest(t, method, path, nil, "")
				route, _, err := router.FindRoute(req)
				if err != nil {
					return ""
				}
				return route.Operation.OperationID
			}
			sides, _ := filepath.Glob(filepath.Join("testdata", api, "*.http.json"))
			if len(sides) == 0 {
				t.Fatal("no sidecars")
			}
			for _, s := range sides {
				id := strings.TrimSuffix(filepath.Base(s), ".http.json")
				sc := readSidecar(t, filepath.Join("testdata", api), id)
				check := func(what, method, path string) {
					if got := routeOf(method, path); got != id {
						t.Errorf("%s: %s %s routes to %q, want %q", what, method, path, got, id)
					}
				}
				check(id+".http.json", sc.Method, sc.Path)
				for _, rc := range sc.Requests {
					check("request case "+rc.Name, or(rc.Method, sc.Method), or(rc.Path, sc.Path))
				}
				for base, ov := range sc.Samples {
					check(base, or(ov.Method, sc.Method), or(ov.Path, sc.Path))
				}
			}
		})
	}
}

// TestDataAccessRegistryInferences ties the x-fnokit-inference notes of the
// documents to the notes file: an inference whose ID the file does not
// explain, or an ID the file explains that no document uses any more, fails.
func TestDataAccessRegistryInferences(t *testing.T) {
	t.Parallel()
	notes, err := os.ReadFile(inferenceNotes)
	if err != nil {
		t.Fatal(err)
	}
	idRE := regexp.MustCompile(`^((?:DA|REG)-[0-9]+):`)
	heading := regexp.MustCompile(`(?m)^#+ +((?:DA|REG)-[0-9]+)\b`)
	explained := map[string]bool{}
	for _, m := range heading.FindAllStringSubmatch(string(notes), -1) {
		explained[m[1]] = true
	}
	used := map[string]bool{}
	for api, prefix := range inferenceAPIs {
		v := validator(t, api)
		for _, note := range inferences(v.Document()) {
			m := idRE.FindStringSubmatch(note.text)
			if m == nil || !strings.HasPrefix(m[1], prefix+"-") {
				t.Errorf("%s %s: x-fnokit-inference must start with a %s-n: ID", api, note.where, prefix)
				continue
			}
			// A note may name further IDs after the first ("REG-8: ... REG-9: ...").
			for _, id := range regexp.MustCompile(`\b(?:DA|REG)-[0-9]+\b`).FindAllString(note.text, -1) {
				used[id] = true
				if !explained[id] {
					t.Errorf("%s %s: %s is not explained in %s", api, note.where, id, inferenceNotes)
				}
			}
		}
	}
	for _, id := range slices.Sorted(mapsKeys(explained)) {
		if !used[id] {
			t.Errorf("%s explains %s, which no document uses", inferenceNotes, id)
		}
	}
}

type inferenceNote struct{ where, text string }

// inferences collects the x-fnokit-inference values of the nodes that carry
// them in these documents: operations, parameters, responses and schemas
// (with their properties, one level down).
func inferences(doc *openapi3.T) []inferenceNote {
	var out []inferenceNote
	add := func(where string, ext map[string]any) {
		if s, ok := ext["x-fnokit-inference"].(string); ok {
			out = append(out, inferenceNote{where, s})
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			add(method+" "+path, op.Extensions)
		}
	}
	for name, p := range doc.Components.Parameters {
		add("parameter "+name, p.Value.Extensions)
	}
	for name, r := range doc.Components.Responses {
		add("response "+name, r.Value.Extensions)
	}
	for name, s := range doc.Components.Schemas {
		add("schema "+name, s.Value.Extensions)
		for prop, ps := range s.Value.Properties {
			if ps.Ref == "" {
				add("schema "+name+"."+prop, ps.Value.Extensions)
			}
		}
	}
	return out
}
