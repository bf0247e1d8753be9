package extracts

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// extract is one job name and the file it produces: a CSV, or a zip of
// several (ENTITLEMENT and PRODUCTS).
type extract struct {
	name  string
	file  string // the artifact's name before -YYYY-MM-DD-HH-MM-SS
	parts []part
}

// part is one CSV file: its name inside the zip, and what writes it.
type part struct {
	file  string
	write func(*builder, *csvOut) error
}

// extracts are the ten documented extracts (seed 001 lines 3335-3340), in
// the order the seed lists the names.
var extracts = []extract{
	{"ACCOUNT", "Accounts", []part{{"", (*builder).accounts}}},
	{"DEVICE", "Devices", []part{{"", (*builder).devices}}},
	{"DEVICEUPDATES", "DeviceUpdates", []part{{"", headerOnly(deviceUpdateColumns)}}},
	{"ENTITLEMENT", "Entitlements", []part{
		{"EntitlementsExtract", (*builder).entitlementItems},
		{"MaintenanceLine", (*builder).maintenanceItems},
	}},
	{"FULFILLMENT", "Fulfillments", []part{{"", (*builder).fulfillments}}},
	{"PRODUCTS", "Products", []part{
		{"ProductsExtract", (*builder).products},
		{"ProductsLicenseModel", (*builder).productModels},
		{"ProductsPartNumber", (*builder).productParts},
		{"ProductsRelation", headerOnly(productRelationColumns)},
	}},
	{"SERVEDDEVICE", "ServedDevices", []part{{"", (*builder).servedDevices}}},
	{"UPDATES", "Updates", []part{{"", headerOnly(updateColumns)}}},
	{"USAGE", "Usage", []part{{"", headerOnly(usageColumns)}}},
	{"USER", "Users", []part{{"", (*builder).users}}},
}

// Names returns the extract (job) names, as the name filter takes them.
func Names() []string {
	out := make([]string, len(extracts))
	for i, x := range extracts {
		out[i] = x.name
	}
	return out
}

func extractByName(name string) *extract {
	for i := range extracts {
		if extracts[i].name == name {
			return &extracts[i]
		}
	}
	return nil
}

// window is the half-open span [from, to) of created or modified times an
// extract run covers.
type window struct{ from, to time.Time }

func (w window) has(t time.Time) bool {
	return !t.IsZero() && !t.Before(w.from) && t.Before(w.to)
}

// touched reports whether a record created or modified at these times
// belongs to the window.
func (w window) touched(created, modified time.Time) bool { return w.has(created) || w.has(modified) }

// errTooBig stops a file that outgrows Config.MaxArtifactBytes.
var errTooBig = errors.New("the artifact is larger than the emulator's limit")

// capped is a buffer that refuses to grow past max bytes.
type capped struct {
	buf bytes.Buffer
	max int64
}

func (c *capped) Write(p []byte) (int, error) {
	if int64(c.buf.Len())+int64(len(p)) > c.max {
		return 0, errTooBig
	}
	return c.buf.Write(p)
}

// csvOut writes CSV records (RFC 4180, CRLF line ends).
type csvOut struct{ w *csv.Writer }

func newCSV(w io.Writer) *csvOut {
	c := csv.NewWriter(w)
	c.UseCRLF = true
	return &csvOut{c}
}

// row writes one record; the first error (the size cap) stops the file.
func (c *csvOut) row(rec []string) error { return c.w.Write(rec) }

func (c *csvOut) flush() error {
	c.w.Flush()
	return c.w.Error()
}

func headerOnly(cols []string) func(*builder, *csvOut) error {
	return func(_ *builder, w *csvOut) error { return w.row(cols) }
}

// stampFormat is the seed's file name time format (YYYY-MM-DD-HH-MM-SS).
const stampFormat = "2006-01-02-15-04-05"

// buildArtifact builds the file of one run of the named extract over w.
func buildArtifact(cfg *Config, name string, w window, start time.Time) (*artifact, error) {
	x := extractByName(name)
	if x == nil {
		return nil, ErrUnknownExtract
	}
	b := newBuilder(cfg.Store, w)
	out := &capped{max: cfg.MaxArtifactBytes}
	stamp := start.UTC().Format(stampFormat)
	a := &artifact{contentType: "text/csv", fileName: x.file + "-" + stamp + ".csv"}
	if len(x.parts) == 1 {
		c := newCSV(out)
		if err := x.parts[0].write(b, c); err != nil {
			return nil, err
		}
		if err := c.flush(); err != nil {
			return nil, err
		}
	} else {
		a.contentType, a.fileName = "application/zip", x.file+"-"+stamp+".zip"
		zw := zip.NewWriter(out)
		// Artifacts live 7 days at most: compress fast rather than small.
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		for _, p := range x.parts {
			f, err := zw.CreateHeader(&zip.FileHeader{Name: p.file + "-" + stamp + ".csv", Method: zip.Deflate, Modified: start.UTC()})
			if err != nil {
				return nil, err
			}
			c := newCSV(f)
			if err := p.write(b, c); err != nil {
				return nil, err
			}
			if err := c.flush(); err != nil {
				return nil, err
			}
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
	}
	a.data = out.buf.Bytes()
	if cap(a.data) > len(a.data)+len(a.data)/8 {
		a.data = bytes.Clone(a.data) // hold what is served, not the buffer's slack
	}
	return a, nil
}

// Cell formats. The seed's samples differ per extract (true, TRUE, Yes,
// YES); each extract uses its sample's.

// isoTime is the ISO 8601 format of times inside the files.
const isoTime = "2006-01-02T15:04:05.000Z"

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(isoTime)
}

func pick(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func yesNo(b bool) string     { return pick(b, "Yes", "No") }
func trueFalse(b bool) string { return pick(b, "true", "false") }
func upperTF(b bool) string   { return pick(b, "TRUE", "FALSE") }

// orNull is the fulfillment extract's empty cell (seed 001 line 3425).
func orNull(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

// title turns DEPLOYED into Deployed, as the entitlement sample shows states.
func title(s string) string {
	if s == "" {
		return ""
	}
	return s[:1] + strings.ToLower(s[1:])
}

// camel turns DEFINE_NOW into DefineNow and LICENSED_PRODUCT into
// LicensedProduct, as the entitlement sample shows them.
func camel(s string) string {
	var b strings.Builder
	for w := range strings.SplitSeq(s, "_") {
		b.WriteString(title(w))
	}
	return b.String()
}

// stateConst is FNO's internal state name (bo.constants.states.active,
// seed 001 lines 3425 and 3916).
func stateConst(s state.State) string {
	if s == "" {
		return ""
	}
	return "bo.constants.states." + strings.ToLower(string(s))
}
