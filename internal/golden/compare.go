package golden

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"os"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/jsontree"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// Options change how Compare behaves.
type Options struct {
	// Update rewrites the golden files from got (redacted, atomically)
	// instead of reporting a mismatch or a missing case.
	Update bool
	// Context is the number of context lines in the diff; 3 when zero.
	Context int
}

// Result is the outcome of a comparison.
type Result struct {
	// Findings are golden-mismatch and golden-missing findings (and
	// xml-*/json-malformed findings when got cannot be parsed).
	Findings contract.Findings
	// Diff is a unified diff of the normalised canonical forms of every
	// part that differs, golden first; "" when everything matches.
	Diff string
	// Updated is true when Update rewrote the golden files.
	Updated bool
}

// OK reports whether got matched (or the golden files were updated).
func (r *Result) OK() bool { return len(r.Findings) == 0 }

// UpdateRequested reports whether golden files should be rewritten: the
// test binary's -update flag is set (define it in your test package with
// flag.Bool("update", false, "rewrite golden files")), or the environment
// variable FNOKIT_UPDATE_GOLDEN is 1 or true.
func UpdateRequested() bool {
	if f := flag.Lookup("update"); f != nil {
		if v, err := strconv.ParseBool(f.Value.String()); err == nil && v {
			return true
		}
	}
	v, _ := strconv.ParseBool(os.Getenv("FNOKIT_UPDATE_GOLDEN"))
	return v
}

// Compare checks got against the golden case. got is redacted first, so a
// credential in a live exchange neither breaks the comparison with the
// redacted golden file nor shows up in the diff. Both sides are normalised
// with the store's rules. Parts absent from got (nil) are not compared.
//
// An error means the comparison could not run (unreadable or corrupt golden
// files, an invalid key); differences are findings.
func (s *Store) Compare(k Key, got Exchange, opt Options) (*Result, error) {
	if err := k.Validate(); err != nil {
		return nil, err
	}
	if opt.Context <= 0 {
		opt.Context = 3
	}
	want, err := s.Load(k)
	missing := errors.Is(err, ErrNotFound)
	if err != nil && !missing {
		return nil, err
	}
	red, _ := redactExchange(k, got)
	res := &Result{}
	if missing {
		if opt.Update {
			if _, err := s.Record(k, got); err != nil {
				return nil, err
			}
			res.Updated = true
			return res, nil
		}
		res.Findings = append(res.Findings, contract.New(contract.RuleGoldenMissing, k.String(), "",
			"no golden file for this case; record it with -update (or fnokit golden record)"))
		return res, nil
	}
	var diffs []string
	part := func(p Part, wantB, gotB []byte) error {
		if gotB == nil {
			return nil
		}
		target := k.File(p)
		if wantB == nil {
			res.Findings = append(res.Findings, contract.New(contract.RuleGoldenMissing, target, "",
				"the golden case has no "+string(p)+" file; record it with -update"))
			return nil
		}
		wc, err := s.canonical(k, wantB)
		if err != nil {
			return fmt.Errorf("golden file %s is not usable: %w; fix or re-record it", target, err)
		}
		gc, err := s.canonical(k, gotB)
		if err != nil {
			res.Findings = append(res.Findings, malformed(k, target, err))
			return nil
		}
		if bytes.Equal(wc.text, gc.text) {
			return nil
		}
		loc, what := firstDifference(wc, gc)
		res.Findings = append(res.Findings, contract.New(contract.RuleGoldenMismatch, target, loc,
			"the "+string(p)+" differs from its golden file: "+what))
		diffs = append(diffs, Unified(target+" (golden)", target+" (got)", string(wc.text), string(gc.text), opt.Context))
		return nil
	}
	if err := part(PartRequest, want.Request, red.Request); err != nil {
		return nil, err
	}
	if err := part(PartResponse, want.Response, red.Response); err != nil {
		return nil, err
	}
	if w, g := want.Meta.Status, red.Meta.Status; w != 0 && g != 0 && w != g {
		res.Findings = append(res.Findings, contract.New(contract.RuleGoldenMismatch, k.File(PartMeta), "/status",
			fmt.Sprintf("HTTP status %d, golden file has %d", g, w)))
		diffs = append(diffs, Unified(k.File(PartMeta)+" (golden)", k.File(PartMeta)+" (got)",
			fmt.Sprintf("status %d\n", w), fmt.Sprintf("status %d\n", g), opt.Context))
	}
	if w, g := mediaType(want.Meta.ResponseHeaders.Get("Content-Type")), mediaType(red.Meta.ResponseHeaders.Get("Content-Type")); w != "" && g != "" && w != g {
		res.Findings = append(res.Findings, contract.New(contract.RuleGoldenMismatch, k.File(PartMeta), "/responseHeaders/Content-Type",
			"response media type differs from the golden file"))
		diffs = append(diffs, Unified(k.File(PartMeta)+" (golden)", k.File(PartMeta)+" (got)",
			"Content-Type: "+w+"\n", "Content-Type: "+g+"\n", opt.Context))
	}
	res.Diff = strings.Join(diffs, "")
	if opt.Update && len(res.Findings) > 0 {
		if _, err := s.Record(k, mergeForUpdate(want, got)); err != nil {
			return nil, err
		}
		res.Findings = nil
		res.Updated = true
	}
	return res, nil
}

