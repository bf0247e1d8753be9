package dataaccess_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/dataaccess"
	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

var tinySizes = state.Sizes{Accounts: 3, Users: 10, Products: 2, Entitlements: 5, Devices: 20, Fulfillments: 5}

// withAuth sends GET report-names with an Authorization header ("" none).
func (f *fixture) withAuth(t testing.TB, auth string) exchange {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+dataaccess.PathReportNames, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return resttest.Send(t, nil, req)
}

// message returns the message of an error body.
func message(t testing.TB, x exchange) string {
	t.Helper()
	var m struct {
		Status  int
		Message string
	}
	if err := json.Unmarshal(x.Body, &m); err != nil {
		t.Fatalf("error body is not JSON: %s", x.Body)
	}
	if m.Status != x.Status {
		t.Errorf("body status %d, HTTP status %d", m.Status, x.Status)
	}
	return m.Message
}

// A token is valid for 60 minutes by the emulator's clock; then it is a
// 401 that says it expired and to authenticate again.
func TestTokenExpires(t *testing.T) {
	t.Parallel()
	f := newFixture(t, tinySizes)
	v := validator(t)
	tok := f.authenticate(t, http.MethodGet)
	f.clk.Advance(59 * time.Minute)
	if x := f.withAuth(t, "Bearer "+tok); x.Status != http.StatusOK {
		t.Fatalf("after 59 minutes: status %d: %s", x.Status, x.Body)
	}
	f.clk.Advance(2 * time.Minute)
	x := f.withAuth(t, "Bearer "+tok)
	if x.Status != http.StatusUnauthorized {
		t.Fatalf("after 61 minutes: status %d, want 401", x.Status)
	}
	validate(t, v, x)
	msg := message(t, x)
	if !strings.Contains(msg, "expired") || !strings.Contains(msg, "authenticate again") {
		t.Errorf("message %q does not say the token expired and to authenticate again", msg)
	}
	noEcho(t, x, tok)
	// A new token works.
	if x := f.withAuth(t, "Bearer "+f.authenticate(t, http.MethodPost)); x.Status != http.StatusOK {
		t.Errorf("a new token (POST authenticate): status %d", x.Status)
	}
}

// noEcho fails when a secret appears in an answer's body or headers.
func noEcho(t testing.TB, x exchange, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(string(x.Body), s) {
			t.Errorf("the answer body echoes a secret")
		}
		for k, vs := range x.Header {
			for _, v := range vs {
				if strings.Contains(v, s) {
					t.Errorf("header %s echoes a secret", k)
				}
			}
		}
	}
}

// Forged, malformed and foreign tokens are 401s that say the token is not
// valid, and never echo it.
func TestForgedTokens(t *testing.T) {
	t.Parallel()
	f := newFixture(t, tinySizes)
	v := validator(t)
	tok := f.token
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token is not a compact JWS")
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	other := func(key []byte, aud string) string {
		tk, _, err := restkit.NewTokens(key, "fnokit-emulator", f.clk.Now).Issue(testUser, aud, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	// A payload that claims another subject and a late expiry, re-encoded
	// under the original signature.
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	claims["exp"] = f.clk.Now().Add(100 * time.Hour).Unix()
	longer, _ := json.Marshal(claims)
	cases := map[string]string{
		"signature byte flipped": parts[0] + "." + parts[1] + "." + flip(parts[2], 5),
		"last signature byte":    parts[0] + "." + parts[1] + "." + flip(parts[2], len(parts[2])-1),
		"payload changed":        parts[0] + "." + b64(string(longer)) + "." + parts[2],
		"alg none":               b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + ".",
		"alg none, signature":    b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + "." + parts[2],
		"alg HS512":              b64(`{"alg":"HS512","typ":"JWT"}`) + "." + parts[1] + "." + parts[2],
		"other audience":         other(restkit.KeyFromSeed(testSeed, "data-access"), "registry"),
		"other API's key":        other(restkit.KeyFromSeed(testSeed, "registry"), dataaccess.Audience),
		"other seed":             other(restkit.KeyFromSeed(testSeed+1, "data-access"), dataaccess.Audience),
		"two parts":              parts[0] + "." + parts[1],
		"not base64":             "!!!." + parts[1] + "." + parts[2],
		"garbage":                "not-a-token-at-all",
		"huge":                   strings.Repeat("a", 5000) + "." + parts[1] + "." + parts[2],
	}
	for name, forged := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			x := f.withAuth(t, "Bearer "+forged)
			if x.Status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", x.Status, x.Body)
			}
			validate(t, v, x)
			if msg := message(t, x); !strings.Contains(msg, "not valid") {
				t.Errorf("message %q does not say the token is not valid", msg)
			}
			if !strings.Contains(x.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Errorf("WWW-Authenticate %q", x.Header.Values("WWW-Authenticate"))
			}
			noEcho(t, x, forged, parts[2])
		})
	}
}

