package devices

import (
	"context"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// batch collects the outcome of a write, record by record.
type batch struct {
	ok     int
	failed []any
	done   []any // identifiers of the records that succeeded
}

func (b *batch) fail(rec map[string]any) { b.failed = append(b.failed, rec) }

func (b *batch) succeed(ident map[string]any) {
	b.ok++
	if ident != nil {
		b.done = append(b.done, ident)
	}
}

// result is the response: statusInfo, failedData {failedKey: [...]} and,
// with dataKey, responseData {dataKey: [...]}.
func (b *batch) result(failedKey, dataKey string) map[string]any {
	m := map[string]any{"statusInfo": status(b.ok, len(b.failed))}
	if len(b.failed) > 0 {
		m["failedData"] = map[string]any{failedKey: b.failed}
	}
	if dataKey != "" && len(b.done) > 0 {
		m["responseData"] = map[string]any{dataKey: b.done}
	}
	return m
}

// each runs do on the records of a batch write one at a time, and stops
// when ctx ends. do answers the identifier to report for a success (nil:
// none) or the failedData record of a failure; an error aborts the call.
func each(ctx context.Context, recs []map[string]any, do func(rec map[string]any) (done, failed map[string]any, err error)) (*batch, error) {
	b := &batch{}
	for _, rec := range recs {
		if err := canceled(ctx); err != nil {
			return nil, err
		}
		done, failed, err := do(rec)
		switch {
		case err != nil:
			return nil, err
		case failed != nil:
			b.fail(failed)
		default:
			b.succeed(done)
		}
	}
	return b, nil
}

// onDevice finds the device id names and runs fn on it; the answer is why
// it could not, or "".
func (h *handlers) onDevice(id map[string]any, fn func(k state.DeviceKey) error) string {
	d, why := h.find(id)
	if why != "" {
		return why
	}
	if err := fn(d.Key()); err != nil {
		return reason(err)
	}
	return ""
}

// soldToOf reads the sold-to account from a channel partner list: the
// current owner, else the first partner (FNO keeps the owner there).
func soldToOf(cps map[string]any) string {
	partners := op.Objs(cps, "channelPartner")
	for _, cp := range partners {
		if b, _ := op.GetBool(cp, "currentOwner"); b {
			return accountRef(cp)
		}
	}
	if len(partners) > 0 {
		return accountRef(partners[0])
	}
	return ""
}

// accountRef names the account of a channel partner: accountUnit (v3+) or
// organizationUnit, by uniqueId or primaryKeys/name.
func accountRef(cp map[string]any) string {
	for _, k := range []string{"accountUnit", "organizationUnit"} {
		if id := op.Str(cp, k, "uniqueId"); id != "" {
			return id
		}
		if n := op.Str(cp, k, "primaryKeys", "name"); n != "" {
			return n
		}
	}
	return ""
}

func (h *handlers) createDevice(ctx context.Context, c *op.Call) (map[string]any, error) {
	recs := op.Objs(c.Request, "device")
	if f := h.writeLimit(len(recs), "device"); f != nil {
		return f, nil
	}
	ver := c.Op.Version.Number()
	b, err := each(ctx, recs, func(rec map[string]any) (map[string]any, map[string]any, error) {
		d, why := h.newDevice(rec)
		if why == "" {
			created, err := h.st.CreateDevice(d)
			if err == nil {
				return identOf(created, ver), nil, nil
			}
			why = reason(err)
		}
		return nil, map[string]any{"device": rec, "reason": why}, nil
	})
	if err != nil {
		return nil, err
	}
	return b.result("failedDevice", "deviceIdentifier"), nil
}

// newDevice reads deviceDataType.
func (h *handlers) newDevice(rec map[string]any) (state.Device, string) {
	id := op.Obj(rec, "deviceIdentifier")
	d := state.Device{
		Class:       state.DeviceClass(op.Str(id, "deviceType")),
		DeviceID:    op.Str(id, "deviceId"),
		IDType:      state.IDType(op.Str(id, "deviceIdType")),
		Publisher:   op.Str(id, "publisherName"),
		HostType:    op.Str(rec, "hostTypeName", "name"),
		Description: op.Str(rec, "description"),
		Alias:       op.Str(rec, "alias"),
		Deployment:  op.Str(rec, "deployment"),
		SiteName:    op.Str(rec, "siteName"),
		SoldTo:      soldToOf(op.Obj(rec, "channelPartners")),
	}
	if p := op.Str(rec, "publisherIdName", "name"); p != "" {
		if d.Publisher != "" && !strings.EqualFold(p, d.Publisher) {
			return d, "publisherName and publisherIdName name different publishers"
		}
		d.Publisher = p
	}
	if d.DeviceID == "" {
		if ids := op.List(id, "serverIds", "serverId"); len(ids) > 0 {
			d.DeviceID = op.Str(ids[0])
		}
	}
	if d.Class == state.Server && d.DeviceID == "" && d.Deployment != "CLOUD" {
		return d, "a SERVER needs a deviceId or serverIds unless it is deployed in the CLOUD"
	}
	if d.Class == state.Client && d.DeviceID != "" && d.IDType == "" {
		d.IDType = state.IDString
	}
	if !h.deviceUserOff {
		d.User = op.Str(rec, "user")
	}
	return d, ""
}

func (h *handlers) updateDevice(ctx context.Context, c *op.Call) (map[string]any, error) {
	recs := op.Objs(c.Request, "device")
	if f := h.writeLimit(len(recs), "device"); f != nil {
		return f, nil
	}
	ver := c.Op.Version.Number()
	b, err := each(ctx, recs, func(rec map[string]any) (map[string]any, map[string]any, error) {
		var updated state.Device
		why := h.onDevice(op.Obj(rec, "deviceIdentifier"), func(k state.DeviceKey) (err error) {
			updated, err = h.st.UpdateDevice(k, func(d *state.Device) error { h.applyUpdate(d, rec); return nil })
			return err
		})
		if why != "" {
			return nil, map[string]any{"device": rec, "reason": why}, nil
		}
		return identOf(updated, ver), nil, nil
	})
	if err != nil {
		return nil, err
	}
	return b.result("failedDevice", "deviceIdentifier"), nil
}

// applyUpdate copies the elements updateDevDataType gives onto d; an absent
// element leaves its field alone, an empty one clears it.
func (h *handlers) applyUpdate(d *state.Device, rec map[string]any) {
	set := func(key string, field *string, path ...string) {
		if op.Has(rec, key) {
			*field = op.Str(rec, append([]string{key}, path...)...)
		}
	}
	set("deviceId", &d.DeviceID)
	if !op.Has(rec, "deviceId") && op.Has(rec, "serverIds") {
		if ids := op.List(rec, "serverIds", "serverId"); len(ids) > 0 {
			d.DeviceID = op.Str(ids[0])
		}
	}
	if op.Has(rec, "deviceIdType") {
		d.IDType = state.IDType(op.Str(rec, "deviceIdType"))
	}
	set("hostTypeName", &d.HostType, "name")
	set("publisherIdName", &d.Publisher, "name")
	set("description", &d.Description)
	set("alias", &d.Alias)
	set("siteName", &d.SiteName)
	if !h.deviceUserOff {
		set("user", &d.User)
	}
	if u := op.Obj(rec, "updateChannelPartners"); u != nil {
		acct := soldToOf(op.Obj(u, "channelPartners"))
		switch op.Str(u, "opType") {
		case "REPLACE", "ADD":
			d.SoldTo = acct
		case "DELETE":
			if acct == "" || strings.EqualFold(acct, d.SoldTo) {
				d.SoldTo = ""
			} else if a, err := h.st.Account(acct); err == nil && a.ID == d.SoldTo {
				d.SoldTo = ""
			}
		}
	}
}

func (h *handlers) deleteDevice(ctx context.Context, c *op.Call) (map[string]any, error) {
	ids := op.Objs(c.Request, "deviceIdentifier")
	if f := h.writeLimit(len(ids), "deviceIdentifier"); f != nil {
		return f, nil
	}
	b, err := each(ctx, ids, func(id map[string]any) (map[string]any, map[string]any, error) {
		if why := h.onDevice(id, h.st.DeleteDevice); why != "" {
			return nil, map[string]any{"deviceIdentifier": id, "reason": why}, nil
		}
		return nil, nil, nil
	})
	if err != nil {
		return nil, err
	}
	return b.result("failedDevice", ""), nil
}

func (h *handlers) moveDevice(ctx context.Context, c *op.Call) (map[string]any, error) {
	ids := op.Objs(c.Request, "sourceDevices", "deviceIdentifier")
	if f := h.writeLimit(len(ids), "deviceIdentifier"); f != nil {
		return f, nil
	}
	target := op.Str(c.Request, "soldToUniqueId")
	if target == "" {
		target = op.Str(c.Request, "soldToName")
	}
	b, err := each(ctx, ids, func(id map[string]any) (map[string]any, map[string]any, error) {
		why := "soldToUniqueId or soldToName is required"
		if target != "" {
			why = h.onDevice(id, func(k state.DeviceKey) error { _, err := h.st.MoveDevice(k, target); return err })
		}
		if why != "" {
			return nil, map[string]any{"deviceIdentifier": id, "reason": why}, nil
		}
		return nil, nil, nil
	})
	if err != nil {
		return nil, err
	}
	return b.result("failedDevice", ""), nil
}

func (h *handlers) obsoleteHost(ctx context.Context, c *op.Call) (map[string]any, error) {
	hosts := op.Objs(c.Request, "host")
	if f := h.writeLimit(len(hosts), "host"); f != nil {
		return f, nil
	}
	b, err := each(ctx, hosts, func(host map[string]any) (map[string]any, map[string]any, error) {
		id := op.Obj(host, "hostIdentifier")
		if why := h.onDevice(id, func(k state.DeviceKey) error { _, err := h.st.ObsoleteHost(k); return err }); why != "" {
			return nil, map[string]any{"hostIdentifier": id, "reason": why}, nil
		}
		return nil, nil, nil
	})
	if err != nil {
		return nil, err
	}
	return b.result("failedHost", ""), nil
}

// returnHost marks each host RETURNED, giving its add-on copies back; with
// a targetHostIdentifier the same add-ons are mapped onto the target (a
// rehost), which must exist and be active before anything changes.
func (h *handlers) returnHost(ctx context.Context, c *op.Call) (map[string]any, error) {
	recs := op.Objs(c.Request, "returnHosts")
	if f := h.writeLimit(len(recs), "returnHosts"); f != nil {
		return f, nil
	}
	b, err := each(ctx, recs, func(rec map[string]any) (map[string]any, map[string]any, error) {
		if why := h.returnOne(rec); why != "" {
			return nil, map[string]any{"hostIdentifier": op.Obj(rec, "hostIdentifier"), "reason": why}, nil
		}
		return nil, nil, nil
	})
	if err != nil {
		return nil, err
	}
	return b.result("failedHost", ""), nil
}

func (h *handlers) returnOne(rec map[string]any) string {
	d, why := h.find(op.Obj(rec, "hostIdentifier"))
	if why != "" {
		return why
	}
	var target state.Device
	if t := op.Obj(rec, "targetHostIdentifier"); t != nil {
		if target, why = h.find(t); why != "" {
			return "target host: " + why
		}
		if target.Status != state.DeviceActive {
			return "target host: the device is not active"
		}
		if target.UniqueID == d.UniqueID {
			return "the target host is the returned host"
		}
	}
	if _, err := h.st.ReturnHost(d.Key()); err != nil {
		return reason(err)
	}
	if target.UniqueID == "" {
		return ""
	}
	// The returned host has no add-ons any more: map the ones it had.
	for _, a := range d.AddOns {
		if a.Count == 0 {
			continue
		}
		if _, err := h.st.LinkAddOn(target.Key(), a.ActivationID, a.Count, a.ExpirationOverride); err != nil {
			return "host returned, but an add-on could not be moved to the target host: " + reason(err)
		}
	}
	return ""
}
