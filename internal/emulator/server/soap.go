package server

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// Problems a fault names in its detail, stable for clients and tests.
const (
	ProblemTooLarge       = "request-too-large"
	ProblemXML            = "request-unreadable" // detail carries the xml-* or soap-* rule too
	ProblemNoPayload      = "request-no-payload"
	ProblemNamespace      = "request-wrong-namespace"
	ProblemUnknownOp      = "request-unknown-operation"
	ProblemNotImplemented = "operation-not-implemented"
	ProblemAuth           = "authentication-failed"
	ProblemRequest        = "request-not-projected"
	ProblemHandler        = "handler-fault"
	ProblemInternal       = "internal-error"
	ProblemInjected       = "injected-fault"
)

// NSDetail is the namespace of the fault detail elements the emulator adds.
const NSDetail = "urn:fnokit:emulator"

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuf() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuf(b *bytes.Buffer) {
	if b.Cap() <= 4<<20 { // do not keep the odd huge response alive
		bufPool.Put(b)
	}
}

// serveSOAP is one SOAP call: limits, authentication, routing by the
// payload element, the handler, and the response envelope.
func (s *Server) serveSOAP(w http.ResponseWriter, r *http.Request, ep *endpoint) {
	max := s.cfg.MaxBody
	if r.ContentLength > max {
		s.fault(w, http.StatusRequestEntityTooLarge, "soapenv:Client", ProblemTooLarge, "",
			"request body exceeds the emulator's limit of "+strconv.FormatInt(max, 10)+" bytes")
		return
	}
	// A wrong Authorization header is refused before the body is read.
	outcome, user := s.basicAuth(r)
	if outcome == authHTTPBad {
		s.challenge(w)
		return
	}

	buf := getBuf()
	defer putBuf(buf)
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, max)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fault(w, http.StatusRequestEntityTooLarge, "soapenv:Client", ProblemTooLarge, "",
				"request body exceeds the emulator's limit of "+strconv.FormatInt(max, 10)+" bytes")
			return
		}
		// The client went away or sent a broken chunked body; nobody is
		// listening for a detailed answer.
		http.Error(w, "fnokit emulator: could not read the request body", http.StatusBadRequest)
		return
	}

	// An envelope that cannot be read is refused before authentication:
	// without it the header-style credentials cannot be found either.
	env, err := soap.Parse(bytes.NewReader(buf.Bytes()), xmltree.Limits{MaxBytes: max, MaxDepth: s.cfg.MaxDepth})
	if err != nil {
		var se *soap.Error
		var pe *xmltree.ParseError
		switch {
		case errors.As(err, &se):
			s.fault(w, http.StatusInternalServerError, "soapenv:Client", ProblemXML, se.Rule,
				"the request is not a readable SOAP 1.1 envelope: "+se.Msg)
		case errors.As(err, &pe):
			s.fault(w, http.StatusInternalServerError, "soapenv:Client", ProblemXML, pe.Rule,
				"the request is not readable XML: "+pe.Msg)
		default:
			s.fault(w, http.StatusInternalServerError, "soapenv:Client", ProblemXML, "",
				"the request is not a readable SOAP 1.1 envelope")
		}
		return
	}

	if outcome == authNone {
		outcome, user = s.headerAuth(env.Header)
	}
	switch outcome {
	case authNone:
		s.challenge(w)
		return
	case authHeaderBad:
		s.fault(w, http.StatusInternalServerError, "soapenv:Client", ProblemAuth, "",
			"authentication failed: the UserId and UserPassword header entries do not name a web-services user (UserPassword must be Base64)")
		return
	}

	payload := env.Payload
	if payload == nil {
		s.fault(w, http.StatusInternalServerError, "soapenv:Client", ProblemNoPayload, "",
			"the SOAP Body holds no request element")
		return
	}
	if payload.Name.Space != ep.v.Namespace {
		msg := "the request element is not in the namespace of " + ep.v.Service + " " + ep.v.Version.String() +
			" (" + ep.v.Namespace + ")"
		if other, ok := ep.siblings[payload.Name.Space]; ok {
			msg += "; it is in the namespace of " + other + ", post it there"
		}
		s.fault(w, http.StatusInternalServerError, "soapenv:Client", ProblemNamespace, "", msg)
		return
	}
	o, ok := ep.ops[payload.Name]
	if !ok {
		s.fault(w, http.StatusInternalServerError, "soapenv:Client", ProblemUnknownOp, "",
			ep.v.Service+" "+ep.v.Version.String()+" has no operation whose request element is "+
				safeName(payload.Name.Local)+"; the listing at "+ListingPath+" shows the operations")
		return
	}
	opn := ep.op(o.Name)
	if info := infoFrom(r.Context()); info != nil {
		info.operation = o.Name
	}
	h, ok := s.cfg.Registry.Lookup(opn)
	if !ok {
		s.fault(w, http.StatusInternalServerError, "soapenv:Server", ProblemNotImplemented, "",
			"the emulator does not implement "+opn.String()+" yet")
		return
	}

	plan := s.faults.plan(ep.v.Service, ep.v.Version, o.Name)
	if plan.delay > 0 {
		s.countFault("latency")
	}
	if plan.err != "" {
		s.countFault(string(plan.err))
	}
	if plan.delay > 0 && !sleep(r.Context(), plan.delay) {
		return // the client gave up or the server is closing
	}
	switch plan.err {
	case ErrorSOAPFault:
		w.Header().Set(HeaderFault, "error="+string(ErrorSOAPFault))
		s.fault(w, http.StatusInternalServerError, "soapenv:Server", ProblemInjected, "",
			"fault injected by the fnokit emulator")
		return
	case ErrorHTTP500:
		w.Header().Set(HeaderFault, "error="+string(ErrorHTTP500))
		http.Error(w, "fnokit emulator: injected HTTP 500", http.StatusInternalServerError)
		return
	}

	proj, err := ep.projection(s.cfg.Project)
	if err != nil {
		s.log.Warn("projection unavailable", "service", ep.v.Service, "version", ep.v.Version.String(), "err", err)
		s.fault(w, http.StatusInternalServerError, "soapenv:Server", ProblemInternal, "",
			"the emulator cannot convert payloads of "+ep.v.Service+" "+ep.v.Version.String())
		return
	}
	req, err := proj.Request(payload)
	if err != nil {
		s.fault(w, http.StatusInternalServerError, "soapenv:Client", ProblemRequest, "",
			"the "+o.Name+" request does not fit the schema of "+ep.v.Service+" "+ep.v.Version.String()+": "+err.Error())
		return
	}
	ctx, timings := op.WithTimings(r.Context())
	content, err := h(ctx, &op.Call{Op: opn, Request: req, User: user, Now: s.cfg.Now()})
	setServerTiming(w.Header(), timings)
	if err != nil {
		var f *op.Fault
		if errors.As(err, &f) {
			s.fault(w, http.StatusInternalServerError, f.Code, ProblemHandler, "", f.String)
			return
		}
		if r.Context().Err() != nil {
			return
		}
		s.log.Warn("handler failed", "operation", opn.String(), "err", err)
		s.fault(w, http.StatusInternalServerError, "soapenv:Server", ProblemInternal, "",
			"the emulator failed to answer "+opn.String())
		return
	}
	tree, err := proj.Response(o.Name, content)
	if err != nil {
		s.log.Warn("response projection failed", "operation", opn.String(), "err", err)
		s.fault(w, http.StatusInternalServerError, "soapenv:Server", ProblemInternal, "",
			"the emulator could not build the "+o.Name+" response")
		return
	}
	for _, mode := range plan.drift {
		applied := false
		if m, err := ep.schemaModel(s.cfg.Project); err == nil {
			applied = applyDrift(mode, tree, m, ep.driftNS)
		} else {
			s.log.Warn("schema model unavailable for drift", "service", ep.v.Service, "err", err)
		}
		if applied {
			s.countFault("drift-" + string(mode))
			w.Header().Add(HeaderFault, "drift="+string(mode))
		} else {
			w.Header().Add(HeaderFault, "drift="+string(mode)+";not-applicable")
		}
	}
	s.writeEnvelope(w, http.StatusOK, tree)
}

