package callout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Rules are the reference callout's actions. There is one section per
// trigger point and each section can only name the actions seed 001
// Table 5-2 allows there, so the server cannot be configured to answer
// outside the contract; LoadRules refuses unknown fields. The zero Rules
// ask for nothing: every answer is {}.
//
// A rules file is this struct as JSON, for example:
//
//	{
//	  "finalizeHost": {"denyCreateHostIdPrefixes": ["BLOCKED-"], "hostType": "FLX_CLIENT", "enterpriseId": 20,
//	                   "addToVendorDictionary": {"SITE": "north"}, "removeFromVendorDictionary": ["TRIAL"]},
//	  "checkAccess": {"denyAccessHostIdPrefixes": ["REVOKED-"]},
//	  "finalizeResponse": {"lifetime": 30, "vendorDictionary": {"SERIAL_NUMBER": "S12345678", "CHANNELS": 20},
//	                       "addOns": {"skipConfirmation": true, "deniedActivationIdPrefixes": ["EXPIRED-"],
//	                                  "expiration": "2030-01-01"}}
//	}
type Rules struct {
	FinalizeHost     FinalizeHostRules     `json:"finalizeHost"`
	CheckAccess      CheckAccessRules      `json:"checkAccess"`
	FinalizeResponse FinalizeResponseRules `json:"finalizeResponse"`
}

// FinalizeHostRules are the actions at /finalizeHost.
type FinalizeHostRules struct {
	// DenyCreateHostIDPrefixes: denyCreate when hostInfo.id starts with one.
	DenyCreateHostIDPrefixes   []string         `json:"denyCreateHostIdPrefixes,omitempty"`
	HostType                   string           `json:"hostType,omitempty"`
	EnterpriseID               *int64           `json:"enterpriseId,omitempty"`
	AddToVendorDictionary      VendorDictionary `json:"addToVendorDictionary,omitempty"`
	RemoveFromVendorDictionary []string         `json:"removeFromVendorDictionary,omitempty"`
	AddToStatusList            []StatusItem     `json:"addToStatusList,omitempty"`
}

// CheckAccessRules are the actions at /checkAccess.
type CheckAccessRules struct {
	// DenyAccessHostIDPrefixes: denyAccess when hostInfo.id starts with one.
	DenyAccessHostIDPrefixes []string     `json:"denyAccessHostIdPrefixes,omitempty"`
	AddToStatusList          []StatusItem `json:"addToStatusList,omitempty"`
}

// FinalizeResponseRules are the actions at /finalizeResponse.
type FinalizeResponseRules struct {
	Lifetime                   *int64           `json:"lifetime,omitempty"` // seconds
	VendorDictionary           VendorDictionary `json:"vendorDictionary,omitempty"`
	AddToStatusList            []StatusItem     `json:"addToStatusList,omitempty"`
	AddToVendorDictionary      VendorDictionary `json:"addToVendorDictionary,omitempty"`
	RemoveFromVendorDictionary []string         `json:"removeFromVendorDictionary,omitempty"`
	EnterpriseID               *int64           `json:"enterpriseId,omitempty"`
	AddOns                     AddOnRules       `json:"addOns"`
}

// AddOnRules are the add-on actions at /finalizeResponse, applied to each
// add-on of the request's addOnInfo.
type AddOnRules struct {
	SkipConfirmation bool `json:"skipConfirmation,omitempty"`
	// DeniedActivationIDPrefixes: denied when the activation ID starts with one.
	DeniedActivationIDPrefixes []string `json:"deniedActivationIdPrefixes,omitempty"`
	// Expiration: the expiration override set on every add-on (ISO 8601 or a date).
	Expiration string `json:"expiration,omitempty"`
}

// LoadRules reads a rules file and proves it can only produce valid
// answers. Unknown fields are refused: an action in the wrong section is
// an action the trigger point does not allow.
func LoadRules(r io.Reader) (Rules, error) {
	var rules Rules
	dec := json.NewDecoder(io.LimitReader(r, MaxBody))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&rules); err != nil {
		return Rules{}, fmt.Errorf("callout rules: %w (see the Rules type for the format: one section per trigger point, each with only its allowed actions)", err)
	}
	if err := rules.Check(); err != nil {
		return Rules{}, err
	}
	return rules, nil
}

