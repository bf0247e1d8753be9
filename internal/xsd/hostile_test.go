package xsd

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>`

const xxe = `<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<r>&x;</r>`

func nested(depth int) []byte {
	var b bytes.Buffer
	b.Grow(depth * 8)
	for range depth {
		b.WriteString("<a>")
	}
	for range depth {
		b.WriteString("</a>")
	}
	return b.Bytes()
}

// Each hostile payload gets its finding, opens no file and costs bounded
// memory. The 100 MB body is refused by size before libxml2 sees it; the
// others are refused by libxml2 early (DOCTYPE at its first SAX event,
// depth at the first element too deep).
func TestHostilePayloads(t *testing.T) {
	s := mustCompile(t, "testdata/devices/devices.xsd", WithLimits(Limits{MaxBytes: 16 << 20}))
	huge := bytes.Repeat([]byte("<a>xxxxxxxx</a>"), 100<<20/15)
	cases := []struct {
		name string
		doc  []byte
		rule string
	}{
		{"billion laughs", []byte(billionLaughs), contract.RuleXMLDTDForbidden},
		{"xxe", []byte(xxe), contract.RuleXMLDTDForbidden},
		// A DOCTYPE inside the Body is not even well-formed.
		{"xxe in envelope", []byte(envelope("s", `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`)), contract.RuleXMLMalformed},
		{"entity before envelope", []byte(`<!DOCTYPE e [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + envelope("s", `<r>&x;</r>`)[len(`<?xml version="1.0" encoding="UTF-8"?>`)+1:]), contract.RuleXMLDTDForbidden},
		{"external dtd", []byte(`<!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><r/>`), contract.RuleXMLDTDForbidden},
		{"100 MB body", huge, contract.RuleXMLTooLarge},
		{"invalid utf-8", []byte("<a>\xc3\x28\xff</a>"), contract.RuleXMLMalformed},
		{"10000 deep", nested(10000), contract.RuleXMLTooDeep},
		{"malformed", []byte(`<a><b></a>`), contract.RuleXMLMalformed},
		{"unterminated", []byte(`<a`), contract.RuleXMLMalformed},
		{"binary", []byte{0, 1, 2, 3, 0xff}, contract.RuleXMLMalformed},
	}
	opened := loaderStats.opened.Load()
	for _, c := range cases {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for _, validate := range []func([]byte) (contract.Findings, error){s.ValidatePayload, s.ValidateEnvelope, s.Validate} {
			fs, err := validate(c.doc)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if len(fs) != 1 || fs[0].Rule != c.rule {
				t.Errorf("%s: findings %v, want one %s", c.name, fs, c.rule)
			}
			for _, f := range fs {
				if strings.Contains(f.Message, "root:") || strings.Contains(f.Message, "lol") {
					t.Errorf("%s: finding quotes the payload: %s", c.name, f)
				}
			}
		}
		runtime.ReadMemStats(&after)
		// Go-side allocation per hostile document stays small: nothing is
		// copied, expanded or decoded on the Go side.
		if grew := int64(after.TotalAlloc - before.TotalAlloc); grew > 1<<20 {
			t.Errorf("%s: validating allocated %d bytes on the Go heap", c.name, grew)
		}
	}
	if n := loaderStats.opened.Load() - opened; n != 0 {
		t.Errorf("the entity loader opened %d files during payload validation", n)
	}
}

// With DTD loading and entity substitution forced on, the loader still
// refuses /etc/passwd (and records the refusal); nothing of the file gets
// into the document.
func TestEntityLoaderRefusesOutsideCompile(t *testing.T) {
	t.Parallel()
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil || len(passwd) == 0 {
		t.Skip("no /etc/passwd to prove anything with")
	}
	first, _, _ := strings.Cut(string(passwd), ":")
	refused := loaderStats.refused.Load()
	text, _ := parseWithEntitiesForTest([]byte(xxe))
	if strings.Contains(text, first+":") {
		t.Fatalf("libxml2 read /etc/passwd through the entity: %q", text)
	}
	if loaderStats.refused.Load() == refused {
		t.Error("the loader recorded no refusal for file:///etc/passwd")
	}
	found := false
	loaderStats.mu.Lock()
	for _, u := range loaderStats.last {
		found = found || strings.Contains(u, "/etc/passwd")
	}
	loaderStats.mu.Unlock()
	if !found {
		t.Error("the refused URL was not recorded")
	}

	// An external DTD over the network: refused too, no hang.
	refused = loaderStats.refused.Load()
	parseWithEntitiesForTest([]byte(`<!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><r/>`))
	if loaderStats.refused.Load() == refused {
		t.Error("the loader did not refuse an http DTD")
	}
}

// The depth limit is configurable.
func TestMaxDepth(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/devices/devices.xsd", WithLimits(Limits{MaxDepth: 3}))
	fs, _ := s.ValidatePayload([]byte(devicesDoc("SUCCESS", device{id: "ABC-1234", status: "SUCCESS"})))
	if len(fs) != 1 || fs[0].Rule != contract.RuleXMLTooDeep {
		t.Errorf("4 levels with MaxDepth 3: %v", fs)
	}
	fs, _ = s.ValidatePayload([]byte(devicesDoc("SUCCESS")))
	if len(fs) != 0 {
		t.Errorf("3 levels with MaxDepth 3: %v", fs)
	}
}
