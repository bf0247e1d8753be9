package rest_test

// The generator of callout.yaml's components section. callout.yaml cannot
// $ref the callout JSON Schemas (internal/openapi follows references only to
// files under the document's own directory, and ../callout is a sibling), so
// its components are a mechanical translation of them: each file's root
// becomes the component named by its title, each $defs/X the component X,
// and "#" / "#/$defs/X" references follow. Everything above the components:
// line is hand-written; TestCalloutComponents (notification_beta_callout_test.go)
// fails when the section drifts and, with -update, rewrites it:
//
//	go test ./schemas/rest -run TestCalloutComponents -update
//
// The YAML layout is the one PyYAML's yaml.dump(width=100, sort_keys=False)
// gave the Python script this replaces, so the switch changed no byte:
// block style, two-space indent, sequences in a mapping not indented, a
// string plain when YAML would read it back as that string and single-quoted
// otherwise, long values folded at the first space past column 100.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the components section of callout.yaml from ../callout/*.schema.json")

// calloutSchemaFiles are translated in this order: the request's components
// come first, then the response's (a $defs entry both share keeps its first
// place).
var calloutSchemaFiles = []string{"capability-request", "capability-response"}

const (
	calloutDoc        = "callout.yaml"
	componentsLine    = "components:\n"
	calloutRegenerate = "go test ./schemas/rest -run TestCalloutComponents -update"
	yamlWidth         = 100 // PyYAML's width: a folded line ends at the first space past it
)

// member and object keep a JSON object's keys in file order, which
// encoding/json's maps lose and the output must keep.
type member struct {
	Key   string
	Value any
}

type object []member

func (o object) get(key string) (any, bool) {
	for _, m := range o {
		if m.Key == key {
			return m.Value, true
		}
	}
	return nil, false
}

// decodeOrdered reads one JSON value: object, []any, string, json.Number,
// bool or nil.
func decodeOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch d := tok.(type) {
	case json.Delim:
		switch d {
		case '{':
			o := object{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, member{Key: k.(string), Value: v})
			}
			_, err := dec.Token() // }
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token() // ]
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", d)
	}
	return tok, nil
}

func readOrderedJSON(path string) (object, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber()
	v, err := decodeOrdered(dec)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one JSON value", path)
	}
	o, ok := v.(object)
	if !ok {
		return nil, fmt.Errorf("%s: the root is not an object", path)
	}
	return o, nil
}

// plain turns ordered objects into maps, to compare values whatever their
// key order.
func plain(v any) any {
	switch x := v.(type) {
	case object:
		m := make(map[string]any, len(x))
		for _, kv := range x {
			m[kv.Key] = plain(kv.Value)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = plain(x[i])
		}
		return out
	}
	return v
}

// calloutComponents translates the JSON Schemas in dir into the ordered
// components/schemas map.
func calloutComponents(dir string) (object, error) {
	var schemas object
	index := map[string]int{}
	add := func(file, name string, v any) error {
		if i, ok := index[name]; ok {
			if !reflect.DeepEqual(plain(schemas[i].Value), plain(v)) {
				return fmt.Errorf("%s: $defs/%s differs from the one of the same name in an earlier file: one component cannot be both", file, name)
			}
			schemas[i].Value = v // same value; the later file's key order, as before
			return nil
		}
		index[name] = len(schemas)
		schemas = append(schemas, member{Key: name, Value: v})
		return nil
	}
	for _, name := range calloutSchemaFiles {
		file := filepath.Join(dir, name+".schema.json")
		s, err := readOrderedJSON(file)
		if err != nil {
			return nil, err
		}
		t, _ := s.get("title")
		title, ok := t.(string)
		if !ok || title == "" {
			return nil, fmt.Errorf("%s: no title: the title names the root's component", file)
		}
		var root object
		var defs object
		for _, kv := range s {
			switch kv.Key {
			case "$schema", "$id":
			case "$defs":
				if defs, ok = kv.Value.(object); !ok {
					return nil, fmt.Errorf("%s: $defs is not an object", file)
				}
			default:
				root = append(root, kv)
			}
		}
		v, err := componentRefs(file, root, title)
		if err != nil {
			return nil, err
		}
		if err := add(file, title, v); err != nil {
			return nil, err
		}
		for _, d := range defs {
			v, err := componentRefs(file, d.Value, title)
			if err != nil {
				return nil, err
			}
			if err := add(file, d.Key, v); err != nil {
				return nil, err
			}
		}
	}
	return schemas, nil
}

