package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// How the emulator answers missing or wrong credentials, following FNO
// (seed 001, "Passing the SOAP Web Service User"): HTTP Basic is the
// default and the header style the alternative.
//
//   - No credentials at all: HTTP 401 with WWW-Authenticate: Basic. Clients
//     that pre-authenticate lazily (.NET's PreAuthenticate, Axis) send the
//     first request bare and retry only when challenged, so the challenge
//     is what makes them work.
//   - A wrong Basic Authorization header, or an Authorization scheme other
//     than Basic (Bearer tokens are for FNO's REST services): HTTP 401 with
//     the challenge, before the body is parsed.
//   - Wrong UserId/UserPassword SOAP header entries (or a UserPassword that
//     is not Base64): a SOAP fault (soapenv:Client, HTTP 500). The client
//     chose the header style because it cannot handle HTTP-level
//     authentication, so it gets its answer inside SOAP.
//
// When both are present the Basic header decides. Comparisons run over
// SHA-256 digests with crypto/subtle, so neither the length nor the content
// of the configured credentials leaks through timing.

type digest = [sha256.Size]byte

func digestOf(s string) digest { return sha256.Sum256([]byte(s)) }

// credentials holds the digests of the configured user and password.
type credentials struct {
	user, password digest
}

func newCredentials(user string, password Secret) credentials {
	return credentials{user: digestOf(user), password: digestOf(string(password))}
}

// match compares both parts in constant time, always both.
func (c credentials) match(user, password string) bool {
	u, p := digestOf(user), digestOf(password)
	okU := subtle.ConstantTimeCompare(u[:], c.user[:])
	okP := subtle.ConstantTimeCompare(p[:], c.password[:])
	return okU&okP == 1
}

// Matcher returns a constant-time check of a user name and password
// against the given ones, for handlers that authenticate users themselves
// (FlexnetAuthentication's authenticateUser).
func Matcher(user string, password Secret) func(user, password string) bool {
	return newCredentials(user, password).match
}

type authOutcome int

const (
	authNone      authOutcome = iota // no credentials anywhere
	authOK                           // accepted
	authHTTPBad                      // a wrong or unsupported Authorization header: 401
	authHeaderBad                    // wrong SOAP header credentials: SOAP fault
)

// basicAuth checks the Authorization header. authNone means there is none
// and the SOAP header must be looked at.
func (s *Server) basicAuth(r *http.Request) (authOutcome, string) {
	if r.Header.Get("Authorization") == "" {
		return authNone, ""
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return authHTTPBad, ""
	}
	if !s.creds.match(user, pass) {
		return authHTTPBad, ""
	}
	return authOK, user
}

// headerAuth checks the UserId and UserPassword entries of the SOAP header
// (namespace urn:com.macrovision:flexnet/platform). The seed's prose calls
// the second one Password while its example writes UserPassword; both are
// accepted.
func (s *Server) headerAuth(header *xmltree.Node) (authOutcome, string) {
	if header == nil {
		return authNone, ""
	}
	var user, pass *xmltree.Node
	for _, h := range header.Children {
		if h.Name.Space != soap.NSAuthHeader {
			continue
		}
		switch h.Name.Local {
		case "UserId":
			user = h
		case "UserPassword", "Password":
			pass = h
		}
	}
	if user == nil && pass == nil {
		return authNone, ""
	}
	if user == nil || pass == nil {
		return authHeaderBad, ""
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(pass.Text))
	if err != nil {
		return authHeaderBad, ""
	}
	name := strings.TrimSpace(user.Text)
	if !s.creds.match(name, string(decoded)) {
		return authHeaderBad, ""
	}
	return authOK, name
}

// challenge answers 401 with the Basic challenge.
func (s *Server) challenge(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", restkit.Challenge("Basic", s.cfg.Realm))
	http.Error(w, "fnokit emulator: authentication required (HTTP Basic, or UserId/UserPassword SOAP header entries)", http.StatusUnauthorized)
}
