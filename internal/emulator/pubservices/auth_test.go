package pubservices

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/resttest"
)

const configuredToken = "cfg-token-Zq81xY0p"

func TestAuthentication(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	strict := newHandler(t, st, func(c *Config) { c.Tokens = []string{configuredToken} })
	optional := newHandler(t, st, func(c *Config) { c.Tokens = []string{configuredToken}; c.AuthOptional = true })
	issued, err := strict.IssueToken("portal.user@example.com")
	if err != nil {
		t.Fatal(err)
	}
	issuedOpt, err := optional.IssueToken("portal.user@example.com")
	if err != nil {
		t.Fatal(err)
	}
	body := doc(el("ActivationId", firstItem(t, st).ActivationID))

	tests := []struct {
		name          string
		authorization func(issued string) string // "" sends no header
		strict, opt   int                        // expected status per handler
		secret        string                     // the answer must not quote it
	}{
		{"Basic", func(string) string { return resttest.Basic(testUser, testPassword) }, 200, 200, ""},
		{"issued PAT", func(tok string) string { return "Bearer " + tok }, 200, 200, ""},
		{"configured PAT", func(string) string { return "Bearer " + configuredToken }, 200, 200, ""},
		{"scheme in lower case", func(tok string) string { return "bearer " + tok }, 200, 200, ""},
		{"none", func(string) string { return "" }, 401, 200, ""},
		{"wrong PAT", func(string) string { return "Bearer wrong-token-Kx2" }, 401, 401, "wrong-token-Kx2"},
		{"issued PAT with a byte changed", func(tok string) string { return "Bearer " + tok[:len(tok)-1] + flip(tok[len(tok)-1]) }, 401, 401, ""},
		{"PAT of the other handler", func(tok string) string {
			if tok == issued {
				return "Bearer " + issuedOpt
			}
			return "Bearer " + issued
		}, 401, 401, ""},
		{"empty Bearer", func(string) string { return "Bearer " }, 401, 401, ""},
		{"oversize PAT", func(string) string { return "Bearer " + strings.Repeat("t", MaxTokenLength+1) }, 401, 401, ""},
		{"wrong Basic password", func(string) string { return resttest.Basic(testUser, "guess-pw-77") }, 401, 401, "guess-pw-77"},
		{"unknown Basic user", func(string) string { return resttest.Basic("mallory", testPassword) }, 401, 401, "mallory"},
		{"malformed Basic", func(string) string { return "Basic !!not-base64" }, 401, 401, "not-base64"},
		{"token as a Basic credential", func(tok string) string { return "Basic " + tok }, 401, 401, ""},
		{"unknown scheme", func(string) string { return "Digest username=x" }, 401, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				h      *Handler
				tok    string
				status int
			}{{strict, issued, tt.strict}, {optional, issuedOpt, tt.opt}} {
				r := request(APILineItemDetails, body)
				r.Header.Del("Authorization")
				if v := tt.authorization(c.tok); v != "" {
					r.Header.Set("Authorization", v)
				}
				a := serve(t, c.h, APILineItemDetails, r)
				if a.status != c.status {
					t.Fatalf("optional=%v: status %d, want %d: %s", c.h.cfg.AuthOptional, a.status, c.status, a.body)
				}
				if a.status == http.StatusUnauthorized {
					if a.Status() != statusFailure || a.Reason() == "" {
						t.Errorf("401 without a FAILURE reason: %s", a.body)
					}
					if ch := a.header.Values("WWW-Authenticate"); len(ch) != 2 {
						t.Errorf("challenges %q", ch)
					}
				}
				for _, s := range []string{tt.secret, c.tok, configuredToken, testPassword} {
					if s != "" && strings.Contains(string(a.body), s) {
						t.Errorf("answer quotes a credential: %s", a.body)
					}
				}
			}
		})
	}
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}

// TestUnauthenticatedCostsNoParsing: a refused request is answered 401
// before its body is looked at, so even a hostile body gets a 401.
func TestUnauthenticatedCostsNoParsing(t *testing.T) {
	t.Parallel()
	h := newHandler(t, newStore(t), nil)
	r := request(APIRegisterUser, "<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
	r.Header.Del("Authorization")
	if a := serve(t, h, APIRegisterUser, r); a.status != http.StatusUnauthorized {
		t.Fatalf("status %d", a.status)
	}
}

func TestIssueToken(t *testing.T) {
	t.Parallel()
	h := newHandler(t, newStore(t), nil)
	if _, err := h.IssueToken(" "); err == nil {
		t.Error("a token without a user was issued")
	}
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := h.IssueToken(fmt.Sprintf("user%d@example.com", i))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[tok] {
				t.Error("a token was issued twice")
			}
			seen[tok] = true
		}()
	}
	wg.Wait()
	for tok := range seen {
		if !strings.HasPrefix(tok, tokenPrefix) || len(tok) < len(tokenPrefix)+43 {
			t.Errorf("token of %d bytes", len(tok))
		}
		if err := checkToken(tok); err != nil {
			t.Errorf("an issued token cannot be presented: %v", err)
		}
		if user, ok := h.tokens.check(tok); !ok || !strings.HasSuffix(user, "@example.com") {
			t.Errorf("issued token not valid (user %q)", user)
		}
	}
	// Only digests are kept.
	for _, e := range h.tokens.entries {
		for tok := range seen {
			if strings.Contains(string(e.digest[:]), tok) {
				t.Error("a token is stored in clear")
			}
		}
	}
}

func TestTokenSetIsBounded(t *testing.T) {
	t.Parallel()
	var ts tokenSet
	for i := range MaxTokens {
		if err := ts.add(fmt.Sprint("tok", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.add("one-more", ""); err == nil {
		t.Error("more than MaxTokens tokens accepted")
	}
	if _, ok := ts.check(fmt.Sprint("tok", MaxTokens-1)); !ok {
		t.Error("the last token is not valid")
	}
}

func TestConfiguredTokensAreChecked(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	for _, tok := range []string{"", "has space-SECRET1", "tab\tSECRET2", strings.Repeat("x", MaxTokenLength+1)} {
		_, err := New(Config{Store: st, Auth: basicAuth, Tokens: []string{"fine-token", tok}})
		if err == nil {
			t.Errorf("token of %d bytes accepted", len(tok))
			continue
		}
		if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "Tokens[1]") {
			t.Errorf("error %q", err)
		}
	}
}
