package suite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/fnokit/fnokit/internal/emulator/server"
)

// authenticatePaths are the routes that exchange the user's password for a
// JWT (seed 001: Data Access 2262-2270, registry 2546-2566; the Event
// Notification Service by inference EN-1 of notification.yaml).
var authenticatePaths = map[string]string{
	"data-access":  "/data/api/v1/authenticate",
	"registry":     "/registry/api/v1/authenticate",
	"notification": "/notifications/api/v1/authenticate",
}

// entitlementsTokenPath is the emulator's admin route that issues an
// Entitlements API (beta) token: FNO issues those in its UI (seed 004), so
// a live run authenticates with Basic instead.
const entitlementsTokenPath = server.AdminPrefix + "entitlements-token"

// BearerToken returns a Bearer token for api, authenticating once per run
// (the token is cached): at the API's authenticate route (data-access,
// registry, notification), or at the emulator's admin token route
// (entitlements-beta). With FNOKIT_TOKEN it is that token. It fails the
// spec when the target refuses; against a live target the
// entitlements-beta API has no token route and the spec is skipped.
func (e *Env) BearerToken(api string) string {
	ginkgo.GinkgoHelper()
	tok, err := e.bearer(api)
	if err != nil {
		e.fail(fmt.Sprintf("%s: authenticate: %v", api, err))
	}
	if tok == "" {
		ginkgo.Skip(api + ": no token route on a live target (its tokens are issued in the FNO UI): pass one as FNOKIT_TOKEN")
	}
	return tok
}

// bearer is BearerToken without Ginkgo: "" and no error means the API has
// no token route on this target (use Basic).
func (e *Env) bearer(api string) (string, error) {
	if e.token != "" {
		return string(e.token), nil
	}
	e.mu.Lock()
	tok, ok := e.tokens[api]
	e.mu.Unlock()
	if ok {
		return tok, nil
	}
	var req *http.Request
	var err error
	switch {
	case authenticatePaths[api] != "":
		req, err = http.NewRequestWithContext(e.callContext(), http.MethodGet, e.base+authenticatePaths[api], nil)
	case api == "entitlements-beta" && e.emu != nil:
		req, err = http.NewRequestWithContext(e.callContext(), http.MethodPost,
			e.base+entitlementsTokenPath+"?user="+url.QueryEscape(e.user), nil)
	case api == "entitlements-beta":
		return "", nil
	default:
		return "", fmt.Errorf("API %s takes no Bearer token", api)
	}
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(e.user, string(e.password))
	req.Header.Set("Accept", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return "", scrubURLError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", scrubURLError(err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	tok = tokenOf(body)
	if tok == "" {
		return "", fmt.Errorf("the answer carries no token")
	}
	e.mu.Lock()
	e.tokens[api] = tok
	e.mu.Unlock()
	return tok, nil
}

// tokenOf reads a token answer: a JSON object with "token", a JSON string,
// or the bare token as text (DA-2 accepts all three).
func tokenOf(body []byte) string {
	body = bytes.TrimSpace(body)
	var obj struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(body, &obj) == nil && obj.Token != "" {
		return obj.Token
	}
	var s string
	if json.Unmarshal(body, &s) == nil {
		return s
	}
	if t := string(body); t != "" && !strings.ContainsAny(t, " \t\r\n{}<>\"") {
		return t
	}
	return ""
}
