package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fnokit/fnokit/internal/soap"
)

// BenchmarkServeSOAP is the server's own cost per call (parse, auth,
// routing, projection, envelope), without the network and with a trivial
// handler.
func BenchmarkServeSOAP(b *testing.B) {
	ts := newTestServer(b, nil, nil)
	ts.http.Close()
	body, err := soap.Marshal(v7, `<urn:countDevicesRequest><urn:queryParams><urn:deviceId><urn:value>ab12</urn:value><urn:searchType>STARTS_WITH</urn:searchType></urn:deviceId></urn:queryParams></urn:countDevicesRequest>`, soap.Credentials{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, v7.Endpoint(), bytes.NewReader(body))
		req.SetBasicAuth(testUser, testPassword)
		w := httptest.NewRecorder()
		ts.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}
