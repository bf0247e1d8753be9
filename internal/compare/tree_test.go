package compare

import (
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/xmltree"
)

func parseXML(t *testing.T, s string) *xmltree.Node {
	t.Helper()
	n, err := xmltree.ParseBytes([]byte(s), xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type want struct {
	kind      Kind
	loc       string
	base, cnd string
}

func check(t *testing.T, got []Difference, w []want) {
	t.Helper()
	if len(got) != len(w) {
		t.Fatalf("%d differences %+v, want %d %+v", len(got), got, len(w), w)
	}
	for i := range w {
		g := got[i]
		if g.Kind != w[i].kind || g.Location != w[i].loc || g.Baseline != w[i].base || g.Candidate != w[i].cnd {
			t.Errorf("difference %d = %+v, want %+v", i, g, w[i])
		}
		if g.Level != Value {
			t.Errorf("difference %d at level %s, want value", i, g.Level)
		}
	}
}

func TestDiffXML(t *testing.T) {
	t.Parallel()
	const ns = `xmlns="urn:a"`
	cases := []struct {
		name string
		a, b string
		want []want
	}{
		{"equal whatever the prefixes", `<r ` + ns + `><x>1</x></r>`, `<p:r xmlns:p="urn:a"><p:x> 1 </p:x></p:r>`, nil},
		{"text", `<r><x>1</x></r>`, `<r><x>2</x></r>`, []want{{ValueChanged, "/r/x", "1", "2"}}},
		{"element added", `<r><x>1</x></r>`, `<r><x>1</x><y>2</y></r>`, []want{{OnlyInCandidate, "/r/y", "", "2"}}},
		{"record removed", `<r><d><i>1</i></d><d><i>2</i></d></r>`, `<r><d><i>1</i></d></r>`,
			[]want{{OnlyInBaseline, "/r/d[2]", "<d> with 1 element(s) inside", ""}}},
		{"record changed", `<r><d><i>1</i></d><d><i>2</i></d></r>`, `<r><d><i>1</i></d><d><i>3</i></d></r>`,
			[]want{{ValueChanged, "/r/d[2]/i", "2", "3"}}},
		{"attribute", `<r a="1" b="x"/>`, `<r a="2" c="y"/>`, []want{
			{ValueChanged, "/r/@a", "1", "2"}, {OnlyInBaseline, "/r/@b", "x", ""}, {OnlyInCandidate, "/r/@c", "", "y"}}},
		{"namespace once", `<r ` + ns + `><x><y>1</y></x></r>`, `<r xmlns="urn:b"><x><y>1</y></x></r>`,
			[]want{{ValueChanged, "/r", "urn:a", "urn:b"}}},
		{"namespace of one child", `<r ` + ns + `><x>1</x><z>1</z></r>`, `<r ` + ns + `><x xmlns="urn:b">1</x><z>1</z></r>`,
			[]want{{ValueChanged, "/r/x", "urn:a", "urn:b"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, b := parseXML(t, c.a), parseXML(t, c.b)
			d := &differ{max: 100}
			d.xml(a, b, "/"+a.Name.Local)
			check(t, d.out, c.want)
		})
	}
}

func TestDiffJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		a, b string
		want []want
	}{
		{"equal whatever the key order", `{"a":1,"b":[true,null]}`, `{"b":[true,null],"a":1}`, nil},
		{"numbers as written", `{"n":1}`, `{"n":1.0}`, []want{{ValueChanged, "/n", "1", "1.0"}}},
		{"member", `{"a":{"x":"1"}}`, `{"a":{"y":"1"}}`, []want{{OnlyInBaseline, "/a/x", "1", ""}, {OnlyInCandidate, "/a/y", "", "1"}}},
		{"array shorter", `{"l":[1,2,3]}`, `{"l":[1]}`, []want{{OnlyInBaseline, "/l/1", "2", ""}, {OnlyInBaseline, "/l/2", "3", ""}}},
		{"type", `{"c":"5"}`, `{"c":5}`, []want{{ValueChanged, "/c", "5", "5"}}},
		{"object for null", `{"f":null}`, `{"f":{"k":1}}`, []want{{ValueChanged, "/f", "null", "object with 1 member(s)"}}},
		{"pointer escapes", `{"a/b":1}`, `{"a/b":2}`, []want{{ValueChanged, "/a~1b", "1", "2"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, err := decodeJSON([]byte(c.a))
			if err != nil {
				t.Fatal(err)
			}
			b, err := decodeJSON([]byte(c.b))
			if err != nil {
				t.Fatal(err)
			}
			d := &differ{max: 100}
			d.json(a, b, "")
			check(t, d.out, c.want)
		})
	}
}

// Beyond the bound, differences are counted, not listed; the locations
// skipped (reported at outcome level) are not listed twice.
func TestDifferBounds(t *testing.T) {
	t.Parallel()
	a, b := parseXML(t, `<r><s>1</s><x>1</x><x>2</x><x>3</x></r>`), parseXML(t, `<r><s>2</s><x>4</x><x>5</x><x>6</x></r>`)
	d := &differ{max: 2, skip: map[string]bool{"/r/s": true}}
	d.xml(a, b, "/r")
	if len(d.out) != 2 || d.omitted != 1 {
		t.Errorf("%d listed, %d omitted; want 2 and 1", len(d.out), d.omitted)
	}
	for _, x := range d.out {
		if x.Location == "/r/s" {
			t.Error("a skipped location is listed")
		}
	}
	long := strings.Repeat("é", MaxValue+10)
	d = &differ{max: 5}
	d.xml(parseXML(t, "<r>"+long+"</r>"), parseXML(t, "<r/>"), "/r")
	if got := []rune(d.out[0].Baseline); len(got) != MaxValue+1 || got[MaxValue] != '…' {
		t.Errorf("a long value is shown with %d characters", len(got))
	}
}

// Secrets in answers never reach a difference: bodies are redacted before
// they are compared, and values once more when they are shown.
func TestDifferencesNeverShowSecrets(t *testing.T) {
	t.Parallel()
	const (
		password = "s3cret-Pa55"
		jwt      = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXgteHgteA"
	)
	env := func(body string) []byte {
		return []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` + body + `</soapenv:Body></soapenv:Envelope>`)
	}
	k := golden.Key{Kind: golden.SOAP, Service: "FlexnetAuthentication", Version: "v1", Operation: "authenticateUser", Case: "compare"}
	a, err := soapPayload(env(`<r xmlns="urn:x"><password>`+password+`</password><token>`+jwt+`</token><note>ok</note></r>`), k, golden.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	b, err := soapPayload(env(`<r xmlns="urn:x"><note>bearer `+jwt+`</note><UserPassword>`+password+`</UserPassword></r>`), k, golden.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	d := &differ{max: 100}
	d.xml(a, b, "/r")
	rk := golden.Key{Kind: golden.REST, Service: RESTAPI, Version: "v1", Operation: "devices", Case: "x"}
	ja, err := restValue([]byte(`{"accessToken":"`+jwt+`","p":{"password":"`+password+`"}}`), rk, golden.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	jb, err := restValue([]byte(`{"note":"Authorization: Bearer `+jwt+`"}`), rk, golden.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	d.json(ja, jb, "")
	if len(d.out) == 0 {
		t.Fatal("no differences to look at")
	}
	for _, x := range d.out {
		for _, s := range []string{x.Baseline, x.Candidate, x.Message, x.Location} {
			if strings.Contains(s, password) || strings.Contains(s, jwt) {
				t.Errorf("difference %+v shows a secret", x)
			}
		}
	}
	diff := diffText("x", canonicalXML(a), canonicalXML(b), 3) + diffText("y", prettyJSON(ja), prettyJSON(jb), 3)
	if strings.Contains(diff, password) || strings.Contains(diff, jwt) {
		t.Error("the unified diff shows a secret")
	}
}
