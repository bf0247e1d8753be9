package devices

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Callout is the capability request callout as generateCapabilityResponse
// sees it (internal/emulator/calloutclient implements it over HTTP): which
// trigger points and details are on, and one validated exchange. Call
// returns an error when the callout failed and the failure mode denies, or
// when ctx ended; with the failure mode allow a failed callout answers an
// empty Response.
type Callout interface {
	On(tp callout.TriggerPoint) bool
	HostDetails() bool
	AddOnDetails() bool
	Call(ctx context.Context, tp callout.TriggerPoint, req *callout.Request) (callout.Response, error)
}

// RegisterWithCallout is RegisterSigned with a capability request callout
// that generateCapabilityResponse calls; co nil is no callout.
func RegisterWithCallout(r *op.Registry, st *state.Store, cfg op.Settings, signer *sign.Signer, co Callout) {
	h := newHandlers(st, cfg, signer)
	h.callout = co
	h.register(r)
}

// coActions accumulates what the callout asked for during one device's
// capability request, to apply to the response and the host.
type coActions struct {
	hostType     string
	enterpriseID *int64
	hostVDAdd    callout.VendorDictionary
	hostVDRemove []string
	lifetime     *int64
	responseVD   callout.VendorDictionary
	statusList   []callout.StatusItem
	addOns       map[string]callout.AddOnActions // by lower-case activation ID
}

// merge takes in an answer's actions. The client has validated the answer
// against its trigger point's schema, so each action is one the trigger
// point allows.
func (a *coActions) merge(r callout.Response) {
	if ra := r.ResponseActions; ra != nil {
		a.statusList = append(a.statusList, ra.AddToStatusList...)
		if ra.Lifetime != nil {
			a.lifetime = ra.Lifetime
		}
		for k, v := range ra.VendorDictionary {
			if a.responseVD == nil {
				a.responseVD = callout.VendorDictionary{}
			}
			a.responseVD[k] = v
		}
	}
	if ha := r.HostActions; ha != nil {
		if ha.HostType != nil {
			a.hostType = *ha.HostType
		}
		if ha.EnterpriseID != nil {
			a.enterpriseID = ha.EnterpriseID
		}
		for k, v := range ha.AddToVendorDictionary {
			if a.hostVDAdd == nil {
				a.hostVDAdd = callout.VendorDictionary{}
			}
			a.hostVDAdd[k] = v
		}
		a.hostVDRemove = append(a.hostVDRemove, ha.RemoveFromVendorDictionary...)
	}
	for _, x := range r.AddOnActions {
		if a.addOns == nil {
			a.addOns = map[string]callout.AddOnActions{}
		}
		a.addOns[strings.ToLower(x.ActivationID)] = x
	}
}

// calloutReason is the FAILURE reason of a callout that failed with the
// failure mode deny; ctx's end is returned as an error instead.
func calloutReason(ctx context.Context, err error) (string, error) {
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	if errors.Is(err, context.Canceled) {
		return "", err
	}
	return err.Error(), nil
}

