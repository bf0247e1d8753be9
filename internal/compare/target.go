package compare

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/schemas"
)

// checkURL accepts an http or https URL with a host; the error names what
// is wrong without repeating the URL (it may carry a password).
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errors.New("no URL")
	case err != nil:
		return errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("the URL must start with http:// or https://")
	case u.Host == "":
		return errors.New("the URL has no host")
	case u.User != nil:
		return errors.New("the URL carries credentials: pass them in the environment instead (FNOKIT_USER/FNOKIT_PASSWORD or FNOKIT_TOKEN)")
	}
	return nil
}

// Environment variables holding credentials. The per-side ones win over the
// shared ones, as a whole: a side with any of its own variables set takes
// none of the shared ones.
const (
	EnvUser     = "FNOKIT_USER"
	EnvPassword = "FNOKIT_PASSWORD"
	EnvToken    = "FNOKIT_TOKEN"
)

// CredentialsFromEnv reads the credentials of both sides: FNOKIT_USER and
// FNOKIT_PASSWORD (HTTP Basic) or FNOKIT_TOKEN (Bearer) for both, or
// FNOKIT_BASELINE_USER/_PASSWORD/_TOKEN and FNOKIT_CANDIDATE_… per side.
// Errors name variables, never their values.
func CredentialsFromEnv(getenv func(string) string) (baseline, candidate soap.Credentials, err error) {
	if baseline, err = EnvCredentials(getenv, "BASELINE"); err != nil {
		return
	}
	candidate, err = EnvCredentials(getenv, "CANDIDATE")
	return
}

// EnvCredentials reads one target's credentials: with side ("BASELINE"),
// FNOKIT_<side>_USER/_PASSWORD/_TOKEN when any of them is set, else the
// shared FNOKIT_USER/FNOKIT_PASSWORD/FNOKIT_TOKEN; with side "", the shared
// ones only.
func EnvCredentials(getenv func(string) string, side string) (soap.Credentials, error) {
	names := [3]string{EnvUser, EnvPassword, EnvToken}
	who, also := "", ""
	if side != "" {
		own := func(v string) string { return "FNOKIT_" + side + "_" + strings.TrimPrefix(v, "FNOKIT_") }
		who = strings.ToLower(side) + ": "
		also = " (or FNOKIT_" + side + "_USER … for the " + strings.ToLower(side) + " only)"
		for _, n := range names {
			if getenv(own(n)) != "" {
				names = [3]string{own(EnvUser), own(EnvPassword), own(EnvToken)}
				break
			}
		}
	}
	user, password, token := getenv(names[0]), getenv(names[1]), getenv(names[2])
	switch {
	case token != "" && (user != "" || password != ""):
		return soap.Credentials{}, fmt.Errorf("%sset either %s or %s and %s, not both", who, names[2], names[0], names[1])
	case token != "":
		return soap.Bearer(token), nil
	case user != "" && password != "":
		return soap.Basic(user, password), nil
	case user != "" || password != "":
		return soap.Credentials{}, fmt.Errorf("%sset both %s and %s", who, names[0], names[1])
	}
	return soap.Credentials{}, fmt.Errorf("%sno credentials: set %s and %s, or %s%s", who, EnvUser, EnvPassword, EnvToken, also)
}

// fixedTarget is a conformance.Target over a URL whose sessions all name
// the same records, so both sides of a comparison get the same requests.
type fixedTarget struct {
	name string
	ep   Endpoint
	rec  conformance.Records
}

func (t fixedTarget) Name() string { return t.name }

func (t fixedTarget) Open(context.Context, schemas.Version) (conformance.Session, error) {
	return fixedSession(t), nil
}

type fixedSession fixedTarget

func (s fixedSession) BaseURL() string                                      { return strings.TrimSuffix(s.ep.URL, "/") }
func (s fixedSession) Credentials() soap.Credentials                        { return s.ep.Credentials }
func (s fixedSession) Records(context.Context) (conformance.Records, error) { return s.rec, nil }
func (s fixedSession) Close(context.Context) error                          { return nil }

// ErrRefused wraps the error of FindRecords when the target refuses the
// credentials.
var ErrRefused = errors.New("the target refused the credentials")

// recordQuery is one read FindRecords makes: the newest version of service
// that has op is asked first, older ones when it does not answer SUCCESS.
type recordQuery struct {
	service, op string
	values      func() map[string]any
	take        func(payload *xmltree.Node, r *conformance.Records)
}

