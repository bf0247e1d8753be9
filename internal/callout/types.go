// Package callout is the capability request callout of FlexNet Operations
// (FNO Web Services Integration Guide, chapter 5): the messages FNO POSTs to
// <callout URL>/finalizeHost, /checkAccess and /finalizeResponse and the
// actions the callout answers with, as Go types; validation of both against
// fnokit's JSON Schemas (schemas/callout); a reference callout server with
// configurable actions and latency (`fnokit callout serve`); and a contract
// test of a producer's callout (`fnokit callout check`).
//
// The JSON Schemas are the contract; the types follow them field for field
// (JSON names as in the schemas, nullable fields as pointers) so a message
// built from them validates, which the tests prove.
package callout

import (
	"fmt"
	"strings"
)

// TriggerPoint is one of the three points at which FNO calls the callout;
// its value is the path suffix FNO appends to the configured URL.
type TriggerPoint string

// The trigger points of seed 001 chapter 5, in the order FNO meets them.
const (
	FinalizeHost     TriggerPoint = "finalizeHost"     // just before an unknown host is created
	CheckAccess      TriggerPoint = "checkAccess"      // before an offline request is processed
	FinalizeResponse TriggerPoint = "finalizeResponse" // before the capability response is generated
)

// TriggerPoints lists every trigger point, in the order FNO meets them.
func TriggerPoints() []TriggerPoint {
	return []TriggerPoint{FinalizeHost, CheckAccess, FinalizeResponse}
}

// ParseTriggerPoint reads a trigger point name (the path suffix).
func ParseTriggerPoint(s string) (TriggerPoint, error) {
	for _, tp := range TriggerPoints() {
		if string(tp) == s {
			return tp, nil
		}
	}
	names := make([]string, 0, 3)
	for _, tp := range TriggerPoints() {
		names = append(names, string(tp))
	}
	return "", fmt.Errorf("unknown trigger point (want one of %s)", strings.Join(names, ", "))
}

// responseDef is the $defs entry of the response schema that allows only
// this trigger point's actions (Table 5-2).
func (tp TriggerPoint) responseDef() string {
	switch tp {
	case FinalizeHost:
		return "FinalizeHostResponse"
	case CheckAccess:
		return "CheckAccessResponse"
	case FinalizeResponse:
		return "FinalizeResponseResponse"
	}
	return ""
}

// VendorDictionary is a FlexNet Embedded vendor dictionary: each value is a
// string or a 32-bit integer (int, int32 or int64 within range, or a
// json.Number when decoded with UseNumber). Nil is sent as absent.
type VendorDictionary map[string]any

// Request is the body FNO POSTs at every trigger point
// (capability-request.schema.json).
type Request struct {
	RequestInfo RequestInfo  `json:"requestInfo"`
	HostInfo    HostInfo     `json:"hostInfo"`
	AddOnInfo   []AddOnInfo  `json:"addOnInfo,omitempty"`
	StatusList  []StatusItem `json:"statusList,omitempty"`
}

// RequestInfo is what FNO read from the capability request.
type RequestInfo struct {
	Offline          *bool                   `json:"offline,omitempty"`
	ActivationIDs    []RequestedActivationID `json:"activationIds,omitempty"`
	VendorDictionary VendorDictionary        `json:"vendorDictionary,omitempty"`
	LastResponseTime *int64                  `json:"lastResponseTime,omitempty"` // seconds since the Unix epoch (CO-4)
}

// RequestedActivationID is one activation ID of the capability request.
type RequestedActivationID struct {
	ID      string `json:"id"`
	Copies  *int64 `json:"copies,omitempty"`
	Partial *bool  `json:"partial,omitempty"`
}

