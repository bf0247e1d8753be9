package xmltree

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

const sample = `<?xml version="1.0" encoding="UTF-8"?>
<impl:getDeviceCountResponse xmlns:impl="urn:v3.fne.webservices.operations.flexnet.com" xmlns:x="urn:x">
  <impl:statusInfo><impl:status>SUCCESS</impl:status></impl:statusInfo>
  <impl:responseData x:kind="a &amp; b" id="1"><impl:count> 42 </impl:count></impl:responseData>
</impl:getDeviceCountResponse>`

func TestParseKeepsOrderAndNamespaces(t *testing.T) {
	t.Parallel()
	n, err := ParseBytes([]byte(sample), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if n.Name.Space != "urn:v3.fne.webservices.operations.flexnet.com" || n.Name.Local != "getDeviceCountResponse" {
		t.Fatalf("root %v", n.Name)
	}
	if got := n.TextOf("statusInfo", "status"); got != "SUCCESS" {
		t.Errorf("status %q", got)
	}
	if got := n.TextOf("responseData", "count"); got != "42" {
		t.Errorf("count %q", got)
	}
	if v, _ := n.Child("responseData").Attr("kind"); v != "a & b" {
		t.Errorf("attr %q", v)
	}
	var paths []string
	n.Walk(func(p string, _ *Node) bool { paths = append(paths, p); return true })
	want := "/getDeviceCountResponse /getDeviceCountResponse/statusInfo /getDeviceCountResponse/statusInfo/status /getDeviceCountResponse/responseData /getDeviceCountResponse/responseData/count"
	if strings.Join(paths, " ") != want {
		t.Errorf("walk %v", paths)
	}
}

func TestCanonicalIgnoresPrefixesAndWhitespace(t *testing.T) {
	t.Parallel()
	other := `<getDeviceCountResponse xmlns="urn:v3.fne.webservices.operations.flexnet.com"><statusInfo>
	<status>SUCCESS</status></statusInfo><responseData id="1" xmlns:y="urn:x" y:kind="a &amp; b"><count>42</count></responseData></getDeviceCountResponse>`
	a, err := ParseBytes([]byte(sample), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseBytes([]byte(other), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !Equal(a, b) {
		t.Fatalf("canonical forms differ:\n%s\n---\n%s", Canonical(a), Canonical(b))
	}
	b.Child("responseData").Child("count").Text = "43"
	if Equal(a, b) {
		t.Fatal("a changed value must not compare equal")
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	a, _ := ParseBytes([]byte(sample), Limits{})
	out := a.Bytes(EncodeOptions{Prefixes: map[string]string{"urn:v3.fne.webservices.operations.flexnet.com": "urn"}})
	if !bytes.HasPrefix(out, []byte(`<urn:getDeviceCountResponse xmlns:urn="urn:v3.fne.webservices.operations.flexnet.com" xmlns:ns1="urn:x">`)) {
		t.Errorf("unexpected encoding: %s", out)
	}
	b, err := ParseBytes(out, Limits{})
	if err != nil {
		t.Fatalf("re-parse: %v\n%s", err, out)
	}
	if !Equal(a, b) {
		t.Errorf("round trip changed the tree:\n%s", out)
	}
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	bomb := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`
	xxe := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`
	deep := strings.Repeat("<a>", 10000) + strings.Repeat("</a>", 10000)
	cases := []struct {
		name string
		doc  string
		lim  Limits
		rule string
	}{
		{"malformed", "<a><b></a>", Limits{}, contract.RuleXMLMalformed},
		{"billion laughs", bomb, Limits{}, contract.RuleXMLDTDForbidden},
		{"external entity", xxe, Limits{}, contract.RuleXMLDTDForbidden},
		{"undeclared entity", "<a>&lol9;</a>", Limits{}, contract.RuleXMLMalformed},
		{"invalid utf-8", "<a>\xff\xfe</a>", Limits{}, contract.RuleXMLMalformed},
		{"deep", deep, Limits{}, contract.RuleXMLTooDeep},
		{"too large", "<a>" + strings.Repeat("x", 2000) + "</a>", Limits{MaxBytes: 1024}, contract.RuleXMLTooLarge},
		{"empty", "", Limits{}, contract.RuleXMLMalformed},
		{"two roots", "<a/><b/>", Limits{}, contract.RuleXMLMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseBytes([]byte(c.doc), c.lim)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if pe.Rule != c.rule {
				t.Errorf("rule %s, want %s (%v)", pe.Rule, c.rule, err)
			}
			if strings.Contains(err.Error(), "passwd") || strings.Contains(err.Error(), "lol9") {
				t.Errorf("error echoes input: %v", err)
			}
		})
	}
}

// A 100 MB body is refused after reading just past the limit: the reader
// never hands over more than MaxBytes+1 bytes.
func TestHugeBodyStopsAtLimit(t *testing.T) {
	t.Parallel()
	r := &countingReader{left: 100 << 20}
	_, err := Parse(r, Limits{MaxBytes: 1 << 20})
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Rule != contract.RuleXMLTooLarge {
		t.Fatalf("err = %v, want xml-too-large", err)
	}
	if r.read > 1<<20+64<<10 {
		t.Errorf("read %d bytes of a 100 MB body, want about 1 MB", r.read)
	}
}

type countingReader struct {
	left, read int64
	started    bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if !c.started {
		c.started = true
		n := copy(p, "<a>")
		c.read += int64(n)
		return n, nil
	}
	if c.left <= 0 {
		return 0, nil
	}
	n := len(p)
	if int64(n) > c.left {
		n = int(c.left)
	}
	for i := range p[:n] {
		p[i] = 'x'
	}
	c.left -= int64(n)
	c.read += int64(n)
	return n, nil
}

func TestAttrPairs(t *testing.T) {
	t.Parallel()
	a := &Node{Attrs: []Attr{{Name: Name{Local: "b"}, Value: "1"}, {Name: Name{Local: "a"}, Value: "x"}}}
	b := &Node{Attrs: []Attr{{Name: Name{Local: "a"}, Value: "y"}, {Name: Name{Local: "c"}, Value: "2"}}}
	got := AttrPairs(a, b)
	want := []AttrPair{
		{Name: Name{Local: "a"}, A: "x", B: "y", InA: true, InB: true},
		{Name: Name{Local: "b"}, A: "1", InA: true},
		{Name: Name{Local: "c"}, B: "2", InB: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMoveNamespace(t *testing.T) {
	t.Parallel()
	n, err := ParseBytes([]byte(`<a xmlns="urn:old" xmlns:o="urn:other"><b o:at="1"><o:c/><d/></b></a>`), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	n.MoveNamespace("urn:old", "urn:new")
	var got []string
	n.Walk(func(p string, e *Node) bool { got = append(got, p+"="+e.Name.Space); return true })
	want := "/a=urn:new /a/b=urn:new /a/b/c=urn:other /a/b/d=urn:new"
	if strings.Join(got, " ") != want {
		t.Errorf("after the move: %v", got)
	}
	if at := n.Child("b").Attrs[0].Name.Space; at != "urn:other" {
		t.Errorf("an attribute moved to %q", at)
	}
}
