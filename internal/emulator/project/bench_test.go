package project

import (
	"strconv"
	"testing"

	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// benchDevices is a searchDevices content of n devices as a handler
// returns it: every field a full device has in some version, plus keys the
// version drops.
func benchDevices(n int) map[string]any {
	devs := make([]any, n)
	for i := range devs {
		id := "DEV-" + strconv.Itoa(i)
		devs[i] = map[string]any{
			"deviceId":         map[string]any{"id": id, "idType": "STRING", "publisherName": "demo", "deviceClass": "CLIENT"},
			"name":             "device " + id,
			"description":      "benchmark device",
			"hostTypeName":     "FLX_CLIENT",
			"status":           "ACTIVE",
			"servedStatus":     "SERVED",
			"hosted":           "false",
			"soldTo":           map[string]any{"id": "ACME", "name": "Acme Corp"},
			"hasBufferLicense": "false",
			"publisherIdName":  "demo",
			"machineType":      "PHYSICAL",
			"lastModified":     "2024-01-31T12:00:00.000Z",
			"lastSyncTime":     "2024-01-31T12:00:00.000Z",
			"addon": []any{
				map[string]any{"activationId": "83a2-9824-c72b-488t-bbde-9bbb-fce3-1344", "entitlementId": "ENT-1",
					"requestedCopies": "1", "consumedCopies": "1", "licenseState": "LICENSE_GENERATED", "partNumber": "PN-1"},
			},
			"hasUpdates":     "false",
			"siteName":       "Site A",
			"soldToAcctId":   "ACME",    // some versions only
			"notInAnyScheme": "dropped", // a key no version declares
		}
	}
	return map[string]any{
		"statusInfo": map[string]any{"status": "SUCCESS"},
		"devices":    map[string]any{"device": devs},
	}
}

// BenchmarkResponseSearchDevices100 projects a 100-device searchDevices
// response for ManageDeviceService v7.
func BenchmarkResponseSearchDevices100(b *testing.B) {
	p := mustFor(b, "ManageDeviceService", "v7")
	content := benchDevices(100)
	if _, err := p.Response("searchDevices", content); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Response("searchDevices", content); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFromValueSearchDevices100 is the reference: the generic
// model-driven codec on the same content, pruned beforehand (FromValue
// refuses undeclared keys).
func BenchmarkFromValueSearchDevices100(b *testing.B) {
	p := mustFor(b, "ManageDeviceService", "v7")
	content := benchDevices(100)
	for _, d := range content["devices"].(map[string]any)["device"].([]any) {
		delete(d.(map[string]any), "soldToAcctId")
		delete(d.(map[string]any), "notInAnyScheme")
	}
	o, _ := p.Version().Operation("searchDevices")
	name := xmltree.Name{Space: o.Output.Space, Local: o.Output.Local}
	if _, err := soap.FromValue(name, content, p.Model()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := soap.FromValue(name, content, p.Model()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRequestSearchDevices maps a searchDevices request with a query
// and a response config.
func BenchmarkRequestSearchDevices(b *testing.B) {
	p := mustFor(b, "ManageDeviceService", "v7")
	ns := p.Version().Namespace
	q := func(local string, kids ...*xmltree.Node) *xmltree.Node {
		return &xmltree.Node{Name: xmltree.Name{Space: ns, Local: local}, Children: kids}
	}
	leaf := func(local, text string) *xmltree.Node {
		return &xmltree.Node{Name: xmltree.Name{Space: ns, Local: local}, Text: text}
	}
	req := q("searchDevicesRequest",
		q("queryParams", q("deviceId", leaf("value", "DEV-1"), leaf("searchType", "STARTS_WITH"))),
		q("responseConfig", leaf("name", "true"), leaf("status", "true"), leaf("soldTo", "true")),
		leaf("pageNumber", "1"), leaf("batchSize", "100"))
	if _, err := p.Request(req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Request(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFor is the cached lookup every request makes.
func BenchmarkFor(b *testing.B) {
	mustFor(b, "ManageDeviceService", "v7")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := For("ManageDeviceService", "v7"); err != nil {
			b.Fatal(err)
		}
	}
}
