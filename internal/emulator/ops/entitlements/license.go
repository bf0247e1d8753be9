package entitlements

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Host types the emulator records for the three host shapes of the
// contracts (serverIds, nodeIds, customHost without a hostType).
const (
	hostServer = "SERVER"
	hostNode   = "NODE_LOCKED"
	hostCustom = "CUSTOM"
)

const fulfillmentType = "FlexNet Licensing Fulfillment"

// host is the licence host of a request: serverIds (up to three, a
// triad), nodeIds (one or more) or a customHost.
type host struct {
	ids []string
	typ string
}

func (h host) id() string { return strings.Join(h.ids, ",") }

// hostOf reads serverIds / nodeIds / customHost from a record.
func hostOf(v any) (host, bool) {
	if s := op.Obj(v, "serverIds"); s != nil {
		var ids []string
		for _, k := range []string{"server1", "server2", "server3"} {
			if id := op.Str(s, k); id != "" {
				ids = append(ids, id)
			}
		}
		return host{ids, hostServer}, len(ids) > 0
	}
	if n := op.Obj(v, "nodeIds"); n != nil {
		var ids []string
		for _, x := range op.List(n["nodeId"]) {
			if id := op.Str(x); id != "" {
				ids = append(ids, id)
			}
		}
		return host{ids, hostNode}, len(ids) > 0
	}
	if c := op.Obj(v, "customHost"); c != nil {
		typ := op.Str(c, "hostType", "name")
		if typ == "" {
			typ = hostCustom
		}
		id := op.Str(c, "hostId")
		return host{[]string{id}, typ}, id != ""
	}
	return host{}, false
}

// hostValue writes a stored host back in its contract shape.
func hostValue(id, typ string) map[string]any {
	ids := strings.Split(id, ",")
	switch typ {
	case hostServer:
		s := map[string]any{"server1": ids[0]}
		for i, k := range []string{"server2", "server3"} {
			if i+1 < len(ids) {
				s[k] = ids[i+1]
			}
		}
		return map[string]any{"serverIds": s}
	case hostNode:
		n := make([]any, len(ids))
		for i, x := range ids {
			n[i] = x
		}
		return map[string]any{"nodeIds": map[string]any{"nodeId": n}}
	}
	c := map[string]any{"hostId": id}
	if typ != "" && typ != hostCustom {
		c["hostType"] = map[string]any{"name": typ}
	}
	return map[string]any{"customHost": c}
}

// licence renders the signed licence text of count copies of line item it
// for host hs: one INCREMENT line per feature of the product (or one for
// the product when it lists none), a SERVER header for served hosts.
func (h *handlers) licence(l *lookups, it state.LineItem, count int, hs host, now time.Time) string {
	prod := l.product(it.Product)
	lic := sign.License{Issuer: "fnokit emulator"}
	if hs.typ == hostServer {
		lic.ServerHostID = hs.ids[0]
	}
	exp := it.Expiration
	if it.Permanent {
		exp = time.Time{}
	}
	line := func(name, version string, n int) sign.Line {
		ln := sign.Line{Name: name, Version: version, Expiry: exp, Count: n * count, Issued: now, Start: it.Start,
			VendorString: "ACTIVATION_ID=" + it.ActivationID}
		if hs.typ != hostServer {
			ln.HostID = hs.ids[0]
		}
		return ln
	}
	for _, f := range prod.Features {
		lic.Lines = append(lic.Lines, line(f.Name, f.Version, max(f.Count, 1)))
	}
	if len(lic.Lines) == 0 {
		name := it.Product.Name
		if name == "" {
			name = it.ActivationID
		}
		lic.Lines = append(lic.Lines, line(name, it.Product.Version, 1))
	}
	return h.sg.LicenseText(lic)
}

// request is one createFulfillmentDataType, read and checked.
type request struct {
	item  state.LineItem
	host  host
	count int
}

