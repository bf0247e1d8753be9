package xsd

import "strings"

// libxml2 quotes the offending value in many of its messages ("The value
// 'secret' is not accepted by the pattern '[A-Z]+'"). Findings must never
// echo payload values, so sanitize rewrites those messages: element and
// attribute names, type names, facets and the pattern or enumeration from
// the schema stay; the value goes.

// valueIntros start a quoted value in libxml2's schema messages.
var valueIntros = []string{"The value '", "The actual value '", "The QName value '", "the value '", "value '"}

// valueEnds follow a quoted value; the text from the matched end on comes
// from the schema (facet limits, type names) and is kept.
var valueEnds = []string{
	"' is not accepted by the pattern '",
	"' is not an element of the set {",
	"' is less than the minimum value allowed",
	"' is greater than the maximum value allowed",
	"' must be greater than '",
	"' must be less than '",
	"' has more digits than are allowed",
	"' has more fractional digits than are allowed",
	"' is not facet-valid",
	"' has a length of '",
	"' does not match the fixed value constraint",
	"' does not resolve to",
	"' of simple type",
	"' is not a valid value of",
	"' is not valid",
}

// sanitize returns msg without the payload values libxml2 quoted in it.
// values are the texts of the node concerned; any still present after the
// rewrite is blanked too.
func sanitize(msg string, values []string) string {
	msg = strings.TrimSpace(msg)
	head, rest := splitSubject(msg)
	rest = dropValues(rest)
	for _, v := range values {
		for _, form := range []string{v, strings.TrimSpace(v), strings.Join(strings.Fields(v), " ")} {
			if len(form) >= 3 {
				rest = strings.ReplaceAll(rest, form, "…")
			}
		}
	}
	return head + rest
}

// splitSubject keeps libxml2's "Element 'name': " or "Element 'name',
// attribute 'a': " prefix apart: names cannot contain quotes, so the first
// "': " ends it.
func splitSubject(msg string) (string, string) {
	if !strings.HasPrefix(msg, "Element '") {
		return "", msg
	}
	i := strings.Index(msg, "': ")
	if i < 0 {
		return "", msg
	}
	return msg[:i+3], msg[i+3:]
}

func dropValues(s string) string {
	// A value first: "'abc' is not a valid value of the atomic type 'xs:int'."
	if strings.HasPrefix(s, "'") {
		if end, ok := lastEnd(s, 1); ok {
			s = "The value" + s[end+1:]
		} else {
			s = "The value" + afterQuoted(s, 1)
		}
	}
	for {
		changed := false
		for _, intro := range valueIntros {
			i := strings.Index(s, intro)
			if i < 0 {
				continue
			}
			from := i + len(intro)
			word := strings.TrimSuffix(intro, "'")
			if end, ok := lastEnd(s, from); ok {
				s = s[:i] + word[:len(word)-1] + s[end+1:]
			} else {
				s = s[:i] + word[:len(word)-1] + afterQuoted(s, from)
			}
			changed = true
			break
		}
		if !changed {
			break
		}
	}
	// "has a length of '12'; this exceeds the allowed maximum length of '10'"
	if i := strings.Index(s, " has a length of '"); i >= 0 {
		if j := strings.Index(s[i:], "'; this "); j >= 0 {
			s = s[:i] + " " + s[i+j+len("'; this "):]
		}
	}
	// Identity constraints quote the key values: "key-sequence ['a', 'b']".
	if i := strings.Index(s, "key-sequence ["); i >= 0 {
		if j := strings.LastIndex(s, "]"); j > i {
			s = s[:i] + "key-sequence" + s[j+1:]
		}
	}
	return s
}

// lastEnd finds the last known end marker after from: values may contain
// quotes and even marker text, the schema part after the last marker may not.
func lastEnd(s string, from int) (int, bool) {
	best := -1
	for _, e := range valueEnds {
		if j := strings.LastIndex(s[from:], e); j >= 0 && (best < 0 || from+j > best) {
			best = from + j
		}
	}
	return best, best >= 0
}

// afterQuoted returns what follows an unrecognised quoted value starting at
// from: up to the last "' " or "'." so nothing of the value survives.
func afterQuoted(s string, from int) string {
	j := strings.LastIndex(s[from:], "'")
	if j < 0 {
		return ""
	}
	return s[from+j+1:]
}

// subjectAttribute returns the attribute named in libxml2's "Element 'e',
// attribute 'a': " prefix, or "".
func subjectAttribute(msg string) string {
	head, _ := splitSubject(msg)
	const marker = "', attribute '"
	i := strings.Index(head, marker)
	if i < 0 {
		return ""
	}
	name := strings.TrimSuffix(head[i+len(marker):], "': ")
	if j := strings.IndexByte(name, '}'); j >= 0 {
		name = name[j+1:]
	}
	return name
}

// parseMessage words a libxml2 well-formedness error for a finding. Only the
// first line is kept: libxml2 adds the offending bytes on a second line
// ("Bytes: 0xFF 0xFE ...").
func parseMessage(msg string) string {
	msg, _, _ = strings.Cut(strings.TrimSpace(msg), "\n")
	if strings.HasPrefix(msg, "Input is not proper UTF-8") {
		return "the input is not valid UTF-8 (and declares no other encoding)"
	}
	return strings.TrimSpace(sanitize(msg, nil))
}
