package compare

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/redact"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/schemas"
)

// Change says how a golden case differs between two golden trees, or
// between a tree and a target's current answer (`fnokit golden diff`).
type Change string

// Changes of a golden case.
const (
	Same        Change = "same"
	Changed     Change = "changed"
	Added       Change = "added"   // only in the second tree
	Removed     Change = "removed" // only in the first tree
	NotReplayed Change = "skipped" // not sent to the target (a write, or a REST API only the application one is replayed of)
	Broken      Change = "error"   // could not be compared (unreadable file, no answer)
)

// CaseDiff is one golden case's change.
type CaseDiff struct {
	Key    golden.Key `json:"key"`
	Change Change     `json:"change"`
	// Findings locate what changed (golden-mismatch, one per difference,
	// messages without values).
	Findings contract.Findings `json:"findings,omitempty"`
	// Diff is the unified diff of the normalised canonical forms.
	Diff string `json:"diff,omitempty"`
	// Reason says why the case was skipped or could not be compared.
	Reason string `json:"reason,omitempty"`
}

// TreeDiff is what changed between two golden trees, or between a tree
// and a target.
type TreeDiff struct {
	A, B     string // what was compared: folders, or a folder and a target's URL (redacted)
	Cases    []CaseDiff
	Duration time.Duration
}

// TreeSummary counts the cases by change.
type TreeSummary struct {
	Cases, Same, Changed, Added, Removed, Skipped, Errors int
}

// Summary counts the cases by change.
func (t *TreeDiff) Summary() TreeSummary {
	s := TreeSummary{Cases: len(t.Cases)}
	for _, c := range t.Cases {
		switch c.Change {
		case Same:
			s.Same++
		case Changed:
			s.Changed++
		case Added:
			s.Added++
		case Removed:
			s.Removed++
		case NotReplayed:
			s.Skipped++
		default:
			s.Errors++
		}
	}
	return s
}

// HasDifferences reports whether any case changed, appeared or went.
func (t *TreeDiff) HasDifferences() bool {
	s := t.Summary()
	return s.Changed+s.Added+s.Removed > 0
}

// TreeOptions shape DiffTrees.
type TreeOptions struct {
	// Rules normalise both trees; nil takes the rules file of the first
	// tree, else of the second, else golden.DefaultRules.
	Rules *golden.Rules
	// Context lines of the diffs; 0 is 3.
	Context int
	// MaxLocations bounds the findings listed per part; 0 is
	// DefaultMaxDifferences.
	MaxLocations int
}

// DiffTrees compares two golden trees case by case, after normalisation:
// a committed golden/ and a fresh recording, say. Cases are matched by
// key; each part (request, response, and the status and media type of the
// meta file) is compared in canonical form.
func DiffTrees(a, b string, opts TreeOptions) (*TreeDiff, error) {
	start := time.Now()
	for _, d := range []string{a, b} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("golden folder %s not found", d)
		}
	}
	rules := opts.Rules
	if rules == nil {
		var err error
		if rules, err = treeRules(a, b); err != nil {
			return nil, err
		}
	}
	sa, sb := &golden.Store{Root: a, Rules: rules}, &golden.Store{Root: b, Rules: rules}
	ka, err := sa.Keys()
	if err != nil {
		return nil, err
	}
	kb, err := sb.Keys()
	if err != nil {
		return nil, err
	}
	inB := map[golden.Key]bool{}
	for _, k := range kb {
		inB[k] = true
	}
	all := slices.Clone(ka)
	inA := map[golden.Key]bool{}
	for _, k := range ka {
		inA[k] = true
	}
	for _, k := range kb {
		if !inA[k] {
			all = append(all, k)
		}
	}
	slices.SortFunc(all, func(x, y golden.Key) int { return strings.Compare(x.String(), y.String()) })
	td := &TreeDiff{A: a, B: b}
	cmp := &treeCompare{rules: rules, context: max(opts.Context, 0), max: opts.MaxLocations, aName: "a", bName: "b"}
	if cmp.context == 0 {
		cmp.context = 3
	}
	if cmp.max <= 0 {
		cmp.max = DefaultMaxDifferences
	}
	for _, k := range all {
		var ea, eb golden.Exchange
		if inA[k] {
			if ea, err = sa.Load(k); err != nil {
				td.Cases = append(td.Cases, CaseDiff{Key: k, Change: Broken, Reason: redact.Text(err.Error())})
				continue
			}
		}
		if inB[k] {
			if eb, err = sb.Load(k); err != nil {
				td.Cases = append(td.Cases, CaseDiff{Key: k, Change: Broken, Reason: redact.Text(err.Error())})
				continue
			}
		}
		cd := cmp.exchange(k, ea, eb)
		switch {
		case cd.Change == Broken:
		case !inB[k]:
			cd.Change = Removed
		case !inA[k]:
			cd.Change = Added
		}
		td.Cases = append(td.Cases, cd)
	}
	td.Duration = time.Since(start)
	return td, nil
}