// readRequest checks a createFulfillmentDataType without consuming
// anything: the line item exists, is deployed and unexpired, has the copies,
// and a host is given (verifyCreateLicense's checks).
func (h *handlers) readRequest(rec any, now time.Time) (request, error) {
	var r request
	aid := op.Str(rec, "activationId")
	if aid == "" {
		return r, invalid("activationId must not be empty")
	}
	var ok bool
	if r.host, ok = hostOf(rec); !ok {
		return r, invalid("a host is required: give serverIds, nodeIds or customHost")
	}
	r.count = 1
	if n, present, ok := op.GetInt(rec, "fulfillCount"); present && ok {
		if n < 1 {
			return r, invalid("fulfillCount must be at least 1")
		}
		r.count = int(n)
	}
	if n, present, ok := op.GetInt(rec, "overDraftCount"); present && ok && n > 0 {
		return r, &state.Error{Kind: state.ErrNoCopies, Reason: "overDraftCount: the line item allows no overdraft"}
	}
	it, err := h.st.LineItem(aid)
	if err != nil {
		return r, err
	}
	r.item = it
	switch {
	case it.State != state.Deployed:
		return r, &state.Error{Kind: state.ErrState, Reason: "the line item is not deployed"}
	case !it.Permanent && !it.Expiration.IsZero() && now.After(it.Expiration.AddDate(0, 0, 1)):
		return r, &state.Error{Kind: state.ErrState, Reason: "the line item has expired"}
	case it.Remaining() < r.count:
		return r, &state.Error{Kind: state.ErrNoCopies, Reason: "the line item has not enough remaining copies"}
	}
	return r, nil
}

func (h *handlers) verifyCreateLicense(_ context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["fulfillment"])
	if r, bad := h.writeLimit(len(recs)); bad {
		return r, nil
	}
	var verified, failed []any
	for i, rec := range recs {
		if _, err := h.readRequest(rec, c.Now); err != nil {
			failed = append(failed, map[string]any{"fulfillment": rec, "reason": reason(err)})
			continue
		}
		verified = append(verified, map[string]any{"recordRefNo": itoa(i + 1)})
	}
	m := map[string]any{"statusInfo": outcome(len(recs), len(failed))}
	if len(failed) > 0 {
		m["failedData"] = map[string]any{"failedFulfillment": failed}
	}
	if len(verified) > 0 {
		m["responseData"] = map[string]any{"verifiedFulfillment": verified}
	}
	return m, nil
}

// createLicense creates one fulfilment per record. The copies are taken
// atomically by the state (CreateFulfillment): when requests race for the
// last copies of a line item, exactly as many succeed as there are copies
// and the others fail with "not enough remaining copies".
func (h *handlers) createLicense(ctx context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["fulfillment"])
	if r, bad := h.writeLimit(len(recs)); bad {
		return r, nil
	}
	l := newLookups(h.st)
	var created, failed []any
	for i, rec := range recs {
		f, err := h.createOne(ctx, l, rec, c)
		if err != nil {
			failed = append(failed, map[string]any{"fulfillment": rec, "reason": reason(err)})
			continue
		}
		created = append(created, map[string]any{"recordRefNo": itoa(i + 1), "uniqueId": f.ID,
			"fulfillmentId": f.ID, "licenseText": f.LicenseText})
	}
	return writeResponse(len(recs), failed, "failedFulfillment", created, "createdFulfillment"), nil
}

// newFulfillment is the fulfilment of request r, with the producer's ID
// and licence text when a producer is configured, else the emulator's
// signed licence.
func (h *handlers) newFulfillment(ctx context.Context, l *lookups, r request, c *op.Call) (state.Fulfillment, error) {
	f := state.Fulfillment{
		ActivationID: r.item.ActivationID, HostID: r.host.id(), HostType: r.host.typ, Count: r.count,
		Type: fulfillmentType, ActivationType: "PROGRAMMATIC", User: c.User,
	}
	err := h.produce(ctx, &f, func() string { return h.licence(l, r.item, r.count, r.host, c.Now) })
	return f, err
}

func (h *handlers) createOne(ctx context.Context, l *lookups, rec any, c *op.Call) (state.Fulfillment, error) {
	r, err := h.readRequest(rec, c.Now)
	if err != nil {
		return state.Fulfillment{}, err
	}
	// The text is signed (or asked of the producer) outside the store's
	// lock; the store then takes the copies, or refuses if a racing request
	// took them first.
	f, err := h.newFulfillment(ctx, l, r, c)
	if err != nil {
		return state.Fulfillment{}, err
	}
	return h.st.CreateFulfillment(f)
}

