// Package migrate is the version-migration check a client team runs before
// moving its integration from one service version to the next (say
// ManageDevice v6 → v7): the schema diff of the two versions
// (internal/versiondiff), plus a replay of the old version's requests
// against the new one with their namespace rewritten. For each request it
// says whether the rewritten request still validates against the new
// version's schema (libxml2), whether the new version answers it
// successfully (no SOAP fault, statusInfo SUCCESS), and which diff rules
// touch that request — what the client must change.
//
// The requests are the old version's golden requests (golden/soap/<Service>/
// <version>/<op>/<case>.request.xml) where an operation has some, else the
// operation's valid request sample (schemas/testdata/<Service>/<version>/
// <op>.request.valid.xml). A request that fails in the new version is sent
// unchanged to the old one too: when it fails there as well (a sample
// naming records the target lacks), the migration is not to blame and the
// case is inconclusive rather than failed.
//
// The target is a conformance.Target: by default a fresh in-process
// emulator per version (same seed and data set as the golden files'), or a
// live tenant (LiveTarget), where only read operations are sent unless
// writes are allowed, and the old version is called only when the new one
// failed. Messages name operations, rules, paths and statuses, never
// request or response values or credentials.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/versiondiff"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// DefaultTimeout bounds one call when Options.Client is nil.
const DefaultTimeout = 30 * time.Second

// maxCases bounds the requests of one run (golden cases can be many).
const maxCases = 10_000

// Options say what to migrate and how to replay.
type Options struct {
	Service  string
	From, To string // versions: base, v1, …
	// Golden is the golden root (golden/); "" or a missing folder uses
	// the samples only.
	Golden string
	// Samples is the request samples folder (schemas/testdata).
	Samples string
	// Live marks a live target: write operations are sent only with
	// AllowWrites, and the old version is called only to explain a
	// failure of the new one (each write reaches the tenant at most
	// twice, and usually once).
	Live        bool
	AllowWrites bool
	// Client sends the calls; nil is a client with DefaultTimeout.
	Client *http.Client
}

// Verdict is the outcome of one replayed request.
type Verdict string

// Verdicts, from good to bad.
const (
	// OK: the rewritten request validates against the new version and
	// the new version answers it successfully.
	OK Verdict = "ok"
	// NotSent: a write operation against a live target without
	// AllowWrites; only validated.
	NotSent Verdict = "not-sent"
	// Inconclusive: the new version does not answer it successfully, and
	// neither does the old one with the original request.
	Inconclusive Verdict = "inconclusive"
	// NeedsChange: the rewritten request does not validate, its operation
	// is gone, or the new version fails it where the old one succeeds.
	NeedsChange Verdict = "needs-change"
	// Error: the case could not be checked (unreadable request, no
	// answer).
	Error Verdict = "error"
)

// Outcome is how one version answered one request.
type Outcome struct {
	Sent       bool   `json:"sent"`
	HTTPStatus int    `json:"httpStatus,omitempty"`
	Fault      string `json:"fault,omitempty"` // fault code and the emulator's problem name, never the faultstring
	// Status is statusInfo/status (FlexnetAuthentication: Success as
	// SUCCESS/FAILURE); FailedRecords counts failedData records.
	Status        string `json:"status,omitempty"`
	FailedRecords int    `json:"failedRecords,omitempty"`
	// WrongPayload: the Body holds another element than the operation's
	// output.
	WrongPayload bool   `json:"wrongPayload,omitempty"`
	Err          string `json:"error,omitempty"`
}

// Succeeded reports whether the call answered the operation's output, no
// fault, status SUCCESS (or no status at all).
func (o Outcome) Succeeded() bool {
	return o.Sent && o.Err == "" && o.Fault == "" && !o.WrongPayload && o.HTTPStatus == http.StatusOK &&
		(o.Status == "" || o.Status == "SUCCESS")
}

func (o Outcome) String() string {
	switch {
	case !o.Sent:
		return "not sent"
	case o.Err != "":
		return "no answer: " + o.Err
	case o.Fault != "":
		return fmt.Sprintf("HTTP %d, SOAP fault %s", o.HTTPStatus, o.Fault)
	case o.WrongPayload:
		return fmt.Sprintf("HTTP %d, not the operation's response element", o.HTTPStatus)
	case o.Status != "" && o.FailedRecords > 0:
		return fmt.Sprintf("%s with %d failed record(s)", o.Status, o.FailedRecords)
	case o.Status != "":
		return o.Status
	}
	return fmt.Sprintf("HTTP %d", o.HTTPStatus)
}

// Case is one replayed request.
type Case struct {
	Operation string `json:"operation"`
	// Name is the golden case name, or "sample".
	Name string `json:"name"`
	// Source is the request's file, relative to the golden or samples
	// folder.
	Source string `json:"source"`
	// Golden tells a golden request from a sample.
	Golden  bool    `json:"golden"`
	Verdict Verdict `json:"verdict"`
	// Valid: the rewritten request validates against the new version;
	// Validation holds the findings when it does not. OldValid: the
	// original validates against the old version (a sample or golden
	// file that does not is reported, not blamed on the migration).
	Valid      bool              `json:"valid"`
	Validation contract.Findings `json:"validation,omitempty"`
	OldValid   bool              `json:"oldValid"`
	// New is the new version's answer to the rewritten request; Old the
	// old version's to the original, when it was asked.
	New Outcome  `json:"new"`
	Old *Outcome `json:"old,omitempty"`
	// Changes are the diff findings of the operation's request that touch
	// this request (elements it carries, values it uses) and the
	// service-wide ones (the namespace, rewritten here): what the client
	// must change. Response lists the operation's response findings that
	// break or need attention: what its parser may meet.
	Changes  []versiondiff.Finding `json:"changes"`
	Response []versiondiff.Finding `json:"response"`
	// Message says in one line why the verdict is what it is.
	Message  string        `json:"message"`
	Duration time.Duration `json:"-"`
}

