package entapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// IDSource is the producer's ID generator as this API sees it: FNO asks
// the producer's IdGeneratorService for the IDs a request leaves to be
// generated (seed 001 lines 5520-5543), and internal/emulator/producer's
// *Client implements it (a nil *Client is a valid source that always
// answers ""). The SOAP handlers ask the same generator
// (entitlements.Producer), so an entitlement gets the producer's ID
// whichever API creates it.
//
// Each method returns the producer's ID, or "" with a nil error when the
// emulator should make the ID itself (no generator configured, or the
// producer failure mode fallback). An error fails the request (502,
// nothing stored): its message reaches the client, so it must name the
// generator and the kind of failure, never a payload value.
//
// Maintenance line items are not asked: the producer client has no
// generateMaintenanceItemID call (seed 001 line 5530) yet, so the state
// makes their IDs, as with no generator configured.
type IDSource interface {
	EntitlementID(ctx context.Context, e state.Entitlement) (string, error)
	LineItemID(ctx context.Context, e state.Entitlement, it state.LineItem) (string, error)
}

// generatorFailed is the 502 answer of a request whose ID generator failed
// for the ID at loc; reason is the source's error message.
func generatorFailed(loc, reason string) (int, any) {
	return http.StatusBadGateway, failure("the producer's ID generator gave no usable ID; nothing was stored",
		[]fieldError{{Location: loc, Message: reason}})
}

// newEntitlementIDs asks the ID source for the IDs a new entitlement and
// its line items leave to be generated (given IDs are kept), before the
// state write, so the state never waits on the network. ok false comes
// with the failure answer.
func (h *Handler) newEntitlementIDs(ctx context.Context, e *state.Entitlement, items []state.LineItem) (status int, out any, ok bool) {
	if h.cfg.IDs == nil {
		return 0, nil, true
	}
	if e.ID == "" {
		id, err := h.cfg.IDs.EntitlementID(ctx, *e)
		if err != nil {
			status, out = generatorFailed("/entitlementId", err.Error())
			return status, out, false
		}
		e.ID = id
	}
	return h.newActivationIDs(ctx, *e, items, "/lineItems/")
}

// newActivationIDs asks the ID source for the activation IDs of new line
// items of e that have none; at is the JSON Pointer of the items' array,
// with its trailing slash. Maintenance line items keep theirs to the state
// (see IDSource).
func (h *Handler) newActivationIDs(ctx context.Context, e state.Entitlement, items []state.LineItem, at string) (status int, out any, ok bool) {
	if h.cfg.IDs == nil {
		return 0, nil, true
	}
	for i := range items {
		if items[i].ActivationID != "" || items[i].Maintenance {
			continue
		}
		id, err := h.cfg.IDs.LineItemID(ctx, e, items[i])
		if err != nil {
			status, out = generatorFailed(at+strconv.Itoa(i)+"/activationId", err.Error())
			return status, out, false
		}
		items[i].ActivationID = id
	}
	return 0, nil, true
}