// createLicensesAsBatch creates a licence for every activation ID on every
// host, all or nothing (its response has no failedData). countData gives
// per activation ID and host (hostDataRefId: the host's 1-based position
// in hostIdDataSet) the count; the default is 1.
func (h *handlers) createLicensesAsBatch(ctx context.Context, c *op.Call) (map[string]any, error) {
	aids := op.List(c.Request, "activationIds", "activationId")
	hostRecs := op.List(c.Request, "hostIdDataSet", "hostIdData")
	if r, bad := h.writeLimit(len(aids) * len(hostRecs)); bad {
		return r, nil
	}
	hosts := make([]host, len(hostRecs))
	for i, hr := range hostRecs {
		hs, ok := hostOf(hr)
		if !ok {
			return op.Failure(fmt.Sprintf("hostIdData %d: give serverIds, nodeIds or customHost.", i+1)), nil
		}
		hosts[i] = hs
	}
	counts := map[string]int{} // activation ID (lower case) + "\x00" + host ref
	for _, cd := range op.List(c.Request, "countDataSet", "countData") {
		for _, ch := range op.List(cd, "countForHosts") {
			n, present, ok := op.GetInt(ch, "fulfillCount")
			if !present || !ok || n < 1 {
				return op.Failure("countForHosts: fulfillCount must be at least 1."), nil
			}
			counts[strings.ToLower(op.Str(cd, "activationId"))+"\x00"+op.Str(ch, "hostDataRefId")] = int(n)
		}
	}
	l := newLookups(h.st)
	var fs []state.Fulfillment
	for ai, a := range aids {
		rec := map[string]any{"activationId": a}
		for hi, hs := range hosts {
			n, ok := counts[strings.ToLower(op.Str(a))+"\x00"+itoa(hi+1)]
			if !ok {
				n = 1
			}
			rec["fulfillCount"] = itoa(n)
			rec["customHost"] = map[string]any{"hostId": hs.ids[0]} // any shape: readRequest only needs one
			r, err := h.readRequest(rec, c.Now)
			if err != nil {
				return op.Failure(fmt.Sprintf("Activation ID %d on host %d: %s.", ai+1, hi+1, reason(err))), nil
			}
			r.host = hs
			f, err := h.newFulfillment(ctx, l, r, c)
			if err != nil {
				return op.Failure(fmt.Sprintf("Activation ID %d on host %d: %s.", ai+1, hi+1, reason(err))), nil
			}
			fs = append(fs, f)
		}
	}
	made, err := h.st.CreateFulfillments(fs)
	if err != nil {
		return op.Failure(reason(err)), nil
	}
	out := make([]any, len(made))
	for i, f := range made {
		out[i] = fulfillmentData(l, f, true)
	}
	m := op.Success(nil)
	if len(out) > 0 {
		m["responseData"] = map[string]any{"fulfillment": out}
	}
	return m, nil
}

