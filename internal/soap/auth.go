package soap

import (
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/fnokit/fnokit/internal/xmltree"
)

// AuthStyle says how credentials travel with a request.
type AuthStyle int

// Authentication styles FNO accepts (seed 001, "Passing the SOAP Web Service
// User"; PRODUCT.md for tokens).
const (
	// NoAuth sends no credentials (the emulator's open mode, or a test of the
	// refusal).
	NoAuth AuthStyle = iota
	// BasicAuth sends an HTTP Authorization: Basic header, FNO's default.
	BasicAuth
	// HeaderAuth puts UserId and the Base64-encoded UserPassword into the
	// SOAP header, for clients that cannot set HTTP headers.
	HeaderAuth
	// BearerAuth sends Authorization: Bearer with a personal access token.
	BearerAuth
)

func (s AuthStyle) String() string {
	switch s {
	case NoAuth:
		return "none"
	case BasicAuth:
		return "basic"
	case HeaderAuth:
		return "soap-header"
	case BearerAuth:
		return "bearer"
	}
	return fmt.Sprintf("auth-style(%d)", int(s))
}

// ParseAuthStyle reads the names String writes.
func ParseAuthStyle(s string) (AuthStyle, error) {
	for _, st := range []AuthStyle{NoAuth, BasicAuth, HeaderAuth, BearerAuth} {
		if s == st.String() {
			return st, nil
		}
	}
	return 0, fmt.Errorf("unknown auth style %q (want none, basic, soap-header or bearer)", s)
}

// Namespace and actor of the FNO authentication SOAP header elements.
const (
	NSAuthHeader = "urn:com.macrovision:flexnet/platform"
	ActorNext    = "http://schemas.xmlsoap.org/soap/actor/next"
)

const redacted = "[REDACTED]"

// secret holds a password or token inside a closure. When Credentials is an
// unexported field of some other struct, fmt cannot call our Format and
// walks the struct by reflection; a string or a pointer to one would then
// print (a pointer does with %s or %q), a func only ever prints its address.
type secret func() string

func newSecret(s string) secret { return func() string { return s } }

// Credentials are a user and a password, or a token, plus the style to send
// them in. The secret cannot be read back and never prints: String, GoString,
// Format and MarshalText all redact it.
type Credentials struct {
	Style AuthStyle
	// User is the FNO web-services user ID; it is not a secret.
	User   string
	secret secret
}

// Basic returns credentials sent as HTTP Basic authentication.
func Basic(user, password string) Credentials {
	return Credentials{Style: BasicAuth, User: user, secret: newSecret(password)}
}

// SOAPHeader returns credentials sent as UserId/UserPassword SOAP headers.
func SOAPHeader(user, password string) Credentials {
	return Credentials{Style: HeaderAuth, User: user, secret: newSecret(password)}
}

// Bearer returns a token sent as Authorization: Bearer.
func Bearer(token string) Credentials {
	return Credentials{Style: BearerAuth, secret: newSecret(token)}
}

func (c Credentials) password() string {
	if c.secret == nil {
		return ""
	}
	return c.secret()
}

// String describes the credentials without their secret.
func (c Credentials) String() string {
	switch c.Style {
	case NoAuth:
		return "soap.Credentials{none}"
	case BearerAuth:
		return "soap.Credentials{bearer " + redacted + "}"
	}
	return fmt.Sprintf("soap.Credentials{%s user=%q password=%s}", c.Style, c.User, redacted)
}

// GoString is String, so %#v redacts too.
func (c Credentials) GoString() string { return c.String() }

// Format makes every verb (%v, %+v, %#v, %s, %q, %x …) print the redacted
// form.
func (c Credentials) Format(f fmt.State, verb rune) {
	fmt.Fprint(f, c.String())
}

// MarshalText keeps the secret out of JSON, YAML and text encodings.
func (c Credentials) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Apply adds the HTTP headers of the Basic and Bearer styles to req; the
// SOAP header style changes the envelope instead (see Envelope).
func (c Credentials) Apply(req *http.Request) {
	switch c.Style {
	case BasicAuth:
		req.SetBasicAuth(c.User, c.password())
	case BearerAuth:
		req.Header.Set("Authorization", "Bearer "+c.password())
	}
}

// headerElements returns the SOAP header entries of the HeaderAuth style, in
// the form of the vendor's example: UserId and the Base64 of the password,
// each with actor next and mustUnderstand 0.
func (c Credentials) headerElements() []*xmltree.Node {
	if c.Style != HeaderAuth {
		return nil
	}
	attrs := func() []xmltree.Attr {
		return []xmltree.Attr{
			{Name: xmltree.Name{Space: NSEnvelope, Local: "actor"}, Value: ActorNext},
			{Name: xmltree.Name{Space: NSEnvelope, Local: "mustUnderstand"}, Value: "0"},
		}
	}
	return []*xmltree.Node{
		{Name: xmltree.Name{Space: NSAuthHeader, Local: "UserId"}, Attrs: attrs(), Text: c.User},
		{Name: xmltree.Name{Space: NSAuthHeader, Local: "UserPassword"}, Attrs: attrs(),
			Text: base64.StdEncoding.EncodeToString([]byte(c.password()))},
	}
}