// treeRules are the normalisation rules of the first tree that has a rules
// file, or the defaults.
func treeRules(dirs ...string) (*golden.Rules, error) {
	for _, d := range dirs {
		for _, name := range golden.RulesFileNames {
			p := filepath.Join(d, name)
			if _, err := os.Stat(p); err == nil {
				return golden.LoadRules(p)
			}
		}
	}
	return golden.DefaultRules(), nil
}

// treeCompare compares the parts of two exchanges of one case.
type treeCompare struct {
	rules        *golden.Rules
	context, max int
	aName, bName string
}

func (t *treeCompare) exchange(k golden.Key, a, b golden.Exchange) CaseDiff {
	cd := CaseDiff{Key: k, Change: Same}
	var diffs []string
	for _, p := range []struct {
		part golden.Part
		a, b []byte
	}{{golden.PartRequest, a.Request, b.Request}, {golden.PartResponse, a.Response, b.Response}} {
		if p.a == nil && p.b == nil {
			continue
		}
		file := k.File(p.part)
		ca, va, err := t.canonical(k, p.a)
		if err != nil {
			return CaseDiff{Key: k, Change: Broken, Reason: fmt.Sprintf("%s/%s: %s", t.aName, file, redact.Text(err.Error()))}
		}
		cb, vb, err := t.canonical(k, p.b)
		if err != nil {
			return CaseDiff{Key: k, Change: Broken, Reason: fmt.Sprintf("%s/%s: %s", t.bName, file, redact.Text(err.Error()))}
		}
		if ca == cb {
			continue
		}
		cd.Change = Changed
		diffs = append(diffs, golden.Unified(t.aName+"/"+file, t.bName+"/"+file, ca, cb, t.context))
		if va == nil || vb == nil {
			continue // a part added or removed: the diff says it all
		}
		d := &differ{max: t.max}
		if k.Kind == golden.REST {
			d.json(va, vb, "")
		} else {
			d.xml(va.(*xmltree.Node), vb.(*xmltree.Node), "/"+va.(*xmltree.Node).Name.Local)
		}
		for _, x := range d.out {
			cd.Findings = append(cd.Findings, contract.New(contract.RuleGoldenMismatch, file, x.Location, t.phrase(string(p.part), x.Kind)))
		}
		if d.omitted > 0 {
			cd.Findings = append(cd.Findings, contract.New(contract.RuleGoldenMismatch, file, "",
				fmt.Sprintf("%d more difference(s) in the %s", d.omitted, p.part)))
		}
	}
	if ma, mb := metaText(a.Meta), metaText(b.Meta); ma != mb && ma != "" && mb != "" {
		cd.Change = Changed
		file := k.File(golden.PartMeta)
		diffs = append(diffs, golden.Unified(t.aName+"/"+file, t.bName+"/"+file, ma, mb, t.context))
		cd.Findings = append(cd.Findings, contract.New(contract.RuleGoldenMismatch, file, "", "the HTTP status, method, URL or media type differs"))
	}
	cd.Diff = strings.Join(diffs, "")
	return cd
}

func (t *treeCompare) phrase(part string, k Kind) string {
	switch k {
	case OnlyInBaseline:
		return "the " + part + " has this only in " + t.aName
	case OnlyInCandidate:
		return "the " + part + " has this only in " + t.bName
	}
	return "the " + part + "'s value differs here"
}

