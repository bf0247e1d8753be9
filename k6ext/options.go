package fno

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.k6.io/k6/lib/types"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/soap"
)

// defaultTimeout is k6/http's own per-request default.
const defaultTimeout = 60 * time.Second

// errNoValidation refuses validate.sample > 0 in a k6 built without cgo.
var errNoValidation = errors.New("this k6 was built without cgo, so XSD validation (libxml2) is not available; rebuild with CGO_ENABLED=1 (make k6)")

// maxTimeout bounds a script's timeout so a typo ("60000s") cannot hang a
// VU for days.
const maxTimeout = time.Hour

// clientOptions are the settings of one Client, read once in the init
// context from the object given to `new fno.Client(...)`.
type clientOptions struct {
	baseURL string // scheme://host[:port][/prefix], no trailing slash
	// soapCreds travel with SOAP calls in the style the script chose;
	// restCreds are the same secret as HTTP headers (the REST APIs take no
	// SOAP header), so a soapHeader client sends Basic to them.
	soapCreds, restCreds soap.Credentials
	hasPassword          bool // Basic or SOAP-header credentials (Data Access authenticate needs them)
	versions             map[string]contract.Version
	sample               float64 // share of SOAP responses validated, 0 to 1
	timeout              time.Duration
	tags                 map[string]string
}

// parseClientOptions reads the constructor's argument. Messages name the
// option at fault, never its value (it may be a password).
func parseClientOptions(v any, bundled map[string]contract.Version) (clientOptions, error) {
	o := clientOptions{timeout: defaultTimeout}
	m, ok := v.(map[string]any)
	if !ok {
		return o, errors.New("new fno.Client(options): options must be an object with at least baseURL")
	}
	if err := knownKeys("options", m, "baseURL", "auth", "versions", "validate", "timeout", "tags"); err != nil {
		return o, err
	}
	var err error
	if o.baseURL, err = parseBaseURL(m["baseURL"]); err != nil {
		return o, err
	}
	if o.soapCreds, o.restCreds, o.hasPassword, err = parseAuth(m["auth"]); err != nil {
		return o, err
	}
	if o.versions, err = parseVersions(m["versions"], bundled); err != nil {
		return o, err
	}
	if o.sample, err = parseValidate(m["validate"]); err != nil {
		return o, err
	}
	if t, ok := m["timeout"]; ok && t != nil {
		if o.timeout, err = parseTimeout("options.timeout", t); err != nil {
			return o, err
		}
	}
	if o.tags, err = parseTags("options.tags", m["tags"]); err != nil {
		return o, err
	}
	return o, nil
}

