package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// The -update convention: `go test ./internal/golden -update` rewrites the
// expected outputs this package keeps in testdata/.
var _ = flag.Bool("update", false, "rewrite golden files in testdata")

var soapKey = Key{Kind: SOAP, Service: "ManageDeviceService", Version: "v3", Operation: "searchDevices", Case: "by-name"}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestKeyValidate(t *testing.T) {
	t.Parallel()
	ok := soapKey
	cases := []struct {
		name    string
		mutate  func(*Key)
		wantErr string
	}{
		{"valid", func(*Key) {}, ""},
		{"rest", func(k *Key) { k.Kind = REST }, ""},
		{"bad kind", func(k *Key) { k.Kind = "grpc" }, "kind"},
		{"empty case", func(k *Key) { k.Case = "" }, "case is empty"},
		{"dot dot", func(k *Key) { k.Service = ".." }, "leave the golden directory"},
		{"separator", func(k *Key) { k.Operation = "a/b" }, "path separator"},
		{"backslash", func(k *Key) { k.Operation = `a\b` }, "path separator"},
		{"hidden", func(k *Key) { k.Case = ".x" }, "starts with '.'"},
		{"space", func(k *Key) { k.Case = "by name" }, "contains"},
		{"long", func(k *Key) { k.Case = strings.Repeat("a", 200) }, "longer than"},
	}
	for _, c := range cases {
		k := ok
		c.mutate(&k)
		err := k.Validate()
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.wantErr)
		}
	}
	if got := soapKey.File(PartResponse); got != "soap/ManageDeviceService/v3/searchDevices/by-name.response.xml" {
		t.Errorf("File = %q", got)
	}
	if got := (Key{REST, "entitlementOrders", "v1", "list", "c"}).File(PartRequest); got != "rest/entitlementOrders/v1/list/c.request.json" {
		t.Errorf("File = %q", got)
	}
}

func TestUnifiedExact(t *testing.T) {
	t.Parallel()
	a := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
	b := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nm\nn\n"
	want := `--- golden
+++ got
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -9,5 +9,5 @@
 i
 j
 k
-l
 m
+n
`
	if got := Unified("golden", "got", a, b, 3); got != want {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want)
	}
	// Close changes share one hunk; one-line ranges drop the count.
	want2 := "--- x\n+++ y\n@@ -1,3 +1,3 @@\n-1\n+one\n 2\n-3\n+three\n"
	if got := Unified("x", "y", "1\n2\n3\n", "one\n2\nthree\n", 3); got != want2 {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want2)
	}
	want3 := "--- x\n+++ y\n@@ -2,0 +3 @@\n+c\n"
	if got := Unified("x", "y", "a\nb\n", "a\nb\nc\n", 0); got != want3 {
		t.Errorf("diff:\n%s\nwant:\n%s", got, want3)
	}
	if got := Unified("x", "y", "same\n", "same\n", 3); got != "" {
		t.Errorf("equal inputs gave a diff: %q", got)
	}
}

func TestUnifiedBounded(t *testing.T) {
	t.Parallel()
	var a, b strings.Builder
	for i := 0; i < 5000; i++ {
		a.WriteString("old line\n")
		b.WriteString("new line\n")
	}
	a.WriteString("common\n")
	b.WriteString("common\n")
	d := Unified("a", "b", a.String(), b.String(), 3)
	if !strings.Contains(d, "inputs too different") {
		t.Fatalf("expected the coarse fallback, got %.200q", d)
	}
	if !strings.Contains(d, "@@ -1,5001 +1,5001 @@") {
		t.Errorf("coarse hunk header missing: %.300q", d)
	}
	if !strings.Contains(d, "# diff cut after") {
		t.Error("output was not cut")
	}
}

func BenchmarkUnified(b *testing.B) {
	var x, y strings.Builder
	for i := 0; i < 20000; i++ {
		x.WriteString("line " + string(rune('a'+i%26)) + "\n")
		if i%100 == 0 {
			y.WriteString("changed\n")
		} else {
			y.WriteString("line " + string(rune('a'+i%26)) + "\n")
		}
	}
	for b.Loop() {
		Unified("a", "b", x.String(), y.String(), 3)
	}
}

