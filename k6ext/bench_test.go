package fno

import (
	"os"
	"testing"

	"github.com/grafana/sobek"
)

// The client-side cost of call() per request, against a server that
// answers a canned searchDevices response (so the server's cost is
// nearly nothing), beside plain k6/http posting a prebuilt envelope to the
// same server: the difference is what the extension adds on the client.
// The end-to-end ratio against the emulator is k6ext/bench/run.sh's.
//
//	go test -run '^$' -bench . -benchmem ./k6ext/
func benchServer(b *testing.B, file string) string {
	b.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	return serveBody(b, "text/xml; charset=utf-8", string(body))
}

// benchEnvelope is the searchDevices request call() builds for benchReq.
const benchEnvelope = `
	const env = '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
		'xmlns:urn="urn:v7.fne.webservices.operations.flexnet.com"><soapenv:Body><urn:searchDevicesRequest><urn:responseConfig>' +
		'<urn:name>true</urn:name><urn:status>true</urn:status></urn:responseConfig><urn:pageNumber>1</urn:pageNumber>' +
		'<urn:batchSize>50</urn:batchSize></urn:searchDevicesRequest></soapenv:Body></soapenv:Envelope>';`

// BenchmarkCallPage50 checks the status only: the payload is never
// decoded.
func BenchmarkCallPage50(b *testing.B) {
	benchCall(b, "")
}

// BenchmarkCallPage50Payload reads the payload too, as a script that
// looks at the devices does.
func BenchmarkCallPage50Payload(b *testing.B) {
	benchCall(b, "if (r.payload.devices.device.length !== 50) throw new Error('devices');")
}

func benchCall(b *testing.B, more string) {
	url := benchServer(b, "testdata/searchDevices-v7-50.xml")
	v := newVU(b, url, basicClient+`
		const req = {responseConfig: {name: true, status: true}, pageNumber: 1, batchSize: 50};
		function once() { const r = client.call('ManageDeviceService', 'searchDevices', req); if (r.status !== 'SUCCESS') throw new Error(r.error); `+more+` }`, vuConfig{})
	benchLoop(b, v, "once()")
}

func BenchmarkPlainHTTPPage50(b *testing.B) {
	url := benchServer(b, "testdata/searchDevices-v7-50.xml")
	v := newVU(b, url, benchEnvelope+`
		const params = {headers: {'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""', Authorization: 'Basic YWRtaW46YWRtaW4='}};
		const url = BASE + '/flexnet/services/v7/ManageDeviceService';
		function once() { const r = http.post(url, env, params); if (r.status !== 200) throw new Error(r.error); }`, vuConfig{http: true})
	benchLoop(b, v, "once()")
}

// benchLoop runs js once per iteration as a compiled function, draining
// the samples meanwhile.
func benchLoop(b *testing.B, v *vuEnv, js string) {
	b.Helper()
	rt := v.rt.VU.Runtime()
	prog, err := rt.RunString(`(function () { ` + js + ` })`)
	if err != nil {
		b.Fatal(err)
	}
	fn, ok := sobek.AssertFunction(prog)
	if !ok {
		b.Fatal("not a function")
	}
	done := make(chan struct{})
	go func() { // keep the samples channel from filling up
		for {
			select {
			case <-v.samples:
			case <-done:
				return
			}
		}
	}()
	defer close(done)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fn(sobek.Undefined()); err != nil {
			b.Fatal(err)
		}
	}
}
