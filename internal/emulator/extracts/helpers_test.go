package extracts_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fnokit/fnokit/internal/emulator/extracts"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

const contractPath = "../../../schemas/rest/extracts.yaml"

const (
	user     = "admin"
	password = "s3cr3t-never-echoed"
)

var testSizes = state.Sizes{Accounts: 20, Users: 20, Products: 10, Entitlements: 200, Devices: 500, Fulfillments: 100}

// clock is a fake emulator clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func auth(u, p string) bool { return u == user && p == password }

// newHandler builds a handler over a fresh generated store whose clock is
// clk, unless cfg brings its own store.
func newHandler(t testing.TB, clk *clock, cfg extracts.Config) (*extracts.Handler, *state.Store) {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = state.Generate(testSizes, 7)
		cfg.Store.SetClock(clk.Now)
	}
	if cfg.Auth == nil {
		cfg.Auth = auth
	}
	cfg.Now = clk.Now
	h, err := extracts.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, cfg.Store
}

type exchange = resttest.Exchange

// call sends a request to h as the test user (creds false: none).
func call(h http.Handler, method, path string, body []byte, contentType string, creds bool) exchange {
	pass := ""
	if creds {
		pass = password
	}
	return callAs(h, method, path, body, contentType, pass)
}

// callAs sends a request with the test user and pass ("": no credentials).
func callAs(h http.Handler, method, path string, body []byte, contentType, pass string) exchange {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if pass != "" {
		req.SetBasicAuth(user, pass)
	}
	return resttest.Serve(h, req)
}

func get(h http.Handler, path string) exchange { return call(h, http.MethodGet, path, nil, "", true) }

// apiJob is ExtractJob as a client reads it.
type apiJob struct {
	ID                int64   `json:"id"`
	JobName           string  `json:"jobName"`
	Status            string  `json:"status"`
	StartTime         string  `json:"startTime"`
	EndTime           *string `json:"endTime"`
	ArtifactAvailable bool    `json:"artifactAvailable"`
	Filesize          *string `json:"filesize"`
	Checksum          *string `json:"checksum"`
}

// csvSpec is one *Csv schema of extracts.yaml: the header it allows and,
// inside a zip, the file name pattern.
type csvSpec struct {
	schema  string
	file    openapi3.RegexMatcher // nil for a single-CSV extract
	columns []csvColumn
}

type csvColumn struct {
	Name     string   `json:"name"`
	Optional bool     `json:"optional"`
	Pattern  string   `json:"pattern"`
	Group    []string `json:"group"`
	Repeat   bool     `json:"repeat"`
	res      []openapi3.RegexMatcher
}

// csvSpecs reads the CSV descriptions of the contract, by extract name.
func csvSpecs(t testing.TB) map[string][]csvSpec {
	t.Helper()
	doc, err := openapi.LoadFile(contractPath)
	if err != nil {
		t.Fatal(err)
	}
	compile := func(p string) openapi3.RegexMatcher {
		re, err := openapi.CompileECMAScript(p)
		if err != nil {
			t.Fatal(err)
		}
		return re
	}
	out := map[string][]csvSpec{}
	for name, ref := range doc.Components.Schemas {
		ext := ref.Value.Extensions
		x, ok := ext["x-fnokit-extract"].(string)
		if !ok {
			continue
		}
		data, err := json.Marshal(ext["x-fnokit-csv-columns"])
		if err != nil {
			t.Fatal(err)
		}
		s := csvSpec{schema: name}
		if err := json.Unmarshal(data, &s.columns); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range s.columns {
			c := &s.columns[i]
			for _, p := range append([]string{c.Pattern}, c.Group...) {
				if p != "" {
					c.res = append(c.res, compile(p))
				}
			}
		}
		if p, ok := ext["x-fnokit-file-name"].(string); ok {
			s.file = compile(p)
		}
		out[x] = append(out[x], s)
	}
	return out
}

// fits reports whether header is what the column list allows: names in
// order (optional ones may be missing), repeated patterns or groups taking
// zero or more columns.
func (s csvSpec) fits(header []string) bool {
	var at func(c, h int) bool
	at = func(c, h int) bool {
		if c == len(s.columns) {
			return h == len(header)
		}
		col := s.columns[c]
		if col.Name != "" {
			if h < len(header) && header[h] == col.Name && at(c+1, h+1) {
				return true
			}
			return col.Optional && at(c+1, h)
		}
		// a repeated pattern (one regexp) or group (several)
		for k := h; ; k += len(col.res) {
			if at(c+1, k) {
				return true
			}
			if k+len(col.res) > len(header) {
				return false
			}
			for g, re := range col.res {
				if !re.MatchString(header[k+g]) {
					return false
				}
			}
		}
	}
	return at(0, 0)
}

// csvFile is one CSV of an artifact, parsed.
type csvFile struct {
	name   string // "" for a single-CSV artifact
	header []string
	rows   [][]string
}

// column returns the cells of the named column.
func (f csvFile) column(t testing.TB, name string) []string {
	t.Helper()
	i := -1
	for k, h := range f.header {
		if h == name {
			i = k
		}
	}
	if i < 0 {
		t.Fatalf("%s has no column %s: %v", f.name, name, f.header)
	}
	out := make([]string, len(f.rows))
	for k, r := range f.rows {
		out[k] = r[i]
	}
	return out
}

func parseCSV(t testing.TB, name string, data []byte) csvFile {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data)) // every row has the header's field count
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header row", name)
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Errorf("%s: lines do not end with CRLF", name)
	}
	return csvFile{name: name, header: recs[0], rows: recs[1:]}
}

// parseArtifact reads a served artifact: a CSV, or a zip of CSVs.
func parseArtifact(t testing.TB, contentType string, data []byte) []csvFile {
	t.Helper()
	switch contentType {
	case "text/csv":
		return []csvFile{parseCSV(t, "", data)}
	case "application/zip":
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var out []csvFile
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(io.LimitReader(rc, 64<<20))
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, parseCSV(t, f.Name, b))
		}
		return out
	}
	t.Fatalf("artifact Content-Type %q", contentType)
	return nil
}

// fileNamed returns the CSV of files whose name starts with prefix.
func fileNamed(t testing.TB, files []csvFile, prefix string) csvFile {
	t.Helper()
	for _, f := range files {
		if strings.HasPrefix(f.name, prefix) {
			return f
		}
	}
	t.Fatalf("no file %s* in the artifact", prefix)
	return csvFile{}
}