func TestNormalizeXML(t *testing.T) {
	t.Parallel()
	doc := `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>` +
		`<r xmlns="urn:x"><statusInfo><status>SUCCESS</status><timestamp>t</timestamp></statusInfo>` +
		`<responseData><device id="7"><deviceId>D1</deviceId><name>n</name></device>` +
		`<server><deviceId>S1</deviceId></server></responseData></r></e:Body></e:Envelope>`
	cases := []struct {
		name  string
		rules []Rule
		want  []string // substrings of the canonical output
		gone  []string
	}{
		{"descendant mask", []Rule{{XPath: "//statusInfo/timestamp", Action: Mask, Why: "w"}},
			[]string{"<n1:timestamp>~masked~</n1:timestamp>", ">SUCCESS<"}, []string{">t<"}},
		{"absolute from payload with star", []Rule{{XPath: "/r/responseData/*/deviceId", Action: Ignore, Why: "w"}},
			[]string{"<n1:name>n</n1:name>"}, []string{"D1", "S1"}},
		{"absolute from envelope", []Rule{{XPath: "/Envelope/Body/r/responseData/device", Action: Ignore, Why: "w"}},
			[]string{"S1"}, []string{"D1"}},
		{"absolute does not float", []Rule{{XPath: "/responseData/device", Action: Ignore, Why: "w"}},
			[]string{"D1"}, nil},
		{"double descendant", []Rule{{XPath: "//responseData//deviceId", Action: Mask, Why: "w"}},
			[]string{"<n1:deviceId>~masked~</n1:deviceId>"}, []string{"D1", "S1"}},
		{"attribute", []Rule{{XPath: "//device/@id", Action: Mask, Why: "w"}},
			[]string{`id="~masked~"`}, []string{`id="7"`}},
		{"attribute ignore", []Rule{{XPath: "//device/@*", Action: Ignore, Why: "w"}},
			[]string{"<n1:device>"}, []string{`id=`}},
		{"mask complex element", []Rule{{XPath: "//statusInfo", Action: Mask, Why: "w"}},
			[]string{"<n1:statusInfo>~masked~</n1:statusInfo>"}, []string{"SUCCESS"}},
	}
	root, err := xmltree.ParseBytes([]byte(doc), xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := false
			r, err := compileFile(RulesFile{Builtins: &f, Defaults: c.rules})
			if err != nil {
				t.Fatal(err)
			}
			out := string(xmltree.Canonical(r.NormalizeXML(soapKey, root)))
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			for _, g := range c.gone {
				if strings.Contains(out, g) {
					t.Errorf("%q should be gone from\n%s", g, out)
				}
			}
		})
	}
	if !strings.Contains(string(xmltree.Canonical(root)), ">t<") {
		t.Error("NormalizeXML modified its input")
	}
}

