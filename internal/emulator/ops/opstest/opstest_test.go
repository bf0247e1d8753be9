package opstest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
)

// recorder is a testing.TB that keeps what would have failed the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}

func TestCheckReportsWhatBreaksTheSchema(t *testing.T) {
	t.Parallel()
	EachVersion(t, func(t *testing.T, s *Schema) {
		const operation = "getProductsQuery"
		if _, ok := s.Version.Operation(operation); !ok {
			t.Skipf("%s has no %s", s.Version.Version, operation)
		}
		if req := s.Sample(t, operation); req == nil {
			t.Error("the request sample reads as nil")
		}
		for _, tt := range []struct {
			name            string
			out             map[string]any
			valid, declared bool // Check, Declared have nothing to say
		}{
			{"a failure", op.Failure("why"), true, true},
			{"statusInfo missing", map[string]any{}, false, true},
			{"status outside the enumeration", map[string]any{"statusInfo": op.Status("BOGUS", "")}, false, true},
			{"undeclared key", map[string]any{"statusInfo": op.Status("FAILURE", "x"), "noSuchElement": "x"}, true, false},
		} {
			var r recorder
			r.TB = t
			s.Check(&r, tt.name, operation, tt.out)
			if (len(r.errs) == 0) != tt.valid {
				t.Errorf("%s: Check said %q", tt.name, r.errs)
			}
			r.errs = nil
			s.Declared(&r, tt.name, operation, tt.out)
			if (len(r.errs) == 0) != tt.declared {
				t.Errorf("%s: Declared said %q", tt.name, r.errs)
			}
			for _, e := range r.errs {
				if !strings.HasPrefix(e, tt.name) {
					t.Errorf("%s: message without its label: %q", tt.name, e)
				}
			}
		}
	}, "ProductPackagingService")
}

func TestCallRunsTheRegisteredHandler(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)
	r := op.NewRegistry()
	r.HandleFrom("S", "o", "v2", func(_ context.Context, c *op.Call) (map[string]any, error) {
		return op.Success(map[string]any{"user": c.User, "now": op.DateTime(c.Now), "version": c.Op.Version.String(),
			"id": op.Str(c.Request, "id")}), nil
	})
	out := Call(t, r, "S", "v3", "o", map[string]any{"id": "X"}, now)
	if Status(out) != "SUCCESS" {
		t.Fatalf("status %q", Status(out))
	}
	want := map[string]string{"user": "admin", "now": op.DateTime(now), "version": "v3", "id": "X"}
	for k, v := range want {
		if got := op.Str(out, "responseData", k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if s := Simple("a", "EQUALS"); op.Str(s, "value") != "a" || op.Str(s, "searchType") != "EQUALS" {
		t.Errorf("Simple = %v", s)
	}
}
