package redact

import (
	"net/http"
	"strings"
)

// secretHeaders are headers (lower case) whose whole value is a credential.
var secretHeaders = map[string]bool{
	"authorization":       true,
	"proxy-authorization": true,
	"cookie":              true,
	"set-cookie":          true,
	"x-api-key":           true,
}

// secretHeaderWords mark a header as secret when its name contains one:
// X-Auth-Token, X-Session-Id, X-Client-Secret, Ocp-Apim-Subscription-Key …
var secretHeaderWords = []string{"token", "secret", "password", "session", "key"}

// IsSecretHeader reports whether the value of the named header is a secret.
func IsSecretHeader(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if secretHeaders[n] {
		return true
	}
	for _, w := range secretHeaderWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// HeaderValue returns the value of the named header with secrets removed.
//
// Authorization-style headers keep their scheme ("Basic [REDACTED]") so a
// golden file still shows how the client authenticated; cookies keep their
// names and attributes ("JSESSIONID=[REDACTED]; Path=/; HttpOnly") so a
// changed cookie policy is still visible. Other headers go through Text, so
// a credential pasted into, say, a Referer URL is removed too.
func HeaderValue(name, value string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	switch {
	case n == "authorization" || n == "proxy-authorization":
		return authValue(value)
	case n == "cookie":
		return cookieValue(value, false)
	case n == "set-cookie":
		return cookieValue(value, true)
	case IsSecretHeader(n):
		if strings.TrimSpace(value) == "" {
			return value
		}
		return Marker
	}
	return Text(value)
}

// authValue keeps a recognisable scheme word and drops the credentials.
func authValue(v string) string {
	t := strings.TrimSpace(v)
	if t == "" {
		return v
	}
	scheme, rest, ok := strings.Cut(t, " ")
	if !ok || strings.TrimSpace(rest) == "" || !isSchemeWord(scheme) {
		// A bare token (FNO's Data Access API accepts a JWT without a
		// scheme) or something unrecognised: hide it all.
		return Marker
	}
	return scheme + " " + Marker
}

func isSchemeWord(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

// cookieValue keeps cookie names (and Set-Cookie attributes) and hides the
// values.
func cookieValue(v string, set bool) string {
	parts := strings.Split(v, ";")
	for i, p := range parts {
		if set && i > 0 {
			// Attributes (Path, Domain, Expires, HttpOnly …) are not secret.
			continue
		}
		name, val, ok := strings.Cut(p, "=")
		if !ok {
			if strings.TrimSpace(p) != "" {
				parts[i] = " " + Marker
			}
			continue
		}
		if strings.TrimSpace(val) != "" {
			parts[i] = name + "=" + Marker
		}
	}
	return strings.Join(parts, ";")
}

// Header returns a copy of h with every secret value replaced. The input is
// not modified.
func Header(h http.Header) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for name, vals := range h {
		cp := make([]string, len(vals))
		for i, v := range vals {
			cp[i] = HeaderValue(name, v)
		}
		out[name] = cp
	}
	return out
}