func knownKeys(where string, m map[string]any, keys ...string) error {
	for k := range m {
		found := false
		for _, want := range keys {
			if k == want {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%s: unknown key %q; known keys are %s", where, k, strings.Join(keys, ", "))
		}
	}
	return nil
}

func parseBaseURL(v any) (string, error) {
	s, ok := v.(string)
	if !ok || s == "" {
		return "", errors.New("options.baseURL is required: the site root, e.g. http://127.0.0.1:8080 or https://<site>.flexnetoperations.com")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", errors.New("options.baseURL must be an absolute http or https URL (scheme and host, optionally a path prefix)")
	}
	if u.User != nil {
		return "", errors.New("options.baseURL must not carry credentials; give them in options.auth")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("options.baseURL must not have a query or fragment")
	}
	return strings.TrimRight(s, "/"), nil
}

// parseAuth reads {basic:{user,password}}, {soapHeader:{user,password}} or
// {token}; no auth at all is the emulator's open mode.
func parseAuth(v any) (soapCreds, restCreds soap.Credentials, hasPassword bool, err error) {
	if v == nil {
		return soap.Credentials{}, soap.Credentials{}, false, nil
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return soapCreds, restCreds, false, errors.New("options.auth must be exactly one of {basic: {user, password}}, {soapHeader: {user, password}} or {token: '...'}")
	}
	for style, val := range m {
		switch style {
		case "basic", "soapHeader":
			user, pw, err := userPassword("options.auth."+style, val)
			if err != nil {
				return soapCreds, restCreds, false, err
			}
			restCreds = soap.Basic(user, pw)
			if style == "basic" {
				return restCreds, restCreds, true, nil
			}
			return soap.SOAPHeader(user, pw), restCreds, true, nil
		case "token":
			tok, ok := val.(string)
			if !ok || tok == "" {
				return soapCreds, restCreds, false, errors.New("options.auth.token must be a non-empty string")
			}
			c := soap.Bearer(tok)
			return c, c, false, nil
		default:
			return soapCreds, restCreds, false, fmt.Errorf("options.auth: unknown style %q; use basic, soapHeader or token", style)
		}
	}
	panic("unreachable")
}

func userPassword(where string, v any) (user, password string, err error) {
	m, ok := v.(map[string]any)
	if !ok {
		return "", "", fmt.Errorf("%s must be an object {user, password}", where)
	}
	if err := knownKeys(where, m, "user", "password"); err != nil {
		return "", "", err
	}
	user, _ = m["user"].(string)
	password, _ = m["password"].(string)
	if user == "" {
		return "", "", fmt.Errorf("%s.user must be a non-empty string", where)
	}
	if _, ok := m["password"].(string); !ok {
		return "", "", fmt.Errorf("%s.password must be a string", where)
	}
	return user, password, nil
}

// parseVersions reads {Service: 'v7', …}; every service named must be
// bundled, and every version one the bundle has for it.
func parseVersions(v any, bundled map[string]contract.Version) (map[string]contract.Version, error) {
	out := map[string]contract.Version{}
	if v == nil {
		return out, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("options.versions must be an object such as {ManageDeviceService: 'v7'}")
	}
	for svc, val := range m {
		if _, ok := bundled[svc]; !ok {
			return nil, fmt.Errorf("options.versions: unknown service %q; bundled services are %s", svc, serviceList(bundled))
		}
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("options.versions.%s must be a string such as 'v7' or 'base'", svc)
		}
		ver, err := contract.ParseVersion(s)
		if err != nil {
			return nil, fmt.Errorf("options.versions.%s: %w", svc, err)
		}
		out[svc] = ver
	}
	return out, nil
}

func serviceList(bundled map[string]contract.Version) string {
	names := make([]string, 0, len(bundled))
	for n := range bundled {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func parseValidate(v any) (float64, error) {
	if v == nil {
		return 0, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return 0, errors.New("options.validate must be an object such as {sample: 0.01}")
	}
	if err := knownKeys("options.validate", m, "sample"); err != nil {
		return 0, err
	}
	s, ok := number(m["sample"])
	if !ok || !(s >= 0 && s <= 1) {
		return 0, errors.New("options.validate.sample must be a number from 0 (never) to 1 (every response)")
	}
	if s > 0 && !validationAvailable {
		return 0, errNoValidation
	}
	return s, nil
}

func parseTimeout(where string, v any) (time.Duration, error) {
	d, err := types.GetDurationValue(v)
	if err != nil || d <= 0 || d > maxTimeout {
		return 0, fmt.Errorf("%s must be a positive duration of at most %s, as a string ('30s') or milliseconds", where, maxTimeout)
	}
	return d, nil
}

// parseTags reads {name: value} with string, number or boolean values.
func parseTags(where string, v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be an object of tag names to values", where)
	}
	out := make(map[string]string, len(m))
	for k, val := range m {
		switch x := val.(type) {
		case string:
			out[k] = x
		case int64, float64, bool:
			out[k] = fmt.Sprint(x)
		default:
			return nil, fmt.Errorf("%s.%s must be a string, number or boolean", where, k)
		}
	}
	return out, nil
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}
