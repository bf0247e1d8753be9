package rest_test

// Checks particular to three contracts, beyond the sample walk of
// rest_test.go (which validates every request and response sample of
// testdata/{notification,entitlements-beta,callout} against its document):
//
//   - the device webhook payloads of notification.yaml, bodies FNO sends to
//     a URL the client registered (deviceEventWebhook.callback.*.json), are
//     checked against the callback's request body;
//   - the callout JSON Schemas of ../callout compile (2020-12), agree with
//     callout.yaml sample for sample, and are what callout.yaml's
//     components translate (TestCalloutComponents, which regenerates them
//     with -update);
//   - the summary shapes (hostInfo and addOnInfo with the detail settings
//     off) hold for the samples tagged for them and refuse detail fields.

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/fnokit/fnokit/internal/atomicfile"
	"github.com/fnokit/fnokit/internal/openapi"
)

// webhookExpect names, for each invalid webhook sample, the JSON Pointers its
// findings must reach (a finding at or below each).
var webhookExpect = map[string][]string{
	"deviceEventWebhook.callback.invalid.json": {"/eventHeader/event", "/eventHeader/eventType", "/eventHeader/timeStamp", "/eventBody/deviceId"},
}

func TestDeviceWebhookSamples(t *testing.T) {
	t.Parallel()
	doc, err := openapi.LoadFile("notification.yaml")
	if err != nil {
		t.Fatal(err)
	}
	schema := nbcCallbackSchema(doc, "deviceEventWebhook")
	if schema == nil {
		t.Fatal("notification.yaml has no callback deviceEventWebhook with a JSON body")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "notification", "deviceEventWebhook.callback.*.json"))
	var valid, invalid int
	for _, f := range files {
		base := filepath.Base(f)
		isValid := strings.HasPrefix(strings.TrimPrefix(base, "deviceEventWebhook.callback."), "valid")
		t.Run(base, func(t *testing.T) {
			var value any
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &value); err != nil {
				t.Fatalf("body: %v", err)
			}
			err = schema.VisitJSON(value, openapi3.MultiErrors(), openapi3.VisitAsRequest(),
				openapi3.SetSchemaRegexCompiler(openapi.CompileECMAScript))
			var locs []string
			if err != nil {
				for _, e := range nbcSchemaErrors(err) {
					locs = append(locs, "/"+strings.Join(e.JSONPointer(), "/"))
				}
			}
			nbcJudge(t, base, isValid, locs, webhookExpect[base], errText(err))
		})
		if isValid {
			valid++
		} else {
			invalid++
		}
	}
	if valid == 0 || invalid == 0 {
		t.Errorf("want valid and invalid webhook samples, have %d and %d", valid, invalid)
	}
	for name := range webhookExpect {
		if _, err := os.Stat(filepath.Join("testdata", "notification", name)); err != nil {
			t.Errorf("webhookExpect names %s, which does not exist", name)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// nbcJudge asserts what a sample's name promises: no finding for a valid
// one; for an invalid one, a finding at, below or (for schema errors that
// stop at the enclosing object) just above each expected pointer.
func nbcJudge(t *testing.T, name string, valid bool, locs, expect []string, detail string) {
	t.Helper()
	if valid {
		if len(locs) > 0 {
			t.Errorf("%s is valid but gives findings at %v:\n%s", name, locs, detail)
		}
		return
	}
	if len(locs) == 0 {
		t.Errorf("%s is invalid but gives no finding", name)
		return
	}
	for _, want := range expect {
		if !nbcReached(want, locs) {
			t.Errorf("%s: no finding at %q; findings at %v:\n%s", name, want, locs, detail)
		}
	}
}

func nbcReached(want string, locs []string) bool {
	for _, l := range locs {
		if l == want || strings.HasPrefix(l, want+"/") || (l != "" && strings.HasPrefix(want, l+"/")) {
			return true
		}
	}
	return false
}

func nbcSchemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, x := range e {
			out = append(out, nbcSchemaErrors(x)...)
		}
	case *openapi3.SchemaError:
		out = append(out, e)
	}
	return out
}

