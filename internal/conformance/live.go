package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/schemas"
)

// ErrRefused wraps the error of FindRecords when the target refuses the
// credentials (HTTP 401 or 403).
var ErrRefused = errors.New("the target refused the credentials")

// Bounds of FindRecords: how many records a read asks for when it has to
// choose among them (a license server with an add-on, an entitlement none
// of whose copies is fulfilled), how many pages it reads at most for the
// latter, and how many versions of a service it tries for one read.
const (
	findBatch       = 50
	findPages       = 4
	maxFindVersions = 3
)

// recordQuery is one read of FindRecords: the newest version of service
// that has op is asked first, older ones (up to maxFindVersions) when it
// does not answer SUCCESS. take reads the answer into r and says whether
// it found what it looked for; paged queries are asked again for the next
// page (up to findPages) until take says so.
type recordQuery struct {
	service, op string
	values      func(page int) map[string]any
	// item names the records of a paged query (empty: one page only); a
	// page with fewer than findBatch of them is the last.
	item string
	take func(payload *xmltree.Node, r *Records) bool
}

var recordQueries = []recordQuery{
	{service: "ManageDeviceService", op: "searchDevices", values: deviceQuery("CLIENT", 1, nil),
		take: func(p *xmltree.Node, r *Records) bool {
			for _, d := range all(p, "device") {
				if dev, ok := liveDevice(d); ok {
					r.Clients = []Device{dev}
					return true
				}
			}
			return false
		}},
	// A license server with an add-on when one of the first findBatch has
	// one (the add-on specs need it), else the first server.
	{service: "ManageDeviceService", op: "searchDevices",
		values: deviceQuery("SERVER", findBatch, map[string]any{"addOnActivationId": "true"}),
		take: func(p *xmltree.Node, r *Records) bool {
			for _, d := range all(p, "device") {
				dev, ok := liveDevice(d)
				if !ok {
					continue
				}
				if r.Server == nil {
					r.Server = &dev
				}
				if textOf(first(first(d, "addon"), "activationId")) != "" {
					r.Server = &dev
					return true
				}
			}
			return r.Server != nil
		}},
	{service: "EntitlementOrderService", op: "getActivatableItemsQuery", values: func(int) map[string]any {
		return map[string]any{"activatableItemSearchCriteria": map[string]any{"restrictToItemsWithCount": "true"}, "batchSize": "1", "pageNumber": "1"}
	}, take: func(p *xmltree.Node, r *Records) bool {
		it := first(p, "activatableItem")
		if it == nil {
			return false
		}
		r.EntitlementID = idText(first(it, "entitlementId"), "id")
		if a := first(it, "activationId"); a != nil {
			r.ActivationID = idText(a, "id")
		}
		return r.ActivationID != ""
	}},
	// An entitlement none of whose line items has fulfilled copies, other
	// than the one above: read-only specs ask about an entitlement that no
	// activation changes. (The emulator's sweep also deletes it; a live
	// target's never is: the sweep's writes do not run there.)
	{service: "EntitlementOrderService", op: "getEntitlementsQuery", item: "entitlement", values: func(page int) map[string]any {
		return map[string]any{"entitlementSearchCriteria": map[string]any{}, "batchSize": strconv.Itoa(findBatch), "pageNumber": strconv.Itoa(page)}
	}, take: func(p *xmltree.Node, r *Records) bool {
	next:
		for _, e := range all(p, "entitlement") {
			id := idText(first(e, "entitlementId"), "id")
			if id == "" || strings.EqualFold(id, r.EntitlementID) {
				continue
			}
			// fulfilledCount of each line item (entitlementLineItemDataType).
			for _, f := range all(e, "fulfilledCount") {
				if n, err := strconv.Atoi(textOf(f)); err != nil || n > 0 {
					continue next
				}
			}
			r.SpareEntitlementID = id
			return true
		}
		return false
	}},
	{service: "LicenseService", op: "getFulfillmentsQuery", values: func(int) map[string]any {
		return map[string]any{"queryParams": map[string]any{"state": map[string]any{"value": "ACTIVE", "searchType": "EQUALS"}}, "batchSize": "1", "pageNumber": "1"}
	}, take: func(p *xmltree.Node, r *Records) bool {
		if id := idText(first(p, "fulfillmentIdentifier"), "fulfillmentId"); id != "" {
			r.FulfillmentIDs = []string{id}
			return true
		}
		return false
	}},
	{service: "UserAcctHierarchyService", op: "getAccountsQuery", values: onePage, take: func(p *xmltree.Node, r *Records) bool {
		a := first(p, "acctData")
		if id := textOf(first(first(a, "account"), "id")); id != "" {
			r.Account = &Account{ID: id, Name: textOf(a.Child("name"))}
			return true
		}
		return false
	}},
	{service: "UserAcctHierarchyService", op: "getUsersQuery", values: onePage, take: func(p *xmltree.Node, r *Records) bool {
		r.UserName = textOf(first(p, "userName"))
		return r.UserName != ""
	}},
	{service: "ProductPackagingService", op: "getProductsQuery", values: func(int) map[string]any {
		m := onePage(1)
		m["returnContainedObjects"] = "false"
		return m
	}, take: func(p *xmltree.Node, r *Records) bool {
		if pr := first(p, "product"); pr != nil && textOf(pr.Child("productName")) != "" {
			r.Product = &Product{Name: textOf(pr.Child("productName")), Version: textOf(pr.Child("version"))}
			return true
		}
		return false
	}},
	{service: "ProductPackagingService", op: "getLicenseModelIdentifiers", values: func(int) map[string]any { return map[string]any{} },
		take: func(p *xmltree.Node, r *Records) bool {
			r.LicenseModel = idText(first(p, "licenseModelIdentifier"), "name")
			return r.LicenseModel != ""
		}},
}

