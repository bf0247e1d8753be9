package openapi

import (
	"regexp"
	"strings"
	"testing"
)

const (
	idPattern      = "^(?!\\s*$)(?!.*['\"&%^()#@!~/<>`{}=|]).*$"
	addressPattern = `^$|^[ a-zA-Z0-9_-]+$`
)

// The vendor's ID pattern needs lookaheads: Go's regexp refuses it, which is
// why the package compiles patterns with regexp2 instead of skipping them.
func TestGoRegexpCannotCompileVendorPattern(t *testing.T) {
	t.Parallel()
	if _, err := regexp.Compile(idPattern); err == nil {
		t.Fatal("Go's regexp compiled a lookahead: the premise of the ECMAScript compiler is gone, revisit it")
	}
	if _, err := CompileECMAScript(idPattern); err != nil {
		t.Fatalf("ECMAScript compile: %v", err)
	}
}

func TestCompileECMAScriptMatches(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, value string
		want           bool
	}{
		{idPattern, "ent-id-1234", true},
		{idPattern, "K_Ent2.v1,x", true},
		{idPattern, "", false},
		{idPattern, "   ", false},
		{idPattern, "a&b", false},
		{idPattern, "a\nb", false}, // ECMAScript '.' stops at line terminators
		{addressPattern, "", true},
		{addressPattern, "Building-Street-City", true},
		{addressPattern, "12 Main St.", false},
		{`^\d{4}-\d{2}-\d{2}$`, "2025-01-01", true},
		{`^\d{4}-\d{2}-\d{2}$`, "2025-1-01", false},
		{`\u0041`, "A", true}, // ECMAScript escapes Go's regexp lacks
	}
	for _, c := range cases {
		m, err := CompileECMAScript(c.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", c.pattern, err)
		}
		if got := m.MatchString(c.value); got != c.want {
			t.Errorf("%q on %q: got %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
}

func TestCompileECMAScriptCachesPatternsAndErrors(t *testing.T) {
	t.Parallel()
	a, _ := compileECMAScript(addressPattern)
	b, _ := compileECMAScript(addressPattern)
	if a == nil || a != b {
		t.Error("the same pattern compiled twice gave two matchers; it must be cached")
	}
	m, err := CompileECMAScript(`^(unclosed`)
	if err == nil || m != nil {
		t.Fatalf("bad pattern: got matcher %v, err %v; want nil matcher and an error", m, err)
	}
	_, err2 := CompileECMAScript(`^(unclosed`)
	if err2 == nil || err2.Error() != err.Error() {
		t.Errorf("the compile error is not cached: %v vs %v", err, err2)
	}
}

// A catastrophically backtracking pattern gives up after MatchTimeout and
// the value counts as not matching, instead of hanging the validator.
func TestCompileECMAScriptTimesOut(t *testing.T) {
	t.Parallel()
	m, err := compileECMAScript(`^(a+)+$`)
	if err != nil {
		t.Fatal(err)
	}
	evil := strings.Repeat("a", 40) + "!"
	if m.MatchString(evil) {
		t.Fatal("a value that cannot match matched")
	}
	if !m.matchTimedOut(evil) {
		t.Fatal("the match should have timed out (if regexp2 learnt to avoid this backtracking, pick a nastier pattern)")
	}
	if m.matchTimedOut("aaa!") {
		t.Error("a short mismatch is reported as a timeout")
	}
}