// calloutRequest builds the documented request for device d (or the host
// about to be created) from the device element dev, with the details the
// configuration includes.
func (h *handlers) calloutRequest(d state.Device, dev map[string]any) *callout.Request {
	offline := true // generateCapabilityResponse is FNO's offline path
	req := &callout.Request{RequestInfo: callout.RequestInfo{Offline: &offline}}
	for _, li := range op.Objs(dev, "lineItem") {
		id := op.Obj(li, "lineItemIdentifier")
		aid := op.Str(id, "activationId")
		if aid == "" {
			continue
		}
		ra := callout.RequestedActivationID{ID: aid}
		if n, ok := xsdInt(id, "count"); ok && n >= 0 {
			c := int64(n)
			ra.Copies = &c
		}
		req.RequestInfo.ActivationIDs = append(req.RequestInfo.ActivationIDs, ra)
	}
	for _, e := range op.Objs(dev, "vendorDictionary", "entry") {
		name := op.Str(e, "name")
		if name == "" {
			continue
		}
		if req.RequestInfo.VendorDictionary == nil {
			req.RequestInfo.VendorDictionary = callout.VendorDictionary{}
		}
		if v := op.Str(e, "numberValue"); v != "" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= math.MinInt32 && n <= math.MaxInt32 {
				req.RequestInfo.VendorDictionary[name] = n
				continue
			}
		}
		req.RequestInfo.VendorDictionary[name] = op.Str(e, "stringValue")
	}
	if t, ok := op.GetDateTime(dev, "lastUpdateTime"); ok && t.Unix() >= 0 {
		s := t.Unix()
		req.RequestInfo.LastResponseTime = &s
	}
	hostType := d.HostType
	if hostType == "" {
		hostType = "FLX_CLIENT"
	}
	idType := string(d.IDType)
	if idType == "" {
		idType = "STRING"
	}
	hi := callout.HostInfo{ID: d.DeviceID, IDType: idType, HostClass: string(d.Class), HostType: hostType}
	if d.Alias != "" {
		alias := d.Alias
		hi.Alias = &alias
	}
	co := h.callout
	if co.HostDetails() {
		server := d.Class == state.Server
		hi.Server = &server
		if d.Publisher != "" {
			p := d.Publisher
			hi.PublisherName = &p
		}
		if d.Status != "" {
			s := string(d.Status)
			hi.Status = &s
		}
		if !d.Created.IsZero() {
			s := d.Created.UTC().Format(time.RFC3339)
			hi.FirstActivated = &s
		}
		switch d.MachineType {
		case "PHYSICAL", "VIRTUAL", "UNKNOWN":
			m := d.MachineType
			hi.MachineType = &m
		}
		if d.User != "" {
			u := d.User
			hi.User = &u
		}
	}
	req.HostInfo = hi
	for _, a := range d.AddOns {
		ai := callout.AddOnInfo{ActivationID: a.ActivationID}
		if co.AddOnDetails() {
			n := int64(a.Count)
			ai.Consumed = &n
			wait := false
			ai.WaitingForConfirmation = &wait
			if !a.ExpirationOverride.IsZero() {
				s := op.Date(a.ExpirationOverride)
				ai.ExpirationOverride = &s
			}
			if !a.Created.IsZero() {
				s := a.Created.UTC().Format(time.RFC3339)
				ai.CreateDate = &s
			}
			if !a.Modified.IsZero() {
				s := a.Modified.UTC().Format(time.RFC3339)
				ai.LastModifiedDate = &s
			}
		}
		req.AddOnInfo = append(req.AddOnInfo, ai)
	}
	return req
}

// applyTo puts the response and host actions into the capability payload:
// lifetime, the response vendor dictionary (over the request's), the status
// list, and the host's type, enterprise ID and vendor dictionary changes.
func (a *coActions) applyTo(p *capPayload) {
	p.Lifetime = a.lifetime
	for k, v := range a.responseVD {
		if p.VendorDictionary == nil {
			p.VendorDictionary = map[string]string{}
		}
		p.VendorDictionary[k] = dictString(v)
	}
	for _, st := range a.statusList {
		cs := capStatus{Code: st.Code}
		if st.Detail != nil {
			cs.Detail = *st.Detail
		}
		p.StatusList = append(p.StatusList, cs)
	}
	if a.hostType == "" && a.enterpriseID == nil && len(a.hostVDAdd) == 0 && len(a.hostVDRemove) == 0 {
		return
	}
	host := &capHost{HostType: a.hostType, EnterpriseID: a.enterpriseID, Removed: a.hostVDRemove}
	for k, v := range a.hostVDAdd {
		if host.VendorDictionary == nil {
			host.VendorDictionary = map[string]string{}
		}
		host.VendorDictionary[k] = dictString(v)
	}
	p.Host = host
}

// dictString writes a vendor dictionary value (a string or a number, as
// decoded from JSON) as the payload's string.
func dictString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return fmt.Sprint(x)
	}
}
