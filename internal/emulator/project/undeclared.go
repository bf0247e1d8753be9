package project

import (
	"fmt"
	"slices"
	"sort"

	"github.com/fnokit/fnokit/schemas"
)

// Undeclared lists the keys of a handler's response content that no version
// of the service declares where they are, as slash paths below the
// response element (e.g. /devices/device/sitename). Response drops such keys
// silently, since a superset is expected, so a misspelt key would otherwise
// never show; handler tests call this to catch it. Keys under content the
// contracts do not describe (open or wildcard-only types) are not checked.
func Undeclared(service, operation string, content map[string]any) ([]string, error) {
	svc, err := serviceNamed(service)
	if err != nil {
		return nil, err
	}
	declared := map[string]bool{}
	found := false
	for _, v := range svc.Versions {
		p, err := For(service, v.Version)
		if err != nil {
			return nil, err
		}
		o, ok := p.ops[operation]
		if !ok {
			continue
		}
		found = true
		markDeclared(o.out, content, "", declared)
	}
	if !found {
		return nil, fmt.Errorf("no version of %s has operation %s", service, operation)
	}
	var out []string
	collectUndeclared(content, "", declared, &out)
	sort.Strings(out)
	return slices.Compact(out), nil
}

func serviceNamed(name string) (schemas.Service, error) {
	all, err := schemas.Services()
	if err != nil {
		return schemas.Service{}, err
	}
	for _, s := range all {
		if s.Name == name {
			return s, nil
		}
	}
	return schemas.Service{}, fmt.Errorf("no contract for service %s", name)
}

// markDeclared records the paths of content's keys that e's type declares,
// and the paths below which anything goes (open content), marked with a
// trailing "/*".
func markDeclared(e *elem, v any, path string, declared map[string]bool) {
	if e.open || (e.content != nil && e.content.opaque) {
		declared[path+"/*"] = true
		return
	}
	if e.content == nil {
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	for i := range e.content.kids {
		k := &e.content.kids[i]
		kv, present := m[k.name.Local]
		if !present {
			continue
		}
		p := path + "/" + k.name.Local
		declared[p] = true
		for _, it := range items(kv) {
			markDeclared(k, it, p, declared)
		}
	}
}

func collectUndeclared(v any, path string, declared map[string]bool, out *[]string) {
	m, ok := v.(map[string]any)
	if !ok || declared[path+"/*"] {
		return
	}
	for key, kv := range m {
		p := path + "/" + key
		if !declared[p] {
			*out = append(*out, p)
			continue
		}
		for _, it := range items(kv) {
			collectUndeclared(it, p, declared, out)
		}
	}
}

// items is a value as the list of element values it stands for.
func items(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case []map[string]any:
		out := make([]any, len(l))
		for i, m := range l {
			out[i] = m
		}
		return out
	case nil:
		return nil
	}
	return []any{v}
}
