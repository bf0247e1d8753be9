// Package devices implements the emulator's ManageDeviceService, every
// version from base to v7: creating, updating, deleting, querying, counting
// and searching FlexNet Embedded devices; mapping add-on line items onto
// them; generating capability responses and prebuilt licences; moving,
// returning and obsoleting hosts.
//
// There is one handler per operation for all versions. Handlers return a
// superset of the fields any version declares (soldToOrgName and
// soldToAcctName, siteName, createdOn, ...) and the projection keeps what the
// called version's schema has, so a version differs in code only where its
// semantics do (NOT_EQUALS before v1, the v7 zero-count switch).
//
// Business outcomes are FNO's statusInfo values: SUCCESS, FAILURE,
// PARTIAL_FAILURE (some records failed; each is listed in failedData with
// its reason) and NOT_SUPPORTED (a criterion the tenant's configuration
// does not support, such as userString with the Device User option off).
// A SOAP fault is only for what FNO faults on.
package devices

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Service is the endpoint name the handlers are registered under.
const Service = "ManageDeviceService"

// statusInfo values (OpsEmbeddedStatusType).
const (
	success        = "SUCCESS"
	failure        = "FAILURE"
	partialFailure = "PARTIAL_FAILURE"
	notSupported   = "NOT_SUPPORTED"
)

// handlers holds what every operation needs. The handlers are safe for
// concurrent use: the store serialises writes, and prebuilt is guarded.
type handlers struct {
	st     *state.Store
	cfg    op.Settings
	signer *sign.Signer
	// callout is the capability request callout; nil when none is set.
	callout Callout
	// deviceUserOff is the tenant's Device User option set to Off: the
	// userString criterion is ignored and the answer says NOT_SUPPORTED
	// (seed 001 L5072-5077), and no device user is stored or returned.
	deviceUserOff bool

	mu       sync.Mutex
	prebuilt map[string]prebuiltLicense // by device UniqueID

	// devLocks stripe generateCapabilityResponse by device (deviceLock).
	devLocks [64]sync.Mutex
	lockSeed maphash.Seed
}

// prebuiltLicense is the last licence generatePrebuiltLicense made for a
// device; getDevicesQuery returns it with the preBuiltLicense switch.
type prebuiltLicense struct {
	product state.ProductKey
	text    string
}

func newHandlers(st *state.Store, cfg op.Settings, signer *sign.Signer) *handlers {
	if cfg.MaxReadBatch <= 0 || cfg.MaxWriteBatch <= 0 {
		d := op.DefaultSettings()
		if cfg.MaxReadBatch <= 0 {
			cfg.MaxReadBatch = d.MaxReadBatch
		}
		if cfg.MaxWriteBatch <= 0 {
			cfg.MaxWriteBatch = d.MaxWriteBatch
		}
	}
	return &handlers{st: st, cfg: cfg, signer: signer, prebuilt: map[string]prebuiltLicense{}, lockSeed: maphash.MakeSeed()}
}

// Register adds the ManageDeviceService handlers to r, answering from st
// with cfg's limits and switches. Capability responses and prebuilt
// licences are signed with the key of seed 0 until op.Settings carries the
// emulator's signer; RegisterSigned takes it explicitly.
func Register(r *op.Registry, st *state.Store, cfg op.Settings) {
	RegisterSigned(r, st, cfg, sign.New(0))
}

// RegisterSigned is Register with the emulator's signing key.
func RegisterSigned(r *op.Registry, st *state.Store, cfg op.Settings, signer *sign.Signer) {
	newHandlers(st, cfg, signer).register(r)
}

func (h *handlers) register(r *op.Registry) {
	for name, fn := range map[string]op.Handler{
		"createDevice":               h.createDevice,
		"updateDevice":               h.updateDevice,
		"deleteDevice":               h.deleteDevice,
		"getDevicesQuery":            h.getDevicesQuery,
		"getDeviceCount":             h.getDeviceCount,
		"linkAddonLineItems":         h.linkAddonLineItems,
		"deleteAddonLineItems":       h.deleteAddonLineItems,
		"incrementAddonLineItems":    h.incrementAddonLineItems,
		"decrementAddonLineItems":    h.decrementAddonLineItems,
		"generateCapabilityResponse": h.generateCapabilityResponse,
		"generatePrebuiltLicense":    h.generatePrebuiltLicense,
		"moveDevice":                 h.moveDevice,
		"returnHost":                 h.returnHost,
		"obsoleteHost":               h.obsoleteHost,
	} {
		r.Handle(Service, name, fn)
	}
	v3, v7 := contract.Version("v3"), contract.Version("v7")
	r.HandleFrom(Service, "getDevice", v3, h.getDevice)
	r.HandleFrom(Service, "searchDevices", v3, h.searchDevices)
	r.HandleFrom(Service, "countDevices", v3, h.countDevices)
	r.HandleFrom(Service, "zeroCountAddonLineItems", v7, h.zeroCountAddonLineItems)
}

// ---- outcomes ----

// status sums up a write of ok successful and failed failed records.
func status(ok, failed int) map[string]any {
	switch {
	case failed == 0:
		return op.Status(success, "")
	case ok == 0:
		return op.Status(failure, fmt.Sprintf("all %d records failed; see failedData", failed))
	default:
		return op.Status(partialFailure, fmt.Sprintf("%d of %d records failed; see failedData", failed, ok+failed))
	}
}

// writeLimit refuses a write of more than MaxWriteBatch records (seed 001
// L4165-4169: "All services that result in a write have a batch size
// maximum of 25 records ... Specifying a batch size higher than the new cap
// results in an error"). FNO answers such a request with statusInfo
// FAILURE, changing nothing; so do we. nil means within the limit.
func (h *handlers) writeLimit(n int, what string) map[string]any {
	if n > h.cfg.MaxWriteBatch {
		return op.Failure(fmt.Sprintf("%d %s records is more than the write batch limit of %d; send at most %d per request",
			n, what, h.cfg.MaxWriteBatch, h.cfg.MaxWriteBatch))
	}
	return nil
}

// reason is the text of a store error for failedData: state errors carry a
// reason that names fields, never values; anything else is an emulator bug.
func reason(err error) string {
	var se *state.Error
	if errors.As(err, &se) {
		return se.Reason
	}
	return "internal error"
}

// canceled turns a cancelled context into a fault so a batch stops early.
func canceled(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return op.ServerFault("request cancelled: %v", err)
	}
	return nil
}
