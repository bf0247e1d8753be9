package devices

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// capPayload is what a signed capability response carries: the device, the
// add-ons mapped to it with their features, and the vendor dictionary the
// request sent. It is JSON (ours, not FlexNet's binary format), so a test
// can read what the emulator granted.
type capPayload struct {
	DeviceID         string            `json:"deviceId"`
	IDType           string            `json:"idType"`
	DeviceType       string            `json:"deviceType"`
	Publisher        string            `json:"publisher"`
	Issued           string            `json:"issued"`
	LastUpdateTime   string            `json:"lastUpdateTime,omitempty"`
	Buffer           bool              `json:"bufferLicense,omitempty"`
	AddOns           []capAddOn        `json:"addOns"`
	VendorDictionary map[string]string `json:"vendorDictionary,omitempty"`

	// What the capability request callout asked for (see calloutclient).
	Lifetime   *int64      `json:"lifetime,omitempty"` // seconds
	StatusList []capStatus `json:"statusList,omitempty"`
	Host       *capHost    `json:"host,omitempty"`
	Denied     []string    `json:"deniedAddOns,omitempty"`
}

// capStatus is a status list item of the response.
type capStatus struct {
	Code   int64  `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// capHost is what the callout set on the host: FNO keeps it on the host;
// the emulator's state has no place for it, so it travels in the response.
type capHost struct {
	HostType         string            `json:"hostType,omitempty"`
	EnterpriseID     *int64            `json:"enterpriseId,omitempty"`
	VendorDictionary map[string]string `json:"vendorDictionary,omitempty"`
	Removed          []string          `json:"removedFromVendorDictionary,omitempty"`
}

type capAddOn struct {
	ActivationID string `json:"activationId"`
	Count        int    `json:"count"`
	Product      string `json:"product,omitempty"`
	Version      string `json:"version,omitempty"`
	Expiry       string `json:"expiry"` // a date, or "permanent"
	// SkipConfirmation is the callout's skipConfirmation: the emulator has
	// no confirmation step, so it is only recorded.
	SkipConfirmation bool         `json:"skipConfirmation,omitempty"`
	Features         []capFeature `json:"features,omitempty"`
}

type capFeature struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Count   int    `json:"count"`
}

// capability signs a capability response for d's current mappings.
func (h *handlers) capability(l *lookups, d state.Device, req map[string]any, now time.Time, acts *coActions) []byte {
	p := capPayload{
		DeviceID: d.DeviceID, IDType: string(d.IDType), DeviceType: string(d.Class), Publisher: d.Publisher,
		Issued: op.DateTime(now), LastUpdateTime: op.Str(req, "lastUpdateTime"), AddOns: []capAddOn{},
	}
	p.Buffer, _ = op.GetBool(req, "bufferLicense")
	for _, e := range op.Objs(req, "vendorDictionary", "entry") {
		if p.VendorDictionary == nil {
			p.VendorDictionary = map[string]string{}
		}
		v := op.Str(e, "stringValue")
		if v == "" {
			v = op.Str(e, "numberValue")
		}
		p.VendorDictionary[op.Str(e, "name")] = v
	}
	for _, a := range d.AddOns {
		c := capAddOn{ActivationID: a.ActivationID, Count: a.Count, Expiry: "permanent"}
		if it := l.item(a.ActivationID); it != nil {
			c.Product, c.Version = it.Product.Name, it.Product.Version
			exp := a.ExpirationOverride
			if exp.IsZero() && !it.Permanent {
				exp = it.Expiration
			}
			if !exp.IsZero() {
				c.Expiry = op.Date(exp)
			}
			if pr := l.product(it.Product); pr != nil {
				for _, f := range pr.Features {
					c.Features = append(c.Features, capFeature{Name: f.Name, Version: f.Version, Count: f.Count * a.Count})
				}
			}
		}
		if x, ok := acts.addOns[strings.ToLower(a.ActivationID)]; ok {
			if x.Denied {
				p.Denied = append(p.Denied, a.ActivationID)
				continue
			}
			if x.Expiration != nil {
				c.Expiry = *x.Expiration
			}
			c.SkipConfirmation = x.SkipConfirmation
		}
		p.AddOns = append(p.AddOns, c)
	}
	acts.applyTo(&p)
	body, err := json.Marshal(p)
	if err != nil { // strings, ints and bools only: cannot happen
		panic(fmt.Sprintf("devices: capability payload: %v", err))
	}
	return h.signer.Capability(body)
}

// deviceLock serialises capability requests per device, so two racing
// requests for one device compute their changes from the same mapping.
func (h *handlers) deviceLock(uniqueID string) func() {
	m := &h.devLocks[maphash.String(h.lockSeed, uniqueID)%uint64(len(h.devLocks))]
	m.Lock()
	return m.Unlock
}

// generateCapabilityResponse maps each device's requested add-ons (the
// count asked for is the count the device is to have: the difference is
// consumed from or returned to the line item, atomically per line item)
// and answers a signed capability response, Base64, per device. If one line
// item of a device cannot be mapped, the device's other changes are undone
// and the device is listed in failedData. An unknown CLIENT or SERVER with a
// deviceId is registered first, as a capability request registers a host.
// Binary capability requests (request elements) are FlexNet's format, which
// the emulator does not decode: each fails with that reason.
func (h *handlers) generateCapabilityResponse(ctx context.Context, c *op.Call) (map[string]any, error) {
	devs, bins := op.Objs(c.Request, "device"), op.List(c.Request, "request")
	if len(devs)+len(bins) == 0 {
		return op.Failure("the request names no device: give a device element"), nil
	}
	if f := h.writeLimit(len(devs)+len(bins), "device"); f != nil {
		return f, nil
	}
	ver := c.Op.Version.Number()
	b, err := each(ctx, devs, func(dev map[string]any) (map[string]any, map[string]any, error) {
		out, why, err := h.capabilityFor(ctx, dev, ver, c.Now)
		if err != nil || why == "" {
			return out, nil, err
		}
		return nil, map[string]any{"deviceIdentifier": op.Obj(dev, "deviceIdentifier"), "reason": why}, nil
	})
	if err != nil {
		return nil, err
	}
	for range bins {
		b.fail(map[string]any{"reason": "binary capability requests cannot be decoded by the emulator; send a device element"})
	}
	return b.result("failedDevice", "device"), nil
}

// capabilityFor answers one device. With a capability request callout it
// calls finalizeHost before the host is created or updated, checkAccess
// before the add-ons are mapped and finalizeResponse before the response
// is built, each when switched on, and applies what they answer. A reason
// is a FAILURE of this device; an error is the request's context ending.
func (h *handlers) capabilityFor(ctx context.Context, dev map[string]any, ver int, now time.Time) (map[string]any, string, error) {
	k, class, why := identKey(op.Obj(dev, "deviceIdentifier"))
	if why != "" {
		return nil, why, nil
	}
	d, err := h.st.Device(k)
	create := false
	if err != nil {
		if k.UniqueID != "" || k.DeviceID == "" || (class != state.Client && class != state.Server) {
			return nil, reason(err), nil
		}
		create = true
		d = state.Device{Class: class, DeviceID: k.DeviceID, IDType: k.IDType, Publisher: k.Publisher}
	} else if class != "" && d.Class != class {
		return nil, "device not found: no " + strings.ToLower(string(class)) + " device has this identifier", nil
	}

	var acts coActions
	call := func(tp callout.TriggerPoint, d state.Device) (callout.Response, string, error) {
		if h.callout == nil || !h.callout.On(tp) {
			return callout.Response{}, "", nil
		}
		resp, err := h.callout.Call(ctx, tp, h.calloutRequest(d, dev))
		if err != nil {
			why, err := calloutReason(ctx, err)
			return resp, why, err
		}
		acts.merge(resp)
		return resp, "", nil
	}

	resp, why, err := call(callout.FinalizeHost, d)
	if why != "" || err != nil {
		return nil, why, err
	}
	if create && resp.HostActions != nil && resp.HostActions.DenyCreate {
		return nil, "the capability request callout denied creating this host (finalizeHost: denyCreate)", nil
	}
	if create {
		d.HostType = acts.hostType
		if d, err = h.st.CreateDevice(d); err != nil {
			return nil, reason(err), nil
		}
	}
	resp, why, err = call(callout.CheckAccess, d)
	if why != "" || err != nil {
		return nil, why, err
	}
	if resp.HostActions != nil && resp.HostActions.DenyAccess {
		return nil, "the capability request callout denied this host access (checkAccess: denyAccess)", nil
	}

	unlock := h.deviceLock(d.UniqueID)
	undo, why := h.mapRequested(d, op.Objs(dev, "lineItem"))
	if why != "" {
		unlock()
		return nil, why, nil
	}
	d, err = h.st.UpdateDevice(d.Key(), func(x *state.Device) error {
		x.LastRequest, x.LastSync = now, now
		if acts.hostType != "" {
			x.HostType = acts.hostType
		}
		return nil
	})
	unlock()
	if err != nil {
		return nil, reason(err), nil
	}

	if _, why, err = call(callout.FinalizeResponse, d); why != "" || err != nil {
		// No response goes out: give the copies back, as FNO rolls the
		// request back.
		unlock := h.deviceLock(d.UniqueID)
		undo()
		unlock()
		return nil, why, err
	}
	blob := h.capability(newLookups(h.st), d, dev, now, &acts)
	out := map[string]any{"deviceIdentifier": identOf(d, ver), "addonLicense": base64.StdEncoding.EncodeToString(blob)}
	if buf, ok := op.GetBool(dev, "bufferLicense"); ok {
		out["bufferLicense"] = op.Bool(buf)
	}
	return out, "", nil
}

// mapRequested brings d's mappings to the requested counts, all or none;
// undo takes the changes back (the callout's finalizeResponse may refuse).
func (h *handlers) mapRequested(d state.Device, lines []map[string]any) (undo func(), why string) {
	current := map[string]int{}
	for _, a := range d.AddOns {
		current[strings.ToLower(a.ActivationID)] = a.Count
	}
	type done struct {
		aid   string
		delta int
	}
	var applied []done
	undo = func() {
		for i := len(applied) - 1; i >= 0; i-- {
			a := applied[i]
			if a.delta > 0 {
				_, _ = h.st.DecrementAddOn(d.Key(), a.aid, a.delta)
			} else {
				_, _ = h.st.LinkAddOn(d.Key(), a.aid, -a.delta, time.Time{})
			}
		}
	}
	for i, li := range lines {
		id := op.Obj(li, "lineItemIdentifier")
		aid := op.Str(id, "activationId")
		if aid == "" {
			undo()
			return nil, fmt.Sprintf("lineItem %d: lineItemIdentifier needs an activationId", i+1)
		}
		want := 1
		if op.Has(id, "count") {
			n, ok := xsdInt(id, "count")
			if !ok || n < 0 {
				undo()
				return nil, fmt.Sprintf("lineItem %d: count must be 0 or more", i+1)
			}
			want = n
		}
		override, _ := op.GetDate(id, "expirationDateOverride")
		have := current[strings.ToLower(aid)]
		var err error
		// An unchanged count keeps its mapping as it is (an override on it
		// would need an unmap and a remap, letting another device take the
		// copies in between).
		switch delta := want - have; {
		case delta > 0:
			_, err = h.st.LinkAddOn(d.Key(), aid, delta, override)
			if err == nil {
				applied = append(applied, done{aid, delta})
			}
		case delta < 0:
			_, err = h.st.DecrementAddOn(d.Key(), aid, -delta)
			if err == nil {
				applied = append(applied, done{aid, delta})
			}
		}
		if err != nil {
			undo()
			return nil, fmt.Sprintf("lineItem %d: %s", i+1, reason(err))
		}
		current[strings.ToLower(aid)] = want
	}
	return undo, ""
}

// generatePrebuiltLicense makes a node-locked licence for each device and
// product: FlexNet-style licence text, signed, kept as the device's
// prebuilt licence (getDevicesQuery returns it with the preBuiltLicense
// switch; the emulator keeps it in memory only).
func (h *handlers) generatePrebuiltLicense(ctx context.Context, c *op.Call) (map[string]any, error) {
	recs := op.Objs(c.Request, "requestDataList")
	if f := h.writeLimit(len(recs), "requestDataList"); f != nil {
		return f, nil
	}
	ver := c.Op.Version.Number()
	b, err := each(ctx, recs, func(rec map[string]any) (map[string]any, map[string]any, error) {
		id := op.Obj(rec, "deviceIdentifier")
		d, why := h.find(id)
		if why == "" {
			why = h.prebuild(d, rec, c.Now)
		}
		if why != "" {
			return nil, map[string]any{"deviceIdentifier": id, "reason": why}, nil
		}
		return identOf(d, ver), nil, nil
	})
	if err != nil {
		return nil, err
	}
	return b.result("failedDevice", "deviceIdentifier"), nil
}

func (h *handlers) prebuild(d state.Device, rec map[string]any, now time.Time) string {
	prod, why := h.product(op.Obj(rec, "product"))
	if why != "" {
		return why
	}
	if lm := op.Obj(rec, "licenseModel"); lm != nil {
		ref := op.Str(lm, "uniqueId")
		if ref == "" {
			ref = op.Str(lm, "primaryKeys", "name")
		}
		if _, err := h.st.LicenseModel(ref); err != nil {
			return reason(err)
		}
	}
	start := now
	if t, ok := op.GetDate(rec, "startDate"); ok {
		start = t
	}
	var expiry time.Time
	perm, _ := op.GetBool(rec, "isPermanent")
	switch {
	case perm:
	case op.Has(rec, "expirationDate"):
		t, ok := op.GetDate(rec, "expirationDate")
		if !ok {
			return "expirationDate is not a date"
		}
		expiry = t
	case op.Has(rec, "term"):
		n, ok := xsdInt(rec, "term", "numDuration")
		if !ok || n < 1 {
			return "term: numDuration must be 1 or more"
		}
		switch op.Str(rec, "term", "durationUnit") {
		case "DAYS":
			expiry = start.AddDate(0, 0, n)
		case "WEEKS":
			expiry = start.AddDate(0, 0, 7*n)
		case "MONTHS":
			expiry = start.AddDate(0, n, 0)
		default:
			expiry = start.AddDate(n, 0, 0)
		}
	}
	lic := sign.License{Vendor: d.Publisher, Issuer: "FlexNet Operations emulator"}
	for _, f := range prod.Features {
		lic.Lines = append(lic.Lines, sign.Line{Name: f.Name, Version: f.Version, Count: f.Count, HostID: d.DeviceID, Expiry: expiry, Start: start, Issued: now})
	}
	if len(lic.Lines) == 0 {
		lic.Lines = []sign.Line{{Name: prod.Name, Version: prod.Version, HostID: d.DeviceID, Expiry: expiry, Start: start, Issued: now}}
	}
	text := h.signer.LicenseText(lic)
	h.mu.Lock()
	h.prebuilt[d.UniqueID] = prebuiltLicense{product: prod.Key(), text: text}
	h.mu.Unlock()
	return ""
}

// product resolves a productIdentifierType: by primary keys, else by uniqueId.
func (h *handlers) product(id map[string]any) (state.Product, string) {
	if id == nil {
		return state.Product{}, "product is required"
	}
	if name := op.Str(id, "primaryKeys", "name"); name != "" {
		p, err := h.st.Product(state.ProductKey{Name: name, Version: op.Str(id, "primaryKeys", "version")})
		if err != nil {
			return state.Product{}, reason(err)
		}
		return p, ""
	}
	if uid := op.Str(id, "uniqueId"); uid != "" {
		ps, err := h.st.Products(state.ProductQuery{}, state.Page{})
		if err != nil {
			return state.Product{}, reason(err)
		}
		for _, p := range ps {
			if p.ID == uid {
				return p, ""
			}
		}
		return state.Product{}, "product not found"
	}
	return state.Product{}, "product needs a uniqueId or primaryKeys"
}
