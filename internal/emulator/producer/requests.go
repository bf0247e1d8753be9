package producer

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// The methods below are what the entitlement and fulfilment handlers call
// (entitlements.Producer). Each returns the producer's value, or "" with a
// nil error when the emulator should make the value itself: the generator
// is not configured, or it failed and the failure mode is fallback.

// EntitlementID asks generateEntitlementID for the ID of e, a new simple or
// bulk entitlement whose ID the request left to be generated.
func (c *Client) EntitlementID(ctx context.Context, e state.Entitlement) (string, error) {
	if !c.IDs() {
		return "", nil
	}
	return c.id(ctx, OpEntitlementID, entitlementContent(e), state.ValidateID)
}

// LineItemID asks generateLineItemID for the activation ID of it, a new
// line item of e.
func (c *Client) LineItemID(ctx context.Context, e state.Entitlement, it state.LineItem) (string, error) {
	if !c.IDs() {
		return "", nil
	}
	return c.id(ctx, OpLineItemID, lineItemContent(e, it), state.ValidateID)
}

// WebRegKey asks generateWebRegKey for the activation ID of it, the
// WEBREGKEY item the emulator keeps for bulk entitlement e (INFERRED
// mapping: that item is what the bulk entitlement's keys activate).
func (c *Client) WebRegKey(ctx context.Context, e state.Entitlement, it state.LineItem) (string, error) {
	if !c.IDs() {
		return "", nil
	}
	return c.id(ctx, OpWebRegKey, bulkContent(e, it), state.ValidateID)
}

// FulfillmentID asks generateFulfillmentID for the ID of a new fulfilment.
// Its FulfillmentRecord is open in the contract (content not known): the
// emulator sends it empty.
func (c *Client) FulfillmentID(ctx context.Context, _ state.Fulfillment) (string, error) {
	if !c.IDs() {
		return "", nil
	}
	return c.id(ctx, OpFulfillmentID, map[string]any{}, validFulfillmentID)
}

// LicenseText asks generateLicense for the licence of a new fulfilment. Its
// GeneratorRequest is open in the contract (content not known): the
// emulator sends it empty. The answer must be complete and carry
// licenseText (the emulator's fulfilments hold text, not binary licences).
func (c *Client) LicenseText(ctx context.Context, _ state.Fulfillment) (string, error) {
	if !c.Licenses() {
		return "", nil
	}
	return c.call(ctx, c.lics, OpLicense, map[string]any{}, func(p *xmltree.Node) (string, string) {
		if complete, _ := strconv.ParseBool(strings.TrimSpace(p.TextOf("complete"))); !complete {
			return "", "incomplete"
		}
		text := p.Child("licenseText")
		if text == nil || isNil(text) || strings.TrimSpace(text.Text) == "" {
			return "", "empty"
		}
		return text.Text, ""
	})
}

// id runs one ID generator call and checks the ID it answers.
func (c *Client) id(ctx context.Context, operation string, content map[string]any, valid func(what, id string) error) (string, error) {
	return c.call(ctx, c.ids, operation, content, func(p *xmltree.Node) (string, string) {
		idn := p.Child("id")
		if idn == nil || isNil(idn) || strings.TrimSpace(idn.Text) == "" {
			return "", "empty"
		}
		if valid("id", idn.Text) != nil {
			return "", "invalid-id"
		}
		return idn.Text, ""
	})
}

func isNil(n *xmltree.Node) bool {
	v, ok := nilAttr(n)
	v = strings.TrimSpace(v)
	return ok && (v == "true" || v == "1")
}

// validFulfillmentID checks a fulfilment ID: FNO documents no character
// rules for it (the activation and entitlement ID rules are seed 003's), so
// only that it is not empty and not longer than the other IDs.
func validFulfillmentID(what, id string) error {
	if strings.TrimSpace(id) == "" || utf8.RuneCountInString(id) > state.MaxIDLength {
		return &state.Error{Kind: state.ErrInvalid, Reason: what + " is empty or too long"}
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return &state.Error{Kind: state.ErrInvalid, Reason: what + " contains a control character"}
		}
	}
	return nil
}

// ---- request content from the emulator's records ----
//
// Keys are the contract's element names; a required element left out is
// sent as xsi:nil (nilMissing). The OPAQUE types (soldTo, products, part
// number, license model, terms …) are left out, so sent nil: their content
// is not known.

// entitlementFields are the Entitlement elements of e.
func entitlementFields(e state.Entitlement, typ string) map[string]any {
	st := e.State
	if st == "" {
		st = state.Draft // the store's default for a new entitlement
	}
	return map[string]any{
		"entitlementID":    orNil(e.ID),
		"entitlementType":  typ,
		"shipToEmail":      orNil(e.ShipToEmail),
		"shipToAddress":    orNil(e.ShipToAddress),
		"entitlementState": string(st),
		"draft":            st == state.Draft,
		"deployed":         st == state.Deployed,
		"inactive":         st == state.Inactive,
		"test":             st == state.TestState,
	}
}

// entitlementContent is the Entitlement of generateEntitlementID.
// INFERRED: entitlementType SIMPLE or BULK (the contract leaves it a
// string; the samples use SIMPLE).
func entitlementContent(e state.Entitlement) map[string]any {
	typ := "SIMPLE"
	if e.Bulk {
		typ = "BULK"
	}
	return entitlementFields(e, typ)
}

// lineItemContent is the EntitlementLineItem of generateLineItemID, with
// its parent entitlement (a SimpleEntitlement).
func lineItemContent(e state.Entitlement, it state.LineItem) map[string]any {
	parent := entitlementFields(e, "SIMPLE")
	parent["comments"] = orNil(e.Description)
	st := it.State
	if st == "" {
		st = e.State
	}
	if st == "" {
		st = state.Draft
	}
	m := map[string]any{
		"activationID":      orNil(it.ActivationID),
		"orderId":           orNil(it.OrderID),
		"orderLineNumber":   orNil(it.OrderLineNumber),
		"parentEntitlement": parent,
		"lineItemState":     string(st),
		"inactive":          st == state.Inactive,
		"test":              st == state.TestState,
		"numberOfCopies":    strconv.Itoa(it.Copies),
		"upgrade":           it.Type == state.LineUpgrade,
		"upsell":            it.Type == state.LineUpsell,
		"renew":             it.Type == state.LineRenewal,
		"startDateOption":   orNil(it.StartDateOption),
	}
	return m
}

// bulkContent is the BulkEntitlement of generateWebRegKey.
func bulkContent(e state.Entitlement, it state.LineItem) map[string]any {
	m := entitlementFields(e, "BULK")
	m["permanent"] = it.Permanent
	m["expirationDate"] = nil
	if !it.Permanent && !it.Expiration.IsZero() {
		m["expirationDate"] = it.Expiration.UTC().Format(time.RFC3339)
	}
	return m
}

// orNil is s, or nil (xsi:nil) when s is empty.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
