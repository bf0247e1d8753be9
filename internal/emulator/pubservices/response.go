package pubservices

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Outcomes, common.xsd statusType.
const (
	statusSuccess = "SUCCESS"
	statusFailure = "FAILURE"
)

// response is the Response document of every API: Status, Reason on
// failure, then the one data element the API returns (common.xsd
// responseType extended per API). Fields left empty are not written, so
// one type fits all four schemas.
type response struct {
	XMLName     xml.Name     `xml:"urn:com.macrovision:flexnet/operations/publicservices Response"`
	Status      string       `xml:"Status"`
	Reason      string       `xml:"Reason,omitempty"`
	LineItem    *lineItemXML `xml:"LineItem,omitempty"`
	Entitlement *entitlement `xml:"Entitlement,omitempty"`
	UserID      string       `xml:"UserId,omitempty"`
}

// lineItemXML is common.xsd lineItemType.
type lineItemXML struct {
	ActivationID    string `xml:"ActivationId"`
	EntitlementID   string `xml:"EntitlementId"`
	State           string `xml:"State"`
	ProductName     string `xml:"ProductName,omitempty"`
	ProductVersion  string `xml:"ProductVersion,omitempty"`
	PartNumber      string `xml:"PartNumber,omitempty"`
	Quantity        *int   `xml:"Quantity,omitempty"`
	FulfilledAmount *int   `xml:"FulfilledAmount,omitempty"`
	StartDate       string `xml:"StartDate,omitempty"`
	IsPermanent     bool   `xml:"IsPermanent"`
	ExpirationDate  string `xml:"ExpirationDate,omitempty"`
	SoldTo          string `xml:"SoldTo,omitempty"`
}

// entitlement is common.xsd entitlementType.
type entitlement struct {
	EntitlementID string        `xml:"EntitlementId"`
	State         string        `xml:"State"`
	SoldTo        string        `xml:"SoldTo,omitempty"`
	ShipToEmail   string        `xml:"ShipToEmail,omitempty"`
	LineItems     []lineItemXML `xml:"LineItem"`
}

func success() response { return response{Status: statusSuccess} }

func failure(reason string) response { return response{Status: statusFailure, Reason: reason} }

// lineItemOf renders a line item; soldTo is its entitlement's sold-to
// account ID. Counts are written only when they are valid
// nonNegativeIntegers, dates only when set (xs:date, UTC).
func lineItemOf(it state.LineItem, soldTo string) lineItemXML {
	x := lineItemXML{
		ActivationID:   it.ActivationID,
		EntitlementID:  it.EntitlementID,
		State:          string(it.State),
		ProductName:    it.Product.Name,
		ProductVersion: it.Product.Version,
		PartNumber:     it.PartNumber,
		StartDate:      date(it.Start),
		IsPermanent:    it.Permanent,
		SoldTo:         soldTo,
	}
	if it.Copies >= 0 {
		x.Quantity = &it.Copies
	}
	if it.Fulfilled >= 0 {
		x.FulfilledAmount = &it.Fulfilled
	}
	if !it.Permanent {
		x.ExpirationDate = date(it.Expiration)
	}
	return x
}

func date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// writeResponse answers r as an XML document with status.
func writeResponse(w http.ResponseWriter, status int, r response) {
	data, err := xml.Marshal(r)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`<Response xmlns="` + Namespace + `"><Status>FAILURE</Status><Reason>the answer could not be encoded</Reason></Response>`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(xml.Header))
	w.Write(append(data, '\n'))
}