// Result is one migration check.
type Result struct {
	Service string `json:"service"`
	From    string `json:"from"`
	To      string `json:"to"`
	// Target names what was called (never with credentials).
	Target string             `json:"target"`
	Diff   versiondiff.Result `json:"diff"`
	Cases  []Case             `json:"cases"`
	// Duration is the whole check's.
	Duration time.Duration `json:"-"`
}

// Count returns the number of cases with the verdict.
func (r Result) Count(v Verdict) int {
	n := 0
	for _, c := range r.Cases {
		if c.Verdict == v {
			n++
		}
	}
	return n
}

// ReadOnly reports whether an operation only reads (by FNO's naming:
// get…, search…, count…, validate…, authenticate…, ping), so it may be
// sent to a live tenant without --allow-writes. Anything else — including
// emailLicense and verifyCreateLicense — counts as a write.
func ReadOnly(op string) bool {
	if op == "ping" {
		return true
	}
	for _, p := range []string{"get", "search", "count", "validate", "authenticate"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// phase orders the replay as the conformance sweep does: reads, then
// changes, then decrements, then what retires records, so a delete never
// runs before a read of the same record (in both versions alike).
func phase(op string) int {
	if ReadOnly(op) {
		return 0
	}
	if strings.HasPrefix(op, "decrement") {
		return 2
	}
	for _, p := range []string{"delete", "remove", "obsolete", "return", "unlink", "deactivate"} {
		if strings.HasPrefix(op, p) {
			return 3
		}
	}
	return 1
}

// Run checks the migration of opts.Service from opts.From to opts.To
// against target. The error says the check could not start (unknown
// service or version, a schema that does not compile, ctx ended); a
// request that could not be replayed is a Case with verdict Error.
func Run(ctx context.Context, target conformance.Target, opts Options) (Result, error) {
	start := time.Now()
	r := Result{Service: opts.Service, Target: target.Name()}
	vA, err := schemas.Find(opts.Service, opts.From)
	if err != nil {
		return r, err
	}
	vB, err := schemas.Find(opts.Service, opts.To)
	if err != nil {
		return r, err
	}
	if vA.Version == vB.Version {
		return r, fmt.Errorf("--from and --to are both %s: nothing to migrate", vA.Version)
	}
	r.From, r.To = vA.Version.String(), vB.Version.String()
	if r.Diff, err = versiondiff.CompareEmbedded(opts.Service, r.From, r.To); err != nil {
		return r, err
	}
	pair := r.Diff.Pairs[0]
	cases, err := loadCases(opts, vA)
	if err != nil {
		return r, err
	}
	schemaA, err := compile(vA)
	if err != nil {
		return r, err
	}
	defer schemaA.Close()
	schemaB, err := compile(vB)
	if err != nil {
		return r, err
	}
	defer schemaB.Close()

	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
		defer client.CloseIdleConnections()
	}
	sessB, err := target.Open(ctx, vB)
	if err != nil {
		return r, fmt.Errorf("open %s for %s: %w", target.Name(), r.To, err)
	}
	defer sessB.Close(context.WithoutCancel(ctx))
	// The old version's session opens on first need: a live target is
	// then called only when the new version failed.
	var sessA conformance.Session
	openA := func() (conformance.Session, error) {
		if sessA == nil {
			s, err := target.Open(ctx, vA)
			if err != nil {
				return nil, fmt.Errorf("open %s for %s: %w", target.Name(), r.From, err)
			}
			sessA = s
		}
		return sessA, nil
	}
	defer func() {
		if sessA != nil {
			sessA.Close(context.WithoutCancel(ctx))
		}
	}()
	rp := &replayer{opts: opts, client: client, vA: vA, vB: vB, schemaA: schemaA, schemaB: schemaB,
		sessB: sessB, openA: openA, pair: pair}
	for _, c := range cases {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		r.Cases = append(r.Cases, rp.replay(ctx, c))
	}
	r.Duration = time.Since(start)
	return r, nil
}

// compile compiles an embedded WSDL with libxml2.
func compile(v schemas.Version) (*xsd.Schema, error) {
	data, err := schemas.WSDL(v.Service, v.Version.String())
	if err != nil {
		return nil, err
	}
	s, err := xsd.CompileWSDLBytes(v.Path, data)
	if err != nil {
		return nil, fmt.Errorf("the WSDL of %s %s does not compile: %w", v.Service, v.Version, err)
	}
	return s, nil
}

// sortCases orders cases by phase, then by their operation's place in the
// WSDL, then by name.
func sortCases(cs []source, v schemas.Version) {
	place := map[string]int{}
	for i, o := range v.Operations {
		place[o.Name] = i
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if pa, pb := phase(a.op), phase(b.op); pa != pb {
			return pa < pb
		}
		if place[a.op] != place[b.op] {
			return place[a.op] < place[b.op]
		}
		return a.name < b.name
	})
}

var errNoRequest = errors.New("no request")