// componentRefs rewrites the references of a schema: "#" is the component
// named root, "#/$defs/X" the component X. Any other reference cannot be
// followed from callout.yaml and is an error.
func componentRefs(file string, v any, root string) (any, error) {
	switch x := v.(type) {
	case object:
		out := make(object, len(x))
		for i, kv := range x {
			if kv.Key == "$ref" {
				s, _ := kv.Value.(string)
				switch {
				case s == "#":
					s = "#/components/schemas/" + root
				case strings.HasPrefix(s, "#/$defs/") && !strings.Contains(strings.TrimPrefix(s, "#/$defs/"), "/"):
					s = "#/components/schemas/" + strings.TrimPrefix(s, "#/$defs/")
				default:
					return nil, fmt.Errorf("%s: $ref %q: only # and #/$defs/<name> translate to components", file, s)
				}
				out[i] = member{Key: kv.Key, Value: s}
				continue
			}
			val, err := componentRefs(file, kv.Value, root)
			if err != nil {
				return nil, err
			}
			out[i] = member{Key: kv.Key, Value: val}
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i := range x {
			val, err := componentRefs(file, x[i], root)
			if err != nil {
				return nil, err
			}
			out[i] = val
		}
		return out, nil
	}
	return v, nil
}

// calloutDocument returns callout.yaml with its components section (from
// the components: line to the end) generated from the JSON Schemas.
func calloutDocument(current []byte, schemaDir string) ([]byte, error) {
	at := bytes.Index(current, []byte("\n"+componentsLine))
	if at < 0 {
		return nil, fmt.Errorf("%s has no top-level %q line: the generated section starts there", calloutDoc, strings.TrimSpace(componentsLine))
	}
	head := current[:at+1]
	schemas, err := calloutComponents(schemaDir)
	if err != nil {
		return nil, err
	}
	section, err := emitYAML(object{{Key: "components", Value: object{{Key: "schemas", Value: schemas}}}})
	if err != nil {
		return nil, err
	}
	return append(head[:len(head):len(head)], section...), nil
}

// yamlEmitter writes block-style YAML.
type yamlEmitter struct {
	buf bytes.Buffer
	col int
	err error
}

func emitYAML(v object) ([]byte, error) {
	e := &yamlEmitter{}
	e.mapping(v, 0, false)
	e.buf.WriteByte('\n')
	return e.buf.Bytes(), e.err
}

func (e *yamlEmitter) write(s string) {
	e.buf.WriteString(s)
	e.col += len(s)
}

// newline starts a line at indent.
func (e *yamlEmitter) newline(indent int) {
	if e.buf.Len() > 0 {
		e.buf.WriteByte('\n')
	}
	e.buf.WriteString(strings.Repeat(" ", indent))
	e.col = indent
}

// mapping writes m's keys at indent; inline: the first key goes where the
// cursor is (after a sequence's "- ").
func (e *yamlEmitter) mapping(m object, indent int, inline bool) {
	for i, kv := range m {
		if i > 0 || !inline {
			e.newline(indent)
		}
		e.key(kv.Key)
		e.write(":")
		switch x := kv.Value.(type) {
		case object:
			if len(x) > 0 {
				e.mapping(x, indent+2, false)
				continue
			}
		case []any:
			if len(x) > 0 {
				e.sequence(x, indent, false) // a sequence in a mapping is not indented
				continue
			}
		}
		e.scalar(kv.Value, indent+2)
	}
}

func (e *yamlEmitter) sequence(s []any, indent int, inline bool) {
	for i, it := range s {
		if i > 0 || !inline {
			e.newline(indent)
		}
		e.write("-")
		switch x := it.(type) {
		case object:
			if len(x) > 0 {
				e.write(" ")
				e.mapping(x, indent+2, true)
				continue
			}
		case []any:
			if len(x) > 0 {
				e.write(" ")
				e.sequence(x, indent+2, true)
				continue
			}
		}
		e.scalar(it, indent+2)
	}
}

// key writes a mapping key: never folded, and short and on one line, or
// YAML would need the explicit "? " form this emitter does not write.
func (e *yamlEmitter) key(k string) {
	if len(k) >= 128 || strings.ContainsAny(k, "\n\r") {
		e.fail(fmt.Errorf("key %.40q…: longer than 127 bytes or on several lines; the emitter writes simple keys only", k))
	}
	switch yamlStyle(k) {
	case stylePlain:
		e.write(k)
	case styleSingle:
		e.write("'" + strings.ReplaceAll(k, "'", "''") + "'")
	default:
		e.write(strconv.Quote(k))
	}
}

func (e *yamlEmitter) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// scalar writes " value" after a key's colon or a sequence's dash; a folded
// string continues on lines indented by indent.
func (e *yamlEmitter) scalar(v any, indent int) {
	e.write(" ")
	switch x := v.(type) {
	case object:
		e.write("{}")
	case []any:
		e.write("[]")
	case nil:
		e.write("null")
	case bool:
		e.write(strconv.FormatBool(x))
	case json.Number:
		s, err := yamlNumber(x)
		e.fail(err)
		e.write(s)
	case string:
		switch yamlStyle(x) {
		case stylePlain:
			e.folded(x, indent, false)
		case styleSingle:
			e.write("'")
			e.folded(x, indent, true)
			e.write("'")
		default:
			// Not needed by the callout schemas (no control characters,
			// no line breaks): valid YAML, one line, not folded.
			e.write(strconv.Quote(x))
		}
	default:
		e.fail(fmt.Errorf("cannot write a %T in YAML", v))
	}
}

// folded writes a one-line string, breaking the line at a single space once
// the line is past yamlWidth (so a line ends with the first word that
// crosses the width). A run of several spaces is never broken (folding
// would turn it into fewer), and in quotes neither is a space at either end.
func (e *yamlEmitter) folded(s string, indent int, quoted bool) {
	for i := 0; i < len(s); {
		j := i
		if s[i] == ' ' {
			for j < len(s) && s[j] == ' ' {
				j++
			}
			atEnd := quoted && (i == 0 || j == len(s))
			if j-i == 1 && e.col > yamlWidth && !atEnd {
				e.newline(indent)
			} else {
				e.write(s[i:j])
			}
			i = j
			continue
		}
		for j < len(s) && s[j] != ' ' {
			j++
		}
		if quoted {
			e.write(strings.ReplaceAll(s[i:j], "'", "''"))
		} else {
			e.write(s[i:j])
		}
		i = j
	}
}

// yamlNumber writes a JSON number as YAML reads it back: an integer as
// written, any other number as Python's repr of the float would (the
// layout PyYAML gave), with a "." so that YAML 1.1 readers see a float.
func yamlNumber(n json.Number) (string, error) {
	s := n.String()
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", fmt.Errorf("number %s: %w", s, err)
	}
	return pyFloat(f), nil
}

