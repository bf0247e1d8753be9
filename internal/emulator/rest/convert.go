package rest

import (
	"encoding/json"
	"strconv"
	"time"
)

// ---- JSON request -> SOAP request map ----

// soapValue turns decoded JSON into the plain values the SOAP handlers read
// (internal/soap ToMap conventions): leaves as strings, booleans as
// "true"/"false", numbers as their text, arrays as []any, null as nil.
func soapValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = soapValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = soapValue(e)
		}
		return out
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return x.String()
	case float64: // not produced with UseNumber; kept for safety
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		return x
	}
	return nil
}

// equalsQuery makes a bare value criterion (REST "status": "ACTIVE",
// "userString": "alice", "fulfilledAmount": 0) the SimpleQueryType or
// NumberQueryType the SOAP request carries, with EQUALS; a
// {value, searchType} object is left as it is.
func equalsQuery(m map[string]any, key string) {
	switch v := m[key].(type) {
	case string:
		m[key] = map[string]any{"value": v, "searchType": "EQUALS"}
	}
}

// wrapList makes a JSON array the SOAP wrapper of a repeated element:
// "deviceTypes": [...] -> deviceTypes/deviceType.
func wrapList(m map[string]any, key, item string) {
	if l, ok := m[key].([]any); ok {
		m[key] = map[string]any{item: l}
	}
}

// ---- SOAP response map -> JSON ----

// Response fields whose SOAP text is a number or a boolean in JSON, and the
// date fields, which the REST examples show as epoch milliseconds. Keyed by
// field name: the REST responses reuse the SOAP names, and these names have
// one type wherever they occur in the application API.
var (
	intFields = set("numberOfCopies", "numberOfRemainingCopies", "availableExtraActivations",
		"overdraftMax", "remainingOverdraftCount", "numDuration", "count", "enabledCount",
		"consumedCount", "quantity", "overage", "allowedCount", "fulfilledCount", "duration")
	boolFields = set("autoGenerate", "isPermanent", "isTrustedType", "isAutoRenewal",
		"hasPrebuiltLicense", "hasAddonLicense", "currentOwner", "allowPortalLogin",
		"isCancelLicense", "isVirtualLicense", "useACPIGenerationId")
	dateFields = set("startDate", "expirationDate", "versionDate", "createdOnDateTime",
		"lastModifiedDateTime", "renewalExpirationDate", "licenseExpirationDate",
		"expirationDateOverride", "createdDate", "lastModifiedDate", "expiration")
)

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// toJSON converts a handler's answer for JSON: typed leaves by field name,
// nil (an omitted element) dropped.
func toJSON(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if c := jsonValue(k, v); c != nil {
			out[k] = c
		}
	}
	return out
}

func jsonValue(key string, v any) any {
	switch x := v.(type) {
	case map[string]any:
		return toJSON(x)
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if c := jsonValue(key, e); c != nil {
				out = append(out, c)
			}
		}
		return out
	case string:
		switch {
		case intFields[key]:
			if n, err := strconv.ParseInt(x, 10, 64); err == nil {
				return n
			}
		case boolFields[key]:
			if b, err := strconv.ParseBool(x); err == nil {
				return b
			}
		case dateFields[key]:
			if t, ok := parseDate(x); ok {
				return t.UnixMilli()
			}
		}
		return x
	case nil:
		return nil
	}
	return v
}

// parseDate reads an xsd:date or xsd:dateTime as the handlers format them.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
