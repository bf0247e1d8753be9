package registry_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/registry"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
)

func (e *env) secret(bearer string) string {
	e.t.Helper()
	x := e.get(bearer, registry.PathSecret)
	if ct := x.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		e.t.Errorf("GET /secret Content-Type %q, want text/plain (REG-9)", ct)
	}
	s, err := base64.StdEncoding.DecodeString(string(x.Body))
	if err != nil {
		e.t.Fatalf("GET /secret is not Base64: %v", err)
	}
	return string(s)
}

func (e *env) putSecret(bearer string, body any) exchange {
	e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.checked(req{method: http.MethodPut, path: registry.PathSecret, auth: bearer, ctype: "application/json", body: b})
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestSecretRules: a new secret needs at least 8 characters, an uppercase
// letter, a lowercase letter and a digit (seed 3155-3163). One that breaks
// a rule gets 400 and the current secret stays; the contract's pattern
// (REG-7) agrees with the emulator on every case.
func TestSecretRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	if p := registry.SecretProblems(e.secret(bearer)); len(p) > 0 {
		t.Fatalf("the initial secret breaks the rules: %v", p)
	}
	cases := []struct {
		name, next string
		ok         bool
		reason     string
	}{
		{"seed sample", "N3wSecret", true, ""},
		{"exactly 8", "Abcdefg1", true, ""},
		{"with space and symbols", "Pass word 1 !", true, ""},
		{"non-ASCII besides the classes", "Ünïcödé1aB", true, ""},
		{"256 characters", "Aa1" + strings.Repeat("x", 253), true, ""},
		{"7 characters", "Abcdef1", false, "shorter than 8"},
		{"contract sample too short", "Sh0rt", false, "shorter than 8"},
		{"no uppercase", "alllowercase1", false, "no uppercase"},
		{"only non-ASCII uppercase", "Ébcdefg1", false, "no uppercase"},
		{"no lowercase", "ALLUPPER1", false, "no lowercase"},
		{"no digit", "NoDigitsHere", false, "no digit"},
		{"only digits", "1234567890", false, "no uppercase letter, no lowercase letter"},
		{"line break", "Abcdefg1\nxyz", false, "line break"},
		{"257 characters", "Aa1" + strings.Repeat("x", 254), false, "longer than 256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.secret(bearer)
			body := map[string]string{"existing-secret": b64(before), "new-secret": c.next}
			x := e.putSecret(bearer, body)
			after := e.secret(bearer)
			switch {
			case c.ok && x.Status != http.StatusOK:
				t.Fatalf("status %d, want 200: %s", x.Status, x.Body)
			case c.ok && (after != c.next || string(x.Body) != b64(c.next)):
				t.Errorf("after the change the secret is not the new one (answer %q)", x.Body)
			case !c.ok && x.Status != http.StatusBadRequest:
				t.Fatalf("status %d, want 400: %s", x.Status, x.Body)
			case !c.ok:
				if after != before {
					t.Error("a refused secret replaced the current one")
				}
				msg := errorMessage(t, x)
				if !strings.Contains(msg, c.reason) || strings.Contains(msg, c.next) {
					t.Errorf("message %q: want %q and no echo of the secret", msg, c.reason)
				}
			}
			// The contract judges the same request the same way.
			data, _ := json.Marshal(body)
			hr := httptest.NewRequest(http.MethodPut, registry.PathSecret, bytes.NewReader(data))
			hr.Header.Set("Content-Type", "application/json")
			hr.Header.Set("Authorization", bearer)
			fs, err := e.v.ValidateRequest(hr)
			if err != nil {
				t.Fatal(err)
			}
			if refused := len(fs) > 0; refused == c.ok {
				t.Errorf("registry.yaml findings %v, emulator accepts: %v", fs, c.ok)
			}
		})
	}
}

// A blank or absent new-secret makes the registry generate one that meets
// the rules (seed 3211-3212).
func TestSecretGenerated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	for _, body := range []func(cur string) any{
		func(cur string) any { return map[string]string{"existing-secret": b64(cur), "new-secret": ""} },
		func(cur string) any { return map[string]string{"existing-secret": b64(cur)} },
	} {
		before := e.secret(bearer)
		x := e.putSecret(bearer, body(before))
		if x.Status != http.StatusOK {
			t.Fatalf("status %d: %s", x.Status, x.Body)
		}
		after := e.secret(bearer)
		if after == before || string(x.Body) != b64(after) {
			t.Errorf("no new secret generated (answer %q)", x.Body)
		}
		if p := registry.SecretProblems(after); len(p) > 0 {
			t.Errorf("the generated secret breaks the rules: %v", p)
		}
	}
}

