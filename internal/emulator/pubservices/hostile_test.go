package pubservices

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileBodies: entity tricks, bombs and oversize bodies are refused
// before they cost anything, with no content of theirs in the answer.
func TestHostileBodies(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) { c.MaxBody = 64 << 10 })
	secretFile := filepath.Join(t.TempDir(), "secret.txt")
	const secret = "TOP-SECRET-CONTENT-41"
	if err := os.WriteFile(secretFile, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	ns := `xmlns="` + Namespace + `"`
	laughs := `<?xml version="1.0"?><!DOCTYPE Request [<!ENTITY lol "lol">` +
		`<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
		`<Request ` + ns + `><ActivationId>&lol3;</ActivationId></Request>`
	tests := []struct {
		name, api, body string
		status          int
	}{
		{"external entity (XXE)", APILineItemDetails,
			`<?xml version="1.0"?><!DOCTYPE Request [<!ENTITY xxe SYSTEM "file://` + secretFile + `">]>` +
				`<Request ` + ns + `><ActivationId>&xxe;</ActivationId></Request>`, http.StatusBadRequest},
		{"parameter entity", APIEntitlementDetails,
			`<!DOCTYPE Request [<!ENTITY % p SYSTEM "file://` + secretFile + `"> %p;]><Request ` + ns + `/>`, http.StatusBadRequest},
		{"billion laughs", APIRegisterUser, laughs, http.StatusBadRequest},
		{"undeclared entity", APIMapEntitlement, `<Request ` + ns + `><UserId>&ghost;</UserId><Id>x</Id></Request>`, http.StatusBadRequest},
		{"deep nesting", APIRegisterUser, strings.Repeat("<a>", 2000) + strings.Repeat("</a>", 2000), http.StatusBadRequest},
		{"oversize", APIRegisterUser, doc(el("ActivationId", strings.Repeat("X", 70<<10))), http.StatusRequestEntityTooLarge},
		{"invalid UTF-8", APILineItemDetails, doc("<ActivationId>\xff\xfe</ActivationId>"), http.StatusBadRequest},
		{"processing instruction then garbage", APILineItemDetails, `<?xml version="1.0"?>garbage`, http.StatusBadRequest},
	}
	before := st.Counts()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, h, tt.api, tt.body)
			if a.status != tt.status || a.Status() != statusFailure {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			for _, leak := range []string{secret, "lollol", secretFile, "ghost"} {
				if strings.Contains(string(a.body), leak) {
					t.Errorf("answer quotes the body: %s", a.body)
				}
			}
		})
	}
	if after := st.Counts(); after != before {
		t.Errorf("hostile bodies changed the state")
	}
}

// FuzzServe: whatever the body, the handler answers a Response document
// with a known status, and never panics.
func FuzzServe(f *testing.F) {
	st := newStore(f)
	h := newHandler(f, st, func(c *Config) { c.MaxBody = 8 << 10 })
	it := firstItem(f, st)
	for _, s := range []string{
		doc(el("ActivationId", it.ActivationID)),
		doc(el("ActivationId", it.ActivationID) + el("UserId", "f@example.com") + el("FirstName", "F") + el("LastName", "Z")),
		doc(el("UserId", "f@example.com") + el("Id", it.EntitlementID)),
		`<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>`,
		"", "<", "<Request/>",
	} {
		for i := range APIs {
			f.Add(i, s)
		}
	}
	f.Fuzz(func(t *testing.T, which int, body string) {
		api := APIs[uint(which)%uint(len(APIs))]
		a := post(t, h, api, body)
		switch a.status {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d: %s", a.status, a.body)
		}
		if a.status != http.StatusOK && a.Status() != statusFailure {
			t.Fatalf("refusal without FAILURE: %s", a.body)
		}
	})
}
