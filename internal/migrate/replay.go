package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/versiondiff"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// maxRequest bounds a request file; maxResponse an answer (the parsers'
// own default).
const (
	maxRequest  = 16 << 20
	maxResponse = 64 << 20
)

// source is one request to replay: a golden case or a sample.
type source struct {
	op, name string
	rel      string // for reports: golden/… or the sample's path below Samples
	golden   bool
	store    *golden.Store
	key      golden.Key
	path     string // a sample's file
	err      error  // why there is nothing to replay
}

func (s source) read() ([]byte, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.golden {
		ex, err := s.store.Load(s.key)
		if err != nil {
			return nil, err
		}
		return ex.Request, nil
	}
	st, err := os.Stat(s.path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxRequest {
		return nil, fmt.Errorf("%s is larger than %d MiB", s.rel, maxRequest>>20)
	}
	return os.ReadFile(s.path)
}

// loadCases lists what to replay for every operation of the old version:
// its golden requests when it has some, else its valid sample.
func loadCases(opts Options, vA schemas.Version) ([]source, error) {
	byOp := map[string][]source{}
	if opts.Golden != "" {
		if st, err := os.Stat(opts.Golden); err == nil && st.IsDir() {
			store, err := golden.Open(opts.Golden)
			if err != nil {
				return nil, fmt.Errorf("golden files: %w", err)
			}
			keys, err := store.Keys()
			if err != nil {
				return nil, fmt.Errorf("golden files: %w", err)
			}
			for _, k := range keys {
				if k.Kind != golden.SOAP || k.Service != vA.Service || k.Version != vA.Version.String() {
					continue
				}
				if _, ok := vA.Operation(k.Operation); !ok {
					continue // a golden case of an operation the contract lost: check reports it
				}
				if _, err := os.Stat(filepath.Join(opts.Golden, filepath.FromSlash(k.File(golden.PartRequest)))); err != nil {
					continue // a response-only case has nothing to replay
				}
				byOp[k.Operation] = append(byOp[k.Operation], source{op: k.Operation, name: k.Case, golden: true,
					store: store, key: k, rel: "golden/" + k.File(golden.PartRequest)})
			}
		}
	}
	var out []source
	for _, o := range vA.Operations {
		if cs := byOp[o.Name]; len(cs) > 0 {
			out = append(out, cs...)
			continue
		}
		rel := filepath.ToSlash(filepath.Join(vA.Service, vA.Version.String(), o.Name+".request.valid.xml"))
		s := source{op: o.Name, name: "sample", rel: rel, path: filepath.Join(opts.Samples, filepath.FromSlash(rel))}
		if _, err := os.Stat(s.path); err != nil {
			s.err = fmt.Errorf("%w: no golden request and no sample %s (pass --samples, the layout of schemas/testdata)", errNoRequest, rel)
		}
		out = append(out, s)
	}
	if len(out) > maxCases {
		return nil, fmt.Errorf("%d requests to replay, more than %d: narrow the golden folder", len(out), maxCases)
	}
	sortCases(out, vA)
	return out, nil
}

// replayer replays the requests of one migration.
type replayer struct {
	opts             Options
	client           *http.Client
	vA, vB           schemas.Version
	schemaA, schemaB *xsd.Schema
	sessB            conformance.Session
	openA            func() (conformance.Session, error)
	pair             versiondiff.Pair
}

func (rp *replayer) replay(ctx context.Context, s source) (c Case) {
	c = Case{Operation: s.op, Name: s.name, Source: s.rel, Golden: s.golden, Changes: []versiondiff.Finding{}, Response: []versiondiff.Finding{}}
	start := time.Now()
	defer func() { c.Duration = time.Since(start) }()
	fail := func(format string, args ...any) Case {
		c.Verdict, c.Message = Error, fmt.Sprintf(format, args...)
		return c
	}
	data, err := s.read()
	if err != nil {
		return fail("%v", err)
	}
	payload, err := payloadOf(data)
	if err != nil {
		return fail("%s: %v", s.rel, err)
	}
	opA, _ := rp.vA.Operation(s.op)
	if payload.Name != (xmltree.Name{Space: opA.Input.Space, Local: opA.Input.Local}) {
		return fail("%s holds %s, not %s's request element %s", s.rel, payload.Name, s.op, opA.Input.Local)
	}
	c.Changes, c.Response = rp.changes(s.op, payload)
	if c.OldValid, _, err = validate(rp.schemaA, payload); err != nil {
		return fail("validation against %s could not run: %v", rp.vA.Version, err)
	}
	opB, ok := rp.vB.Operation(s.op)
	if !ok {
		c.Verdict, c.Message = NeedsChange, fmt.Sprintf("%s has no operation %s", rp.vB.Version, s.op)
		return c
	}
	rewritten := rewrite(payload, rp.vA.Namespace, rp.vB.Namespace)
	var found contract.Findings
	if c.Valid, found, err = validate(rp.schemaB, rewritten); err != nil {
		return fail("validation against %s could not run: %v", rp.vB.Version, err)
	}
	c.Validation = found.WithTarget(fmt.Sprintf("%s/%s/%s request (rewritten from %s)", rp.vB.Service, rp.vB.Version, s.op, rp.vA.Version))

	if rp.opts.Live && !rp.opts.AllowWrites && !ReadOnly(s.op) {
		c.Verdict, c.Message = NotSent, "a write operation: not sent to a live target without --allow-writes; "+validity(c, rp.vB.Version.String())
		if !c.Valid {
			c.Verdict = NeedsChange
		}
		return c
	}
	c.New = rp.send(ctx, rp.sessB, rp.vB, opB, rewritten)
	if c.New.Err != "" {
		return fail("%s did not answer: %s", rp.vB.Version, c.New.Err)
	}
	if !c.New.Succeeded() || !rp.opts.Live {
		sess, err := rp.openA()
		if err != nil {
			return fail("%v", err)
		}
		old := rp.send(ctx, sess, rp.vA, opA, payload)
		c.Old = &old
	}
	vA, vB := rp.vA.Version.String(), rp.vB.Version.String()
	switch {
	case !c.Valid:
		c.Verdict = NeedsChange
		c.Message = fmt.Sprintf("%s; %s answers %s", validity(c, vB), vB, c.New)
	case c.New.Succeeded():
		c.Verdict, c.Message = OK, fmt.Sprintf("%s; %s answers %s", validity(c, vB), vB, c.New)
	case c.Old != nil && c.Old.Succeeded():
		c.Verdict = NeedsChange
		c.Message = fmt.Sprintf("%s answers %s where %s answers %s", vB, c.New, vA, c.Old)
	default:
		c.Verdict = Inconclusive
		why := "a sample names placeholder records the target lacks"
		if s.golden {
			why = "golden requests lose their secrets to redaction, and may name records the target lacks"
		}
		c.Message = fmt.Sprintf("%s answers %s, and %s answers the original %s too: the request fails, not the migration (%s)", vB, c.New, vA, c.Old, why)
	}
	if !c.OldValid {
		c.Message += fmt.Sprintf("; the original does not validate against %s either", vA)
	}
	return c
}

// validity says whether the rewritten request validates, and the first
// finding when it does not.
func validity(c Case, v string) string {
	if c.Valid {
		return "valid against " + v
	}
	first := c.Validation[0]
	loc := ""
	if first.Location != "" {
		loc = " at " + first.Location
	}
	return fmt.Sprintf("not valid against %s (%d finding(s), first%s: %s)", v, len(c.Validation), loc, first.Message)
}

// payloadOf returns the payload of a request file: the first element of
// the Body of a SOAP envelope (golden requests), or the document itself
// (samples).
func payloadOf(data []byte) (*xmltree.Node, error) {
	root, err := xmltree.ParseBytes(data, xmltree.Limits{MaxBytes: maxRequest})
	if err != nil {
		return nil, err
	}
	if root.Name.Local != "Envelope" || root.Name.Space != soap.NSEnvelope {
		return root, nil
	}
	for _, ch := range root.Children {
		if ch.Name.Local == "Body" && ch.Name.Space == soap.NSEnvelope {
			if len(ch.Children) == 0 {
				return nil, errors.New("the SOAP Body is empty")
			}
			return ch.Children[0], nil
		}
	}
	return nil, errors.New("the SOAP envelope has no Body")
}

// rewrite returns a copy of the payload with every element of the old
// namespace moved to the new one: what a client regenerated from the new
// WSDL sends, element for element.
func rewrite(n *xmltree.Node, from, to string) *xmltree.Node {
	c := n.Clone()
	c.MoveNamespace(from, to)
	return c
}

func validate(s *xsd.Schema, payload *xmltree.Node) (bool, contract.Findings, error) {
	found, err := s.ValidatePayload(payload.Bytes(xmltree.EncodeOptions{}))
	if err != nil {
		return false, nil, err
	}
	return !found.HasErrors(), found, nil
}

// send posts one request and reads how the version answered, without
// keeping any of the answer's values.
func (rp *replayer) send(ctx context.Context, sess conformance.Session, v schemas.Version, op schemas.Operation, payload *xmltree.Node) Outcome {
	o := Outcome{Sent: true}
	req, err := soap.NewRequest(ctx, sess.BaseURL(), contract.Operation{Service: v.Service, Version: v.Version, Name: op.Name}, payload, sess.Credentials())
	if err != nil {
		o.Err = err.Error()
		return o
	}
	resp, err := rp.client.Do(req)
	if err != nil {
		o.Err = "HTTP: " + transportError(err)
		return o
	}
	defer resp.Body.Close()
	o.HTTPStatus = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		o.Err = "read the answer: " + transportError(err)
		return o
	}
	if len(body) > maxResponse {
		o.Err = fmt.Sprintf("the answer is larger than %d MiB", maxResponse>>20)
		return o
	}
	parsed, err := soap.Parse(bytes.NewReader(body), xmltree.Limits{})
	if err != nil {
		var se *soap.Error
		if errors.As(err, &se) {
			o.Err = "the answer is not a SOAP response (" + se.Rule + ")"
		} else {
			o.Err = "the answer could not be read"
		}
		return o
	}
	if f := parsed.Fault; f != nil {
		o.Fault = f.Code
		if f.Detail != nil {
			if p := f.Detail.TextOf("problem"); p != "" && safeWord.MatchString(p) {
				o.Fault += " (" + p + ")"
			}
		}
		return o
	}
	want := xmltree.Name{Space: op.Output.Space, Local: op.Output.Local}
	if parsed.Payload == nil || parsed.Payload.Name != want {
		o.WrongPayload = true
		return o
	}
	switch {
	case parsed.Status != nil:
		o.Status, o.FailedRecords = string(parsed.Status.Status), len(parsed.Failed)
		if !parsed.Status.Status.Known() {
			o.Status = "UNDOCUMENTED"
		}
	case parsed.Payload.Child("Success") != nil: // FlexnetAuthentication
		o.Status = "FAILURE"
		if parsed.Payload.Child("Success").Text == "true" {
			o.Status = "SUCCESS"
		}
	}
	return o
}