// Refusals other than the rules: each 400, the secret unchanged, nothing
// echoed.
func TestSecretRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	cur := e.secret(bearer)
	const canary = "C4n4ryX9z"
	cases := []struct {
		name   string
		body   any
		reason string
	}{
		{"wrong existing secret", map[string]string{"existing-secret": b64(canary), "new-secret": "N3wSecret"}, "not the current"},
		{"existing secret not Base64", map[string]string{"existing-secret": canary + "!", "new-secret": "N3wSecret"}, "not Base64"},
		{"existing secret with a line break", map[string]string{"existing-secret": b64(cur)[:4] + "\n" + b64(cur)[4:], "new-secret": "N3wSecret"}, "not Base64"},
		{"existing secret plain", map[string]string{"existing-secret": cur, "new-secret": "N3wSecret"}, "existing-secret"},
		{"existing secret missing", map[string]string{"new-secret": "N3wSecret", "secret": b64(cur)}, "existing-secret"},
		{"existing secret a number", map[string]any{"existing-secret": 12345678}, "must be a string"},
		{"new secret a number", map[string]any{"existing-secret": b64(cur), "new-secret": 12345678}, "must be a string"},
		{"new secret null", map[string]any{"existing-secret": b64(cur), "new-secret": nil}, "must be a string"},
		{"unknown property", map[string]any{"existing-secret": b64(cur), canary: "x"}, "property other than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := e.putSecret(bearer, c.body)
			if x.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", x.Status, x.Body)
			}
			if msg := errorMessage(t, x); !strings.Contains(msg, c.reason) {
				t.Errorf("message %q does not say %q", msg, c.reason)
			}
			if bytes.Contains(x.Body, []byte(canary)) || bytes.Contains(x.Body, []byte(cur)) {
				t.Errorf("the answer echoes a value: %s", x.Body)
			}
			if e.secret(bearer) != cur {
				t.Error("a refused change replaced the secret")
			}
		})
	}
}

// Secrets are per user: changing one's leaves another's alone.
func TestSecretPerUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *registry.Config) {
		c.Auth = func(u, p string) bool { return p == testPassword && (u == testUser || u == "other@example.com") }
	})
	a := e.token()
	x := e.checked(req{method: http.MethodGet, path: registry.PathAuthenticate, auth: resttest.Basic("other@example.com", testPassword)})
	b := "Bearer " + resttest.Decode[map[string]string](t, x)["token"]
	sa, sb := e.secret(a), e.secret(b)
	if sa == sb {
		t.Fatal("two users start with the same secret")
	}
	if x := e.putSecret(a, map[string]string{"existing-secret": b64(sa), "new-secret": "N3wSecret"}); x.Status != 200 {
		t.Fatalf("change: %d %s", x.Status, x.Body)
	}
	if e.secret(b) != sb {
		t.Error("changing one user's secret changed another's")
	}
	// Another user's secret is not the caller's current one.
	if x := e.putSecret(b, map[string]string{"existing-secret": b64("N3wSecret"), "new-secret": "Other1Secret"}); x.Status != 400 {
		t.Errorf("user b changed their secret with user a's: %d", x.Status)
	}
}

// FuzzPutSecret: whatever the body, PUT /secret answers 200 or 400, and
// only accepts a new secret that meets the rules. The rules are checked
// before the existing secret, so inputs after the first accepted change
// (whose existing secret is then stale) still reach them.
func FuzzPutSecret(f *testing.F) {
	e := newEnv(f, nil)
	bearer := e.token()
	cur := b64(e.secret(bearer))
	for _, s := range []string{
		`{"existing-secret":"` + cur + `","new-secret":"N3wSecret"}`,
		`{"existing-secret":"` + cur + `","new-secret":"short"}`,
		`{"existing-secret":"` + cur + `"}`,
		`{"existing-secret":"` + cur + `","new-secret":"Ab1\u2028xxxxx"}`,
		`{"existing-secret":"` + cur + `","new-secret":null}`,
		`[]`, `{`, `"x"`, `{"existing-secret":"====","new-secret":"N3wSecret"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPut, registry.PathSecret, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", bearer)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		switch rec.Code {
		case http.StatusBadRequest:
			return
		case http.StatusOK:
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		got, err := base64.StdEncoding.DecodeString(rec.Body.String())
		if err != nil {
			t.Fatalf("200 with a body that is not Base64: %q", rec.Body)
		}
		if p := registry.SecretProblems(string(got)); len(p) > 0 {
			t.Fatalf("accepted a secret that breaks the rules: %v", p)
		}
	})
}