var recordQueries = []recordQuery{
	{"ManageDeviceService", "searchDevices", deviceQuery("CLIENT"), func(p *xmltree.Node, r *conformance.Records) {
		if d, ok := deviceOf(p); ok {
			r.Clients = []conformance.Device{d}
		}
	}},
	{"ManageDeviceService", "searchDevices", deviceQuery("SERVER"), func(p *xmltree.Node, r *conformance.Records) {
		if d, ok := deviceOf(p); ok {
			r.Server = &d
		}
	}},
	{"EntitlementOrderService", "getActivatableItemsQuery", func() map[string]any {
		return map[string]any{"activatableItemSearchCriteria": map[string]any{"restrictToItemsWithCount": "true"}, "batchSize": "1", "pageNumber": "1"}
	}, func(p *xmltree.Node, r *conformance.Records) {
		if it := first(p, "activatableItem"); it != nil {
			r.EntitlementID = textOf(first(it, "entitlementId"))
			if a := first(it, "activationId"); a != nil {
				r.ActivationID = idText(a, "id")
			}
		}
	}},
	{"LicenseService", "getFulfillmentsQuery", func() map[string]any {
		return map[string]any{"queryParams": map[string]any{"state": map[string]any{"value": "ACTIVE", "searchType": "EQUALS"}}, "batchSize": "1", "pageNumber": "1"}
	}, func(p *xmltree.Node, r *conformance.Records) {
		if f := first(p, "fulfillmentIdentifier"); f != nil {
			if id := idText(f, "fulfillmentId"); id != "" {
				r.FulfillmentIDs = []string{id}
			}
		}
	}},
	{"UserAcctHierarchyService", "getAccountsQuery", page, func(p *xmltree.Node, r *conformance.Records) {
		if a := first(p, "acctData"); a != nil {
			id := textOf(first(first(a, "account"), "id"))
			if id != "" {
				r.Account = &conformance.Account{ID: id, Name: textOf(a.Child("name"))}
			}
		}
	}},
	{"UserAcctHierarchyService", "getUsersQuery", page, func(p *xmltree.Node, r *conformance.Records) {
		r.UserName = textOf(first(p, "userName"))
	}},
	{"ProductPackagingService", "getProductsQuery", func() map[string]any {
		m := page()
		m["returnContainedObjects"] = "false"
		return m
	}, func(p *xmltree.Node, r *conformance.Records) {
		if pr := first(p, "product"); pr != nil && textOf(pr.Child("productName")) != "" {
			r.Product = &conformance.Product{Name: textOf(pr.Child("productName")), Version: textOf(pr.Child("version"))}
		}
	}},
	{"ProductPackagingService", "getLicenseModelIdentifiers", func() map[string]any { return map[string]any{} },
		func(p *xmltree.Node, r *conformance.Records) {
			if m := first(p, "licenseModelIdentifier"); m != nil {
				r.LicenseModel = idText(m, "name")
			}
		}},
}

func page() map[string]any {
	return map[string]any{"queryParams": map[string]any{}, "batchSize": "1", "pageNumber": "1"}
}

func deviceQuery(class string) func() map[string]any {
	return func() map[string]any {
		return map[string]any{
			"queryParams": map[string]any{"deviceClasses": map[string]any{"deviceClass": []any{class}}},
			"batchSize":   "1", "pageNumber": "1",
		}
	}
}

func deviceOf(p *xmltree.Node) (conformance.Device, bool) {
	d := first(first(p, "device"), "deviceId")
	if d == nil || textOf(d.Child("id")) == "" {
		return conformance.Device{}, false
	}
	return conformance.Device{ID: textOf(d.Child("id")), IDType: textOf(d.Child("idType")),
		Publisher: textOf(d.Child("publisherName")), Class: textOf(d.Child("deviceClass"))}, true
}

// first is the first element named local at or below n (depth first), so
// the queries read their answers whatever a version nests them in.
func first(n *xmltree.Node, local string) *xmltree.Node {
	if n == nil {
		return nil
	}
	if n.Name.Local == local {
		return n
	}
	for _, c := range n.Children {
		if f := first(c, local); f != nil {
			return f
		}
	}
	return nil
}

func textOf(n *xmltree.Node) string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.Text)
}

// idText reads an identifier given either as text, as <local>, or as
// primaryKeys/<local>.
func idText(n *xmltree.Node, local string) string {
	if c := first(n, local); c != nil && c != n {
		return textOf(c)
	}
	return textOf(n)
}

// maxRecordVersions bounds the versions a record query tries.
const maxRecordVersions = 3

// FindRecords finds, with read operations of the newest service versions,
// the records the sweep's requests name: a client and a server device, a
// line item with copies left and its entitlement, an active fulfilment, an
// account, a user, a product and a license model. A query that finds
// nothing leaves its field empty (the calls that needed it then answer
// FAILURE, on both sides alike). The error is for a target that cannot be
// asked at all: not reachable, or refusing the credentials (ErrRefused).
func FindRecords(ctx context.Context, client *http.Client, ep Endpoint) (conformance.Records, error) {
	var rec conformance.Records
	services, err := schemas.Services()
	if err != nil {
		return rec, err
	}
	byName := map[string]schemas.Service{}
	for _, s := range services {
		byName[s.Name] = s
	}
	for _, q := range recordQueries {
		vs := byName[q.service].Versions
		tries := 0
		for i := len(vs) - 1; i >= 0 && tries < maxRecordVersions; i-- {
			if _, ok := vs[i].Operation(q.op); !ok {
				continue
			}
			tries++
			payload, err := recordCall(ctx, client, ep, vs[i], q)
			if err != nil {
				return rec, err
			}
			if payload != nil {
				q.take(payload, &rec)
				break
			}
		}
	}
	return rec, nil
}

// recordCall makes one record query; a nil payload (and nil error) means
// the version did not answer SUCCESS and an older one may be tried.
func recordCall(ctx context.Context, client *http.Client, ep Endpoint, v schemas.Version, q recordQuery) (*xmltree.Node, error) {
	p, err := project.For(v.Service, v.Version)
	if err != nil {
		return nil, nil
	}
	payload, err := p.RequestPayload(q.op, q.values())
	if err != nil {
		return nil, nil
	}
	opn := contract.Operation{Service: v.Service, Version: v.Version, Name: q.op}
	req, err := soap.NewRequest(ctx, strings.TrimSuffix(ep.URL, "/"), opn, payload, ep.Credentials)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", opn, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s: %w", v.Service, v.Version, q.op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return nil, fmt.Errorf("%w (HTTP %d)", ErrRefused, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		return nil, nil
	}
	parsed, err := soap.Parse(bytes.NewReader(body), xmltree.Limits{})
	if err != nil || parsed.Fault != nil || parsed.Payload == nil {
		return nil, nil
	}
	if parsed.Status != nil && parsed.Status.Status != soap.StatusSuccess {
		return nil, nil
	}
	return parsed.Payload, nil
}