// Check applies the rules to a request that triggers every one of them and
// validates the answers against each trigger point's schema, so a bad
// value (a fractional dictionary value, a malformed date, a negative
// lifetime) is refused at start rather than sent to a client.
func (r Rules) Check() error {
	req := Request{HostInfo: HostInfo{ID: "h", IDType: "STRING", HostClass: "CLIENT", HostType: "FLX_CLIENT"}}
	prefixes := append(append([]string(nil), r.FinalizeHost.DenyCreateHostIDPrefixes...), r.CheckAccess.DenyAccessHostIDPrefixes...)
	if len(prefixes) > 0 {
		req.HostInfo.ID = prefixes[0] + "h"
	}
	req.AddOnInfo = []AddOnInfo{{ActivationID: "a"}}
	for _, p := range r.FinalizeResponse.AddOns.DeniedActivationIDPrefixes {
		req.AddOnInfo = append(req.AddOnInfo, AddOnInfo{ActivationID: p + "a"})
	}
	var problems []string
	for _, tp := range TriggerPoints() {
		body, err := json.Marshal(r.Apply(tp, &req))
		if err != nil {
			return fmt.Errorf("callout rules, %s: %w", tp, err)
		}
		fs, err := ValidateResponse(tp, body)
		if err != nil {
			return err
		}
		for _, f := range fs {
			problems = append(problems, fmt.Sprintf("%s answer at %s: %s", tp, f.Location, f.Message))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("callout rules would produce invalid answers: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Apply returns the answer to req at tp: only the actions tp allows.
func (r Rules) Apply(tp TriggerPoint, req *Request) Response {
	var resp Response
	switch tp {
	case FinalizeHost:
		fh := r.FinalizeHost
		ha := HostActions{
			DenyCreate:                 hasPrefix(req.HostInfo.ID, fh.DenyCreateHostIDPrefixes),
			AddToVendorDictionary:      fh.AddToVendorDictionary,
			RemoveFromVendorDictionary: fh.RemoveFromVendorDictionary,
			EnterpriseID:               fh.EnterpriseID,
		}
		if fh.HostType != "" {
			ha.HostType = &fh.HostType
		}
		resp.HostActions = nonEmptyHost(ha)
		if len(fh.AddToStatusList) > 0 {
			resp.ResponseActions = &ResponseActions{AddToStatusList: fh.AddToStatusList}
		}
	case CheckAccess:
		ca := r.CheckAccess
		resp.HostActions = nonEmptyHost(HostActions{DenyAccess: hasPrefix(req.HostInfo.ID, ca.DenyAccessHostIDPrefixes)})
		if len(ca.AddToStatusList) > 0 {
			resp.ResponseActions = &ResponseActions{AddToStatusList: ca.AddToStatusList}
		}
	case FinalizeResponse:
		fr := r.FinalizeResponse
		ra := ResponseActions{VendorDictionary: fr.VendorDictionary, AddToStatusList: fr.AddToStatusList, Lifetime: fr.Lifetime}
		if ra.VendorDictionary != nil || ra.AddToStatusList != nil || ra.Lifetime != nil {
			resp.ResponseActions = &ra
		}
		resp.HostActions = nonEmptyHost(HostActions{
			AddToVendorDictionary:      fr.AddToVendorDictionary,
			RemoveFromVendorDictionary: fr.RemoveFromVendorDictionary,
			EnterpriseID:               fr.EnterpriseID,
		})
		ao := fr.AddOns
		for _, a := range req.AddOnInfo {
			act := AddOnActions{
				ActivationID:     a.ActivationID,
				SkipConfirmation: ao.SkipConfirmation,
				Denied:           hasPrefix(a.ActivationID, ao.DeniedActivationIDPrefixes),
			}
			if ao.Expiration != "" {
				act.Expiration = &ao.Expiration
			}
			if act.SkipConfirmation || act.Denied || act.Expiration != nil {
				resp.AddOnActions = append(resp.AddOnActions, act)
			}
		}
	}
	return resp
}

func nonEmptyHost(h HostActions) *HostActions {
	if h.AddToVendorDictionary == nil && h.RemoveFromVendorDictionary == nil && !h.DenyCreate && !h.DenyAccess &&
		h.HostType == nil && h.EnterpriseID == nil {
		return nil
	}
	return &h
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// marshal writes a message without HTML escaping (FNO's Jackson does not
// escape <, > and & either) and without a trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