// canonical is the normalised canonical text of a body, and its tree (XML)
// or value (JSON); nil gives "".
func (t *treeCompare) canonical(k golden.Key, b []byte) (string, any, error) {
	if b == nil {
		return "", nil, nil
	}
	if k.Kind == golden.REST {
		v, err := decodeJSON(b)
		if err != nil {
			return "", nil, err
		}
		v = t.rules.NormalizeJSON(k, v)
		return prettyJSON(v), v, nil
	}
	n, err := xmltree.ParseBytes(b, xmltree.Limits{})
	if err != nil {
		return "", nil, err
	}
	n = t.rules.NormalizeXML(k, n)
	return canonicalXML(n), n, nil
}

// metaText is the part of a meta file a diff compares: what a client sees
// (method, URL, status, media type), not the headers that vary by run.
func metaText(m golden.Meta) string {
	var b strings.Builder
	if m.Method != "" {
		fmt.Fprintf(&b, "method %s\n", m.Method)
	}
	if m.URL != "" {
		fmt.Fprintf(&b, "url %s\n", m.URL)
	}
	if m.Status != 0 {
		fmt.Fprintf(&b, "status %d\n", m.Status)
	}
	if ct := m.ResponseHeaders.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			ct = mt
		}
		fmt.Fprintf(&b, "content-type %s\n", ct)
	}
	return b.String()
}

// TargetOptions shape DiffTarget.
type TargetOptions struct {
	// Services and Versions keep only the cases of these services (or
	// REST APIs) and versions; empty keeps all.
	Services, Versions []string
	// Timeout bounds each call; 0 is DefaultTimeout.
	Timeout time.Duration
	// Context lines of the diffs; 0 is 3.
	Context int
	// Parallel is how many cases are replayed at once; 0 is 4.
	Parallel int
}

