package accounts

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
)

// FlexnetAuthentication: single sign-on tokens. A portal that has logged a
// user in asks getSecureToken for a token naming that user; the token is
// later checked with validateToken (seed 001 "FlexNet Authentication
// Service"; the vendor's "Generating a Token" page: a token is valid for
// 300 seconds after creation).
//
// Our tokens are self-contained and deterministic, so a seeded run is
// repeatable and nothing needs to be stored:
//
//	t1.<base64url(userId)>.<expiry, Unix seconds>.<base64url(HMAC-SHA256(key, "t1.<user>.<expiry>"))>
//
// The key comes from the emulator's seed. The same user, expiry and seed
// always give the same token; a changed character anywhere fails the MAC.

// DefaultTokenLifetime is how long a token is valid without
// tokenTimeoutSeconds (v1).
const DefaultTokenLifetime = 300 * time.Second

// MaxTokenLifetime bounds tokenTimeoutSeconds, so a token cannot be made to
// live for ever (and the expiry stays far from overflow).
const MaxTokenLifetime = 24 * time.Hour

const tokenVersion = "t1"

// tokens issues and checks tokens with one key.
type tokens struct {
	key []byte
}

// TokenKey derives the token MAC key from the emulator's seed: the same
// seed, the same key, the same tokens.
func TokenKey(seed int64) []byte {
	sum := sha256.Sum256([]byte("fnokit-emulator-sso-token-key/" + strconv.FormatInt(seed, 10)))
	return sum[:]
}

func (t tokens) mac(payload string) string {
	h := hmac.New(sha256.New, t.key)
	h.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// issue returns the token for user valid until expiry.
func (t tokens) issue(user string, expiry time.Time) string {
	payload := tokenVersion + "." + base64.RawURLEncoding.EncodeToString([]byte(user)) + "." + strconv.FormatInt(expiry.Unix(), 10)
	return payload + "." + t.mac(payload)
}

// Token check outcomes: statusCode values of validateToken. The schema
// leaves statusCode a free string; these are ours.
const (
	tokenValid     = "SUCCESS"
	tokenInvalid   = "INVALID_TOKEN"
	tokenExpired   = "TOKEN_EXPIRED"
	tokenWrongUser = "USER_MISMATCH"
)

// check verifies token at now; user is the identity it names. The MAC is
// compared in constant time before anything in the token is trusted.
func (t tokens) check(token string, now time.Time) (user, code, message string) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 || parts[0] != tokenVersion {
		return "", tokenInvalid, "the token is not one this server issued"
	}
	payload := strings.Join(parts[:3], ".")
	if !hmac.Equal([]byte(parts[3]), []byte(t.mac(payload))) {
		return "", tokenInvalid, "the token is not one this server issued, or it was altered"
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	exp, perr := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || perr != nil {
		return "", tokenInvalid, "the token is malformed"
	}
	if !now.Before(time.Unix(exp, 0)) {
		return string(raw), tokenExpired, "the token has expired"
	}
	return string(raw), tokenValid, "the token is valid"
}

// auth answers FlexnetAuthentication.
type auth struct {
	tok   tokens
	check func(user, password string) bool
}

// lifetime reads v1's tokenTimeoutSeconds; reason is a fault message.
func lifetime(req map[string]any) (time.Duration, string) {
	n, present, ok := op.GetInt(req, "tokenTimeoutSeconds")
	switch {
	case !ok:
		return 0, "tokenTimeoutSeconds is not an integer"
	case !present:
		return DefaultTokenLifetime, ""
	case n < 1:
		return 0, "tokenTimeoutSeconds must be 1 or more"
	case n > int64(MaxTokenLifetime/time.Second):
		return MaxTokenLifetime, ""
	}
	return time.Duration(n) * time.Second, ""
}

// secureToken is getSecureToken. The caller is the portal that logged the
// user in (and authenticated itself to call this), so the token is issued
// for the identity it names, as FNO does for single sign-on.
func (a *auth) secureToken(_ context.Context, c *op.Call) (map[string]any, error) {
	user := op.Str(c.Request, "userId")
	if user == "" {
		return nil, op.ClientFault("userId must not be empty")
	}
	d, reason := lifetime(c.Request)
	if reason != "" {
		return nil, op.ClientFault("%s", reason)
	}
	return map[string]any{"token": a.tok.issue(user, c.Now.Add(d))}, nil
}

// userToken is the deprecated getUserToken (base only): the user name is the
// element's text, the token is getSecureToken's with the default lifetime.
func (a *auth) userToken(_ context.Context, c *op.Call) (map[string]any, error) {
	user := op.Str(c.Request)
	if user == "" {
		return nil, op.ClientFault("the user name must not be empty")
	}
	return map[string]any{"Token": a.tok.issue(user, c.Now.Add(DefaultTokenLifetime))}, nil
}

// validateToken is validateToken: statusCode SUCCESS for a token this server
// issued that has not expired and, when identity/userId is given, names that
// user. statusMessage says why not; neither ever repeats the token.
func (a *auth) validateToken(_ context.Context, c *op.Call) (map[string]any, error) {
	user, code, msg := a.tok.check(op.Str(c.Request, "token"), c.Now)
	if code == tokenValid {
		if want := op.Str(c.Request, "identity", "userId"); want != "" && want != user {
			code, msg = tokenWrongUser, "the token was issued for another user"
		}
	}
	return map[string]any{"statusCode": code, "statusMessage": msg}, nil
}

// authenticateUser is authenticateUser: Success is true when the credentials
// check passes (Options.Authenticate, wired to the emulator's web-services
// user). domainName is accepted as given: the emulator has one user
// directory. The password is compared by the check, never logged or echoed.
func (a *auth) authenticateUser(_ context.Context, c *op.Call) (map[string]any, error) {
	ok := false
	if a.check != nil {
		if u := op.Str(c.Request, "userName"); u != "" {
			// The password is taken as sent (untrimmed): spaces can be part of it.
			pw, _ := c.Request["password"].(string)
			ok = a.check(u, pw)
		}
	}
	return map[string]any{"Success": op.Bool(ok)}, nil
}