// mergeForUpdate keeps golden parts that got does not carry, so updating a
// response does not delete the recorded request.
func mergeForUpdate(want, got Exchange) Exchange {
	if got.Request == nil {
		got.Request = want.Request
	}
	if got.Response == nil {
		got.Response = want.Response
	}
	if got.Meta.empty() {
		got.Meta = want.Meta
	}
	return got
}

func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

func malformed(k Key, target string, err error) contract.Finding {
	var pe *xmltree.ParseError
	if errors.As(err, &pe) {
		loc := ""
		if pe.Line > 0 {
			loc = "line " + strconv.Itoa(pe.Line)
		}
		return contract.New(pe.Rule, target, loc, "cannot compare with the golden file: "+pe.Msg)
	}
	rule := contract.RuleXMLMalformed
	if k.Kind == REST {
		rule = contract.RuleJSONMalformed
	}
	return contract.New(rule, target, "", "cannot compare with the golden file: "+err.Error())
}

// canon is a normalised body: its canonical text (what is compared and
// diffed) and the tree or value (to locate the first difference).
type canon struct {
	text []byte
	xml  *xmltree.Node
	json any
}

func (s *Store) canonical(k Key, b []byte) (canon, error) {
	if k.Kind == REST {
		v, err := decodeJSON(b)
		if err != nil {
			return canon{}, err
		}
		v = s.rules().NormalizeJSON(k, v)
		text, err := prettyJSON(v)
		if err != nil {
			return canon{}, err
		}
		return canon{text: text, json: v}, nil
	}
	n, err := xmltree.ParseBytes(b, s.Limits)
	if err != nil {
		return canon{}, err
	}
	n = s.rules().NormalizeXML(k, n)
	text := xmltree.Canonical(n)
	return canon{text: append(text, '\n'), xml: n}, nil
}

// decodeJSON reads exactly one JSON value, keeping numbers as written.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, jsonError(err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON: more than one value")
	}
	return v, nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("not valid JSON: syntax error at byte %d", se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("not valid JSON: unexpected end of input")
	}
	return errors.New("not valid JSON")
}

// prettyJSON writes the value with sorted keys, two-space indentation and
// no HTML escaping, so equal values have equal text.
func prettyJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// firstDifference locates the first differing node and says what differs,
// without quoting values.
func firstDifference(a, b canon) (string, string) {
	if a.xml != nil && b.xml != nil {
		if loc, what, ok := xmlDiff(a.xml, b.xml, "/"+a.xml.Name.Local); ok {
			return loc, what
		}
		return "", "canonical forms differ"
	}
	if loc, what, ok := jsonDiff(a.json, b.json, ""); ok {
		if loc == "" {
			loc = "/"
		}
		return loc, what
	}
	return "", "canonical forms differ"
}

