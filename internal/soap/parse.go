package soap

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// Error is why a message could not be read as a SOAP 1.1 envelope. Rule is
// the contract rule to report (xml-malformed, xml-too-large, xml-too-deep,
// xml-dtd-forbidden, soap-no-envelope, soap-no-body). Msg never quotes the
// message's content.
type Error struct {
	Rule string
	Line int
	Msg  string
	Err  error // the *xmltree.ParseError behind an XML-level refusal
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("soap: %s (line %d) [%s]", e.Msg, e.Line, e.Rule)
	}
	return fmt.Sprintf("soap: %s [%s]", e.Msg, e.Rule)
}

func (e *Error) Unwrap() error { return e.Err }

// Finding turns the refusal into a contract finding about target.
func (e *Error) Finding(target string) contract.Finding {
	loc := ""
	if e.Line > 0 {
		loc = "line " + strconv.Itoa(e.Line)
	}
	return contract.New(e.Rule, target, loc, e.Msg)
}

// AsFinding returns the finding for err when err says the message broke the
// contract (an *Error or an *xmltree.ParseError); ok is false for errors that
// mean the check could not run, such as a failed read.
func AsFinding(err error, target string) (f contract.Finding, ok bool) {
	var se *Error
	if errors.As(err, &se) {
		return se.Finding(target), true
	}
	var pe *xmltree.ParseError
	if errors.As(err, &pe) {
		return (&Error{Rule: pe.Rule, Line: pe.Line, Msg: pe.Msg}).Finding(target), true
	}
	return contract.Finding{}, false
}

// Status is the value of statusInfo/status.
type Status string

// Status values FNO uses; NOT_SUPPORTED only in ManageDevice.
const (
	StatusSuccess        Status = "SUCCESS"
	StatusFailure        Status = "FAILURE"
	StatusPartialFailure Status = "PARTIAL_FAILURE"
	StatusNotSupported   Status = "NOT_SUPPORTED"
)

// Known reports whether s is one of the values FNO documents.
func (s Status) Known() bool {
	switch s {
	case StatusSuccess, StatusFailure, StatusPartialFailure, StatusNotSupported:
		return true
	}
	return false
}

// StatusInfo is the payload's statusInfo element.
type StatusInfo struct {
	Status Status
	Reason string
}

// Fault is a SOAP 1.1 fault. Code keeps its prefix as written
// (soapenv:Server.userException); Detail is the detail element, or nil.
type Fault struct {
	Code   string
	String string
	Actor  string
	Detail *xmltree.Node
}

// Error names the fault by its code only: faultstring is free text from the
// server and may quote what was sent.
func (f *Fault) Error() string {
	return "SOAP fault " + safeCode(f.Code)
}

// safeCode keeps a fault code that looks like a QName and replaces anything
// else, so a message never carries arbitrary server text.
func safeCode(c string) string {
	c = strings.TrimSpace(c)
	if c == "" {
		return "(no faultcode)"
	}
	if len(c) > 128 {
		return "(unreadable faultcode)"
	}
	for _, r := range c {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":._-", r)) {
			return "(unreadable faultcode)"
		}
	}
	return c
}

// FailedRecord is one entry of a response's failedData: the record FNO could
// not process and why.
type FailedRecord struct {
	// Element is the local name of the record element: failedDevice,
	// failedBulkEntitlement, … or failedData itself when FNO reports a
	// single failure without a record (getDevices, countDevices).
	Element string
	// Path locates the record in the payload, e.g.
	// /createDeviceResponse/failedData/failedDevice[2].
	Path string
	// Reason is the record's reason text.
	Reason string
	// Node is the record element; Data gives its parts without the reason.
	Node *xmltree.Node
}

// Data returns the children of the record other than reason: the subtree(s)
// that failed (a device, a bulk entitlement, a line item …).
func (r FailedRecord) Data() []*xmltree.Node {
	var out []*xmltree.Node
	for _, c := range r.Node.Children {
		if c.Name.Local != "reason" {
			out = append(out, c)
		}
	}
	return out
}

// Response is a parsed SOAP response.
type Response struct {
	Envelope *xmltree.Node
	Header   *xmltree.Node // nil when absent
	Body     *xmltree.Node
	// Payload is the Body's first element, or nil when the Body is a Fault.
	Payload *xmltree.Node
	Fault   *Fault
	// Status is the payload's statusInfo, or nil when it has none.
	Status *StatusInfo
	// Failed lists the records of the payload's failedData, in order.
	Failed []FailedRecord
	// Size is the number of bytes read.
	Size int64
}

// Findings reports what a caller checking behaviour cares about: a fault
// (soap-fault) or a status other than SUCCESS (soap-status-not-success).
// Messages name the fault code and status, never the reason texts.
func (r *Response) Findings(target string) contract.Findings {
	var fs contract.Findings
	if r.Fault != nil {
		fs = append(fs, contract.New(contract.RuleSOAPFault, target, "/Envelope/Body/Fault", r.Fault.Error()))
	}
	if r.Status != nil && r.Status.Status != StatusSuccess {
		st := string(r.Status.Status)
		if !r.Status.Status.Known() {
			st = "an undocumented value"
		}
		msg := "statusInfo/status is " + st
		if n := len(r.Failed); n > 0 {
			msg += fmt.Sprintf(" with %d failed record(s)", n)
		}
		fs = append(fs, contract.New(contract.RuleSOAPStatus, target, "/"+r.Payload.Name.Local+"/statusInfo/status", msg))
	}
	return fs
}

