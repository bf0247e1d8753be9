// Package redact removes secrets from everything fnokit stores or prints:
// HTTP headers, SOAP XML, JSON bodies, URLs and free text. Golden files,
// reports and log lines all pass through it before they are written, so a
// password, token or Authorization header never reaches disk.
//
// Secrets are replaced by the fixed Marker, keeping XML and JSON well-formed
// and everything around the secret byte for byte as it was, so a redacted
// golden file still reads like the message it was recorded from.
//
// Structured input is redacted structurally (by element, key or parameter
// name). When input cannot be parsed, a regular-expression fallback redacts
// what it can recognise and the Result says so; no function here panics on
// any input.
package redact

import "strings"

// Marker replaces every secret value.
const Marker = "[REDACTED]"

// Result says how a body was redacted.
type Result struct {
	// Redacted counts the values replaced.
	Redacted int
	// Fallback is true when the body could not be parsed as the format it
	// claims to be and was redacted by regular expressions instead. The
	// output is still safe to store, but less precisely redacted.
	Fallback bool
	// Reason says why the structural pass failed; it never quotes input.
	Reason string
}

// normalise folds a name for matching: lower case, without '_' and '-', so
// access_token, access-token and accessToken are the same name.
func normalise(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_' || c == '-':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// secretNames are names (normalised) whose value is a secret wherever they
// appear as an XML element or attribute, a JSON key or a query parameter.
//
// The list is explicit rather than "anything containing key" because FNO
// payloads are full of harmless names such as primaryKeys, webRegKey,
// trustedKey and deviceSortKey that must stay readable in golden files.
var secretNames = map[string]bool{
	"password":      true,
	"passwd":        true,
	"pwd":           true,
	"userpassword":  true, // FNO SOAP header, urn:com.macrovision:flexnet/platform
	"secret":        true,
	"clientsecret":  true,
	"token":         true,
	"accesstoken":   true,
	"refreshtoken":  true,
	"idtoken":       true,
	"securetoken":   true,
	"jwt":           true,
	"apikey":        true,
	"xapikey":       true,
	"apitoken":      true,
	"authorization": true,
	"privatekey":    true,
	"sessionid":     true,
	"jsessionid":    true,
}

// secretParams are extra query-parameter names (normalised) that carry
// credentials in signed URLs, such as download links handed out by FNO.
var secretParams = map[string]bool{
	"sig":             true,
	"signature":       true,
	"xamzsignature":   true,
	"xamzcredential":  true,
	"xgoogsignature":  true,
	"xgoogcredential": true,
	"awsaccesskeyid":  true,
}

// secretSuffixes extend secretNames to compound names: newPassword,
// oldPassword, sharedSecret, secureToken, UserToken and the like. No FNO
// element or JSON field that carries ordinary data ends in one of these.
var secretSuffixes = []string{"password", "secret", "token"}

// IsSecretName reports whether a value stored under this element, attribute,
// JSON key or query parameter name is a secret. Matching is on the local
// name only (prefixes and namespaces do not matter) and ignores case, '_'
// and '-'.
func IsSecretName(name string) bool {
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	n := normalise(name)
	if n == "" {
		return false
	}
	if secretNames[n] {
		return true
	}
	for _, s := range secretSuffixes {
		if strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}