func xmlDiff(a, b *xmltree.Node, path string) (string, string, bool) {
	if a.Name != b.Name {
		if a.Name.Local == b.Name.Local {
			return path, "element namespace differs", true
		}
		return path, "element <" + b.Name.Local + "> where the golden file has <" + a.Name.Local + ">", true
	}
	if what, ok := attrDiff(a, b); ok {
		return path, what, true
	}
	if strings.TrimSpace(a.Text) != strings.TrimSpace(b.Text) {
		return path, "text of <" + a.Name.Local + "> differs", true
	}
	totals := map[string]int{}
	for _, c := range a.Children {
		totals[c.Name.Local]++
	}
	counts := map[string]int{}
	childPath := func(c *xmltree.Node) string {
		counts[c.Name.Local]++
		p := path + "/" + c.Name.Local
		if totals[c.Name.Local] > 1 || counts[c.Name.Local] > 1 {
			p += "[" + strconv.Itoa(counts[c.Name.Local]) + "]"
		}
		return p
	}
	for i := 0; i < len(a.Children) && i < len(b.Children); i++ {
		if loc, what, ok := xmlDiff(a.Children[i], b.Children[i], childPath(a.Children[i])); ok {
			return loc, what, true
		}
	}
	switch {
	case len(b.Children) > len(a.Children):
		c := b.Children[len(a.Children)]
		return childPath(c), "unexpected element <" + c.Name.Local + "> (not in the golden file)", true
	case len(a.Children) > len(b.Children):
		c := a.Children[len(b.Children)]
		return childPath(c), "element <" + c.Name.Local + "> is missing", true
	}
	return "", "", false
}

func attrDiff(a, b *xmltree.Node) (string, bool) {
	for _, x := range xmltree.AttrPairs(a, b) {
		switch {
		case !x.InA:
			return "unexpected attribute " + x.Name.Local, true
		case !x.InB:
			return "attribute " + x.Name.Local + " is missing", true
		case x.A != x.B:
			return "attribute " + x.Name.Local + " differs", true
		}
	}
	return "", false
}

func jsonDiff(a, b any, ptr string) (string, string, bool) {
	switch at := a.(type) {
	case map[string]any:
		bt, ok := b.(map[string]any)
		if !ok {
			return ptr, "an object in the golden file is a " + jsontree.Type(b) + " here", true
		}
		for _, k := range jsontree.UnionKeys(at, bt) {
			p := ptr + "/" + jsontree.EscapePointer(k)
			av, aok := at[k]
			bv, bok := bt[k]
			switch {
			case !aok:
				return p, "unexpected member (not in the golden file)", true
			case !bok:
				return p, "member is missing", true
			}
			if loc, what, ok := jsonDiff(av, bv, p); ok {
				return loc, what, true
			}
		}
		return "", "", false
	case []any:
		bt, ok := b.([]any)
		if !ok {
			return ptr, "an array in the golden file is a " + jsontree.Type(b) + " here", true
		}
		for i := 0; i < len(at) && i < len(bt); i++ {
			if loc, what, ok := jsonDiff(at[i], bt[i], ptr+"/"+strconv.Itoa(i)); ok {
				return loc, what, true
			}
		}
		if len(at) != len(bt) {
			return ptr, fmt.Sprintf("array has %d items, the golden file %d", len(bt), len(at)), true
		}
		return "", "", false
	}
	if jsontree.Type(a) != jsontree.Type(b) {
		return ptr, "a " + jsontree.Type(a) + " in the golden file is a " + jsontree.Type(b) + " here", true
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		return ptr, jsontree.Type(a) + " value differs", true
	}
	return "", "", false
}