// pyFloat formats f as Python's repr does (shortest digits that round-trip,
// exponent form below 1e-4 and from 1e16), then as PyYAML writes it: ".0"
// before an exponent without a point.
func pyFloat(f float64) string {
	if f == 0 {
		if 1/f < 0 {
			return "-0.0"
		}
		return "0.0"
	}
	e := strings.Split(strconv.FormatFloat(f, 'e', -1, 64), "e") // d.ddd, ±XX
	exp, _ := strconv.Atoi(e[1])
	if exp >= -4 && exp < 16 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	mant := e[0]
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	sign := "+"
	if exp < 0 {
		sign, exp = "-", -exp
	}
	return fmt.Sprintf("%se%s%02d", mant, sign, exp)
}

type scalarStyle int

const (
	stylePlain scalarStyle = iota
	styleSingle
	styleDouble
)

// yamlStyle picks how to write a string: plain when a reader gets the same
// string back, single quotes when only the plain form is the problem,
// double quotes for what single quotes cannot hold (control characters,
// line breaks, which this emitter does not fold).
func yamlStyle(s string) scalarStyle {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return styleDouble
		}
	}
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' || looksTyped(s) || hasIndicators(s) {
		return styleSingle
	}
	return stylePlain
}

// hasIndicators reports characters that make a plain scalar mean something
// else in block context: an indicator first, ": " or " #" inside, or a
// document marker.
func hasIndicators(s string) bool {
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		return true
	}
	spaceAfter := func(i int) bool { return i+1 >= len(s) || s[i+1] == ' ' }
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return true
	case '?', ':', '-':
		if spaceAfter(0) {
			return true
		}
	}
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == ':' && spaceAfter(i):
			return true
		case s[i] == '#' && s[i-1] == ' ':
			return true
		}
	}
	return false
}

