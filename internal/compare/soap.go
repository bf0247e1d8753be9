package compare

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/redact"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/schemas"
)

// compareSOAP sweeps both sides with the conformance machinery (same
// samples, same records, so the same requests) and compares each
// operation's answers.
func compareSOAP(ctx context.Context, sides [2]*side, rec conformance.Records, sel conformance.Options, opts Options) ([]Call, error) {
	var (
		results [2][]conformance.Result
		errs    [2]error
		wg      sync.WaitGroup
	)
	for i, s := range sides {
		wg.Go(func() {
			o := sel
			o.Client = s.capturing
			results[i], errs[i] = conformance.Run(ctx, fixedTarget{name: s.name, ep: s.ep, rec: rec}, o)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sides[i].name, err)
		}
	}
	cand := map[string]conformance.Result{}
	for _, r := range results[1] {
		cand[r.Key()] = r
	}
	versions, err := conformance.Selection(sel)
	if err != nil {
		return nil, err
	}
	ops := map[string]schemas.Operation{}
	for _, v := range versions {
		for _, o := range v.Operations {
			ops[v.Service+"/"+v.Version.String()+"/"+o.Name] = o
		}
	}
	calls := make([]Call, 0, len(results[0]))
	for _, b := range results[0] {
		c, ok := cand[b.Key()]
		if !ok {
			continue // ctx ended on the candidate's side; Run reports it
		}
		o := ops[b.Key()]
		endpoint := endpointOf(b.Service, b.Version.String())
		bc, bok := sides[0].cap.find(endpoint, o.Input)
		cc, cok := sides[1].cap.find(endpoint, o.Input)
		calls = append(calls, soapCall(b, c, o, answerBody(bc, bok), answerBody(cc, cok), opts))
	}
	return calls, nil
}

func answerBody(c captured, ok bool) []byte {
	if !ok {
		return nil
	}
	return c.body
}

// soapCall compares one operation's answers: b and c are the sweep's
// verdicts, bb and cb the bodies (nil when none was received).
func soapCall(b, c conformance.Result, o schemas.Operation, bb, cb []byte, opts Options) Call {
	call := Call{Protocol: "soap", Service: b.Service, Version: b.Version.String(), Operation: b.Operation,
		Baseline: soapAnswer(b), Candidate: soapAnswer(c), Duration: max(b.Duration, c.Duration)}
	switch {
	case b.Err != nil && c.Err != nil && b.Err.Error() == c.Err.Error() && b.HTTPStatus == 0 && c.HTTPStatus == 0:
		// Neither side was asked (no sample, a request that could not
		// be built): nothing to compare, and not the targets' doing.
		call.Skipped = redact.Text(b.Err.Error())
		return call
	case b.Err != nil || c.Err != nil:
		call.Err = sideErrors(b.Err, c.Err)
		return call
	}
	d := &differ{max: opts.MaxDifferences, skip: map[string]bool{}}
	outLocal := o.Output.Local
	if outLocal == "" {
		outLocal = b.Operation + "Response"
	}
	if b.HTTPStatus != c.HTTPStatus {
		d.add(Difference{Kind: StatusChanged, Level: Outcome, Location: "HTTP status", Message: "the HTTP status differs",
			Baseline: strconv.Itoa(b.HTTPStatus), Candidate: strconv.Itoa(c.HTTPStatus)})
	}
	faulted := b.Fault != nil || c.Fault != nil
	if faulted {
		bf, cf := faultText(b.Fault), faultText(c.Fault)
		if bf != cf {
			msg := "the SOAP fault differs"
			switch {
			case b.Fault == nil:
				msg = "the candidate answers with a SOAP fault, the baseline does not"
			case c.Fault == nil:
				msg = "the baseline answers with a SOAP fault, the candidate does not"
			}
			d.add(Difference{Kind: FaultChanged, Level: Outcome, Location: "/Envelope/Body/Fault", Message: msg, Baseline: bf, Candidate: cf})
		}
	}
	k := golden.Key{Kind: golden.SOAP, Service: b.Service, Version: b.Version.String(), Operation: b.Operation, Case: "compare"}
	bn, berr := soapPayload(bb, k, opts.Rules)
	cn, cerr := soapPayload(cb, k, opts.Rules)
	// The sweep reads no status from an answer it already failed (a
	// payload in the wrong namespace): read it from the answer itself.
	bs, cs := b.Status, c.Status
	if bs == "" && bn != nil {
		bs = bn.TextOf("statusInfo", "status")
	}
	if cs == "" && cn != nil {
		cs = cn.TextOf("statusInfo", "status")
	}
	call.Baseline.Status, call.Candidate.Status = bs, cs
	if bs != cs && !faulted {
		loc := "/" + outLocal + "/statusInfo/status"
		d.add(Difference{Kind: StatusChanged, Level: Outcome, Location: loc, Message: "statusInfo/status differs",
			Baseline: bs, Candidate: cs})
		d.skip[loc] = true
	}
	if !faulted {
		schemaDiff(d, b.Findings, c.Findings)
	}
	if !faulted && berr == nil && cerr == nil && bn != nil && cn != nil {
		d.xml(bn, cn, "/"+bn.Name.Local)
	}
	call.Differences, call.Omitted = d.out, d.omitted
	if call.Differs() {
		call.Diff = diffText(call.ID(), canonicalXML(bn), canonicalXML(cn), opts.Context)
	}
	return call
}

