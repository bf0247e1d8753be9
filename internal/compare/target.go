package compare

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/schemas"
)

// checkURL accepts an http or https URL with a host; the error names what
// is wrong without repeating the URL (it may carry a password).
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("no URL")
	case err != nil:
		return errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("the URL must start with http:// or https://")
	case u.Host == "":
		return errors.New("the URL has no host")
	case u.User != nil:
		return errors.New("the URL carries credentials: pass them in the environment instead (FNOKIT_USER/FNOKIT_PASSWORD or FNOKIT_TOKEN)")
	}
	return nil
}

// Environment variables holding credentials. The per-side ones win over the
// shared ones, as a whole: a side with any of its own variables set takes
// none of the shared ones.
const (
	EnvUser     = "FNOKIT_USER"
	EnvPassword = "FNOKIT_PASSWORD"
	EnvToken    = "FNOKIT_TOKEN"
)

// CredentialsFromEnv reads the credentials of both sides: FNOKIT_USER and
// FNOKIT_PASSWORD (HTTP Basic) or FNOKIT_TOKEN (Bearer) for both, or
// FNOKIT_BASELINE_USER/_PASSWORD/_TOKEN and FNOKIT_CANDIDATE_… per side.
// Errors name variables, never their values.
func CredentialsFromEnv(getenv func(string) string) (baseline, candidate soap.Credentials, err error) {
	if baseline, err = EnvCredentials(getenv, "BASELINE"); err != nil {
		return
	}
	candidate, err = EnvCredentials(getenv, "CANDIDATE")
	return
}

// EnvCredentials reads one target's credentials: with side ("BASELINE"),
// FNOKIT_<side>_USER/_PASSWORD/_TOKEN when any of them is set, else the
// shared FNOKIT_USER/FNOKIT_PASSWORD/FNOKIT_TOKEN; with side "", the shared
// ones only.
func EnvCredentials(getenv func(string) string, side string) (soap.Credentials, error) {
	names := [3]string{EnvUser, EnvPassword, EnvToken}
	who, also := "", ""
	if side != "" {
		own := func(v string) string { return "FNOKIT_" + side + "_" + strings.TrimPrefix(v, "FNOKIT_") }
		who = strings.ToLower(side) + ": "
		also = " (or FNOKIT_" + side + "_USER … for the " + strings.ToLower(side) + " only)"
		for _, n := range names {
			if getenv(own(n)) != "" {
				names = [3]string{own(EnvUser), own(EnvPassword), own(EnvToken)}
				break
			}
		}
	}
	user, password, token := getenv(names[0]), getenv(names[1]), getenv(names[2])
	switch {
	case token != "" && (user != "" || password != ""):
		return soap.Credentials{}, fmt.Errorf("%sset either %s or %s and %s, not both", who, names[2], names[0], names[1])
	case token != "":
		return soap.Bearer(token), nil
	case user != "" && password != "":
		return soap.Basic(user, password), nil
	case user != "" || password != "":
		return soap.Credentials{}, fmt.Errorf("%sset both %s and %s", who, names[0], names[1])
	}
	return soap.Credentials{}, fmt.Errorf("%sno credentials: set %s and %s, or %s%s", who, EnvUser, EnvPassword, EnvToken, also)
}

// fixedTarget is a conformance.Target over a URL whose sessions all name
// the same records, so both sides of a comparison get the same requests.
type fixedTarget struct {
	name string
	ep   Endpoint
	rec  conformance.Records
}

func (t fixedTarget) Name() string { return t.name }

func (t fixedTarget) Open(context.Context, schemas.Version) (conformance.Session, error) {
	return fixedSession(t), nil
}

type fixedSession fixedTarget

func (s fixedSession) BaseURL() string                                      { return strings.TrimSuffix(s.ep.URL, "/") }
func (s fixedSession) Credentials() soap.Credentials                        { return s.ep.Credentials }
func (s fixedSession) Records(context.Context) (conformance.Records, error) { return s.rec, nil }
func (s fixedSession) Close(context.Context) error                          { return nil }

// ErrRefused wraps the error of a run whose baseline refuses the
// credentials while its records are found (conformance.FindRecords).
var ErrRefused = conformance.ErrRefused
