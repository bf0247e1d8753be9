package soap

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// FuzzParse feeds the envelope parser arbitrary bytes. Beyond not panicking
// it checks what callers rely on: refusals are *Error with a listed rule;
// an accepted message re-encodes to a document that parses to an equal
// tree; a response has a payload or a fault, never both; the status and
// failed records agree with the payload they came from.
//
// The seed corpus is testdata/*.xml plus testdata/fuzz/FuzzParse/.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, p := range files {
		f.Add(readTestdata(f, filepath.Base(p)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data)
		// Most mutations break the envelope; wrapping the input in one as
		// well sends them through the Body, fault, status and failedData
		// handling too.
		wrapped := make([]byte, 0, len(data)+len(envHead)+len(envTail))
		wrapped = append(append(append(wrapped, envHead...), data...), envTail...)
		checkParse(t, wrapped)
	})
}

const (
	envHead = `<s:Envelope xmlns:s="` + NSEnvelope + `"><s:Body>`
	envTail = `</s:Body></s:Envelope>`
)

func checkParse(t *testing.T, data []byte) {
	t.Helper()
	lim := xmltree.Limits{MaxBytes: 1 << 20, MaxDepth: 64}
	resp, err := Parse(bytes.NewReader(data), lim)
	if err != nil {
		var se *Error
		if !errors.As(err, &se) {
			t.Fatalf("error is %T, want *soap.Error: %v", err, err)
		}
		if _, ok := contract.LookupRule(se.Rule); !ok || se.Msg == "" {
			t.Fatalf("refusal with unlisted rule %q or no message", se.Rule)
		}
		if _, ok := AsFinding(err, "x"); !ok {
			t.Fatal("AsFinding refused a parse error")
		}
		return
	}
	if resp.Size != int64(len(data)) {
		t.Fatalf("Size %d, read %d", resp.Size, len(data))
	}
	if (resp.Payload == nil) == (resp.Fault == nil) {
		t.Fatalf("want exactly one of payload and fault, got payload=%v fault=%v", resp.Payload != nil, resp.Fault != nil)
	}
	// Re-encode the whole envelope with fresh prefixes and parse again.
	var buf bytes.Buffer
	if err := resp.Envelope.Encode(&buf, xmltree.EncodeOptions{}); err != nil {
		t.Fatalf("encode: %v", err)
	}
	again, err := Parse(bytes.NewReader(buf.Bytes()), xmltree.Limits{MaxBytes: 8 << 20, MaxDepth: 64})
	if err != nil {
		t.Fatalf("re-encoded envelope refused: %v\n%s", err, buf.Bytes())
	}
	if !xmltree.Equal(resp.Envelope, again.Envelope) {
		t.Fatalf("round trip changed the envelope:\n%s\n---\n%s", xmltree.Canonical(resp.Envelope), xmltree.Canonical(again.Envelope))
	}
	if resp.Payload != nil {
		if !xmltree.Equal(resp.Payload, again.Payload) {
			t.Fatal("round trip changed the payload")
		}
		if (resp.Status == nil) != (again.Status == nil) || len(resp.Failed) != len(again.Failed) {
			t.Fatal("round trip changed status or failed records")
		}
		if resp.Status != nil && string(resp.Status.Status) != resp.Payload.TextOf("statusInfo", "status") {
			t.Fatal("status does not come from the payload")
		}
		for _, r := range resp.Failed {
			found := false
			resp.Payload.Walk(func(p string, n *xmltree.Node) bool {
				found = p == r.Path && n == r.Node
				return !found
			})
			if !found {
				t.Fatalf("failed record path %s does not locate its record", r.Path)
			}
		}
		_ = ToMap(resp.Payload, nil)
	} else {
		a, b := resp.Fault, again.Fault
		if b == nil || a.Code != b.Code || a.String != b.String || a.Actor != b.Actor || (a.Detail == nil) != (b.Detail == nil) ||
			a.Detail != nil && !xmltree.Equal(a.Detail, b.Detail) {
			t.Fatal("round trip changed the fault")
		}
	}
	for _, fd := range resp.Findings("x") {
		if _, ok := contract.LookupRule(fd.Rule); !ok {
			t.Fatalf("finding with unlisted rule %s", fd.Rule)
		}
	}
}