// countingReader counts bytes and remembers a read error, so a broken
// connection is reported as such and not as malformed XML.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// Parse reads a SOAP 1.1 response within lim. Prefixes do not matter (urn:,
// impl:, ns1:, default namespaces all work); the envelope must be in the SOAP
// 1.1 namespace. A message that is not a readable envelope gives an *Error
// carrying the rule to report; a failed read gives a plain wrapped error.
func Parse(r io.Reader, lim xmltree.Limits) (*Response, error) {
	cr := &countingReader{r: r}
	root, err := xmltree.Parse(cr, lim)
	if cr.err != nil {
		return nil, fmt.Errorf("read SOAP message: %w", cr.err)
	}
	if err != nil {
		var pe *xmltree.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{Rule: pe.Rule, Line: pe.Line, Msg: pe.Msg, Err: err}
		}
		return nil, fmt.Errorf("read SOAP message: %w", err)
	}
	resp, err := FromTree(root)
	if err != nil {
		return nil, err
	}
	resp.Size = cr.n
	return resp, nil
}

// FromTree interprets an already parsed document as a SOAP response.
func FromTree(root *xmltree.Node) (*Response, error) {
	if root.Name.Local != "Envelope" || root.Name.Space != NSEnvelope {
		msg := "root element is not a SOAP 1.1 Envelope"
		switch {
		case root.Name.Local == "Envelope" && root.Name.Space == NSEnvelope12:
			msg = "the Envelope is SOAP 1.2; FNO services speak SOAP 1.1"
		case root.Name.Local == "Envelope":
			msg = "the Envelope is not in the SOAP 1.1 namespace " + NSEnvelope
		}
		return nil, &Error{Rule: contract.RuleSOAPNoEnvelope, Msg: msg}
	}
	resp := &Response{Envelope: root}
	for _, c := range root.Children {
		if c.Name.Space != NSEnvelope {
			continue
		}
		switch c.Name.Local {
		case "Header":
			if resp.Header == nil && resp.Body == nil {
				resp.Header = c
			}
		case "Body":
			if resp.Body == nil {
				resp.Body = c
			}
		}
	}
	if resp.Body == nil {
		return nil, &Error{Rule: contract.RuleSOAPNoBody, Msg: "the Envelope has no SOAP 1.1 Body"}
	}
	if len(resp.Body.Children) == 0 {
		return nil, &Error{Rule: contract.RuleSOAPNoBody, Msg: "the SOAP Body has no element"}
	}
	first := resp.Body.Children[0]
	if first.Name.Local == "Fault" && first.Name.Space == NSEnvelope {
		resp.Fault = &Fault{
			Code:   first.TextOf("faultcode"),
			String: first.TextOf("faultstring"),
			Actor:  first.TextOf("faultactor"),
			Detail: first.Child("detail"),
		}
		return resp, nil
	}
	resp.Payload = first
	if si := first.Child("statusInfo"); si != nil {
		resp.Status = &StatusInfo{Status: Status(si.TextOf("status")), Reason: si.TextOf("reason")}
	}
	resp.Failed = failedRecords(first)
	return resp, nil
}

// failedRecords reads failedData in the two shapes the FNO WSDLs use: a list
// of record elements each holding the record and a reason
// (failedData/failedDevice/{device,reason}), or a bare reason
// (failedData/reason, as getDevices and countDevices answer).
func failedRecords(payload *xmltree.Node) []FailedRecord {
	var out []FailedRecord
	root := "/" + payload.Name.Local
	fds := payload.ChildrenNamed("failedData")
	for i, fd := range fds {
		fdPath := root + "/failedData" + index(i, len(fds))
		if fd.Child("reason") != nil {
			out = append(out, FailedRecord{Element: fd.Name.Local, Path: fdPath, Reason: fd.TextOf("reason"), Node: fd})
			continue
		}
		total := map[string]int{}
		for _, c := range fd.Children {
			total[c.Name.Local]++
		}
		seen := map[string]int{}
		for _, c := range fd.Children {
			p := fdPath + "/" + c.Name.Local + index(seen[c.Name.Local], total[c.Name.Local])
			seen[c.Name.Local]++
			out = append(out, FailedRecord{Element: c.Name.Local, Path: p, Reason: c.TextOf("reason"), Node: c})
		}
	}
	return out
}

// index is the XPath position suffix xmltree.Walk uses: none for an only
// child of its name, [n] (1-based) otherwise.
func index(i, total int) string {
	if total <= 1 {
		return ""
	}
	return "[" + strconv.Itoa(i+1) + "]"
}
