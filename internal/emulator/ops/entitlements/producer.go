package entitlements

import (
	"context"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Producer is the producer's ID and licence generators as the handlers see
// them (internal/emulator/producer implements it over SOAP; seed 001
// 5520-5552). Each method returns the producer's value, or "" with a nil
// error when the emulator should make the value itself (no generator
// configured, or failure mode fallback). An error fails the record: its
// message becomes the record's reason, so it must name the generator and
// the kind of failure, never a payload value.
//
// The handlers ask before they write, so the state never waits on the
// network: an entitlement's ID, then its line items' activation IDs; a
// fulfilment's ID, then its licence text.
type Producer interface {
	EntitlementID(ctx context.Context, e state.Entitlement) (string, error)
	LineItemID(ctx context.Context, e state.Entitlement, it state.LineItem) (string, error)
	WebRegKey(ctx context.Context, e state.Entitlement, it state.LineItem) (string, error)
	FulfillmentID(ctx context.Context, f state.Fulfillment) (string, error)
	LicenseText(ctx context.Context, f state.Fulfillment) (string, error)
}

// RegisterWithProducer is RegisterSigned with the producer's generators
// asked for the IDs and licences the emulator would make; p nil is none.
func RegisterWithProducer(r *op.Registry, st *state.Store, cfg op.Settings, sg *sign.Signer, p Producer) {
	h := newHandlers(st, cfg, sg)
	h.prod = p
	h.register(r)
}

// producerError carries a Producer's error to reason(), which passes its
// message through as the record's reason (the Producer contract makes it
// fit for the wire).
type producerError struct{ err error }

func (e *producerError) Error() string { return e.err.Error() }
func (e *producerError) Unwrap() error { return e.err }

func fromProducer(err error) error {
	if err == nil {
		return nil
	}
	return &producerError{err}
}

// newIDs asks the producer for the IDs a new entitlement and its line
// items leave to be generated (given IDs are kept). A bulk entitlement's
// item takes a web register key.
func (h *handlers) newIDs(ctx context.Context, e *state.Entitlement, items []state.LineItem) error {
	if h.prod == nil {
		return nil
	}
	if e.ID == "" {
		id, err := h.prod.EntitlementID(ctx, *e)
		if err != nil {
			return fromProducer(err)
		}
		e.ID = id
	}
	return h.newActivationIDs(ctx, *e, items)
}

// newActivationIDs asks the producer for the activation IDs of new line
// items of e that have none.
func (h *handlers) newActivationIDs(ctx context.Context, e state.Entitlement, items []state.LineItem) error {
	if h.prod == nil {
		return nil
	}
	for i := range items {
		if items[i].ActivationID != "" {
			continue
		}
		ask := h.prod.LineItemID
		if e.Bulk {
			ask = h.prod.WebRegKey
		}
		id, err := ask(ctx, e, items[i])
		if err != nil {
			return fromProducer(err)
		}
		items[i].ActivationID = id
	}
	return nil
}

// produce gives a new fulfilment the producer's ID and licence text; the
// emulator's own signed text (sign) when the producer gives none.
func (h *handlers) produce(ctx context.Context, f *state.Fulfillment, sign func() string) error {
	if h.prod != nil {
		id, err := h.prod.FulfillmentID(ctx, *f)
		if err != nil {
			return fromProducer(err)
		}
		f.ID = id
		text, err := h.prod.LicenseText(ctx, *f)
		if err != nil {
			return fromProducer(err)
		}
		f.LicenseText = text
	}
	if f.LicenseText == "" {
		f.LicenseText = sign()
	}
	return nil
}
