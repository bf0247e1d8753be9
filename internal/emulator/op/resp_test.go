package op

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestStatusResponses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		got  map[string]any
		want map[string]any
	}{
		{"failure", Failure("why"), map[string]any{"statusInfo": map[string]any{"status": "FAILURE", "reason": "why"}}},
		{"success without data", Success(nil), map[string]any{"statusInfo": map[string]any{"status": "SUCCESS"}}},
		{"success with data", Success(map[string]any{"count": "1"}),
			map[string]any{"statusInfo": map[string]any{"status": "SUCCESS"}, "responseData": map[string]any{"count": "1"}}},
	} {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}

func TestWriteStatusCountsFailures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		total, failed int
		status        string
		reason        []string // substrings of the reason; none: no reason
	}{
		{3, 0, "SUCCESS", nil},
		{3, 3, "FAILURE", []string{"no accounts", "failedData"}},
		{3, 1, "PARTIAL_FAILURE", []string{"1 of 3 accounts", "failedData"}},
	} {
		got := WriteStatus(tt.total, tt.failed, "accounts")
		if got["status"] != tt.status {
			t.Errorf("%d of %d: status %v, want %s", tt.failed, tt.total, got["status"], tt.status)
		}
		reason, _ := got["reason"].(string)
		if len(tt.reason) == 0 && reason != "" {
			t.Errorf("%d of %d: reason %q, want none", tt.failed, tt.total, reason)
		}
		for _, s := range tt.reason {
			if !strings.Contains(reason, s) {
				t.Errorf("%d of %d: reason %q lacks %q", tt.failed, tt.total, reason, s)
			}
		}
	}
	if r := TooMany(30, 25, "users"); !strings.Contains(r, "30 users") || !strings.Contains(r, "at most 25") {
		t.Errorf("TooMany: %q", r)
	}
}

func TestOrNilOmitsZeroValues(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 3, 14, 9, 26, 53, 0, time.FixedZone("x", 3600))
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"NonEmpty of text", NonEmpty("a"), "a"},
		{"NonEmpty of empty", NonEmpty(""), nil},
		{"DateOrNil", DateOrNil(at), "2025-03-14"},
		{"DateOrNil of zero", DateOrNil(time.Time{}), nil},
		{"DateTimeOrNil", DateTimeOrNil(at), "2025-03-14T08:26:53.000Z"},
		{"DateTimeOrNil of zero", DateTimeOrNil(time.Time{}), nil},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %#v, want %#v", tt.name, tt.got, tt.want)
		}
	}
}