// fulfillmentData is fulfillmentDataType.
func fulfillmentData(l *lookups, f state.Fulfillment, withText bool) map[string]any {
	m := map[string]any{
		"entitlementIdentifier": entitlementID(f.EntitlementID, l.entitlement(f.EntitlementID).UniqueID),
		"fulfillmentIdentifier": map[string]any{"uniqueId": f.ID, "primaryKeys": map[string]any{"fulfillmentId": f.ID}},
		"fulfillmentType":       orDefault(f.Type, fulfillmentType),
		"lineItem":              lineItemID(f.ActivationID, ""),
		"product":               map[string]any{},
		"soldTo":                f.SoldTo,
		"fulfilledCount":        itoa(f.Count),
		"overDraftCount":        itoa(f.Overdraft),
		"fulfillDate":           op.Date(f.FulfillDate),
		"fulfillDateTime":       op.DateTime(f.FulfillDate),
		"isPermanent":           op.Bool(f.Permanent),
		"startDate":             op.DateOrNil(f.Start),
		"supportAction":         op.NonEmpty(f.SupportAction),
		"lastModifiedDateTime":  op.DateTime(f.Modified),
		"licenseTechnology":     nameID(f.LicenseTechnology, ""),
		"state":                 op.NonEmpty(string(f.State)),
		"fulfillmentSource":     op.NonEmpty(f.Source),
		"activationType":        op.NonEmpty(f.ActivationType),
	}
	if p := productID(l, f.Product); p != nil {
		m["product"] = p
	}
	if !f.Permanent {
		m["expirationDate"] = op.DateOrNil(f.Expiration)
	}
	if f.Parent != "" {
		m["parentFulfillmentId"] = map[string]any{"primaryKeys": map[string]any{"fulfillmentId": f.Parent}}
	}
	if withText && f.LicenseText != "" {
		m["licenseText"] = f.LicenseText
	}
	for k, v := range hostValue(f.HostID, f.HostType) {
		m[k] = v
	}
	return m
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ---- return, rehost, repair, email ----

func fulfillmentIDOf(v any) string {
	if id := op.Str(v, "primaryKeys", "fulfillmentId"); id != "" {
		return id
	}
	return op.Str(v, "uniqueId")
}

// lifecycle runs a return, rehost or repair over the records: do returns
// the resulting fulfilments of one record.
func (h *handlers) lifecycle(c *op.Call, do func(l *lookups, rec any) ([]state.Fulfillment, error), many bool) (map[string]any, error) {
	recs := op.List(c.Request["fulfillment"])
	if r, bad := h.writeLimit(len(recs)); bad {
		return r, nil
	}
	l := newLookups(h.st)
	var done, failed []any
	for i, rec := range recs {
		fs, err := do(l, rec)
		if err != nil {
			failed = append(failed, map[string]any{"fulfillment": rec, "reason": reason(err)})
			continue
		}
		d := map[string]any{"recordRefNo": itoa(i + 1)}
		var out []any
		for _, f := range fs {
			out = append(out, fulfillmentData(l, f, true))
		}
		if many {
			d["fulfillment"] = out
		} else if len(out) > 0 {
			d["fulfillment"] = out[0]
		}
		done = append(done, d)
	}
	m := map[string]any{"statusInfo": outcome(len(recs), len(failed))}
	if len(done) > 0 {
		m["responseData"] = map[string]any{"fulfillmentData": done}
	}
	if len(failed) > 0 {
		m["failedData"] = map[string]any{"failedFulfillment": failed}
	}
	return m, nil
}

var errNoFulfillmentID = &state.Error{Kind: state.ErrInvalid, Reason: "fulfillmentIdentifier: give primaryKeys/fulfillmentId or uniqueId"}

func (h *handlers) returnLicense(_ context.Context, c *op.Call) (map[string]any, error) {
	return h.lifecycle(c, func(_ *lookups, rec any) ([]state.Fulfillment, error) {
		id := fulfillmentIDOf(op.Get(rec, "fulfillmentIdentifier"))
		if id == "" {
			return nil, errNoFulfillmentID
		}
		f, err := h.st.Fulfillment(id)
		if err != nil {
			return nil, err
		}
		if n, present, ok := op.GetInt(rec, "partialCount"); present && ok && int(n) != f.Count {
			return nil, invalid("partialCount: the emulator returns whole fulfillments only")
		}
		f, err = h.st.ReturnFulfillment(id)
		return []state.Fulfillment{f}, err
	}, false)
}

func (h *handlers) rehostLicense(ctx context.Context, c *op.Call) (map[string]any, error) {
	return h.lifecycle(c, func(l *lookups, rec any) ([]state.Fulfillment, error) {
		id := fulfillmentIDOf(op.Get(rec, "fulfillmentIdentifier"))
		if id == "" {
			return nil, errNoFulfillmentID
		}
		hs, ok := hostOf(rec)
		if !ok {
			return nil, invalid("a new host is required: give serverIds, nodeIds or customHost")
		}
		old, err := h.st.Fulfillment(id)
		if err != nil {
			return nil, err
		}
		it, err := h.st.LineItem(old.ActivationID)
		if err != nil {
			return nil, err
		}
		nf := state.Fulfillment{ActivationID: it.ActivationID, HostID: hs.id(), HostType: hs.typ, Count: old.Count, Parent: old.ID, SupportAction: "REHOST"}
		if err := h.produce(ctx, &nf, func() string { return h.licence(l, it, old.Count, hs, c.Now) }); err != nil {
			return nil, err
		}
		f, err := h.st.RehostFulfillmentAs(id, nf.ID, nf.HostID, nf.LicenseText)
		if err != nil {
			return nil, err
		}
		f.HostType = hs.typ // the state keeps the old host's type; the response shows the new host
		return []state.Fulfillment{f}, nil
	}, true)
}

func (h *handlers) repairLicense(ctx context.Context, c *op.Call) (map[string]any, error) {
	return h.lifecycle(c, func(l *lookups, rec any) ([]state.Fulfillment, error) {
		id := fulfillmentIDOf(op.Get(rec, "fulfillmentIdentifier"))
		if id == "" {
			return nil, errNoFulfillmentID
		}
		old, err := h.st.Fulfillment(id)
		if err != nil {
			return nil, err
		}
		it, err := h.st.LineItem(old.ActivationID)
		if err != nil {
			return nil, err
		}
		hs := host{ids: strings.Split(old.HostID, ","), typ: old.HostType}
		nf := state.Fulfillment{ActivationID: it.ActivationID, HostID: old.HostID, HostType: old.HostType, Count: old.Count, Parent: old.ID, SupportAction: "REPAIR"}
		if err := h.produce(ctx, &nf, func() string { return h.licence(l, it, old.Count, hs, c.Now) }); err != nil {
			return nil, err
		}
		f, err := h.st.RepairFulfillmentAs(id, nf.ID, nf.LicenseText)
		return []state.Fulfillment{f}, err
	}, false)
}

func (h *handlers) emailLicense(_ context.Context, c *op.Call) (map[string]any, error) {
	id := fulfillmentIDOf(c.Request["fulfillmentIdentifier"])
	if id == "" {
		return op.Failure(errNoFulfillmentID.Reason + "."), nil
	}
	if _, err := h.st.Fulfillment(id); err != nil {
		return op.Failure(reason(err)), nil
	}
	addrs := op.List(c.Request, "emailIdList", "emailId")
	ignore, _ := op.GetBool(c.Request, "ignoreExistingEmailList")
	if ignore && len(addrs) == 0 {
		return op.Failure("No e-mail address to send to: ignoreExistingEmailList is true and emailIdList is empty."), nil
	}
	if v, _ := op.GetBool(c.Request, "validateEmailAddresses"); v {
		for _, a := range addrs {
			s := op.Str(a)
			if at := strings.IndexByte(s, '@'); at < 1 || at == len(s)-1 {
				return op.Failure("An address in emailIdList is not a valid e-mail address."), nil
			}
		}
	}
	return op.Success(nil), nil // the emulator sends no mail
}

// ---- queries ----

type fulSearch struct {
	q     state.FulfillmentQuery
	extra []func(f state.Fulfillment) bool
	none  bool
}

func (h *handlers) fulfillmentSearch(params any) (fulSearch, string) {
	cr := &criteria{m: op.Obj(params)}
	var s fulSearch
	if cr.m == nil {
		return s, ""
	}
	q := &s.q
	q.EntitlementID = cr.match("entitlementId")
	q.ActivationID = cr.match("activationId")
	q.FulfillmentID = cr.match("fulfillmentId")
	q.Product = cr.match("product")
	q.HostID = cr.match("hostId")
	q.SoldTo = cr.match("soldTo")
	q.FulfillDate = cr.date("fulfillDate")
	q.Start = cr.date("startDate")
	q.Expiration = cr.date("expirationDate")
	q.State = cr.match("state")
	q.LicenseTechnology = cr.match("licenseTechnology")
	q.User = op.Str(cr.m, "userId")
	q.Source = op.Str(cr.m, "fulfillmentSource")
	q.ActivationType = op.Str(cr.m, "activationType")
	if m := cr.match("nodeLockHostId"); m.Set() {
		s.extra = append(s.extra, func(f state.Fulfillment) bool { return f.HostType != hostServer && m.Matches(f.HostID) })
	}
	if v := op.Obj(cr.m["fulfillDateTime"]); v != nil {
		s.extra = append(s.extra, func(f state.Fulfillment) bool { return dateTimeMatch(v, f.FulfillDate) })
	}
	if v := op.Obj(cr.m["lastModifiedDateTime"]); v != nil {
		s.extra = append(s.extra, func(f state.Fulfillment) bool { return dateTimeMatch(v, f.Modified) })
	}
	s.none = cr.unmodelled("customAttributes", "customHostAttributes") &&
		(len(op.List(cr.m, "customAttributes", "attribute"))+len(op.List(cr.m, "customHostAttributes", "attribute"))) > 0
	return s, cr.err
}

func (h *handlers) fulfillments(s fulSearch, p state.Page) ([]state.Fulfillment, int, error) {
	if s.none {
		return nil, 0, nil
	}
	var keep func(state.Fulfillment) bool
	if len(s.extra) > 0 {
		keep = func(f state.Fulfillment) bool {
			for _, x := range s.extra {
				if !x(f) {
					return false
				}
			}
			return true
		}
	}
	return pagedSearch(p, keep,
		func() (int, error) { return h.st.CountFulfillments(s.q) },
		func(pg state.Page) ([]state.Fulfillment, error) { return h.st.Fulfillments(s.q, pg) })
}

func (h *handlers) getFulfillmentCount(_ context.Context, c *op.Call) (map[string]any, error) {
	s, why := h.fulfillmentSearch(c.Request["queryParams"])
	if why != "" {
		return op.Failure(why), nil
	}
	_, n, err := h.fulfillments(s, countOnly)
	if err != nil {
		return op.Failure(reason(err)), nil
	}
	m := op.Success(nil)
	m["responseData"] = map[string]any{"count": itoa(n)}
	return m, nil
}

// fulfillmentPage is the page of fulfilments a query call asks for, or the
// FAILURE answer when its paging or criteria are refused.
func (h *handlers) fulfillmentPage(c *op.Call) ([]state.Fulfillment, map[string]any) {
	p, r, bad := h.page(c.Request)
	if bad {
		return nil, r
	}
	s, why := h.fulfillmentSearch(c.Request["queryParams"])
	if why != "" {
		return nil, op.Failure(why)
	}
	fs, _, err := h.fulfillments(s, p)
	if err != nil {
		return nil, op.Failure(reason(err))
	}
	return fs, nil
}

func (h *handlers) getFulfillmentsQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	fs, refused := h.fulfillmentPage(c)
	if refused != nil {
		return refused, nil
	}
	withText, _ := op.GetBool(c.Request, "includeLicenseText")
	l := newLookups(h.st)
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = fulfillmentData(l, f, withText)
	}
	m := op.Success(nil)
	m["responseData"] = map[string]any{"fulfillment": out}
	return m, nil
}

func (h *handlers) getFulfillmentPropertiesQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	fs, refused := h.fulfillmentPage(c)
	if refused != nil {
		return refused, nil
	}
	cfg := op.Obj(c.Request["fulfillmentResponseConfig"])
	l := newLookups(h.st)
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = fulfillmentProperties(l, f, cfg)
	}
	return map[string]any{"statusInfo": op.Status(statusSuccess, ""), "fulfillment": out}, nil
}

// fulfillmentProperties is fulfillmentPropertiesType with the fields the
// response config selects.
func fulfillmentProperties(l *lookups, f state.Fulfillment, cfg map[string]any) map[string]any {
	want := func(k string) bool { b, _ := op.GetBool(cfg, k); return b }
	it, _ := l.st.LineItem(f.ActivationID)
	e := l.entitlement(f.EntitlementID)
	acct := l.account(f.SoldTo)
	all := map[string]func() any{
		"fulfillmentId": func() any {
			return map[string]any{"uniqueId": f.ID, "primaryKeys": map[string]any{"fulfillmentId": f.ID}}
		},
		"fulfillmentType":    func() any { return orDefault(f.Type, fulfillmentType) },
		"state":              func() any { return op.NonEmpty(string(f.State)) },
		"entitlementId":      func() any { return entitlementID(f.EntitlementID, e.UniqueID) },
		"lineitemId":         func() any { return lineItemID(f.ActivationID, it.UniqueID) },
		"product":            func() any { return productID(l, f.Product) },
		"productDescription": func() any { return op.NonEmpty(l.product(f.Product).Description) },
		"partNumber":         func() any { return partNumberID(it.PartNumber) },
		"licenseTechnology":  func() any { return nameID(f.LicenseTechnology, "") },
		"licenseModel":       func() any { return nameID(it.LicenseModel, "") },
		"soldTo":             func() any { return accountID(acct, f.SoldTo) },
		"soldToDisplayName":  func() any { return op.NonEmpty(acct.Name) },
		"shipToEmail":        func() any { return op.NonEmpty(e.ShipToEmail) },
		"shipToAddress":      func() any { return op.NonEmpty(e.ShipToAddress) },
		"licenseHost":        func() any { return op.NonEmpty(f.HostID) },
		"fulfilledCount":     func() any { return itoa(f.Count) },
		"overDraftCount":     func() any { return itoa(f.Overdraft) },
		"fulfillDate":        func() any { return op.DateOrNil(f.FulfillDate) },
		"fulfillDateTime":    func() any { return op.DateTimeOrNil(f.FulfillDate) },
		"isPermanent":        func() any { return op.Bool(f.Permanent) },
		"startDate":          func() any { return op.DateOrNil(f.Start) },
		"expirationDate": func() any {
			if f.Permanent {
				return nil
			}
			return op.DateOrNil(f.Expiration)
		},
		"licenseText":          func() any { return op.NonEmpty(f.LicenseText) },
		"supportAction":        func() any { return op.NonEmpty(f.SupportAction) },
		"lastModifiedDateTime": func() any { return op.DateTimeOrNil(f.Modified) },
		"parentFulfillmentId": func() any {
			if f.Parent == "" {
				return nil
			}
			return map[string]any{"primaryKeys": map[string]any{"fulfillmentId": f.Parent}}
		},
		"fulfillmentSource":       func() any { return op.NonEmpty(f.Source) },
		"orderId":                 func() any { return op.NonEmpty(it.OrderID) },
		"orderLineNumber":         func() any { return op.NonEmpty(it.OrderLineNumber) },
		"lineitemDescription":     func() any { return op.NonEmpty(it.Description) },
		"totalCopies":             func() any { return itoa(it.Copies) },
		"numberOfRemainingCopies": func() any { return itoa(it.Remaining()) },
		"isTrusted":               func() any { return op.Bool(it.Trusted) },
		"activationType":          func() any { return op.NonEmpty(f.ActivationType) },
	}
	m := map[string]any{}
	for k, v := range all {
		if want(k) {
			m[k] = v()
		}
	}
	return m
}