func soapAnswer(r conformance.Result) Answer {
	a := Answer{HTTPStatus: r.HTTPStatus, Status: r.Status, Findings: len(r.Findings)}
	if r.Fault != nil {
		a.Fault = faultText(r.Fault)
	}
	if r.Err != nil {
		a.Err = redact.Text(r.Err.Error())
	}
	return a
}

// faultText names a fault by its code and the emulator's problem; the
// faultstring is left out, as it is free text that may quote the request.
func faultText(f *conformance.Fault) string {
	if f == nil {
		return ""
	}
	if f.Problem != "" {
		return f.Code + " (" + f.Problem + ")"
	}
	return f.Code
}

func sideErrors(b, c error) string {
	var s string
	if b != nil {
		s = "baseline: " + b.Error()
	}
	if c != nil {
		if s != "" {
			s += "; "
		}
		s += "candidate: " + c.Error()
	}
	return redact.Text(s)
}

// schemaDiff reports the contract findings one side has and the other not,
// leaving out those the outcome level covers (fault, status).
func schemaDiff(d *differ, b, c contract.Findings) {
	key := func(f contract.Finding) string { return f.Rule + "\x00" + f.Location + "\x00" + f.Message }
	outcome := func(f contract.Finding) bool {
		return f.Rule == contract.RuleSOAPFault || f.Rule == contract.RuleSOAPStatus
	}
	count := func(fs contract.Findings) map[string]int {
		m := map[string]int{}
		for _, f := range fs {
			m[key(f)]++
		}
		return m
	}
	bm, cm := count(b), count(c)
	for _, f := range b {
		if outcome(f) {
			continue
		}
		if cm[key(f)] > 0 {
			cm[key(f)]--
			continue
		}
		d.add(Difference{Kind: OnlyInBaseline, Level: Schema, Location: f.Location, Rule: f.Rule,
			Message: "the baseline's answer breaks the contract here, the candidate's does not: " + f.Message})
	}
	for _, f := range c {
		if outcome(f) {
			continue
		}
		if bm[key(f)] > 0 {
			bm[key(f)]--
			continue
		}
		d.add(Difference{Kind: OnlyInCandidate, Level: Schema, Location: f.Location, Rule: f.Rule,
			Message: "the candidate's answer breaks the contract here, the baseline's does not: " + f.Message})
	}
}

// soapPayload redacts an answer, normalises it with the rules of k and
// returns its payload element (or the whole Body content when there is no
// payload, as in a fault). A nil body gives nil, nil.
func soapPayload(body []byte, k golden.Key, rules *golden.Rules) (*xmltree.Node, error) {
	if body == nil {
		return nil, nil
	}
	red, _ := redact.XML(body)
	root, err := xmltree.ParseBytes(red, xmltree.Limits{MaxBytes: maxBody})
	if err != nil {
		return nil, err
	}
	root = rules.NormalizeXML(k, root)
	if b := root.Child("Body"); b != nil && len(b.Children) > 0 {
		return b.Children[0], nil
	}
	return root, nil
}

// diffText is the unified diff of two canonical answers.
func diffText(id, a, b string, context int) string {
	return golden.Unified(id+" (baseline)", id+" (candidate)", a, b, context)
}

// statusOK reports a 2xx status.
func statusOK(code int) bool { return code >= http.StatusOK && code < http.StatusMultipleChoices }
