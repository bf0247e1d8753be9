package devices

import (
	"context"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Add-on mapping: linkAddonLineItems, incrementAddonLineItems,
// decrementAddonLineItems, zeroCountAddonLineItems (v7) and
// deleteAddonLineItems. Each line item of each request record is one
// change, applied atomically by the store (the copies are consumed from or
// returned to the line item with the mapping), so racing requests never
// map more copies than a line item has. A failed line item is listed in
// failedData as failAddon {deviceIdentifier, lineItem, reason}; a device
// with at least one successful change is listed in responseData.

// change applies one line item to a device; count is the request's count
// (absent: 1) and override its expirationDateOverride.
type change func(k state.DeviceKey, aid string, count int, override time.Time) error

func (h *handlers) mapAddOns(ctx context.Context, c *op.Call, fn change) (map[string]any, error) {
	recs := op.Objs(c.Request, "requestList")
	if f := h.writeLimit(len(recs), "requestList"); f != nil {
		return f, nil
	}
	ver := c.Op.Version.Number()
	var b batch
	for _, rec := range recs {
		if err := canceled(ctx); err != nil {
			return nil, err
		}
		id := op.Obj(rec, "deviceIdentifier")
		d, devWhy := h.find(id)
		var last state.Device
		okHere := 0
		for _, li := range op.Objs(rec, "lineItem") {
			why := devWhy
			if why == "" {
				why = h.applyLine(d.Key(), op.Obj(li, "lineItemIdentifier"), fn)
			}
			if why != "" {
				b.fail(map[string]any{"deviceIdentifier": id, "lineItem": li, "reason": why})
				continue
			}
			okHere++
			last = d
		}
		if okHere > 0 {
			b.ok += okHere
			b.done = append(b.done, identOf(last, ver))
		}
	}
	return b.result("failAddon", "deviceIdentifier"), nil
}

func (h *handlers) applyLine(k state.DeviceKey, li map[string]any, fn change) string {
	aid := op.Str(li, "activationId")
	if aid == "" {
		return "lineItemIdentifier needs an activationId"
	}
	count := 1
	if op.Has(li, "count") {
		n, ok := xsdInt(li, "count")
		if !ok {
			return "count is not a number"
		}
		count = n
	}
	var override time.Time
	if op.Has(li, "expirationDateOverride") {
		t, ok := op.GetDate(li, "expirationDateOverride")
		if !ok {
			return "expirationDateOverride is not a date"
		}
		override = t
	}
	if err := fn(k, aid, count, override); err != nil {
		return reason(err)
	}
	return ""
}

func (h *handlers) linkAddonLineItems(ctx context.Context, c *op.Call) (map[string]any, error) {
	return h.mapAddOns(ctx, c, func(k state.DeviceKey, aid string, n int, ov time.Time) error {
		_, err := h.st.LinkAddOn(k, aid, n, ov)
		return err
	})
}

func (h *handlers) incrementAddonLineItems(ctx context.Context, c *op.Call) (map[string]any, error) {
	return h.mapAddOns(ctx, c, func(k state.DeviceKey, aid string, n int, _ time.Time) error {
		_, err := h.st.IncrementAddOn(k, aid, n)
		return err
	})
}

func (h *handlers) decrementAddonLineItems(ctx context.Context, c *op.Call) (map[string]any, error) {
	return h.mapAddOns(ctx, c, func(k state.DeviceKey, aid string, n int, _ time.Time) error {
		_, err := h.st.DecrementAddOn(k, aid, n)
		return err
	})
}

// zeroCountDisabled is the reason when the tenant option is off (seed 002
// L21: the option "must be selected").
const zeroCountDisabled = "zero-count mapping is not enabled: select \"Allow mapping zero counts to FlexNet Embedded devices\" (System > Configure > FlexNet Operations > Embedded Device Settings)"

// zeroCountAddonLineItems (v7) sets a zero-count mapping of each line item
// on a server. "Values submitted in the web request are not validated"
// (seed 002 L22): the count in the request is ignored.
func (h *handlers) zeroCountAddonLineItems(ctx context.Context, c *op.Call) (map[string]any, error) {
	if !h.cfg.AllowZeroCountMapping {
		var b batch
		for _, rec := range op.Objs(c.Request, "requestList") {
			for _, li := range op.Objs(rec, "lineItem") {
				b.fail(map[string]any{"deviceIdentifier": op.Obj(rec, "deviceIdentifier"), "lineItem": li, "reason": zeroCountDisabled})
			}
		}
		m := b.result("failAddon", "")
		m["statusInfo"] = op.Status(failure, zeroCountDisabled)
		return m, nil
	}
	return h.mapAddOns(ctx, c, func(k state.DeviceKey, aid string, _ int, _ time.Time) error {
		_, err := h.st.ZeroAddOn(k, aid)
		return err
	})
}

func (h *handlers) deleteAddonLineItems(ctx context.Context, c *op.Call) (map[string]any, error) {
	return h.mapAddOns(ctx, c, func(k state.DeviceKey, aid string, _ int, _ time.Time) error {
		_, err := h.st.UnlinkAddOn(k, aid)
		return err
	})
}