func (h *handlers) getFulfillmentAttributesFromModel(_ context.Context, c *op.Call) (map[string]any, error) {
	ident := c.Request["licenseModelIdentifier"]
	key := op.Str(ident, "primaryKeys", "name")
	if key == "" {
		key = op.Str(ident, "uniqueId")
	}
	if key == "" {
		return op.Failure("licenseModelIdentifier: give primaryKeys/name or uniqueId."), nil
	}
	if _, err := h.st.LicenseModel(key); err != nil {
		return op.Failure(reason(err)), nil
	}
	// The emulator's license models take no fulfillment-time attributes.
	m := op.Success(nil)
	m["responseData"] = map[string]any{"fulfillmentAttributes": "", "needTimeZone": "false"}
	return m, nil
}

// ---- LicenseService v2 hosts (seed 002 L82-192) ----

func (h *handlers) hostSearch(params any) (state.HostQuery, string) {
	cr := &criteria{m: op.Obj(params)}
	var q state.HostQuery
	if cr.m == nil {
		return q, ""
	}
	q.HostID = cr.match("hostId")
	q.SoldTo = cr.match("soldTo")
	q.LicenseTechnology = cr.match("licenseTechnology")
	q.HostType = cr.match("hostType")
	q.Account = cr.match("account")
	q.FulfillmentState = cr.match("fulfillmentState")
	return q, cr.err
}

