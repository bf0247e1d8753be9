package devices

import (
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Device identification. A request names a device with a deviceIdentifier
// (deviceType, uniqueId, deviceId, serverIds, deviceIdType, publisherName)
// or, from v3 on, a deviceId (id, idType, publisherName, deviceClass). The
// uniqueId wins when given; otherwise the device ID, narrowed by ID type and
// publisher when they are given. A SERVER may be named by its first server
// ID. The device type must be the device's class: FNO keys devices by
// type too.

// identKey reads a deviceIdentifier; reason is set when it names nothing.
func identKey(id map[string]any) (k state.DeviceKey, class state.DeviceClass, reason string) {
	k = state.DeviceKey{
		UniqueID:  op.Str(id, "uniqueId"),
		DeviceID:  op.Str(id, "deviceId"),
		IDType:    state.IDType(op.Str(id, "deviceIdType")),
		Publisher: op.Str(id, "publisherName"),
	}
	if k.DeviceID == "" && k.UniqueID == "" {
		if ids := op.List(id, "serverIds", "serverId"); len(ids) > 0 {
			k.DeviceID = op.Str(ids[0])
		}
	}
	class = state.DeviceClass(op.Str(id, "deviceType"))
	if k.UniqueID == "" && k.DeviceID == "" {
		return k, class, "deviceIdentifier needs a uniqueId or a deviceId"
	}
	return k, class, ""
}

// find resolves a deviceIdentifier to a device, or gives the reason why not.
func (h *handlers) find(id map[string]any) (state.Device, string) {
	k, class, why := identKey(id)
	if why != "" {
		return state.Device{}, why
	}
	return h.lookup(k, class)
}

func (h *handlers) lookup(k state.DeviceKey, class state.DeviceClass) (state.Device, string) {
	d, err := h.st.Device(k)
	if err != nil {
		return state.Device{}, reason(err)
	}
	if class != "" && d.Class != class {
		return state.Device{}, "device not found: no " + strings.ToLower(string(class)) + " device has this identifier"
	}
	return d, ""
}

// findDeviceID resolves a v3 deviceId element.
func (h *handlers) findDeviceID(id map[string]any) (state.Device, string) {
	k := state.DeviceKey{
		DeviceID:  op.Str(id, "id"),
		IDType:    state.IDType(op.Str(id, "idType")),
		Publisher: op.Str(id, "publisherName"),
	}
	if k.DeviceID == "" {
		return state.Device{}, "deviceId needs an id"
	}
	return h.lookup(k, state.DeviceClass(op.Str(id, "deviceClass")))
}

// identOf is a device's deviceIdentifier in version ver. A SERVER's device
// ID is also its (single) server ID, as FNO lists it.
func identOf(d state.Device, ver int) map[string]any {
	m := map[string]any{
		"deviceType":    string(d.Class),
		"uniqueId":      d.UniqueID,
		"deviceId":      d.DeviceID,
		"deviceIdType":  idTypeOut(d.IDType, ver),
		"publisherName": d.Publisher,
	}
	if d.Class == state.Server {
		m["serverIds"] = map[string]any{"serverId": []any{d.DeviceID}}
	}
	return m
}

// refIdent is the deviceIdentifier of a referenced device (a parent).
func refIdent(r state.DeviceRef, ver int) map[string]any {
	return identOf(state.Device{UniqueID: r.UniqueID, DeviceID: r.DeviceID, IDType: r.IDType, Class: r.Class, Publisher: r.Publisher}, ver)
}

// deviceIDOf is a device's v3 deviceId; every child is required.
func deviceIDOf(r state.DeviceRef, ver int) map[string]any {
	return map[string]any{
		"id":            r.DeviceID,
		"idType":        idTypeOut(r.IDType, ver),
		"publisherName": r.Publisher,
		"deviceClass":   string(r.Class),
	}
}

// idTypeOut keeps an ID type inside version ver's deviceIdTypeType:
// CONTAINER_ID is missing from v1 and v2 (NOTES.md), UNKNOWN is in all.
func idTypeOut(t state.IDType, ver int) string {
	switch {
	case t == "":
		return "UNKNOWN"
	case t == "CONTAINER_ID" && (ver == 1 || ver == 2):
		return "UNKNOWN"
	}
	return string(t)
}

// statusOut keeps a device status inside version ver's deviceStatusType:
// base has no RETURNED, and a returned host is as unusable as an obsolete
// one, which is what base can say.
func statusOut(s state.DeviceStatus, ver int) string {
	if s == state.DeviceReturned && ver == 0 {
		return string(state.DeviceObsolete)
	}
	return string(s)
}