// HostInfo is the target host. ID, IDType, HostClass, HostType and Alias
// are always sent; the rest only with Callout Includes Host Details on.
type HostInfo struct {
	ID        string  `json:"id"`
	IDType    string  `json:"idType"`
	HostClass string  `json:"hostClass"`
	HostType  string  `json:"hostType"`
	Alias     *string `json:"alias,omitempty"`

	Server           *bool            `json:"server,omitempty"`
	IdentityName     *string          `json:"identityName,omitempty"`
	PublisherName    *string          `json:"publisherName,omitempty"`
	Status           *string          `json:"status,omitempty"`
	VendorDictionary VendorDictionary `json:"vendorDictionary,omitempty"`
	FirstActivated   *string          `json:"firstActivated,omitempty"` // ISO 8601 (CO-19)
	MachineType      *string          `json:"machineType,omitempty"`    // PHYSICAL, VIRTUAL or UNKNOWN
	VMName           *string          `json:"vmName,omitempty"`
	BaseProductID    *string          `json:"baseProductId,omitempty"`
	EnterpriseID     *int64           `json:"enterpriseId,omitempty"`
	User             *string          `json:"user,omitempty"`
	UserID           *int64           `json:"userId,omitempty"`
}

// AddOnInfo is an add-on mapped to the host: only ActivationID unless
// Callout Includes Add-on Details is on.
type AddOnInfo struct {
	ActivationID string `json:"activationId"`

	Requested              *int64  `json:"requested,omitempty"`
	Consumed               *int64  `json:"consumed,omitempty"`
	WaitingForConfirmation *bool   `json:"waitingForConfirmation,omitempty"`
	ExpirationOverride     *string `json:"expirationOveride,omitempty"` // the vendor's spelling
	CreateDate             *string `json:"createDate,omitempty"`
	LastModifiedDate       *string `json:"lastModifiedDate,omitempty"`
	LicenseModel           *string `json:"licenseModel,omitempty"`
	VendorString           *string `json:"vendorString,omitempty"`
	Notice                 *string `json:"notice,omitempty"`
	SerialNumber           *string `json:"serialNumber,omitempty"`
	Issuer                 *string `json:"issuer,omitempty"`
}

// StatusItem is a status list item of a capability response.
type StatusItem struct {
	Code   int64   `json:"code"`
	Detail *string `json:"detail,omitempty"`
}

// Response is the callout's answer (capability-response.schema.json): nil
// parts and zero flags ask for nothing, so Response{} is "no action".
type Response struct {
	ResponseActions *ResponseActions `json:"responseActions,omitempty"`
	HostActions     *HostActions     `json:"hostActions,omitempty"`
	AddOnActions    []AddOnActions   `json:"addOnActions,omitempty"`
}

// ResponseActions act on the capability response being generated.
type ResponseActions struct {
	VendorDictionary VendorDictionary `json:"vendorDictionary,omitempty"` // finalize response only
	AddToStatusList  []StatusItem     `json:"addToStatusList,omitempty"`  // every trigger point
	Lifetime         *int64           `json:"lifetime,omitempty"`         // seconds (CO-21); finalize response only
}

// HostActions act on the target host.
type HostActions struct {
	AddToVendorDictionary      VendorDictionary `json:"addToVendorDictionary,omitempty"`      // finalize host and response
	RemoveFromVendorDictionary []string         `json:"removeFromVendorDictionary,omitempty"` // finalize host and response
	DenyCreate                 bool             `json:"denyCreate,omitempty"`                 // finalize host only
	DenyAccess                 bool             `json:"denyAccess,omitempty"`                 // check access only
	HostType                   *string          `json:"hostType,omitempty"`                   // finalize host only
	EnterpriseID               *int64           `json:"enterpriseId,omitempty"`               // finalize host and response
}

// AddOnActions act on one add-on mapped to the host; every action is
// finalize response only.
type AddOnActions struct {
	ActivationID     string  `json:"activationId"`
	SkipConfirmation bool    `json:"skipConfirmation,omitempty"`
	Denied           bool    `json:"denied,omitempty"`
	Expiration       *string `json:"expiration,omitempty"` // ISO 8601 or a date (CO-24)
}
