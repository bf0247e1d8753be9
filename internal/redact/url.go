package redact

import (
	"net/url"
	"strings"
)

// isSecretParam reports whether a query or fragment parameter carries a
// credential.
func isSecretParam(name string) bool {
	return IsSecretName(name) || secretParams[normalise(name)]
}

// URL returns the URL with the userinfo password and the values of secret
// query and fragment parameters (token, access_token, password, api_key,
// sig …) replaced. The order of parameters and everything else in the URL
// is kept. Markers inside the URL are percent-encoded so the result still
// parses as a URL. Input that does not parse as a URL still loses any JWT
// or scheme-prefixed credential it carries.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return credTokens(raw)
	}
	changed := false
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), Marker)
			changed = true
		} else if u.Opaque == "" && u.Host != "" && looksLikeToken(u.User.Username()) {
			// https://<token>@host/ — a token passed as the user name.
			u.User = url.User(Marker)
			changed = true
		}
	}
	if q, ok := redactParams(u.RawQuery); ok {
		u.RawQuery = q
		changed = true
	}
	if u.Fragment != "" {
		// OAuth implicit flows put access_token in the fragment.
		if f, ok := redactParams(u.EscapedFragment()); ok {
			u.Fragment, _ = url.PathUnescape(f)
			u.RawFragment = f
			changed = true
		}
	}
	if !changed {
		// Keep the caller's spelling exactly; still catch a JWT in a path.
		return credTokens(raw)
	}
	return credTokens(u.String())
}

// redactParams rewrites a k=v&k=v string, keeping order and the spelling of
// everything that is not a secret.
func redactParams(raw string) (string, bool) {
	if raw == "" {
		return raw, false
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			continue
		}
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		// URLs copied out of HTML or XML keep their escaped "&amp;".
		name = strings.TrimPrefix(name, "amp;")
		if isSecretParam(name) {
			parts[i] = k + "=" + url.QueryEscape(Marker)
			changed = true
		}
	}
	return strings.Join(parts, "&"), changed
}

// looksLikeToken guesses whether a user name is really a credential: long
// and mixing letters with digits or symbols, as personal access tokens do.
func looksLikeToken(s string) bool {
	if len(s) < 20 {
		return false
	}
	var letters, others int
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			letters++
		} else {
			others++
		}
	}
	return letters > 0 && others > 0 && !strings.ContainsAny(s, ".@")
}