// DiffTarget replays the recorded request of every golden case that only
// reads (SOAP read operations, the application REST API's routes) against
// a target, and compares each answer with its golden response after
// normalisation (golden.Store.Compare: the answer is redacted first).
// Other cases are skipped: a golden diff never writes to a target. SOAP
// requests are rebuilt from the recorded payload with ep's credentials (the
// recorded SOAP header, redacted, is dropped); REST requests use the
// recorded method, URL path and body.
func DiffTarget(ctx context.Context, store *golden.Store, ep Endpoint, opts TargetOptions) (*TreeDiff, error) {
	start := time.Now()
	if err := checkURL(ep.URL); err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	keys, err := store.Keys()
	if err != nil {
		return nil, err
	}
	keys, err = filterKeys(keys, opts.Services, opts.Versions)
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Context <= 0 {
		opts.Context = 3
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Timeout: opts.Timeout, Transport: tr}
	defer client.CloseIdleConnections()

	td := &TreeDiff{A: store.Root, B: redact.URL(ep.URL), Cases: make([]CaseDiff, len(keys))}
	var wg sync.WaitGroup
	sem := make(chan struct{}, opts.Parallel)
	for i, k := range keys {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Go(func() {
			defer func() { <-sem }()
			td.Cases[i] = replay(ctx, client, store, ep, k, opts)
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	td.Duration = time.Since(start)
	return td, nil
}

func filterKeys(keys []golden.Key, services, versions []string) ([]golden.Key, error) {
	if len(services) == 0 && len(versions) == 0 {
		return keys, nil
	}
	var out []golden.Key
	for _, k := range keys {
		if (len(services) == 0 || slices.Contains(services, k.Service)) && (len(versions) == 0 || slices.Contains(versions, k.Version)) {
			out = append(out, k)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the filters select no golden case")
	}
	return out, nil
}

func replay(ctx context.Context, client *http.Client, store *golden.Store, ep Endpoint, k golden.Key, opts TargetOptions) CaseDiff {
	cd := CaseDiff{Key: k}
	ex, err := store.Load(k)
	if err != nil {
		cd.Change, cd.Reason = Broken, redact.Text(err.Error())
		return cd
	}
	var req *http.Request
	switch k.Kind {
	case golden.SOAP:
		req, cd.Reason = soapReplay(ctx, ep, k, ex)
	case golden.REST:
		req, cd.Reason = restReplay(ctx, ep, k, ex)
	}
	if req == nil {
		if cd.Change == "" {
			cd.Change = NotReplayed
		}
		return cd
	}
	resp, err := client.Do(req)
	if err != nil {
		cd.Change, cd.Reason = Broken, redact.Text("HTTP: "+err.Error())
		return cd
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		cd.Change, cd.Reason = Broken, "the answer could not be read whole"
		return cd
	}
	res, err := store.Compare(k, golden.Exchange{Response: body, Meta: golden.Meta{Status: resp.StatusCode, ResponseHeaders: resp.Header}},
		golden.Options{Context: opts.Context})
	if err != nil {
		cd.Change, cd.Reason = Broken, redact.Text(err.Error())
		return cd
	}
	cd.Change, cd.Findings, cd.Diff = Same, res.Findings, res.Diff
	if !res.OK() {
		cd.Change = Changed
	}
	return cd
}

// soapReplay builds the request of a SOAP case, or says why it is not
// replayed.
func soapReplay(ctx context.Context, ep Endpoint, k golden.Key, ex golden.Exchange) (*http.Request, string) {
	if !IsRead(k.Operation) {
		return nil, "not a read operation: a golden diff never writes to a target"
	}
	v, err := schemas.Find(k.Service, k.Version)
	if err != nil {
		return nil, "no bundled contract for this service version"
	}
	if _, ok := v.Operation(k.Operation); !ok {
		return nil, "the bundled contract of this version has no such operation"
	}
	if ex.Request == nil {
		return nil, "the case has no recorded request"
	}
	n, err := xmltree.ParseBytes(ex.Request, xmltree.Limits{})
	if err != nil {
		return nil, "the recorded request is not readable XML"
	}
	payload := n
	if n.Name.Local == "Envelope" {
		body := n.Child("Body")
		if body == nil || len(body.Children) == 0 {
			return nil, "the recorded request has no payload"
		}
		payload = body.Children[0]
	}
	req, err := soap.NewRequest(ctx, strings.TrimSuffix(ep.URL, "/"),
		contract.Operation{Service: v.Service, Version: v.Version, Name: k.Operation}, payload, ep.Credentials)
	if err != nil {
		return nil, "the recorded request could not be rebuilt"
	}
	return req, ""
}

// restReplay builds the request of a REST case, or says why it is not
// replayed.
func restReplay(ctx context.Context, ep Endpoint, k golden.Key, ex golden.Exchange) (*http.Request, string) {
	if k.Service != RESTAPI {
		return nil, "only the " + RESTAPI + " REST API is replayed (the others need their own token flows, or write)"
	}
	if ex.Meta.URL == "" {
		return nil, "the case has no meta file with the request's URL"
	}
	u, err := url.Parse(ex.Meta.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		return nil, "the recorded URL is not usable"
	}
	method := ex.Meta.Method
	if method == "" {
		method = http.MethodGet
		if ex.Request != nil {
			method = http.MethodPost
		}
	}
	target := strings.TrimSuffix(ep.URL, "/") + u.EscapedPath()
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	var body io.Reader
	if ex.Request != nil {
		body = bytes.NewReader(ex.Request)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, "the recorded request could not be rebuilt"
	}
	if ex.Request != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	ep.Credentials.Apply(req)
	return req, ""
}

// WriteTreeDiff writes each changed, added or removed case with its unified
// diff, the cases that could not be compared, then a summary line.
func WriteTreeDiff(w io.Writer, t *TreeDiff) error {
	ew := &errWriter{w: w}
	for _, c := range t.Cases {
		switch c.Change {
		case Changed, Added, Removed:
			ew.printf("%s %s\n", c.Change, c.Key)
			for _, f := range c.Findings {
				ew.printf("  %s\n", redact.Text(f.String()))
			}
			if c.Diff != "" {
				ew.printf("%s", redact.Text(c.Diff))
			}
			ew.printf("\n")
		case Broken:
			ew.printf("error %s: %s\n\n", c.Key, redact.Text(c.Reason))
		}
	}
	s := t.Summary()
	ew.printf("golden diff %s → %s: %d case(s): %d same, %d changed, %d added, %d removed, %d skipped, %d not compared; %s\n",
		redact.URL(t.A), redact.URL(t.B), s.Cases, s.Same, s.Changed, s.Added, s.Removed, s.Skipped, s.Errors, t.Duration.Round(time.Millisecond))
	return ew.err
}