// typedScalars match plain scalars that YAML 1.1 (PyYAML, many other
// readers) or 1.2 would read as null, a boolean, a number, a timestamp, or
// the merge and value keys: such strings are quoted.
var typedScalars = regexp.MustCompile(`^(?:` + strings.Join([]string{
	`~|null|Null|NULL`,
	`y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`,
	`[-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?0o[0-7]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`,
	`[-+]?(?:[0-9][0-9_]*)?\.[0-9._]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)`,
	`[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?`,
	`<<|=`,
}, "|") + `)$`)

func looksTyped(s string) bool { return typedScalars.MatchString(s) }

// TestYAMLEmitter: the layout of each kind of value. The want column is
// what PyYAML 6 (yaml.dump, width=100) writes for {"k": value}, the layout
// callout.yaml had under the Python script, except the rows marked
// "quoted on purpose": strings a YAML 1.2 reader (kin-openapi's) or a YAML
// 1.1 one would take for a number or a boolean, which PyYAML leaves plain.
func TestYAMLEmitter(t *testing.T) {
	t.Parallel()
	num := func(s string) json.Number { return json.Number(s) }
	long := "with " + strings.Repeat("word ", 25) + "end"
	quotes := "'" + strings.Repeat("q ", 55) + "'"
	cases := []struct {
		value any
		want  string
	}{
		{"plain text", "k: plain text\n"},
		{"yes", "k: 'yes'\n"},
		{"a: b", "k: 'a: b'\n"},
		{"a:b", "k: a:b\n"},
		{"a #b", "k: 'a #b'\n"},
		{"a#b", "k: a#b\n"},
		{"- x", "k: '- x'\n"},
		{"-x", "k: -x\n"},
		{"2024.05", "k: '2024.05'\n"},
		{"200", "k: '200'\n"},
		{"", "k: ''\n"},
		{" lead", "k: ' lead'\n"},
		{"it's", "k: it's\n"},
		{"#x", "k: '#x'\n"},
		{"x,y", "k: x,y\n"},
		{"[x", "k: '[x'\n"},
		{"~", "k: '~'\n"},
		{"2024-01-31", "k: '2024-01-31'\n"},
		{"x  y", "k: x  y\n"},
		{long, "k: with word word word word word word word word word word word word word word word word word word word\n  word word word word word word end\n"},
		{quotes, "k: '''q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q q\n  q q q q q q q '''\n"},
		{num("1"), "k: 1\n"},
		{num("-2147483648"), "k: -2147483648\n"},
		{num("1.5"), "k: 1.5\n"},
		{num("1e20"), "k: 1.0e+20\n"},
		{num("1e-7"), "k: 1.0e-07\n"},
		{num("100.0"), "k: 100.0\n"},
		{num("-2.5e-5"), "k: -2.5e-05\n"},
		{nil, "k: null\n"},
		{true, "k: true\n"},
		{object{}, "k: {}\n"},
		{[]any{}, "k: []\n"},
		{[]any{[]any{num("1"), num("2")}, []any{num("3")}}, "k:\n- - 1\n  - 2\n- - 3\n"},
		{[]any{object{{"a", num("1")}, {"b", []any{num("1")}}}}, "k:\n- a: 1\n  b:\n  - 1\n"},
		{object{{"200", object{{"x", "y z"}}}}, "k:\n  '200':\n    x: y z\n"},
		// Quoted on purpose (PyYAML: plain).
		{"y", "k: 'y'\n"},
		{"1e5", "k: '1e5'\n"},
		{"0o17", "k: '0o17'\n"},
		// Not needed by the schemas: double quotes, one line (PyYAML folds).
		{"tab\there", "k: \"tab\\there\"\n"},
		{"line\nbreak", "k: \"line\\nbreak\"\n"},
	}
	for _, tc := range cases {
		got, err := emitYAML(object{{"k", tc.value}})
		if err != nil {
			t.Errorf("%#v: %v", tc.value, err)
			continue
		}
		if string(got) != tc.want {
			t.Errorf("%#v:\n got %q\nwant %q", tc.value, got, tc.want)
		}
	}
	if _, err := emitYAML(object{{strings.Repeat("k", 128), "v"}}); err == nil {
		t.Error("a key of 128 bytes needs YAML's explicit key form, which the emitter does not write: want an error")
	}
}

