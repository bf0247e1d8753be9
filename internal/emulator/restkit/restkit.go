// Package restkit holds what every REST API of the emulator needs and
// should not write twice: JSON bodies in and out within limits, the
// credentials of a request (HTTP Basic, FNO's "Fno" scheme, Bearer), and
// the HS256 JSON Web Tokens the Data Access, Software Container Delivery
// and Event Notification APIs issue from their authenticate routes.
//
// Messages name what is wrong with a request, never a value from it.
package restkit

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Error is a request the API refuses: the HTTP status to answer and a
// reason that is safe to show (it names fields, never values).
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// WriteJSON answers v as JSON with status. A value that cannot be encoded
// becomes a 500 with a generic body rather than a half-written answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"message":"the answer could not be encoded"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}

// IsJSON reports whether a Content-Type header names JSON
// (application/json or any +json type).
func IsJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// ReadJSON decodes the request body, a single JSON value of at most
// maxBody bytes (≤ 0: 1 MiB), into dst. When dst is *any or
// *map[string]any numbers stay json.Number, so integers keep their exact
// text. It answers 415 for a body that is not JSON, 413 for one over the
// limit and 400 for one that does not decode.
func ReadJSON(w http.ResponseWriter, r *http.Request, maxBody int64, dst any) *Error {
	if !IsJSON(r.Header.Get("Content-Type")) {
		return &Error{http.StatusUnsupportedMediaType, "the body must be JSON: send Content-Type: application/json"}
	}
	if maxBody <= 0 {
		maxBody = 1 << 20
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &Error{http.StatusRequestEntityTooLarge, "the body is larger than the emulator's limit (--max-body)"}
		}
		return &Error{http.StatusBadRequest, "the body could not be read"}
	}
	return DecodeJSON(data, dst)
}

// DecodeJSON decodes one JSON value from data into dst, as ReadJSON does.
func DecodeJSON(data []byte, dst any) *Error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	switch dst.(type) {
	case *any, *map[string]any:
		dec.UseNumber()
	}
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return &Error{http.StatusBadRequest, "the body is not valid: field " + typeErr.Field + " has the wrong type"}
		}
		if errors.As(err, &typeErr) {
			return &Error{http.StatusBadRequest, "the body is not valid: expected a JSON " + typeErr.Type.Kind().String()}
		}
		return &Error{http.StatusBadRequest, "the body is not valid JSON"}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{http.StatusBadRequest, "the body is not valid JSON: more than one value"}
	}
	return nil
}

// BasicOrFno returns the user name and password of an Authorization
// header in the "Basic" scheme or FNO's "Fno" scheme (the same Base64 of
// user:password under FNO's own name, seed 001 on the registry and
// notification authenticate routes). Scheme names are case-insensitive.
func BasicOrFno(r *http.Request) (user, password string, ok bool) {
	scheme, cred, found := strings.Cut(r.Header.Get("Authorization"), " ")
	if !found || !(strings.EqualFold(scheme, "Basic") || strings.EqualFold(scheme, "Fno")) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", "", false
	}
	user, password, ok = strings.Cut(string(raw), ":")
	if !ok {
		return "", "", false
	}
	return user, password, true
}

// DefaultRealm is the realm the emulator's APIs announce when their
// configuration names none.
const DefaultRealm = "FlexNet Operations (fnokit emulator)"

// Challenge is a WWW-Authenticate value for scheme ("Basic", "Bearer")
// in realm. A double quote in realm (a configured one may hold any text)
// becomes a single quote, so the quoted string stays well formed.
func Challenge(scheme, realm string) string {
	return scheme + ` realm="` + strings.ReplaceAll(realm, `"`, "'") + `"`
}

// Bearer returns the token of an "Authorization: Bearer <token>" header.
func Bearer(r *http.Request) (token string, ok bool) {
	scheme, tok, found := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	if !found || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return "", false
	}
	return tok, true
}
