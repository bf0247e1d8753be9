package pubservices

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// BenchmarkLineItemDetails measures one lineitemdetails exchange in
// process (no network): with Basic credentials, with a personal access
// token while the emulator holds MaxTokens of them (the worst case of the
// constant-time check), and the request's parse and schema validation
// alone, so the share of each shows side by side in one run.
func BenchmarkLineItemDetails(b *testing.B) {
	st := newStore(b)
	h := newHandler(b, st, nil)
	var tok string
	for i := range MaxTokens {
		t, err := h.IssueToken(fmt.Sprint("user", i))
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			tok = t // the first is compared like every other one
		}
	}
	body := doc(el("ActivationId", firstItem(b, st).ActivationID))
	run := func(b *testing.B, auth string) {
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, Prefix+APILineItemDetails, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/xml")
			r.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	}
	b.Run("basic", func(b *testing.B) { run(b, resttest.Basic(testUser, testPassword)) })
	b.Run("pat-1024-held", func(b *testing.B) { run(b, "Bearer "+tok) })
	b.Run("parse-and-validate-only", func(b *testing.B) {
		b.ReportAllocs()
		data := []byte(body)
		for b.Loop() {
			if _, err := xmltree.ParseBytes(data, xmltree.Limits{MaxDepth: maxDepth}); err != nil {
				b.Fatal(err)
			}
			if fs, err := h.schemas[APILineItemDetails].ValidatePayload(data); err != nil || len(fs) > 0 {
				b.Fatal(err, fs)
			}
		}
	})
}
