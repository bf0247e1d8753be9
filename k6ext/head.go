package fno

import (
	"bytes"
	"encoding/xml"
	"strings"

	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// maxHeadTokens bounds scanHead: past it the full parse decides.
const maxHeadTokens = 4096

// scanHead reads a SOAP response only as far as its payload's
// statusInfo, which FNO writes first, and returns the status and reason.
// Most load-test iterations look at the status alone, and decoding the
// whole envelope (encoding/xml) is most of call()'s own cost on a page of
// results, so the payload is decoded only when the script reads it.
//
// ok is true only for the plain case: a SOAP 1.1 Envelope whose Body's
// first element is a payload (not a Fault) with a statusInfo child holding
// text-only status and reason. Anything else — a fault, no statusInfo, a
// DTD, an error — returns ok false, and the caller parses the whole
// document with soap.Parse, which reports what is wrong. The rules match
// soap.FromTree's: the Body is the Envelope's first SOAP-namespace child
// named Body, the payload its first element, statusInfo the payload's
// first child of that local name, status and reason that element's
// first children of those names.
func scanHead(body []byte) (status soap.Status, reason string, ok bool) {
	if int64(len(body)) > xmltree.DefaultLimits.MaxBytes {
		return "", "", false
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	const (
		wantEnvelope = iota
		wantBody
		wantPayload
		wantStatusInfo
		inStatusInfo
	)
	state := wantEnvelope
	var gotStatus, gotReason bool
	for range maxHeadTokens {
		tok, err := d.Token()
		if err != nil {
			return "", "", false
		}
		switch t := tok.(type) {
		case xml.Directive:
			return "", "", false
		case xml.CharData:
			if state == wantEnvelope && len(bytes.TrimSpace(t)) > 0 {
				return "", "", false
			}
		case xml.EndElement:
			if state != inStatusInfo || !gotStatus {
				return "", "", false
			}
			return status, reason, true
		case xml.StartElement:
			switch state {
			case wantEnvelope:
				if t.Name.Space != soap.NSEnvelope || t.Name.Local != "Envelope" {
					return "", "", false
				}
				state = wantBody
			case wantBody:
				if t.Name.Space == soap.NSEnvelope && t.Name.Local == "Body" {
					state = wantPayload
				} else if d.Skip() != nil {
					return "", "", false
				}
			case wantPayload:
				if t.Name.Space == soap.NSEnvelope && t.Name.Local == "Fault" {
					return "", "", false
				}
				state = wantStatusInfo
			case wantStatusInfo:
				if t.Name.Local == "statusInfo" {
					state = inStatusInfo
				} else if d.Skip() != nil {
					return "", "", false
				}
			case inStatusInfo:
				var (
					text string
					ok   bool
				)
				switch {
				case t.Name.Local == "status" && !gotStatus:
					text, ok = textOnly(d)
					status, gotStatus = soap.Status(text), true
				case t.Name.Local == "reason" && !gotReason:
					text, ok = textOnly(d)
					reason, gotReason = text, true
				default:
					ok = d.Skip() == nil
				}
				if !ok {
					return "", "", false
				}
			}
		}
	}
	return "", "", false
}

// textOnly reads the rest of an element that must hold text only, trimmed
// as xmltree's TextOf trims it.
func textOnly(d *xml.Decoder) (string, bool) {
	var b strings.Builder
	for range maxHeadTokens {
		tok, err := d.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.EndElement:
			return strings.TrimSpace(b.String()), true
		default:
			return "", false
		}
	}
	return "", false
}
