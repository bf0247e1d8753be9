package extracts_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/csvheader"
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

func auth(u, p string) bool { return u == user && p == password }

// newHandler builds a handler over a fresh generated store whose clock is
// clk, unless cfg brings its own store.
func newHandler(t testing.TB, clk *resttest.Clock, cfg extracts.Config) (*extracts.Handler, *state.Store) {
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

// csvSpecs reads the CSV descriptions of the contract, by extract name.
func csvSpecs(t testing.TB) map[string][]csvheader.Spec {
	t.Helper()
	doc, err := openapi.LoadFile(contractPath)
	if err != nil {
		t.Fatal(err)
	}
	specs, err := csvheader.Read(doc)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]csvheader.Spec{}
	for _, s := range specs {
		out[s.Extract] = append(out[s.Extract], s)
	}
	return out
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
