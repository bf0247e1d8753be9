package notify

import (
	"maps"
	"net/url"
	"strings"
	"unicode"

	"github.com/fnokit/fnokit/internal/loopback"
)

// The configuration's properties (notification.yaml NotificationSettings).
const (
	propDeviceSub     = "deviceSubscription"
	propDeviceURLSeed = "deviceWehookUrl" // the seed's spelling (002 line 331)
	propDeviceURLHelp = "deviceWebhookUrl"
	propEntSub        = "entitlementSubscription"
	propEntURL        = "entitlementWebhookUrl"
	propProdSub       = "productSubscription"
	propProdURL       = "productWebhookUrl"
	propCustomAttrs   = "includeLineItemCustomAttributes"
	propAuthType      = "authType"
	propBasicUser     = "basicUserId"
	propBasicPassword = "basicPassword"
	propAuthToken     = "authToken"
	propFNOURL        = "fnoServiceUrl"
)

// maxURL is the contract's cap on a webhook URL (EN-10).
const maxURL = 2048

// maxString caps the other string properties: the contract gives none,
// but a configuration is no place for megabytes.
const maxString = 4096

type propKind int

const (
	kindFlag propKind = iota
	kindURL
	kindString
	kindAuthType
)

// props lists the known properties in the contract's order, so problems
// are reported in a stable order. Unknown properties are ignored (EN-11).
var props = []struct {
	name   string
	kind   propKind
	secret bool // never answered (EN-2)
}{
	{propDeviceSub, kindFlag, false},
	{propDeviceURLSeed, kindURL, false},
	{propDeviceURLHelp, kindURL, false},
	{propEntSub, kindFlag, false},
	{propEntURL, kindURL, false},
	{propProdSub, kindFlag, false},
	{propProdURL, kindURL, false},
	{propCustomAttrs, kindFlag, false},
	{propAuthType, kindAuthType, false},
	{propBasicUser, kindString, false},
	{propBasicPassword, kindString, true},
	{propAuthToken, kindString, true},
	{propFNOURL, kindString, false},
}

// parseSettings keeps the known properties of a POST or PATCH body,
// checking each one's type and form. Problems name the property and what
// is wrong, never its value.
func parseSettings(body map[string]any, allowRemote bool) (map[string]any, []string) {
	out := map[string]any{}
	var problems []string
	for _, p := range props {
		v, ok := body[p.name]
		if !ok {
			continue
		}
		why := ""
		switch p.kind {
		case kindFlag:
			if !isFlag(v) {
				why = "must be true or false (a JSON boolean, or the string \"true\" or \"false\")"
			}
		case kindURL:
			why = checkURL(v, allowRemote)
		case kindAuthType:
			if s, _ := v.(string); s != "basic" && s != "bearer" && s != "none" {
				why = "must be basic, bearer or none"
			}
		case kindString:
			if s, ok := v.(string); !ok {
				why = "must be a string"
			} else if len(s) > maxString {
				why = "is too long"
			}
		}
		if why != "" {
			problems = append(problems, p.name+" "+why)
			continue
		}
		out[p.name] = v
	}
	if a, b := out[propDeviceURLSeed], out[propDeviceURLHelp]; a != nil && b != nil && a != b {
		problems = append(problems, propDeviceURLSeed+" and "+propDeviceURLHelp+" are two spellings of one webhook: give one")
	}
	return out, problems
}

// merge applies a PATCH to the stored configuration (EN-5): the given
// properties replace theirs, the others stay. A device webhook URL given
// under either spelling replaces the stored one under both.
func merge(stored, patch map[string]any) map[string]any {
	out := maps.Clone(stored)
	if out == nil {
		out = map[string]any{}
	}
	if patch[propDeviceURLSeed] != nil || patch[propDeviceURLHelp] != nil {
		delete(out, propDeviceURLSeed)
		delete(out, propDeviceURLHelp)
	}
	maps.Copy(out, patch)
	return out
}

// checkComplete returns what a whole configuration lacks: a subscription
// switched on needs its webhook URL, an authType its credentials.
func checkComplete(m map[string]any) []string {
	var problems []string
	for _, sub := range []struct{ flag, url, alt string }{
		{propDeviceSub, propDeviceURLHelp, propDeviceURLSeed},
		{propEntSub, propEntURL, ""},
		{propProdSub, propProdURL, ""},
	} {
		if !flagOn(m[sub.flag]) || m[sub.url] != nil || (sub.alt != "" && m[sub.alt] != nil) {
			continue
		}
		name := sub.url
		if sub.alt != "" {
			name += " (or " + sub.alt + ")"
		}
		problems = append(problems, sub.flag+" is true but "+name+" is not set")
	}
	switch m[propAuthType] {
	case "basic":
		if str(m[propBasicUser]) == "" || str(m[propBasicPassword]) == "" {
			problems = append(problems, "authType basic needs basicUserId and basicPassword")
		}
	case "bearer":
		if str(m[propAuthToken]) == "" {
			problems = append(problems, "authType bearer needs authToken")
		}
	}
	return problems
}

// render is the configuration as answered: secrets left out (EN-2).
func render(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for _, p := range props {
		if v, ok := m[p.name]; ok && !p.secret {
			out[p.name] = v
		}
	}
	return out
}

// subscription is what delivering device events needs from a
// configuration, fixed when it was stored.
type subscription struct {
	url      string
	target   string // url without user info, query and fragment: safe to log
	authType string
	user     string
	password string
	token    string
	version  uint64 // the configuration's version, for the log
}

// deviceSubscription returns the device subscription of a complete
// configuration, or nil when device events are off.
func deviceSubscription(m map[string]any, version uint64) *subscription {
	if !flagOn(m[propDeviceSub]) {
		return nil
	}
	u := str(m[propDeviceURLHelp])
	if u == "" {
		u = str(m[propDeviceURLSeed])
	}
	if u == "" {
		return nil
	}
	return &subscription{
		url: u, target: safeTarget(u), authType: str(m[propAuthType]),
		user: str(m[propBasicUser]), password: str(m[propBasicPassword]), token: str(m[propAuthToken]),
		version: version,
	}
}

func isFlag(v any) bool {
	switch x := v.(type) {
	case bool:
		return true
	case string:
		return x == "true" || x == "false"
	}
	return false
}

func flagOn(v any) bool { return v == true || v == "true" }

func str(v any) string { s, _ := v.(string); return s }

// checkURL checks a webhook URL (EN-10 and the loopback rule).
func checkURL(v any, allowRemote bool) string {
	s, ok := v.(string)
	if !ok {
		return "must be a string (an absolute http or https URL)"
	}
	if s == "" || len(s) > maxURL {
		return "must be 1 to 2048 characters long"
	}
	if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
		return "must be an absolute http or https URL"
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return "must not contain white space"
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return "must be an absolute http or https URL with a host"
	}
	if !allowRemote && !loopback.Host(u.Hostname()) {
		return "must name a loopback host (127.0.0.1, [::1] or localhost): this emulator calls no remote webhook unless it is started with remote webhooks allowed"
	}
	return ""
}

// safeTarget is a webhook URL fit for the log: scheme, host and path.
func safeTarget(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}