func nbcCallbackSchema(doc *openapi3.T, opID string) *openapi3.Schema {
	for _, cb := range doc.Components.Callbacks {
		if cb.Value == nil {
			continue
		}
		for _, item := range cb.Value.Map() {
			for _, op := range item.Operations() {
				if op.OperationID != opID || op.RequestBody == nil || op.RequestBody.Value == nil {
					continue
				}
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					return mt.Schema.Value
				}
			}
		}
	}
	return nil
}

const calloutURN = "urn:fnokit:schema:callout:"

// calloutCompiler loads the two JSON Schemas of ../callout under their $id.
// Compiling a schema from it checks it against the 2020-12 meta-schema.
func calloutCompiler(t *testing.T) *jsonschema.Compiler {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	for _, name := range []string{"capability-request", "capability-response"} {
		data, err := os.ReadFile(filepath.Join("..", "callout", name+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource(calloutURN+name, doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return c
}

func calloutSchema(t *testing.T, c *jsonschema.Compiler, loc string) *jsonschema.Schema {
	t.Helper()
	s, err := c.Compile(calloutURN + loc)
	if err != nil {
		t.Fatalf("compile %s: %v", loc, err)
	}
	return s
}

// The schemas the emulator and `fnokit callout check` compile.
var calloutEntryPoints = []string{
	"capability-request",
	"capability-request#/$defs/HostInfoSummary",
	"capability-request#/$defs/AddOnInfoSummary",
	"capability-response",
	"capability-response#/$defs/FinalizeHostResponse",
	"capability-response#/$defs/CheckAccessResponse",
	"capability-response#/$defs/FinalizeResponseResponse",
}

func TestCalloutJSONSchemasCompile(t *testing.T) {
	t.Parallel()
	c := calloutCompiler(t)
	for _, loc := range calloutEntryPoints {
		calloutSchema(t, c, loc)
	}
}

// calloutSidecar is the part of a testdata sidecar (see rest_test.go) this
// test reads: what each invalid sample must break.
type calloutSidecar struct {
	Samples map[string]struct {
		Expect []string `json:"expect"`
	} `json:"samples"`
}

// TestCalloutSamplesAgainstJSONSchemas runs every callout body sample
// through the JSON Schemas too: the emulator and `fnokit callout check`
// validate with those, so they must agree with callout.yaml.
func TestCalloutSamplesAgainstJSONSchemas(t *testing.T) {
	t.Parallel()
	c := calloutCompiler(t)
	request := calloutSchema(t, c, "capability-request")
	hostSummary := calloutSchema(t, c, "capability-request#/$defs/HostInfoSummary")
	addOnSummary := calloutSchema(t, c, "capability-request#/$defs/AddOnInfoSummary")
	response := map[string]*jsonschema.Schema{
		"finalizeHost":     calloutSchema(t, c, "capability-response#/$defs/FinalizeHostResponse"),
		"checkAccess":      calloutSchema(t, c, "capability-response#/$defs/CheckAccessResponse"),
		"finalizeResponse": calloutSchema(t, c, "capability-response#/$defs/FinalizeResponseResponse"),
	}
	dir := filepath.Join("testdata", "callout")
	for op, respSchema := range response {
		var sc calloutSidecar
		data, err := os.ReadFile(filepath.Join(dir, op+".http.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &sc); err != nil {
			t.Fatalf("%s.http.json: %v", op, err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, op+".re*.json"))
		if len(files) == 0 {
			t.Fatalf("no samples for %s", op)
		}
		for _, f := range files {
			base := filepath.Base(f)
			parts := strings.Split(strings.TrimSuffix(base, ".json"), ".")
			if len(parts) != 3 {
				t.Fatalf("%s: want %s.<request|response>.<valid|invalid>[-tag].json", base, op)
			}
			validity, tag, _ := strings.Cut(parts[2], "-")
			t.Run(base, func(t *testing.T) {
				data, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				body, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("body: %v", err)
				}
				schema := request
				if parts[1] == "response" {
					schema = respSchema
				}
				err = schema.Validate(body)
				nbcJudge(t, base, validity == "valid", leafLocations(err), sc.Samples[base].Expect, errText(err))
				if validity != "valid" || parts[1] != "request" {
					return
				}
				// The tag says which detail settings produced the request:
				// none (both off), details (both on), host-details-only.
				m, _ := body.(map[string]any)
				if tag != "details" && tag != "host-details-only" {
					if err := hostSummary.Validate(m["hostInfo"]); err != nil {
						t.Errorf("host details off, yet hostInfo is more than the summary: %v", err)
					}
				}
				if tag != "details" {
					list, _ := m["addOnInfo"].([]any)
					for _, a := range list {
						if err := addOnSummary.Validate(a); err != nil {
							t.Errorf("add-on details off, yet an addOnInfo entry is more than the summary: %v", err)
						}
					}
				}
			})
		}
	}
}

// leafLocations turns a jsonschema validation error into the JSON Pointers
// of its deepest causes; nil for no error.
func leafLocations(err error) []string {
	if err == nil {
		return nil
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return []string{""}
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			var b strings.Builder
			for _, tok := range e.InstanceLocation {
				b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
			}
			out = append(out, b.String())
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// TestCalloutSummariesRefuseDetails proves the summary shapes are not
// vacuous: a detail field, or a missing always-sent field, breaks them.
func TestCalloutSummariesRefuseDetails(t *testing.T) {
	t.Parallel()
	c := calloutCompiler(t)
	for _, tc := range []struct {
		def, body string
		ok        bool
	}{
		{"HostInfoSummary", `{"id":"dev1","idType":"STRING","hostClass":"CLIENT","hostType":"FLX_CLIENT","alias":null}`, true},
		{"HostInfoSummary", `{"id":"dev1","idType":"STRING","hostClass":"CLIENT","hostType":"FLX_CLIENT","enterpriseId":101}`, false},
		{"HostInfoSummary", `{"idType":"STRING","hostClass":"CLIENT","hostType":"FLX_CLIENT"}`, false},
		{"AddOnInfoSummary", `{"activationId":"a1"}`, true},
		{"AddOnInfoSummary", `{"activationId":"a1","requested":1}`, false},
	} {
		s := calloutSchema(t, c, "capability-request#/$defs/"+tc.def)
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); (err == nil) != tc.ok {
			t.Errorf("%s %s: valid=%v, want %v (%v)", tc.def, tc.body, err == nil, tc.ok, err)
		}
	}
}

// TestCalloutComponents keeps callout.yaml's components section the
// translation of the JSON Schemas (callout_components_test.go): byte for
// byte what the generator writes now, and, read back by kin-openapi, the
// same values as the JSON Schemas. With -update it rewrites the section
// first: go test ./schemas/rest -run TestCalloutComponents -update.
func TestCalloutComponents(t *testing.T) {
	t.Parallel()
	current, err := os.ReadFile(calloutDoc)
	if err != nil {
		t.Fatal(err)
	}
	want, err := calloutDocument(current, filepath.Join("..", "callout"))
	if err != nil {
		t.Fatal(err)
	}
	if *update && !bytes.Equal(current, want) {
		if err := atomicfile.WriteFile(calloutDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		current = want
	}
	if !bytes.Equal(current, want) {
		t.Errorf("the components section of %s is not what the JSON Schemas in ../callout translate to (line %d differs): edit the JSON Schemas, not %s, then run %s",
			calloutDoc, firstDiffLine(current, want), calloutDoc, calloutRegenerate)
	}

	// The YAML means what the JSON Schemas say (a check of the emitter).
	schemas, err := calloutComponents(filepath.Join("..", "callout"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi.LoadFile(calloutDoc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for k, ref := range doc.Components.Schemas {
		got[k] = asJSON(t, ref.Value)
	}
	for _, kv := range schemas {
		g, ok := got[kv.Key]
		if !ok {
			t.Errorf("components/schemas/%s is missing from %s", kv.Key, calloutDoc)
			continue
		}
		if w := asJSON(t, plain(kv.Value)); !reflect.DeepEqual(g, w) {
			gb, _ := json.Marshal(g)
			wb, _ := json.Marshal(w)
			t.Errorf("components/schemas/%s, read back, differs from the JSON Schema\n got: %s\nwant: %s", kv.Key, gb, wb)
		}
		delete(got, kv.Key)
	}
	for k := range got {
		t.Errorf("components/schemas/%s is not in the JSON Schemas", k)
	}
}

// firstDiffLine is the 1-based line where a and b first differ.
func firstDiffLine(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	return bytes.Count(a[:i], []byte("\n")) + 1
}

// asJSON round-trips v through encoding/json, so a kin-openapi schema and a
// decoded JSON Schema compare as plain values.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNotificationBetaCalloutInferences ties every x-fnokit-inference of the
// three documents and the two JSON Schemas to
// NOTES-notification-beta-callout.md: each starts with its API's ID, each ID
// it names is explained there under a heading, and each explained ID is
// still used somewhere.
func TestNotificationBetaCalloutInferences(t *testing.T) {
	t.Parallel()
	notes, err := os.ReadFile("NOTES-notification-beta-callout.md")
	if err != nil {
		t.Fatal(err)
	}
	explained := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+ +((?:EN|EB|CO)-[0-9]+)\s*$`).FindAllStringSubmatch(string(notes), -1) {
		explained[m[1]] = true
	}
	idRE := regexp.MustCompile(`\b(?:EN|EB|CO)-[0-9]+\b`)
	used := map[string]bool{}
	check := func(source, prefix string, tree any) {
		n := 0
		nbcWalkInferences(tree, "", func(where, text string) {
			n++
			if !strings.HasPrefix(text, prefix+"-") || !idRE.MatchString(text[:min(len(text), 8)]) {
				t.Errorf("%s %s: x-fnokit-inference must start with a %s-n ID", source, where, prefix)
			}
			for _, id := range idRE.FindAllString(text, -1) {
				used[id] = true
				if !explained[id] {
					t.Errorf("%s %s: %s is not explained in the notes", source, where, id)
				}
			}
		})
		if n == 0 {
			t.Errorf("%s: no x-fnokit-inference found; the walk is broken", source)
		}
	}
	for doc, prefix := range map[string]string{"notification.yaml": "EN", "entitlements-beta.yaml": "EB", "callout.yaml": "CO"} {
		d, err := openapi.LoadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		check(doc, prefix, asJSON(t, d))
	}
	for _, name := range []string{"capability-request", "capability-response"} {
		data, err := os.ReadFile(filepath.Join("..", "callout", name+".schema.json"))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		check(name+".schema.json", "CO", v)
	}
	ids := make([]string, 0, len(explained))
	for id := range explained {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !used[id] {
			t.Errorf("the notes explain %s, which no document uses", id)
		}
	}
}

// nbcWalkInferences calls fn for every x-fnokit-inference string in a decoded
// JSON tree, with the JSON Pointer of the object that carries it.
func nbcWalkInferences(v any, where string, fn func(where, text string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "x-fnokit-inference" {
				fn(where, s)
				continue
			}
			nbcWalkInferences(val, where+"/"+k, fn)
		}
	case []any:
		for i, val := range x {
			nbcWalkInferences(val, where+"/"+strconv.Itoa(i), fn)
		}
	}
}