func onePage(int) map[string]any {
	return map[string]any{"queryParams": map[string]any{}, "batchSize": "1", "pageNumber": "1"}
}

// deviceQuery is a searchDevices request for devices of class.
func deviceQuery(class string, batch int, responseConfig map[string]any) func(int) map[string]any {
	return func(int) map[string]any {
		m := map[string]any{
			"queryParams": map[string]any{"deviceClasses": map[string]any{"deviceClass": []any{class}}},
			"batchSize":   strconv.Itoa(batch), "pageNumber": "1",
		}
		if responseConfig != nil {
			m["responseConfig"] = responseConfig
		}
		return m
	}
}

// liveDevice reads a searchDevices device.
func liveDevice(dev *xmltree.Node) (Device, bool) {
	d := first(dev, "deviceId")
	if d == nil || textOf(d.Child("id")) == "" {
		return Device{}, false
	}
	return Device{ID: textOf(d.Child("id")), IDType: textOf(d.Child("idType")),
		Publisher: textOf(d.Child("publisherName")), Class: textOf(d.Child("deviceClass"))}, true
}

// FindRecords finds, with read operations of the newest service versions,
// the records a sweep's and the suites' requests name on a target that is
// not the in-process emulator (whose records StoreRecords reads from its
// state): a client device, a license server (one with an add-on when the
// first findBatch servers have one), a line item with copies left and its
// entitlement, another entitlement none of whose copies is fulfilled, an
// active fulfilment, an account, a user, a product and a license model.
// It makes at most a few dozen calls (every query bounded in versions and
// pages), each bounded by client's timeout.
//
// Only one client and one fulfilment are named: the sweep's retiring
// operations, which each want one of their own, are writes that never
// run on a live target. Login stays nil: it would be the caller's own
// password.
//
// A query that finds nothing leaves its field empty (the calls that
// needed it then keep the samples' values and most likely answer
// FAILURE). The error is for a target that cannot be asked at all: not
// reachable, or refusing the credentials (ErrRefused).
func FindRecords(ctx context.Context, client *http.Client, baseURL string, creds soap.Credentials) (Records, error) {
	var rec Records
	services, err := schemas.Services()
	if err != nil {
		return rec, err
	}
	byName := map[string]schemas.Service{}
	for _, s := range services {
		byName[s.Name] = s
	}
	base := strings.TrimSuffix(baseURL, "/")
	for _, q := range recordQueries {
		vs := byName[q.service].Versions
		tries := 0
		for i := len(vs) - 1; i >= 0 && tries < maxFindVersions; i-- {
			if _, ok := vs[i].Operation(q.op); !ok {
				continue
			}
			tries++
			answered, err := q.run(ctx, client, base, creds, vs[i], &rec)
			if err != nil {
				return rec, err
			}
			if answered {
				break
			}
		}
	}
	return rec, nil
}

// run asks one version; answered is true when it answered SUCCESS (the
// query is then done, found or not).
func (q recordQuery) run(ctx context.Context, client *http.Client, base string, creds soap.Credentials, v schemas.Version, rec *Records) (answered bool, err error) {
	pages := 1
	if q.item != "" {
		pages = findPages
	}
	for page := 1; page <= pages; page++ {
		payload, err := findCall(ctx, client, base, creds, v, q.op, q.values(page))
		if err != nil || payload == nil {
			return page > 1, err
		}
		if q.take(payload, rec) || len(all(payload, q.item)) < findBatch {
			return true, nil
		}
	}
	return true, nil
}

// findCall makes one read; a nil payload (and nil error) means the version
// did not answer SUCCESS and an older one may be tried.
func findCall(ctx context.Context, client *http.Client, base string, creds soap.Credentials, v schemas.Version, op string, values map[string]any) (*xmltree.Node, error) {
	p, err := project.For(v.Service, v.Version)
	if err != nil {
		return nil, nil
	}
	payload, err := p.RequestPayload(op, values)
	if err != nil {
		return nil, nil
	}
	opn := contract.Operation{Service: v.Service, Version: v.Version, Name: op}
	req, err := soap.NewRequest(ctx, base, opn, payload, creds)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", opn, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is the caller's; the cause is what matters
		}
		return nil, fmt.Errorf("%s %s %s: %w", v.Service, v.Version, op, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return nil, fmt.Errorf("%w (HTTP %d)", ErrRefused, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil || len(body) > maxResponse {
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

// all is every element named local below n, outermost first (an element
// found is not searched further).
func all(n *xmltree.Node, local string) []*xmltree.Node {
	if n == nil {
		return nil
	}
	var out []*xmltree.Node
	for _, c := range n.Children {
		if c.Name.Local == local {
			out = append(out, c)
			continue
		}
		out = append(out, all(c, local)...)
	}
	return out
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
