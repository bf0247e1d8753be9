// Package csvheader reads the CSV descriptions schemas/rest/extracts.yaml
// gives each CSV file an extract produces (the x-fnokit-extract,
// x-fnokit-file-name and x-fnokit-csv-columns extensions of its
// components/schemas, explained at the top of that document) and tells
// whether a header row fits one. The contract's own tests, the emulator's
// extracts tests and the REST suite check headers with the same reading.
package csvheader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fnokit/fnokit/internal/openapi"
)

// The extensions a CSV schema carries.
const (
	ExtExtract  = "x-fnokit-extract"
	ExtFileName = "x-fnokit-file-name"
	ExtColumns  = "x-fnokit-csv-columns"
)

// Column is one entry of x-fnokit-csv-columns: a fixed column (Name; with
// Optional it may be absent), or zero or more columns each matching
// Pattern, or zero or more blocks of columns matching Group in order.
// Patterns are ECMAScript regular expressions; Repeat marks, and only
// marks, the pattern and group entries.
type Column struct {
	Name     string   `json:"name,omitempty"`
	Optional bool     `json:"optional,omitempty"`
	Pattern  string   `json:"pattern,omitempty"`
	Group    []string `json:"group,omitempty"`
	Repeat   bool     `json:"repeat,omitempty"`
}

// Spec is the description of one CSV file.
type Spec struct {
	// Schema is the name of the components/schemas entry.
	Schema string
	// Extract is the job name whose artifact holds the file.
	Extract string
	// File matches the file's name inside a zip; nil for the one CSV of a
	// single-CSV extract.
	File    openapi3.RegexMatcher
	Columns []Column
	res     [][]openapi3.RegexMatcher // per column: its pattern, or its group
}

// Read returns the Spec of every schema of doc that lists CSV columns,
// sorted by schema name. Every malformed description is reported, joined
// in the error: an entry that is not exactly one of name, pattern and
// group, Repeat on other entries than pattern and group, a column name
// twice, a pattern that does not compile, a schema naming no extract.
func Read(doc *openapi3.T) ([]Spec, error) {
	var out []Spec
	var errs []error
	for name, ref := range doc.Components.Schemas {
		if ref.Value == nil {
			continue
		}
		ext := ref.Value.Extensions
		raw, ok := ext[ExtColumns]
		if !ok {
			continue
		}
		var cols []Column
		data, err := json.Marshal(raw)
		if err == nil {
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			err = dec.Decode(&cols)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", name, ExtColumns, err))
			continue
		}
		s, err := New(name, cols)
		if err != nil {
			errs = append(errs, err)
		}
		if s.Extract, ok = ext[ExtExtract].(string); !ok || s.Extract == "" {
			errs = append(errs, fmt.Errorf("%s lists CSV columns but names no extract (%s)", name, ExtExtract))
		}
		if p, ok := ext[ExtFileName].(string); ok {
			if s.File, err = openapi.CompileECMAScript(p); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", name, ExtFileName, err))
			}
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Schema < out[j].Schema })
	return out, errors.Join(errs...)
}

// New makes the Spec of schema from its columns, checking them as Read
// does. On error the Spec still holds every column whose patterns compile.
func New(schema string, cols []Column) (Spec, error) {
	s := Spec{Schema: schema, Columns: cols, res: make([][]openapi3.RegexMatcher, len(cols))}
	var errs []error
	names := map[string]bool{}
	for i, c := range cols {
		kinds := 0
		for _, set := range []bool{c.Name != "", c.Pattern != "", len(c.Group) > 0} {
			if set {
				kinds++
			}
		}
		if kinds != 1 {
			errs = append(errs, fmt.Errorf("%s column %d: want exactly one of name, pattern, group", schema, i))
		}
		if (c.Pattern != "" || len(c.Group) > 0) != c.Repeat {
			errs = append(errs, fmt.Errorf("%s column %d: pattern and group entries, and only they, repeat", schema, i))
		}
		if c.Name != "" && names[c.Name] {
			errs = append(errs, fmt.Errorf("%s: column %s twice", schema, c.Name))
		}
		names[c.Name] = true
		for _, p := range append(slices.Clip(c.Group), c.Pattern) {
			if p == "" {
				continue
			}
			re, err := openapi.CompileECMAScript(p)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s column %d: %w", schema, i, err))
				continue
			}
			if c.Pattern != "" {
				s.res[i] = []openapi3.RegexMatcher{re}
			} else {
				s.res[i] = append(s.res[i], re)
			}
		}
	}
	return s, errors.Join(errs...)
}

// Fits reports whether header is a header row the columns allow: the
// names in order (optional ones may be missing), each pattern or group
// taking zero or more columns. A malformed column (see New) fits nothing.
func (s Spec) Fits(header []string) bool {
	var from func(c, h int) bool
	from = func(c, h int) bool {
		if c == len(s.Columns) {
			return h == len(header)
		}
		col := s.Columns[c]
		if col.Name != "" {
			if h < len(header) && header[h] == col.Name && from(c+1, h+1) {
				return true
			}
			return col.Optional && from(c+1, h)
		}
		res := s.res[c]
		if len(res) == 0 || len(res) != max(len(col.Group), 1) {
			return false
		}
		// Each turn takes one more block; k grows, so the header's end
		// ends the loop.
		for k := h; ; k += len(res) {
			if from(c+1, k) {
				return true
			}
			if k+len(res) > len(header) {
				return false
			}
			for g, re := range res {
				if !re.MatchString(header[k+g]) {
					return false
				}
			}
		}
	}
	return from(0, 0)
}