// TestCalloutComponentsErrors: the translation refuses what callout.yaml
// could not express.
func TestCalloutComponentsErrors(t *testing.T) {
	t.Parallel()
	const response = `{"title": "Resp", "$defs": {"Shared": {"type": "string"}}}`
	cases := []struct {
		name, request, want string
	}{
		{"no title", `{"type": "object"}`, "no title"},
		{"external reference", `{"title": "Req", "$ref": "other.json#/x"}`, `$ref "other.json#/x"`},
		{"nested defs pointer", `{"title": "Req", "$ref": "#/$defs/A/properties/b"}`, `$ref "#/$defs/A/properties/b"`},
		{"conflicting definitions", `{"title": "Req", "$defs": {"Shared": {"type": "integer"}}}`, "$defs/Shared differs"},
		{"two documents", `{"title": "Req"} {}`, "more than one JSON value"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range map[string]string{"capability-request": tc.request, "capability-response": response} {
				if err := os.WriteFile(filepath.Join(dir, name+".schema.json"), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := calloutComponents(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
	t.Run("translation", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for name, body := range map[string]string{
			"capability-request":  `{"$schema": "s", "$id": "i", "title": "Req", "properties": {"self": {"$ref": "#"}, "s": {"$ref": "#/$defs/Shared"}}, "$defs": {"Shared": {"type": "string", "minLength": 1}}}`,
			"capability-response": `{"title": "Resp", "$defs": {"Shared": {"minLength": 1, "type": "string"}}}`,
		} {
			if err := os.WriteFile(filepath.Join(dir, name+".schema.json"), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		doc, err := calloutDocument([]byte("# head\nopenapi: 3.1.0\ncomponents:\n  stale: true\n"), dir)
		if err != nil {
			t.Fatal(err)
		}
		want := `# head
openapi: 3.1.0
components:
  schemas:
    Req:
      title: Req
      properties:
        self:
          $ref: '#/components/schemas/Req'
        s:
          $ref: '#/components/schemas/Shared'
    Shared:
      minLength: 1
      type: string
    Resp:
      title: Resp
`
		if string(doc) != want {
			t.Errorf("got\n%s\nwant\n%s", doc, want)
		}
		if _, err := calloutDocument([]byte("openapi: 3.1.0\n"), dir); err == nil {
			t.Error("a document without a components: line: want an error")
		}
	})
}
