package openapi

import (
	"context"
	"fmt"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// acceptAll is the default authentication check: fnokit validates the shape
// of traffic, and whether credentials are right is the server's business
// (and the emulator's behaviour tests). A document with security schemes
// would otherwise fail every request, since kin-openapi refuses to guess.
func acceptAll(context.Context, *openapi3filter.AuthenticationInput) error { return nil }

// requirePresence checks that the request carries credentials of the kind
// the security scheme names, without judging them. Its errors describe the
// missing credential, never a value.
func requirePresence(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s := in.SecurityScheme
	req := in.RequestValidationInput.Request
	if s == nil || req == nil {
		return nil
	}
	switch s.Type {
	case "http":
		scheme := strings.ToLower(s.Scheme)
		if !hasAuthScheme(req.Header.Get("Authorization"), scheme) {
			return fmt.Errorf("security scheme %q: no %s credentials in the Authorization header", in.SecuritySchemeName, scheme)
		}
	case "apiKey":
		var found bool
		switch s.In {
		case "header":
			found = req.Header.Get(s.Name) != ""
		case "query":
			found = req.URL.Query().Get(s.Name) != ""
		case "cookie":
			c, err := req.Cookie(s.Name)
			found = err == nil && c.Value != ""
		}
		if !found {
			return fmt.Errorf("security scheme %q: no API key in %s %q", in.SecuritySchemeName, s.In, s.Name)
		}
	case "oauth2", "openIdConnect":
		if !hasAuthScheme(req.Header.Get("Authorization"), "bearer") {
			return fmt.Errorf("security scheme %q: no bearer token in the Authorization header", in.SecuritySchemeName)
		}
	}
	return nil
}

// hasAuthScheme reports whether an Authorization header uses scheme (lower
// case) and carries some credentials after it.
func hasAuthScheme(h, scheme string) bool {
	name, cred, ok := strings.Cut(strings.TrimSpace(h), " ")
	return ok && strings.EqualFold(name, scheme) && strings.TrimSpace(cred) != ""
}
