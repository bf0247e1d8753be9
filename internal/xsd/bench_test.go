package xsd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/wsdl"
)

// benchDevices is the device count of the benchmark response: about 50 KB.
const benchDevices = 48

func benchSchema(b *testing.B) *Schema {
	b.Helper()
	path := sharedref.WSDL(b, "v3", "ManageDeviceService")
	s := mustCompile(b, path)
	doc := searchDevicesV3(benchDevices)
	fs, err := s.ValidatePayload(doc)
	if err != nil || len(fs) != 0 {
		b.Fatalf("the generated response is not valid: %v %v", fs, err)
	}
	return s
}

// BenchmarkValidateSearchDevices is parse + validate of a ~50 KB
// searchDevicesResponse against the vendor's v3 ManageDevice schema, one
// goroutine: the figure scripts/bench-xsd.sh compares with xmllint.
func BenchmarkValidateSearchDevices(b *testing.B) {
	s := benchSchema(b)
	doc := searchDevicesV3(benchDevices)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if fs, err := s.ValidatePayload(doc); err != nil || len(fs) != 0 {
			b.Fatal(fs, err)
		}
	}
}

// BenchmarkValidateSearchDevicesParallel is the same from GOMAXPROCS
// goroutines sharing one compiled schema.
func BenchmarkValidateSearchDevicesParallel(b *testing.B) {
	s := benchSchema(b)
	doc := searchDevicesV3(benchDevices)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if fs, err := s.ValidatePayload(doc); err != nil || len(fs) != 0 {
				b.Error(fs, err)
				return
			}
		}
	})
}

// BenchmarkValidateEnvelope adds the SOAP envelope around the same payload.
func BenchmarkValidateEnvelope(b *testing.B) {
	s := benchSchema(b)
	doc := []byte(envelope("soapenv", string(searchDevicesV3(benchDevices)[len(`<?xml version="1.0" encoding="UTF-8"?>`)+1:])))
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if fs, err := s.ValidateEnvelope(doc); err != nil || len(fs) != 0 {
			b.Fatal(fs, err)
		}
	}
}

// BenchmarkCompileManageDeviceV3 is the one-off compile cost.
func BenchmarkCompileManageDeviceV3(b *testing.B) {
	path := sharedref.WSDL(b, "v3", "ManageDeviceService")
	for b.Loop() {
		s, err := CompileFile(path)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// TestWriteBenchFixtures writes the benchmark's schema (extracted from the v3
// WSDL with our wsdl package) and response to $FNOKIT_XSD_BENCH_OUT, for
// scripts/bench-xsd.sh to hand to xmllint. It does nothing otherwise.
func TestWriteBenchFixtures(t *testing.T) {
	out := os.Getenv("FNOKIT_XSD_BENCH_OUT")
	if out == "" {
		t.Skip("FNOKIT_XSD_BENCH_OUT not set (used by scripts/bench-xsd.sh)")
	}
	defs, err := wsdl.ParseFile(sharedref.WSDL(t, "v3", "ManageDeviceService"))
	if err != nil {
		t.Fatal(err)
	}
	if len(defs.Schemas) != 1 {
		t.Fatalf("v3 ManageDevice has %d inline schemas, the script expects 1", len(defs.Schemas))
	}
	if err := os.WriteFile(filepath.Join(out, "ManageDeviceService-v3.xsd"), defs.Schemas[0].Source, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "searchDevicesResponse.xml"), searchDevicesV3(benchDevices), 0o644); err != nil {
		t.Fatal(err)
	}
}
