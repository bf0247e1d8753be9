package producer

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// BenchmarkEntitlementID is one generateEntitlementID round trip to the
// reference producer over loopback: build, send, parse, check.
func BenchmarkEntitlementID(b *testing.B) {
	ref, err := NewReference(ReferenceConfig{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(ref)
	defer srv.Close()
	c, err := New(Config{IDGeneratorURL: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	e := state.Entitlement{ShipToEmail: "buyer@example.com", State: state.Deployed}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.EntitlementID(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckAnswer is what the client does with a licence generator's
// answer once read: parse the envelope and check the payload against the
// contract (conform). Compare with BenchmarkCheckAnswerLibxml2, run side
// by side.
func BenchmarkCheckAnswer(b *testing.B) {
	p, body := licenceAnswer(b)
	o, _ := p.Version().Operation(OpLicense)
	d, _ := p.Model().Element(o.Output.Space, o.Output.Local)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := soap.Parse(bytes.NewReader(body), xmltree.Limits{MaxBytes: DefaultMaxBody})
		if err != nil {
			b.Fatal(err)
		}
		if why := conform(p.Model(), d, resp.Payload); why != "" {
			b.Fatal(why)
		}
	}
}

// BenchmarkConform is the structural check alone, on a parsed answer.
func BenchmarkConform(b *testing.B) {
	p, body := licenceAnswer(b)
	o, _ := p.Version().Operation(OpLicense)
	d, _ := p.Model().Element(o.Output.Space, o.Output.Local)
	resp, err := soap.Parse(bytes.NewReader(body), xmltree.Limits{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if why := conform(p.Model(), d, resp.Payload); why != "" {
			b.Fatal(why)
		}
	}
}

// BenchmarkCheckAnswerLibxml2 validates the same answer with libxml2
// (internal/xsd), which the emulator does not link.
func BenchmarkCheckAnswerLibxml2(b *testing.B) {
	_, body := licenceAnswer(b)
	s := compile(b, LicenseGenerator)
	b.ReportAllocs()
	for b.Loop() {
		f, err := s.ValidateEnvelope(body)
		if err != nil || len(f) > 0 {
			b.Fatal(err, f)
		}
	}
}

// licenceAnswer is the reference's answer to generateLicense.
func licenceAnswer(b *testing.B) (*project.Projector, []byte) {
	p, err := project.For(LicenseGenerator, contract.Base)
	if err != nil {
		b.Fatal(err)
	}
	ref, err := NewReference(ReferenceConfig{})
	if err != nil {
		b.Fatal(err)
	}
	out, err := p.Response(OpLicense, ref.answer(OpLicense, nil))
	if err != nil {
		b.Fatal(err)
	}
	body, err := encode(soap.Envelope(out, soap.Credentials{}), p.Version().Namespace)
	if err != nil {
		b.Fatal(err)
	}
	return p, body
}
