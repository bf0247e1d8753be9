// Package soap is fnokit's SOAP 1.1 document/literal codec for FNO web
// services: it builds request envelopes (payload in the service version's
// namespace, credentials as HTTP Basic, Bearer or the FNO UserId/UserPassword
// SOAP header), turns plain values into payloads in schema order and back,
// and parses responses whatever their prefixes into the payload, a typed
// Fault, statusInfo and failedData.
//
// It is pure Go (no cgo): the k6 extension imports it. Parsing is bounded by
// xmltree.Limits and refuses DTDs; every refusal carries the contract rule
// to report, and no message quotes payload values or secrets.
package soap
