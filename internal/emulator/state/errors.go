package state

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Kinds of failure, for errors.Is. Every error a Store method returns wraps
// one of them; its message is a reason fit for statusInfo or failedData
// (it names fields, never their values).
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	ErrInvalid  = errors.New("invalid")
	ErrNoCopies = errors.New("not enough remaining copies")
	ErrState    = errors.New("not allowed in the current state")
)

// Error is a business failure with a reason handlers can return as is.
type Error struct {
	Kind   error // one of the Err* sentinels
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

func fail(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) error { return fail(ErrInvalid, format, args...) }

// forbiddenIDChars are the characters FNO refuses in entitlement and
// activation IDs.
const forbiddenIDChars = ",\"&%^()#@!~/<>`}{=|."

// MaxIDLength is the longest entitlement or activation ID FNO accepts.
const MaxIDLength = 255

// ValidateID checks an entitlement or activation ID against FNO's rules:
// not empty, at most 255 characters, none of , " & % ^ ( ) # @ ! ~ / < > ` } { = | .
// what names the field in the reason ("entitlementId", "activationId").
// Uniqueness is checked by the create methods.
func ValidateID(what, id string) error {
	if strings.TrimSpace(id) == "" {
		return invalidf("%s must not be empty", what)
	}
	if utf8.RuneCountInString(id) > MaxIDLength {
		return invalidf("%s is longer than %d characters", what, MaxIDLength)
	}
	if i := strings.IndexAny(id, forbiddenIDChars); i >= 0 {
		return invalidf("%s contains the forbidden character %q", what, id[i])
	}
	return nil
}

func containsFold(s, sub string) bool {
	if sub == "" {
		return true
	}
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

// dayOf is the calendar day number (UTC) of t.
func dayOf(t time.Time) int64 {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}