// HeaderFault names the faults injected into a response, for people
// debugging a client against a misbehaving emulator.
const HeaderFault = "X-Fnokit-Fault"

var envelopePrefixes = map[string]string{soap.NSEnvelope: soap.PrefixEnvelope}

const xmlDecl = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// writeEnvelope encodes the payload in an envelope and sends it with its
// length, so clients never see a half-written response as a success.
func (s *Server) writeEnvelope(w http.ResponseWriter, status int, payload *xmltree.Node) {
	buf := getBuf()
	defer putBuf(buf)
	buf.WriteString(xmlDecl)
	if err := soap.Envelope(payload, soap.Credentials{}).Encode(buf, xmltree.EncodeOptions{Prefixes: envelopePrefixes}); err != nil {
		s.log.Warn("encode response", "err", err)
		s.fault(w, http.StatusInternalServerError, "soapenv:Server", ProblemInternal, "", "the emulator could not encode the response")
		return
	}
	h := w.Header()
	h.Set("Content-Type", soap.ContentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fault writes a SOAP 1.1 fault in Axis's shape (faultcode, faultstring,
// detail). The detail names the problem with a stable ID, and the contract
// rule behind it when there is one. msg must never carry a payload value or
// a secret.
func (s *Server) fault(w http.ResponseWriter, status int, code, problem, rule, msg string) {
	buf := getBuf()
	defer putBuf(buf)
	buf.WriteString(xmlDecl)
	buf.WriteString(`<soapenv:Envelope xmlns:soapenv="` + soap.NSEnvelope + `"><soapenv:Body><soapenv:Fault><faultcode>`)
	xml.EscapeText(buf, []byte(code))
	buf.WriteString(`</faultcode><faultstring>`)
	xml.EscapeText(buf, []byte(msg))
	buf.WriteString(`</faultstring><detail><fnokit:problem xmlns:fnokit="` + NSDetail + `">`)
	xml.EscapeText(buf, []byte(problem))
	buf.WriteString(`</fnokit:problem>`)
	if rule != "" {
		buf.WriteString(`<fnokit:rule xmlns:fnokit="` + NSDetail + `">`)
		xml.EscapeText(buf, []byte(rule))
		buf.WriteString(`</fnokit:rule>`)
	}
	buf.WriteString(`</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
	h := w.Header()
	h.Set("Content-Type", soap.ContentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// safeName bounds an element name taken from a request before it goes into
// a fault: names may be quoted, but not at any length.
func safeName(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