// safeWord accepts the emulator's problem names (kebab-case words), so
// another target's detail text never reaches a report.
var safeWord = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)

// transportError describes a failed call without the URL (which is the
// target's and may be long) in a few words.
func transportError(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timed out or cancelled"
	}
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// changes picks the diff findings that concern one request: of the
// operation's request, those that break or need attention and touch what
// this request carries (the namespace, which rewrite handles, always);
// of its response, those that break or need attention.
func (rp *replayer) changes(op string, payload *xmltree.Node) (req, resp []versiondiff.Finding) {
	req, resp = []versiondiff.Finding{}, []versiondiff.Finding{}
	inst := instance(payload)
	for _, f := range rp.pair.ForOperation(op, versiondiff.SideRequest) {
		if f.Level >= versiondiff.NeedsAttention && inst.touches(f) {
			req = append(req, f)
		}
	}
	for _, f := range rp.pair.ForOperation(op, versiondiff.SideResponse) {
		if f.Side == versiondiff.SideResponse && f.Level >= versiondiff.NeedsAttention {
			resp = append(resp, f)
		}
	}
	return req, resp
}

// instancePaths are the element paths of a request (/root/child, local
// names) with the texts found at each.
type instancePaths map[string][]string

func instance(n *xmltree.Node) instancePaths {
	m := instancePaths{}
	var walk func(path string, n *xmltree.Node)
	walk = func(path string, n *xmltree.Node) {
		m[path] = append(m[path], n.Text)
		for _, ch := range n.Children {
			walk(path+"/"+ch.Name.Local, ch)
		}
	}
	walk("/"+n.Name.Local, n)
	return m
}

var occurrence = regexp.MustCompile(`\[[0-9]+\]`)

// touches reports whether a request finding concerns this request: an
// element it carries was removed, moved or retyped; a value it uses was
// removed; an element was made required (or added required) where it has
// the parent. Service-wide findings and removed operations always do.
func (p instancePaths) touches(f versiondiff.Finding) bool {
	if f.Operation == "" || f.Side == versiondiff.SideService || f.Path == "" {
		return true
	}
	path := occurrence.ReplaceAllString(f.Path, "")
	parent := path[:max(strings.LastIndex(path, "/"), 0)]
	switch {
	case strings.HasSuffix(f.Rule, "ROOT-ELEMENT-CHANGED"):
		return true
	case strings.HasSuffix(f.Rule, "ELEMENT-REQUIRED-ADDED"), strings.HasSuffix(f.Rule, "MIN-OCCURS-RAISED"):
		_, ok := p[parent]
		return ok
	case strings.HasSuffix(f.Rule, "ENUM-VALUE-REMOVED"):
		for _, t := range p[path] {
			if strings.TrimSpace(t) == f.Old {
				return true
			}
		}
		return false
	}
	_, ok := p[path]
	return ok
}