func TestNormalizeJSON(t *testing.T) {
	t.Parallel()
	doc := `{"items":[{"id":1,"createdOn":"x","tags":{"a":1,"b":2}},{"id":2,"createdOn":"y"}],"meta":{"requestID":"r","nextPage":"p"}}`
	cases := []struct {
		name    string
		rules   []Rule
		builtin bool
		want    string
	}{
		{"star over array", []Rule{{Pointer: "/items/*/id", Action: Mask, Why: "w"}}, false,
			`{"items":[{"createdOn":"x","id":"~masked~","tags":{"a":1,"b":2}},{"createdOn":"y","id":"~masked~"}],"meta":{"nextPage":"p","requestID":"r"}}`},
		{"ignore array item", []Rule{{Pointer: "/items/1", Action: Ignore, Why: "w"}}, false,
			`{"items":[{"createdOn":"x","id":1,"tags":{"a":1,"b":2}}],"meta":{"nextPage":"p","requestID":"r"}}`},
		{"star over keys", []Rule{{Pointer: "/items/0/tags/*", Action: Ignore, Why: "w"}}, false,
			`{"items":[{"createdOn":"x","id":1,"tags":{}},{"createdOn":"y","id":2}],"meta":{"nextPage":"p","requestID":"r"}}`},
		{"any depth", []Rule{{Pointer: "/**/nextPage", Action: Ignore, Why: "w"}}, false,
			`{"items":[{"createdOn":"x","id":1,"tags":{"a":1,"b":2}},{"createdOn":"y","id":2}],"meta":{"requestID":"r"}}`},
		{"escaped segment", []Rule{{Pointer: "/a~1b", Action: Ignore, Why: "w"}}, false,
			`{"items":[{"createdOn":"x","id":1,"tags":{"a":1,"b":2}},{"createdOn":"y","id":2}],"meta":{"nextPage":"p","requestID":"r"}}`},
		{"builtins", nil, true,
			`{"items":[{"createdOn":"~masked~","id":1,"tags":{"a":1,"b":2}},{"createdOn":"~masked~","id":2}],"meta":{"nextPage":"p","requestID":"~masked~"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v, err := decodeJSON([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			r, err := compileFile(RulesFile{Builtins: &c.builtin, Defaults: c.rules})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(r.NormalizeJSON(Key{Kind: REST}, v))
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestParseRulesErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"unknown field", "defaults:\n  - xpth: //a\n    action: mask\n    why: w\n", "xpth"},
		{"bad action", "defaults:\n  - xpath: //a\n    action: drop\n    why: w\n", "action"},
		{"no why", "defaults:\n  - xpath: //a\n    action: mask\n", "why"},
		{"prefix", "defaults:\n  - xpath: //ns:a\n    action: mask\n    why: w\n", "prefix"},
		{"predicate", "defaults:\n  - xpath: //a[1]\n    action: mask\n    why: w\n", "beyond"},
		{"relative xpath", "defaults:\n  - xpath: a/b\n    action: mask\n    why: w\n", "must start"},
		{"both", "defaults:\n  - xpath: //a\n    pointer: /a\n    action: mask\n    why: w\n", "not both"},
		{"neither", "defaults:\n  - action: mask\n    why: w\n", "set xpath"},
		{"bad pointer", "defaults:\n  - pointer: a\n    action: mask\n    why: w\n", "must start"},
		{"bad tilde", "defaults:\n  - pointer: /a~2\n    action: mask\n    why: w\n", "'~'"},
		{"bad scope", "services:\n  A/../b:\n    - xpath: //a\n      action: mask\n      why: w\n", "scope"},
		{"not yaml", "defaults: [", "parse"},
	}
	for _, c := range cases {
		_, err := ParseRules([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	// JSON is accepted too.
	if _, err := ParseRules([]byte(`{"builtins": false, "defaults": [{"pointer": "/a", "action": "ignore", "why": "w"}]}`)); err != nil {
		t.Errorf("JSON rules: %v", err)
	}
}

func TestRulesScopesAndKeep(t *testing.T) {
	t.Parallel()
	r, err := ParseRules([]byte(`
builtins: false
defaults:
  - {xpath: //a, action: mask, why: d}
  - {xpath: //b, action: mask, why: d}
services:
  ManageDeviceService:
    - {xpath: //c, action: ignore, why: s}
  ManageDeviceService/v3:
    - {xpath: //a, action: keep, why: stable in v3}
  ManageDeviceService/v3/searchDevices:
    - {xpath: //d, action: mask, why: o}
  LicenseService:
    - {xpath: //e, action: mask, why: other}
`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range r.For(soapKey) {
		got = append(got, x.XPath)
	}
	if strings.Join(got, " ") != "//b //c //d" {
		t.Errorf("rules for %s = %v, want [//b //c //d]", soapKey, got)
	}
	other := soapKey
	other.Version = "v2"
	got = got[:0]
	for _, x := range r.For(other) {
		got = append(got, x.XPath)
	}
	if strings.Join(got, " ") != "//a //b //c" {
		t.Errorf("rules for %s = %v, want [//a //b //c]", other, got)
	}
}

func TestRepoRulesFileParses(t *testing.T) {
	t.Parallel()
	// golden/normalize.yaml at the repository root must stay valid.
	dir, _ := os.Getwd()
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			t.Skip("no go.mod above the package")
		}
	}
	p := filepath.Join(dir, "golden", "normalize.yaml")
	if _, err := os.Stat(p); err != nil {
		t.Skip("no golden/normalize.yaml")
	}
	if _, err := LoadRules(p); err != nil {
		t.Fatal(err)
	}
}

func TestCompareCanonicalPrefixes(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.Record(soapKey, Exchange{Response: read(t, "search-response-a.xml")}); err != nil {
		t.Fatal(err)
	}
	// Different prefixes, default vs prefixed namespace, no white space,
	// new timestamps and createdOn (built-in volatile fields).
	res, err := s.Compare(soapKey, Exchange{Response: read(t, "search-response-b.xml")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.Diff != "" {
		t.Errorf("expected a match, got %v\n%s", res.Findings, res.Diff)
	}
}

func TestCompareMismatch(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.Record(soapKey, Exchange{Response: read(t, "search-response-a.xml")}); err != nil {
		t.Fatal(err)
	}
	got := bytes.Replace(read(t, "search-response-b.xml"), []byte("<md:deviceId>DEV-2</md:deviceId>"), []byte("<md:deviceId>DEV-9</md:deviceId>"), 1)
	res, err := s.Compare(soapKey, Exchange{Response: got}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 {
		t.Fatalf("findings = %v", res.Findings)
	}
	f := res.Findings[0]
	if f.Rule != contract.RuleGoldenMismatch || f.Target != soapKey.File(PartResponse) {
		t.Errorf("finding = %+v", f)
	}
	if want := "/Envelope/Body/searchDevicesResponse/responseData/deviceData[2]/deviceIdentifier/deviceId"; f.Location != want {
		t.Errorf("location = %q, want %q", f.Location, want)
	}
	if strings.Contains(f.Message, "DEV-") {
		t.Errorf("message echoes a value: %q", f.Message)
	}
	for _, w := range []string{"-            <n1:deviceId>DEV-2</n1:deviceId>\n+            <n1:deviceId>DEV-9</n1:deviceId>\n", "@@ -15,7 +15,7 @@\n"} {
		if !strings.Contains(res.Diff, w) {
			t.Errorf("diff lacks %q:\n%s", w, res.Diff)
		}
	}
	// Structural change: an element goes missing.
	got = bytes.Replace(read(t, "search-response-b.xml"), []byte("<md:status>  ACTIVE  </md:status>"), nil, 1)
	res, err = s.Compare(soapKey, Exchange{Response: got}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Message, "<status> is missing") ||
		res.Findings[0].Location != "/Envelope/Body/searchDevicesResponse/responseData/deviceData[2]/status" {
		t.Errorf("findings = %v", res.Findings)
	}
	// Malformed got is a finding, not an error.
	res, err = s.Compare(soapKey, Exchange{Response: []byte("<a><b></a>")}, Options{})
	if err != nil || len(res.Findings) != 1 || res.Findings[0].Rule != contract.RuleXMLMalformed {
		t.Errorf("malformed: err %v findings %v", err, res.Findings)
	}
}

func TestCompareJSON(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	k := Key{Kind: REST, Service: "manageDevice", Version: "v1", Operation: "devices", Case: "first-page"}
	if _, err := s.Record(k, Exchange{Response: []byte(`{"a":1,"b":[1.0,"x"],"lastModifiedDateTime":1506497670777}`),
		Meta: Meta{Status: 200, ResponseHeaders: http.Header{"Content-Type": {"application/json"}}}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, got string
		status    int
		loc       string
	}{
		{"order and space", "{ \"b\" : [1.0, \"x\"],\n \"a\": 1, \"lastModifiedDateTime\": 1 }", 200, ""},
		{"number text", `{"a":1,"b":[1,"x"],"lastModifiedDateTime":1}`, 200, "/b/0"},
		{"missing member", `{"b":[1.0,"x"],"lastModifiedDateTime":1}`, 200, "/a"},
		{"extra member", `{"a":1,"b":[1.0,"x"],"c":null,"lastModifiedDateTime":1}`, 200, "/c"},
		{"type", `{"a":"1","b":[1.0,"x"],"lastModifiedDateTime":1}`, 200, "/a"},
		{"array length", `{"a":1,"b":[1.0],"lastModifiedDateTime":1}`, 200, "/b"},
		{"status", `{"a":1,"b":[1.0,"x"],"lastModifiedDateTime":1}`, 500, "/status"},
	}
	for _, c := range cases {
		res, err := s.Compare(k, Exchange{Response: []byte(c.got), Meta: Meta{Status: c.status}}, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		switch {
		case c.loc == "" && !res.OK():
			t.Errorf("%s: unexpected findings %v\n%s", c.name, res.Findings, res.Diff)
		case c.loc != "" && (len(res.Findings) != 1 || res.Findings[0].Location != c.loc):
			t.Errorf("%s: findings %v, want one at %s", c.name, res.Findings, c.loc)
		case c.loc != "" && res.Diff == "":
			t.Errorf("%s: no diff", c.name)
		}
	}
}

func TestUpdateMode(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	a, b := read(t, "search-response-a.xml"), read(t, "search-response-b.xml")
	b = bytes.Replace(b, []byte("DEV-2"), []byte("DEV-3"), 1)

	res, err := s.Compare(soapKey, Exchange{Response: a}, Options{})
	if err != nil || len(res.Findings) != 1 || res.Findings[0].Rule != contract.RuleGoldenMissing {
		t.Fatalf("missing case: err %v findings %v", err, res.Findings)
	}
	res, err = s.Compare(soapKey, Exchange{Request: read(t, "search-request.xml"), Response: a}, Options{Update: true})
	if err != nil || !res.OK() || !res.Updated {
		t.Fatalf("update of missing case: err %v res %+v", err, res)
	}
	res, err = s.Compare(soapKey, Exchange{Response: b}, Options{Update: true})
	if err != nil || !res.OK() || !res.Updated || res.Diff == "" {
		t.Fatalf("update of changed case: err %v res %+v", err, res)
	}
	res, err = s.Compare(soapKey, Exchange{Response: b}, Options{})
	if err != nil || !res.OK() || res.Updated {
		t.Fatalf("after update: err %v res %+v", err, res)
	}
	ex, err := s.Load(soapKey)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Request == nil {
		t.Error("updating the response deleted the recorded request")
	}
	if bytes.Contains(ex.Request, []byte("U3VwM3JTM2NyZXQh")) {
		t.Error("update wrote an unredacted request")
	}
}

func TestUpdateRequested(t *testing.T) {
	// Not parallel: it sets the environment.
	t.Setenv("FNOKIT_UPDATE_GOLDEN", "1")
	if !UpdateRequested() {
		t.Error("FNOKIT_UPDATE_GOLDEN=1 not honoured")
	}
	t.Setenv("FNOKIT_UPDATE_GOLDEN", "")
	if UpdateRequested() != (flag.Lookup("update").Value.String() == "true") {
		t.Error("UpdateRequested does not follow -update")
	}
}

func TestAtomicReplace(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if _, err := s.Record(soapKey, Exchange{Response: read(t, "search-response-a.xml")}); err != nil {
		t.Fatal(err)
	}
	p := soapKey.path(s.Root, PartResponse)
	old, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	if _, err := s.Record(soapKey, Exchange{Response: read(t, "search-response-b.xml")}); err != nil {
		t.Fatal(err)
	}
	// A reader that opened the old file still sees all of it: the file was
	// replaced by rename, not truncated and rewritten in place.
	oldBody, _ := io.ReadAll(old)
	if !bytes.Equal(oldBody, read(t, "search-response-a.xml")) {
		t.Error("the old file was modified in place")
	}
	now, _ := os.ReadFile(p)
	if !bytes.Equal(now, read(t, "search-response-b.xml")) {
		t.Error("the new content was not written")
	}
	entries, _ := os.ReadDir(filepath.Dir(p))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	// Recording without a request removes a stale one.
	if _, err := s.Record(soapKey, Exchange{Request: []byte("<a/>"), Response: []byte("<b/>")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(soapKey, Exchange{Response: []byte("<b/>")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(soapKey.path(s.Root, PartRequest)); !os.IsNotExist(err) {
		t.Errorf("stale request file kept: %v", err)
	}
}

func TestRecordRedactsEverything(t *testing.T) {
	t.Parallel()
	const (
		password = "Sup3rS3cret!"
		b64pass  = "U3VwM3JTM2NyZXQh" // base64(password), as FNO's UserPassword header carries it
		basic    = "aW50ZWdyYXRpb24tYm90OlN1cDNyUzNjcmV0IQ=="
		jwt      = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJlLWJ5dGVz"
		pat      = "fnopat_9f8e7d6c5b4a39281706"
	)
	s := newStore(t)
	soap := Exchange{
		Request:  read(t, "search-request.xml"),
		Response: read(t, "search-response-a.xml"),
		Meta: Meta{
			Method: "POST", URL: "https://integration-bot:" + password + "@uat.example.com/flexnet/services/v3/ManageDeviceService?token=" + pat,
			Status:          200,
			RequestHeaders:  http.Header{"Authorization": {"Basic " + basic}, "Cookie": {"JSESSIONID=" + pat}, "Soapaction": {`"searchDevices"`}},
			ResponseHeaders: http.Header{"Set-Cookie": {"JSESSIONID=" + pat + "; Path=/"}, "Content-Type": {"text/xml"}},
		},
	}
	if _, err := s.Record(soapKey, soap); err != nil {
		t.Fatal(err)
	}
	rest := Exchange{
		Request:  []byte(`{"username":"bot","password":"` + password + `"}`),
		Response: []byte(`{"token":"` + jwt + `","refreshToken":"` + pat + `","note":"use Bearer ` + jwt + `"}`),
		Meta:     Meta{Method: "POST", URL: "https://uat.example.com/data/api/v1/authenticate", Status: 200, RequestHeaders: http.Header{"Authorization": {"Bearer " + pat}}},
	}
	restKey := Key{Kind: REST, Service: "dataAccess", Version: "v1", Operation: "authenticate", Case: "ok"}
	if _, err := s.Record(restKey, rest); err != nil {
		t.Fatal(err)
	}
	// A broken body falls back to pattern redaction and is reported.
	brokenKey := restKey
	brokenKey.Case = "broken"
	rec, err := s.Record(brokenKey, Exchange{Response: []byte(`{"accessToken":"` + jwt + `", "x": `)})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Fallbacks) != 1 {
		t.Errorf("fallbacks = %v, want one", rec.Fallbacks)
	}
	// Update mode writes through the same path.
	if _, err := s.Compare(soapKey, Exchange{Request: bytes.Replace(soap.Request, []byte("DEV-1"), []byte("DEV-5"), 1)}, Options{Update: true}); err != nil {
		t.Fatal(err)
	}

	files := 0
	err = filepath.WalkDir(s.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, secret := range []string{password, b64pass, basic, jwt, pat, "eyJzdWIi"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds a secret (%.6s…)", p, secret)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 6 {
		t.Errorf("scanned %d files, expected at least 6", files)
	}
	meta, _ := os.ReadFile(soapKey.path(s.Root, PartMeta))
	for _, w := range []string{`"Basic [REDACTED]"`, `"status": 200`, "Soapaction"} {
		if !bytes.Contains(meta, []byte(w)) {
			t.Errorf("meta lacks %s:\n%s", w, meta)
		}
	}
	if bytes.Contains(meta, []byte("Cookie")) {
		t.Errorf("meta kept a cookie header:\n%s", meta)
	}
}

func TestKeys(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	restKey := Key{Kind: REST, Service: "s", Version: "v1", Operation: "o", Case: "c"}
	for _, k := range []Key{soapKey, restKey} {
		if _, err := s.Record(k, Exchange{Response: []byte(`{"a":1}`)}); err != nil && k.Kind == REST {
			t.Fatal(err)
		}
	}
	keys, err := s.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != restKey || keys[1] != soapKey {
		t.Errorf("keys = %v", keys)
	}
}

func bigResponse(n int, id string) []byte {
	var b strings.Builder
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><searchDevicesResponse xmlns="urn:v3.fne.webservices.operations.flexnet.com"><statusInfo><status>SUCCESS</status></statusInfo><responseData>`)
	for i := 0; i < n; i++ {
		b.WriteString(`<deviceData><deviceIdentifier><deviceId>` + id + `</deviceId></deviceIdentifier><status>ACTIVE</status><createdOn>2025-01-01</createdOn><description>seeded</description></deviceData>`)
	}
	b.WriteString(`</responseData></searchDevicesResponse></soapenv:Body></soapenv:Envelope>`)
	return []byte(b.String())
}

// BenchmarkCompareLarge compares a 2000-device response (FNO's read batch
// limit) that matches, and one that differs in every record.
func BenchmarkCompareLarge(b *testing.B) {
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Record(soapKey, Exchange{Response: bigResponse(2000, "DEV-1")}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		got  []byte
	}{{"equal", bigResponse(2000, "DEV-1")}, {"all-differ", bigResponse(2000, "DEV-2")}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.got)))
			for b.Loop() {
				if _, err := s.Compare(soapKey, Exchange{Response: c.got}, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
