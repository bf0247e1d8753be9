package rest

import (
	"context"
	"net/http"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// ---- devices ----

// devicesRequest is the getDevicesQuery / getDeviceCount request of a REST
// devices or devicesCount body. Where the seed's example and SOAP place a
// field differently (deviceResponseConfig inside queryParams) both are
// read, the SOAP place winning.
func devicesRequest(body map[string]any) (req, restCfg map[string]any) {
	req, _ = soapValue(body).(map[string]any)
	qp, _ := req["queryParams"].(map[string]any)
	if qp != nil {
		if rc, ok := qp["deviceResponseConfig"]; ok {
			if _, has := req["deviceResponseConfig"]; !has {
				req["deviceResponseConfig"] = rc
			}
			delete(qp, "deviceResponseConfig")
		}
		// status is a bare deviceStatus in REST, a DeviceStateQueryType in
		// SOAP; userString may be either (application.yaml UserString).
		equalsQuery(qp, "status")
		equalsQuery(qp, "userString")
		wrapList(qp, "deviceTypes", "deviceType")
	}
	restCfg, _ = req["deviceResponseConfig"].(map[string]any)
	if restCfg != nil {
		// REST asks for soldToOrgId separately; SOAP renders the sold-to
		// account under its soldTo switch.
		soap := make(map[string]any, len(restCfg)+1)
		for k, v := range restCfg {
			soap[k] = v
		}
		if restCfg["soldToOrgId"] == "true" {
			soap["soldTo"] = "true"
		}
		req["deviceResponseConfig"] = soap
	}
	return req, restCfg
}

func (h *Handler) devices(ctx context.Context, user string, body map[string]any, _ map[string][]string) (int, any) {
	req, restCfg := devicesRequest(body)
	res, err := h.call(ctx, opDevices, user, req)
	status, out := answer(res, err)
	if status != http.StatusOK {
		return status, out
	}
	m := out.(map[string]any)
	if rd, ok := m["responseData"].(map[string]any); ok {
		if list, ok := rd["device"].([]any); ok {
			for _, d := range list {
				restDevice(d.(map[string]any), restCfg)
			}
		}
	}
	return status, m
}

// restDevice adjusts one rendered device to the REST shape: soldToOrgId
// is the same account reference as soldTo (seed lines 5138-5148), and the
// SOAP-only names of that reference go.
func restDevice(d, restCfg map[string]any) {
	acct, has := d["soldTo"]
	delete(d, "soldToOrgName")
	delete(d, "soldToAcctName")
	if !has {
		return
	}
	if restCfg["soldToOrgId"] == "true" {
		d["soldToOrgId"] = acct
	}
	if restCfg["soldTo"] != "true" {
		delete(d, "soldTo")
	}
}

func (h *Handler) devicesCount(ctx context.Context, user string, body map[string]any, _ map[string][]string) (int, any) {
	req, _ := devicesRequest(body)
	delete(req, "deviceResponseConfig")
	res, err := h.call(ctx, opDevicesCount, user, req)
	return answer(res, err)
}

// ---- entitlement orders ----

// itemCriteria turns the REST activatable item criteria into the SOAP
// searchActivatableItemDataType in place; a non-empty reason is a FAILURE.
func itemCriteria(c map[string]any) string {
	if c == nil {
		return ""
	}
	// The seed's spelling and the WSDLs' (application.yaml ProductType).
	if c["productType"] == "MAINTENANCE" {
		c["productType"] = "MAINTENENACE"
	}
	// A bare number of copies means EQUALS (application.yaml FulfilledAmount).
	equalsQuery(c, "fulfilledAmount")
	// One text attribute and its value; SOAP has a list of criteria.
	if a, ok := c["lineItemAttributes"].(map[string]any); ok {
		if _, isList := a["attribute"]; !isList {
			c["lineItemAttributes"] = map[string]any{"attribute": []any{map[string]any{
				"attributeName": a["attributeName"],
				"stringValue":   map[string]any{"value": a["stringValue"], "searchType": "EQUALS"},
			}}}
		}
	}
	// accountId selects the sold-to account by ID, as soldTo does; the
	// emulator keeps only the end-customer tier, so partnerTier narrows
	// nothing. Both given must agree.
	if a, ok := c["accountId"].(map[string]any); ok {
		delete(c, "accountId")
		q := map[string]any{"value": a["value"], "searchType": a["searchType"]}
		if s, ok := c["soldTo"].(map[string]any); ok {
			if !strings.EqualFold(str(s["value"]), str(q["value"])) || s["searchType"] != q["searchType"] {
				return "soldTo and accountId both select the sold-to account: give one, or the same criterion"
			}
		}
		c["soldTo"] = q
	}
	return ""
}

func str(v any) string { s, _ := v.(string); return s }

func (h *Handler) entitlementOrders(ctx context.Context, user string, body map[string]any, _ map[string][]string) (int, any) {
	req, _ := soapValue(body).(map[string]any)
	crit, _ := req["activatableItemSearchCriteria"].(map[string]any)
	if why := itemCriteria(crit); why != "" {
		return http.StatusOK, failure(why)
	}
	res, err := h.call(ctx, opItems, user, req)
	status, out := answer(res, err)
	if m, ok := out.(map[string]any); ok && status == http.StatusOK {
		list, _ := m["activatableItem"].([]any)
		for _, it := range list {
			restItem(it.(map[string]any))
		}
	}
	return status, out
}

// restItem adjusts one rendered activatable item to the REST contract:
// lineItemType NEW (SOAP v7+) is not among the REST values (UPGRADE,
// UPSELL, RENEWAL; application.yaml, from the base WSDL), and a line item
// with no relation to a parent is what the seed shows as null, so it is
// left out.
func restItem(it map[string]any) {
	if d, ok := it["activatableItemData"].(map[string]any); ok && d["lineItemType"] == "NEW" {
		delete(d, "lineItemType")
	}
}

func (h *Handler) entitlementOrdersCount(ctx context.Context, user string, body map[string]any, _ map[string][]string) (int, any) {
	req, _ := soapValue(body).(map[string]any)
	crit, _ := req["queryParams"].(map[string]any)
	// The seed lists restrictToItemsReadyToActivate inside queryParams,
	// SOAP beside it; both are read, SOAP's place winning.
	if crit != nil {
		if v, ok := crit["restrictToItemsReadyToActivate"]; ok {
			if _, has := req["restrictToItemsReadyToActivate"]; !has {
				req["restrictToItemsReadyToActivate"] = v
			}
			delete(crit, "restrictToItemsReadyToActivate")
		}
	}
	if why := itemCriteria(crit); why != "" {
		return http.StatusOK, failure(why)
	}
	res, err := h.call(ctx, opItemsCount, user, req)
	return answer(res, err)
}

// ---- consumption ----

// consumption lists the account's line items with what is consumed
// (fulfilled or mapped copies) of the total (seed lines 5315-5410). The
// seed's example gives featureName and featureVersion as "", one entry per
// activation ID; so does the emulator.
func (h *Handler) consumption(ctx context.Context, _ string, _ map[string]any, q map[string][]string) (int, any) {
	id := ""
	if v := q["accountId"]; len(v) > 0 {
		id = strings.TrimSpace(v[0])
	}
	if id == "" {
		return http.StatusBadRequest, failure("accountId is required: ?accountId=<account ID>")
	}
	acct, err := h.cfg.Store.Account(id)
	if err != nil {
		return http.StatusOK, failure("no account has this accountId")
	}
	items, err := h.cfg.Store.LineItems(state.LineItemQuery{SoldTo: state.Match{Value: acct.ID, Type: state.Equals}}, state.Page{})
	if err != nil {
		return http.StatusInternalServerError, failure("the consumption could not be read")
	}
	out := make([]any, 0, len(items))
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return http.StatusServiceUnavailable, failure("request cancelled")
		}
		out = append(out, map[string]any{
			"accountId":      acct.ID,
			"activationId":   it.ActivationID,
			"productName":    it.Product.Name,
			"productVersion": it.Product.Version,
			"featureName":    "",
			"featureVersion": "",
			"consumed":       max(it.Fulfilled, 0),
			"total":          max(it.Copies, 0),
		})
	}
	return http.StatusOK, map[string]any{"statusInfo": map[string]any{"status": "SUCCESS"}, "consumption": out}
}