// Basic credentials work on every route (seed 2240-2257); missing or wrong
// ones are 401s with both challenges; the authenticate route wants Basic.
func TestCredentials(t *testing.T) {
	t.Parallel()
	f := newFixture(t, tinySizes)
	v := validator(t)
	wrong := "wrong-pass-never-echoed"
	cases := []struct {
		name, auth string
		status     int
		fragment   string
	}{
		{"basic", resttest.Basic(testUser, testPassword), http.StatusOK, ""},
		{"bearer", "Bearer " + f.token, http.StatusOK, ""},
		{"lower-case scheme", "bearer " + f.token, http.StatusOK, ""},
		{"none", "", http.StatusUnauthorized, "authentication required"},
		{"wrong password", resttest.Basic(testUser, wrong), http.StatusUnauthorized, "wrong user name or password"},
		{"wrong user", resttest.Basic(wrong, testPassword), http.StatusUnauthorized, "wrong user name or password"},
		{"other scheme", resttest.Fno(testUser, testPassword), http.StatusUnauthorized, "unsupported credentials"},
		{"empty bearer", "Bearer ", http.StatusUnauthorized, "unsupported credentials"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := f.withAuth(t, c.auth)
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			noEcho(t, x, wrong, testPassword)
			if c.status == http.StatusOK {
				return
			}
			if c.auth != "" && !strings.HasPrefix(c.auth, "Fno") && !strings.HasPrefix(c.auth, "Bearer") {
				validate(t, v, x)
			}
			if msg := message(t, x); !strings.Contains(msg, c.fragment) {
				t.Errorf("message %q does not say %q", msg, c.fragment)
			}
			if ch := strings.Join(x.Header.Values("WWW-Authenticate"), " | "); !strings.Contains(ch, "Basic ") || !strings.Contains(ch, "Bearer ") {
				t.Errorf("WWW-Authenticate %q lacks a challenge", ch)
			}
		})
	}

	t.Run("authenticate", func(t *testing.T) {
		t.Parallel()
		for _, c := range []struct {
			name, method, auth string
			status             int
		}{
			{"bearer", http.MethodGet, "Bearer " + f.token, http.StatusUnauthorized},
			{"wrong password", http.MethodGet, resttest.Basic(testUser, wrong), http.StatusUnauthorized},
			{"none", http.MethodPost, "", http.StatusUnauthorized},
			{"PUT", http.MethodPut, resttest.Basic(testUser, testPassword), http.StatusMethodNotAllowed},
			{"POST", http.MethodPost, resttest.Basic(testUser, testPassword), http.StatusOK},
		} {
			req, _ := http.NewRequest(c.method, f.srv.URL+dataaccess.PathAuthenticate, nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			x := resttest.Send(t, nil, req)
			if x.Status != c.status {
				t.Errorf("%s: status %d, want %d", c.name, x.Status, c.status)
			}
			if c.method == http.MethodGet {
				resttest.CheckResponse(t, v, x)
			}
			noEcho(t, x, wrong, testPassword, f.token)
		}
	})
}

func TestNewNeedsStoreAndAuth(t *testing.T) {
	t.Parallel()
	if _, err := dataaccess.New(dataaccess.Config{Auth: func(string, string) bool { return true }}); err == nil {
		t.Error("New without a store succeeded")
	}
	if _, err := dataaccess.New(dataaccess.Config{Store: state.New(1)}); err == nil {
		t.Error("New without an auth check succeeded")
	}
}
