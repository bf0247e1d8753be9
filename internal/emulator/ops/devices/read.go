package devices

import (
	"context"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// readStatus is the statusInfo of a query that ran: NOT_SUPPORTED when a
// userString criterion was ignored, SUCCESS otherwise.
func readStatus(q *query) map[string]any {
	if q.userIgnored {
		return op.Status(notSupported, notSupportedUser)
	}
	return op.Status(success, "")
}

// queryFailure is a FAILURE with failedData {reason} (getDevicesQuery,
// getDeviceCount, countDevices) or failed {reason} (searchDevices).
func queryFailure(failedKey, why string) map[string]any {
	return map[string]any{"statusInfo": op.Status(failure, why), failedKey: map[string]any{"reason": why}}
}

func (h *handlers) getDevicesQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	page, why := h.readPage(c.Request, true)
	if why != "" {
		return queryFailure("failedData", why), nil
	}
	q := h.devicesQuery(op.Obj(c.Request, "queryParams"), c.Op.Version.Number())
	if q.invalid != "" {
		return queryFailure("failedData", q.invalid), nil
	}
	ds, _, err := h.run(q, page, false)
	if err != nil {
		return queryFailure("failedData", unknownCriterion(err)), nil
	}
	r := h.renderer(c, op.Obj(c.Request, "deviceResponseConfig"))
	out := make([]any, len(ds))
	for i, d := range ds {
		out[i] = r.queryDevice(d)
	}
	return map[string]any{"statusInfo": readStatus(q), "responseData": map[string]any{"device": out}}, nil
}

func (h *handlers) getDeviceCount(_ context.Context, c *op.Call) (map[string]any, error) {
	return h.count(h.devicesQuery(op.Obj(c.Request, "queryParams"), c.Op.Version.Number()))
}

func (h *handlers) countDevices(_ context.Context, c *op.Call) (map[string]any, error) {
	return h.count(h.searchQuery(op.Obj(c.Request, "queryParams")))
}

// count answers getDeviceCount and countDevices: the count agrees with the
// query of the same criteria because both run the same store query.
func (h *handlers) count(q *query) (map[string]any, error) {
	if q.invalid != "" {
		return queryFailure("failedData", q.invalid), nil
	}
	_, n, err := h.run(q, state.Page{}, true)
	if err != nil {
		return queryFailure("failedData", unknownCriterion(err)), nil
	}
	return map[string]any{"statusInfo": readStatus(q), "responseData": map[string]any{"count": op.Int(int64(n))}}, nil
}

func (h *handlers) searchDevices(_ context.Context, c *op.Call) (map[string]any, error) {
	page, why := h.readPage(c.Request, false)
	if why != "" {
		return queryFailure("failed", why), nil
	}
	q := h.searchQuery(op.Obj(c.Request, "queryParams"))
	if q.invalid != "" {
		return queryFailure("failed", q.invalid), nil
	}
	q.q.Sort = sortBys(c.Request)
	ds, _, err := h.run(q, page, false)
	if err != nil {
		return queryFailure("failed", unknownCriterion(err)), nil
	}
	r := h.renderer(c, op.Obj(c.Request, "responseConfig"))
	out := make([]any, len(ds))
	for i, d := range ds {
		out[i] = r.v3Device(d, false)
	}
	return map[string]any{"statusInfo": readStatus(q), "devices": map[string]any{"device": out}}, nil
}

func (h *handlers) getDevice(_ context.Context, c *op.Call) (map[string]any, error) {
	d, why := h.findDeviceID(op.Obj(c.Request, "deviceId"))
	if why != "" {
		return map[string]any{"statusInfo": op.Status(failure, why), "failedDevice": map[string]any{"reason": why}}, nil
	}
	r := h.renderer(c, op.Obj(c.Request, "responseConfig"))
	return map[string]any{"statusInfo": op.Status(success, ""), "device": r.v3Device(d, true)}, nil
}
