package redact

import (
	"bytes"
	"mime"
	"strings"
)

// Body redacts a message body, choosing XML, JSON or text redaction from the
// content type, or from the first non-space byte when the content type is
// missing or generic. Forms (application/x-www-form-urlencoded) are
// redacted like a URL query.
func Body(contentType string, b []byte) ([]byte, Result) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch {
	case strings.HasSuffix(mt, "xml"):
		return XML(b)
	case strings.HasSuffix(mt, "json"):
		return JSON(b)
	case mt == "application/x-www-form-urlencoded":
		if q, ok := redactParams(string(b)); ok {
			return []byte(q), Result{Redacted: 1}
		}
		return b, Result{}
	}
	switch t := bytes.TrimLeft(b, " \t\r\n\ufeff"); {
	case len(t) == 0:
		return b, Result{}
	case t[0] == '<':
		return XML(b)
	case t[0] == '{' || t[0] == '[':
		return JSON(b)
	}
	s := Text(string(b))
	if s == string(b) {
		return b, Result{}
	}
	return []byte(s), Result{Redacted: 1}
}
