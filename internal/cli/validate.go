package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/xsd"
)

const validateSynopsis = `validate --schema <xsd|wsdl|openapi-file> [flags] <message files…>

With an XSD or WSDL, each message is a SOAP envelope (its Body payload is
validated against the schema's element declarations) or a bare payload.

With an OpenAPI document, each message is a raw HTTP request, a raw HTTP
response (routed with --method and --path), or a JSON body validated as the
response to --method --path with --status.`

func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("validate", validateSynopsis, stderr)
	schema := fs.String("schema", "", "the `file` to validate against: .xsd, .wsdl, or an OpenAPI .yaml/.json")
	method := fs.String("method", http.MethodGet, "OpenAPI: the request `method` a response answers")
	path := fs.String("path", "", "OpenAPI: the request `path` a response answers, e.g. /flexnet/operations/manageDevice/devicesCount")
	status := fs.Int("status", http.StatusOK, "OpenAPI: the HTTP `status` of a JSON body")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *schema == "" {
		return usageError(stderr, fs, "--schema is required")
	}
	if fs.NArg() == 0 {
		return usageError(stderr, fs, "name at least one message file")
	}

	var check func(file string, data []byte) (contract.Findings, error)
	switch schemaKind(*schema) {
	case kindXSD:
		s, err := xsd.CompileFile(*schema)
		if err != nil {
			return cannotRun(stderr, err, "run 'fnokit schemas lint "+*schema+"' for details")
		}
		defer s.Close()
		check = func(_ string, data []byte) (contract.Findings, error) { return s.Validate(data) }
	case kindOpenAPI:
		doc, err := openapi.LoadFile(*schema)
		if err != nil {
			return cannotRun(stderr, err, "run 'fnokit schemas lint "+*schema+"' for details")
		}
		v, err := openapi.New(doc, openapi.Options{})
		if err != nil {
			return cannotRun(stderr, err, "")
		}
		hc := httpCheck{v: v, method: strings.ToUpper(*method), path: *path, status: *status}
		check = hc.check
	default:
		return usageError(stderr, fs, "--schema %s is neither XSD, WSDL nor an OpenAPI document", *schema)
	}

	var all contract.Findings
	for _, file := range fs.Args() {
		if ctx.Err() != nil {
			return cannotRun(stderr, ctx.Err(), "")
		}
		data, err := readCapped(file, xsd.DefaultLimits.MaxBytes)
		if err != nil {
			return cannotRun(stderr, err, "check the message file")
		}
		found, err := check(file, data)
		if err != nil {
			return cannotRun(stderr, fmt.Errorf("%s: %w", file, err), "")
		}
		found = found.WithTarget(file)
		all = append(all, found...)
		if !*asJSON {
			printValidateResult(stdout, file, found)
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, all); err != nil {
			return cannotRun(stderr, err, "")
		}
	}
	if all.HasErrors() {
		return ExitViolations
	}
	return ExitOK
}

// readCapped reads a message file, refusing one larger than max before
// reading it: a 100 MB body must not cost 100 MB.
func readCapped(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes, the largest message fnokit validates", path, max)
	}
	return data, nil
}

func printValidateResult(w io.Writer, file string, found contract.Findings) {
	if len(found) == 0 {
		fmt.Fprintf(w, "valid   %s\n", file)
		return
	}
	word := "INVALID"
	if !found.HasErrors() {
		word = "notes"
	}
	fmt.Fprintf(w, "%-7s %s\n", word, file)
	for _, f := range found {
		loc := ""
		if f.Location != "" {
			loc = " at " + f.Location
		}
		fmt.Fprintf(w, "        %s [%s]%s: %s\n", f.Severity, f.Rule, loc, f.Message)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// httpCheck validates one message file against an OpenAPI document.
type httpCheck struct {
	v      *openapi.Validator
	method string
	path   string
	status int
}

func (h httpCheck) check(file string, data []byte) (contract.Findings, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(trimmed, []byte("HTTP/")):
		req, err := h.request()
		if err != nil {
			return nil, err
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(trimmed)), req)
		if err != nil {
			return nil, fmt.Errorf("not a readable HTTP response: %w", err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("read response body: %w", err)
		}
		return h.v.ValidateResponse(req, resp.StatusCode, resp.Header, body)
	case looksLikeHTTPRequest(trimmed):
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(trimmed)))
		if err != nil {
			return nil, fmt.Errorf("not a readable HTTP request: %w", err)
		}
		if req.URL.Host == "" {
			req.URL.Host = req.Host
		}
		return h.v.ValidateRequest(req)
	default:
		req, err := h.request()
		if err != nil {
			return nil, err
		}
		header := http.Header{"Content-Type": {"application/json"}}
		return h.v.ValidateResponse(req, h.status, header, data)
	}
}

func (h httpCheck) request() (*http.Request, error) {
	if h.path == "" {
		return nil, fmt.Errorf("a response needs --path (and --method) to find its operation in the OpenAPI document")
	}
	if !strings.HasPrefix(h.path, "/") {
		return nil, fmt.Errorf("--path must start with '/', e.g. /flexnet/operations/manageDevice/devicesCount")
	}
	// Routing looks at the path only; the host is a placeholder.
	req, err := http.NewRequest(h.method, "http://fnokit.invalid"+h.path, nil)
	if err != nil {
		return nil, fmt.Errorf("bad --method or --path: %w", err)
	}
	return req, nil
}

func looksLikeHTTPRequest(b []byte) bool {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	fields := strings.Fields(string(line))
	return len(fields) == 3 && strings.HasPrefix(fields[2], "HTTP/1.") && strings.ToUpper(fields[0]) == fields[0]
}
