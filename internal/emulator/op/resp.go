package op

import (
	"strconv"
	"time"
)

// Building handler results: statusInfo answers and leaves that are omitted
// when they have no value (a nil leaf is dropped by the projection).

// Failure is a response that is only a statusInfo FAILURE with reason.
func Failure(reason string) map[string]any {
	return map[string]any{"statusInfo": Status("FAILURE", reason)}
}

// Success is a statusInfo SUCCESS response with responseData; data nil
// means no responseData.
func Success(data map[string]any) map[string]any {
	m := map[string]any{"statusInfo": Status("SUCCESS", "")}
	if data != nil {
		m["responseData"] = data
	}
	return m
}

// WriteStatus is the statusInfo of a create of total records of which
// failed failed: SUCCESS, PARTIAL_FAILURE or FAILURE, with a reason that
// counts them; what names the records ("accounts").
func WriteStatus(total, failed int, what string) map[string]any {
	switch {
	case failed == 0:
		return Status("SUCCESS", "")
	case failed == total:
		return Status("FAILURE", "no "+what+" could be created; see failedData")
	default:
		return Status("PARTIAL_FAILURE", strconv.Itoa(failed)+" of "+strconv.Itoa(total)+" "+what+" could not be created; see failedData")
	}
}

// TooMany is the FAILURE reason of a write with n records, what they are,
// when at most max are accepted.
func TooMany(n, max int, what string) string {
	return "the request has " + strconv.Itoa(n) + " " + what + "; at most " + strconv.Itoa(max) + " are accepted per request"
}

// NonEmpty is s, or nil when s is empty, so the element is omitted.
func NonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// DateOrNil formats t as an xsd:date (Date), or nil when t is zero.
func DateOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return Date(t)
}

// DateTimeOrNil formats t as an xsd:dateTime (DateTime), or nil when t is
// zero.
func DateTimeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return DateTime(t)
}