func (h *handlers) getHostQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	p, r, bad := h.page(c.Request)
	if bad {
		return r, nil
	}
	q, why := h.hostSearch(c.Request["queryParams"])
	if why != "" {
		return op.Failure(why), nil
	}
	hs, err := h.st.Hosts(q, p)
	if err != nil {
		return op.Failure(reason(err)), nil
	}
	out := make([]any, len(hs))
	for i, x := range hs {
		out[i] = map[string]any{"hostId": op.NonEmpty(x.ID), "soldTo": op.NonEmpty(x.SoldTo), "account": op.NonEmpty(x.Account),
			"licenseTechnology": op.NonEmpty(x.LicenseTechnology), "hostType": op.NonEmpty(x.Type)}
	}
	m := op.Success(nil)
	m["responseData"] = map[string]any{"host": out}
	return m, nil
}

func (h *handlers) getHostCount(_ context.Context, c *op.Call) (map[string]any, error) {
	q, why := h.hostSearch(c.Request["queryParams"])
	if why != "" {
		return op.Failure(why), nil
	}
	n, err := h.st.CountHosts(q)
	if err != nil {
		return op.Failure(reason(err)), nil
	}
	m := op.Success(nil)
	m["responseData"] = map[string]any{"count": itoa(n)}
	return m, nil
}
