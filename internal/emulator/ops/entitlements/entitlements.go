// Package entitlements answers the emulator's EntitlementOrderService
// (base–v8) and LicenseService (base–v2) operations from the shared domain
// state: entitlements and line items, their queries and counts, and
// fulfilments, whose licence text is signed with the emulator's key.
//
// One handler serves every version; it returns a superset of what any
// version declares and the server's projection keeps what the called
// version has. Handlers branch on the version only where FNO's semantics
// differ (v6 activationIds, v7 parent line item relations, v8 several
// accountUnitName values, LicenseService v2 hosts).
//
// Business failures are statusInfo FAILURE or PARTIAL_FAILURE with
// failedData, as FNO answers them; reasons name fields and limits, never
// payload values.
package entitlements

import (
	"errors"
	"fmt"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Service names as the endpoints spell them.
const (
	EntitlementOrder = "EntitlementOrderService"
	License          = "LicenseService"
)

// Register registers every EntitlementOrderService and LicenseService
// handler, signing licences with the key of seed 0. The emulator should
// call RegisterSigned with the key of its --seed (sign.New(seed)), the
// one the devices handlers sign capability responses with.
func Register(r *op.Registry, st *state.Store, cfg op.Settings) {
	RegisterSigned(r, st, cfg, sign.New(0))
}

// RegisterSigned is Register with the emulator's signing key.
func RegisterSigned(r *op.Registry, st *state.Store, cfg op.Settings, sg *sign.Signer) {
	newHandlers(st, cfg, sg).register(r)
}

func (h *handlers) register(r *op.Registry) {
	for name, fn := range h.entitlementOps() {
		r.Handle(EntitlementOrder, name, fn)
	}
	for name, fn := range h.licenseOps() {
		r.Handle(License, name, fn)
	}
	// getHostQuery and getHostCount exist from LicenseService v2 on.
	r.HandleFrom(License, "getHostQuery", "v2", h.getHostQuery)
	r.HandleFrom(License, "getHostCount", "v2", h.getHostCount)
}

// handlers holds what every handler needs.
type handlers struct {
	st   *state.Store
	cfg  op.Settings
	sg   *sign.Signer
	prod Producer // nil: the emulator makes every ID and licence
}

func newHandlers(st *state.Store, cfg op.Settings, sg *sign.Signer) *handlers {
	d := op.DefaultSettings()
	if cfg.MaxReadBatch <= 0 {
		cfg.MaxReadBatch = d.MaxReadBatch
	}
	if cfg.MaxWriteBatch <= 0 {
		cfg.MaxWriteBatch = d.MaxWriteBatch
	}
	if cfg.MaxAccountUnitNames == 0 {
		cfg.MaxAccountUnitNames = d.MaxAccountUnitNames
	}
	return &handlers{st: st, cfg: cfg, sg: sg}
}

func (h *handlers) entitlementOps() map[string]op.Handler {
	return map[string]op.Handler{
		"createSimpleEntitlement":               h.createSimpleEntitlement,
		"createBulkEntitlement":                 h.createBulkEntitlement,
		"createEntitlementLineItem":             h.createEntitlementLineItem,
		"updateEntitlementLineItem":             h.updateEntitlementLineItem,
		"deleteEntitlement":                     h.deleteEntitlement,
		"setEntitlementState":                   h.setEntitlementState,
		"getEntitlementsQuery":                  h.getEntitlementsQuery,
		"getEntitlementCount":                   h.getEntitlementCount,
		"getActivatableItemsQuery":              h.getActivatableItemsQuery,
		"getActivatableItemCount":               h.getActivatableItemCount,
		"getEntitlementLineItemPropertiesQuery": h.getEntitlementLineItemPropertiesQuery,
		"getExactAvailableCount":                h.getExactAvailableCount,
		"mapEntitlementsToUser":                 h.mapEntitlementsToUser,
	}
}

func (h *handlers) licenseOps() map[string]op.Handler {
	return map[string]op.Handler{
		"getFulfillmentCount":               h.getFulfillmentCount,
		"getFulfillmentsQuery":              h.getFulfillmentsQuery,
		"getFulfillmentPropertiesQuery":     h.getFulfillmentPropertiesQuery,
		"getFulfillmentAttributesFromModel": h.getFulfillmentAttributesFromModel,
		"verifyCreateLicense":               h.verifyCreateLicense,
		"createLicense":                     h.createLicense,
		"createLicensesAsBatch":             h.createLicensesAsBatch,
		"returnLicense":                     h.returnLicense,
		"rehostLicense":                     h.rehostLicense,
		"repairLicense":                     h.repairLicense,
		"emailLicense":                      h.emailLicense,
	}
}

// ---- statusInfo ----

const (
	statusSuccess = "SUCCESS"
	statusFailure = "FAILURE"
	statusPartial = "PARTIAL_FAILURE"
)

// outcome is the statusInfo of a write over n records of which failed failed.
func outcome(n, failed int) map[string]any {
	switch {
	case failed == 0:
		return op.Status(statusSuccess, "")
	case failed == n:
		return op.Status(statusFailure, "Every record failed; see failedData for the reasons.")
	default:
		return op.Status(statusPartial, fmt.Sprintf("%d of %d records failed; see failedData for the reasons.", failed, n))
	}
}

// reason turns a state error into a failedData or statusInfo reason. State
// errors carry reasons fit for the wire (they name fields, not values);
// anything else is an emulator bug and says so without detail.
func reason(err error) string {
	var se *state.Error
	if errors.As(err, &se) {
		return se.Reason
	}
	var pe *producerError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return "internal error in the emulator"
}

// writeLimit refuses a write with more records than MaxWriteBatch (seed 001
// L611-L666: "All services that result in a write have a batch size maximum
// of 25 records", "Specifying a batch size higher than the new cap results
// in an error").
func (h *handlers) writeLimit(n int) (map[string]any, bool) {
	if n > h.cfg.MaxWriteBatch {
		return op.Failure(fmt.Sprintf("The request has more records than the write batch limit of %d; send them in several requests.", h.cfg.MaxWriteBatch)), true
	}
	return nil, false
}

// page reads batchSize and pageNumber of a query request. A missing or nil
// batchSize means the maximum; above the maximum (2000, seed 001 L613) or
// below 1 it is an error, as is a pageNumber below 1.
func (h *handlers) page(req map[string]any) (state.Page, map[string]any, bool) {
	p := state.Page{Number: 1, Size: h.cfg.MaxReadBatch}
	if n, present, ok := op.GetInt(req, "batchSize"); present {
		switch {
		case !ok || n < 1:
			return p, op.Failure("batchSize must be a whole number of at least 1."), true
		case n > int64(h.cfg.MaxReadBatch):
			return p, op.Failure(fmt.Sprintf("batchSize exceeds the read batch limit of %d; page through the results with pageNumber.", h.cfg.MaxReadBatch)), true
		}
		p.Size = int(n)
	}
	if n, present, ok := op.GetInt(req, "pageNumber"); present {
		if !ok || n < 1 || n > 1<<31 {
			return p, op.Failure("pageNumber must be a whole number of at least 1."), true
		}
		p.Number = int(n)
	}
	return p, nil, false
}

// version returns the number of the called version (base is 0).
func version(c *op.Call) int { return c.Op.Version.Number() }
