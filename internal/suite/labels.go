package suite

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/schemas"
)

// Kind says whether a spec changes the target's state.
type Kind string

// Kinds of specs. Only Read specs run against a live target unless writes
// are allowed.
const (
	Read  Kind = "read"
	Write Kind = "write"
)

// Tier says how often a spec is worth running: Smoke specs cover the newest
// version of each service and run in every pipeline, Full the rest.
type Tier string

// Tiers.
const (
	Smoke Tier = "smoke"
	Full  Tier = "full"
)

// Label keys, as they appear in the labels ("service:ManageDeviceService").
const (
	KeyService = "service"
	KeyVersion = "version"
	KeyOp      = "op"
	KeyKind    = "kind"
	KeyTier    = "tier"
)

// known collects every label value the specs of this process use, so a
// convenience filter naming a service or operation no spec has is refused
// rather than read as an empty, green run.
var known = struct {
	sync.Mutex
	values map[string]map[string]string // key → lower-case value → value
}{values: map[string]map[string]string{}}

// Labels are the labels of a spec: service:<S> version:<v> op:<op>
// kind:read|write tier:smoke|full. Empty arguments are left out (a REST
// spec may have no version). Values must not hold the characters Ginkgo
// refuses in labels (&|!,()/).
func Labels(service, version, op string, kind Kind, tier Tier) ginkgo.Labels {
	var ls ginkgo.Labels
	add := func(key, value string) {
		if value == "" {
			return
		}
		ls = append(ls, key+":"+value)
		known.Lock()
		m := known.values[key]
		if m == nil {
			m = map[string]string{}
			known.values[key] = m
		}
		m[strings.ToLower(value)] = value
		known.Unlock()
	}
	add(KeyService, service)
	add(KeyVersion, version)
	add(KeyOp, op)
	add(KeyKind, string(kind))
	add(KeyTier, string(tier))
	return ls
}

// Filter is the convenience form of a label filter that `fnokit check`
// takes as flags. Each list is an OR, the lists and Expr are ANDed.
type Filter struct {
	// Services are service names; a SOAP service may be given without
	// its Service suffix (ManageDevice → ManageDeviceService).
	Services []string
	// Versions are base, v1 … (or 1 …).
	Versions []string
	// Ops are operation names.
	Ops []string
	// Tier and Kind keep one tier or kind; empty keeps all.
	Tier Tier
	Kind Kind
	// Expr is a Ginkgo label filter expression ANDed with the rest.
	Expr string
}

// LabelFilter translates the filter into one Ginkgo label-filter
// expression, e.g. (service:ManageDeviceService) && (version:v6 ||
// version:v7) && tier:smoke. Names no spec of this process uses are errors
// (checked only once specs have registered labels).
func (f Filter) LabelFilter() (string, error) {
	var parts []string
	group := func(key string, values []string, norm func(string) (string, error)) error {
		var alts []string
		seen := map[string]bool{}
		for _, v := range values {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			n, err := norm(v)
			if err != nil {
				return err
			}
			if strings.ContainsAny(n, "&|!,()/: ") {
				return fmt.Errorf("%s %q: names hold letters, digits, - and . only", key, v)
			}
			if err := checkKnown(key, n); err != nil {
				return err
			}
			if !seen[n] {
				seen[n] = true
				alts = append(alts, key+":"+n)
			}
		}
		switch len(alts) {
		case 0:
		case 1:
			parts = append(parts, alts[0])
		default:
			parts = append(parts, "("+strings.Join(alts, " || ")+")")
		}
		return nil
	}
	if err := group(KeyService, f.Services, func(s string) (string, error) { return ServiceName(s), nil }); err != nil {
		return "", err
	}
	if err := group(KeyVersion, f.Versions, func(s string) (string, error) {
		v, err := contract.ParseVersion(s)
		if err != nil {
			return "", fmt.Errorf("version %q: %w", s, err)
		}
		return v.String(), nil
	}); err != nil {
		return "", err
	}
	if err := group(KeyOp, f.Ops, func(s string) (string, error) { return s, nil }); err != nil {
		return "", err
	}
	switch f.Tier {
	case "":
	case Smoke, Full:
		parts = append(parts, KeyTier+":"+string(f.Tier))
	default:
		return "", fmt.Errorf("tier %q: want smoke or full", f.Tier)
	}
	switch f.Kind {
	case "":
	case Read, Write:
		parts = append(parts, KeyKind+":"+string(f.Kind))
	default:
		return "", fmt.Errorf("kind %q: want read or write", f.Kind)
	}
	if e := strings.TrimSpace(f.Expr); e != "" {
		if err := checkExpr(e); err != nil {
			return "", err
		}
		if len(parts) == 0 {
			return e, nil
		}
		parts = append(parts, "("+e+")")
	}
	return strings.Join(parts, " && "), nil
}

// checkKnown refuses a value no registered spec uses under key. Before any
// spec registered a label (a process without suites), everything passes.
func checkKnown(key, value string) error {
	known.Lock()
	defer known.Unlock()
	if len(known.values) == 0 {
		return nil
	}
	m := known.values[key]
	if _, ok := m[strings.ToLower(value)]; ok {
		return nil
	}
	names := make([]string, 0, len(m))
	for _, v := range m {
		names = append(names, v)
	}
	sort.Strings(names)
	hint := ""
	if len(names) > 0 && len(names) <= 40 {
		hint = ": the specs know " + strings.Join(names, ", ")
	}
	return fmt.Errorf("no spec has %s:%s%s", key, value, hint)
}

// ServiceName maps a short SOAP service name to the full one
// (ManageDevice → ManageDeviceService, case-insensitively); names that are
// no SOAP service (REST APIs) come back as given.
func ServiceName(s string) string {
	all, err := schemas.Services()
	if err != nil {
		return s
	}
	for _, want := range []string{s, s + "Service"} {
		for _, svc := range all {
			if strings.EqualFold(svc.Name, want) {
				return svc.Name
			}
		}
	}
	return s
}

// labelValue returns the value of key among labels ("" when absent).
func labelValue(labels []string, key string) string {
	for _, l := range labels {
		if k, v, ok := strings.Cut(l, ":"); ok && k == key {
			return v
		}
	}
	return ""
}

// ansi matches the terminal colour codes Ginkgo puts into its errors.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// checkExpr parses a label filter expression, with Ginkgo's error made
// plain text.
func checkExpr(e string) error {
	if _, err := types.ParseLabelFilter(e); err != nil {
		msg := strings.TrimSpace(ansi.ReplaceAllString(err.Error(), ""))
		return fmt.Errorf("label filter: %s", strings.Join(strings.Fields(msg), " "))
	}
	return nil
}
