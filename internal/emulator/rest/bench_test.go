package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/rest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
)

// BenchmarkDeviceSearch compares REST devices with SOAP searchDevices (v7)
// over loopback through one in-process emulator: the same 10,000 devices,
// the same query (deviceId STARTS_WITH the first character of a
// device's ID, which matches several batches) and the same batch size
// (100), no response config. Run it side by side, several rounds, and take
// the median ratio of the two ns/op:
//
//	go test ./internal/emulator/rest -run '^$' -bench DeviceSearch -count 5
func BenchmarkDeviceSearch(b *testing.B) {
	e := start(b, emulator.Config{Seed: 7, Sizes: state.Sizes{Devices: 10000}})
	ds, err := e.Store().Devices(state.DeviceQuery{}, state.Page{Number: 1, Size: 1})
	if err != nil || len(ds) == 0 {
		b.Fatalf("no device: %v", err)
	}
	prefix := ds[0].DeviceID[:1]
	const batch = 100
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

	restBody, _ := json.Marshal(map[string]any{
		"queryParams": map[string]any{"deviceId": map[string]any{"value": prefix, "searchType": "STARTS_WITH"}},
		"batchSize":   batch, "pageNumber": 1})
	restReq := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, e.URL()+rest.PathDevices, bytes.NewReader(restBody))
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(emulator.DefaultUser, emulator.DefaultPassword)
		return req
	}

	search := contract.Operation{Service: "ManageDeviceService", Version: "v7", Name: "searchDevices"}
	proto, err := soap.NewRequest(context.Background(), e.URL(), search,
		`<urn:searchDevicesRequest><urn:queryParams><urn:deviceId><urn:value>`+prefix+`</urn:value><urn:searchType>STARTS_WITH</urn:searchType></urn:deviceId></urn:queryParams>`+
			`<urn:batchSize>100</urn:batchSize><urn:pageNumber>1</urn:pageNumber></urn:searchDevicesRequest>`,
		soap.Basic(emulator.DefaultUser, emulator.DefaultPassword))
	if err != nil {
		b.Fatal(err)
	}
	soapBody, err := io.ReadAll(proto.Body)
	if err != nil {
		b.Fatal(err)
	}
	soapReq := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPost, proto.URL.String(), bytes.NewReader(soapBody))
		req.Header = proto.Header.Clone()
		return req
	}

	// Both answers must hold a full batch, or the comparison is not fair.
	marker := map[string]string{"rest": `"deviceType"`, "soap": "deviceClass>"}
	per := map[string]int{"rest": 1, "soap": 2} // SOAP: opening and closing tag
	for name, mk := range map[string]func() *http.Request{"rest": restReq, "soap": soapReq} {
		resp, err := client.Do(mk())
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || bytes.Count(body, []byte(marker[name])) != per[name]*batch {
			b.Fatalf("%s: status %d, not %d devices in %d bytes", name, resp.StatusCode, batch, len(body))
		}
	}

	for _, c := range []struct {
		name string
		mk   func() *http.Request
	}{{"rest", restReq}, {"soap", soapReq}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetParallelism(2)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Do(c.mk())
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
		})
	}
}
