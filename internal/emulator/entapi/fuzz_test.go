package entapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
)

// FuzzBodies sends arbitrary bodies to every route that reads one: the
// answer is always a JSON object with a 2xx or 4xx status, never a crash
// or a 5xx. The seeds are the contract's request samples.
func FuzzBodies(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*.request.*.json"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"lineItems":[{"product":[{"productName":"a","productVersion":"b"}],"startDate":"2026-02-29","autoGenerate":true}],"autoGenerate":true}`))
	f.Add([]byte(`{"maintenanceLineItems":[{"partNumber":"x","startDate":"2026-01-01","isPermanent":false}]}`))
	e := newEnv(f, 64<<10)
	paths := []struct{ method, path string }{
		{http.MethodPost, entapi.PathEntitlement},
		{http.MethodPatch, entapi.EntitlementPath(e.ent.ID)},
		{http.MethodPost, entapi.LineItemsPath(e.ent.ID)},
		{http.MethodPost, entapi.MaintenanceLineItemsPath(e.ent.ID)},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, p := range paths {
			r := httptest.NewRequest(p.method, p.path, strings.NewReader(string(body)))
			r.Header.Set("Content-Type", "application/json")
			r.SetBasicAuth(testUser, testPassword)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if w.Code >= 500 || w.Code < 200 {
				t.Fatalf("%s %s: status %d: %s", p.method, p.path, w.Code, w.Body)
			}
			var m map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
				t.Fatalf("%s %s: the answer is not a JSON object: %v", p.method, p.path, err)
			}
		}
	})
}
