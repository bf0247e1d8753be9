package contract

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Severity says how much a finding matters. Errors are contract violations;
// warnings are suspicious but allowed; info is for the record.
type Severity int

// Severities, in increasing order of weight.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity reads the text form written by String.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(s) {
	case "info":
		return Info, nil
	case "warning":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// MarshalText writes the severity as its name so reports stay readable.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Finding is one contract violation (or note) found by any check: XSD or
// OpenAPI validation, a golden comparison, a schema lint, a behaviour check.
// A finding is a value, not an error: an error means the check could not run.
//
// Message must never carry payload values or secrets; validators describe
// what was wrong ("value does not match pattern"), not the value itself.
type Finding struct {
	// Rule is the stable kebab-case ID of the rule broken; see Rules.
	Rule string `json:"rule"`
	// Severity defaults to the rule's level.
	Severity Severity `json:"severity"`
	// Target names what was checked: a file, or service/version/operation.
	Target string `json:"target,omitempty"`
	// Location points inside the target: an XPath-like path for XML
	// (/searchDevicesResponse/responseData/device[3]/deviceId), a JSON
	// Pointer for JSON (/items/0/id), or file:line for sources.
	Location string `json:"location,omitempty"`
	// Message says what is wrong, without echoing the offending value.
	Message string `json:"message"`
}

// New makes a finding at the rule's default severity.
func New(rule, target, location, message string) Finding {
	return Finding{Rule: rule, Severity: RuleSeverity(rule), Target: target, Location: location, Message: message}
}

func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Severity.String())
	b.WriteString(" [")
	b.WriteString(f.Rule)
	b.WriteString("]")
	if f.Target != "" {
		b.WriteString(" ")
		b.WriteString(f.Target)
	}
	if f.Location != "" {
		b.WriteString(" at ")
		b.WriteString(f.Location)
	}
	b.WriteString(": ")
	b.WriteString(f.Message)
	return b.String()
}

// Findings is a list of findings with helpers the reporters and the CLI share.
type Findings []Finding

// HasErrors reports whether any finding is an error: the CLI exits 2 then.
func (fs Findings) HasErrors() bool {
	for _, f := range fs {
		if f.Severity >= Error {
			return true
		}
	}
	return false
}

// WithTarget returns a copy where findings without a target get t.
func (fs Findings) WithTarget(t string) Findings {
	out := make(Findings, len(fs))
	for i, f := range fs {
		if f.Target == "" {
			f.Target = t
		}
		out[i] = f
	}
	return out
}

// Sort orders findings by target, location, rule and message so reports
// are stable from run to run.
func (fs Findings) Sort() {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Location != b.Location {
			return a.Location < b.Location
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Message < b.Message
	})
}

// MarshalJSON keeps an empty list as [] rather than null.
func (fs Findings) MarshalJSON() ([]byte, error) {
	if fs == nil {
		return []byte("[]"), nil
	}
	return json.Marshal([]Finding(fs))
}
