package entapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/openapi"
)

// TestAuth: Basic with the web-services user or a Bearer token this API
// issued; anything else is 401 with both challenges, a token's failure
// named (expired or not valid) and never repeated.
func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	v := resttest.Validator(t, contractPath, openapi.Options{})
	tok, exp, err := e.h.IssueToken("token-user")
	if err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Add(entapi.TokenTTL); !exp.Equal(want) {
		t.Errorf("token expires %v, want %v", exp, want)
	}
	// The same key and claims from another seed, another API's key, and
	// this key for another audience.
	otherSeed, _, _ := entapi.NewTokens(testSeed+1, e.clock.Now).Issue("token-user", entapi.Audience, time.Hour)
	otherAPI, _, _ := restkit.NewTokens(restkit.KeyFromSeed(testSeed, "dataaccess"), entapi.Issuer, e.clock.Now).Issue("token-user", entapi.Audience, time.Hour)
	otherAud, _, _ := entapi.NewTokens(testSeed, e.clock.Now).Issue("token-user", "data-access-api", time.Hour)
	parts := strings.Split(tok, ".")
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"root","aud":"entitlements-api","exp":9999999999}`)) + "." + parts[2]
	noneAlg := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	get := entapi.PathEntitlements
	cases := []struct {
		name   string
		a      auth
		status int
		reason string
	}{
		{"basic", asAdmin, 200, ""},
		{"bearer", bearer(tok), 200, ""},
		{"nothing", nil, 401, "authentication required"},
		{"wrong password", basic(testUser, "wrong"), 401, "authentication required"},
		{"unknown user", basic("mallory", testPassword), 401, "authentication required"},
		{"Fno scheme", func(r *http.Request) {
			r.Header.Set("Authorization", resttest.Fno(testUser, testPassword))
		}, 401, "authentication required"},
		{"garbage token", bearer("not-a-token"), 401, "not valid"},
		{"forged claims", bearer(forged), 401, "not valid"},
		{"alg none", bearer(noneAlg), 401, "not valid"},
		{"other seed", bearer(otherSeed), 401, "not valid"},
		{"other API's key", bearer(otherAPI), 401, "not valid"},
		{"other audience", bearer(otherAud), 401, "not valid"},
		{"huge token", bearer(strings.Repeat("a", 10000)), 401, "not valid"},
	}
	for _, c := range cases {
		x := e.raw(t, http.MethodGet, get, "", nil, c.a)
		t.Run(c.name, func(t *testing.T) {
			checkAuth(t, x, c.status, c.reason, tok)
			resttest.CheckResponse(t, v, x)
		})
	}

	// The token's subject is the user the API acts for.
	x := e.raw(t, http.MethodPost, entapi.PathEntitlement, "application/json",
		mustJSON(t, e.createBody("auth-ent", "auth-act")), bearer(tok))
	if x.Status != http.StatusCreated {
		t.Fatalf("create with a token: %d %s", x.Status, x.Body)
	}
	if ent, err := e.st.Entitlement("auth-ent"); err != nil || ent.CreatedBy != "token-user" {
		t.Errorf("created by %q (%v), want the token's subject", ent.CreatedBy, err)
	}

	// Past its 60 minutes the token is refused, saying it expired.
	e.clock.Advance(entapi.TokenTTL + time.Second)
	x = e.raw(t, http.MethodGet, get, "", nil, bearer(tok))
	checkAuth(t, x, 401, "expired", tok)
	if !strings.Contains(strings.Join(x.Header.Values("WWW-Authenticate"), " "), `error="invalid_token"`) {
		t.Errorf("expired token: challenges %q lack invalid_token", x.Header.Values("WWW-Authenticate"))
	}
	// Credentials are checked before the body is read or the route's
	// method is judged.
	x = e.raw(t, http.MethodDelete, entapi.PathEntitlement, "text/plain", []byte("{"), nil)
	checkAuth(t, x, 401, "authentication required", tok)
}

func checkAuth(t *testing.T, x exchange, status int, reason, tok string) {
	t.Helper()
	if x.Status != status {
		t.Fatalf("status %d, want %d: %s", x.Status, status, x.Body)
	}
	if status != http.StatusUnauthorized {
		return
	}
	m := x.JSON(t)
	if msg, _ := m["message"].(string); m["status"] != "FAILURE" || !strings.Contains(msg, reason) {
		t.Errorf("answer %s does not say %q", x.Body, reason)
	}
	ch := strings.Join(x.Header.Values("WWW-Authenticate"), "\n")
	if !strings.Contains(ch, "Basic realm=") || !strings.Contains(ch, "Bearer realm=") {
		t.Errorf("challenges %q: want Basic and Bearer", ch)
	}
	if strings.Contains(string(x.Body), tok[len(tok)-10:]) || strings.Contains(ch, tok[len(tok)-10:]) {
		t.Error("the answer repeats the token")
	}
}

// The admin control issues tokens the API takes, for the user named.
func TestTokenIssuer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	issuer := httptest.NewServer(e.h.TokenIssuer())
	t.Cleanup(issuer.Close)
	post := func(method, query string) (int, map[string]string) {
		req, err := http.NewRequest(method, issuer.URL+query, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := issuer.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]string
		json.NewDecoder(resp.Body).Decode(&m)
		if resp.StatusCode == http.StatusOK && resp.Header.Get("Cache-Control") != "no-store" {
			t.Error("a token answer may be cached")
		}
		return resp.StatusCode, m
	}
	if status, _ := post(http.MethodGet, "?user=x"); status != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", status)
	}
	if status, _ := post(http.MethodPost, ""); status != http.StatusBadRequest {
		t.Errorf("no user: %d", status)
	}
	status, m := post(http.MethodPost, "?user=issued-user")
	if status != http.StatusOK || m["user"] != "issued-user" || m["expiresAt"] != e.clock.Now().Add(entapi.TokenTTL).Format(time.RFC3339) {
		t.Fatalf("issue: %d %v", status, m)
	}
	if x := e.raw(t, http.MethodGet, entapi.PathEntitlements, "", nil, bearer(m["token"])); x.Status != http.StatusOK {
		t.Errorf("the issued token is refused: %d %s", x.Status, x.Body)
	}
}
