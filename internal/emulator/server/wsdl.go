package server

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// wsdlTemplate is a WSDL split around the scheme and host of its
// soap:address locations, so serving it with the caller's host is a few
// writes rather than a rewrite per request.
type wsdlTemplate struct {
	parts [][]byte // the document with each location's scheme://host cut out
}

// addressLocation finds the scheme and host of a soap:address (any prefix).
var addressLocation = regexp.MustCompile(`<(?:[A-Za-z_][\w.-]*:)?address\s+location="(https?://[^/"]*)`)

func newWSDLTemplate(doc []byte) wsdlTemplate {
	var t wsdlTemplate
	last := 0
	for _, m := range addressLocation.FindAllSubmatchIndex(doc, -1) {
		t.parts = append(t.parts, doc[last:m[2]])
		last = m[3]
	}
	t.parts = append(t.parts, doc[last:])
	return t
}

func (t wsdlTemplate) render(base string) []byte {
	var b bytes.Buffer
	n := 0
	for _, p := range t.parts {
		n += len(p) + len(base)
	}
	b.Grow(n)
	for i, p := range t.parts {
		if i > 0 {
			b.WriteString(base)
		}
		b.Write(p)
	}
	return b.Bytes()
}

// wantsWSDL accepts ?wsdl in any case, as Axis does.
func wantsWSDL(r *http.Request) bool {
	for k := range r.URL.Query() {
		if strings.EqualFold(k, "wsdl") {
			return true
		}
	}
	return false
}

// baseURL is the scheme and host the client used to reach us. The host is
// kept only if it looks like one (it goes into XML and HTML unescaped
// otherwise); X-Forwarded-Proto is honoured for the two schemes it can
// name, so the emulator behind a TLS-terminating proxy advertises https.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	switch strings.ToLower(r.Header.Get("X-Forwarded-Proto")) {
	case "https":
		scheme = "https"
	case "http":
		scheme = "http"
	}
	host := r.Host
	if !validHost(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.ContainsRune(".-_:[]%", c):
		default:
			return false
		}
	}
	return true
}

func (s *Server) serveWSDL(w http.ResponseWriter, r *http.Request, ep *endpoint) {
	doc := ep.wsdl.render(baseURL(r))
	h := w.Header()
	h.Set("Content-Type", "text/xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(doc)
}

// serveServicePage answers a browser's GET of an endpoint, as Axis does,
// with a pointer to the WSDL.
func (s *Server) serveServicePage(w http.ResponseWriter, r *http.Request, ep *endpoint) {
	name := html.EscapeString(ep.v.Service)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	w.Write([]byte("<html><head><title>" + name + "</title></head><body><h1>" + name + " " +
		html.EscapeString(ep.v.Version.String()) + "</h1><p>This is a SOAP service of the fnokit FNO emulator. POST SOAP 1.1 envelopes here; the contract is at <a href=\"" +
		html.EscapeString(ep.v.Endpoint) + "?wsdl\">?wsdl</a>.</p></body></html>\n"))
}

// listedEndpoint is one row of the JSON listing.
type listedEndpoint struct {
	Service    string   `json:"service"`
	Version    string   `json:"version"`
	Namespace  string   `json:"namespace"`
	Endpoint   string   `json:"endpoint"`
	WSDL       string   `json:"wsdl"`
	Operations []string `json:"operations"`
}

// serveListing lists every endpoint with its operations: HTML in the shape
// of Axis's /services page by default, JSON for Accept: application/json.
func (s *Server) serveListing(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "fnokit emulator: the listing is read with GET", http.StatusMethodNotAllowed)
		return
	}
	base := baseURL(r)
	var rows []listedEndpoint
	for _, svc := range s.services {
		for _, v := range svc.Versions {
			row := listedEndpoint{Service: svc.Name, Version: v.Version.String(), Namespace: v.Namespace,
				Endpoint: base + v.Endpoint, WSDL: base + v.Endpoint + "?wsdl"}
			for _, o := range v.Operations {
				row.Operations = append(row.Operations, o.Name)
			}
			rows = append(rows, row)
		}
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodHead {
			return
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(rows)
		return
	}
	var b strings.Builder
	b.WriteString("<html><head><title>fnokit emulator: services</title></head><body>\n<h2>And now... Some Services</h2>\n<ul>\n")
	for _, row := range rows {
		b.WriteString("<li>" + html.EscapeString(row.Service) + " (" + html.EscapeString(row.Version) + ") <a href=\"" +
			html.EscapeString(row.WSDL) + "\"><i>(wsdl)</i></a> " + html.EscapeString(row.Endpoint) + "\n<ul>\n")
		for _, o := range row.Operations {
			b.WriteString("<li>" + html.EscapeString(o) + "</li>\n")
		}
		b.WriteString("</ul></li>\n")
	}
	b.WriteString("</ul>\n</body></html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	w.Write([]byte(b.String()))
}
