package pubservices

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"unicode"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// MaxTokens bounds how many personal access tokens the emulator holds, so
// checking a token (which compares it with every one) stays bounded.
const MaxTokens = 1024

// MaxTokenLength bounds a token's length in bytes; longer ones are refused
// before they are hashed.
const MaxTokenLength = 512

// tokenPrefix marks the tokens IssueToken mints, so a secret scanner can
// recognise one that leaked into a file (INFERRED: FNO's own PAT format is
// not documented; clients must treat tokens as opaque).
const tokenPrefix = "fnopat_"

// tokenBytes is the randomness of a minted token.
const tokenBytes = 32

// anonymous is the principal of a request served without credentials
// (Config.AuthOptional).
const anonymous = "anonymous"

// tokenPrincipal is the principal of a request with a Config.Tokens token,
// which belongs to no named user.
const tokenPrincipal = "personal access token"

// tokenSet holds the SHA-256 digests of the valid tokens, never the tokens.
type tokenSet struct {
	mu      sync.RWMutex
	entries []tokenEntry
}

type tokenEntry struct {
	digest [sha256.Size]byte
	user   string // the Portal User it was issued to; "" for Config.Tokens
}

func (ts *tokenSet) add(tok, user string) error {
	d := sha256.Sum256([]byte(tok))
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.entries) >= MaxTokens {
		return fmt.Errorf("the emulator already holds %d personal access tokens", MaxTokens)
	}
	ts.entries = append(ts.entries, tokenEntry{digest: d, user: user})
	return nil
}

// check reports whether tok is valid and to whom it was issued. It
// compares the digest with every stored one in constant time and does not
// stop at a match, so the time taken says nothing about which token, or
// how much of one, matched.
func (ts *tokenSet) check(tok string) (user string, ok bool) {
	if len(tok) > MaxTokenLength {
		return "", false
	}
	d := sha256.Sum256([]byte(tok))
	ts.mu.RLock()
	defer ts.mu.RUnlock()
	for i := range ts.entries {
		if subtle.ConstantTimeCompare(d[:], ts.entries[i].digest[:]) == 1 {
			user, ok = ts.entries[i].user, true
		}
	}
	return user, ok
}

// checkToken refuses a configured token that no client could present in
// an Authorization header. The error never quotes the token.
func checkToken(tok string) error {
	switch {
	case tok == "":
		return errors.New("a personal access token must not be empty")
	case len(tok) > MaxTokenLength:
		return fmt.Errorf("a personal access token must be at most %d bytes", MaxTokenLength)
	case strings.IndexFunc(tok, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return errors.New("a personal access token must not contain white space or control characters")
	}
	return nil
}

// IssueToken mints a personal access token for user, the Portal User that
// generates it in FNO (seed 000 lines 53-59; the user only authenticates,
// its permissions do not matter, so it need not exist in the state). The
// token is 32 random bytes, URL-safe Base64, behind a "fnopat_" prefix;
// only its SHA-256 digest is kept, so it cannot be shown again.
func (h *Handler) IssueToken(user string) (string, error) {
	if strings.TrimSpace(user) == "" {
		return "", errors.New("emulator pubservices: a personal access token needs the user it is issued to")
	}
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("emulator pubservices: mint a personal access token: %w", err)
	}
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	if err := h.tokens.add(tok, user); err != nil {
		return "", fmt.Errorf("emulator pubservices: %w", err)
	}
	return tok, nil
}

// authenticate returns who is calling, or why the request is refused (a
// reason that never quotes a credential). Credentials that are sent are
// always checked; only their absence is tolerated, and only with
// AuthOptional.
func (h *Handler) authenticate(r *http.Request) (principal, why string) {
	header := r.Header.Get("Authorization")
	if strings.TrimSpace(header) == "" {
		if h.cfg.AuthOptional {
			return anonymous, ""
		}
		return "", "authentication required: send HTTP Basic credentials of a FlexNet Operations user or a personal access token (Authorization: Bearer)"
	}
	scheme, _, _ := strings.Cut(strings.TrimSpace(header), " ")
	switch {
	case strings.EqualFold(scheme, "Basic"):
		user, pass, ok := r.BasicAuth()
		if !ok {
			return "", "the Basic credentials are malformed: expected base64 of user:password"
		}
		if !h.cfg.Auth(user, pass) {
			return "", "the user name or password is not valid"
		}
		return user, ""
	case strings.EqualFold(scheme, "Bearer"):
		tok, ok := restkit.Bearer(r)
		if !ok {
			return "", "the Bearer authorization carries no token"
		}
		user, ok := h.tokens.check(tok)
		if !ok {
			return "", "the personal access token is not valid"
		}
		if user == "" {
			user = tokenPrincipal
		}
		return user, ""
	}
	return "", "unsupported authorization scheme: use Basic or Bearer"
}

// TokenIssuer is the emulator's admin endpoint for personal access tokens
// (the emulator has no portal to generate them in): POST with ?user=<name>
// answers {"user": …, "token": …} once; the token cannot be read again.
// The server in front checks the web-services credentials.
func (h *Handler) TokenIssuer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			restkit.WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"message": "POST ?user=<name> to issue a personal access token"})
			return
		}
		user := r.URL.Query().Get("user")
		tok, err := h.IssueToken(user)
		if err != nil {
			restkit.WriteJSON(w, http.StatusBadRequest, map[string]string{"message": err.Error()})
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		restkit.WriteJSON(w, http.StatusOK, map[string]string{"user": user, "token": tok})
	})
}
