// Package pubservices holds fnokit's XML Schemas for FNO's Public Service
// APIs (lineitemdetails, entitlementdetails, registeruser, mapentitlement:
// XML documents POSTed to /flexnet/pubservices/<api>), their sample messages
// and the test that validates the samples. See README.md for what each
// schema documents and which parts are inferred.
//
// The test also validates the hand-written payload samples of the external
// SOAP services FNO calls (schemas/soap/{IdGeneratorService,
// LicenseGeneratorService,RenewalService}/testdata) against their generated
// WSDLs, because those services and these APIs share one trait: no vendor
// schema exists to compare with, so the samples are the check.
package pubservices
