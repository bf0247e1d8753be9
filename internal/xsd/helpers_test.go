package xsd

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

const (
	nsDevices = "urn:fnokit:test:devices"
	nsCommon  = "urn:fnokit:test:common"
)

func mustCompile(tb testing.TB, path string, opts ...Option) *Schema {
	tb.Helper()
	s, err := CompileFile(path, opts...)
	if err != nil {
		tb.Fatalf("CompileFile(%s): %v", path, err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// device is one deviceQueryResponse of the test devices schema.
type device struct {
	id, status, count, alias, served string
	extra                            string // raw XML appended inside
}

// devicesDoc builds a searchDevicesResponse of the test devices schema.
func devicesDoc(status string, devs ...device) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<d:searchDevicesResponse xmlns:d="%s" xmlns:c="%s">`, nsDevices, nsCommon)
	fmt.Fprintf(&b, "\n <d:statusInfo><c:status>%s</c:status></d:statusInfo>", status)
	if len(devs) > 0 {
		b.WriteString("\n <d:responseData>")
		for _, d := range devs {
			b.WriteString("\n  <d:deviceQueryResponse")
			if d.served != "" {
				fmt.Fprintf(&b, ` served="%s"`, d.served)
			}
			fmt.Fprintf(&b, "><d:deviceId>%s</d:deviceId><d:status>%s</d:status>", d.id, d.status)
			if d.count != "" {
				fmt.Fprintf(&b, "<d:count>%s</d:count>", d.count)
			}
			if d.alias != "" {
				fmt.Fprintf(&b, "<d:alias>%s</d:alias>", d.alias)
			}
			b.WriteString(d.extra)
			b.WriteString("</d:deviceQueryResponse>")
		}
		b.WriteString("\n </d:responseData>")
	}
	b.WriteString("\n</d:searchDevicesResponse>\n")
	return b.String()
}

func envelope(prefix, body string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<%[1]s:Envelope xmlns:%[1]s="http://schemas.xmlsoap.org/soap/envelope/"><%[1]s:Header/><%[1]s:Body>
%[2]s</%[1]s:Body></%[1]s:Envelope>`, prefix, body)
}

// ruleLocs renders findings as "rule@location" for comparison.
func ruleLocs(fs contract.Findings) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Rule + "@" + f.Location
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// searchDevicesV3 generates a searchDevicesResponse of ManageDevice v3 with
// n devices, valid against the vendor's v3 WSDL. About 1 KB per device.
func searchDevicesV3(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<searchDevicesResponse xmlns="urn:v3.fne.webservices.operations.flexnet.com">` + "\n")
	b.WriteString("  <statusInfo><status>SUCCESS</status></statusInfo>\n  <devices>\n")
	for i := range n {
		fmt.Fprintf(&b, `    <device>
      <deviceId><id>00:1A:2B:3C:%02X:%02X</id><idType>ETHERNET</idType><publisherName>demo</publisherName><deviceClass>SERVER</deviceClass></deviceId>
      <name>license-server-%03d</name>
      <description>Floating licence server %d of the build farm</description>
      <hostTypeName>FLX_SERVER</hostTypeName>
      <status>ACTIVE</status>
      <servedStatus>NORMAL</servedStatus>
      <hosted>false</hosted>
      <soldTo><displayName>Acme Corp %d</displayName><id>ACME-%04d</id><name>acme%d</name></soldTo>
      <hasBufferLicense>false</hasBufferLicense>
      <publisherIdName>demo</publisherIdName>
      <machineType>PHYSICAL</machineType>
      <lastModified>2025-03-%02dT10:15:30.000Z</lastModified>
      <addon>
        <activationId>ACT-%06d</activationId>
        <entitlementId>ENT-%06d</entitlementId>
        <requestedCopies>%d</requestedCopies>
        <consumedCopies>%d</consumedCopies>
        <licenseState>LICENSE_GENERATED</licenseState>
        <partNumber>PN-%04d</partNumber>
        <licenseExpirationDate>2026-12-31</licenseExpirationDate>
        <licensePermanent>false</licensePermanent>
      </addon>
      <hasUpdates>false</hasUpdates>
    </device>
`, i/256, i%256, i, i, i, i, i, i%28+1, i, i, 10+i%5, i%10, i)
	}
	b.WriteString("  </devices>\n</searchDevicesResponse>\n")
	return b.Bytes()
}
